//! plan, apply and export through the real binary: the README's main job in the sandbox, the
//! first line that names the sandbox, confirmation, exit codes, saved plans (stale ones refused),
//! export round trips, secrets kept out of every output, and apply under injected faults
//! against the emulator converging on a second run.

use std::path::Path;

use flex_alerts::emulator::faults::{FaultAction, Faults, ScriptedFault};
use flex_alerts::store::Store;
use flex_alerts::store::local::LocalStore;
use serde_json::Value;

use crate::support::*;

/// The binary against the sandbox in `sandbox`, with the examples' webhook set.
fn flex(sandbox: &Path) -> assert_cmd::Command {
    let mut command = cli();
    command
        .env("FLEX_ALERTS_STORE", format!("local:{}", sandbox.display()))
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK)
        .env_remove("FLEX_ALERTS_STATE_DIR");
    command
}

#[test]
fn readme_main_job_plans_applies_and_converges_in_the_sandbox() {
    let directory = tempfile::tempdir().unwrap();
    let sandbox = directory.path().join("sandbox.json");
    let plan = run(flex(&sandbox).args(["plan", "examples/", "--detailed-exitcode"]));
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert!(
        plan.stderr.starts_with("Using the local sandbox "),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stdout.contains(
            "Plan: 9 to create, 0 to update, 0 to replace, 0 to delete, 1 setting to change. Alerts after apply: 9/100."
        ),
        "{}",
        plan.stdout
    );

    let apply = run(flex(&sandbox).args(["apply", "examples/", "--auto-approve"]));
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert!(apply.stderr.starts_with("Using the local sandbox "));
    assert!(
        apply
            .stderr
            .contains("Apply: 18 done, 0 failed, 0 skipped."),
        "{}",
        apply.stderr
    );
    assert!(
        apply
            .stderr
            .contains("Read back: the live alerts match the files."),
        "{}",
        apply.stderr
    );

    let again = run(flex(&sandbox).args(["plan", "examples/", "--detailed-exitcode"]));
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
    let state: Value = serde_json::from_str(&std::fs::read_to_string(&sandbox).unwrap()).unwrap();
    assert_eq!(state["rules"].as_array().unwrap().len(), 9);
}

#[test]
fn apply_without_a_terminal_needs_auto_approve_and_changes_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let sandbox = directory.path().join("sandbox.json");
    let apply = run(flex(&sandbox).args(["apply", "examples/"]));
    assert_eq!(apply.code, 1);
    assert!(
        apply
            .stderr
            .contains("hint: review the plan, then run again with --auto-approve"),
        "{}",
        apply.stderr
    );
    let state: Value = serde_json::from_str(&std::fs::read_to_string(&sandbox).unwrap()).unwrap();
    assert_eq!(state["rules"], serde_json::json!([]));
}

#[test]
fn corrupt_sandbox_is_reported_and_left_as_it_is() {
    let directory = tempfile::tempdir().unwrap();
    let sandbox = directory.path().join("sandbox.json");
    std::fs::write(&sandbox, "{ \"format_version\": 1, oops").unwrap();
    let plan = run(flex(&sandbox).args(["plan", "examples/"]));
    assert_eq!(plan.code, 1);
    assert!(
        plan.stderr
            .contains("is not a flex-alerts state file (line 1, column 24"),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stderr.contains("hint: the file was left as it is"),
        "{}",
        plan.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&sandbox).unwrap(),
        "{ \"format_version\": 1, oops"
    );
}

#[test]
fn unknown_names_fail_the_plan_before_any_write() {
    let directory = tempfile::tempdir().unwrap();
    let sandbox = directory.path().join("sandbox.json");
    let file = directory.path().join("alerts.yaml");
    std::fs::write(&file, "version: 1\nalerts:\n  - name: Typo\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Suport]\n    thresholds:\n      critical: { above: 3 }\n").unwrap();
    let apply = run(flex(&sandbox).arg("apply").arg(&file).arg("--auto-approve"));
    assert_eq!(apply.code, 1);
    assert!(
        apply
            .stderr
            .contains("alerts.yaml:6:14: alert `Typo`: unknown queue `Suport`"),
        "{}",
        apply.stderr
    );
    assert!(
        apply.stderr.contains("hint: did you mean `Support`?"),
        "{}",
        apply.stderr
    );
    assert!(
        apply
            .stderr
            .contains("no plan: 1 problem to fix first; nothing was changed"),
        "{}",
        apply.stderr
    );
}

