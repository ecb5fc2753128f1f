//! The evaluation engine: how one alert behaves on one queue's series of metric samples. Pure
//! (no clock, no I/O); `test`, `backtest`, `plan --history` and the emulator all use it.
//!
//! This is our reading of Twilio's Flex alerts page, which describes the behaviour in words:
//!
//! - A sample holds until the next one. Times are in seconds from any origin.
//! - `above: N` holds when the value is greater than N, `below: N` when it is less than N:
//!   equal does not trigger.
//! - The level is `critical` when the critical threshold holds, else `warning` when the warning
//!   threshold holds, else `ok`. An inactive alert is always `ok` and sends nothing.
//! - With `notify.severity` S and `notify.after` D: when the level becomes at least S at t0
//!   and stays at least S through t0 + D, a notification with the level of that moment is
//!   sent at t0 + D (at t0 when D is 0); when it drops below S before t0 + D, nothing is sent.
//!   "Through t0 + D" includes that instant: a drop exactly at t0 + D sends nothing, and a
//!   change between warning and critical exactly then is sent as the new level. After that,
//!   while the level stays at least S, each change between
//!   `warning` and `critical` is sent at once; when it drops below S, `resolved` is sent at
//!   once. Notifications off (`enabled: false`, or no `notify`) send nothing; levels are still
//!   computed.
//! - An episode is a maximal stretch of time at a level other than `ok`.
//! - The end of the data is not a resolution: what is pending then is never sent.

use serde::Serialize;

pub use crate::config::desired::Direction;

/// One threshold of a rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    pub direction: Direction,
    pub value: f64,
}

impl Threshold {
    /// Strict: a value equal to the threshold does not trigger.
    pub fn holds(self, value: f64) -> bool {
        match self.direction {
            Direction::Above => value > self.value,
            Direction::Below => value < self.value,
        }
    }
}

/// What a rule needs to be evaluated: its thresholds and its notification settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub active: bool,
    pub warning: Option<Threshold>,
    pub critical: Option<Threshold>,
    /// `None` when notifications are off.
    pub notify: Option<NotifyRule>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NotifyRule {
    /// The lowest level that notifies.
    pub severity: Level,
    /// How long the level must last before anyone is told, in seconds.
    pub after: i64,
}

/// How bad things are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    Warning,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Critical => "critical",
        }
    }
}

/// What a notification says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Warning,
    Critical,
    Resolved,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Warning => "warning",
            State::Critical => "critical",
            State::Resolved => "resolved",
        }
    }

    fn of(level: Level) -> State {
        match level {
            Level::Critical => State::Critical,
            _ => State::Warning,
        }
    }
}

/// One sample: the metric's value from `at` until the next sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub at: i64,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub at: i64,
    pub state: State,
}

/// A maximal stretch at a level other than `ok`, and the worst level in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Episode {
    pub start: i64,
    /// Exclusive; the end of the data for an episode still open then.
    pub end: i64,
    pub worst: Level,
}

/// How one rule behaved on one series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    /// Each change of level: from `at` on, the level is this (before the first, `ok`).
    pub levels: Vec<(i64, Level)>,
    pub notifications: Vec<Notification>,
    pub episodes: Vec<Episode>,
    /// Seconds spent at warning and at critical.
    pub seconds_warning: i64,
    pub seconds_critical: i64,
}

impl Evaluation {
    /// The level at `at`.
    pub fn level_at(&self, at: i64) -> Level {
        self.levels
            .iter()
            .take_while(|(from, _)| *from <= at)
            .last()
            .map_or(Level::Ok, |(_, level)| *level)
    }
}

impl Rule {
    /// The level a value puts the rule at.
    pub fn level(&self, value: f64) -> Level {
        if !self.active {
            Level::Ok
        } else if self.critical.is_some_and(|t| t.holds(value)) {
            Level::Critical
        } else if self.warning.is_some_and(|t| t.holds(value)) {
            Level::Warning
        } else {
            Level::Ok
        }
    }
}

