//! Backtests: every alert run through the engine on a metric history, per queue, and summed:
//! episodes, notifications by state and per day, time at warning and critical, the longest
//! episode; and the threshold that would have kept an alert under a number of notifications a
//! day.

use serde::Serialize;

use super::engine::{self, Direction, Evaluation, Level, Rule, Sample, State};
use super::history::History;
use super::rule;
use crate::config::desired::{Desired, DesiredAlert};

/// What one alert did on one queue's series (or on all its queues, summed).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub episodes: usize,
    pub notifications: Notifications,
    pub notifications_per_day: f64,
    pub minutes_warning: f64,
    pub minutes_critical: f64,
    pub longest_episode_minutes: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Notifications {
    pub warning: usize,
    pub critical: usize,
    pub resolved: usize,
}

impl Notifications {
    pub fn total(&self) -> usize {
        self.warning + self.critical + self.resolved
    }
}

/// One queue of one alert.
#[derive(Debug, Clone)]
pub struct QueueResult {
    pub queue: String,
    /// `None` when the history holds no series for this queue (and channel, metric).
    pub evaluation: Option<Evaluation>,
    pub counts: Counts,
}

/// One alert: its queues, their sum, and a threshold suggestion when one was asked for.
#[derive(Debug, Clone)]
pub struct AlertResult {
    pub name: String,
    pub counts: Counts,
    pub queues: Vec<QueueResult>,
    pub suggestion: Option<Suggestion>,
}

/// The threshold that would have kept an alert within a number of notifications a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// `warning` or `critical`: the threshold at the alert's notify severity.
    pub threshold: &'static str,
    pub direction: &'static str,
    pub current: i64,
    pub suggested: i64,
    /// The critical threshold too, when a warning threshold that notifies must pass it:
    /// `[current, suggested]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critical: Option<[i64; 2]>,
    /// Notifications a day with the suggested thresholds.
    pub notifications_per_day: f64,
}

/// Runs every alert of `desired` on `history`.
pub fn backtest(desired: &Desired, history: &History, target: Option<f64>) -> Vec<AlertResult> {
    desired
        .alerts
        .iter()
        .map(|alert| {
            let rule = rule::from_desired(alert);
            let series = series_of(alert, history);
            let (counts, queues) = run(&rule, &series, history);
            let suggestion = target.and_then(|target| suggest(&rule, &series, history, target));
            AlertResult {
                name: alert.name.clone(),
                counts,
                queues,
                suggestion,
            }
        })
        .collect()
}

/// Each queue of `alert` with its series in `history`, if any.
pub fn series_of<'h>(
    alert: &DesiredAlert,
    history: &'h History,
) -> Vec<(String, Option<&'h [Sample]>)> {
    alert
        .queues
        .iter()
        .map(|queue| {
            (
                queue.clone(),
                history.samples(queue, alert.channel.as_deref(), alert.metric),
            )
        })
        .collect()
}

/// Notifications a day `rule` would have sent over `series`.
pub fn notifications_per_day(
    rule: &Rule,
    series: &[(String, Option<&[Sample]>)],
    history: &History,
) -> f64 {
    run(rule, series, history).0.notifications_per_day
}

fn run(
    rule: &Rule,
    series: &[(String, Option<&[Sample]>)],
    history: &History,
) -> (Counts, Vec<QueueResult>) {
    // The data ends with the history: its last sample holds one second.
    let end = history.to + 1;
    let days = history.days();
    let queues: Vec<QueueResult> = series
        .iter()
        .map(|(queue, samples)| {
            let evaluation = samples.map(|samples| engine::evaluate(rule, samples, end));
            let counts = evaluation
                .as_ref()
                .map(|evaluation| counts(evaluation, days))
                .unwrap_or_default();
            QueueResult {
                queue: queue.clone(),
                evaluation,
                counts,
            }
        })
        .collect();
    let mut total = Counts::default();
    for queue in &queues {
        let counts = &queue.counts;
        total.episodes += counts.episodes;
        total.notifications.warning += counts.notifications.warning;
        total.notifications.critical += counts.notifications.critical;
        total.notifications.resolved += counts.notifications.resolved;
        total.minutes_warning += counts.minutes_warning;
        total.minutes_critical += counts.minutes_critical;
        total.longest_episode_minutes = total
            .longest_episode_minutes
            .max(counts.longest_episode_minutes);
    }
    total.notifications_per_day = total.notifications.total() as f64 / days;
    (total, queues)
}

