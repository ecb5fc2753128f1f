//! `apply()`: runs exactly the steps of a plan against a store, never re-planning, as a
//! dependency graph: each step starts the moment the steps it needs are done, within the
//! store's capacity (which adapts to how much Flex takes). A failed step does not stop the
//! others; its dependants are skipped.
//!
//! The caps hold at every moment without waves: a step that adds an alert or a configuration
//! starts only when there is room for it; while a delete that could make room is still to
//! come, it waits, and when none is left it is skipped. So no moment of apply exceeds 100
//! alerts or 100 notification configurations, even when a delete fails.
//!
//! Other writers are watched for: a leftover configuration is deleted only if no live rule
//! names it at that moment, and apply lists the rules before its first rule create (beside
//! the first writes) and after its last; a live alert it did not create under a name it
//! manages means another apply is running, so it stops creating and reports it. Once the
//! store stops answering, no new step starts.
//!
//! Progress goes through the `Progress` hook; nothing here prints.

pub mod applied_file;
pub mod exclusive;
pub mod journal;
pub mod report;

use crate::common::lock::lock;
use std::collections::HashMap;
use std::sync::Mutex;

use futures::StreamExt;

use crate::flex::limits::{MAX_ALERTS, MAX_NOTIFICATION_CONFIGS};
use crate::flex::wire::Rule;
use crate::plan::{Op, Plan, Step};
use crate::store::{Directory, Live, Store, StoreError};
use journal::Journal;
use report::{Outcome, Report, StepReport};

/// Told about every step as it starts and ends.
pub trait Progress: Sync {
    fn started(&self, label: &str);
    fn finished(&self, label: &str, outcome: &Outcome);
}

/// A `Progress` that ignores everything.
#[derive(Debug)]
pub struct Silent;

impl Progress for Silent {
    fn started(&self, _: &str) {}
    fn finished(&self, _: &str, _: &Outcome) {}
}

/// What steps share while they run.
struct Run<'a, S> {
    plan: &'a Plan,
    store: &'a S,
    journal: &'a Journal,
    /// Current counts, with creates in flight reserved.
    counts: Mutex<(i64, i64)>,
    /// TTIDs created, by entry.
    created: Mutex<HashMap<usize, String>>,
    /// SIDs of the rules this apply created.
    created_rules: Mutex<Vec<String>>,
    /// Entries whose rule create or update Flex certainly refused.
    refused: Mutex<Vec<usize>>,
}

