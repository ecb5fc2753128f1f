//! `plan()`: the desired alerts against the live store, as a pure function of data: no clock,
//! no network, no printing. It resolves names, matches alerts by name or `renamed_from`,
//! decides create / update / replace / delete / no-op per alert, checks the caps, and lays out
//! the steps apply runs, in an order that keeps every cap at every step.

pub mod action;
pub mod alert;
pub mod order;
pub mod resolve;
pub mod view;

use std::collections::BTreeMap;

use crate::config::desired::{BrowserPushMode, Desired, Origin};
use crate::secret::hash_text;
use crate::store::wire::{NotificationConfig, Rule};
use crate::store::{Directory, Live};
pub use action::{Action, ReplaceOrder};
use alert::AlertSpec;
pub use order::{Op, Phase, Step};
use view::AlertView;

/// Flex's caps: alert rules per account, notification configurations per instance.
pub const MAX_ALERTS: usize = 100;
pub const MAX_CONFIGS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanOptions {
    /// Delete live alerts no file declares (`settings.prune` or `--prune`).
    pub prune: bool,
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
}

/// A change to the Flex configuration's `notifications.mode`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeChange {
    pub before: Option<String>,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// One per alert, sorted by name.
    pub entries: Vec<Entry>,
    pub notifications_mode: Option<ModeChange>,
    /// Notification configurations nothing references that an earlier apply left; deleted.
    pub orphan_configs: Vec<String>,
    pub steps: Vec<Step>,
    pub alerts_before: usize,
    /// Notification configurations live when planned: those rules name, and leftovers.
    pub configs_before: usize,
    pub alerts_after: usize,
    pub configs_after: usize,
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
}

impl Plan {
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for entry in &self.entries {
            match entry.action {
                Action::Create => counts.create += 1,
                Action::Update => counts.update += 1,
                Action::Replace(_) => counts.replace += 1,
                Action::Delete => counts.delete += 1,
                Action::NoOp => counts.unchanged += 1,
                Action::Unmanaged => counts.unmanaged += 1,
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
                Some(seen) => live.rules.iter().find(|rule| rule.sid == seen.sid),
                None => live
                    .rules
                    .iter()
                    .find(|rule| rule.rule_friendly_name == entry.name),
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
pub fn plan(desired: &Desired, live: &Live, options: PlanOptions) -> Result<Plan, Vec<Problem>> {
    let directory = &live.directory;
    let mut problems = Vec::new();
    let mut by_name: BTreeMap<&str, Vec<&Rule>> = BTreeMap::new();
    for rule in &live.rules {
        by_name
            .entry(rule.rule_friendly_name.as_str())
            .or_default()
            .push(rule);
    }
    let mut claimed: Vec<&str> = Vec::new();
    let mut entries = Vec::new();
    for alert in &desired.alerts {
        let spec = match resolve::resolve(alert, directory) {
            Ok(spec) => Some(spec),
            Err(unknown) => {
                for name in unknown {
                    problems.push(Problem {
                        message: format!(
                            "{}: alert `{}`: {name}",
                            alert.origin_of(&name.given),
                            alert.name
                        ),
                        hint: name.hint,
                    });
                }
                None
            }
        };
        let matches: Vec<&Rule> = std::iter::once(&alert.name)
            .chain(&alert.renamed_from)
            .flat_map(|name| by_name.get(name.as_str()).cloned().unwrap_or_default())
            .collect();
        if matches.len() > 1 {
            let sids: Vec<&str> = matches.iter().map(|rule| rule.sid.as_str()).collect();
            problems.push(Problem {
                message: format!(
                    "{}: alert `{}` matches {} live alerts: {}",
                    alert.origin,
                    alert.name,
                    matches.len(),
                    sids.join(", ")
                ),
                hint: Some(
                    "Flex holds two alerts under one name; delete or rename all but one in Console"
                        .to_owned(),
                ),
            });
            continue;
        }
        claimed.extend(matches.iter().map(|rule| rule.sid.as_str()));
        let Some(spec) = spec else { continue };
        let live_alert = matches.first().map(|rule| live_alert(rule, live));
        entries.push(decide(spec, live_alert, &alert.origin, directory));
    }
    for rule in &live.rules {
        if claimed.contains(&rule.sid.as_str()) {
            continue;
        }
        let live_alert = live_alert(rule, live);
        let (action, reason) = if options.prune {
            (Action::Delete, "no file declares it and prune is on")
        } else {
            (
                Action::Unmanaged,
                "no file declares it; kept because prune is off",
            )
        };
        entries.push(Entry {
            name: rule.rule_friendly_name.clone(),
            action,
            reason: reason.to_owned(),
            before: Some(AlertView::new(&live_alert.spec, directory)),
            live: Some(live_alert),
            desired: None,
            after: None,
            origin: None,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    entries.sort_by(|left, right| {
        left.name
            .cmp(&right.name)
            .then(left.action.verb().cmp(right.action.verb()))
    });
    let notifications_mode = desired.browser_push_mode.and_then(|mode| {
        let after = mode_name(mode);
        (live.notifications_mode.as_deref() != Some(after)).then(|| ModeChange {
            before: live.notifications_mode.clone(),
            after: after.to_owned(),
        })
    });
    order::lay_out(entries, notifications_mode, live)
}

fn live_alert(rule: &Rule, live: &Live) -> LiveAlert {
    let config = rule
        .notify_methods_id
        .as_ref()
        .and_then(|ttid| live.configs.get(ttid));
    LiveAlert {
        sid: rule.sid.clone(),
        ttid: rule.notify_methods_id.clone(),
        config_exists: config.is_some(),
        fingerprint: fingerprint(rule, config),
        spec: AlertSpec::from_live(rule, &live.configs),
    }
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
    }
}
