//! `plan()`: the desired alerts against the live store, as a pure function of data: no clock,
//! no network, no printing. It resolves names, matches alerts by name or `renamed_from`,
//! decides create / update / replace / delete / no-op per alert, checks the caps, and lays out
//! the steps apply runs, in an order that keeps every cap at every step.

pub mod action;
pub mod alert;
pub mod drift;
pub mod order;
pub mod protect;
pub mod resolve;
pub mod scope;
pub mod view;

use std::collections::BTreeMap;

use crate::common::secret::hash_text;
use crate::config::desired::{BrowserPushMode, Desired, Origin};
use crate::flex::wire::{NotificationConfig, Rule};
use crate::store::{Directory, Live, merge_by_sid};
pub use action::{Action, ReplaceOrder};
use alert::AlertSpec;
pub use drift::{Applied, Drift};
pub use order::{Op, Phase, Step};
pub use protect::Protection;
pub use scope::{Scope, ScopeSummary};
use view::AlertView;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanOptions {
    /// Delete live alerts no file declares (`settings.prune` or `--prune`).
    pub prune: bool,
    /// `--target` / `--exclude`.
    pub scope: Scope,
    /// What may not be deleted or replaced, and `--allow-protected`.
    pub protection: Protection,
    /// What the last apply to this store left, for drift.
    pub applied: Applied,
}

/// The live side of one alert.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveAlert {
    pub sid: String,
    /// The notification configuration it names, if any.
    pub ttid: Option<String>,
    /// Whether that configuration exists.
    pub config_exists: bool,
    /// Changes whenever the rule or its configuration changes.
    pub fingerprint: String,
    pub spec: AlertSpec,
}

/// The decision for one alert, with both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    pub action: Action,
    pub reason: String,
    pub live: Option<LiveAlert>,
    pub before: Option<AlertView>,
    /// The desired alert in normal form; holds the webhook URL to send.
    pub desired: Option<AlertSpec>,
    pub after: Option<AlertView>,
    /// Where the desired alert is declared.
    pub origin: Option<Origin>,
    /// Declared with `protect: true` (for an undeclared alert: when last applied).
    pub protected: bool,
    /// Changed or deleted outside flex-alerts since the last apply.
    pub drift: Option<Drift>,
}

/// A change to the Flex configuration's `notifications.mode`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeChange {
    pub before: Option<String>,
    pub after: String,
}

/// A live alert that YAML v1 cannot represent (made in Console, or of a shape flex-alerts does
/// not know): listed with the reason, never changed, and counted against the caps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmanageable {
    pub sid: Option<String>,
    pub name: Option<String>,
    pub reason: String,
    /// It names a notification configuration that exists (which counts against its cap).
    pub config_exists: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// One per alert, sorted by name.
    pub entries: Vec<Entry>,
    /// Live alerts flex-alerts cannot represent, in the order the store lists them.
    pub unmanageable: Vec<Unmanageable>,
    /// Notification configuration creates whose answer never came: each may have made a
    /// configuration whose id nobody knows (the API cannot list them). They are not deleted,
    /// only reported, because nothing can address them.
    pub possible_configs: usize,
    pub notifications_mode: Option<ModeChange>,
    /// Notification configurations nothing references that an earlier apply left; deleted.
    pub orphan_configs: Vec<String>,
    pub steps: Vec<Step>,
    pub alerts_before: usize,
    /// Notification configurations live when planned: those rules name, and leftovers.
    pub configs_before: usize,
    pub alerts_after: usize,
    pub configs_after: usize,
    /// With `plan --history`: notifications a day before and after, by alert name, for the
    /// alerts whose thresholds or notifications change.
    pub paging: std::collections::BTreeMap<String, Paging>,
    /// With `--target` / `--exclude`: what the plan was limited to and left out.
    pub scope: Option<ScopeSummary>,
    /// What the environment protects every alert from.
    pub environment_protects: Vec<crate::config::model::ProtectKind>,
    /// `plan --refresh-only`: only the drifted alerts, and no steps.
    pub refresh_only: bool,
}

/// Notifications a day an alert sent on a history as it is live (`before`) and would send as
/// the files declare it (`after`); `None` for the side where the alert does not exist.
#[derive(Debug, Clone, PartialEq)]
pub struct Paging {
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// A day of one of its queues, for a chart in the pull request.
    pub chart: Option<Chart>,
}