/// Runs `plan` against `store`.
pub async fn apply<S: Store>(
    plan: &Plan,
    store: &S,
    concurrency: usize,
    journal: &Journal,
    progress: &dyn Progress,
) -> Report {
    let run = Run {
        plan,
        store,
        journal,
        counts: Mutex::new((plan.alerts_before as i64, plan.configs_before as i64)),
        created: Mutex::new(HashMap::new()),
        created_rules: Mutex::new(Vec::new()),
        refused: Mutex::new(Vec::new()),
    };
    let run = &run;
    let mut outcomes: Vec<Option<Outcome>> = vec![None; plan.steps.len()];
    let mut started = vec![false; plan.steps.len()];
    let mut conflicts = Vec::new();
    run.keep_named_leftovers(&mut outcomes).await;
    let creates_rules = plan.steps.iter().any(|step| step.op == Op::CreateRule);
    // Rule creates wait for this check; everything else starts beside it.
    let mut check = creates_rules.then(|| Box::pin(run.other_writers()));
    let after_creates = depends_on_a_create(plan);
    let mut running = futures::stream::FuturesUnordered::new();
    loop {
        skip_dependants(plan, &mut outcomes);
        let capacity = concurrency.min(store.capacity()).max(1);
        for step in &plan.steps {
            if running.len() >= capacity {
                break;
            }
            let ready = !started[step.id]
                && outcomes[step.id].is_none()
                && step
                    .after
                    .iter()
                    .all(|id| outcomes[*id] == Some(Outcome::Done))
                && !(step.op == Op::CreateRule && check.is_some());
            if !ready {
                continue;
            }
            match run.admit(step, &outcomes, &started, &after_creates) {
                Admission::Start => {
                    started[step.id] = true;
                    running.push(async move {
                        let label = plan.describe(step);
                        progress.started(&label);
                        let outcome = run.step(step).await;
                        progress.finished(&label, &outcome);
                        (step.id, outcome)
                    });
                }
                Admission::Wait => {}
                Admission::Skip(reason) => outcomes[step.id] = Some(Outcome::Skipped(reason)),
            }
        }
        if running.is_empty() && check.is_none() {
            break;
        }
        tokio::select! {
            // The check first: every rule create waits for it, so it takes the first place in
            // the window rather than one that Flex may refuse.
            biased;
            conflict = async { check.as_mut().expect("polled only while set").await }, if check.is_some() => {
                check = None;
                if let Some(conflict) = conflict {
                    conflicts.push(conflict);
                    stop_creating(plan, &mut outcomes, &started, "another apply changed the store at the same time");
                }
            }
            Some((id, outcome)) = running.next(), if !running.is_empty() => {
                outcomes[id] = Some(outcome);
                // A journal that cannot be written (a full disk) stops every create at once.
                if let Some(failure) = journal.failure() {
                    let reason = format!("the apply journal cannot be written ({failure})");
                    stop_creating(plan, &mut outcomes, &started, &reason);
                }
            }
        }
    }
    let released = run.release_unattached(&outcomes).await;
    let creates_done = plan
        .steps
        .iter()
        .any(|step| step.op == Op::CreateRule && outcomes[step.id] == Some(Outcome::Done));
    // Listed after the last create, the rules are also where the read-back starts.
    let mut rules_after = None;
    if creates_done
        && conflicts.is_empty()
        && let Ok(rules) = run.store.rules().await
    {
        conflicts.extend(run.strangers(&rules));
        rules_after = Some(rules);
    }
    Report {
        steps: plan
            .steps
            .iter()
            .zip(outcomes)
            .map(|(step, outcome)| StepReport {
                step: step.clone(),
                label: plan.describe(step),
                outcome: outcome.unwrap_or_else(|| Outcome::Skipped("not reached".to_owned())),
            })
            .collect(),
        conflicts,
        released,
        rules_after,
    }
}

/// The live side of just the alerts `plan` changes, for the check after a confirmation and
/// for the read-back: every rule (names decide what is touched, and a duplicate shows), and the
/// configurations of the touched ones only; `rules` when they were just listed. The directory
/// is the plan's: apply does not change it.
pub async fn read_touched<S: Store>(
    store: &S,
    plan: &Plan,
    rules: Option<Vec<Rule>>,
    directory: &Directory,
) -> Result<Live, StoreError> {
    let rules = match rules {
        Some(rules) => rules,
        None => store.rules().await?,
    };
    let touched = |rule: &Rule| {
        plan.changes().any(|entry| {
            entry.name == rule.name()
                || entry
                    .live
                    .as_ref()
                    .is_some_and(|live| live.sid == rule.sid())
        })
    };
    let ttids = rules
        .iter()
        .filter(|rule| touched(rule))
        .filter_map(|rule| rule.notify_methods_id.clone())
        .collect();
    let configs = store.fetch_configs(ttids).await?;
    Ok(Live {
        rules,
        configs,
        directory: directory.clone(),
        ..Live::default()
    })
}

/// Whether a step may start now.
enum Admission {
    Start,
    /// Not yet: a delete still to come may make room.
    Wait,
    Skip(String),
}

