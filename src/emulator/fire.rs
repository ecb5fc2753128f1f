//! The emulator fires: its live alert rules evaluated with the same engine as `test` and
//! `backtest`, on a metric history (`emulator --metrics FILE.csv`) or on the synthetic day,
//! and each notification POSTed to the rule's webhooks in Twilio's payload format (the fact
//! sheet, section 6: every value a string), so a team can try its receiver before going live.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::state::State;
use crate::common::time::format_rfc3339;
use crate::evaluate::engine::{self, Sample, State as NotificationState};
use crate::evaluate::history::History;
use crate::evaluate::rule::from_spec;
use crate::flex::Metric;
use crate::plan::alert::AlertSpec;

/// Where the metric values come from.
#[derive(Debug)]
pub enum Metrics {
    /// A history in the `backtest` format; queues and channels by name or SID.
    History(History),
    /// The synthetic day the statistics endpoints serve (of `seed`), a sample a minute.
    Synthetic { sla_seconds: u64, seed: u64 },
}

/// One notification to send: its time, the webhook URLs, and the payload.
#[derive(Debug, Clone)]
pub struct Firing {
    pub at: i64,
    pub urls: Vec<String>,
    pub payload: Value,
}

/// Every notification the live rules send over `[from, to)`, in time order. Rules that
/// notify no webhook, or that flex-alerts cannot read, send nothing.
pub fn firings(state: &State, metrics: &Metrics, (from, to): (i64, i64)) -> Vec<Firing> {
    let configs: BTreeMap<_, _> = state
        .notification_configs
        .iter()
        .map(|config| (config.ttid.clone(), config.clone()))
        .collect();
    let mut firings = Vec::new();
    for rule in &state.rules {
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
            .and_then(|sid| state.channels.iter().find(|c| &c.sid == sid));
        for queue_sid in &spec.queues {
            let queue = state.queues.iter().find(|q| &q.sid == queue_sid);
            let queue_name = queue
                .and_then(|q| q.friendly_name.clone())
                .unwrap_or_default();
            let channel_name = channel.and_then(|c| c.unique_name.clone());
            let samples = match metrics {
                Metrics::History(history) => {
                    let queues = [Some(queue_sid.as_str()), Some(queue_name.as_str())];
                    let channels = [channel.map(|c| c.sid.as_str()), channel_name.as_deref()];
                    queues
                        .iter()
                        .flatten()
                        .find_map(|queue| {
                            channels
                                .iter()
                                .find_map(|channel| history.samples(queue, *channel, metric))
                        })
                        .map(<[Sample]>::to_vec)
                        .unwrap_or_default()
                }
                Metrics::Synthetic { sla_seconds, seed } => (from.div_euclid(60)
                    ..to.div_euclid(60))
                    .filter_map(|minute| {
                        let at = minute * 60;
                        super::synthetic::metric_value(
                            (queue_sid, channel_name.as_deref()),
                            metric,
                            at,
                            (*sla_seconds, *seed),
                        )
                        .map(|value| Sample { at, value })
                    })
                    .collect(),
            };
            let samples: Vec<Sample> = samples
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
                        state.account_sid,
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
                        Some(crate::config::model::Severity::Warning) => spec.warning,
                        _ => spec.critical,
                    },
                };
                firings.push(Firing {
                    at: notification.at,
                    urls: urls.clone(),
                    payload: json!({
                        "accountSid": state.account_sid,
                        "state": notification.state.as_str().to_uppercase(),
                        "alertId": alert_id,
                        "queueSid": queue_sid,
                        "channelSid": channel.map(|c| c.sid.clone()).unwrap_or_default(),
                        "queueName": queue_name,
                        "taskChannelName": channel_name.clone().unwrap_or_default(),
                        "pipelineKey": pipeline_key(metric),
                        "createdAt": format_rfc3339(notification.at),
                        "thresholdValue": threshold.map(|t| t.value.to_string()).unwrap_or_default(),
                        "metricValue": number(value),
                        "metricName": metric.id().trim_end_matches(" (Now)"),
                    }),
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
fn webhook_urls(
    ttid: Option<&str>,
    configs: &BTreeMap<String, crate::flex::wire::NotificationConfig>,
) -> Vec<String> {
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

/// The metric's time window, as Twilio names it in the payload.
fn pipeline_key(metric: Metric) -> &'static str {
    use crate::flex::statistics::{Source, source};
    if metric.is_agent_activity() {
        return "activity_stats";
    }
    match source(metric) {
        Source::Last30Minutes => "tasks_thirty_minutes",
        Source::Today => "tasks_today",
        _ if metric == Metric::AvgHandleTimeToday => "tasks_today",
        _ => "tasks_now",
    }
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
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let digest = crate::common::secret::hash_text(key);
    let mut out = String::new();
    for byte in digest.bytes().cycle().take(26) {
        let _ = write!(out, "{}", ALPHABET[usize::from(byte) % 32] as char);
    }
    out
}

/// What delivering the firings did.
#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    /// Each payload delivered (answered 2xx), in the order sent.
    pub sent: Vec<Value>,
    /// Deliveries that failed, with the reason; webhook URLs masked (they are secrets).
    pub failed: Vec<String>,
}

/// POSTs each firing to its webhooks, one at a time in time order, 10 s at most each.
pub async fn deliver(firings: &[Firing]) -> Report {
    crate::common::tls::install_crypto_provider();
    let mut report = Report::default();
    let client = match reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            report
                .failed
                .push(format!("cannot make an HTTP client: {error}"));
            return report;
        }
    };
    for firing in firings {
        for url in &firing.urls {
            let masked = crate::common::secret::mask_url(url);
            match client.post(url).json(&firing.payload).send().await {
                Ok(answer) if answer.status().is_success() => {
                    report.sent.push(firing.payload.clone())
                }
                Ok(answer) => report
                    .failed
                    .push(format!("{masked} answered {}", answer.status())),
                Err(error) => {
                    let reason = if error.is_timeout() {
                        "no answer within 10 s"
                    } else if error.is_connect() {
                        "cannot connect"
                    } else {
                        "the request failed"
                    };
                    report.failed.push(format!("{masked}: {reason}"));
                }
            }
        }
    }
    report
}
