//! The paging impact of a plan (`plan --history`): for each alert whose thresholds or
//! notifications change, the notifications a day it sent on a history as it is live and would
//! send as the files declare it.

use std::collections::BTreeMap;

use super::backtest::notifications_per_day;
use super::engine::Sample;
use super::history::History;
use super::rule::from_spec;
use crate::flex::Metric;
use crate::plan::alert::AlertSpec;
use crate::plan::{Paging, Plan};
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
        let rate = |spec: Option<&AlertSpec>, rule: Option<crate::evaluate::engine::Rule>| {
            Some(notifications_per_day(
                &rule?,
                &series(spec?, directory, history),
                history,
            ))
        };
        paging.insert(
            entry.name.clone(),
            Paging {
                before: rate(before, rule_before),
                after: rate(after, rule_after),
            },
        );
    }
    paging
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
