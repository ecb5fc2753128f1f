//! One alert in the normal form both sides are compared in: SIDs instead of names, queues,
//! users and emails as sorted sets, defaults filled, the delay in milliseconds, the webhook
//! URL compared by hash. Built from the YAML side (after name resolution) and from the live
//! side (a rule and its notification configuration), and turned back into Flex's bodies.

use std::collections::BTreeMap;

use crate::common::secret::Secret;
use crate::config::desired::{Direction, Severity};
use crate::flex::Metric;
use crate::flex::limits::{MAX_NOTIFY_DURATION_MS as MAX_AFTER_MS, MAX_QUEUES};
use crate::flex::wire::{
    self, Destinations, EmailRecipient, Emails, Endpoint, NotificationConfig, Recipient, Rule,
    RuleBody, RuleThreshold, Subscriptions, Webhooks,
};

#[derive(Debug, Clone, PartialEq)]
pub struct AlertSpec {
    pub name: String,
    /// The exact `metric_id`.
    pub metric: String,
    /// `TC...`; `None` for an agent-activity alert without one.
    pub channel: Option<String>,
    /// `WQ...`, sorted.
    pub queues: Vec<String>,
    pub active: bool,
    pub warning: Option<Threshold>,
    pub critical: Option<Threshold>,
    pub notify: Option<NotifySpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    pub direction: Direction,
    pub value: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NotifySpec {
    pub enabled: bool,
    pub severity: Severity,
    pub after_ms: u64,
    /// `FU...`, sorted; empty when no in-Flex notification type is on.
    pub users: Vec<String>,
    pub inbox: bool,
    pub popup: bool,
    pub browser_push: bool,
    pub webhook: Option<WebhookSpec>,
    /// Sorted.
    pub emails: Vec<String>,
    /// The rule names a notification configuration that does not exist.
    pub config_missing: bool,
}

/// A webhook, equal to another when the kind and the URL's hash are.
#[derive(Debug, Clone)]
pub struct WebhookSpec {
    /// `slack` or `custom`.
    pub kind: String,
    pub url_hash: String,
    pub url_masked: String,
    /// The URL itself; only on the side that must send it.
    pub url: Option<Secret>,
}

impl PartialEq for WebhookSpec {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.url_hash == other.url_hash
    }
}

impl WebhookSpec {
    pub fn new(kind: &str, url: Secret, keep: bool) -> WebhookSpec {
        WebhookSpec {
            kind: kind.to_owned(),
            url_hash: url.hash(),
            url_masked: url.masked(),
            url: keep.then_some(url),
        }
    }
}

/// The severity that notifies when none is given: the lowest level the alert has.
pub fn default_severity(warning: Option<Threshold>) -> Severity {
    if warning.is_some() {
        Severity::Warning
    } else {
        Severity::Critical
    }
}

impl NotifySpec {
    /// Users only count when some in-Flex notification type is on, on both sides alike.
    pub fn normalize(mut self) -> NotifySpec {
        self.users.sort();
        self.users.dedup();
        self.emails.sort();
        self.emails.dedup();
        if !(self.inbox || self.popup || self.browser_push) || self.users.is_empty() {
            self.users.clear();
            self.inbox = false;
            self.popup = false;
            self.browser_push = false;
        }
        self
    }

    fn notification_types(&self) -> Vec<String> {
        [
            (self.inbox, "in_app"),
            (self.popup, "toast"),
            (self.browser_push, "browser_push"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, kind)| kind.to_owned())
        .collect()
    }

    /// The configuration's `destinations`. Needs the webhook URL when there is a webhook.
    pub fn destinations(&self) -> Destinations {
        Destinations {
            subscriptions: (!self.users.is_empty()).then(|| Subscriptions {
                defaults: None,
                recipients: vec![Recipient {
                    user_sids: self.users.clone(),
                    notification_type: Some(self.notification_types()),
                    archive: None,
                    enabled: None,
                }],
            }),
            webhooks: self.webhook.as_ref().map(|webhook| Webhooks {
                defaults: None,
                endpoints: vec![Endpoint {
                    kind: webhook.kind.clone(),
                    url: webhook
                        .url
                        .as_ref()
                        .map(|url| url.expose().to_owned())
                        .unwrap_or_default(),
                    enabled: None,
                }],
            }),
            emails: (!self.emails.is_empty()).then(|| Emails {
                defaults: None,
                email_recipients: self
                    .emails
                    .iter()
                    .map(|address| EmailRecipient {
                        email_address: address.clone(),
                    })
                    .collect(),
            }),
        }
    }

