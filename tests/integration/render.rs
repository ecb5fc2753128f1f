//! Snapshots of the three plan renderings for one plan with every kind of action, from a
//! sandbox with a fixed clock so SIDs, TTIDs and fingerprints are stable. Webhook URLs appear
//! only masked.

use flex_alerts::emulator::{Engine, Seed};
use flex_alerts::plan::{Plan, PlanOptions, plan};
use flex_alerts::render::{json, markdown, text};
use flex_alerts::store::Store;
use flex_alerts::store::local::LocalStore;

use crate::plan::{converge, desired};

const SECRET: &str = "https://hooks.slack.com/services/T0/B0/TOPSECRET";

fn before() -> String {
    format!(
        "version: 1
alerts:
  - name: Kept as is
    metric: Waiting (Now)
    channel: voice
    queues: [Support]
    thresholds:
      critical: {{ above: 10 }}
  - name: Support longest wait
    metric: Longest (Now)
    channel: voice
    queues: [Support]
    thresholds:
      warning: {{ above: 60 }}
      critical: {{ above: 180 }}
    notify:
      users: [jane.doe]
      webhook: {{ type: slack, url: \"{SECRET}\" }}
  - name: Billing abandoned
    metric: Abandoned (Today)
    channel: voice
    queues: [Billing]
    thresholds:
      critical: {{ above: 20 }}
  - name: Old sales alert
    metric: Waiting (Now)
    channel: chat
    queues: [Sales]
    thresholds:
      critical: {{ above: 3 }}
"
    )
}

fn after() -> String {
    format!(
        "version: 1
settings:
  browser_push_mode: always
alerts:
  - name: Kept as is
    metric: Waiting (Now)
    channel: voice
    queues: [Support]
    thresholds:
      critical: {{ above: 10 }}
  - name: Support voice - longest wait
    renamed_from: [Support longest wait]
    metric: Longest (Now)
    channel: voice
    queues: [Support, Tech Support Tier 2]
    thresholds:
      warning: {{ above: 90 }}
      critical: {{ above: 180 }}
    notify:
      after: 2m
      users: [jane.doe, raj.patel]
      popup: true
      webhook: {{ type: slack, url: \"{SECRET}\" }}
  - name: Billing abandoned
    metric: Abandoned (30 min)
    channel: voice
    queues: [Billing]
    thresholds:
      critical: {{ above: 20 }}
  - name: New chat alert
    metric: Waiting (Now)
    channel: chat
    queues: [Support]
    thresholds:
      warning: {{ above: 2 }}
      critical: {{ above: 5 }}
    notify:
      emails: [oncall@example.com]
"
    )
}

async fn example_plan(prune: bool) -> Plan {
    let store =
        LocalStore::in_memory(Engine::new(&Seed::builtin()).with_clock(|| 1_767_225_600_000));
    converge(&store, &desired(&before()), false).await;
    let live = store.snapshot().await.unwrap();
    plan(
        &desired(&after()),
        &live,
        PlanOptions {
            prune,
            ..Default::default()
        },
    )
    .unwrap()
}

#[tokio::test]
async fn text_plan() {
    let rendered = text::render(&example_plan(false).await, false, false);
    assert!(!rendered.contains("TOPSECRET"));
    insta::assert_snapshot!(rendered);
}

#[tokio::test]
async fn text_plan_with_prune_and_colour() {
    let rendered = text::render(&example_plan(true).await, true, true);
    assert!(
        rendered.contains("\u{1b}[31m"),
        "red for deletes on a terminal"
    );
    insta::assert_snapshot!(rendered);
}

#[tokio::test]
async fn markdown_plan() {
    let parts = markdown::render(
        &example_plan(true).await,
        "the local sandbox (memory)",
        None,
    );
    assert_eq!(parts.len(), 1);
    assert!(!parts[0].contains("TOPSECRET"));
    insta::assert_snapshot!(parts[0]);
}

#[tokio::test]
async fn json_plan() {
    let document = serde_json::to_value(json::render(
        &example_plan(true).await,
        "the local sandbox (memory)",
        true,
    ))
    .unwrap();
    assert!(!document.to_string().contains("TOPSECRET"));
    insta::assert_json_snapshot!(document);
}

#[tokio::test]
async fn json_plans_and_saved_plans_match_the_committed_plan_schema() {
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::root().join("schemas/plan.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        committed,
        json::schema(),
        "run `flex-alerts schema plan > schemas/plan.schema.json`"
    );
    let validator = jsonschema::draft202012::new(&committed).unwrap();
    for prune in [false, true] {
        let plan = example_plan(prune).await;
        let saved = json::saved(
            &plan,
            "the local sandbox (memory)",
            "local",
            prune,
            &["alerts/".into()],
        );
        for document in [
            json::render(&plan, "the local sandbox (memory)", prune),
            saved,
        ] {
            let document = serde_json::to_value(document).unwrap();
            let problems: Vec<String> = validator
                .iter_errors(&document)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(problems.is_empty(), "{problems:#?}");
        }
    }
    // The schema is closed: a key it does not know is refused.
    let mut document =
        serde_json::to_value(json::render(&example_plan(false).await, "s", false)).unwrap();
    document["alerts"][0]["surprise"] = serde_json::json!(1);
    assert!(!validator.is_valid(&document));
}

#[tokio::test]
async fn markdown_is_split_below_65000_characters() {
    let store = LocalStore::in_memory(Engine::new(&Seed::builtin()));
    let mut yaml = String::from("version: 1\nalerts:\n");
    for index in 0..100 {
        yaml.push_str(&format!(
            "  - name: {} {index:03}\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Support, Billing, Sales, Retention, Tech Support Tier 2, Spanish Support]\n    thresholds:\n      critical: {{ above: 10 }}\n    notify:\n      users: [jane.doe, raj.patel, maria.garcia, li.wei, tom.baker, ana.silva]\n      emails: [{}]\n",
            "long alert name ".repeat(10),
            (0..10).map(|n| format!("person{n}@example.com")).collect::<Vec<_>>().join(", ")
        ));
    }
    let live = store.snapshot().await.unwrap();
    let plan = plan(&desired(&yaml), &live, PlanOptions::default()).unwrap();
    let parts = markdown::render(&plan, "sandbox", None);
    assert!(parts.len() > 1, "one part of {} characters", parts[0].len());
    for part in &parts {
        assert!(part.len() < markdown::MAX_PART, "{}", part.len());
    }
    let details: usize = parts
        .iter()
        .map(|part| part.matches("<details>").count())
        .sum();
    assert_eq!(details, 100, "every alert's details are in some part");
}
