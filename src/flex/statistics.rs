//! The 17 metrics from TaskRouter statistics, for `record`: which statistic and formula each
//! comes from, or that it cannot be derived. Our reading of Twilio's documentation, written
//! down with its sources in `docs/taskrouter-statistics.md`; pure, so every formula is tested.

use serde_json::Value;

use crate::flex::Metric;

/// Where a metric comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `RealTimeStatistics` of the queue for its channel.
    RealtimeByChannel,
    /// `RealTimeStatistics` of the queue, all channels (agent activity).
    RealtimeAgents,
    /// `CumulativeStatistics?Minutes=30` of the queue for its channel.
    Last30Minutes,
    /// `CumulativeStatistics?StartDate=<00:00 UTC today>` of the queue for its channel.
    Today,
    /// No TaskRouter statistic holds it.
    NotDerivable,
}

/// Where `metric` comes from.
pub fn source(metric: Metric) -> Source {
    match metric {
        Metric::ActiveNow | Metric::WaitingNow | Metric::LongestNow => Source::RealtimeByChannel,
        Metric::AvailableAgentsNow | Metric::OfflineAgentsNow | Metric::UnavailableAgentsNow => {
            Source::RealtimeAgents
        }
        Metric::Abandoned30Min
        | Metric::Accepted30Min
        | Metric::MissedInvitations30Min
        | Metric::Sla30Min => Source::Last30Minutes,
        Metric::AbandonedToday
        | Metric::AcceptedToday
        | Metric::AvgSpeedOfAnswerToday
        | Metric::MissedInvitationsToday
        | Metric::SlaToday => Source::Today,
        Metric::AvgHandleTimeToday | Metric::LongestAvailableAgentNow => Source::NotDerivable,
    }
}

fn number(value: &Value, pointer: &str) -> Option<f64> {
    let found = value.pointer(pointer)?;
    // Twilio writes some counts as strings ("tasks_by_status": {"pending": "1"}).
    found
        .as_f64()
        .or_else(|| found.as_str().and_then(|text| text.parse().ok()))
}

/// The metrics a queue's `RealTimeStatistics` for one channel gives.
pub fn from_realtime_by_channel(realtime: &Value) -> Vec<(Metric, f64)> {
    let status = |name: &str| number(realtime, &format!("/tasks_by_status/{name}")).unwrap_or(0.0);
    let mut metrics = vec![
        (Metric::ActiveNow, status("assigned") + status("wrapping")),
        (Metric::WaitingNow, status("pending") + status("reserved")),
    ];
    if let Some(longest) = number(realtime, "/longest_relative_task_age_in_queue")
        .or_else(|| number(realtime, "/longest_task_waiting_age"))
    {
        metrics.push((Metric::LongestNow, longest));
    }
    metrics
}

