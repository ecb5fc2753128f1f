//! A synthetic contact-center day for the emulator's TaskRouter statistics: deterministic
//! (a pure function of the queue, the channel and the time), busy from 09:00 to 17:00 UTC
//! with peaks late morning and mid-afternoon, quiet at night. The shapes, not the numbers,
//! are what matter: `record` then `backtest` can be tried end to end with no account.

use serde_json::{Value, json};

/// The activities every synthetic workspace has: (SID suffix, name, available).
pub const ACTIVITIES: [(&str, &str, bool); 4] = [
    ("0001", "Available", true),
    ("0002", "Unavailable", false),
    ("0003", "Break", false),
    ("0004", "Offline", false),
];

/// How busy the contact center is at `at` (Unix seconds): 0.05 at night to 1.0 at a peak.
fn load(at: i64) -> f64 {
    let hour = at.rem_euclid(86_400) as f64 / 3600.0;
    if !(8.0..18.0).contains(&hour) {
        return 0.05;
    }
    let peak = |centre: f64| (-((hour - centre) / 1.5).powi(2)).exp();
    (0.25 + 0.75 * peak(11.0).max(peak(15.0))).min(1.0)
}

/// A deterministic number in [0, 1) for a key and a minute.
fn noise(key: &str, minute: i64) -> f64 {
    // FNV-1a over the key and the minute, then a multiply-xorshift mix.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes().chain(minute.to_le_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

/// Tasks arriving a minute for a queue and channel at peak.
fn peak_arrivals(channel: &str) -> f64 {
    match channel {
        "voice" => 6.0,
        "chat" => 4.0,
        "sms" => 2.0,
        "email" => 1.5,
        _ => 1.0,
    }
}

/// What happened in one minute to one queue and channel.
struct Minute {
    accepted: u64,
    accepted_fast: u64,
    canceled: u64,
    canceled_late: u64,
    rejected: u64,
    timed_out: u64,
    wait_total: f64,
}

fn minute(seed: u64, queue: &str, channel: &str, index: i64, sla_seconds: f64) -> Minute {
    let key = format!("{seed}/{queue}/{channel}");
    let busy = load(index * 60);
    let arrivals = peak_arrivals(channel) * busy * (0.6 + 0.8 * noise(&key, index));
    let accepted = arrivals.round() as u64;
    let wait = 5.0 + 150.0 * busy * busy * noise(&format!("{key}/wait"), index);
    let accepted_fast = if wait <= sla_seconds {
        accepted
    } else {
        (accepted as f64 * 0.4).round() as u64
    };
    let canceled =
        (arrivals * 0.12 * busy * noise(&format!("{key}/cancel"), index) * 2.0).floor() as u64;
    Minute {
        accepted,
        accepted_fast,
        canceled,
        canceled_late: if wait > sla_seconds { canceled } else { 0 },
        rejected: (noise(&format!("{key}/reject"), index) * 1.6 * busy).floor() as u64,
        timed_out: (noise(&format!("{key}/timeout"), index) * 1.3 * busy).floor() as u64,
        wait_total: wait * accepted as f64,
    }
}

/// `GET .../TaskQueues/{sid}/RealTimeStatistics` at `now` (Unix seconds).
pub fn realtime(queue: &str, channel: Option<&str>, now: i64, context: &Context<'_>) -> Value {
    let channel_name = channel.unwrap_or("all");
    let key = format!("{}/{queue}/{channel_name}", context.seed);
    let index = now.div_euclid(60);
    let busy = load(now);
    let waiting =
        (peak_arrivals(channel_name) * 3.0 * busy * busy * noise(&format!("{key}/waiting"), index))
            .round() as u64;
    let reserved = waiting.min((noise(&format!("{key}/reserved"), index) * 2.0).floor() as u64);
    let staff = 2.0 + 14.0 * busy;
    let assigned =
        (staff * 0.7 * (0.7 + 0.3 * noise(&format!("{key}/assigned"), index))).round() as u64;
    let wrapping = (staff * 0.1 * noise(&format!("{key}/wrapping"), index)).round() as u64;
    let longest = if waiting > 0 {
        (10.0 + 240.0 * busy * noise(&format!("{key}/longest"), index)).round() as u64
    } else {
        0
    };
    let agents_key = format!("{}/{queue}/agents", context.seed);
    let available =
        (staff * 0.35 * noise(&format!("{agents_key}/available"), index)).round() as u64;
    let on_break = (staff * 0.15 * noise(&format!("{agents_key}/break"), index)).round() as u64;
    let unavailable =
        (staff * 0.1 * noise(&format!("{agents_key}/unavailable"), index)).round() as u64;
    let offline = (20.0 - staff).max(0.0).round() as u64
        + (noise(&format!("{agents_key}/offline"), index) * 2.0) as u64;
    let workers = [available, unavailable, on_break, offline];
    json!({
        "account_sid": context.account_sid,
        "activity_statistics": ACTIVITIES.iter().zip(workers).map(|((suffix, name, _), count)| json!({
            "sid": activity_sid(suffix),
            "friendly_name": name,
            "workers": count,
        })).collect::<Vec<_>>(),
        "longest_task_waiting_age": longest,
        "longest_task_waiting_sid": if waiting > 0 { json!(format!("WT{:032x}", index)) } else { Value::Null },
        "longest_relative_task_age_in_queue": longest,
        "longest_relative_task_sid_in_queue": if waiting > 0 { json!(format!("WT{:032x}", index)) } else { Value::Null },
        "task_queue_sid": queue,
        "tasks_by_priority": {},
        "tasks_by_status": {
            "pending": waiting - reserved,
            "reserved": reserved,
            "assigned": assigned,
            "wrapping": wrapping,
            "completed": 0,
            "canceled": 0,
        },
        "total_available_workers": available,
        "total_eligible_workers": workers.iter().sum::<u64>(),
        "total_tasks": waiting + assigned + wrapping,
        "workspace_sid": context.workspace_sid,
        "url": format!("{}/TaskQueues/{queue}/RealTimeStatistics", context.workspace_url),
    })
}

/// `GET .../TaskQueues/{sid}/CumulativeStatistics` over `[from, to)` (Unix seconds), with the
/// counts split at the first of `split_seconds` (the service level).
pub fn cumulative(
    queue: &str,
    channel: Option<&str>,
    (from, to): (i64, i64),
    split_seconds: &[u64],
    context: &Context<'_>,
) -> Value {
    let channel_name = channel.unwrap_or("all");
    let sla = split_seconds.first().copied().unwrap_or(60) as f64;
    let mut totals = Totals::default();
    for index in from.div_euclid(60)..to.div_euclid(60) {
        totals.add(&minute(context.seed, queue, channel_name, index, sla), 1);
    }
    cumulative_answer(queue, (from, to), totals, split_seconds, context)
}

/// The minutes of a window, summed.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    accepted: u64,
    fast: u64,
    canceled: u64,
    late: u64,
    rejected: u64,
    timed_out: u64,
    wait_total: f64,
}