/// A day of an alert on a history, hour by hour: the metric's highest value, its thresholds
/// live and as planned, and the notifications on each side.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub queue: String,
    pub metric: String,
    pub unit: &'static str,
    /// The first hour (Unix seconds, on the hour, UTC); one value a hour from there.
    pub from: i64,
    pub highest: Vec<f64>,
    /// `("critical", live, planned)`: each threshold level either side has.
    pub thresholds: Vec<(&'static str, Option<f64>, Option<f64>)>,
    pub notifications_before: Option<Vec<usize>>,
    pub notifications_after: Option<Vec<usize>>,
}

impl Paging {
    /// `5.0/day -> 0.5/day`, `new -> 1.2/day`, `3.0/day -> removed`.
    pub fn describe(&self) -> String {
        let side = |value: Option<f64>, missing: &str| {
            value.map_or(missing.to_owned(), |value| format!("{value:.1}/day"))
        };
        format!(
            "{} -> {}",
            side(self.before, "new"),
            side(self.after, "removed")
        )
    }
}

/// Why there is no plan: each problem, with a hint where one helps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub hint: Option<String>,
}

/// How many alerts each action touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub unchanged: usize,
    pub unmanaged: usize,
    pub forget: usize,
}

impl Plan {
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for entry in &self.entries {
            match entry.action {
                Action::Create => counts.create += 1,
                Action::Update => counts.update += 1,
                Action::Replace(_) => counts.replace += 1,
                Action::Delete | Action::DeleteDuplicate => counts.delete += 1,
                Action::NoOp => counts.unchanged += 1,
                Action::Unmanaged => counts.unmanaged += 1,
                Action::Forget => counts.forget += 1,
            }
        }
        counts
    }

    /// Whether applying it writes anything.
    pub fn has_changes(&self) -> bool {
        !self.steps.is_empty()
    }

    /// A step in words: `create alert "Billing waiting"`.
    pub fn describe(&self, step: &Step) -> String {
        let name = step
            .entry
            .map(|entry| self.entries[entry].name.as_str())
            .unwrap_or_default();
        match &step.op {
            Op::CreateConfig => format!("create the notification configuration of \"{name}\""),
            Op::UpdateConfig { ttid } => {
                format!("update the notification configuration of \"{name}\" ({ttid})")
            }
            Op::DeleteConfig { ttid } if step.entry.is_none() => {
                format!("delete leftover notification configuration {ttid}")
            }
            Op::DeleteConfig { ttid } => {
                format!("delete the notification configuration of \"{name}\" ({ttid})")
            }
            Op::CreateRule => format!("create alert \"{name}\""),
            Op::UpdateRule { sid, .. } => format!("update alert \"{name}\" ({sid})"),
            Op::DeleteRule { sid } => format!("delete alert \"{name}\" ({sid})"),
            Op::SetNotificationsMode { mode } => {
                format!("set the Flex notifications mode to {mode}")
            }
        }
    }

    /// The entries that change something.
    pub fn changes(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|entry| entry.action.is_change())
    }
}

/// A hash of everything Flex holds for a rule, to see whether it changed since a plan.
pub fn fingerprint(rule: &Rule, config: Option<&NotificationConfig>) -> String {
    let text = serde_json::to_string(&(rule, config)).expect("wire types serialize");
    hash_text(&text)
}

/// The alerts `plan` changes whose live side is no longer what the plan saw in `live`.
pub fn stale(plan: &Plan, live: &Live) -> Vec<String> {
    plan.changes()
        .filter(|entry| {
            let now = match &entry.live {
                Some(seen) => live.rules.iter().find(|rule| rule.sid() == seen.sid),
                None => live.rules.iter().find(|rule| rule.name() == entry.name),
            };
            let fingerprint = now.map(|rule| {
                let config = rule
                    .notify_methods_id
                    .as_ref()
                    .and_then(|ttid| live.configs.get(ttid));
                fingerprint(rule, config)
            });
            fingerprint.as_ref() != entry.live.as_ref().map(|seen| &seen.fingerprint)
        })
        .map(|entry| entry.name.clone())
        .collect()
}

/// The wire value of `settings.browser_push_mode`.
pub fn mode_name(mode: BrowserPushMode) -> &'static str {
    match mode {
        BrowserPushMode::Always => "always",
        BrowserPushMode::WhenNotInFocus => "whenNotInFocus",
    }
}

