//! The JSON plan (`--format json`, and the file `plan --out` saves): versioned, one entry per
//! alert with the contract's `actions`, `action_reason`, `before` / `after` (webhooks masked,
//! compared by hash) and the live fingerprint `apply --plan` checks for staleness.
//!
//! The document is typed, so `schemas/plan.schema.json` is generated from these types and a
//! program that reads plans can check them.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Serialize;

use crate::common::secret::hash_text;
use crate::config::model::ProtectKind;
use crate::plan::view::{AlertView, changes};
use crate::plan::{Action, Entry, Phase, Plan};

/// The version of this document's shape; see docs/plan-and-apply.md.
pub const FORMAT_VERSION: u32 = 1;

/// A flex-alerts plan: what `apply` would change in one Flex instance.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "flex-alerts plan",
    extend("$id" = "https://flex-alerts.dev/schemas/plan.schema.json")
)]
pub struct JsonPlan {
    /// The version of this shape. Always `1`.
    #[schemars(range(min = 1, max = 1))]
    pub format_version: u32,
    /// The environment of the project file it was made for, if any (first, so that a reader
    /// sees which account it is about before anything else); `apply --plan` applies a saved
    /// plan there only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The store planned against, as flex-alerts describes it (never a credential).
    pub store: String,
    /// Whether live alerts no file declares are deleted.
    pub prune: bool,
    /// With `--target` / `--exclude`: what the plan is limited to, and how many alerts it
    /// left out (kept as they are live, and counted against the caps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// `--allow-protected`: protected alerts this plan may delete or replace.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allow_protected: Vec<String>,
    /// What the environment protects every alert from: `delete`, `replace`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environment_protects: Vec<ProtectKind>,
    /// `plan --refresh-only`: `alerts` holds only the alerts that drifted, and nothing is
    /// proposed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub refresh_only: bool,
    pub summary: Summary,
    /// A change to when Flex shows browser push notifications (`settings.browser_push_mode`).
    pub notifications_mode: Option<ModeChange>,
    /// Notification configuration SIDs nothing references, left by an earlier apply; deleted.
    pub leftover_notification_configurations: Vec<String>,
    /// Notification configuration creates whose answer never came: each may have made a
    /// configuration nobody knows the id of.
    pub possible_unknown_notification_configurations: usize,
    /// Live alerts the YAML format cannot represent: kept, never changed.
    pub unmanageable: Vec<UnmanageableAlert>,
    /// One entry per alert, sorted by name.
    pub alerts: Vec<AlertEntry>,
    /// The requests apply makes, each after the steps it names.
    pub steps: Vec<StepEntry>,
    /// In a saved plan (`plan --out`): the `--store` it was made for, which `apply --plan`
    /// uses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_option: Option<String>,
    /// In a saved plan: the alert files and directories it was made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
}

/// How many alerts each action touches, and the counts against Flex's caps.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub unchanged: usize,
    pub unmanaged: usize,
    /// Live alerts a `forget:` list names: left as they are.
    pub forget: usize,
    pub alerts_before: usize,
    pub alerts_after: usize,
    pub notification_configurations_after: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// `--target` names and globs; empty: every alert not excluded.
    pub targets: Vec<String>,
    /// `--exclude` names and globs.
    pub excludes: Vec<String>,
    /// How many alerts the plan left out.
    pub left_out: usize,
}

/// How a live alert differs from what the last apply to its store left.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Drift {
    /// `changed` (its rule or configuration) or `deleted`.
    #[schemars(regex(pattern = "^(changed|deleted)$"))]
    pub change: &'static str,
    /// When that apply ran (RFC 3339).
    pub since: String,
    /// In words: `changed outside flex-alerts since the apply of ...`.
    pub message: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModeChange {
    pub before: Option<String>,
    pub after: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnmanageableAlert {
    pub sid: Option<String>,
    pub name: Option<String>,
    /// Why flex-alerts cannot manage it.
    pub reason: String,
}

/// One alert: what happens to it, and both sides.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertEntry {
    pub name: String,
    /// `create`, `update`, `delete`, `no-op`; a replace is `delete`, `create` or `create`,
    /// `delete` in the order they run.
    #[schemars(
        inner(regex(pattern = "^(create|update|delete|no-op)$")),
        length(min = 1, max = 2)
    )]
    pub actions: Vec<&'static str>,
    pub action_reason: String,
    /// The live alert's SID (`FI...`), when there is one.
    pub sid: Option<String>,
    /// Whether a file declares it.
    pub managed: bool,
    /// Protected from delete and replace (`protect: true`, or by its environment).
    pub protected: bool,
    /// Named by a `forget:` list: left live as it is, no longer managed.
    pub forgotten: bool,
    /// Changed or deleted outside flex-alerts since the last apply to this store; `null`
    /// when it is as that apply left it (or no apply recorded it).
    pub drift: Option<Drift>,
    /// The live alert, as people read it.
    pub before: Option<AlertView>,
    /// The alert the files ask for.
    pub after: Option<AlertView>,
    /// Field by field, for an alert that exists on both sides.
    pub changes: Vec<FieldChange>,
    /// Changes whenever the live rule or its configuration changes.
    pub live_fingerprint: Option<String>,
    /// A hash of what the files ask for.
    pub desired_fingerprint: Option<String>,
    /// With `plan --history`, for an alert whose thresholds or notifications change: its
    /// notifications a day on the history, live and as planned (`null` where it does not
    /// exist).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifications_per_day: Option<PagingChange>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PagingChange {
    pub before: Option<f64>,
    pub after: Option<f64>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepEntry {
    pub id: usize,
    /// `remove` (deletes that make room), `write`, or `finish` (settings, leftovers).
    #[schemars(regex(pattern = "^(remove|write|finish)$"))]
    pub phase: &'static str,
    /// The ids of the steps that must succeed first.
    pub after: Vec<usize>,
    /// What the step does, in words.
    pub step: String,
}