impl Totals {
    /// Adds one minute (`sign` 1) or takes it back out (`sign` -1, a sliding window).
    fn add(&mut self, minute: &Minute, sign: i8) {
        let step = |total: &mut u64, value: u64| {
            *total = if sign > 0 {
                *total + value
            } else {
                total.saturating_sub(value)
            };
        };
        step(&mut self.accepted, minute.accepted);
        step(&mut self.fast, minute.accepted_fast);
        step(&mut self.canceled, minute.canceled);
        step(&mut self.late, minute.canceled_late);
        step(&mut self.rejected, minute.rejected);
        step(&mut self.timed_out, minute.timed_out);
        self.wait_total += f64::from(sign) * minute.wait_total;
    }
}

/// The cumulative statistics answer of `totals` over `[from, to)`.
fn cumulative_answer(
    queue: &str,
    (from, to): (i64, i64),
    totals: Totals,
    split_seconds: &[u64],
    context: &Context<'_>,
) -> Value {
    let Totals {
        accepted,
        fast,
        canceled,
        late,
        rejected,
        timed_out,
        wait_total,
    } = totals;
    let wait_total = wait_total.max(0.0);
    let average = if accepted > 0 {
        (wait_total / accepted as f64).round() as u64
    } else {
        0
    };
    let split: serde_json::Map<String, Value> = split_seconds
        .iter()
        .map(|seconds| {
            (
                seconds.to_string(),
                json!({
                    "above": { "tasks_canceled": late, "reservations_accepted": accepted - fast },
                    "below": { "tasks_canceled": canceled - late, "reservations_accepted": fast },
                }),
            )
        })
        .collect();
    json!({
        "account_sid": context.account_sid,
        "avg_task_acceptance_time": average,
        "start_time": crate::common::time::format_rfc3339(from),
        "end_time": crate::common::time::format_rfc3339(to),
        "reservations_created": accepted + rejected + timed_out,
        "reservations_accepted": accepted,
        "reservations_rejected": rejected,
        "reservations_timed_out": timed_out,
        "reservations_canceled": 0,
        "reservations_rescinded": 0,
        "split_by_wait_time": if split.is_empty() { Value::Null } else { Value::Object(split) },
        "task_queue_sid": queue,
        "wait_duration_until_accepted": { "avg": average, "min": 0, "max": 0, "total": wait_total.round() as u64 },
        "wait_duration_until_canceled": { "avg": 0, "min": 0, "max": 0, "total": 0 },
        "wait_duration_in_queue_until_accepted": { "avg": average, "min": 0, "max": 0, "total": wait_total.round() as u64 },
        "tasks_canceled": canceled,
        "tasks_completed": accepted,
        "tasks_deleted": 0,
        "tasks_entered": accepted + canceled,
        "tasks_moved": 0,
        "workspace_sid": context.workspace_sid,
        "url": format!("{}/TaskQueues/{queue}/CumulativeStatistics", context.workspace_url),
    })
}