/// Compares `desired` with `live` and lays out the steps that make live match.
///
/// Several live alerts under one declared name (the remains of an interrupted replace or of
/// two applies at once) are repaired: one is kept (see `choose_copy`) and the others are
/// deleted.
pub fn plan(desired: &Desired, live: &Live, options: PlanOptions) -> Result<Plan, Vec<Problem>> {
    let directory = &live.directory;
    let mut problems = Vec::new();
    let mut unmanageable = Vec::new();
    let mut by_name: BTreeMap<&str, Vec<LiveAlert>> = BTreeMap::new();
    // One SID is one alert, however often a listing names it.
    let rules = merge_by_sid(live.rules.clone());
    for rule in &rules {
        match live_alert(rule, live) {
            Ok(alert) => by_name.entry(rule.name()).or_default().push(alert),
            Err(reason) => unmanageable.push(Unmanageable {
                sid: rule.sid.clone(),
                name: rule.rule_friendly_name.clone(),
                reason,
                config_exists: rule
                    .notify_methods_id
                    .as_ref()
                    .is_some_and(|ttid| live.configs.contains_key(ttid)),
            }),
        }
    }
    let mut claimed: Vec<String> = Vec::new();
    let mut entries = Vec::new();
    for alert in &desired.alerts {
        let spec = match resolve::resolve(alert, directory) {
            Ok(spec) => Some(spec),
            Err(errors) => {
                for error in errors {
                    problems.push(Problem {
                        message: format!(
                            "{}: alert `{}`: {error}",
                            alert.origin_of(&error.given),
                            alert.name
                        ),
                        hint: error.hint,
                    });
                }
                None
            }
        };
        let names: Vec<&str> = std::iter::once(&alert.name)
            .chain(&alert.renamed_from)
            .map(String::as_str)
            .collect();
        let mut matches: Vec<LiveAlert> = names
            .iter()
            .flat_map(|name| by_name.get(name).cloned().unwrap_or_default())
            .collect();
        claimed.extend(matches.iter().map(|live| live.sid.clone()));
        if let Some(other) = unmanageable.iter().find(|other| {
            other
                .name
                .as_deref()
                .is_some_and(|name| names.contains(&name))
        }) {
            problems.push(Problem {
                message: format!(
                    "{}: alert `{}`: live alert {} has this name, but flex-alerts cannot read it: {}",
                    alert.origin,
                    alert.name,
                    other.sid.as_deref().unwrap_or("(no SID)"),
                    other.reason
                ),
                hint: Some(
                    "rename or delete that alert in Console, or give this one another name"
                        .to_owned(),
                ),
            });
            continue;
        }
        let Some(spec) = spec else { continue };
        let kept = if matches.len() > 1 {
            // Copies under one name: keep one by the rule in `choose_copy`, delete the rest.
            let position = |live: &LiveAlert| rules.iter().position(|rule| rule.sid() == live.sid);
            matches.sort_by_key(position);
            let (index, why) = choose_copy(&spec, &matches);
            let keep = matches.remove(index);
            for duplicate in matches {
                entries.push(duplicate_entry(
                    duplicate,
                    &keep,
                    why,
                    &alert.origin,
                    directory,
                ));
            }
            Some(keep)
        } else {
            matches.pop()
        };
        if let Some(problem) = channel_problem(alert, &spec, kept.as_ref(), directory) {
            problems.push(problem);
            continue;
        }
        let mut entry = decide(spec, kept, &alert.origin, directory);
        entry.protected = alert.protect;
        entries.push(entry);
    }
    // Forgotten: left live as they are, never deleted.
    for (name, origin) in &desired.forgotten {
        for alert in by_name.get(name.as_str()).into_iter().flatten() {
            claimed.push(alert.sid.clone());
            entries.push(Entry {
                name: name.clone(),
                action: Action::Forget,
                reason: format!(
                    "`forget` at {origin}: flex-alerts no longer manages it; it stays live as it is, and prune never deletes it"
                ),
                before: Some(AlertView::new(&alert.spec, directory)),
                live: Some(alert.clone()),
                desired: None,
                after: None,
                origin: Some(origin.clone()),
                protected: false,
                drift: None,
            });
        }
    }
    for alert in by_name.into_values().flatten() {
        if claimed.contains(&alert.sid) {
            continue;
        }
        let (action, reason) = if options.prune {
            (Action::Delete, "no file declares it and prune is on")
        } else {
            (
                Action::Unmanaged,
                "no file declares it; kept because prune is off",
            )
        };
        entries.push(Entry {
            name: alert.spec.name.clone(),
            action,
            reason: reason.to_owned(),
            before: Some(AlertView::new(&alert.spec, directory)),
            protected: options
                .applied
                .0
                .get(&alert.sid)
                .is_some_and(|record| record.protected),
            live: Some(alert),
            desired: None,
            after: None,
            origin: None,
            drift: None,
        });
    }
    let known = known_names(desired, &rules);
    for (message, hint) in options.scope.unknown(&known) {
        problems.push(Problem { message, hint });
    }
    let allowed = &options.protection.allowed;
    for (message, hint) in scope::unknown_patterns("--allow-protected", allowed, &known) {
        problems.push(Problem { message, hint });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Never delete what the plan keeps: one SID is one alert.
    let kept: Vec<String> = entries
        .iter()
        .filter(|entry| !entry.action.deletes_live())
        .filter_map(|entry| entry.live.as_ref().map(|live| live.sid.clone()))
        .collect();
    entries.retain(|entry| {
        !(entry.action.deletes_live()
            && entry
                .live
                .as_ref()
                .is_some_and(|live| kept.contains(&live.sid)))
    });
    entries.sort_by(|left, right| {
        left.name
            .cmp(&right.name)
            .then(left.action.verb().cmp(right.action.verb()))
    });
    let live_sids: Vec<&str> = rules.iter().map(|rule| rule.sid()).collect();
    for entry in &mut entries {
        if entry.action != Action::Forget {
            let seen = entry
                .live
                .as_ref()
                .map(|live| (live.sid.as_str(), live.fingerprint.as_str()));
            entry.drift = options.applied.drift_of(seen, &entry.name, &live_sids);
        }
    }
    let (entries, scope) = limit_to(entries, desired, &options.scope);
    let protected_since = |entry: &Entry| {
        let sid = &entry.live.as_ref()?.sid;
        let record = options
            .applied
            .0
            .get(sid)
            .filter(|record| record.protected)?;
        Some(record.applied_at.clone())
    };
    let problems = options.protection.check(&entries, &protected_since);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut notifications_mode = desired.browser_push_mode.and_then(|mode| {
        let after = mode_name(mode);
        (live.notifications_mode.as_deref() != Some(after)).then(|| ModeChange {
            before: live.notifications_mode.clone(),
            after: after.to_owned(),
        })
    });
    if scope.is_some() {
        // A targeted plan changes the chosen alerts only, not the instance's settings.
        notifications_mode = None;
    }
    let mut plan = order::lay_out(entries, unmanageable, notifications_mode, live, scope)?;
    plan.environment_protects = options
        .protection
        .environment
        .as_ref()
        .map(|(_, kinds)| kinds.clone())
        .unwrap_or_default();
    Ok(plan)
}

/// Every alert name the files and the store know, for `--target` and `--allow-protected`.
fn known_names(desired: &Desired, rules: &[Rule]) -> Vec<String> {
    let mut known: Vec<String> = desired
        .alerts
        .iter()
        .flat_map(|alert| std::iter::once(&alert.name).chain(&alert.renamed_from))
        .chain(desired.forgotten.iter().map(|(name, _)| name))
        .cloned()
        .chain(rules.iter().map(|rule| rule.name().to_owned()))
        .collect();
    known.sort();
    known.dedup();
    known
}

/// The entries `scope` chooses, and what it left out (`None` when it chooses everything).
fn limit_to(
    entries: Vec<Entry>,
    desired: &Desired,
    scope: &Scope,
) -> (Vec<Entry>, Option<ScopeSummary>) {
    if scope.is_everything() {
        return (entries, None);
    }
    let mut summary = ScopeSummary {
        targets: scope.targets.clone(),
        excludes: scope.excludes.clone(),
        ..ScopeSummary::default()
    };
    let mut chosen = Vec::new();
    for entry in entries {
        let mut names = vec![entry.name.as_str()];
        if let Some(alert) = desired.alerts.iter().find(|alert| alert.name == entry.name) {
            names.extend(alert.renamed_from.iter().map(String::as_str));
        }
        if let Some(live) = &entry.live {
            names.push(live.spec.name.as_str());
        }
        if scope.includes(&names) {
            chosen.push(entry);
        } else {
            summary.left_out += 1;
            if let Some(live) = &entry.live {
                summary.left_out_live += 1;
                summary.left_out_configs += usize::from(live.config_exists);
            }
        }
    }
    (chosen, Some(summary))
}

/// Which of several live copies of one declared alert (in Flex's listing order) to keep, and
/// why: the first that matches the file; else the first with the file's metric, which is
/// updated to match; else the first, which is replaced (no copy has the metric). There is
/// always one to keep, so copies never block a plan.
fn choose_copy(spec: &AlertSpec, copies: &[LiveAlert]) -> (usize, &'static str) {
    let as_declared = |live: &LiveAlert| {
        AlertSpec {
            name: spec.name.clone(),
            ..live.spec.clone()
        } == *spec
    };
    if let Some(index) = copies.iter().position(as_declared) {
        return (index, "matches the file and is kept");
    }
    if let Some(index) = copies
        .iter()
        .position(|live| live.spec.metric == spec.metric)
    {
        return (
            index,
            "is the first with the file's metric: it is kept and updated to match the file",
        );
    }
    (
        0,
        "is the first listed: no copy has the file's metric, so it is kept and replaced",
    )
}

/// A live alert that repeats a declared name; `keep` is the one that stays.
fn duplicate_entry(
    duplicate: LiveAlert,
    keep: &LiveAlert,
    why: &str,
    origin: &Origin,
    directory: &Directory,
) -> Entry {
    Entry {
        name: duplicate.spec.name.clone(),
        action: Action::DeleteDuplicate,
        reason: format!(
            "a second live alert with this name, left by an interrupted replace or two applies at once; {} {why}",
            keep.sid
        ),
        before: Some(AlertView::new(&duplicate.spec, directory)),
        live: Some(duplicate),
        desired: None,
        after: None,
        origin: Some(origin.clone()),
        protected: false,
        drift: None,
    }
}

/// A file may leave `channel` out only for an existing alert that has none: Flex needs a
/// channel to create one.
fn channel_problem(
    alert: &crate::config::desired::DesiredAlert,
    spec: &AlertSpec,
    live: Option<&LiveAlert>,
    directory: &Directory,
) -> Option<Problem> {
    if spec.channel.is_some() {
        return None;
    }
    let message = match live {
        Some(live) if live.spec.metric == spec.metric => {
            let channel = live.spec.channel.as_ref()?;
            format!(
                "alert `{}` has no `channel`, but the live alert {} watches channel `{}`; a channel can be left out only for an alert that has none in Flex",
                alert.name,
                live.sid,
                directory.channel_name(channel).unwrap_or(channel)
            )
        }
        _ => format!(
            "alert `{}` has no `channel`: Flex needs one to create an alert (it can be left out only for an existing agent-activity alert that has none)",
            alert.name
        ),
    };
    Some(Problem {
        message: format!("{}: {message}", alert.origin),
        hint: Some("add `channel:` (e.g. `channel: voice`)".to_owned()),
    })
}

fn live_alert(rule: &Rule, live: &Live) -> Result<LiveAlert, String> {
    let config = rule
        .notify_methods_id
        .as_ref()
        .and_then(|ttid| live.configs.get(ttid));
    Ok(LiveAlert {
        sid: rule.sid().to_owned(),
        ttid: rule.notify_methods_id.clone(),
        config_exists: config.is_some(),
        fingerprint: fingerprint(rule, config),
        spec: AlertSpec::from_live(rule, &live.configs)?,
    })
}

fn decide(
    spec: AlertSpec,
    live: Option<LiveAlert>,
    origin: &Origin,
    directory: &Directory,
) -> Entry {
    let after = AlertView::new(&spec, directory);
    let before = live
        .as_ref()
        .map(|live| AlertView::new(&live.spec, directory));
    let (action, reason) = match (&live, &before) {
        (Some(live), _) if live.spec.metric != spec.metric => (
            // The order is settled with the caps; delete-first is the safe default.
            Action::Replace(ReplaceOrder::DeleteFirst),
            format!(
                "the metric changes from `{}` to `{}`: Flex cannot edit a metric, so the alert is deleted and created again (its SID changes and its state resets)",
                live.spec.metric, spec.metric
            ),
        ),
        (Some(live), Some(before)) if live.spec != spec => {
            let mut reason = String::new();
            if live.spec.name != spec.name {
                reason = format!("renamed from `{}`; ", live.spec.name);
            }
            let changed = view::changes(before, &after);
            let fields: Vec<&str> = changed.iter().map(|(field, _, _)| field.as_str()).collect();
            reason.push_str(&format!("changed: {}", fields.join(", ")));
            (Action::Update, reason)
        }
        (Some(_), _) => (Action::NoOp, "matches the files".to_owned()),
        (None, _) => (Action::Create, "new alert".to_owned()),
    };
    Entry {
        name: spec.name.clone(),
        action,
        reason,
        before,
        live,
        after: Some(after),
        desired: Some(spec),
        origin: Some(origin.clone()),
        protected: false,
        drift: None,
    }
}