fn two_alerts(a_threshold: u32) -> String {
    format!(
        "version: 1\nalerts:\n  - name: A\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: {{ above: {a_threshold} }}\n  - name: B\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Billing]\n    thresholds:\n      critical: {{ above: 7 }}\n"
    )
}

/// Changes alert `name` in the sandbox file, as someone in Console would.
async fn change_live(sandbox: &Path, name: &str) {
    let store = LocalStore::open(sandbox).unwrap();
    let rule = store
        .snapshot()
        .await
        .unwrap()
        .rules
        .into_iter()
        .find(|rule| rule.name() == name)
        .unwrap();
    let mut body = rule.body().unwrap();
    body.active = !body.active;
    store.update_rule(rule.sid(), &body).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_plan_applies_when_only_untouched_alerts_changed_and_is_refused_when_its_own_did() {
    let directory = tempfile::tempdir().unwrap();
    let sandbox = directory.path().join("sandbox.json");
    let file = directory.path().join("alerts.yaml");
    let saved = directory.path().join("plan.json");
    std::fs::write(&file, two_alerts(5)).unwrap();
    assert_eq!(
        run(flex(&sandbox).arg("apply").arg(&file).arg("--auto-approve")).code,
        0
    );

    // The plan touches A; then B changes live. The plan still applies, and only to A.
    std::fs::write(&file, two_alerts(6)).unwrap();
    let plan = run(flex(&sandbox)
        .arg("plan")
        .arg(&file)
        .arg("--out")
        .arg(&saved));
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(document["format_version"], 1);
    change_live(&sandbox, "B").await;
    let apply = run(flex(&sandbox)
        .arg("apply")
        .arg("--plan")
        .arg(&saved)
        .arg("--auto-approve"));
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert!(apply.stdout.contains("update \"A\""), "{}", apply.stdout);
    assert!(
        !apply.stdout.contains("update \"B\""),
        "B is not in the saved plan: {}",
        apply.stdout
    );
    assert!(
        apply
            .stderr
            .contains("Read back: the live alerts match the files."),
        "{}",
        apply.stderr
    );

    // A new plan for A, then A changes live: refused, naming A, nothing written.
    std::fs::write(&file, two_alerts(8)).unwrap();
    assert_eq!(
        run(flex(&sandbox)
            .arg("plan")
            .arg(&file)
            .arg("--out")
            .arg(&saved))
        .code,
        0
    );
    change_live(&sandbox, "A").await;
    let before = std::fs::read_to_string(&sandbox).unwrap();
    let apply = run(flex(&sandbox)
        .arg("apply")
        .arg("--plan")
        .arg(&saved)
        .arg("--auto-approve"));
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    assert!(
        apply
            .stderr
            .contains("the saved plan is out of date: 1 alert(s) changed since it was made"),
        "{}",
        apply.stderr
    );
    assert!(
        apply
            .stderr
            .contains("caused by: `A` changed in the live store"),
        "{}",
        apply.stderr
    );
    assert_eq!(std::fs::read_to_string(&sandbox).unwrap(), before);
}

#[test]
fn saved_plan_holds_no_secret() {
    let directory = tempfile::tempdir().unwrap();
    let sandbox = directory.path().join("sandbox.json");
    let saved = directory.path().join("plan.json");
    assert_eq!(
        run(flex(&sandbox)
            .args(["plan", "examples/", "--out"])
            .arg(&saved))
        .code,
        0
    );
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(!text.contains("CLISECRET"));
    assert!(text.contains("https://hooks.slack.com/***"));
    let apply = run(flex(&sandbox)
        .arg("apply")
        .arg("--plan")
        .arg(&saved)
        .arg("--auto-approve"));
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    // The webhook URL Flex got is the real one, read from the environment again.
    let state: Value = serde_json::from_str(&std::fs::read_to_string(&sandbox).unwrap()).unwrap();
    assert!(state.to_string().contains(WEBHOOK));
}

#[test]
fn export_validates_and_plans_with_no_changes() {
    let directory = tempfile::tempdir().unwrap();
    let sandbox = directory.path().join("sandbox.json");
    assert_eq!(
        run(flex(&sandbox).args(["apply", "examples/", "--auto-approve"])).code,
        0
    );
    let exported = directory.path().join("exported.yaml");
    let export = run(flex(&sandbox).arg("export").arg("--out").arg(&exported));
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert!(
        export
            .stderr
            .contains("set FLEX_ALERTS_WEBHOOK_SUPPORT_VOICE_LONGEST_WAIT before running plan"),
        "{}",
        export.stderr
    );
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(
        text.starts_with("# yaml-language-server: $schema="),
        "{text}"
    );
    assert!(
        !text.contains("CLISECRET")
            && text.contains("${FLEX_ALERTS_WEBHOOK_SUPPORT_VOICE_LONGEST_WAIT}"),
        "{text}"
    );

    // Without the variable, plan says which secret to fill in.
    let plan = run(flex(&sandbox).arg("plan").arg(&exported));
    assert_eq!(plan.code, 1);
    assert!(
        plan.stderr
            .contains("FLEX_ALERTS_WEBHOOK_SUPPORT_VOICE_LONGEST_WAIT"),
        "{}",
        plan.stderr
    );
    // With it, nothing to change.
    let mut command = flex(&sandbox);
    command.env("FLEX_ALERTS_WEBHOOK_SUPPORT_VOICE_LONGEST_WAIT", WEBHOOK);
    assert_eq!(run(command.arg("validate").arg(&exported)).code, 0);
    let mut command = flex(&sandbox);
    command.env("FLEX_ALERTS_WEBHOOK_SUPPORT_VOICE_LONGEST_WAIT", WEBHOOK);
    let plan = run(command
        .arg("plan")
        .arg(&exported)
        .arg("--detailed-exitcode"));
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
}

#[test]
fn markdown_and_json_formats_print_the_plan() {
    let directory = tempfile::tempdir().unwrap();
    let sandbox = directory.path().join("sandbox.json");
    let markdown = run(flex(&sandbox).args(["plan", "examples/", "--format", "markdown"]));
    assert!(
        markdown.stdout.starts_with("### flex-alerts plan"),
        "{}",
        markdown.stdout
    );
    let json = run(flex(&sandbox).args(["plan", "examples/", "--format", "json"]));
    let document: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["summary"]["create"], 9);
    assert_eq!(
        document["alerts"][0]["actions"],
        serde_json::json!(["create"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_under_faults_reports_the_failure_and_a_second_apply_converges() {
    let emulator = emulator().await;
    let state_dir = tempfile::tempdir().unwrap();
    let unavailable = ScriptedFault {
        method: Some("GET".to_owned()),
        path_contains: None,
        body_contains: None,
        action: FaultAction::Status {
            status: 503,
            retry_after: None,
        },
        times: Some(6),
        skip: 0,
    };
    emulator.shared.set_faults(Faults {
        latency_ms: 5,
        concurrency_limit: Some(2),
        script: vec![
            unavailable,
            ScriptedFault {
                method: Some("POST".to_owned()),
                path_contains: Some("/InsightsRules".to_owned()),
                body_contains: Some("Billing voice - callers waiting".to_owned()),
                action: FaultAction::Status {
                    status: 400,
                    retry_after: None,
                },
                times: None,
                skip: 0,
            },
        ],
        ..Faults::default()
    });
    let first = run_blocking(
        against(&emulator, state_dir.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert!(
        first
            .stderr
            .contains("failed: create alert \"Billing voice - callers waiting\""),
        "{}",
        first.stderr
    );
    assert!(
        first
            .stderr
            .contains("Apply: 17 done, 1 failed, 0 skipped."),
        "{}",
        first.stderr
    );
    let requests = emulator.shared.requests();
    assert!(
        requests.iter().any(|request| request.status == Some(429)),
        "the 429 storm happened"
    );
    assert!(
        requests.iter().any(|request| request.status == Some(503)),
        "503s happened"
    );
    let state = emulator.shared.state_json();
    assert_eq!(
        state["rules"].as_array().unwrap().len(),
        8,
        "the others were applied"
    );
    assert_eq!(
        state["notification_configs"].as_array().unwrap().len(),
        7,
        "the configuration of the refused alert was deleted again"
    );
    assert!(
        first
            .stderr
            .contains("cleaned up: deleted the unused notification configuration")
            && first
                .stderr
                .contains("of \"Billing voice - callers waiting\""),
        "{}",
        first.stderr
    );

    emulator.shared.set_faults(Faults::default());
    let second = run_blocking(
        against(&emulator, state_dir.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        !second.stdout.contains("leftover") && second.stdout.contains("Plan: 1 to create"),
        "{}",
        second.stdout
    );
    let state = emulator.shared.state_json();
    let rules = state["rules"].as_array().unwrap();
    let configs = state["notification_configs"].as_array().unwrap();
    assert_eq!(rules.len(), 9);
    let mut names: Vec<&str> = rules
        .iter()
        .map(|rule| rule["rule_friendly_name"].as_str().unwrap())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 9, "no duplicate");
    for config in configs {
        let owners = rules
            .iter()
            .filter(|rule| rule["notify_methods_id"] == config["ttid"])
            .count();
        assert_eq!(
            owners, 1,
            "configuration {} has {owners} owners",
            config["ttid"]
        );
    }
    assert_eq!(
        configs.len(),
        8,
        "no orphaned configuration: 8 of the 9 alerts notify"
    );
    let third = run_blocking(
        against(&emulator, state_dir.path()),
        &["plan", "examples/", "--detailed-exitcode"],
    )
    .await;
    assert_eq!(third.code, 0, "{}", third.stdout);
}

#[test]
fn a_saved_plan_applies_to_its_own_store_without_asking_and_refuses_another() {
    let directory = tempfile::tempdir().unwrap();
    let sandbox = directory.path().join("sandbox.json");
    let saved = directory.path().join("plan.json");
    let plan = run(flex(&sandbox)
        .args(["plan", "examples/", "--out"])
        .arg(&saved));
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let made_for = format!("local:{}", sandbox.display());
    assert!(
        plan.stderr.contains(&format!(
            "apply it with `flex-alerts apply --plan {}` (it applies to the same store, {made_for})",
            saved.display()
        )),
        "{}",
        plan.stderr
    );

    let elsewhere = directory.path().join("other.json");
    let refused = run(cli()
        .args(["apply", "--store"])
        .arg(format!("local:{}", elsewhere.display()))
        .arg("--plan")
        .arg(&saved)
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK));
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains(&format!(
            "was made for --store {made_for}, not --store local:{}; nothing was changed",
            elsewhere.display()
        )),
        "{}",
        refused.stderr
    );
    assert!(!elsewhere.exists(), "the other store was not even opened");

    // No --store, no --auto-approve, no terminal: the plan was the review.
    let applied = run(cli()
        .args(["apply", "--plan"])
        .arg(&saved)
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK));
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert!(
        applied.stderr.starts_with("Using the local sandbox "),
        "{}",
        applied.stderr
    );
    let state: Value = serde_json::from_str(&std::fs::read_to_string(&sandbox).unwrap()).unwrap();
    assert_eq!(state["rules"].as_array().unwrap().len(), 9);
}

#[test]
fn the_emulator_prints_one_paste_that_works_and_refusals_point_at_it() {
    use std::io::{BufRead, BufReader};

    let (mut emulator, url) = spawn_emulator(&["--listen".as_ref(), "127.0.0.1:0".as_ref()]);
    let mut banner = BufReader::new(emulator.stderr.take().unwrap()).lines();
    let lines: Vec<String> = (0..5)
        .filter_map(|_| banner.next().and_then(Result::ok))
        .collect();
    let at = lines
        .iter()
        .position(|line| line.trim_start().starts_with("export "))
        .expect("an export line");
    let export = lines[at].clone();
    let suggested = lines[at + 1].trim().to_owned();
    let pairs: Vec<(String, String)> = export
        .trim()
        .trim_start_matches("export ")
        .split(' ')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            (name.to_owned(), value.to_owned())
        })
        .collect();
    assert!(
        pairs
            .iter()
            .any(|(name, value)| name == "FLEX_ALERTS_STORE" && *value == url)
    );

    let state = tempfile::tempdir().unwrap();
    // The suggested command works from any directory, not only from this repository.
    let elsewhere = tempfile::tempdir().unwrap();
    let words: Vec<&str> = suggested.split(' ').collect();
    assert_eq!(words[0], "flex-alerts", "{suggested}");
    let tried = run(cli()
        .current_dir(elsewhere.path())
        .envs(pairs.iter().cloned())
        .env_remove("TWILIO_API_KEY")
        .args(&words[1..]));
    assert_eq!(tried.code, 0, "{suggested}: {}", tried.stderr);
    assert!(tried.stdout.contains("Support"), "{}", tried.stdout);

    let mut pasted = cli();
    pasted
        .envs(pairs.iter().cloned())
        .env_remove("TWILIO_API_KEY")
        .env("FLEX_ALERTS_STATE_DIR", state.path())
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK)
        .args(["plan", "examples/"]);
    let plan = run(&mut pasted);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("Plan: 9 to create"), "{}", plan.stdout);

    let mut wrong = cli();
    wrong
        .envs(pairs.iter().cloned())
        .env_remove("TWILIO_API_KEY")
        .env("TWILIO_AUTH_TOKEN", "not-the-token")
        .env("FLEX_ALERTS_STATE_DIR", state.path())
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK)
        .args(["plan", "examples/"]);
    let refused = run(&mut wrong);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("(HTTP 401)")
            && refused
                .stderr
                .contains("; for `flex-alerts emulator`, paste the `export"),
        "{}",
        refused.stderr
    );
    let missing = run(cli()
        .args(["plan", "--store", &url, "examples/"])
        .env_remove("TWILIO_ACCOUNT_SID")
        .env_remove("TWILIO_AUTH_TOKEN")
        .env_remove("TWILIO_API_KEY"));
    assert!(
        missing.stderr.contains(&format!(
            "hint: for `flex-alerts emulator` at {url} with its built-in seed, paste: export TWILIO_ACCOUNT_SID={ACCOUNT} TWILIO_AUTH_TOKEN={TOKEN} FLEX_INSTANCE_SID={INSTANCE}"
        )),
        "{}",
        missing.stderr
    );
    emulator.kill().unwrap();
    emulator.wait().unwrap();
}

