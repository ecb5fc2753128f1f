//! The JSON plan (`--format json`, and the file `plan --out` saves): versioned, one entry per
//! alert with the contract's `actions`, `action_reason`, `before` / `after` (webhooks masked,
//! compared by hash) and the live fingerprint `apply --plan` checks for staleness.

use serde_json::{Value, json};

use crate::plan::view::changes;
use crate::plan::{Entry, Phase, Plan};
use crate::secret::hash_text;

/// The version of this document's shape; see the README.
pub const FORMAT_VERSION: u32 = 1;

/// A hash of what the files ask for one alert, to tell whether they changed since a plan.
pub fn desired_fingerprint(entry: &Entry) -> Option<String> {
    entry
        .after
        .as_ref()
        .map(|view| hash_text(&serde_json::to_string(view).expect("views serialize")))
}

pub fn render(plan: &Plan, store: &str, prune: bool) -> Value {
    let counts = plan.counts();
    let alerts: Vec<Value> = plan
        .entries
        .iter()
        .map(|entry| {
            let changed: Vec<Value> = match (&entry.before, &entry.after) {
                (Some(before), Some(after)) => changes(before, after)
                    .into_iter()
                    .map(|(field, before, after)| json!({"field": field, "before": before, "after": after}))
                    .collect(),
                _ => Vec::new(),
            };
            json!({
                "name": entry.name,
                "actions": entry.action.names(),
                "action_reason": entry.reason,
                "sid": entry.live.as_ref().map(|live| &live.sid),
                "managed": entry.desired.is_some(),
                "before": entry.before,
                "after": entry.after,
                "changes": changed,
                "live_fingerprint": entry.live.as_ref().map(|live| &live.fingerprint),
                "desired_fingerprint": desired_fingerprint(entry),
            })
        })
        .collect();
    let steps: Vec<Value> = plan
        .steps
        .iter()
        .map(|step| {
            json!({
                "id": step.id,
                "phase": match step.phase {
                    Phase::Remove => "remove",
                    Phase::Write => "write",
                    Phase::Finish => "finish",
                },
                "after": step.after,
                "step": plan.describe(step),
            })
        })
        .collect();
    json!({
        "format_version": FORMAT_VERSION,
        "store": store,
        "prune": prune,
        "summary": {
            "create": counts.create,
            "update": counts.update,
            "replace": counts.replace,
            "delete": counts.delete,
            "unchanged": counts.unchanged,
            "unmanaged": counts.unmanaged,
            "alerts_before": plan.alerts_before,
            "alerts_after": plan.alerts_after,
            "notification_configurations_after": plan.configs_after,
        },
        "notifications_mode": plan.notifications_mode.as_ref().map(|change| json!({"before": change.before, "after": change.after})),
        "leftover_notification_configurations": plan.orphan_configs,
        "possible_unknown_notification_configurations": plan.possible_configs,
        "unmanageable": plan.unmanageable.iter().map(|alert| json!({
            "sid": alert.sid,
            "name": alert.name,
            "reason": alert.reason,
        })).collect::<Vec<_>>(),
        "alerts": alerts,
        "steps": steps,
    })
}
