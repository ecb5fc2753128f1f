//! Twilio's JSON, exactly as the Flex Alerts fact sheet spells it: rules, thresholds,
//! notification configurations, list envelopes, directory items and the error body.
//!
//! Shared by the HTTP client and the emulator so both speak the same keys; no behaviour here.

use serde::{Deserialize, Serialize};

/// An alert rule as Flex returns it (`/v1/Instances/{sid}/InsightsRules/{sid}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub account_sid: String,
    pub instance_sid: String,
    pub sid: String,
    pub rule_friendly_name: String,
    pub metric_id: String,
    pub task_channel_sid: String,
    pub task_queue_sids: Vec<String>,
    pub active: bool,
    pub rule_thresholds: Vec<RuleThreshold>,
    pub date_created: String,
    pub date_updated: String,
    pub notify_enabled: bool,
    #[serde(default)]
    pub notify_severity: Option<String>,
    #[serde(default)]
    pub notify_duration: Option<u64>,
    #[serde(default)]
    pub notify_methods_id: Option<String>,
    pub url: String,
}

/// The body of a rule create or update (both require every key but the notify extras).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleBody {
    pub rule_friendly_name: String,
    pub metric_id: String,
    pub task_channel_sid: String,
    pub task_queue_sids: Vec<String>,
    pub active: bool,
    pub rule_thresholds: Vec<RuleThreshold>,
    pub notify_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notify_severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notify_duration: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notify_methods_id: Option<String>,
}

impl Rule {
    /// The writable part of a live rule, as an update would send it.
    pub fn body(&self) -> RuleBody {
        RuleBody {
            rule_friendly_name: self.rule_friendly_name.clone(),
            metric_id: self.metric_id.clone(),
            task_channel_sid: self.task_channel_sid.clone(),
            task_queue_sids: self.task_queue_sids.clone(),
            active: self.active,
            rule_thresholds: self.rule_thresholds.clone(),
            notify_enabled: self.notify_enabled,
            notify_severity: self.notify_severity.clone(),
            notify_duration: self.notify_duration,
            notify_methods_id: self.notify_methods_id.clone(),
        }
    }
}

/// `rule_thresholds[]`: `Warning`/`Critical`, `Greater Than`/`Lesser Than`, an integer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleThreshold {
    pub threshold_type: String,
    pub threshold_operator: String,
    pub threshold_value: i64,
}

pub const WARNING: &str = "Warning";
pub const CRITICAL: &str = "Critical";
pub const GREATER_THAN: &str = "Greater Than";
pub const LESSER_THAN: &str = "Lesser Than";

/// A notification configuration as Flex returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationConfig {
    pub ttid: String,
    pub instance_sid: String,
    pub destinations: Destinations,
}

/// `destinations`: who hears about an alert and how.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Destinations {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<Subscriptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhooks: Option<Webhooks>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails: Option<Emails>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Subscriptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<SubscriptionDefaults>,
    #[serde(default)]
    pub recipients: Vec<Recipient>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubscriptionDefaults {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_type: Option<Vec<String>>,
}

/// `subscriptions.recipients[]`: Flex users and the ways they are told.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Recipient {
    pub user_sids: Vec<String>,
    pub notification_type: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Webhooks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Enabled>,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Enabled {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// `webhooks.endpoints[]`: `slack` or `custom`, and the URL (a secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Emails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Enabled>,
    #[serde(default)]
    pub email_recipients: Vec<EmailRecipient>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailRecipient {
    pub email_address: String,
}

/// `meta` of a list page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListMeta {
    pub page: u64,
    pub page_size: u64,
    pub first_page_url: String,
    pub previous_page_url: Option<String>,
    pub url: String,
    pub next_page_url: Option<String>,
    pub key: String,
}

/// A TaskRouter TaskQueue (only the keys the directory needs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskQueue {
    pub sid: String,
    pub friendly_name: String,
}

/// A TaskRouter TaskChannel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskChannel {
    pub sid: String,
    pub unique_name: String,
    pub friendly_name: String,
}

/// A Flex user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlexUser {
    pub flex_user_sid: String,
    pub username: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub deactivated: bool,
}

/// Twilio's error body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub message: String,
    #[serde(default)]
    pub more_info: Option<String>,
    pub status: u16,
}