/// A hash of what the files ask for one alert, to tell whether they changed since a plan.
pub fn desired_fingerprint(entry: &Entry) -> Option<String> {
    entry
        .after
        .as_ref()
        .map(|view| hash_text(&serde_json::to_string(view).expect("views serialize")))
}

/// The plan as its JSON document.
pub fn render(plan: &Plan, store: &str, prune: bool) -> JsonPlan {
    let counts = plan.counts();
    let alerts = plan
        .entries
        .iter()
        .map(|entry| AlertEntry {
            name: entry.name.clone(),
            actions: entry.action.names().to_vec(),
            action_reason: entry.reason.clone(),
            sid: entry.live.as_ref().map(|live| live.sid.clone()),
            managed: entry.desired.is_some(),
            protected: entry.protected || !plan.environment_protects.is_empty(),
            forgotten: entry.action == Action::Forget,
            drift: entry.drift.as_ref().map(|drift| Drift {
                change: drift.kind_name(),
                since: drift.applied_at.clone(),
                message: drift.describe(),
            }),
            before: entry.before.clone(),
            after: entry.after.clone(),
            changes: match (&entry.before, &entry.after) {
                (Some(before), Some(after)) => changes(before, after)
                    .into_iter()
                    .map(|(field, before, after)| FieldChange {
                        field,
                        before,
                        after,
                    })
                    .collect(),
                _ => Vec::new(),
            },
            live_fingerprint: entry.live.as_ref().map(|live| live.fingerprint.clone()),
            desired_fingerprint: desired_fingerprint(entry),
            notifications_per_day: plan.paging.get(&entry.name).map(|paging| PagingChange {
                before: paging.before,
                after: paging.after,
            }),
        })
        .collect();
    let steps = plan
        .steps
        .iter()
        .map(|step| StepEntry {
            id: step.id,
            phase: match step.phase {
                Phase::Remove => "remove",
                Phase::Write => "write",
                Phase::Finish => "finish",
            },
            after: step.after.clone(),
            step: plan.describe(step),
        })
        .collect();
    JsonPlan {
        format_version: FORMAT_VERSION,
        store: store.to_owned(),
        prune,
        scope: plan.scope.as_ref().map(|scope| Scope {
            targets: scope.targets.clone(),
            excludes: scope.excludes.clone(),
            left_out: scope.left_out,
        }),
        allow_protected: Vec::new(),
        environment_protects: plan.environment_protects.clone(),
        refresh_only: plan.refresh_only,
        summary: Summary {
            create: counts.create,
            update: counts.update,
            replace: counts.replace,
            delete: counts.delete,
            unchanged: counts.unchanged,
            unmanaged: counts.unmanaged,
            forget: counts.forget,
            alerts_before: plan.alerts_before,
            alerts_after: plan.alerts_after,
            notification_configurations_after: plan.configs_after,
        },
        notifications_mode: plan.notifications_mode.as_ref().map(|change| ModeChange {
            before: change.before.clone(),
            after: change.after.clone(),
        }),
        leftover_notification_configurations: plan.orphan_configs.clone(),
        possible_unknown_notification_configurations: plan.possible_configs,
        unmanageable: plan
            .unmanageable
            .iter()
            .map(|alert| UnmanageableAlert {
                sid: alert.sid.clone(),
                name: alert.name.clone(),
                reason: alert.reason.clone(),
            })
            .collect(),
        alerts,
        steps,
        store_option: None,
        paths: None,
        environment: None,
    }
}

/// The saved plan (`plan --out`): the JSON plan plus what `apply --plan` needs to redo it:
/// the paths read and the `--store` it was made for (never a credential: those are refused).
pub fn saved(
    plan: &Plan,
    store: &str,
    store_option: &str,
    prune: bool,
    paths: &[PathBuf],
) -> JsonPlan {
    JsonPlan {
        store_option: Some(store_option.to_owned()),
        paths: Some(
            paths
                .iter()
                .map(|path| path.display().to_string())
                .collect(),
        ),
        ..render(plan, store, prune)
    }
}

/// The JSON Schema of the plan, as committed in `schemas/plan.schema.json`.
pub fn schema() -> serde_json::Value {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<JsonPlan>()
        .to_value()
}