/// Evaluates `rule` on `samples` (sorted by time) up to `end` (exclusive).
pub fn evaluate(rule: &Rule, samples: &[Sample], end: i64) -> Evaluation {
    let mut evaluation = Evaluation::default();
    let mut level = Level::Ok;
    let mut since = samples.first().map_or(end, |s| s.at);
    let notify = rule.notify.filter(|_| rule.active);
    // The time the level reached the severity and must last until, while not yet sent.
    let mut pending: Option<i64> = None;
    let mut notified = false;
    let mut episode: Option<Episode> = None;

    for sample in samples.iter().filter(|s| s.at < end) {
        // No sample came between the deadline and this one: the level held throughout.
        if pending.is_some_and(|deadline| deadline < sample.at) {
            fire(&mut evaluation, &mut pending, &mut notified, level);
        }
        let next = rule.level(sample.value);
        if next == level {
            if pending == Some(sample.at) {
                fire(&mut evaluation, &mut pending, &mut notified, level);
            }
            continue;
        }
        account(&mut evaluation, level, since, sample.at);
        since = sample.at;
        evaluation.levels.push((sample.at, next));
        match (episode.as_mut(), next) {
            (None, Level::Ok) => {}
            (None, worst) => {
                episode = Some(Episode {
                    start: sample.at,
                    end,
                    worst,
                })
            }
            (Some(open), Level::Ok) => {
                open.end = sample.at;
                evaluation.episodes.push(*open);
                episode = None;
            }
            (Some(open), worse) => open.worst = open.worst.max(worse),
        }
        if let Some(notify) = notify {
            let was = level >= notify.severity;
            let is = next >= notify.severity;
            match (was, is) {
                (false, true) if notify.after == 0 => {
                    evaluation.notifications.push(Notification {
                        at: sample.at,
                        state: State::of(next),
                    });
                    notified = true;
                }
                (false, true) => pending = Some(sample.at + notify.after),
                (true, false) => {
                    if notified {
                        evaluation.notifications.push(Notification {
                            at: sample.at,
                            state: State::Resolved,
                        });
                    }
                    pending = None;
                    notified = false;
                }
                (true, true) if notified => evaluation.notifications.push(Notification {
                    at: sample.at,
                    state: State::of(next),
                }),
                _ => {}
            }
        }
        level = next;
        // Due now, the level (still at least the severity) having held through the deadline.
        if pending == Some(sample.at) {
            fire(&mut evaluation, &mut pending, &mut notified, level);
        }
    }
    if pending.is_some_and(|deadline| deadline < end) {
        fire(&mut evaluation, &mut pending, &mut notified, level);
    }
    account(&mut evaluation, level, since, end);
    if let Some(open) = episode {
        evaluation.episodes.push(open);
    }
    evaluation
}

/// Sends the pending notification, at its deadline, with `level`.
fn fire(evaluation: &mut Evaluation, pending: &mut Option<i64>, notified: &mut bool, level: Level) {
    if let Some(deadline) = pending.take() {
        evaluation.notifications.push(Notification {
            at: deadline,
            state: State::of(level),
        });
        *notified = true;
    }
}

