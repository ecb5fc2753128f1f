//! plan() and apply() against the in-memory sandbox engine: every kind of change, renames,
//! replaces in both orders, prune, unmanaged alerts, name errors, notification configurations
//! owned one per alert, browser push mode, and the caps at every step.

use flex_alerts::apply::journal::Journal;
use flex_alerts::apply::report::Report;
use flex_alerts::apply::{Silent, apply};
use flex_alerts::config::desired::Desired;
use flex_alerts::config::{self, source};
use flex_alerts::emulator::{Engine, Seed};
use flex_alerts::plan::view::changes;
use flex_alerts::plan::{Action, Plan, PlanOptions, ReplaceOrder, plan};
use flex_alerts::store::Store;
use flex_alerts::store::local::LocalStore;

use crate::support::*;

pub fn desired(yaml: &str) -> Desired {
    let source = source::from_bytes("test.yaml".to_owned(), yaml.as_bytes().to_vec()).unwrap();
    let loaded = config::check_sources(vec![source], &test_env);
    assert!(
        !loaded.diagnostics.has_errors(),
        "{}",
        loaded.diagnostics.render(&loaded.sources, false)
    );
    loaded.desired
}

pub fn sandbox() -> LocalStore {
    LocalStore::in_memory(Engine::new(&Seed::builtin()))
}

pub async fn plan_for(store: &LocalStore, desired: &Desired, prune: bool) -> Plan {
    let live = store.snapshot().await.unwrap();
    plan(
        desired,
        &live,
        PlanOptions {
            prune,
            ..Default::default()
        },
    )
    .unwrap_or_else(|problems| panic!("{problems:?}"))
}

pub async fn apply_all(store: &LocalStore, desired: &Desired, prune: bool) -> (Plan, Report) {
    let plan = plan_for(store, desired, prune).await;
    let report = apply(&plan, store, 4, &Journal::disabled(), &Silent).await;
    (plan, report)
}

/// Applies and checks that it worked and that a second plan is empty.
pub async fn converge(store: &LocalStore, desired: &Desired, prune: bool) -> Plan {
    let (plan, report) = apply_all(store, desired, prune).await;
    assert!(report.succeeded(), "{}", report.render());
    let again = plan_for(store, desired, prune).await;
    assert!(
        !again.has_changes(),
        "second plan not empty: {:?}",
        again.changes().collect::<Vec<_>>()
    );
    assert_configs_owned(store);
    plan
}

/// Every notification configuration is named by exactly one rule, and no name is taken twice.
pub fn assert_configs_owned(store: &LocalStore) {
    let state = store.state();
    for config in &state.notification_configs {
        let owners = state
            .rules
            .iter()
            .filter(|rule| rule.notify_methods_id.as_deref() == Some(&config.ttid))
            .count();
        assert_eq!(
            owners, 1,
            "configuration {} is named by {owners} rules",
            config.ttid
        );
    }
    let mut names: Vec<&str> = state.rules.iter().map(|rule| rule.name()).collect();
    names.sort();
    let count = names.len();
    names.dedup();
    assert_eq!(names.len(), count, "duplicate alert names");
}