#[test]
fn a_markdown_plan_with_nothing_to_do_says_so() {
    let directory = tempfile::tempdir().unwrap();
    let sandbox = directory.path().join("sandbox.json");
    assert_eq!(
        run(flex(&sandbox).args(["apply", "examples/", "--auto-approve"])).code,
        0
    );
    let plan = run(flex(&sandbox).args(["plan", "examples/", "--format", "markdown"]));
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(
        plan.stdout.contains(
            "**No changes: the live alerts match the files. Plan: 0 to create, 0 to update, 0 to replace, 0 to delete. Alerts after apply: 9/100.**"
        ),
        "{}",
        plan.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_shows_every_request_and_never_a_secret() {
    let emulator = emulator().await;
    let state_dir = tempfile::tempdir().unwrap();
    // The first list of rules is throttled once: its retry is marked.
    script(
        &emulator,
        vec![fault(
            "GET",
            "/InsightsRules",
            flex_alerts::emulator::faults::FaultAction::Status {
                status: 429,
                retry_after: Some("0".into()),
            },
            1,
        )],
    );
    let plan = run_blocking(
        against(&emulator, state_dir.path()),
        &["-v", "apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let lines: Vec<&str> = plan
        .stderr
        .lines()
        .filter(|line| line.starts_with("  http: "))
        .collect();
    assert_eq!(
        lines.len(),
        emulator.shared.requests().len(),
        "one line per request"
    );
    let list = format!("  http: GET /v1/Instances/{INSTANCE}/InsightsRules?PageSize=1000 -> ");
    let first = lines
        .iter()
        .position(|line| line.starts_with(&list))
        .unwrap();
    assert!(
        lines[first].starts_with(&format!("{list}429 in ")) && !lines[first].contains("retry"),
        "{}",
        plan.stderr
    );
    assert!(
        lines[first + 1..]
            .iter()
            .any(|line| line.starts_with(&format!("{list}200 in "))
                && line.ends_with(" ms (retry 1)")),
        "{}",
        plan.stderr
    );
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("  http: POST /v1/Instances/")
                && line.contains("/NotificationConfigurations -> 201 in ")),
        "{}",
        plan.stderr
    );
    assert!(!plan.stderr.contains(TOKEN), "no credential");
}