/// Every metric `record` would derive for a queue (and channel unique name; `None` for the
/// agent metrics) a minute apart over `[from, to)`, in one pass: the 30-minute and
/// since-midnight windows are kept as running sums rather than summed again each minute.
pub fn metric_series(
    (queue, channel): (&str, Option<&str>),
    (from, to): (i64, i64),
    (sla_seconds, seed): (u64, u64),
) -> Vec<(i64, Vec<(crate::flex::Metric, f64)>)> {
    use crate::flex::statistics;
    let context = Context {
        account_sid: "",
        workspace_sid: "",
        workspace_url: "",
        seed,
    };
    let available: Vec<String> = ACTIVITIES
        .iter()
        .filter(|(_, _, available)| *available)
        .map(|(_, name, _)| (*name).to_owned())
        .collect();
    let sla = sla_seconds as f64;
    let split = [sla_seconds];
    let minute_of = |index: i64| minute(seed, queue, channel.unwrap_or("all"), index, sla);
    let start = from.div_euclid(60);
    let (mut last_30, mut today) = (Totals::default(), Totals::default());
    // Both windows as they stand at the first minute.
    let midnight = |index: i64| index - index.rem_euclid(1440);
    for index in (start - 30)..start {
        last_30.add(&minute_of(index), 1);
    }
    for index in midnight(start)..start {
        today.add(&minute_of(index), 1);
    }
    let mut series = Vec::new();
    for index in start..to.div_euclid(60) {
        let at = index * 60;
        if index > start {
            let previous = minute_of(index - 1);
            last_30.add(&previous, 1);
            last_30.add(&minute_of(index - 31), -1);
            if midnight(index) == index {
                today = Totals::default();
            } else {
                today.add(&previous, 1);
            }
        }
        let metrics = match channel {
            None => {
                statistics::from_realtime_agents(&realtime(queue, None, at, &context), &available)
            }
            Some(_) => {
                let mut metrics =
                    statistics::from_realtime_by_channel(&realtime(queue, channel, at, &context));
                let window = |from: i64| (from, at);
                metrics.extend(statistics::from_cumulative(
                    &cumulative_answer(queue, window(at - 1800), last_30, &split, &context),
                    false,
                    sla_seconds,
                ));
                metrics.extend(statistics::from_cumulative(
                    &cumulative_answer(
                        queue,
                        window(midnight(index) * 60),
                        today,
                        &split,
                        &context,
                    ),
                    true,
                    sla_seconds,
                ));
                metrics
            }
        };
        series.push((at, metrics));
    }
    series
}

