//! An alert as people read it: names instead of SIDs (where the directory knows them), the
//! delay as `5m`, the webhook masked with its hash. It is the `before` / `after` of the JSON
//! plan, the source of field-level changes, and the YAML of diffs and `export`.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::alert::{AlertSpec, Threshold};
use crate::config::desired::{Direction, Severity};
use crate::config::rules::format_delay;
use crate::store::Directory;

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertView {
    pub name: String,
    pub metric: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    pub queues: Vec<String>,
    pub active: bool,
    pub thresholds: ThresholdsView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<NotifyView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<LimitView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critical: Option<LimitView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub above: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyView {
    pub enabled: bool,
    pub severity: String,
    pub after: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    pub inbox: bool,
    pub popup: bool,
    pub browser_push: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<WebhookView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// The rule names a notification configuration that Flex does not have.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub configuration_missing: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookView {
    #[serde(rename = "type")]
    pub kind: String,
    /// Masked: `https://hooks.slack.com/***`.
    pub url: String,
    pub url_hash: String,
}

fn limit(threshold: Option<Threshold>) -> Option<LimitView> {
    threshold.map(|threshold| match threshold.direction {
        Direction::Above => LimitView {
            above: Some(threshold.value),
            below: None,
        },
        Direction::Below => LimitView {
            above: None,
            below: Some(threshold.value),
        },
    })
}

/// `5m`, `1m30s`; milliseconds that are not whole seconds as `90.5s`.
pub fn format_after(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format_delay(u32::try_from(ms / 1000).unwrap_or(u32::MAX))
    } else {
        format!("{}s", ms as f64 / 1000.0)
    }
}

impl AlertView {
    pub fn new(spec: &AlertSpec, directory: &Directory) -> AlertView {
        let name_or_sid = |name: Option<&str>, sid: &str| name.unwrap_or(sid).to_owned();
        let mut queues: Vec<String> = spec
            .queues
            .iter()
            .map(|sid| name_or_sid(directory.queue_name(sid), sid))
            .collect();
        queues.sort();
        AlertView {
            name: spec.name.clone(),
            metric: spec.metric.clone(),
            channel: spec
                .channel
                .as_ref()
                .map(|sid| name_or_sid(directory.channel_name(sid), sid)),
            queues,
            active: spec.active,
            thresholds: ThresholdsView {
                warning: limit(spec.warning),
                critical: limit(spec.critical),
            },
            notify: spec.notify.as_ref().map(|notify| {
                let mut users: Vec<String> = notify
                    .users
                    .iter()
                    .map(|sid| name_or_sid(directory.user_name(sid), sid))
                    .collect();
                users.sort();
                NotifyView {
                    enabled: notify.enabled,
                    severity: match notify.severity {
                        Severity::Warning => "warning",
                        Severity::Critical => "critical",
                    }
                    .to_owned(),
                    after: format_after(notify.after_ms),
                    users,
                    inbox: notify.inbox,
                    popup: notify.popup,
                    browser_push: notify.browser_push,
                    webhook: notify.webhook.as_ref().map(|webhook| WebhookView {
                        kind: webhook.kind.clone(),
                        url: webhook.url_masked.clone(),
                        url_hash: webhook.url_hash.clone(),
                    }),
                    emails: notify.emails.clone(),
                    configuration_missing: notify.config_missing,
                }
            }),
        }
    }

    /// Every leaf as (`notify.after`, `5m`), for field-level changes.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        let value = serde_json::to_value(self).expect("views serialize");
        flatten("", &value, &mut fields);
        fields
    }
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() && !is_limit(map) && !is_webhook(map) => {
            for (key, value) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, value, out);
            }
        }
        _ => out.push((prefix.to_owned(), display(value))),
    }
}

fn is_limit(map: &serde_json::Map<String, Value>) -> bool {
    map.len() == 1 && (map.contains_key("above") || map.contains_key("below"))
}

fn is_webhook(map: &serde_json::Map<String, Value>) -> bool {
    map.contains_key("url_hash")
}

/// A leaf value as it reads in a plan line.
fn display(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(display).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) if map.contains_key("url_hash") => format!(
            "{} {} ({})",
            display(&map["type"]),
            display(&map["url"]),
            display(&map["url_hash"])
        ),
        Value::Object(map) => map
            .iter()
            .map(|(key, value)| format!("{key} {}", display(value)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Field-level differences between two views, as (field, before, after); absent reads `-`.
pub fn changes(before: &AlertView, after: &AlertView) -> Vec<(String, String, String)> {
    let before = before.fields();
    let after = after.fields();
    let mut keys: Vec<&String> = before.iter().chain(&after).map(|(key, _)| key).collect();
    let order = |key: &String| {
        after
            .iter()
            .chain(&before)
            .position(|(known, _)| known == key)
    };
    keys.sort_by_key(|key| order(key));
    keys.dedup();
    let lookup = |fields: &[(String, String)], key: &str| {
        fields
            .iter()
            .find(|(known, _)| known == key)
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| "-".to_owned())
    };
    keys.into_iter()
        .filter_map(|key| {
            let (old, new) = (lookup(&before, key), lookup(&after, key));
            (old != new).then(|| (key.clone(), old, new))
        })
        .collect()
}
