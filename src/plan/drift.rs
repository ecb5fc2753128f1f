//! Drift: a live alert that is no longer what the last apply to its store left, so it was
//! changed (or deleted) outside flex-alerts, in Console or by another tool. Each apply records,
//! per live alert it manages, the fingerprint of the rule and configuration it left and when;
//! a plan compares the live fingerprints with those records. A change in the files is not
//! drift: the live alert is still what the apply left.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Action, Plan};

/// What the last apply to one store left, by live alert SID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Applied(pub BTreeMap<String, AppliedAlert>);

/// One alert as an apply left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliedAlert {
    pub name: String,
    /// `fingerprint()` of its rule and configuration as the apply read them back.
    pub fingerprint: String,
    /// When (RFC 3339, UTC).
    pub applied_at: String,
    /// Whether it was protected (`protect: true`): a prune of it stays refused after its
    /// declaration is removed from the files.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub protected: bool,
}

/// How a live alert drifted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftKind {
    /// Its rule or configuration differs from what the apply left.
    Changed,
    /// It is gone: the apply left it, and no live alert has its SID now.
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub kind: DriftKind,
    /// When the apply it is compared with ran.
    pub applied_at: String,
}

impl Drift {
    /// `changed outside flex-alerts since the apply of 2026-12-01T22:40:05Z`.
    pub fn describe(&self) -> String {
        let what = match self.kind {
            DriftKind::Changed => "changed",
            DriftKind::Deleted => "deleted",
        };
        format!(
            "{what} outside flex-alerts since the apply of {}",
            self.applied_at
        )
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            DriftKind::Changed => "changed",
            DriftKind::Deleted => "deleted",
        }
    }
}

impl Applied {
    /// The drift of an alert whose live side is `live` (SID and fingerprint), or which has no
    /// live side and is known by `name`; `None` when it is as the last apply left it, or no
    /// apply recorded it.
    pub fn drift_of(
        &self,
        live: Option<(&str, &str)>,
        name: &str,
        live_sids: &[&str],
    ) -> Option<Drift> {
        match live {
            Some((sid, fingerprint)) => {
                let record = self.0.get(sid)?;
                (record.fingerprint != fingerprint).then(|| Drift {
                    kind: DriftKind::Changed,
                    applied_at: record.applied_at.clone(),
                })
            }
            None => self
                .0
                .iter()
                .find(|(sid, record)| record.name == name && !live_sids.contains(&sid.as_str()))
                .map(|(_, record)| Drift {
                    kind: DriftKind::Deleted,
                    applied_at: record.applied_at.clone(),
                }),
        }
    }

    /// The records with the alerts `plan` changes taken out: written before apply sends
    /// anything, so that an apply killed midway leaves them unrecorded (no drift named),
    /// never recorded as they were before it (its own writes named as drift).
    pub fn without_changes_of(&self, plan: &Plan) -> Applied {
        let mut records = self.0.clone();
        for entry in plan.changes() {
            if let Some(live) = &entry.live {
                records.remove(&live.sid);
            }
        }
        Applied(records)
    }

    /// The records after an apply of `applied` at `now`, with `read_back` the plan made once
    /// it was done (`None` when the store could not be read back): each managed alert of the
    /// plan that matches the files is recorded as it is live, the ones it changed only as read
    /// back; forgotten, deleted and unconfirmed ones lose their records; undeclared ones and
    /// those a targeted plan left out keep theirs.
    pub fn after_apply(&self, applied: &Plan, read_back: Option<&Plan>, now: &str) -> Applied {
        let mut records = self.0.clone();
        let touched: Vec<&str> = applied.changes().map(|entry| entry.name.as_str()).collect();
        for entry in applied.changes().chain(
            applied
                .entries
                .iter()
                .filter(|entry| entry.action == Action::Forget),
        ) {
            if let Some(live) = &entry.live {
                records.remove(&live.sid);
            }
        }
        let untouched = applied
            .entries
            .iter()
            .filter(|entry| !touched.contains(&entry.name.as_str()));
        let confirmed = read_back
            .into_iter()
            .flat_map(|plan| &plan.entries)
            .filter(|entry| touched.contains(&entry.name.as_str()));
        for entry in untouched.chain(confirmed) {
            let Some(live) = &entry.live else { continue };
            if entry.action == Action::NoOp {
                records.insert(
                    live.sid.clone(),
                    AppliedAlert {
                        name: entry.name.clone(),
                        fingerprint: live.fingerprint.clone(),
                        applied_at: now.to_owned(),
                        protected: entry.protected,
                    },
                );
            }
        }
        Applied(records)
    }
}

/// `plan --refresh-only`: only the alerts that drifted, as they are, and nothing to do.
pub fn refresh_only(mut plan: Plan) -> Plan {
    plan.entries.retain(|entry| entry.drift.is_some());
    for entry in &mut plan.entries {
        entry.action = Action::NoOp;
    }
    plan.steps.clear();
    plan.notifications_mode = None;
    plan.orphan_configs.clear();
    plan.paging.clear();
    plan.alerts_after = plan.alerts_before;
    plan.configs_after = plan.configs_before;
    plan.refresh_only = true;
    plan
}