/// For each step, whether it depends, directly or not, on a step that adds an alert or a
/// configuration (such a delete cannot make room for that add to start).
fn depends_on_a_create(plan: &Plan) -> Vec<bool> {
    let mut depends = vec![false; plan.steps.len()];
    // Steps only depend on earlier ones, so one pass in order settles it.
    for step in &plan.steps {
        depends[step.id] = step.after.iter().any(|id| {
            let (alerts, configs) = plan.steps[*id].cap_effect();
            alerts > 0 || configs > 0 || depends[*id]
        });
    }
    depends
}

/// Skips every create that has not started, for `reason` (another writer is at work, the
/// journal cannot be written).
fn stop_creating(plan: &Plan, outcomes: &mut [Option<Outcome>], started: &[bool], reason: &str) {
    for step in &plan.steps {
        if outcomes[step.id].is_none()
            && !started[step.id]
            && matches!(step.op, Op::CreateRule | Op::CreateConfig)
        {
            outcomes[step.id] = Some(Outcome::Skipped(reason.to_owned()));
        }
    }
}

/// Marks every step with a failed or skipped dependency as skipped, transitively.
fn skip_dependants(plan: &Plan, outcomes: &mut [Option<Outcome>]) {
    loop {
        let mut changed = false;
        for step in &plan.steps {
            if outcomes[step.id].is_some() {
                continue;
            }
            let blocked = step.after.iter().find(|id| {
                matches!(
                    outcomes[**id],
                    Some(Outcome::Failed(_) | Outcome::Skipped(_))
                )
            });
            if let Some(id) = blocked {
                outcomes[step.id] = Some(Outcome::Skipped(format!(
                    "it needs: {}",
                    plan.describe(&plan.steps[*id])
                )));
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

impl<S: Store> Run<'_, S> {
    /// Leftover configurations a live rule names now (another apply attached them since the
    /// plan was made) are not deleted: marked skipped, and settled in the journal.
    async fn keep_named_leftovers(&self, outcomes: &mut [Option<Outcome>]) {
        let leftovers: Vec<&Step> = self
            .plan
            .steps
            .iter()
            .filter(|step| step.entry.is_none() && matches!(step.op, Op::DeleteConfig { .. }))
            .collect();
        if leftovers.is_empty() {
            return;
        }
        let rules = match self.store.rules().await {
            Ok(rules) => rules,
            Err(error) => {
                let error = crate::Error::from(error).render().trim_end().to_owned();
                for step in leftovers {
                    outcomes[step.id] = Some(Outcome::Failed(format!(
                        "could not check that no rule names it: {error}"
                    )));
                }
                return;
            }
        };
        for step in leftovers {
            let Op::DeleteConfig { ttid } = &step.op else {
                continue;
            };
            if rules
                .iter()
                .any(|rule| rule.notify_methods_id.as_deref() == Some(ttid.as_str()))
            {
                let _ = self.journal.settled(ttid).await;
                outcomes[step.id] = Some(Outcome::Skipped(
                    "a live rule names it now, so it is no leftover".to_owned(),
                ));
            }
        }
    }

    /// A live alert under a name this plan manages that neither the plan saw nor this apply
    /// created: another apply is writing at the same time.
    async fn other_writers(&self) -> Option<String> {
        self.strangers(&self.store.rules().await.ok()?)
    }

    fn strangers(&self, rules: &[Rule]) -> Option<String> {
        let known: Vec<&str> = self
            .plan
            .entries
            .iter()
            .filter_map(|entry| entry.live.as_ref().map(|live| live.sid.as_str()))
            .collect();
        let created = lock(&self.created_rules).clone();
        let managed = |rule: &Rule| {
            self.plan
                .entries
                .iter()
                .any(|entry| entry.desired.is_some() && entry.name == rule.name())
        };
        let strangers: Vec<String> = rules
            .iter()
            .filter(|rule| managed(rule))
            .filter(|rule| {
                !known.contains(&rule.sid()) && !created.iter().any(|sid| sid == rule.sid())
            })
            .map(|rule| format!("`{}` ({})", rule.name(), rule.sid()))
            .collect();
        (!strangers.is_empty()).then(|| {
            format!(
                "another apply changed the store at the same time: live alerts this apply did not create appeared under names it manages: {}",
                strangers.join(", ")
            )
        })
    }

    /// Records that a rule names `ttid` now, or that it is gone. Bookkeeping only: should the
    /// journal fail, the next plan finds the same by looking, so the step still succeeded.
    async fn settled(&self, ttid: &str) {
        let _ = self.journal.settled(ttid).await;
    }

    fn note_refused(&self, step: &Step, error: &StoreError) {
        if let Some(entry) = step.entry.filter(|_| error.definitely_not_applied()) {
            lock(&self.refused).push(entry);
        }
    }

    /// Deletes the configurations this apply created for an alert whose rule was then never
    /// sent or certainly refused (another writer, a failure), so none is left behind; each
    /// one deleted is settled in the journal. Returns what it did, in words.
    async fn release_unattached(&self, outcomes: &[Option<Outcome>]) -> Vec<String> {
        let created: Vec<(usize, String)> = lock(&self.created)
            .iter()
            .map(|(entry, ttid)| (*entry, ttid.clone()))
            .collect();
        let refused = lock(&self.refused).clone();
        let unattached = created.into_iter().filter(|(entry, _)| {
            self.plan.steps.iter().any(|step| {
                step.entry == Some(*entry)
                    && matches!(step.op, Op::CreateRule | Op::UpdateRule { .. })
                    && (matches!(outcomes[step.id], Some(Outcome::Skipped(_)) | None)
                        || refused.contains(entry))
            })
        });
        let mut released = Vec::new();
        for (entry, ttid) in unattached {
            let name = &self.plan.entries[entry].name;
            let result = gone_is_done(self.store.delete_config(&ttid).await);
            released.push(match result {
                Ok(()) => {
                    self.settled(&ttid).await;
                    format!("deleted the unused notification configuration {ttid} of \"{name}\"")
                }
                Err(error) => format!(
                    "could not delete the unused notification configuration {ttid} of \"{name}\" ({error}); the next apply does"
                ),
            });
        }
        released
    }

    /// Whether `step` may start: the store still answers, and there is room for what it adds
    /// (reserved here), or a delete still to come may make some.
    fn admit(
        &self,
        step: &Step,
        outcomes: &[Option<Outcome>],
        started: &[bool],
        after_creates: &[bool],
    ) -> Admission {
        if let Some(reason) = self.store.unreachable() {
            return Admission::Skip(format!("the store stopped answering: {reason}"));
        }
        let (alerts, configs) = step.cap_effect();
        if alerts <= 0 && configs <= 0 {
            return Admission::Start;
        }
        let mut counts = lock(&self.counts);
        if counts.0 + i64::from(alerts) <= MAX_ALERTS as i64
            && counts.1 + i64::from(configs) <= MAX_NOTIFICATION_CONFIGS as i64
        {
            counts.0 += i64::from(alerts);
            counts.1 += i64::from(configs);
            return Admission::Start;
        }
        let room_may_come = self.plan.steps.iter().any(|other| {
            let (alerts_freed, configs_freed) = other.cap_effect();
            (alerts > 0 && alerts_freed < 0 || configs > 0 && configs_freed < 0)
                && (started[other.id] || !after_creates[other.id])
                && outcomes[other.id].is_none()
        });
        if room_may_come {
            Admission::Wait
        } else {
            Admission::Skip(
                "it would pass Flex's cap of 100, because an earlier delete did not happen"
                    .to_owned(),
            )
        }
    }

    async fn step(&self, step: &Step) -> Outcome {
        let (alerts, configs) = step.cap_effect();
        let result = self.write(step).await;
        let mut counts = lock(&self.counts);
        let adds = alerts > 0 || configs > 0;
        if adds
            && result
                .as_ref()
                .is_err_and(StoreError::definitely_not_applied)
        {
            // The create did not happen: give its reservation back.
            counts.0 -= i64::from(alerts);
            counts.1 -= i64::from(configs);
        } else if !adds && result.is_ok() {
            // A delete that happened frees room (the effect is negative or zero).
            counts.0 += i64::from(alerts);
            counts.1 += i64::from(configs);
        }
        drop(counts);
        match result {
            Ok(()) => Outcome::Done,
            Err(error) => Outcome::Failed(crate::Error::from(error).render().trim_end().to_owned()),
        }
    }

    async fn write(&self, step: &Step) -> Result<(), StoreError> {
        let entry = step.entry.map(|index| &self.plan.entries[index]);
        let desired = || {
            entry
                .and_then(|entry| entry.desired.as_ref())
                .expect("writes of an alert have its desired side")
        };
        let created = || {
            step.entry
                .and_then(|index| lock(&self.created).get(&index).cloned())
        };
        match &step.op {
            Op::CreateConfig => {
                let notify = desired()
                    .notify
                    .as_ref()
                    .expect("only alerts that notify get a configuration");
                // Never sent unless its attempt is on disk: a configuration nobody can list
                // must at least be known to may exist.
                let attempt = self
                    .journal
                    .attempt()
                    .await
                    .map_err(|error| journal_error(error, false))?;
                let config = match self.store.create_config(&notify.destinations()).await {
                    Ok(config) => config,
                    Err(error) => {
                        if error.definitely_not_applied() {
                            // Unrecorded, the attempt only stays counted as may-exist.
                            let _ = self.journal.refused(&attempt).await;
                        }
                        return Err(error);
                    }
                };
                // Kept in memory first: should the journal fail now, the configuration is
                // still deleted before apply ends (its rule is skipped).
                lock(&self.created).insert(
                    step.entry.expect("configurations belong to an alert"),
                    config.ttid.clone(),
                );
                self.journal
                    .created(&attempt, &config.ttid)
                    .await
                    .map_err(|error| journal_error(error, true))
            }
            Op::UpdateConfig { ttid } => {
                let notify = desired()
                    .notify
                    .as_ref()
                    .expect("only alerts that notify keep a configuration");
                self.store
                    .update_config(ttid, &notify.destinations())
                    .await
                    .map(drop)
            }
            Op::DeleteConfig { ttid } => {
                gone_is_done(self.store.delete_config(ttid).await)?;
                self.settled(ttid).await;
                Ok(())
            }
            Op::CreateRule => {
                let ttid = created();
                let rule = self
                    .store
                    .create_rule(&desired().rule_body(ttid.clone()))
                    .await
                    .inspect_err(|error| self.note_refused(step, error))?;
                lock(&self.created_rules).push(rule.sid().to_owned());
                if let Some(ttid) = ttid {
                    self.settled(&ttid).await;
                }
                Ok(())
            }
            Op::UpdateRule { sid, ttid } => {
                let fresh = created();
                let body = desired().rule_body(fresh.clone().or_else(|| ttid.clone()));
                self.store
                    .update_rule(sid, &body)
                    .await
                    .inspect_err(|error| self.note_refused(step, error))?;
                if let Some(ttid) = fresh {
                    self.settled(&ttid).await;
                }
                Ok(())
            }
            Op::DeleteRule { sid } => gone_is_done(self.store.delete_rule(sid).await),
            Op::SetNotificationsMode { mode } => self.store.set_notifications_mode(mode).await,
        }
    }
}

/// A journal that cannot be written: the step stops (before it sends anything it could lose,
/// or, `applied`, after the write it was to record).
fn journal_error(error: std::io::Error, applied: bool) -> StoreError {
    StoreError::Journal {
        what: "record the step in the apply journal".to_owned(),
        detail: error.to_string(),
        applied,
    }
}

/// Deleting what is already gone has the effect wanted.
fn gone_is_done(result: Result<(), StoreError>) -> Result<(), StoreError> {
    match result {
        Err(error) if error.status() == Some(404) => Ok(()),
        other => other,
    }
}
