//! The desired state: every alert the files declare, with defaults filled in and secrets read,
//! in the one normal form that `plan` compares against the live store.

use crate::common::secret::Secret;

pub use super::model::{BrowserPushMode, Severity, WebhookKind};
use crate::flex::Metric;

/// Everything the files ask for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Desired {
    pub alerts: Vec<DesiredAlert>,
    /// `settings.prune`.
    pub prune: bool,
    /// `settings.browser_push_mode`; `None`: not managed.
    pub browser_push_mode: Option<BrowserPushMode>,
    /// Names a top-level `forget:` list gives, with where: left live, never changed or deleted.
    pub forgotten: Vec<(String, Origin)>,
    /// Alerts the files declare that were left out for their problems (reported at their
    /// place): rule tests naming one say nothing more about it.
    pub left_out: Vec<String>,
}

/// Where an alert was declared, for messages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredAlert {
    pub name: String,
    pub renamed_from: Vec<String>,
    pub metric: Metric,
    /// A channel unique name or `TC...` SID, as written; `None` for an agent-activity alert
    /// that has none.
    pub channel: Option<String>,
    /// Queue names or `WQ...` SIDs, as written, in file order.
    pub queues: Vec<String>,
    pub active: bool,
    pub warning: Option<Limit>,
    pub critical: Option<Limit>,
    pub notify: Option<DesiredNotify>,
    /// `protect: true`: never deleted or replaced without `--allow-protected`.
    pub protect: bool,
    /// Where the alert is declared (its name).
    pub origin: Origin,
    /// Each channel, queue and user name as written, with where, for name errors.
    pub references: Vec<(String, Origin)>,
}

impl DesiredAlert {
    /// Where `reference` (a channel, queue or user as written) is, else the alert's origin.
    pub fn origin_of(&self, reference: &str) -> &Origin {
        self.references
            .iter()
            .find(|(text, _)| text == reference)
            .map_or(&self.origin, |(_, origin)| origin)
    }
}

/// Which way a threshold compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Flex `Greater Than`.
    Above,
    /// Flex `Lesser Than`.
    Below,
}

/// One threshold: a direction and a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limit {
    pub direction: Direction,
    pub value: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredNotify {
    pub enabled: bool,
    pub severity: Severity,
    /// How long the alert must last before anyone is told, in seconds (0 to 900).
    pub after_seconds: u32,
    /// Usernames, emails or `FU...` SIDs, as written.
    pub users: Vec<String>,
    pub inbox: bool,
    pub popup: bool,
    pub browser_push: bool,
    pub webhook: Option<DesiredWebhook>,
    pub emails: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredWebhook {
    pub kind: WebhookKind,
    pub url: Secret,
}