/// The value of `metric` for a queue (and channel unique name) at `at`, as `record` would
/// derive it from these statistics; `None` for a metric they cannot give.
pub fn metric_value(
    (queue, channel): (&str, Option<&str>),
    metric: crate::flex::Metric,
    at: i64,
    (sla_seconds, seed): (u64, u64),
) -> Option<f64> {
    use crate::flex::statistics::{self, Source};
    let context = Context {
        account_sid: "",
        workspace_sid: "",
        workspace_url: "",
        seed,
    };
    let found = |metrics: Vec<(crate::flex::Metric, f64)>| {
        metrics
            .into_iter()
            .find(|(derived, _)| *derived == metric)
            .map(|(_, value)| value)
    };
    let split = [sla_seconds];
    match statistics::source(metric) {
        Source::RealtimeByChannel => found(statistics::from_realtime_by_channel(&realtime(
            queue, channel, at, &context,
        ))),
        Source::RealtimeAgents => {
            let available: Vec<String> = ACTIVITIES
                .iter()
                .filter(|(_, _, available)| *available)
                .map(|(_, name, _)| (*name).to_owned())
                .collect();
            found(statistics::from_realtime_agents(
                &realtime(queue, None, at, &context),
                &available,
            ))
        }
        Source::Last30Minutes => found(statistics::from_cumulative(
            &cumulative(queue, channel, (at - 1800, at), &split, &context),
            false,
            sla_seconds,
        )),
        Source::Today => found(statistics::from_cumulative(
            &cumulative(
                queue,
                channel,
                (at - at.rem_euclid(86_400), at),
                &split,
                &context,
            ),
            true,
            sla_seconds,
        )),
        Source::NotDerivable => None,
    }
}

/// The SID of one of the synthetic activities.
pub fn activity_sid(suffix: &str) -> String {
    format!("WA{:0>32}", suffix)
}

/// The longest window cumulative statistics cover: TaskRouter keeps 30 days of history.
pub const MAX_CUMULATIVE_MINUTES: i64 = 30 * 24 * 60;

/// One statistics request, checked by the engine: what its answer is computed from, owned,
/// so that the computation (a month of minutes at most) runs without the engine's lock.
#[derive(Debug, Clone)]
pub struct Request {
    pub queue: String,
    /// The channel's unique name, or `None` for all channels.
    pub channel: Option<String>,
    pub kind: RequestKind,
    pub account_sid: String,
    pub workspace_sid: String,
    pub workspace_url: String,
    pub seed: u64,
}

#[derive(Debug, Clone)]
pub enum RequestKind {
    RealTime {
        now: i64,
    },
    Cumulative {
        window: (i64, i64),
        split: Vec<u64>,
    },
    /// `.../Statistics`: both, as TaskRouter's TaskQueueStatistics holds them.
    Both {
        now: i64,
        window: (i64, i64),
        split: Vec<u64>,
    },
}