const BASE: &str = "version: 1
alerts:
  - name: Base
    metric: Waiting (Now)
    channel: voice
    queues: [Support, Billing]
    thresholds:
      warning: { above: 5 }
      critical: { above: 10 }
    notify:
      severity: warning
      after: 1m
      users: [jane.doe]
      popup: true
      webhook: { type: slack, url: \"https://hooks.slack.com/services/A\" }
      emails: [a@example.com]
";

fn simple(name: &str, metric: &str) -> String {
    format!(
        "  - name: {name}\n    metric: {metric}\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: {{ above: 10 }}\n"
    )
}

#[tokio::test]
async fn create_from_empty_then_nothing_to_do() {
    let store = sandbox();
    let wanted = desired(BASE);
    let plan = converge(&store, &wanted, false).await;
    assert_eq!(plan.entries.len(), 1);
    assert_eq!(plan.entries[0].action, Action::Create);
    let state = store.state();
    assert_eq!(state.rules.len(), 1);
    assert_eq!(state.notification_configs.len(), 1);
    let rule = &state.rules[0];
    assert_eq!(rule.notify_duration, Some(60_000));
    assert_eq!(rule.notify_severity.as_deref(), Some("Warning"));
    let destinations = &state.notification_configs[0].destinations;
    assert_eq!(
        destinations.subscriptions.as_ref().unwrap().recipients[0].user_sids,
        [JANE]
    );
    assert_eq!(
        destinations.subscriptions.as_ref().unwrap().recipients[0].notification_type,
        Some(vec!["in_app".to_owned(), "toast".to_owned()])
    );
    assert_eq!(
        destinations.webhooks.as_ref().unwrap().endpoints[0].url,
        "https://hooks.slack.com/services/A"
    );
}

#[tokio::test]
async fn every_single_field_change_is_an_update_of_that_field_only() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "queues: [Support, Billing]",
            "queues: [Support]",
            &["queues"],
        ),
        (
            "queues: [Support, Billing]",
            "queues: [Billing, Support]",
            &[],
        ),
        ("channel: voice", "channel: chat", &["channel"]),
        (
            "channel: voice",
            "channel: voice\n    active: false",
            &["active"],
        ),
        (
            "warning: { above: 5 }",
            "warning: { above: 6 }",
            &["thresholds.warning"],
        ),
        (
            "critical: { above: 10 }",
            "critical: { above: 11 }",
            &["thresholds.critical"],
        ),
        (
            "      warning: { above: 5 }\n      critical: { above: 10 }",
            "      warning: { below: 10 }\n      critical: { below: 5 }",
            &["thresholds.warning", "thresholds.critical"],
        ),
        (
            "severity: warning",
            "severity: critical",
            &["notify.severity"],
        ),
        ("after: 1m", "after: 90s", &["notify.after"]),
        ("after: 1m", "after: 60s", &[]),
        (
            "users: [jane.doe]",
            "users: [jane.doe, raj.patel]",
            &["notify.users"],
        ),
        (
            "users: [jane.doe]",
            "users: [jane.doe@owl-telecom.example]",
            &[],
        ),
        (
            "popup: true",
            "popup: true\n      inbox: false",
            &["notify.inbox"],
        ),
        ("popup: true", "popup: false", &["notify.popup"]),
        (
            "popup: true",
            "popup: true\n      browser_push: true",
            &["notify.browser_push"],
        ),
        ("services/A", "services/B", &["notify.webhook"]),
        ("type: slack", "type: custom", &["notify.webhook"]),
        (
            "emails: [a@example.com]",
            "emails: [a@example.com, b@example.com]",
            &["notify.emails"],
        ),
        (
            "    notify:\n",
            "    notify:\n      enabled: false\n",
            &["notify.enabled"],
        ),
    ];
    for (from, to, fields) in cases {
        let store = sandbox();
        converge(&store, &desired(BASE), false).await;
        let sid = store.state().rules[0].sid.clone();
        let changed = BASE.replace(from, to);
        assert_ne!(changed, BASE, "{from} not found");
        let wanted = desired(&changed);
        let plan = plan_for(&store, &wanted, false).await;
        let entry = &plan.entries[0];
        if fields.is_empty() {
            assert_eq!(entry.action, Action::NoOp, "{to}: {}", entry.reason);
            continue;
        }
        assert_eq!(entry.action, Action::Update, "{to}");
        let found: Vec<String> = changes(
            entry.before.as_ref().unwrap(),
            entry.after.as_ref().unwrap(),
        )
        .into_iter()
        .map(|(field, _, _)| field)
        .collect();
        assert_eq!(found, *fields, "{to}");
        converge(&store, &wanted, false).await;
        let state = store.state();
        assert_eq!(state.rules[0].sid, sid, "{to}: updated in place");
        assert_eq!(state.notification_configs.len(), 1, "{to}");
    }
}

