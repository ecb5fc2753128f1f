//! What a real account can hold and what can go wrong around it: Console-made alerts of every
//! nullable shape Twilio documents (listed, exported, planned; the unrepresentable ones kept,
//! never fatal), deactivated users, rule updates that merge instead of replace, creates whose
//! answer never came, the emulator's admin routes, and credentials written into `--store`.

use flex_alerts::emulator::engine::ConsoleObjects;
use flex_alerts::emulator::faults::FaultAction;
use flex_alerts::emulator::http::{DEFAULT_MAX_BODY_BYTES, Emulator};
use flex_alerts::emulator::{Engine, Seed};
use flex_alerts::store::local::LocalStore;
use serde_json::{Value, json};

use crate::plan::{converge, desired};
use crate::support::*;

const TTID: &str = "flex_notificationconfiguration_01jt2gntpafkt9671avqj50sq8";
const NO_NAME: &str = "QY00000000000000000000000000000a02";
const FUTURE_METRIC: &str = "QY00000000000000000000000000000a03";
const ODD_THRESHOLDS: &str = "QY00000000000000000000000000000a04";

fn critical_above(value: i64) -> Value {
    json!([{"threshold_type": "Critical", "threshold_operator": "Greater Than", "threshold_value": value}])
}

/// Alerts as Console makes them, and some no version of flex-alerts can read.
fn console_objects() -> ConsoleObjects {
    serde_json::from_value(json!({
        "rules": [
            {
                // An agent-activity alert: no channel; its configuration has a recipient
                // without notification types and null lists.
                "account_sid": ACCOUNT, "instance_sid": INSTANCE,
                "sid": "QY00000000000000000000000000000a01",
                "rule_friendly_name": "Agents offline (Console)",
                "metric_id": "Offline Agents (Now)", "task_channel_sid": null,
                "task_queue_sids": [SUPPORT], "active": true,
                "rule_thresholds": critical_above(3),
                "date_created": null, "date_updated": null,
                "notify_enabled": true, "notify_severity": "Critical",
                "notify_duration": 60000, "notify_methods_id": TTID, "url": null
            },
            {"sid": NO_NAME, "rule_friendly_name": null, "metric_id": "Waiting (Now)",
             "task_channel_sid": VOICE, "task_queue_sids": [SUPPORT], "rule_thresholds": critical_above(1)},
            {"sid": FUTURE_METRIC, "rule_friendly_name": "Future metric", "metric_id": "Wrap-up (Now)",
             "task_channel_sid": VOICE, "task_queue_sids": [SUPPORT], "rule_thresholds": critical_above(1)},
            {"sid": ODD_THRESHOLDS, "rule_friendly_name": "Odd thresholds", "metric_id": "Waiting (Now)",
             "task_channel_sid": VOICE, "task_queue_sids": [SUPPORT], "rule_thresholds": "Critical > 5"},
            {
                // Every nullable key null: read as inactive, notifications off.
                "account_sid": null, "instance_sid": null,
                "sid": "QY00000000000000000000000000000a05",
                "rule_friendly_name": "Mostly null", "metric_id": "Waiting (Now)",
                "task_channel_sid": VOICE, "task_queue_sids": [BILLING], "active": null,
                "rule_thresholds": critical_above(7), "date_created": null, "date_updated": null,
                "notify_enabled": null, "notify_severity": null, "notify_duration": null,
                "notify_methods_id": null, "url": null
            },
            {"sid": null, "rule_friendly_name": "Ghost", "metric_id": "Waiting (Now)",
             "task_channel_sid": VOICE, "task_queue_sids": [SUPPORT], "rule_thresholds": critical_above(1)}
        ],
        "notification_configs": [{
            "ttid": TTID, "instance_sid": INSTANCE,
            "destinations": {
                "subscriptions": {"defaults": null, "recipients": [{"user_sids": [JANE]}]},
                "webhooks": {"defaults": null, "endpoints": null},
                "emails": {"email_recipients": null}
            }
        }],
        "queues": [{"sid": "WQ00000000000000000000000000000b01", "friendly_name": null}],
        "channels": [{"sid": "TC00000000000000000000000000000b01", "unique_name": null, "friendly_name": null}],
        "users": [{"flex_user_sid": "FU00000000000000000000000000000c01", "username": "old.timer", "deactivated": true}]
    }))
    .unwrap()
}

