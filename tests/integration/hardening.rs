//! Trust, round two: what an independent fault and bad-input campaign broke, each case
//! reproduced here as it was met (a listing that repeats a SID, a full disk during apply,
//! copies of an alert that none matches, inputs that never end, a tampered journal, names that
//! lie to a reviewer, requests that wedge the emulator) and held to the fixed behaviour.

use serde_json::{Value, json};

use flex_alerts::emulator::engine::ConsoleObjects;

use crate::support::*;

/// The emulator after `apply examples/`, and the journal directory it used.
async fn applied_examples() -> (flex_alerts::emulator::http::Emulator, tempfile::TempDir) {
    let emulator = emulator().await;
    let state = tempfile::tempdir().unwrap();
    let applied = run_blocking(
        against(&emulator, state.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    (emulator, state)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_that_names_one_sid_twice_deletes_nothing() {
    let (emulator, state) = applied_examples().await;
    let rules: Vec<Value> = emulator.shared.state_json()["rules"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rules.len(), 9);
    // Every rule listed twice, as a page-based listing can repeat items, or a doubled sandbox.
    let doubled: ConsoleObjects = serde_json::from_value(json!({ "rules": rules })).unwrap();
    emulator.shared.insert(doubled).unwrap();
    assert_eq!(stored(&emulator, "rules"), 18);

    let plan = run_blocking(against(&emulator, state.path()), &["plan", "examples/"]).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(!plan.stdout.contains("delete duplicate"), "{}", plan.stdout);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    let applied = run_blocking(
        against(&emulator, state.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(count(&emulator, "DELETE", "/InsightsRules/"), 0);
    let sids: std::collections::BTreeSet<String> = emulator.shared.state_json()["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["sid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sids.len(), 9, "every real alert is still there");
    assert_eq!(stored(&emulator, "notification_configs"), 8);
}

#[tokio::test]
async fn plan_never_deletes_a_sid_it_keeps_however_often_the_live_side_names_it() {
    use flex_alerts::plan::{Action, PlanOptions, plan};
    use flex_alerts::store::Store;
    let store = crate::plan::sandbox();
    let wanted = crate::plan::desired(
        "version: 1\nalerts:\n  - name: Base\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: { above: 10 }\n",
    );
    crate::plan::converge(&store, &wanted, false).await;
    let mut live = store.snapshot().await.unwrap();
    let rule = live.rules[0].clone();
    live.rules = vec![rule.clone(), rule.clone(), rule];
    for prune in [false, true] {
        let planned = plan(&wanted, &live, PlanOptions { prune }).unwrap();
        assert_eq!(planned.entries.len(), 1, "{:?}", planned.entries);
        assert_eq!(planned.entries[0].action, Action::NoOp);
        assert!(!planned.has_changes());
    }
}
