//! Live rules fired: which notifications the alert rules of a live account send on metric
//! samples, with the same engine as `test` and `backtest`, as the webhook payloads Twilio
//! sends (`flex::webhook`). The emulator delivers them (`emulator --metrics`, the synthetic
//! day, `POST /__admin/fire`); it is lent this function because it imports only Flex's facts.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::engine::{self, Sample, State as NotificationState};
use super::rule::from_spec;
use crate::common::secret::hash_text;
use crate::common::time::format_rfc3339;
use crate::config::model::Severity;
use crate::flex::Metric;
use crate::flex::sid::CROCKFORD;
use crate::flex::webhook::{AlertPayload, Notification, metric_name, pipeline_key};
use crate::flex::wire::{NotificationConfig, Rule, TaskChannel, TaskQueue};
use crate::plan::alert::AlertSpec;

/// A live account as its rules see it.
#[derive(Debug, Clone, Copy)]
pub struct LiveAccount<'a> {
    pub account_sid: &'a str,
    pub rules: &'a [Rule],
    pub configs: &'a [NotificationConfig],
    pub queues: &'a [TaskQueue],
    pub channels: &'a [TaskChannel],
}

/// One series a rule reads: its queue and channel, by SID and by name, and the metric.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    pub queue_sid: &'a str,
    pub queue_name: &'a str,
    /// `None` for the agent-activity metrics.
    pub channel_sid: Option<&'a str>,
    pub channel_name: Option<&'a str>,
    pub metric: Metric,
}

/// Every notification the live rules send over `[from, to)`, in time order, with `samples`
/// giving each series' values. Rules that notify no webhook, or that flex-alerts cannot
/// read, send nothing.
pub fn firings(
    live: LiveAccount<'_>,
    samples: &dyn Fn(&Series<'_>) -> Vec<Sample>,
    (from, to): (i64, i64),
) -> Vec<Notification> {
    let configs: BTreeMap<_, _> = live
        .configs
        .iter()
        .map(|config| (config.ttid.clone(), config.clone()))
        .collect();
    let mut firings = Vec::new();
    for rule in live.rules {
        let Ok(spec) = AlertSpec::from_live(rule, &configs) else {
            continue;
        };
        let urls = webhook_urls(rule.notify_methods_id.as_deref(), &configs);
        let Some(metric) = Metric::from_id(&spec.metric) else {
            continue;
        };
        if urls.is_empty() {
            continue;
        }
        let engine_rule = from_spec(&spec);
        let channel = spec
            .channel
            .as_ref()
            .filter(|_| !metric.is_agent_activity())
            .and_then(|sid| live.channels.iter().find(|c| &c.sid == sid));
        for queue_sid in &spec.queues {
            let queue = live.queues.iter().find(|q| &q.sid == queue_sid);
            let queue_name = queue
                .and_then(|q| q.friendly_name.clone())
                .unwrap_or_default();
            let channel_name = channel.and_then(|c| c.unique_name.clone());
            let series = Series {
                queue_sid,
                queue_name: &queue_name,
                channel_sid: channel.map(|c| c.sid.as_str()),
                channel_name: channel_name.as_deref(),
                metric,
            };
            let samples: Vec<Sample> = samples(&series)
                .into_iter()
                .filter(|s| s.at >= from && s.at < to)
                .collect();
            let evaluation = engine::evaluate(&engine_rule, &samples, to);
            let mut alert_id = String::new();
            for notification in &evaluation.notifications {
                // One alert id from the first notification of an episode to its resolution.
                if alert_id.is_empty() {
                    alert_id = format!(
                        "{}:{}:{}",
                        &format_rfc3339(notification.at)[..10],
                        live.account_sid,
                        ulid_like(&format!("{}/{queue_sid}/{}", rule.sid(), notification.at))
                    );
                }
                let value = samples
                    .iter()
                    .take_while(|s| s.at <= notification.at)
                    .last()
                    .map_or(0.0, |s| s.value);
                let threshold = match notification.state {
                    NotificationState::Critical => spec.critical,
                    NotificationState::Warning => spec.warning,
                    NotificationState::Resolved => match spec.notify.as_ref().map(|n| n.severity) {
                        Some(Severity::Warning) => spec.warning,
                        _ => spec.critical,
                    },
                };
                firings.push(Notification {
                    at: notification.at,
                    urls: urls.clone(),
                    payload: AlertPayload {
                        account_sid: live.account_sid.to_owned(),
                        state: notification.state.as_str().to_uppercase(),
                        alert_id: alert_id.clone(),
                        queue_sid: queue_sid.clone(),
                        channel_sid: channel.map(|c| c.sid.clone()).unwrap_or_default(),
                        queue_name: queue_name.clone(),
                        task_channel_name: channel_name.clone().unwrap_or_default(),
                        pipeline_key: pipeline_key(metric).to_owned(),
                        created_at: format_rfc3339(notification.at),
                        threshold_value: threshold.map(|t| t.value.to_string()).unwrap_or_default(),
                        metric_value: number(value),
                        metric_name: metric_name(metric).to_owned(),
                    },
                });
                if notification.state == NotificationState::Resolved {
                    alert_id.clear();
                }
            }
        }
    }
    firings.sort_by_key(|firing| firing.at);
    firings
}

/// The enabled webhook URLs of a rule's notification configuration.
fn webhook_urls(ttid: Option<&str>, configs: &BTreeMap<String, NotificationConfig>) -> Vec<String> {
    let Some(webhooks) = ttid
        .and_then(|ttid| configs.get(ttid))
        .and_then(|config| config.destinations.webhooks.as_ref())
    else {
        return Vec::new();
    };
    if webhooks.defaults.as_ref().and_then(|d| d.enabled) == Some(false) {
        return Vec::new();
    }
    webhooks
        .endpoints
        .iter()
        .filter(|endpoint| endpoint.enabled != Some(false))
        .map(|endpoint| endpoint.url.clone())
        .collect()
}

/// A whole number without its `.0`.
fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// 26 Crockford base-32 characters from a key, shaped like the ULID of Twilio's `alertId`.
fn ulid_like(key: &str) -> String {
    let digest = hash_text(key);
    let mut out = String::new();
    for byte in digest.bytes().cycle().take(26) {
        let _ = write!(out, "{}", CROCKFORD[usize::from(byte) % 32] as char);
    }
    out
}