fn account(evaluation: &mut Evaluation, level: Level, from: i64, to: i64) {
    let seconds = (to - from).max(0);
    match level {
        Level::Warning => evaluation.seconds_warning += seconds,
        Level::Critical => evaluation.seconds_critical += seconds,
        Level::Ok => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn above(value: f64) -> Option<Threshold> {
        Some(Threshold {
            direction: Direction::Above,
            value,
        })
    }

    fn rule(severity: Level, after: i64) -> Rule {
        Rule {
            active: true,
            warning: above(60.0),
            critical: above(120.0),
            notify: Some(NotifyRule { severity, after }),
        }
    }

    /// One sample a minute.
    fn series(values: &[f64]) -> (Vec<Sample>, i64) {
        let samples = values
            .iter()
            .enumerate()
            .map(|(i, value)| Sample {
                at: i as i64 * 60,
                value: *value,
            })
            .collect();
        (samples, values.len() as i64 * 60)
    }

    fn sent(evaluation: &Evaluation) -> Vec<(i64, &'static str)> {
        evaluation
            .notifications
            .iter()
            .map(|n| (n.at, n.state.as_str()))
            .collect()
    }

    #[test]
    fn equality_does_not_trigger() {
        let rule = rule(Level::Warning, 0);
        assert_eq!(rule.level(60.0), Level::Ok);
        assert_eq!(rule.level(61.0), Level::Warning);
        assert_eq!(rule.level(120.0), Level::Warning);
        assert_eq!(rule.level(121.0), Level::Critical);
        let below = Rule {
            warning: Some(Threshold {
                direction: Direction::Below,
                value: 80.0,
            }),
            critical: None,
            ..rule
        };
        assert_eq!(below.level(80.0), Level::Ok);
        assert_eq!(below.level(79.0), Level::Warning);
    }

    #[test]
    fn the_issue_example_sends_critical_after_the_delay_and_resolves() {
        // "0 130 0 130x4 0x3", critical above 120, notify critical after 90 s.
        let (samples, end) = series(&[0., 130., 0., 130., 130., 130., 130., 0., 0., 0.]);
        let evaluation = evaluate(&rule(Level::Critical, 90), &samples, end);
        assert_eq!(sent(&evaluation), [(270, "critical"), (420, "resolved")]);
        assert_eq!(evaluation.level_at(180), Level::Critical);
        assert_eq!(evaluation.episodes.len(), 2);
        assert_eq!(evaluation.seconds_critical, 5 * 60);
    }

    #[test]
    fn an_episode_shorter_than_after_sends_nothing() {
        let (samples, end) = series(&[0., 130., 0., 0.]);
        let evaluation = evaluate(&rule(Level::Critical, 90), &samples, end);
        assert_eq!(sent(&evaluation), []);
        assert_eq!(evaluation.episodes.len(), 1);
    }

    #[test]
    fn the_level_must_still_hold_at_the_end_of_after() {
        // Critical from 1m to 3m, after 2m: it drops exactly at 3m, so nothing is sent.
        let (samples, end) = series(&[0., 130., 130., 0.]);
        let evaluation = evaluate(&rule(Level::Critical, 120), &samples, end);
        assert_eq!(sent(&evaluation), []);
        // Warning from 1m, critical exactly at the end of `after`: sent as critical.
        let (samples, end) = series(&[0., 70., 130., 130.]);
        let evaluation = evaluate(&rule(Level::Warning, 60), &samples, end);
        assert_eq!(sent(&evaluation), [(120, "critical")]);
        // Still warning then, with no sample at that moment: sent as warning.
        let (samples, end) = series(&[0., 70., 70., 0.]);
        let evaluation = evaluate(&rule(Level::Warning, 90), &samples, end);
        assert_eq!(sent(&evaluation), [(150, "warning"), (180, "resolved")]);
    }

    #[test]
    fn escalation_and_de_escalation_are_sent_at_once_after_the_first() {
        let (samples, end) = series(&[0., 70., 130., 70., 130., 0.]);
        let evaluation = evaluate(&rule(Level::Warning, 0), &samples, end);
        assert_eq!(
            sent(&evaluation),
            [
                (60, "warning"),
                (120, "critical"),
                (180, "warning"),
                (240, "critical"),
                (300, "resolved")
            ]
        );
        // A change while waiting out `after` is not sent; the level when it ends is.
        let evaluation = evaluate(&rule(Level::Warning, 90), &samples, end);
        assert_eq!(
            sent(&evaluation),
            [
                (150, "critical"),
                (180, "warning"),
                (240, "critical"),
                (300, "resolved")
            ]
        );
    }

    #[test]
    fn critical_severity_resolves_when_the_level_drops_to_warning() {
        let (samples, end) = series(&[130., 70., 0.]);
        let evaluation = evaluate(&rule(Level::Critical, 0), &samples, end);
        assert_eq!(sent(&evaluation), [(0, "critical"), (60, "resolved")]);
        assert_eq!(
            evaluation.episodes.len(),
            1,
            "one episode: warning is not ok"
        );
        assert_eq!(evaluation.episodes[0].worst, Level::Critical);
    }

    #[test]
    fn inactive_is_always_ok_and_disabled_sends_nothing() {
        let (samples, end) = series(&[130., 130.]);
        let inactive = Rule {
            active: false,
            ..rule(Level::Warning, 0)
        };
        let evaluation = evaluate(&inactive, &samples, end);
        assert_eq!(evaluation.levels, []);
        assert_eq!(sent(&evaluation), []);
        let silent = Rule {
            notify: None,
            ..rule(Level::Warning, 0)
        };
        let evaluation = evaluate(&silent, &samples, end);
        assert_eq!(evaluation.levels, [(0, Level::Critical)]);
        assert_eq!(sent(&evaluation), []);
    }

    #[test]
    fn the_end_of_the_data_is_not_a_resolution() {
        let (samples, end) = series(&[0., 130., 130.]);
        let evaluation = evaluate(&rule(Level::Critical, 0), &samples, end);
        assert_eq!(sent(&evaluation), [(60, "critical")]);
        // A delay that would end at or after the end of the data sends nothing.
        let evaluation = evaluate(&rule(Level::Critical, 120), &samples, end);
        assert_eq!(sent(&evaluation), []);
        let evaluation = evaluate(&rule(Level::Critical, 90), &samples, end);
        assert_eq!(sent(&evaluation), [(150, "critical")]);
        assert_eq!(
            evaluation.episodes,
            [Episode {
                start: 60,
                end: 180,
                worst: Level::Critical
            }]
        );
    }
}