async fn console_emulator() -> Emulator {
    let emulator = emulator().await;
    emulator.shared.insert(console_objects()).unwrap();
    emulator
}

/// `plan` of an `alerts.yaml` holding `text`, against the emulator with Console's objects.
async fn plan_against_console(text: &str) -> (Emulator, Run) {
    let emulator = console_emulator().await;
    let state_dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let file = write(files.path(), "alerts.yaml", text);
    let plan = run_blocking(
        against(&emulator, state_dir.path()),
        &["plan", file.to_str().unwrap()],
    )
    .await;
    (emulator, plan)
}

fn write(directory: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = directory.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn console_shaped_alerts_are_planned_and_exported_and_the_unreadable_ones_kept() {
    let emulator = console_emulator().await;
    let state_dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let empty = write(files.path(), "empty.yaml", "version: 1\nalerts: []\n");
    let empty = empty.to_str().unwrap();

    let plan = run_blocking(
        against(&emulator, state_dir.path()),
        &["plan", empty, "--detailed-exitcode"],
    )
    .await;
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    for expected in [
        &format!("cannot manage \"(no name)\" ({NO_NAME})\n      it has no name;")[..],
        &format!(
            "cannot manage \"Future metric\" ({FUTURE_METRIC})\n      its metric `Wrap-up (Now)` is not one of the 17 Flex metrics flex-alerts knows"
        ),
        &format!(
            "cannot manage \"Odd thresholds\" ({ODD_THRESHOLDS})\n      its thresholds are not in a shape flex-alerts knows"
        ),
        "cannot manage \"Ghost\" (no SID)\n      it has no SID, so no request can address it",
        "kept as it is, and counted against the cap",
        "Alerts after apply: 6/100.",
    ] {
        assert!(
            plan.stdout.contains(expected),
            "{expected}\n{}",
            plan.stdout
        );
    }

    let json = run_blocking(
        against(&emulator, state_dir.path()),
        &["plan", empty, "--format", "json"],
    )
    .await;
    let document: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["unmanageable"].as_array().unwrap().len(), 4);
    assert_eq!(document["summary"]["unmanaged"], 2);

    // Export, validate, plan: the channel-less alert round-trips with no change.
    let exported = files.path().join("live.yaml");
    let export = run_blocking(
        against(&emulator, state_dir.path()),
        &["export", "--out", exported.to_str().unwrap()],
    )
    .await;
    assert_eq!(export.code, 0, "{}", export.stderr);
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(
        text.contains(&format!(
            "# Not exported: live alert {FUTURE_METRIC} `Future metric`: its metric"
        )),
        "{text}"
    );
    let agents = &text[text.find("- name: Agents offline (Console)").unwrap()..];
    let agents = &agents[..agents.find("\n  - name").unwrap_or(agents.len())];
    assert!(!agents.contains("channel:"), "{agents}");
    assert!(agents.contains("users: [jane.doe]"), "{agents}");
    let validate = run(cli().args(["validate", exported.to_str().unwrap()]));
    assert_eq!(validate.code, 0, "{}\n{text}", validate.stderr);
    let again = run_blocking(
        against(&emulator, state_dir.path()),
        &["plan", exported.to_str().unwrap(), "--detailed-exitcode"],
    )
    .await;
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);

    // A channel-less update is sent without a channel and accepted.
    let changed = text.replace("above: 3", "above: 4");
    std::fs::write(&exported, changed).unwrap();
    let apply = run_blocking(
        against(&emulator, state_dir.path()),
        &["apply", exported.to_str().unwrap(), "--auto-approve"],
    )
    .await;
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert!(apply.stdout.contains("update \"Agents offline (Console)\""));
    let state = emulator.shared.state_json();
    let agents = state["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["rule_friendly_name"] == "Agents offline (Console)")
        .unwrap();
    assert_eq!(agents["task_channel_sid"], Value::Null);
    assert_eq!(agents["rule_thresholds"][0]["threshold_value"], 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_alert_without_a_channel_and_a_name_taken_by_an_unreadable_alert_are_plan_errors() {
    let (emulator, plan) = plan_against_console(
        "version: 1\nalerts:\n  - name: Agents offline (new)\n    metric: Offline Agents (Now)\n    queues: [Support]\n    thresholds:\n      critical: { above: 3 }\n  - name: Future metric\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: { above: 3 }\n",
    )
    .await;
    assert_eq!(plan.code, 1);
    assert!(
        plan.stderr.contains(
            "alerts.yaml:3:11: alert `Agents offline (new)` has no `channel`: Flex needs one to create an alert"
        ),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stderr.contains(&format!(
            "alerts.yaml:8:11: alert `Future metric`: live alert {FUTURE_METRIC} has this name, but flex-alerts cannot read it"
        )),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stderr.contains("hint: add `channel:`"),
        "{}",
        plan.stderr
    );
    assert_eq!(
        count(&emulator, "POST", "/"),
        0,
        "no write reached the store"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deactivated_user_is_a_plan_error_at_the_exact_line() {
    let (_emulator, plan) = plan_against_console(
        "version: 1\nalerts:\n  - name: Support waiting\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: { above: 3 }\n    notify:\n      users: [jane.doe, old.timer]\n",
    )
    .await;
    assert_eq!(plan.code, 1);
    assert!(
        plan.stderr.contains(
            "alerts.yaml:10:25: alert `Support waiting`: user `old.timer` (FU00000000000000000000000000000c01) is deactivated in Flex and cannot be notified"
        ),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stderr
            .contains("hint: remove them from `users`, or reactivate them in Flex first"),
        "{}",
        plan.stderr
    );
}

const NOTIFYING: &str = "version: 1
alerts:
  - name: Merged
    metric: Waiting (Now)
    channel: voice
    queues: [Support]
    thresholds:
      critical: { above: 10 }
    notify:
      users: [jane.doe]
      emails: [a@example.com]
";

#[tokio::test]
async fn removing_notifications_converges_whether_rule_updates_replace_or_merge() {
    for merge in [false, true] {
        let store = LocalStore::in_memory(Engine::new(&Seed::builtin()).with_merge_updates(merge));
        converge(&store, &desired(NOTIFYING), false).await;
        let silent = NOTIFYING[..NOTIFYING.find("    notify:").unwrap()].to_owned();
        converge(&store, &desired(&silent), false).await;
        let state = store.state();
        assert!(state.notification_configs.is_empty(), "merge: {merge}");
        let rule = &state.rules[0];
        assert_eq!(rule.notify_enabled, Some(false), "merge: {merge}");
        assert_eq!(
            rule.notify_methods_id.is_some(),
            merge,
            "a merging update keeps naming the deleted configuration; it reads as no notifications"
        );
        // And back again: the missing configuration is replaced.
        converge(&store, &desired(NOTIFYING), false).await;
        assert_eq!(store.state().notification_configs.len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_configuration_create_without_an_answer_is_reported_as_may_exist() {
    let emulator = emulator().await;
    let state_dir = tempfile::tempdir().unwrap();
    script(
        &emulator,
        vec![fault(
            "POST",
            "/NotificationConfigurations",
            FaultAction::ApplyThenFail,
            1,
        )],
    );
    let first = run_blocking(
        against(&emulator, state_dir.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(first.code, 1);
    assert!(
        first
            .stderr
            .contains("Flex answered HTTP 500, so whether it was applied is unknown"),
        "{}",
        first.stderr
    );
    let second = run_blocking(
        against(&emulator, state_dir.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(second.code, 0, "{}", second.stderr);
    let plan = run_blocking(
        against(&emulator, state_dir.path()),
        &["plan", "examples/", "--detailed-exitcode"],
    )
    .await;
    assert_eq!(plan.code, 0, "nothing left to do: {}", plan.stdout);
    assert!(
        plan.stdout.contains(
            "note: 1 notification configuration create(s) got no answer, so 1 configuration(s) may exist that nobody knows the id of"
        ),
        "{}",
        plan.stdout
    );
    let json = run_blocking(
        against(&emulator, state_dir.path()),
        &["plan", "examples/", "--format", "json"],
    )
    .await;
    let document: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["possible_unknown_notification_configurations"], 1);
    // It does exist in the emulator: the one configuration no rule names.
    let state = emulator.shared.state_json();
    assert_eq!(
        state["notification_configs"].as_array().unwrap().len(),
        state["rules"].as_array().unwrap().len()
    );
}

#[tokio::test]
async fn admin_routes_never_show_credentials_and_need_them_off_loopback() {
    let loopback = emulator().await;
    let http = raw_http();
    let state: Value = http
        .get(format!("{}/__admin/state", loopback.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(state["instance_sid"].is_string());
    let text = state.to_string();
    assert!(!text.contains(TOKEN), "{text}");

    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let open = Emulator::start(
        listener,
        Engine::new(&Seed::builtin()),
        Default::default(),
        1,
        DEFAULT_MAX_BODY_BYTES,
    )
    .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    for (method, path) in [("GET", "/__admin/state"), ("PUT", "/__admin/faults")] {
        let request = http.request(method.parse().unwrap(), format!("{url}{path}"));
        let answer = request.body("{}").send().await.unwrap();
        assert_eq!(answer.status(), 401, "{method} {path}");
    }
    let answer = http
        .get(format!("{url}/__admin/state"))
        .basic_auth(ACCOUNT, Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(!answer.text().await.unwrap().contains(TOKEN));
    open.stop();
}

#[test]
fn credentials_in_a_store_url_never_appear_in_any_output() {
    let url = "http://ACe268443e43d93dab7ebef303bbe9642f:T0PSECRET-token@127.0.0.1:9";
    let outputs = [
        run(cli().args(["plan", "--store", url, "examples/"])),
        run(cli()
            .args(["plan", "examples/"])
            .env("FLEX_ALERTS_STORE", url)),
        run(cli().args(["apply", "--store", url, "examples/", "--auto-approve"])),
        run(cli().args(["export", "--store", "http://u:T0PSECRET-token@[bad"])),
        run(cli().args(["plan", "--help"]).env("FLEX_ALERTS_STORE", url)),
    ];
    for (index, output) in outputs.iter().enumerate() {
        let all = format!("{}{}", output.stdout, output.stderr);
        assert!(!all.contains("T0PSECRET"), "output {index}: {all}");
        assert!(
            !all.contains("ACe268443e43d93dab7ebef303bbe9642f"),
            "output {index}: {all}"
        );
    }
    assert_eq!(outputs[0].code, 1);
    assert!(
        outputs[0]
            .stderr
            .contains("error: --store: `http://***@127.0.0.1:9` holds credentials"),
        "{}",
        outputs[0].stderr
    );
}

#[tokio::test]
async fn a_leftover_that_a_rule_names_by_the_time_apply_runs_is_not_deleted() {
    use flex_alerts::apply::journal::Journal;
    use flex_alerts::apply::{Silent, apply};
    use flex_alerts::store::Store;

    let store = LocalStore::in_memory(Engine::new(&Seed::builtin()));
    let wanted = desired(NOTIFYING);
    converge(&store, &wanted, false).await;
    // Another apply's fresh configuration, not attached yet: a leftover to this plan.
    let fresh = store
        .create_config(&store.state().notification_configs[0].destinations)
        .await
        .unwrap();
    let plan = crate::plan::plan_for(&store, &wanted, false).await;
    assert_eq!(plan.orphan_configs, std::slice::from_ref(&fresh.ttid));
    // The other apply attaches it before this one runs.
    let mut body = rule_body("Other apply's alert");
    body.notify_methods_id = Some(fresh.ttid.clone());
    store.create_rule(&body).await.unwrap();

    let report = apply(&plan, &store, 4, &Journal::disabled(), &Silent).await;
    assert!(
        report
            .render()
            .contains("(a live rule names it now, so it is no leftover)"),
        "{}",
        report.render()
    );
    let state = store.state();
    assert!(
        state
            .notification_configs
            .iter()
            .any(|config| config.ttid == fresh.ttid)
    );
}

#[tokio::test]
async fn a_rule_naming_a_missing_configuration_gets_a_new_one() {
    use flex_alerts::plan::Action;
    use flex_alerts::store::Store;

    let store = LocalStore::in_memory(Engine::new(&Seed::builtin()));
    let wanted = desired(NOTIFYING);
    converge(&store, &wanted, false).await;
    let ttid = store.state().notification_configs[0].ttid.clone();
    store.delete_config(&ttid).await.unwrap();
    let plan = crate::plan::plan_for(&store, &wanted, false).await;
    assert_eq!(plan.entries[0].action, Action::Update);
    assert!(
        plan.entries[0]
            .reason
            .contains("notify.configuration_missing"),
        "{}",
        plan.entries[0].reason
    );
    converge(&store, &wanted, false).await;
    let state = store.state();
    assert_eq!(state.notification_configs.len(), 1);
    assert_eq!(
        state.rules[0].notify_methods_id.as_deref(),
        Some(state.notification_configs[0].ttid.as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_waits_for_the_lock_of_its_state_directory_and_gives_up_clearly() {
    use flex_alerts::apply::exclusive::ApplyLock;

    let emulator = emulator().await;
    let state_dir = tempfile::tempdir().unwrap();
    let held = ApplyLock::acquire(
        &state_dir.path().join("apply.lock"),
        std::time::Duration::ZERO,
        |_| {},
    )
    .unwrap();
    let waited = run_blocking(
        against(&emulator, state_dir.path()),
        &[
            "apply",
            "examples/",
            "--auto-approve",
            "--lock-timeout",
            "1s",
        ],
    )
    .await;
    assert_eq!(waited.code, 1);
    assert!(
        waited
            .stderr
            .contains("Waiting for another apply to finish (pid "),
        "{}",
        waited.stderr
    );
    assert!(
        waited.stderr.contains("error: another apply holds")
            && waited.stderr.contains("gave up waiting after 1s"),
        "{}",
        waited.stderr
    );
    assert_eq!(count(&emulator, "POST", "/"), 0, "nothing was written");
    drop(held);
    let applied = run_blocking(
        against(&emulator, state_dir.path()),
        &[
            "apply",
            "examples/",
            "--auto-approve",
            "--lock-timeout",
            "0s",
        ],
    )
    .await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn at_the_cap_a_create_waits_for_the_delete_that_makes_room_or_is_skipped_without_it() {
    use flex_alerts::apply::journal::{Journal, live_state};
    use flex_alerts::apply::report::Outcome;
    use flex_alerts::apply::{Silent, apply};
    use flex_alerts::plan::{Op, PlanOptions, plan};

    let alerts = |names: &mut dyn Iterator<Item = String>| {
        let mut yaml = String::from("version: 1\nsettings:\n  prune: true\nalerts:\n");
        for name in names {
            yaml.push_str(&format!(
                "  - name: {name}\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: {{ above: 10 }}\n"
            ));
        }
        yaml
    };
    let full = desired(&alerts(
        &mut (0..100).map(|index| format!("alert {index:03}")),
    ));
    let swapped = desired(&alerts(
        &mut (1..100)
            .map(|index| format!("alert {index:03}"))
            .chain(["newcomer".to_owned()]),
    ));
    for delete_fails in [false, true] {
        let emulator = emulator().await;
        let client = client(&emulator);
        let journal = Journal::disabled();
        let live = live_state(&client, &journal, 8).await.unwrap();
        let report = apply(
            &plan(
                &full,
                &live,
                PlanOptions {
                    prune: true,
                    ..Default::default()
                },
            )
            .unwrap(),
            &client,
            8,
            &journal,
            &Silent,
        )
        .await;
        assert!(report.succeeded(), "{}", report.render());
        let refusal = FaultAction::Status {
            status: if delete_fails { 400 } else { 500 },
            retry_after: None,
        };
        let times = if delete_fails { 100 } else { 1 };
        script(
            &emulator,
            vec![fault("DELETE", "/InsightsRules/", refusal, times)],
        );
        let live = live_state(&client, &journal, 8).await.unwrap();
        let swap = plan(
            &swapped,
            &live,
            PlanOptions {
                prune: true,
                ..Default::default()
            },
        )
        .unwrap();
        let report = apply(&swap, &client, 8, &journal, &Silent).await;
        let create = report
            .steps
            .iter()
            .find(|step| step.step.op == Op::CreateRule)
            .unwrap();
        if delete_fails {
            assert!(
                matches!(&create.outcome, Outcome::Skipped(reason) if reason.contains("would pass Flex's cap of 100")),
                "{}",
                report.render()
            );
        } else {
            assert!(
                report.succeeded(),
                "the create waited for the retried delete: {}",
                report.render()
            );
            assert_eq!(count(&emulator, "DELETE", "/InsightsRules/"), 2);
        }
        assert_eq!(stored(&emulator, "rules"), 100, "never more, never fewer");
    }
}

#[test]
fn plain_http_is_refused_for_any_host_but_this_machine_before_connecting() {
    let refused = cli()
        .args(["plan", "--store", "http://192.0.2.10:8780", "examples/"])
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK)
        .env("TWILIO_ACCOUNT_SID", ACCOUNT)
        .env("TWILIO_AUTH_TOKEN", TOKEN)
        .env("FLEX_INSTANCE_SID", INSTANCE)
        .timeout(std::time::Duration::from_secs(10))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Basic auth would travel in clear text; use https://"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn files_that_hold_secrets_are_private_and_loose_ones_are_named() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    // The sandbox (webhook URLs) and the journal, as written by a real apply.
    let directory = tempfile::tempdir().unwrap();
    let sandbox = directory.path().join("sandbox.json");
    let store = format!("local:{}", sandbox.display());
    let applied = run(cli()
        .args(["apply", "--store", &store, "examples/", "--auto-approve"])
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK));
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(mode(&sandbox), 0o600);
    let emulator = emulator().await;
    let state_dir = tempfile::tempdir().unwrap();
    let remote = run_blocking(
        against(&emulator, state_dir.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(remote.code, 0, "{}", remote.stderr);
    let journal = state_dir.path().join("journal.jsonl");
    assert_eq!(mode(&journal), 0o600);

    // Opened up by someone: named in a warning, and left as it is.
    std::fs::set_permissions(&sandbox, std::fs::Permissions::from_mode(0o644)).unwrap();
    let planned = run(cli()
        .args(["plan", "--store", &store, "examples/"])
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK));
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    assert!(
        planned.stderr.contains(&format!(
            "warning: others on this machine can read {}, which holds secrets",
            sandbox.display()
        )),
        "{}",
        planned.stderr
    );
    assert_eq!(mode(&sandbox), 0o644);
    std::fs::set_permissions(&journal, std::fs::Permissions::from_mode(0o640)).unwrap();
    let planned = run_blocking(against(&emulator, state_dir.path()), &["plan", "examples/"]).await;
    assert!(
        planned
            .stderr
            .contains("journal.jsonl, which holds the ids of notification configurations;"),
        "{}",
        planned.stderr
    );
}
