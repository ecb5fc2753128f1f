//! One flex-alerts file as read from disk: the name users see and its text. Diagnostics are
//! rendered against these.

/// One alert file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to users (relative, as given).
    pub display: String,
    pub text: String,
}
