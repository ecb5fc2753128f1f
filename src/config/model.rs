//! The YAML format, version 1, as Rust types: what a file may say, exactly as users write it.
//!
//! These types are the single source of the JSON Schema (doc comments become descriptions) and
//! are what a file deserialises into once the schema accepts it. Defaults and cross-field rules
//! live in `rules.rs`; this module only describes the shape.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// A flex-alerts file: Twilio Flex alerts kept as code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "flex-alerts file",
    example = example_file(),
    extend("$id" = "https://flex-alerts.dev/schemas/flex-alerts.schema.json")
)]
pub struct AlertFile {
    /// Format version of this file. Always `1`.
    pub version: Version,
    /// Settings for the whole Flex instance. At most one file may carry them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    /// The alerts this file declares. Names are unique across all files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<Alert>,
}

/// The format version; only `1` exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Version;

impl TryFrom<u64> for Version {
    type Error = String;
    fn try_from(value: u64) -> Result<Self, Self::Error> {
        if value == 1 {
            Ok(Version)
        } else {
            Err(format!("unsupported version {value}"))
        }
    }
}

impl From<Version> for u64 {
    fn from(_: Version) -> u64 {
        1
    }
}

impl JsonSchema for Version {
    fn schema_name() -> Cow<'static, str> {
        "Version".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Format version of this file. Always `1`.",
            "type": "integer",
            "enum": [1]
        })
    }
}

/// Settings for the whole Flex instance.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `true`: `apply` deletes live alerts that no file declares. Default `false`: they are
    /// listed as unmanaged and kept.
    #[serde(default)]
    pub prune: bool,
    /// When Flex shows browser push notifications: `always`, or `when_not_in_focus` (only while
    /// the Flex tab is in the background). Omitted: not managed by flex-alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_push_mode: Option<BrowserPushMode>,
}

/// When Flex shows browser push notifications (Flex configuration `notifications.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BrowserPushMode {
    Always,
    WhenNotInFocus,
}

/// One Flex alert: a metric, a channel, the queues it watches, its thresholds and who is told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// The alert's name in Flex (`rule_friendly_name`) and its identity: unique across all
    /// files. Twilio asks for no personal data (names, emails, phone numbers) here.
    #[schemars(
        length(min = 1),
        regex(pattern = r"^\S(.*\S)?$"),
        example = &"Support voice - longest wait"
    )]
    pub name: String,
    /// Earlier names of this alert, so that a rename updates the live alert in place instead
    /// of deleting it and creating a new one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("uniqueItems" = true), inner(length(min = 1)))]
    pub renamed_from: Vec<String>,
    /// The real-time queue metric the alert watches (Flex `metric_id`). It cannot be edited
    /// in Flex: changing it makes `apply` delete the alert and create it again.
    pub metric: Metric,
    /// The task channel: a TaskChannel unique name (`voice`, `sms`, `chat`, `email`) or a
    /// `TC...` SID. Omitted only for an existing agent-activity alert that has none in Flex
    /// (Flex needs a channel to create an alert).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<ChannelRef>,
    /// The task queues the alert watches: TaskQueue names or `WQ...` SIDs, 1 to 20, unique.
    #[schemars(length(min = 1, max = 20), extend("uniqueItems" = true))]
    pub queues: Vec<QueueRef>,
    /// Whether the alert is evaluated. Default `true`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// When the metric is highlighted: a `warning` threshold, a `critical` one, or both.
    pub thresholds: Thresholds,
    /// Who is told when the alert fires, and how. Omitted: notifications off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Notify>,
}

/// The 17 real-time queue metrics Flex alerts can watch, spelt exactly as Flex spells them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Metric {
    #[serde(rename = "Active (Now)")]
    ActiveNow,
    #[serde(rename = "Waiting (Now)")]
    WaitingNow,
    #[serde(rename = "Available Agents (Now)")]
    AvailableAgentsNow,
    #[serde(rename = "Offline Agents (Now)")]
    OfflineAgentsNow,
    #[serde(rename = "Unavailable Agents (Now)")]
    UnavailableAgentsNow,
    #[serde(rename = "Abandoned (30 min)")]
    Abandoned30Min,
    #[serde(rename = "Abandoned (Today)")]
    AbandonedToday,
    #[serde(rename = "Accepted (30 min)")]
    Accepted30Min,
    #[serde(rename = "Accepted (Today)")]
    AcceptedToday,
    #[serde(rename = "Avg. Speed of Answer (Today)")]
    AvgSpeedOfAnswerToday,
    #[serde(rename = "Avg. Handle Time (Today)")]
    AvgHandleTimeToday,
    #[serde(rename = "Missed Invitations (30 min)")]
    MissedInvitations30Min,
    #[serde(rename = "Missed Invitations (Today)")]
    MissedInvitationsToday,
    #[serde(rename = "SLA (30 min)")]
    Sla30Min,
    #[serde(rename = "SLA (Today)")]
    SlaToday,
    #[serde(rename = "Longest Available Agent (Now)")]
    LongestAvailableAgentNow,
    #[serde(rename = "Longest (Now)")]
    LongestNow,
}