    /// Whether the configuration (not the rule) differs.
    pub fn delivery_differs(&self, other: &NotifySpec) -> bool {
        (
            &self.users,
            self.inbox,
            self.popup,
            self.browser_push,
            &self.webhook,
            &self.emails,
            self.config_missing,
        ) != (
            &other.users,
            other.inbox,
            other.popup,
            other.browser_push,
            &other.webhook,
            &other.emails,
            other.config_missing,
        )
    }
}

impl AlertSpec {
    /// A live rule and, when it names one that exists, its notification configuration; or
    /// why YAML v1 cannot represent it (then flex-alerts keeps it and leaves it alone).
    ///
    /// Keys Twilio documents as nullable read as their defaults: `active` and
    /// `notify_enabled` null as false (Flex acts only on true). Notifications that are off
    /// and name no configuration, or one that no longer exists, read as no notifications.
    pub fn from_live(
        rule: &Rule,
        configs: &BTreeMap<String, NotificationConfig>,
    ) -> Result<AlertSpec, String> {
        if let Some(reason) = &rule.unreadable {
            return Err(format!(
                "Flex listed it in a shape its API does not document ({reason})"
            ));
        }
        if rule.sid().is_empty() {
            return Err("it has no SID, so no request can address it".to_owned());
        }
        let name = rule.name();
        if name.trim().is_empty() {
            return Err("it has no name".to_owned());
        }
        if name.trim() != name {
            return Err(
                "its name starts or ends with a space, which YAML v1 does not allow".to_owned(),
            );
        }
        let metric = rule.metric_id.as_deref().unwrap_or_default();
        if Metric::from_id(metric).is_none() {
            return Err(format!(
                "its metric `{metric}` is not one of the 17 Flex metrics flex-alerts knows"
            ));
        }
        let (warning, critical) = read_thresholds(rule.rule_thresholds.as_ref())?;
        let mut queues = rule.task_queue_sids.clone().unwrap_or_default();
        queues.sort();
        queues.dedup();
        if queues.is_empty() || queues.len() > MAX_QUEUES {
            return Err(format!(
                "it watches {} queues; YAML v1 holds 1 to {MAX_QUEUES}",
                queues.len()
            ));
        }
        let notify_enabled = rule.notify_enabled.unwrap_or(false);
        let config = rule
            .notify_methods_id
            .as_ref()
            .map(|ttid| configs.get(ttid));
        let notify = match config {
            None | Some(None) if !notify_enabled => None,
            config => {
                let severity = match rule.notify_severity.as_deref() {
                    Some(wire::WARNING) => Severity::Warning,
                    Some(wire::CRITICAL) => Severity::Critical,
                    None => default_severity(warning),
                    Some(other) => {
                        return Err(format!("its notify severity `{other}` is unknown"));
                    }
                };
                let missing_threshold = match severity {
                    Severity::Warning => warning.is_none(),
                    Severity::Critical => critical.is_none(),
                };
                if missing_threshold {
                    return Err(
                        "it notifies at a level it has no threshold for, which YAML v1 does not allow"
                            .to_owned(),
                    );
                }
                let after_ms = rule.notify_duration.unwrap_or(0);
                if !after_ms.is_multiple_of(1000) || after_ms > MAX_AFTER_MS {
                    return Err(format!(
                        "it notifies after {after_ms} ms; YAML v1 holds whole seconds up to 15 minutes"
                    ));
                }
                let mut notify = NotifySpec {
                    enabled: notify_enabled,
                    severity,
                    after_ms,
                    users: Vec::new(),
                    inbox: false,
                    popup: false,
                    browser_push: false,
                    webhook: None,
                    emails: Vec::new(),
                    config_missing: matches!(config, Some(None)),
                };
                if let Some(Some(config)) = config {
                    read_destinations(&config.destinations, &mut notify)?;
                }
                Some(notify.normalize())
            }
        };
        Ok(AlertSpec {
            name: name.to_owned(),
            metric: metric.to_owned(),
            channel: rule.task_channel_sid.clone(),
            queues,
            active: rule.active.unwrap_or(false),
            warning,
            critical,
            notify,
        })
    }

    /// The rule body that makes Flex hold this alert, naming configuration `ttid`.
    pub fn rule_body(&self, ttid: Option<String>) -> RuleBody {
        let threshold = |kind: &str, threshold: Option<Threshold>| {
            threshold.map(|threshold| RuleThreshold {
                threshold_type: kind.to_owned(),
                threshold_operator: match threshold.direction {
                    Direction::Above => wire::GREATER_THAN,
                    Direction::Below => wire::LESSER_THAN,
                }
                .to_owned(),
                threshold_value: threshold.value,
            })
        };
        let notify = self.notify.as_ref();
        RuleBody {
            rule_friendly_name: self.name.clone(),
            metric_id: self.metric.clone(),
            task_channel_sid: self.channel.clone(),
            task_queue_sids: self.queues.clone(),
            active: self.active,
            rule_thresholds: threshold(wire::WARNING, self.warning)
                .into_iter()
                .chain(threshold(wire::CRITICAL, self.critical))
                .collect(),
            notify_enabled: notify.is_some_and(|notify| notify.enabled),
            notify_severity: notify.map(|notify| {
                match notify.severity {
                    Severity::Warning => wire::WARNING,
                    Severity::Critical => wire::CRITICAL,
                }
                .to_owned()
            }),
            notify_duration: notify.map(|notify| notify.after_ms),
            notify_methods_id: notify.and(ttid),
        }
    }