impl Request {
    /// The statistics answer.
    pub fn answer(&self) -> Value {
        let context = Context {
            account_sid: &self.account_sid,
            workspace_sid: &self.workspace_sid,
            workspace_url: &self.workspace_url,
            seed: self.seed,
        };
        match &self.kind {
            RequestKind::RealTime { now } => {
                realtime(&self.queue, self.channel.as_deref(), *now, &context)
            }
            RequestKind::Cumulative { window, split } => cumulative(
                &self.queue,
                self.channel.as_deref(),
                *window,
                split,
                &context,
            ),
            RequestKind::Both { now, window, split } => {
                let channel = self.channel.as_deref();
                json!({
                    "account_sid": self.account_sid,
                    "cumulative": cumulative(&self.queue, channel, *window, split, &context),
                    "realtime": realtime(&self.queue, channel, *now, &context),
                    "task_queue_sid": self.queue,
                    "workspace_sid": self.workspace_sid,
                    "url": format!("{}/TaskQueues/{}/Statistics", self.workspace_url, self.queue),
                })
            }
        }
    }
}

/// What every statistics answer repeats, and the seed of the day (another seed, another day
/// of the same shape).
pub struct Context<'a> {
    pub account_sid: &'a str,
    pub workspace_sid: &'a str,
    pub workspace_url: &'a str,
    pub seed: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_in_one_pass_gives_what_each_minute_asked_alone_gives() {
        use crate::flex::Metric;
        // Across midnight, where the since-midnight window starts again.
        let midnight = 20_788 * 86_400;
        let (from, to) = (midnight - 10 * 60, midnight + 20 * 60);
        for channel in [Some("voice"), None] {
            let series = metric_series(("WQ1", channel), (from, to), (60, 3));
            assert_eq!(series.len(), 30);
            for (at, metrics) in &series {
                for (metric, value) in metrics {
                    let alone = metric_value(("WQ1", channel), *metric, *at, (60, 3));
                    assert_eq!(alone, Some(*value), "{metric} at {at}");
                }
                if channel.is_some() {
                    assert!(
                        metrics
                            .iter()
                            .any(|(metric, _)| *metric == Metric::AbandonedToday)
                    );
                }
            }
        }
    }

    const CONTEXT: Context<'static> = Context {
        account_sid: "AC0",
        workspace_sid: "WS0",
        workspace_url: "https://taskrouter.twilio.com/v1/Workspaces/WS0",
        seed: 0,
    };

    #[test]
    fn the_day_is_busy_by_day_quiet_by_night_and_repeatable() {
        let noon = 1_795_953_600; // 2026-11-29T12:00:00Z
        let night = noon - 10 * 3600;
        assert!(load(noon) > 0.5 && load(night) < 0.1);
        let day = realtime("WQ1", Some("voice"), noon, &CONTEXT);
        assert_eq!(day, realtime("WQ1", Some("voice"), noon, &CONTEXT));
        let busy: u64 = (0..60)
            .map(|m| realtime("WQ1", Some("voice"), noon + m * 60, &CONTEXT)["tasks_by_status"]["assigned"].as_u64().unwrap())
            .sum();
        let quiet: u64 = (0..60)
            .map(|m| realtime("WQ1", Some("voice"), night + m * 60, &CONTEXT)["tasks_by_status"]["assigned"].as_u64().unwrap())
            .sum();
        assert!(busy > 3 * quiet, "{busy} {quiet}");
        let half_hour = cumulative("WQ1", Some("voice"), (noon - 1800, noon), &[60], &CONTEXT);
        let accepted = half_hour["reservations_accepted"].as_u64().unwrap();
        let split = &half_hour["split_by_wait_time"]["60"];
        assert_eq!(
            split["below"]["reservations_accepted"].as_u64().unwrap()
                + split["above"]["reservations_accepted"].as_u64().unwrap(),
            accepted
        );
        assert!(accepted > 50, "{accepted}");
        let other_day = Context { seed: 7, ..CONTEXT };
        assert_ne!(
            day,
            realtime("WQ1", Some("voice"), noon, &other_day),
            "another seed, another day"
        );
    }
}
