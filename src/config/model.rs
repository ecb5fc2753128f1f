//! The YAML format, version 1, as Rust types: what a file may say, exactly as users write it.
//!
//! These types are the single source of the JSON Schema (doc comments become descriptions) and
//! are what a file deserialises into once the schema accepts it. Defaults and cross-field rules
//! live in `rules.rs`; this module only describes the shape.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use crate::flex::Metric;
use crate::flex::limits::{MAX_EMAILS, MAX_QUEUES, MAX_USERS};

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
    /// Live alerts flex-alerts stops managing and leaves in Flex, by name: never changed,
    /// never deleted (not even with prune). A forgotten name may not be declared as an alert.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("uniqueItems" = true), inner(length(min = 1)), example = &["Old billing alert"])]
    pub forget: Vec<String>,
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

/// What a protection refuses: deleting an alert (a prune, a removal from the files) or
/// replacing it (a metric change deletes it and creates it again).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProtectKind {
    Delete,
    Replace,
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
    #[schemars(length(min = 1, max = MAX_QUEUES), extend("uniqueItems" = true))]
    pub queues: Vec<QueueRef>,
    /// Whether the alert is evaluated. Default `true`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// When the metric is highlighted: a `warning` threshold, a `critical` one, or both.
    pub thresholds: Thresholds,
    /// Who is told when the alert fires, and how. Omitted: notifications off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Notify>,
    /// `true`: a plan that would delete this alert or replace it (a metric change) fails,
    /// unless `--allow-protected NAME` is given. Remembered by the last apply, so removing
    /// the alert from the files does not lift it. Default `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub protect: bool,
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
    #[schemars(length(max = MAX_USERS), extend("uniqueItems" = true))]
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
        length(max = MAX_EMAILS),
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