    /// Whether the rule (not the configuration) differs.
    pub fn rule_differs(&self, other: &AlertSpec) -> bool {
        self.rule_body(None) != other.rule_body(None)
    }
}

/// The warning and critical thresholds of `rule_thresholds` ("any or null" in Twilio's
/// schema), or why YAML v1 cannot hold them.
fn read_thresholds(
    value: Option<&serde_json::Value>,
) -> Result<(Option<Threshold>, Option<Threshold>), String> {
    let unknown = || "its thresholds are not in a shape flex-alerts knows".to_owned();
    let items: Vec<RuleThreshold> = value
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|_| unknown())?
        .unwrap_or_default();
    let (mut warning, mut critical) = (None, None);
    for item in &items {
        let direction = match item.threshold_operator.as_str() {
            wire::GREATER_THAN => Direction::Above,
            wire::LESSER_THAN => Direction::Below,
            other => {
                return Err(format!(
                    "a threshold compares with `{other}`, which is unknown"
                ));
            }
        };
        if item.threshold_value < 0 || item.threshold_value > i64::from(u32::MAX) {
            return Err(format!(
                "a threshold of {} is outside what YAML v1 holds (a whole number from 0)",
                item.threshold_value
            ));
        }
        let slot = match item.threshold_type.as_str() {
            wire::WARNING => &mut warning,
            wire::CRITICAL => &mut critical,
            other => return Err(format!("a threshold has the unknown type `{other}`")),
        };
        if slot.is_some() {
            return Err(format!("it has two {} thresholds", item.threshold_type));
        }
        *slot = Some(Threshold {
            direction,
            value: item.threshold_value,
        });
    }
    match (warning, critical) {
        (None, None) => Err("it has no threshold".to_owned()),
        (Some(warning), Some(critical)) if warning.direction != critical.direction => {
            Err("its warning and critical thresholds compare in different directions".to_owned())
        }
        thresholds => Ok(thresholds),
    }
}

/// Reads who is told and how from a configuration: enabled recipients and their types (or the
/// defaults'), the first enabled webhook, the emails unless disabled.
fn read_destinations(destinations: &Destinations, notify: &mut NotifySpec) -> Result<(), String> {
    if let Some(subscriptions) = &destinations.subscriptions {
        let defaults = subscriptions.defaults.clone().unwrap_or_default();
        for recipient in &subscriptions.recipients {
            if !recipient.enabled.or(defaults.enabled).unwrap_or(true) {
                continue;
            }
            // A recipient's types override the defaults'; absent, the defaults (`in_app`) hold.
            let types = recipient
                .notification_type
                .clone()
                .or_else(|| defaults.notification_type.clone())
                .unwrap_or_else(|| vec!["in_app".to_owned()]);
            notify.inbox |= types.iter().any(|kind| kind == "in_app");
            notify.popup |= types.iter().any(|kind| kind == "toast");
            notify.browser_push |= types.iter().any(|kind| kind == "browser_push");
            notify.users.extend(recipient.user_sids.iter().cloned());
        }
    }
    if let Some(webhooks) = &destinations.webhooks {
        let default = webhooks
            .defaults
            .as_ref()
            .and_then(|defaults| defaults.enabled)
            .unwrap_or(true);
        let enabled: Vec<&Endpoint> = webhooks
            .endpoints
            .iter()
            .filter(|endpoint| endpoint.enabled.unwrap_or(default))
            .collect();
        if enabled.len() > 1 {
            return Err(format!(
                "it has {} webhooks; YAML v1 holds one",
                enabled.len()
            ));
        }
        if let Some(endpoint) = enabled.first() {
            if !["slack", "custom"].contains(&endpoint.kind.as_str()) {
                return Err(format!("its webhook type `{}` is unknown", endpoint.kind));
            }
            notify.webhook = Some(WebhookSpec::new(
                &endpoint.kind,
                Secret::new(endpoint.url.clone()),
                false,
            ));
        }
    }
    if let Some(emails) = &destinations.emails
        && emails
            .defaults
            .as_ref()
            .and_then(|defaults| defaults.enabled)
            .unwrap_or(true)
    {
        notify.emails = emails
            .email_recipients
            .iter()
            .map(|recipient| recipient.email_address.clone())
            .collect();
    }
    Ok(())
}