#[tokio::test]
async fn rename_via_renamed_from_updates_in_place() {
    let store = sandbox();
    converge(&store, &desired(BASE), false).await;
    let sid = store.state().rules[0].sid.clone();
    let renamed = BASE.replace(
        "  - name: Base\n",
        "  - name: Base renamed\n    renamed_from: [Base]\n",
    );
    let plan = converge(&store, &desired(&renamed), true).await;
    assert_eq!(
        plan.entries.len(),
        1,
        "no delete of the old name even with prune"
    );
    assert_eq!(plan.entries[0].action, Action::Update);
    assert!(
        plan.entries[0].reason.starts_with("renamed from `Base`"),
        "{}",
        plan.entries[0].reason
    );
    let state = store.state();
    assert_eq!(
        (state.rules[0].sid(), state.rules[0].name()),
        (sid.as_deref().unwrap(), "Base renamed")
    );
}

#[tokio::test]
async fn metric_change_is_a_replace_that_creates_first_when_there_is_room() {
    let store = sandbox();
    converge(&store, &desired(BASE), false).await;
    let old = store.state().rules[0].clone();
    let changed = desired(&BASE.replace("Waiting (Now)", "Longest (Now)"));
    let plan = converge(&store, &changed, false).await;
    let entry = &plan.entries[0];
    assert_eq!(entry.action, Action::Replace(ReplaceOrder::CreateFirst));
    assert_eq!(entry.action.names(), ["create", "delete"]);
    assert!(
        entry.reason.contains("Flex cannot edit a metric") && entry.reason.contains("SID changes"),
        "{}",
        entry.reason
    );
    let state = store.state();
    assert_eq!(state.rules.len(), 1);
    assert_ne!(state.rules[0].sid, old.sid);
    assert_eq!(state.rules[0].metric_id.as_deref(), Some("Longest (Now)"));
    assert_eq!(
        state.notification_configs.len(),
        1,
        "the old configuration went with the old rule"
    );
}

fn many(count: usize, metric_of: impl Fn(usize) -> &'static str) -> String {
    let mut yaml = String::from("version: 1\nalerts:\n");
    for index in 0..count {
        yaml.push_str(&simple(&format!("alert {index:03}"), metric_of(index)));
    }
    yaml
}

#[tokio::test]
async fn at_the_cap_a_replace_deletes_first_and_no_step_exceeds_100() {
    let store = sandbox();
    converge(&store, &desired(&many(100, |_| "Waiting (Now)")), false).await;
    assert_eq!(store.state().rules.len(), 100);
    // Two replaces at the cap: the engine refuses a 101st rule, so a create-first order fails.
    let changed = desired(&many(100, |index| {
        if index < 2 {
            "Longest (Now)"
        } else {
            "Waiting (Now)"
        }
    }));
    let plan = converge(&store, &changed, false).await;
    let replaces: Vec<Action> = plan
        .entries
        .iter()
        .map(|entry| entry.action)
        .filter(|action| matches!(action, Action::Replace(_)))
        .collect();
    assert_eq!(replaces, [Action::Replace(ReplaceOrder::DeleteFirst); 2]);
    assert!(
        plan.entries[0].reason.contains("no room under the cap"),
        "{}",
        plan.entries[0].reason
    );
    assert_eq!(store.state().rules.len(), 100);

    // With one free place, the first replace creates first and the second deletes first.
    let store = sandbox();
    converge(&store, &desired(&many(99, |_| "Waiting (Now)")), false).await;
    let changed = desired(&many(99, |index| {
        if index < 2 {
            "Longest (Now)"
        } else {
            "Waiting (Now)"
        }
    }));
    let plan = converge(&store, &changed, false).await;
    assert_eq!(
        plan.entries[0].action,
        Action::Replace(ReplaceOrder::CreateFirst)
    );
    assert_eq!(
        plan.entries[1].action,
        Action::Replace(ReplaceOrder::DeleteFirst)
    );
}

