//! What Flex POSTs to an alert's Slack or custom webhook when it notifies (fact sheet,
//! section 6): one JSON object whose every value is a string.

use serde::{Deserialize, Serialize};

use super::Metric;
use super::statistics::{Source, source};

/// The body of one webhook notification, keys in Twilio's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertPayload {
    pub account_sid: String,
    /// `WARNING`, `CRITICAL` or `RESOLVED`.
    pub state: String,
    /// One id from the first notification of an episode to its resolution.
    pub alert_id: String,
    pub queue_sid: String,
    /// Empty for the agent-activity metrics.
    pub channel_sid: String,
    pub queue_name: String,
    pub task_channel_name: String,
    /// The metric's time window (`pipeline_key`).
    pub pipeline_key: String,
    /// When the notification was made, RFC 3339.
    pub created_at: String,
    pub threshold_value: String,
    pub metric_value: String,
    /// The metric without its `(Now)`: `Waiting`, `Longest`, `SLA (30 min)`.
    pub metric_name: String,
}

/// One notification to deliver: when (Unix seconds), to which webhook URLs, and what.
#[derive(Debug, Clone)]
pub struct Notification {
    pub at: i64,
    pub urls: Vec<String>,
    pub payload: AlertPayload,
}

/// The metric's time window, as Twilio names it in the payload.
pub fn pipeline_key(metric: Metric) -> &'static str {
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

/// `metric_name`: the metric's id without ` (Now)`.
pub fn metric_name(metric: Metric) -> &'static str {
    metric.id().trim_end_matches(" (Now)")
}
