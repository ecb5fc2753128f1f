//! What plan decides for one alert, and how each decision is named in text and JSON.

/// The decision for one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    /// The metric changed: delete and create again, in this order.
    Replace(ReplaceOrder),
    Delete,
    /// A second live alert under a declared name (an interrupted replace, two applies at
    /// once): deleted, the one that matches the file stays.
    DeleteDuplicate,
    NoOp,
    /// Live, declared by no file, kept because prune is off.
    Unmanaged,
    /// Live, named by a `forget:` list: left as it is, never deleted.
    Forget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplaceOrder {
    /// There is room under the caps for both at once: the new alert exists before the old goes.
    CreateFirst,
    /// No room: the old alert goes first.
    DeleteFirst,
}

impl Action {
    /// The contract's `actions` array.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Action::Create => &["create"],
            Action::Update => &["update"],
            Action::Replace(ReplaceOrder::DeleteFirst) => &["delete", "create"],
            Action::Replace(ReplaceOrder::CreateFirst) => &["create", "delete"],
            Action::Delete | Action::DeleteDuplicate => &["delete"],
            Action::NoOp | Action::Unmanaged | Action::Forget => &["no-op"],
        }
    }

    /// The text plan's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace(ReplaceOrder::DeleteFirst) => "-/+",
            Action::Replace(ReplaceOrder::CreateFirst) => "+/-",
            Action::Delete | Action::DeleteDuplicate => "-",
            Action::NoOp => " ",
            Action::Unmanaged => "?",
            Action::Forget => "=",
        }
    }

    /// The verb of the text plan's line.
    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace(_) => "replace",
            Action::Delete => "delete",
            Action::DeleteDuplicate => "delete duplicate",
            Action::NoOp => "unchanged",
            Action::Unmanaged => "unmanaged",
            Action::Forget => "forget",
        }
    }

    /// Whether it deletes the live alert for good (a replace makes a new one).
    pub fn deletes_live(self) -> bool {
        matches!(self, Action::Delete | Action::DeleteDuplicate)
    }

    /// Whether applying it writes anything.
    pub fn is_change(self) -> bool {
        !matches!(self, Action::NoOp | Action::Unmanaged | Action::Forget)
    }

    /// Whether the live alert stays as it is, undeclared, counting against the caps.
    pub fn keeps_undeclared(self) -> bool {
        matches!(self, Action::Unmanaged | Action::Forget)
    }
}