fn counts(evaluation: &Evaluation, days: f64) -> Counts {
    let mut notifications = Notifications::default();
    for notification in &evaluation.notifications {
        match notification.state {
            State::Warning => notifications.warning += 1,
            State::Critical => notifications.critical += 1,
            State::Resolved => notifications.resolved += 1,
        }
    }
    Counts {
        episodes: evaluation.episodes.len(),
        notifications_per_day: notifications.total() as f64 / days,
        notifications,
        minutes_warning: evaluation.seconds_warning as f64 / 60.0,
        minutes_critical: evaluation.seconds_critical as f64 / 60.0,
        longest_episode_minutes: evaluation
            .episodes
            .iter()
            .map(|episode| (episode.end - episode.start) as f64 / 60.0)
            .fold(0.0, f64::max),
    }
}

/// The least change to the threshold at the notify severity that keeps notifications a day
/// at or below `target`; `None` for an alert that notifies nobody.
fn suggest(
    rule: &Rule,
    series: &[(String, Option<&[Sample]>)],
    history: &History,
    target: f64,
) -> Option<Suggestion> {
    let notify = rule.notify?;
    let critical = notify.severity == Level::Critical;
    let threshold = if critical {
        rule.critical?
    } else {
        rule.warning?
    };
    let other = if critical {
        rule.warning
    } else {
        rule.critical
    };
    let current = threshold.value as i64;
    // The rule with the notifying threshold at `value`; a warning threshold that passes the
    // critical one takes it along, one step further, so the two stay in order.
    let moved = |value: i64| {
        let mut changed = rule.clone();
        let at = |value: i64| engine::Threshold {
            direction: threshold.direction,
            value: value as f64,
        };
        if critical {
            changed.critical = Some(at(value));
        } else {
            changed.warning = Some(at(value));
            changed.critical = other
                .map(|other| match threshold.direction {
                    Direction::Above => at(value + 1).value.max(other.value),
                    Direction::Below => at(value - 1).value.min(other.value),
                })
                .map(|value| at(value as i64));
        }
        changed
    };
    let with = |value: i64| notifications_per_day(&moved(value), series, history);
    // Candidate thresholds: for each value beyond the current threshold, the nearest whole
    // number that no longer fires on it (thresholds are whole numbers in Flex).
    let mut candidates: Vec<i64> = series
        .iter()
        .filter_map(|(_, samples)| *samples)
        .flatten()
        .filter_map(|sample| match threshold.direction {
            Direction::Above if sample.value > threshold.value => Some(sample.value.ceil() as i64),
            Direction::Below if sample.value < threshold.value => Some(sample.value.floor() as i64),
            _ => None,
        })
        .collect();
    candidates.push(current);
    candidates.sort_unstable();
    candidates.dedup();
    if threshold.direction == Direction::Below {
        candidates.reverse();
    }
    // The first candidate (the least change) that meets the target; notifications fall as the
    // threshold moves away, so a binary search finds it.
    let (mut low, mut high) = (0usize, candidates.len() - 1);
    if with(candidates[high]) > target {
        return None;
    }
    while low < high {
        let middle = (low + high) / 2;
        if with(candidates[middle]) <= target {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    let suggested = candidates[low];
    let critical_moved = (!critical)
        .then(|| Some((other?.value as i64, moved(suggested).critical?.value as i64)))
        .flatten()
        .filter(|(before, after)| before != after)
        .map(|(before, after)| [before, after]);
    Some(Suggestion {
        threshold: if critical { "critical" } else { "warning" },
        direction: match threshold.direction {
            Direction::Above => "above",
            Direction::Below => "below",
        },
        current,
        suggested,
        critical: critical_moved,
        notifications_per_day: with(suggested),
    })
}