impl Metric {
    pub const ALL: [Metric; 17] = [
        Metric::ActiveNow,
        Metric::WaitingNow,
        Metric::AvailableAgentsNow,
        Metric::OfflineAgentsNow,
        Metric::UnavailableAgentsNow,
        Metric::Abandoned30Min,
        Metric::AbandonedToday,
        Metric::Accepted30Min,
        Metric::AcceptedToday,
        Metric::AvgSpeedOfAnswerToday,
        Metric::AvgHandleTimeToday,
        Metric::MissedInvitations30Min,
        Metric::MissedInvitationsToday,
        Metric::Sla30Min,
        Metric::SlaToday,
        Metric::LongestAvailableAgentNow,
        Metric::LongestNow,
    ];

    /// The exact `metric_id` string Flex uses.
    pub fn id(self) -> &'static str {
        match self {
            Metric::ActiveNow => "Active (Now)",
            Metric::WaitingNow => "Waiting (Now)",
            Metric::AvailableAgentsNow => "Available Agents (Now)",
            Metric::OfflineAgentsNow => "Offline Agents (Now)",
            Metric::UnavailableAgentsNow => "Unavailable Agents (Now)",
            Metric::Abandoned30Min => "Abandoned (30 min)",
            Metric::AbandonedToday => "Abandoned (Today)",
            Metric::Accepted30Min => "Accepted (30 min)",
            Metric::AcceptedToday => "Accepted (Today)",
            Metric::AvgSpeedOfAnswerToday => "Avg. Speed of Answer (Today)",
            Metric::AvgHandleTimeToday => "Avg. Handle Time (Today)",
            Metric::MissedInvitations30Min => "Missed Invitations (30 min)",
            Metric::MissedInvitationsToday => "Missed Invitations (Today)",
            Metric::Sla30Min => "SLA (30 min)",
            Metric::SlaToday => "SLA (Today)",
            Metric::LongestAvailableAgentNow => "Longest Available Agent (Now)",
            Metric::LongestNow => "Longest (Now)",
        }
    }

    pub fn from_id(id: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|metric| metric.id() == id)
    }

    /// What the metric measures for one queue and channel, with its unit: our reading of
    /// Flex's real-time queues view (Twilio does not document the units of thresholds).
    pub fn description(self) -> &'static str {
        match self {
            Metric::ActiveNow => {
                "Tasks agents are handling now (assigned or in wrap-up). Unit: tasks."
            }
            Metric::WaitingNow => "Tasks waiting in the queue for an agent now. Unit: tasks.",
            Metric::AvailableAgentsNow => {
                "Agents of the queue whose activity is available now. Unit: agents."
            }
            Metric::OfflineAgentsNow => "Agents of the queue who are offline now. Unit: agents.",
            Metric::UnavailableAgentsNow => {
                "Agents of the queue who are online but not available now (break, lunch, ...). Unit: agents."
            }
            Metric::Abandoned30Min => {
                "Tasks the customer left while waiting, in the last 30 minutes. Unit: tasks."
            }
            Metric::AbandonedToday => {
                "Tasks the customer left while waiting, since midnight. Unit: tasks."
            }
            Metric::Accepted30Min => {
                "Tasks an agent accepted, in the last 30 minutes. Unit: tasks."
            }
            Metric::AcceptedToday => "Tasks an agent accepted, since midnight. Unit: tasks.",
            Metric::AvgSpeedOfAnswerToday => {
                "Average time a task waited before an agent accepted it, since midnight. Unit: seconds."
            }
            Metric::AvgHandleTimeToday => {
                "Average time agents spent on a task, talk and wrap-up, since midnight. Unit: seconds."
            }
            Metric::MissedInvitations30Min => {
                "Task offers agents rejected or let time out, in the last 30 minutes. Unit: offers."
            }
            Metric::MissedInvitationsToday => {
                "Task offers agents rejected or let time out, since midnight. Unit: offers."
            }
            Metric::Sla30Min => {
                "Share of tasks answered within the queue's service level, in the last 30 minutes. Unit: percent, 0 to 100."
            }
            Metric::SlaToday => {
                "Share of tasks answered within the queue's service level, since midnight. Unit: percent, 0 to 100."
            }
            Metric::LongestAvailableAgentNow => {
                "How long the agent available longest has waited for a task, now. Unit: seconds."
            }
            Metric::LongestNow => {
                "How long the task waiting longest in the queue has waited, now. Unit: seconds."
            }
        }
    }

    /// The agent-activity metrics: counted per queue, with no task channel.
    pub fn is_agent_activity(self) -> bool {
        matches!(
            self,
            Metric::AvailableAgentsNow
                | Metric::OfflineAgentsNow
                | Metric::UnavailableAgentsNow
                | Metric::LongestAvailableAgentNow
        )
    }

    /// SLA metrics are percentages: their thresholds lie between 0 and 100.
    pub fn is_percentage(self) -> bool {
        matches!(self, Metric::Sla30Min | Metric::SlaToday)
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// A task channel: unique name or `TC...` SID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChannelRef(pub String);

/// A task queue: friendly name or `WQ...` SID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct QueueRef(pub String);

/// A Flex user: username, email address or `FU...` SID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserRef(pub String);

/// The schema of a reference that is either a name or a SID with a known prefix.
fn name_or_sid(description: &str, prefix: &str, examples: [&str; 2]) -> Schema {
    json_schema!({
        "description": description,
        "type": "string",
        "anyOf": [
            {
                "title": format!("{prefix} SID"),
                "pattern": format!("^{prefix}[0-9a-fA-F]{{32}}$")
            },
            {
                "title": "name",
                "minLength": 1,
                "pattern": r"^\S(.*\S)?$",
                "not": { "pattern": format!("^{prefix}[0-9a-fA-F]{{8,}}$") }
            }
        ],
        "examples": examples
    })
}

impl JsonSchema for ChannelRef {
    fn schema_name() -> Cow<'static, str> {
        "ChannelRef".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        name_or_sid(
            "A TaskChannel unique name (`voice`, `sms`, `chat`, `email`) or a `TC...` SID.",
            "TC",
            ["voice", "TC0123456789abcdef0123456789abcdef"],
        )
    }
}

