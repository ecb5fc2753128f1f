//! The paging impact of a plan (`plan --history`): for each alert whose thresholds or
//! notifications change, the notifications a day it sent on a history as it is live and would
//! send as the files declare it.

use std::collections::BTreeMap;

use super::backtest::notifications_per_day;
use super::engine::{self, Rule, Sample};
use super::history::History;
use super::rule::from_spec;
use crate::flex::Metric;
use crate::plan::alert::AlertSpec;
use crate::plan::{Chart, Paging, Plan};
use crate::store::Directory;

/// Notifications a day before and after, by alert name, for the changes that affect them.
pub fn paging(plan: &Plan, directory: &Directory, history: &History) -> BTreeMap<String, Paging> {
    let mut paging = BTreeMap::new();
    for entry in plan.entries.iter().filter(|entry| entry.action.is_change()) {
        let before = entry.live.as_ref().map(|live| &live.spec);
        let after = entry.desired.as_ref();
        let (rule_before, rule_after) = (before.map(from_spec), after.map(from_spec));
        if rule_before == rule_after {
            continue; // a change of who is told, not of when
        }
        let rate = |spec: Option<&AlertSpec>, rule: Option<Rule>| {
            Some(notifications_per_day(
                &rule?,
                &series(spec?, directory, history),
                history,
            ))
        };
        let chart = chart(
            (before, rule_before.as_ref()),
            (after, rule_after.as_ref()),
            directory,
            history,
        );
        paging.insert(
            entry.name.clone(),
            Paging {
                before: rate(before, rule_before),
                after: rate(after, rule_after),
                chart,
            },
        );
    }
    paging
}

/// The last day of the history (at most; on whole hours, UTC) for the first queue of the
/// alert with data: its hourly highest value, the thresholds live and as planned, and the
/// notifications each side sends in each hour, counted by the same engine as `backtest`.
fn chart(
    (before, rule_before): (Option<&AlertSpec>, Option<&Rule>),
    (after, rule_after): (Option<&AlertSpec>, Option<&Rule>),
    directory: &Directory,
    history: &History,
) -> Option<Chart> {
    let spec = after.or(before)?;
    let (queue, samples) = series(spec, directory, history)
        .into_iter()
        .find_map(|(queue, samples)| Some((queue, samples?)))?;
    let metric = Metric::from_id(&spec.metric)?;
    // Up to the end of the hour the history's last second falls in.
    let end = (history.to + 1 + 3599).div_euclid(3600) * 3600;
    let from = (end - 86_400).max(history.from.div_euclid(3600) * 3600);
    let hours = ((end - from) / 3600).max(1) as usize;
    let hour_of = |at: i64| ((at - from) / 3600) as usize;
    let mut highest = vec![0.0f64; hours];
    for sample in samples
        .iter()
        .filter(|sample| sample.at >= from && sample.at < end)
    {
        let hour = hour_of(sample.at);
        highest[hour] = highest[hour].max(sample.value);
    }
    let notifications = |rule: Option<&Rule>| {
        let evaluation = engine::evaluate(rule?, samples, history.to + 1);
        let mut counts = vec![0usize; hours];
        for notification in evaluation
            .notifications
            .iter()
            .filter(|n| n.at >= from && n.at < end)
        {
            counts[hour_of(notification.at)] += 1;
        }
        Some(counts)
    };
    let level = |rule: Option<&Rule>, critical: bool| {
        let rule = rule?;
        let threshold = if critical {
            rule.critical
        } else {
            rule.warning
        };
        threshold.map(|threshold| threshold.value)
    };
    let thresholds = [("warning", false), ("critical", true)]
        .into_iter()
        .map(|(name, critical)| {
            (
                name,
                level(rule_before, critical),
                level(rule_after, critical),
            )
        })
        .filter(|(_, live, planned)| live.is_some() || planned.is_some())
        .collect();
    Some(Chart {
        queue: directory.queue_name(&queue).unwrap_or(&queue).to_owned(),
        metric: spec.metric.clone(),
        unit: metric.unit(),
        from,
        highest,
        thresholds,
        notifications_before: notifications(rule_before),
        notifications_after: notifications(rule_after),
    })
}

/// Each queue of a live or planned alert with its series in `history`, which may name queues
/// and channels by SID or by name.
fn series<'h>(
    spec: &AlertSpec,
    directory: &Directory,
    history: &'h History,
) -> Vec<(String, Option<&'h [Sample]>)> {
    let Some(metric) = Metric::from_id(&spec.metric) else {
        return Vec::new();
    };
    let channels: Vec<Option<&str>> = match &spec.channel {
        Some(sid) => vec![Some(sid.as_str()), directory.channel_name(sid)],
        None => vec![None],
    };
    spec.queues
        .iter()
        .map(|sid| {
            let queues = [Some(sid.as_str()), directory.queue_name(sid)];
            let samples = queues.iter().flatten().find_map(|queue| {
                channels
                    .iter()
                    .find_map(|channel| history.samples(queue, *channel, metric))
            });
            (sid.clone(), samples)
        })
        .collect()
}