#[tokio::test]
async fn exactly_100_fits_and_101_fails_before_any_write() {
    let store = sandbox();
    converge(&store, &desired(&many(100, |_| "Waiting (Now)")), false).await;

    let store = sandbox();
    for name in ["console one", "console two"] {
        store.create_rule(&rule_body(name)).await.unwrap();
    }
    let before = store.state();
    let live = store.snapshot().await.unwrap();
    let problems = plan(
        &desired(&many(99, |_| "Waiting (Now)")),
        &live,
        PlanOptions {
            prune: false,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("Flex would hold 101 alerts, 1 more than its cap of 100 (99 from the files, 2 live that no file declares)"), "{}", problems[0].message);
    assert!(problems[0].hint.as_deref().unwrap().contains("--prune"));
    assert_eq!(store.state(), before);
    // With prune the two undeclared alerts go first and the 99 fit.
    let plan = converge(&store, &desired(&many(99, |_| "Waiting (Now)")), true).await;
    assert_eq!(plan.counts().delete, 2);
    assert_eq!(store.state().rules.len(), 99);
}

#[tokio::test]
async fn undeclared_live_alerts_are_kept_unless_prune_is_on() {
    let store = sandbox();
    converge(&store, &desired(BASE), false).await;
    let only_other = desired(&format!(
        "version: 1\nalerts:\n{}",
        simple("Other", "Waiting (Now)")
    ));
    let plan = converge(&store, &only_other, false).await;
    let base = plan
        .entries
        .iter()
        .find(|entry| entry.name == "Base")
        .unwrap();
    assert_eq!(base.action, Action::Unmanaged);
    assert_eq!(store.state().rules.len(), 2);

    let plan = converge(&store, &only_other, true).await;
    let base = plan
        .entries
        .iter()
        .find(|entry| entry.name == "Base")
        .unwrap();
    assert_eq!(base.action, Action::Delete);
    let state = store.state();
    assert_eq!(state.rules.len(), 1);
    assert!(
        state.notification_configs.is_empty(),
        "the deleted alert's configuration went with it"
    );

    // `settings.prune` in a file does the same as --prune.
    let store = sandbox();
    converge(&store, &desired(BASE), false).await;
    let pruning = format!(
        "version: 1\nsettings:\n  prune: true\nalerts:\n{}",
        simple("Other", "Waiting (Now)")
    );
    let wanted = desired(&pruning);
    converge(&store, &wanted, wanted.prune).await;
    assert_eq!(store.state().rules.len(), 1);
}

#[tokio::test]
async fn an_interrupted_replace_is_repaired_by_the_next_plan_keeping_the_alert_that_matches() {
    let store = sandbox();
    converge(&store, &desired(BASE), false).await;
    let old = store.state().rules[0].sid().to_owned();
    let changed = desired(&BASE.replace("Waiting (Now)", "Longest (Now)"));
    let mut cut = plan_for(&store, &changed, false).await;
    assert_eq!(
        cut.entries[0].action,
        Action::Replace(ReplaceOrder::CreateFirst)
    );
    // Cut between the create and the delete: the old half never runs.
    cut.steps
        .retain(|step| step.phase != flex_alerts::plan::Phase::Finish);
    let report = apply(&cut, &store, 4, &Journal::disabled(), &Silent).await;
    assert!(report.succeeded(), "{}", report.render());
    assert_eq!(
        store.state().rules.len(),
        2,
        "old and new live under one name"
    );

    let repair = plan_for(&store, &changed, false).await;
    let duplicate: Vec<_> = repair.changes().collect();
    assert_eq!(duplicate.len(), 1, "{duplicate:?}");
    assert_eq!(duplicate[0].action, Action::DeleteDuplicate);
    assert_eq!(duplicate[0].live.as_ref().unwrap().sid, old);
    assert!(
        duplicate[0].reason.contains("interrupted replace")
            && duplicate[0].reason.contains("is kept"),
        "{}",
        duplicate[0].reason
    );
    converge(&store, &changed, false).await;
    let state = store.state();
    assert_eq!(state.rules.len(), 1);
    assert_ne!(state.rules[0].sid(), old);
    assert_eq!(
        state.notification_configs.len(),
        1,
        "the old configuration went too"
    );
}

#[tokio::test]
async fn a_second_apply_of_a_stale_plan_sees_the_other_writer_and_creates_no_alert() {
    let store = sandbox();
    let plan = plan_for(&store, &desired(BASE), false).await;
    let first = apply(&plan, &store, 4, &Journal::disabled(), &Silent).await;
    assert!(first.succeeded(), "{}", first.render());
    let second = apply(&plan, &store, 4, &Journal::disabled(), &Silent).await;
    assert!(!second.succeeded());
    assert!(
        second.render().contains("error: another apply changed the store at the same time: live alerts this apply did not create appeared under names it manages: `Base` ("),
        "{}",
        second.render()
    );
    assert!(
        second
            .steps
            .iter()
            .all(|step| step.step.op != flex_alerts::plan::Op::CreateRule
                || step.outcome != flex_alerts::apply::report::Outcome::Done),
        "no rule is created: {}",
        second.render()
    );
    assert_eq!(store.state().rules.len(), 1);
    assert_eq!(
        store.state().notification_configs.len(),
        1,
        "a configuration it created beside the check is deleted again: {}",
        second.render()
    );
}

#[tokio::test]
async fn the_same_alert_created_twice_by_two_applies_is_kept_once() {
    let store = sandbox();
    let wanted = desired(BASE);
    converge(&store, &wanted, false).await;
    // What a second apply racing the first would have added: a full copy of the alert.
    let state = store.state();
    let original = state.rules[0].clone();
    let config = store
        .create_config(&state.notification_configs[0].destinations)
        .await
        .unwrap();
    let mut copy = original.body().unwrap();
    copy.notify_methods_id = Some(config.ttid);
    store.create_rule(&copy).await.unwrap();
    assert_eq!(store.state().rules.len(), 2);

    converge(&store, &wanted, false).await;
    let state = store.state();
    assert_eq!(state.rules.len(), 1);
    assert_eq!(state.rules[0].sid, original.sid, "the first one is kept");
    assert_eq!(state.notification_configs.len(), 1);
}

/// Copies of `Base` of `metric`, in creation (and listing) order.
async fn copies(store: &LocalStore, metric: &str, count: usize) -> Vec<String> {
    let mut sids = Vec::new();
    for _ in 0..count {
        let mut body = rule_body("Base");
        body.metric_id = metric.to_owned();
        sids.push(store.create_rule(&body).await.unwrap().sid().to_owned());
    }
    sids
}

#[tokio::test]
async fn copies_that_all_differ_from_the_file_keep_the_first_with_its_metric_and_update_it() {
    let store = sandbox();
    // Two copies with the file's metric but other thresholds, and one of another metric.
    let other = copies(&store, "Active (Now)", 1).await;
    let same = copies(&store, "Waiting (Now)", 2).await;
    let live = store.snapshot().await.unwrap();
    let planned = plan(&desired(BASE), &live, PlanOptions::default()).unwrap();
    let kept: Vec<_> = planned
        .entries
        .iter()
        .filter(|entry| entry.action == Action::Update)
        .collect();
    assert_eq!(kept.len(), 1, "{:?}", planned.entries);
    assert_eq!(kept[0].live.as_ref().unwrap().sid, same[0]);
    let mut deleted: Vec<&str> = planned
        .entries
        .iter()
        .filter(|entry| entry.action == Action::DeleteDuplicate)
        .map(|entry| entry.live.as_ref().unwrap().sid.as_str())
        .collect();
    deleted.sort();
    let mut others = vec![other[0].as_str(), same[1].as_str()];
    others.sort();
    assert_eq!(deleted, others);
    assert!(
        planned.entries.iter().any(|entry| entry
            .reason
            .contains("is the first with the file's metric: it is kept and updated")),
        "{:?}",
        planned.entries
    );
    converge(&store, &desired(BASE), false).await;
    assert_eq!(store.state().rules.len(), 1);
    assert_eq!(
        store.state().rules[0].sid(),
        same[0],
        "the first copy stays"
    );
}

#[tokio::test]
async fn copies_none_of_which_has_the_files_metric_keep_the_first_and_replace_it() {
    let store = sandbox();
    let sids = copies(&store, "Active (Now)", 2).await;
    let live = store.snapshot().await.unwrap();
    let planned = plan(&desired(BASE), &live, PlanOptions::default()).unwrap();
    let actions: Vec<(Action, &str)> = planned
        .entries
        .iter()
        .map(|entry| (entry.action, entry.live.as_ref().unwrap().sid.as_str()))
        .collect();
    assert!(
        actions.contains(&(Action::DeleteDuplicate, sids[1].as_str()))
            && actions
                .iter()
                .any(|(action, sid)| matches!(action, Action::Replace(_)) && *sid == sids[0]),
        "{actions:?}"
    );
    converge(&store, &desired(BASE), false).await;
    let state = store.state();
    assert_eq!(state.rules.len(), 1);
    assert_eq!(state.rules[0].metric_id.as_deref(), Some("Waiting (Now)"));
}

#[tokio::test]
async fn unknown_names_are_all_reported_with_suggestions() {
    let store = sandbox();
    let live = store.snapshot().await.unwrap();
    let wrong = BASE
        .replace("[Support, Billing]", "[Suport, Billing]")
        .replace("channel: voice", "channel: vioce")
        .replace("[jane.doe]", "[jane.do]");
    let problems = plan(&desired(&wrong), &live, PlanOptions::default()).unwrap_err();
    let messages: Vec<(String, Option<String>)> = problems
        .into_iter()
        .map(|problem| (problem.message, problem.hint))
        .collect();
    assert_eq!(
        messages,
        [
            (
                "test.yaml:5:14: alert `Base`: unknown channel `vioce`".to_owned(),
                Some("did you mean `voice`?".to_owned())
            ),
            (
                "test.yaml:6:14: alert `Base`: unknown queue `Suport`".to_owned(),
                Some("did you mean `Support`?".to_owned())
            ),
            (
                "test.yaml:13:15: alert `Base`: unknown user `jane.do`".to_owned(),
                Some("did you mean `jane.doe`?".to_owned())
            ),
        ]
    );
}

#[tokio::test]
async fn notification_configuration_follows_notify_added_changed_and_removed() {
    let store = sandbox();
    let without = BASE.split("    notify:\n").next().unwrap().to_owned();
    converge(&store, &desired(&without), false).await;
    assert!(store.state().notification_configs.is_empty());
    assert!(store.state().rules[0].notify_methods_id.is_none());

    converge(&store, &desired(BASE), false).await;
    let state = store.state();
    assert_eq!(state.notification_configs.len(), 1);
    let ttid = state.notification_configs[0].ttid.clone();
    assert_eq!(
        state.rules[0].notify_methods_id.as_deref(),
        Some(ttid.as_str())
    );

    let plan = converge(
        &store,
        &desired(&BASE.replace("a@example.com", "b@example.com")),
        false,
    )
    .await;
    assert_eq!(
        plan.steps.len(),
        1,
        "only the configuration is updated: {:?}",
        plan.steps
    );
    assert_eq!(
        store.state().notification_configs[0].ttid,
        ttid,
        "updated in place"
    );

    converge(&store, &desired(&without), false).await;
    let state = store.state();
    assert!(state.notification_configs.is_empty());
    assert!(
        state.rules[0].notify_methods_id.is_none() && state.rules[0].notify_enabled == Some(false)
    );
}

#[tokio::test]
async fn browser_push_mode_is_planned_and_applied() {
    let store = sandbox();
    let wanted = desired(&BASE.replace(
        "version: 1\n",
        "version: 1\nsettings:\n  browser_push_mode: always\n",
    ));
    let plan = converge(&store, &wanted, false).await;
    let change = plan.notifications_mode.unwrap();
    assert_eq!(
        (change.before.as_deref(), change.after.as_str()),
        (Some("whenNotInFocus"), "always")
    );
    assert_eq!(
        store.state().configuration["notifications"]["mode"],
        "always"
    );
    // Not managed when the setting is absent.
    assert!(
        plan_for(&store, &desired(BASE), false)
            .await
            .notifications_mode
            .is_none()
    );
}

#[tokio::test]
async fn leftover_configurations_are_deleted_by_the_next_apply() {
    let store = sandbox();
    converge(&store, &desired(BASE), false).await;
    let leftover = store
        .create_config(&flex_alerts::flex::wire::Destinations::default())
        .await
        .unwrap();
    let plan = plan_for(&store, &desired(BASE), false).await;
    assert_eq!(plan.orphan_configs, std::slice::from_ref(&leftover.ttid));
    converge(&store, &desired(BASE), false).await;
    assert_eq!(store.state().notification_configs.len(), 1);
}

#[tokio::test]
async fn stale_names_the_alerts_a_plan_touches_that_changed_live() {
    let store = sandbox();
    converge(
        &store,
        &desired(&format!(
            "version: 1\nalerts:\n{}{}",
            simple("A", "Waiting (Now)"),
            simple("B", "Waiting (Now)")
        )),
        false,
    )
    .await;
    let wanted = desired(&format!(
        "version: 1\nalerts:\n{}{}{}",
        simple("A", "Longest (Now)"),
        simple("B", "Waiting (Now)"),
        simple("C", "Waiting (Now)")
    ));
    let plan = plan_for(&store, &wanted, false).await;
    assert!(flex_alerts::plan::stale(&plan, &store.snapshot().await.unwrap()).is_empty());
    for name in ["A", "B"] {
        let rule = store
            .state()
            .rules
            .into_iter()
            .find(|rule| rule.name() == name)
            .unwrap();
        let mut body = rule.body().unwrap();
        body.active = false;
        store.update_rule(rule.sid(), &body).await.unwrap();
    }
    store.create_rule(&rule_body("C")).await.unwrap();
    // B is not touched by the plan, so its change does not count.
    assert_eq!(
        flex_alerts::plan::stale(&plan, &store.snapshot().await.unwrap()),
        ["A", "C"]
    );
}

#[tokio::test]
async fn configurations_that_may_exist_take_room_when_a_replace_order_is_chosen() {
    let notifying = |metric_of: &dyn Fn(usize) -> &'static str| {
        let mut yaml = String::from("version: 1\nalerts:\n");
        for index in 0..99 {
            yaml.push_str(&simple(&format!("alert {index:03}"), metric_of(index)));
            yaml.push_str("    notify:\n      users: [jane.doe]\n");
        }
        yaml
    };
    let store = sandbox();
    converge(&store, &desired(&notifying(&|_| "Waiting (Now)")), false).await;
    let changed = desired(&notifying(&|index| {
        if index == 0 {
            "Longest (Now)"
        } else {
            "Waiting (Now)"
        }
    }));
    let mut live = store.snapshot().await.unwrap();
    let order = |live: &flex_alerts::store::Live| {
        plan(&changed, live, PlanOptions::default())
            .unwrap()
            .entries[0]
            .action
    };
    assert_eq!(order(&live), Action::Replace(ReplaceOrder::CreateFirst));
    // 99 configurations and one that may exist: no room for the old and the new at once.
    live.possible_configs = 1;
    assert_eq!(order(&live), Action::Replace(ReplaceOrder::DeleteFirst));
}