impl JsonSchema for QueueRef {
    fn schema_name() -> Cow<'static, str> {
        "QueueRef".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        name_or_sid(
            "A TaskQueue friendly name or a `WQ...` SID.",
            "WQ",
            ["Support", "WQ0123456789abcdef0123456789abcdef"],
        )
    }
}

impl JsonSchema for UserRef {
    fn schema_name() -> Cow<'static, str> {
        "UserRef".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        name_or_sid(
            "A Flex user: username, email address or `FU...` SID.",
            "FU",
            ["jane.doe", "FU0123456789abcdef0123456789abcdef"],
        )
    }
}

/// Warning and critical thresholds; at least one. Both compare in the same direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("minProperties" = 1))]
pub struct Thresholds {
    /// The lower level: the metric is highlighted as a warning past this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<Threshold>,
    /// The higher level: the metric is highlighted as critical past this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<Threshold>,
}

/// One threshold: exactly one of `above` (Flex "Greater Than") or `below` (Flex "Lesser Than").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [{"required": ["above"]}, {"required": ["below"]}]))]
pub struct Threshold {
    /// Fires when the metric is greater than this value (Flex `Greater Than`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 2_147_483_647), example = 60)]
    pub above: Option<u32>,
    /// Fires when the metric is less than this value (Flex `Lesser Than`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 2_147_483_647), example = 2)]
    pub below: Option<u32>,
}

/// Who is told when the alert fires, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    /// `false` keeps these settings but sends nothing. Default `true`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// The lowest level that notifies: `warning` (warning and critical) or `critical`.
    /// Default: `warning` when the alert has a warning threshold, else `critical`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// How long the alert must last before anyone is told: `0s` to `15m`, in seconds and/or
    /// minutes (`0s`, `90s`, `5m`, `1m30s`). Default `0s`: instantly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+m([0-9]+s)?|[0-9]+s)$"), example = &"5m")]
    pub after: Option<String>,
    /// Flex users to notify: usernames, email addresses or `FU...` SIDs; at most 10.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 10), extend("uniqueItems" = true))]
    pub users: Vec<UserRef>,
    /// Notify the users in their Flex inbox. Default `true` when users are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbox: Option<bool>,
    /// Show the users a pop-up in Flex (shown for 8 seconds). Default `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub popup: bool,
    /// Send the users a browser push notification. Default `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub browser_push: bool,
    /// A Slack or custom webhook that receives the alert. At most one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Webhook>,
    /// Email addresses to notify; at most 10. Flex does not verify them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        length(max = 10),
        extend("uniqueItems" = true),
        inner(regex(pattern = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"))
    )]
    pub emails: Vec<String>,
}

/// A notification level.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Critical,
}

/// A webhook that receives the alert as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// `slack` for a Slack incoming webhook, `custom` for any other endpoint.
    #[serde(rename = "type")]
    pub kind: WebhookKind,
    /// The webhook URL: https (http only for localhost). A secret: write `${VARIABLE}` to read
    /// it from the environment instead of committing it.
    #[schemars(length(min = 1), example = &"${SLACK_SUPPORT_WEBHOOK}")]
    pub url: String,
}

/// The kind of webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookKind {
    Slack,
    Custom,
}

fn yes() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn example_file() -> serde_json::Value {
    serde_json::json!({
        "version": 1,
        "alerts": [{
            "name": "Support voice - longest wait",
            "metric": "Longest (Now)",
            "channel": "voice",
            "queues": ["Support"],
            "thresholds": {"warning": {"above": 60}, "critical": {"above": 180}},
            "notify": {"severity": "critical", "after": "1m", "users": ["jane.doe"], "popup": true}
        }]
    })
}
