//! `apply()`: runs exactly the steps of a plan against a store, never re-planning. Phases run
//! one after another; within a phase, steps whose dependencies succeeded run concurrently
//! within `--concurrency`. A failed step does not stop the others; its dependants are skipped.
//! A step that would push a count past a cap (because an earlier delete failed) is skipped too,
//! so no moment of apply exceeds 100 alerts or 100 notification configurations.
//!
//! Other writers are watched for: a leftover configuration is deleted only if no live rule
//! names it at that moment, and before and after its creates apply lists the rules; a live
//! alert it did not create under a name it manages means another apply is running, so it
//! stops creating and reports it. Once the store stops answering, no new step starts.
//!
//! Progress goes through the `Progress` hook; nothing here prints.

pub mod exclusive;
pub mod journal;
pub mod report;

use crate::lock::lock;
use std::collections::HashMap;
use std::sync::Mutex;

use futures::StreamExt;

use crate::plan::{MAX_ALERTS, MAX_CONFIGS, Op, Phase, Plan, Step};
use crate::store::wire::Rule;
use crate::store::{Store, StoreError};
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
    };
    let mut outcomes: Vec<Option<Outcome>> = vec![None; plan.steps.len()];
    let mut conflicts = Vec::new();
    let creates = |phase: Phase| {
        plan.steps
            .iter()
            .any(|step| step.phase == phase && step.op == Op::CreateRule)
    };
    for phase in [Phase::Remove, Phase::Write, Phase::Finish] {
        if phase == Phase::Remove {
            run.keep_named_leftovers(&mut outcomes).await;
        }
        if creates(phase)
            && let Some(conflict) = run.other_writers().await
        {
            conflicts.push(conflict);
            stop_creating(plan, &mut outcomes);
        }
        loop {
            skip_dependants(plan, &mut outcomes);
            let ready: Vec<&Step> = plan
                .steps
                .iter()
                .filter(|step| step.phase == phase && outcomes[step.id].is_none())
                .filter(|step| {
                    step.after
                        .iter()
                        .all(|id| outcomes[*id] == Some(Outcome::Done))
                })
                .collect();
            if ready.is_empty() {
                break;
            }
            let results: Vec<(usize, Outcome)> = futures::stream::iter(ready)
                .map(|step| async {
                    let label = plan.describe(step);
                    progress.started(&label);
                    let outcome = run.step(step).await;
                    progress.finished(&label, &outcome);
                    (step.id, outcome)
                })
                .buffer_unordered(concurrency.max(1))
                .collect()
                .await;
            for (id, outcome) in results {
                outcomes[id] = Some(outcome);
            }
        }
        if creates(phase)
            && conflicts.is_empty()
            && let Some(conflict) = run.other_writers().await
        {
            conflicts.push(conflict);
        }
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
    }
}

/// Skips every create that has not run: another writer is at work.
fn stop_creating(plan: &Plan, outcomes: &mut [Option<Outcome>]) {
    for step in &plan.steps {
        if outcomes[step.id].is_none() && matches!(step.op, Op::CreateRule | Op::CreateConfig) {
            outcomes[step.id] = Some(Outcome::Skipped(
                "another apply changed the store at the same time".to_owned(),
            ));
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
        let rules = self.store.rules().await.ok()?;
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

    async fn step(&self, step: &Step) -> Outcome {
        if let Some(reason) = self.store.unreachable() {
            return Outcome::Skipped(format!("the store stopped answering: {reason}"));
        }
        let (alerts, configs) = step.cap_effect();
        if alerts > 0 || configs > 0 {
            let mut counts = lock(&self.counts);
            if counts.0 + i64::from(alerts) > MAX_ALERTS as i64
                || counts.1 + i64::from(configs) > MAX_CONFIGS as i64
            {
                return Outcome::Skipped(
                    "it would pass Flex's cap of 100, because an earlier delete did not happen"
                        .to_owned(),
                );
            }
            counts.0 += i64::from(alerts);
            counts.1 += i64::from(configs);
        }
        let result = self.write(step).await;
        let mut counts = lock(&self.counts);
        let adds = alerts > 0 || configs > 0;
        if adds && result.is_err() {
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
                let attempt = self.journal.attempt().await.map_err(journal_error)?;
                let config = match self.store.create_config(&notify.destinations()).await {
                    Ok(config) => config,
                    Err(error) => {
                        if error.definitely_not_applied() {
                            self.journal
                                .refused(&attempt)
                                .await
                                .map_err(journal_error)?;
                        }
                        return Err(error);
                    }
                };
                self.journal
                    .created(&attempt, &config.ttid)
                    .await
                    .map_err(journal_error)?;
                lock(&self.created).insert(
                    step.entry.expect("configurations belong to an alert"),
                    config.ttid,
                );
                Ok(())
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
                self.journal.settled(ttid).await.map_err(journal_error)
            }
            Op::CreateRule => {
                let ttid = created();
                let rule = self
                    .store
                    .create_rule(&desired().rule_body(ttid.clone()))
                    .await?;
                lock(&self.created_rules).push(rule.sid().to_owned());
                if let Some(ttid) = ttid {
                    self.journal.settled(&ttid).await.map_err(journal_error)?;
                }
                Ok(())
            }
            Op::UpdateRule { sid, ttid } => {
                let fresh = created();
                let body = desired().rule_body(fresh.clone().or_else(|| ttid.clone()));
                self.store.update_rule(sid, &body).await?;
                if let Some(ttid) = fresh {
                    self.journal.settled(&ttid).await.map_err(journal_error)?;
                }
                Ok(())
            }
            Op::DeleteRule { sid } => gone_is_done(self.store.delete_rule(sid).await),
            Op::SetNotificationsMode { mode } => self.store.set_notifications_mode(mode).await,
        }
    }
}

/// A journal that cannot be written: the step stops before it sends anything it could lose.
fn journal_error(error: std::io::Error) -> StoreError {
    StoreError::Transport {
        what: "record the step in the apply journal".to_owned(),
        detail: error.to_string(),
    }
}

/// Deleting what is already gone has the effect wanted.
fn gone_is_done(result: Result<(), StoreError>) -> Result<(), StoreError> {
    match result {
        Err(error) if error.status() == Some(404) => Ok(()),
        other => other,
    }
}