/// The agent metrics a queue's `RealTimeStatistics` gives; `available` holds the names of
/// the workspace's activities that make a worker available.
pub fn from_realtime_agents(realtime: &Value, available: &[String]) -> Vec<(Metric, f64)> {
    let mut metrics = Vec::new();
    if let Some(workers) = number(realtime, "/total_available_workers") {
        metrics.push((Metric::AvailableAgentsNow, workers));
    }
    if let Some(activities) = realtime
        .get("activity_statistics")
        .and_then(Value::as_array)
    {
        let (mut offline, mut unavailable) = (0.0, 0.0);
        for activity in activities {
            let name = activity
                .get("friendly_name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let workers = number(activity, "/workers").unwrap_or(0.0);
            if name.eq_ignore_ascii_case("offline") {
                offline += workers;
            } else if !available.iter().any(|a| a == name) {
                unavailable += workers;
            }
        }
        metrics.push((Metric::OfflineAgentsNow, offline));
        metrics.push((Metric::UnavailableAgentsNow, unavailable));
    }
    metrics
}

/// The metrics a queue's `CumulativeStatistics` for one channel gives, over the last 30
/// minutes (`today` false) or since midnight; `sla_seconds` is the service level the
/// statistics were split at (`SplitByWaitTime`).
pub fn from_cumulative(cumulative: &Value, today: bool, sla_seconds: u64) -> Vec<(Metric, f64)> {
    let (abandoned, accepted, missed, sla) = if today {
        (
            Metric::AbandonedToday,
            Metric::AcceptedToday,
            Metric::MissedInvitationsToday,
            Metric::SlaToday,
        )
    } else {
        (
            Metric::Abandoned30Min,
            Metric::Accepted30Min,
            Metric::MissedInvitations30Min,
            Metric::Sla30Min,
        )
    };
    let count = |pointer: &str| number(cumulative, pointer).unwrap_or(0.0);
    let accepted_count = count("/reservations_accepted");
    let mut metrics = vec![
        (abandoned, count("/tasks_canceled")),
        (accepted, accepted_count),
        (
            missed,
            count("/reservations_rejected") + count("/reservations_timed_out"),
        ),
    ];
    let split = format!("/split_by_wait_time/{sla_seconds}");
    if let (Some(fast), Some(late_canceled)) = (
        number(cumulative, &format!("{split}/below/reservations_accepted")),
        number(cumulative, &format!("{split}/above/tasks_canceled")),
    ) {
        let handled = accepted_count + late_canceled;
        if handled > 0.0 {
            metrics.push((sla, (100.0 * fast / handled * 10.0).round() / 10.0));
        }
    }
    if today && let Some(average) = number(cumulative, "/wait_duration_until_accepted/avg") {
        metrics.push((Metric::AvgSpeedOfAnswerToday, average));
    }
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_metric_has_a_source_and_two_are_not_derivable() {
        let missing: Vec<Metric> = Metric::ALL
            .into_iter()
            .filter(|metric| source(*metric) == Source::NotDerivable)
            .collect();
        assert_eq!(
            missing,
            [Metric::AvgHandleTimeToday, Metric::LongestAvailableAgentNow]
        );
        assert_eq!(Metric::ALL.len() - missing.len(), 15);
    }

    #[test]
    fn realtime_formulas() {
        let realtime = json!({
            "tasks_by_status": {"pending": "2", "reserved": 1, "assigned": 4, "wrapping": 1},
            "longest_relative_task_age_in_queue": 95,
            "total_available_workers": 3,
            "activity_statistics": [
                {"friendly_name": "Available", "workers": 3},
                {"friendly_name": "Break", "workers": 2},
                {"friendly_name": "Lunch", "workers": 1},
                {"friendly_name": "Offline", "workers": 7}
            ]
        });
        assert_eq!(
            from_realtime_by_channel(&realtime),
            [
                (Metric::ActiveNow, 5.0),
                (Metric::WaitingNow, 3.0),
                (Metric::LongestNow, 95.0)
            ]
        );
        assert_eq!(
            from_realtime_agents(&realtime, &["Available".to_owned()]),
            [
                (Metric::AvailableAgentsNow, 3.0),
                (Metric::OfflineAgentsNow, 7.0),
                (Metric::UnavailableAgentsNow, 3.0)
            ]
        );
    }

    #[test]
    fn cumulative_formulas() {
        let cumulative = json!({
            "tasks_canceled": 4,
            "reservations_accepted": 36,
            "reservations_rejected": 2,
            "reservations_timed_out": 1,
            "wait_duration_until_accepted": {"avg": 42},
            "split_by_wait_time": {"60": {
                "below": {"reservations_accepted": 30, "tasks_canceled": 1},
                "above": {"reservations_accepted": 6, "tasks_canceled": 3}
            }}
        });
        assert_eq!(
            from_cumulative(&cumulative, false, 60),
            [
                (Metric::Abandoned30Min, 4.0),
                (Metric::Accepted30Min, 36.0),
                (Metric::MissedInvitations30Min, 3.0),
                // 30 answered in time of 36 answered and 3 abandoned late.
                (Metric::Sla30Min, 76.9)
            ]
        );
        let today = from_cumulative(&cumulative, true, 60);
        assert!(today.contains(&(Metric::AvgSpeedOfAnswerToday, 42.0)));
        assert!(today.contains(&(Metric::SlaToday, 76.9)));
        // Nothing handled: no SLA figure rather than a made-up one.
        let quiet = json!({"split_by_wait_time": {"60": {
            "below": {"reservations_accepted": 0}, "above": {"tasks_canceled": 0}}}});
        assert!(
            !from_cumulative(&quiet, false, 60)
                .iter()
                .any(|(m, _)| *m == Metric::Sla30Min)
        );
    }
}
