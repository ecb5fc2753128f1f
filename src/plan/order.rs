//! The caps and the order of writes. The final state must fit 100 alerts and 100 notification
//! configurations, and so must every moment of apply: a replace creates its new alert first
//! only when there is room for both at once, else it deletes the old one first. Each step names
//! the steps it needs; its phase (remove, write, finish) says what kind of step it is, and
//! apply keeps the caps by counting (see `apply`).
//!
//! Within an alert, a configuration is deleted before the rule that names it is deleted or
//! detached, and created before the rule that will name it, so a completed apply never leaves
//! a configuration nothing references.

use super::{Action, Entry, ModeChange, Plan, Problem, ReplaceOrder, ScopeSummary, Unmanageable};
use crate::flex::limits::{MAX_ALERTS, MAX_NOTIFICATION_CONFIGS};
use crate::store::Live;

/// What kind of step it is: one that makes room, one that writes, or the old half of a
/// create-first replace. Apply orders steps by their dependencies and the caps, not by phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Deletes: they make room.
    Remove,
    /// Creates and updates.
    Write,
    /// The old halves of create-first replaces.
    Finish,
}

/// One write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// A configuration for the entry's alert; its TTID goes to the rule step after it.
    CreateConfig,
    UpdateConfig {
        ttid: String,
    },
    DeleteConfig {
        ttid: String,
    },
    /// Names the configuration created by a step it depends on, if any.
    CreateRule,
    /// Names the configuration created by a step it depends on, else `ttid`.
    UpdateRule {
        sid: String,
        ttid: Option<String>,
    },
    DeleteRule {
        sid: String,
    },
    SetNotificationsMode {
        mode: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: usize,
    pub phase: Phase,
    /// Steps that must succeed first.
    pub after: Vec<usize>,
    /// Index of the entry it belongs to.
    pub entry: Option<usize>,
    pub op: Op,
}

impl Step {
    /// Whether it adds an alert (+1) or removes one (-1) from the count, and likewise for
    /// configurations.
    pub fn cap_effect(&self) -> (i32, i32) {
        match self.op {
            Op::CreateRule => (1, 0),
            Op::DeleteRule { .. } => (-1, 0),
            Op::CreateConfig => (0, 1),
            Op::DeleteConfig { .. } => (0, -1),
            _ => (0, 0),
        }
    }
}

struct Steps(Vec<Step>);

impl Steps {
    fn add(
        &mut self,
        phase: Phase,
        after: Vec<Option<usize>>,
        entry: Option<usize>,
        op: Op,
    ) -> usize {
        let id = self.0.len();
        self.0.push(Step {
            id,
            phase,
            after: after.into_iter().flatten().collect(),
            entry,
            op,
        });
        id
    }
}

