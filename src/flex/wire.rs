//! Twilio's JSON, exactly as the Flex Alerts fact sheet spells it: rules, thresholds,
//! notification configurations, list envelopes, directory items and the error body.
//!
//! Shared by the HTTP client and the emulator so both speak the same keys; no behaviour here.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An alert rule as Flex returns it (`/v1/Instances/{sid}/InsightsRules/{sid}`).
///
/// Twilio's response schema lets almost every key be null (`rule_thresholds` is "any or
/// null"), and rules made in Console use that: an agent-activity alert has no channel. So every
/// key is optional here, and what flex-alerts cannot represent is decided later, per rule
/// (`plan::alert::AlertSpec::from_live`), never by failing the whole list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Rule {
    #[serde(default)]
    pub account_sid: Option<String>,
    #[serde(default)]
    pub instance_sid: Option<String>,
    #[serde(default)]
    pub sid: Option<String>,
    #[serde(default)]
    pub rule_friendly_name: Option<String>,
    #[serde(default)]
    pub metric_id: Option<String>,
    #[serde(default)]
    pub task_channel_sid: Option<String>,
    #[serde(default)]
    pub task_queue_sids: Option<Vec<String>>,
    #[serde(default)]
    pub active: Option<bool>,
    /// Documented as "any or null"; an array of thresholds in practice.
    #[serde(default)]
    pub rule_thresholds: Option<Value>,
    #[serde(default)]
    pub date_created: Option<String>,
    #[serde(default)]
    pub date_updated: Option<String>,
    #[serde(default)]
    pub notify_enabled: Option<bool>,
    #[serde(default)]
    pub notify_severity: Option<String>,
    #[serde(default)]
    pub notify_duration: Option<u64>,
    #[serde(default)]
    pub notify_methods_id: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// Why the object Flex listed could not be read as a rule at all (a key of a type the
    /// documentation does not allow); only its SID and name were kept. Never sent or stored.
    #[serde(skip)]
    pub unreadable: Option<String>,
}

impl Rule {
    /// A listed object read as leniently as the documentation allows: when it does not fit
    /// even that, a rule that keeps its SID and name and says why.
    pub fn from_listed(value: Value) -> Rule {
        match serde_json::from_value::<Rule>(value.clone()) {
            Ok(rule) => rule,
            Err(error) => {
                let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
                Rule {
                    sid: text("sid"),
                    rule_friendly_name: text("rule_friendly_name"),
                    metric_id: text("metric_id"),
                    unreadable: Some(error.to_string()),
                    ..Rule::default()
                }
            }
        }
    }

    /// The SID, or empty for a rule without one (which nothing can address).
    pub fn sid(&self) -> &str {
        self.sid.as_deref().unwrap_or_default()
    }

    /// The name, or empty for a rule without one.
    pub fn name(&self) -> &str {
        self.rule_friendly_name.as_deref().unwrap_or_default()
    }

    /// The writable part of a live rule, as an update would send it; `None` when it lacks a
    /// name or metric or its thresholds are not the documented array.
    pub fn body(&self) -> Option<RuleBody> {
        Some(RuleBody {
            rule_friendly_name: self.rule_friendly_name.clone()?,
            metric_id: self.metric_id.clone()?,
            task_channel_sid: self.task_channel_sid.clone(),
            task_queue_sids: self.task_queue_sids.clone().unwrap_or_default(),
            active: self.active.unwrap_or(false),
            rule_thresholds: serde_json::from_value(self.rule_thresholds.clone()?).ok()?,
            notify_enabled: self.notify_enabled.unwrap_or(false),
            notify_severity: self.notify_severity.clone(),
            notify_duration: self.notify_duration,
            notify_methods_id: self.notify_methods_id.clone(),
        })
    }
}

/// Reads `null` as the type's default (an empty list), for keys Twilio documents as required
/// but Console-made objects leave null.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// The body of a rule create or update (both require every key but the notify extras; the
/// channel is left out only for an alert that has none).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleBody {
    pub rule_friendly_name: String,
    pub metric_id: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub task_channel_sid: Option<String>,
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
    #[serde(default, deserialize_with = "null_as_default")]
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
    #[serde(default, deserialize_with = "null_as_default")]
    pub user_sids: Vec<String>,
    /// Overrides the defaults' types; absent, the defaults hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_type: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Webhooks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Enabled>,
    #[serde(default, deserialize_with = "null_as_default")]
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
    #[serde(default, deserialize_with = "null_as_default")]
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

/// A TaskRouter TaskQueue (only the keys the directory needs; the name is nullable in
/// Twilio's OpenAPI, and such a queue can only be named by its SID).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskQueue {
    pub sid: String,
    #[serde(default)]
    pub friendly_name: Option<String>,
}

/// A TaskRouter TaskChannel (both names nullable in Twilio's OpenAPI).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskChannel {
    pub sid: String,
    #[serde(default)]
    pub unique_name: Option<String>,
    #[serde(default)]
    pub friendly_name: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_listed_rule_of_an_undocumented_shape_keeps_its_sid_and_name_and_says_why() {
        let rule = Rule::from_listed(json!({
            "sid": "QY1", "rule_friendly_name": "Odd", "active": "yes", "task_queue_sids": [null]
        }));
        assert_eq!((rule.sid(), rule.name()), ("QY1", "Odd"));
        assert!(
            rule.unreadable
                .as_deref()
                .is_some_and(|why| why.contains("invalid type")),
            "{rule:?}"
        );
        let documented =
            Rule::from_listed(json!({"sid": null, "active": null, "rule_thresholds": "x"}));
        assert_eq!(documented.unreadable, None, "null and `any` are documented");
    }

    #[test]
    fn nullable_configuration_lists_read_as_empty() {
        let destinations: Destinations = serde_json::from_value(json!({
            "subscriptions": {"recipients": [{"user_sids": ["FU1"]}]},
            "webhooks": {"endpoints": null},
            "emails": {"email_recipients": null}
        }))
        .unwrap();
        let recipients = &destinations.subscriptions.unwrap().recipients;
        assert_eq!(recipients[0].notification_type, None);
        assert!(destinations.webhooks.unwrap().endpoints.is_empty());
        assert!(destinations.emails.unwrap().email_recipients.is_empty());
    }
}
