//! `apply()`: runs exactly the steps of a plan against a store, never re-planning. Phases run
//! one after another; within a phase, steps whose dependencies succeeded run concurrently
//! within `--concurrency`. A failed step does not stop the others; its dependants are skipped.
//! A step that would push a count past a cap (because an earlier delete failed) is skipped too,
//! so no moment of apply exceeds 100 alerts or 100 notification configurations.
//!
//! Progress goes through the `Progress` hook; nothing here prints.

pub mod journal;
pub mod report;

use crate::lock::lock;
use std::collections::HashMap;
use std::sync::Mutex;

use futures::StreamExt;

use crate::plan::{MAX_ALERTS, MAX_CONFIGS, Op, Phase, Plan, Step};
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
    };
    let mut outcomes: Vec<Option<Outcome>> = vec![None; plan.steps.len()];
    for phase in [Phase::Remove, Phase::Write, Phase::Finish] {
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
    async fn step(&self, step: &Step) -> Outcome {
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
                let config = self.store.create_config(&notify.destinations()).await?;
                self.journal.record(&config.ttid);
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
                self.journal.forget(ttid);
                Ok(())
            }
            Op::CreateRule => {
                let ttid = created();
                self.store
                    .create_rule(&desired().rule_body(ttid.clone()))
                    .await?;
                if let Some(ttid) = ttid {
                    self.journal.forget(&ttid);
                }
                Ok(())
            }
            Op::UpdateRule { sid, ttid } => {
                let fresh = created();
                let body = desired().rule_body(fresh.clone().or_else(|| ttid.clone()));
                self.store.update_rule(sid, &body).await?;
                if let Some(ttid) = fresh {
                    self.journal.forget(&ttid);
                }
                Ok(())
            }
            Op::DeleteRule { sid } => gone_is_done(self.store.delete_rule(sid).await),
            Op::SetNotificationsMode { mode } => self.store.set_notifications_mode(mode).await,
        }
    }
}

/// Deleting what is already gone has the effect wanted.
fn gone_is_done(result: Result<(), StoreError>) -> Result<(), StoreError> {
    match result {
        Err(error) if error.status() == Some(404) => Ok(()),
        other => other,
    }
}