/// Checks the caps, settles replace orders and lays out the steps.
pub fn lay_out(
    mut entries: Vec<Entry>,
    unmanageable: Vec<Unmanageable>,
    notifications_mode: Option<ModeChange>,
    live: &Live,
    scope: Option<ScopeSummary>,
) -> Result<Plan, Vec<Problem>> {
    let has_config = |entry: &Entry| {
        entry
            .desired
            .as_ref()
            .is_some_and(|spec| spec.notify.is_some())
    };
    // Kept as they are: undeclared alerts with prune off, forgotten ones, alerts flex-alerts
    // cannot read, and live alerts a targeted plan leaves out.
    let kept = entries
        .iter()
        .filter(|entry| entry.action.keeps_undeclared());
    let (left_out, left_out_configs) = scope.as_ref().map_or((0, 0), |scope| {
        (scope.left_out_live, scope.left_out_configs)
    });
    let kept_count = kept.clone().count() + unmanageable.len() + left_out;
    let kept_configs = kept
        .filter(|entry| entry.live.as_ref().is_some_and(|live| live.config_exists))
        .count()
        + unmanageable
            .iter()
            .filter(|alert| alert.config_exists)
            .count()
        + left_out_configs;
    let declared = entries
        .iter()
        .filter(|entry| entry.desired.is_some())
        .count();
    let alerts_after = declared + kept_count;
    let configs_after = entries.iter().filter(|entry| has_config(entry)).count() + kept_configs;
    let mut problems = Vec::new();
    for (what, after, cap, kept) in [
        ("alerts", alerts_after, MAX_ALERTS, kept_count),
        (
            "notification configurations",
            configs_after,
            MAX_NOTIFICATION_CONFIGS,
            kept_configs,
        ),
    ] {
        if after > cap {
            problems.push(Problem {
                message: format!(
                    "after apply Flex would hold {after} {what}, {} more than its cap of {cap} ({} from the files, {kept} live that no file declares)",
                    after - cap,
                    after - kept
                ),
                hint: Some(if kept > 0 {
                    "remove alerts from the files, or delete the undeclared ones with --prune".to_owned()
                } else {
                    "remove alerts from the files".to_owned()
                }),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    // Each create-first replace holds its old rule (and configuration) during the write phase.
    // Configurations that may exist with an unknown id (a create whose answer was lost) are
    // counted as taking room: if they exist, Flex counts them.
    let (mut extra_alerts, mut extra_configs) = (0, live.possible_configs);
    for entry in &mut entries {
        if let Action::Replace(_) = entry.action {
            let old_config =
                usize::from(entry.live.as_ref().is_some_and(|live| live.config_exists));
            let room = alerts_after + extra_alerts < MAX_ALERTS
                && configs_after + extra_configs + old_config <= MAX_NOTIFICATION_CONFIGS;
            entry.action = if room {
                extra_alerts += 1;
                extra_configs += old_config;
                entry
                    .reason
                    .push_str("; the new alert is created before the old one is deleted");
                Action::Replace(ReplaceOrder::CreateFirst)
            } else {
                entry.reason.push_str(
                    "; the old alert is deleted first, as there is no room under the cap for both",
                );
                Action::Replace(ReplaceOrder::DeleteFirst)
            };
        }
    }

    let mut steps = Steps(Vec::new());
    for ttid in &live.orphan_configs {
        steps.add(
            Phase::Remove,
            vec![],
            None,
            Op::DeleteConfig { ttid: ttid.clone() },
        );
    }
    for (index, entry) in entries.iter().enumerate() {
        add_steps(&mut steps, index, entry);
    }
    if let Some(change) = &notifications_mode {
        steps.add(
            Phase::Write,
            vec![],
            None,
            Op::SetNotificationsMode {
                mode: change.after.clone(),
            },
        );
    }
    Ok(Plan {
        entries,
        unmanageable,
        possible_configs: live.possible_configs,
        notifications_mode,
        orphan_configs: live.orphan_configs.clone(),
        steps: steps.0,
        alerts_before: live.rules.len(),
        configs_before: live.configs.len() + live.orphan_configs.len(),
        alerts_after,
        configs_after,
        paging: Default::default(),
        scope,
        environment_protects: Vec::new(),
        refresh_only: false,
    })
}

fn add_steps(steps: &mut Steps, index: usize, entry: &Entry) {
    let entry_id = Some(index);
    let live = entry.live.as_ref();
    let existing_config = live
        .filter(|live| live.config_exists)
        .and_then(|live| live.ttid.clone());
    let wants_config = entry
        .desired
        .as_ref()
        .is_some_and(|spec| spec.notify.is_some());
    let remove_old = |steps: &mut Steps, phase: Phase, after: Option<usize>| {
        let live = live.expect("only live alerts are removed");
        let config = existing_config
            .clone()
            .map(|ttid| steps.add(phase, vec![after], entry_id, Op::DeleteConfig { ttid }));
        steps.add(
            phase,
            vec![after, config],
            entry_id,
            Op::DeleteRule {
                sid: live.sid.clone(),
            },
        )
    };
    let create_new = |steps: &mut Steps, after: Option<usize>| {
        let config =
            wants_config.then(|| steps.add(Phase::Write, vec![after], entry_id, Op::CreateConfig));
        steps.add(Phase::Write, vec![after, config], entry_id, Op::CreateRule)
    };
    match entry.action {
        Action::NoOp | Action::Unmanaged | Action::Forget => {}
        Action::Create => {
            create_new(steps, None);
        }
        Action::Delete | Action::DeleteDuplicate => {
            remove_old(steps, Phase::Remove, None);
        }
        Action::Replace(ReplaceOrder::DeleteFirst) => {
            let removed = remove_old(steps, Phase::Remove, None);
            create_new(steps, Some(removed));
        }
        Action::Replace(ReplaceOrder::CreateFirst) => {
            let created = create_new(steps, None);
            remove_old(steps, Phase::Finish, Some(created));
        }
        Action::Update => {
            let live = live.expect("updates have a live side");
            let desired = entry.desired.as_ref().expect("updates have a desired side");
            let sid = live.sid.clone();
            let rule_differs = desired.rule_differs(&live.spec);
            match (&existing_config, &desired.notify, &live.spec.notify) {
                (Some(ttid), None, _) => {
                    let deleted = steps.add(
                        Phase::Remove,
                        vec![],
                        entry_id,
                        Op::DeleteConfig { ttid: ttid.clone() },
                    );
                    steps.add(
                        Phase::Write,
                        vec![Some(deleted)],
                        entry_id,
                        Op::UpdateRule { sid, ttid: None },
                    );
                }
                (Some(ttid), Some(wanted), Some(current)) => {
                    if wanted.delivery_differs(current) {
                        steps.add(
                            Phase::Write,
                            vec![],
                            entry_id,
                            Op::UpdateConfig { ttid: ttid.clone() },
                        );
                    }
                    if rule_differs {
                        steps.add(
                            Phase::Write,
                            vec![],
                            entry_id,
                            Op::UpdateRule {
                                sid,
                                ttid: Some(ttid.clone()),
                            },
                        );
                    }
                }
                (_, Some(_), _) => {
                    let created = steps.add(Phase::Write, vec![], entry_id, Op::CreateConfig);
                    steps.add(
                        Phase::Write,
                        vec![Some(created)],
                        entry_id,
                        Op::UpdateRule { sid, ttid: None },
                    );
                }
                (_, None, _) => {
                    steps.add(
                        Phase::Write,
                        vec![],
                        entry_id,
                        Op::UpdateRule { sid, ttid: None },
                    );
                }
            }
        }
    }
}
