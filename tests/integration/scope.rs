//! What a plan may touch (issue 20): `--target` / `--exclude` with globs and earlier names,
//! the caps counted on the whole final state, saved plans keeping their scope; protection per
//! alert, per environment and remembered by the last apply; `forget` with and without prune;
//! `import` then a plan with no changes; drift named for a Console edit and not for a change
//! in the files, and `plan --refresh-only`. Against the in-process emulator.

use std::path::Path;

use flex_alerts::store::Store;

use crate::support::*;

/// An alert on `queue` with a critical threshold `above`.
fn alert(name: &str, metric: &str, queue: &str, above: u32) -> String {
    format!(
        "  - name: {name}\n    metric: {metric}\n    channel: voice\n    queues: [{queue}]\n    thresholds:\n      critical: {{ above: {above} }}\n"
    )
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Three alerts: two Billing, one Support; `above` sets every threshold.
fn three(above: u32) -> String {
    format!(
        "version: 1\nalerts:\n{}{}{}",
        alert("Billing voice", "Waiting (Now)", "Billing", above),
        alert("Billing chat", "Waiting (Now)", "Billing", above),
        alert("Support voice", "Waiting (Now)", "Support", above),
    )
}

/// The live critical threshold of each alert, by name.
fn thresholds(emulator: &flex_alerts::emulator::http::Emulator) -> Vec<(String, i64)> {
    let mut found: Vec<(String, i64)> = emulator.shared.state_json()["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| {
            (
                rule["rule_friendly_name"].as_str().unwrap().to_owned(),
                rule["rule_thresholds"][0]["threshold_value"]
                    .as_i64()
                    .unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

/// An emulator with `three(5)` applied from `files/alerts.yaml`, and the state directory.
struct Applied {
    emulator: flex_alerts::emulator::http::Emulator,
    files: tempfile::TempDir,
    state: tempfile::TempDir,
    file: std::path::PathBuf,
}

async fn applied_three() -> Applied {
    let emulator = emulator().await;
    let (files, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = write(files.path(), "alerts.yaml", &three(5));
    let apply = flex(
        &emulator,
        state.path(),
        &["apply", file.to_str().unwrap(), "--auto-approve"],
    )
    .await;
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    Applied {
        emulator,
        files,
        state,
        file,
    }
}

/// Fails, showing `output`, unless it holds `wanted`.
fn says(output: &str, wanted: &str) {
    assert!(output.contains(wanted), "`{wanted}` not in:\n{output}");
}

/// The binary against `emulator`, run in `directory`.
fn in_directory(
    emulator: &flex_alerts::emulator::http::Emulator,
    state: &Path,
    directory: &Path,
) -> assert_cmd::Command {
    let mut command = against(emulator, state);
    command.current_dir(directory);
    command
}

async fn flex(
    emulator: &flex_alerts::emulator::http::Emulator,
    state: &Path,
    args: &[&str],
) -> Run {
    run_blocking(against(emulator, state), args).await
}

#[tokio::test(flavor = "multi_thread")]
async fn targets_and_excludes_limit_plan_and_apply_by_name_glob_and_earlier_name() {
    let Applied {
        emulator,
        files,
        state,
        file,
    } = applied_three().await;
    let path = file.to_str().unwrap();

    write(files.path(), "alerts.yaml", &three(9));
    let plan = flex(
        &emulator,
        state.path(),
        &["plan", path, "--target", "Billing*", "--exclude", "*chat"],
    )
    .await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(
        plan.stdout.starts_with(
            "Targeting in effect (--target \"Billing*\" --exclude \"*chat\"): 2 alerts left out"
        ),
        "{}",
        plan.stdout
    );
    says(&plan.stdout, "update \"Billing voice\"");
    assert!(!plan.stdout.contains("Billing chat") && !plan.stdout.contains("Support voice"));
    says(&plan.stdout, "Plan: 0 to create, 1 to update");

    let json = flex(
        &emulator,
        state.path(),
        &[
            "plan",
            path,
            "--target",
            "Billing*",
            "--exclude",
            "*chat",
            "--format",
            "json",
        ],
    )
    .await;
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["scope"]["left_out"], 2);
    assert_eq!(
        document["scope"]["targets"],
        serde_json::json!(["Billing*"])
    );
    assert_eq!(document["alerts"].as_array().unwrap().len(), 1);
    assert_eq!(
        document["summary"]["alerts_after"], 3,
        "the caps count every alert"
    );

    let apply = flex(
        &emulator,
        state.path(),
        &["apply", path, "--target", "Billing voice", "--auto-approve"],
    )
    .await;
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert_eq!(
        thresholds(&emulator),
        [
            ("Billing chat".to_owned(), 5),
            ("Billing voice".to_owned(), 9),
            ("Support voice".to_owned(), 5)
        ]
    );

    // A rename, targeted by the earlier name.
    let renamed = three(9).replace(
        "  - name: Support voice\n",
        "  - name: Support calls\n    renamed_from: [Support voice]\n",
    );
    write(files.path(), "alerts.yaml", &renamed);
    let plan = flex(
        &emulator,
        state.path(),
        &["plan", path, "--target", "Support voice"],
    )
    .await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    says(&plan.stdout, "update \"Support calls\"");
    says(&plan.stdout, "renamed from `Support voice`");
    assert!(!plan.stdout.contains("Billing chat"), "{}", plan.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_target_is_an_error_with_did_you_mean_and_nothing_is_read_or_written() {
    let emulator = emulator().await;
    let (files, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = write(files.path(), "alerts.yaml", &three(5));
    let path = file.to_str().unwrap();
    emulator.shared.clear_requests();
    let apply = flex(
        &emulator,
        state.path(),
        &[
            "apply",
            path,
            "--target",
            "Biling voice",
            "--exclude",
            "Nothing*",
            "--auto-approve",
        ],
    )
    .await;
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    for wanted in [
        "--target \"Biling voice\" matches no alert in the files or the store by that name",
        "did you mean \"Billing voice\"?",
        "--exclude \"Nothing*\" matches no alert",
    ] {
        says(&apply.stderr, wanted);
    }
    let writes = emulator
        .shared
        .requests()
        .iter()
        .filter(|request| request.method != "GET")
        .count();
    assert_eq!(writes, 0, "no write reached the store");
    assert_eq!(stored(&emulator, "rules"), 0);
}

#[test]
fn a_targeted_plan_checks_the_caps_on_the_whole_final_state() {
    use flex_alerts::plan::{PlanOptions, Scope, plan};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let store = crate::plan::sandbox();
    // 98 live alerts, then files that prune them all and add three new ones.
    let old: String = (0..98)
        .map(|index| alert(&format!("Old {index:02}"), "Waiting (Now)", "Support", 5))
        .collect();
    runtime.block_on(crate::plan::converge(
        &store,
        &crate::plan::desired(&format!("version: 1\nalerts:\n{old}")),
        false,
    ));
    let new: String = (0..3)
        .map(|index| alert(&format!("New {index}"), "Waiting (Now)", "Support", 5))
        .collect();
    let desired = crate::plan::desired(&format!("version: 1\nalerts:\n{new}"));
    let live = runtime.block_on(store.snapshot()).unwrap();
    let everything = plan(
        &desired,
        &live,
        PlanOptions {
            prune: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(everything.alerts_after, 3);
    // Targeting the new ones leaves the 98 deletes out: they stay, and 101 do not fit.
    let problems = plan(
        &desired,
        &live,
        PlanOptions {
            prune: true,
            scope: Scope {
                targets: vec!["New*".to_owned()],
                excludes: vec![],
            },
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        problems[0]
            .message
            .contains("Flex would hold 101 alerts, 1 more than its cap of 100"),
        "{problems:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_keeps_its_scope_and_apply_plan_applies_exactly_it() {
    let Applied {
        emulator,
        files,
        state,
        file,
    } = applied_three().await;
    let path = file.to_str().unwrap();
    write(files.path(), "alerts.yaml", &three(9));
    let saved = files.path().join("plan.json");
    let plan = flex(
        &emulator,
        state.path(),
        &[
            "plan",
            path,
            "--exclude",
            "Billing*",
            "--out",
            saved.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(
        document["scope"]["excludes"],
        serde_json::json!(["Billing*"])
    );

    let refused = flex(
        &emulator,
        state.path(),
        &[
            "apply",
            "--plan",
            saved.to_str().unwrap(),
            "--target",
            "Billing voice",
        ],
    )
    .await;
    assert_eq!(refused.code, 1);
    says(&refused.stderr, "cannot be given with --plan");

    let apply = flex(
        &emulator,
        state.path(),
        &["apply", "--plan", saved.to_str().unwrap()],
    )
    .await;
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert!(
        apply.stdout.starts_with("Targeting in effect"),
        "{}",
        apply.stdout
    );
    assert_eq!(
        thresholds(&emulator),
        [
            ("Billing chat".to_owned(), 5),
            ("Billing voice".to_owned(), 5),
            ("Support voice".to_owned(), 9)
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_protected_alert_is_not_replaced_or_pruned_without_the_allowance() {
    let emulator = emulator().await;
    let (files, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let protected = three(5).replace(
        "  - name: Billing voice\n",
        "  - name: Billing voice\n    protect: true\n",
    );
    let file = write(files.path(), "alerts.yaml", &protected);
    let path = file.to_str().unwrap();
    assert_eq!(
        flex(&emulator, state.path(), &["apply", path, "--auto-approve"])
            .await
            .code,
        0
    );
    let plan = flex(&emulator, state.path(), &["plan", path, "-v"]).await;
    assert!(
        plan.stdout
            .lines()
            .any(|line| line.contains("\"Billing voice\" (") && line.ends_with("[protected]")),
        "{}",
        plan.stdout
    );

    // A metric change would replace it.
    let replaced = protected.replacen("metric: Waiting (Now)", "metric: Longest (Now)", 1);
    write(files.path(), "alerts.yaml", &replaced);
    let before = emulator.shared.state_json();
    emulator.shared.clear_requests();
    let refused = flex(&emulator, state.path(), &["apply", path, "--auto-approve"]).await;
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    for wanted in [
        "alert `Billing voice` is protected (`protect: true` at ",
        "alerts.yaml:3:",
        "this plan would replace it",
        "the metric changes from `Waiting (Now)` to `Longest (Now)`",
        "--allow-protected \"Billing voice\"",
    ] {
        says(&refused.stderr, wanted);
    }
    assert!(
        emulator
            .shared
            .requests()
            .iter()
            .all(|request| request.method == "GET")
    );
    assert_eq!(emulator.shared.state_json(), before, "nothing was written");
    let allowed = flex(
        &emulator,
        state.path(),
        &[
            "apply",
            path,
            "--auto-approve",
            "--allow-protected",
            "Billing voice",
        ],
    )
    .await;
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    says(&allowed.stdout, "replace \"Billing voice\"");

    // Removed from the files, pruned: the last apply remembers the protection.
    let without = three(5).replace(&alert("Billing voice", "Waiting (Now)", "Billing", 5), "");
    write(files.path(), "alerts.yaml", &without);
    let pruned = flex(&emulator, state.path(), &["plan", path, "--prune"]).await;
    assert_eq!(pruned.code, 1, "{}", pruned.stdout);
    says(
        &pruned.stderr,
        "it was declared with `protect: true` when last applied",
    );
    says(&pruned.stderr, "this plan would delete it");
    let allowed = flex(
        &emulator,
        state.path(),
        &[
            "apply",
            path,
            "--prune",
            "--auto-approve",
            "--allow-protected",
            "Billing*",
        ],
    )
    .await;
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert_eq!(stored(&emulator, "rules"), 2);
}

const PROJECT: &str = "version: 1
alerts: [alerts/]
environments:
  production:
    store: STORE
    protect: [delete, replace]
  staging:
    store: STORE
";

#[tokio::test(flavor = "multi_thread")]
async fn an_environment_protects_every_alert_and_another_does_not() {
    let emulator = emulator().await;
    let (project, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write(
        project.path(),
        "flex-alerts.yaml",
        &PROJECT.replace("STORE", &emulator.url()),
    );
    std::fs::create_dir(project.path().join("alerts")).unwrap();
    write(project.path(), "alerts/a.yaml", &three(5));
    let in_project = |args: &'static [&'static str]| {
        let mut command = in_directory(&emulator, state.path(), project.path());
        command.env_remove("FLEX_ALERTS_STORE");
        run_blocking(command, args)
    };
    let first = in_project(&["apply", "--env", "production", "--auto-approve"]).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    says(
        &first.stdout,
        "This environment protects every alert from delete and replace",
    );
    let without = three(5).replace(&alert("Support voice", "Waiting (Now)", "Support", 5), "");
    write(project.path(), "alerts/a.yaml", &without);
    let production = in_project(&["plan", "--env", "production", "--prune"]).await;
    assert_eq!(production.code, 1, "{}", production.stdout);
    says(
        &production.stderr,
        "alert `Support voice` is protected (environment production protects every alert from delete)",
    );
    let staging = in_project(&["apply", "--env", "staging", "--prune", "--auto-approve"]).await;
    assert_eq!(staging.code, 0, "{}", staging.stderr);
    assert_eq!(stored(&emulator, "rules"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forgotten_alert_stays_live_and_prune_never_deletes_it() {
    let Applied {
        emulator,
        files,
        state,
        file,
    } = applied_three().await;
    let path = file.to_str().unwrap();
    let forgotten = format!(
        "{}forget: [Support voice]\n",
        three(9).replace(&alert("Support voice", "Waiting (Now)", "Support", 9), "")
    );
    write(files.path(), "alerts.yaml", &forgotten);
    for prune in [false, true] {
        let mut args = vec!["apply", path, "--auto-approve"];
        if prune {
            args.push("--prune");
        }
        let apply = flex(&emulator, state.path(), &args).await;
        assert_eq!(apply.code, 0, "{}", apply.stderr);
        says(&apply.stdout, "  = forget \"Support voice\"");
        says(&apply.stdout, "prune never deletes it");
        assert!(
            !apply.stdout.contains("delete \"Support voice\""),
            "{}",
            apply.stdout
        );
    }
    assert_eq!(
        thresholds(&emulator),
        [
            ("Billing chat".to_owned(), 9),
            ("Billing voice".to_owned(), 9),
            ("Support voice".to_owned(), 5)
        ],
        "left as it was"
    );
    // Declared and forgotten at once: refused where it is written.
    write(
        files.path(),
        "alerts.yaml",
        &format!("{}forget: [Support voice]\n", three(9)),
    );
    let both = flex(&emulator, state.path(), &["validate", path]).await;
    assert_eq!(both.code, 1, "{}", both.stdout);
    says(&both.stderr, "alerts.yaml:21:10");
    says(
        &both.stderr,
        "`forget: Support voice` names an alert these files declare",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn import_adopts_one_live_alert_and_plan_then_finds_it_unchanged() {
    let emulator = emulator().await;
    let (files, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let made = files.path().join("made");
    std::fs::create_dir(&made).unwrap();
    let file = write(&made, "alerts.yaml", &three(5));
    assert_eq!(
        flex(
            &emulator,
            state.path(),
            &["apply", file.to_str().unwrap(), "--auto-approve"]
        )
        .await
        .code,
        0
    );
    let kept = files.path().join("kept");
    std::fs::create_dir(&kept).unwrap();
    let adopted = kept.join("adopted.yaml");
    let to = adopted.to_str().unwrap();
    let sid = emulator.shared.state_json()["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["rule_friendly_name"] == "Billing voice")
        .unwrap()["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    let in_kept = |args: Vec<&str>| {
        let command = in_directory(&emulator, state.path(), &kept);
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run_blocking(command, &args).await
        }
    };
    let by_sid = in_kept(vec!["import", &sid, "--to", to]).await;
    assert_eq!(by_sid.code, 0, "{}", by_sid.stderr);
    let text = std::fs::read_to_string(&adopted).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema=schemas/flex-alerts.schema.json\nversion: 1\nalerts:\n  - name: Billing voice\n"), "{text}");
    assert!(
        kept.join("schemas/flex-alerts.schema.json").is_file(),
        "the modeline's schema"
    );
    let by_name = in_kept(vec!["import", "Support voice", "--to", to]).await;
    assert_eq!(by_name.code, 0, "{}", by_name.stderr);
    let plan = in_kept(vec!["plan", to, "--detailed-exitcode"]).await;
    assert_eq!(plan.code, 0, "{}", plan.stdout);
    says(&plan.stdout, "unmanaged \"Billing chat\"");
    says(&plan.stdout, "2 alert(s) unchanged");
    says(&plan.stdout, "No changes. Plan: 0 to create");
    assert!(
        !plan.stdout.contains("\"Billing voice\"") && !plan.stdout.contains("\"Support voice\""),
        "{}",
        plan.stdout
    );
    let again = in_kept(vec!["import", "Billing voice", "--to", to]).await;
    assert_eq!(again.code, 1);
    says(
        &again.stderr,
        "alert `Billing voice` is already declared at ",
    );
    says(&again.stderr, "adopted.yaml:4:11");
    assert_eq!(
        std::fs::read_to_string(&adopted)
            .unwrap()
            .matches("- name:")
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_console_edit_is_drift_and_a_change_in_the_files_is_not() {
    let Applied {
        emulator,
        files,
        state,
        file,
    } = applied_three().await;
    let path = file.to_str().unwrap();
    let clean = flex(
        &emulator,
        state.path(),
        &["plan", path, "--refresh-only", "--detailed-exitcode"],
    )
    .await;
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    says(
        &clean.stdout,
        "No drift: every alert is as the last apply left it.",
    );

    // A change in the files only: an update, no drift.
    write(
        files.path(),
        "alerts.yaml",
        &three(5).replacen("above: 5", "above: 7", 1),
    );
    let files_only = flex(&emulator, state.path(), &["plan", path, "--format", "json"]).await;
    let document: serde_json::Value = serde_json::from_str(&files_only.stdout).unwrap();
    assert_eq!(document["summary"]["update"], 1);
    assert!(
        document["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|alert| alert["drift"].is_null())
    );

    // A Console edit of another alert, and a Console delete of a third.
    let client = client(&emulator);
    let rules = client.rules().await.unwrap();
    let edited = rules
        .iter()
        .find(|rule| rule.name() == "Billing chat")
        .unwrap();
    let mut body = edited.body().unwrap();
    body.active = false;
    client.update_rule(edited.sid(), &body).await.unwrap();
    let deleted = rules
        .iter()
        .find(|rule| rule.name() == "Support voice")
        .unwrap();
    client.delete_rule(deleted.sid()).await.unwrap();

    let plan = flex(&emulator, state.path(), &["plan", path]).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    // The line after an alert's own names its drift.
    let drift_line = |name: &str, what: &str| {
        let lines: Vec<&str> = plan.stdout.lines().collect();
        lines.windows(2).any(|pair| {
            pair[0].contains(&format!(" \"{name}\""))
                && pair[1].contains(&format!("{what} outside flex-alerts since the apply of 20"))
        })
    };
    assert!(drift_line("Billing chat", "changed"), "{}", plan.stdout);
    assert!(drift_line("Support voice", "deleted"), "{}", plan.stdout);
    says(&plan.stdout, "update \"Billing voice\"");
    assert!(!drift_line("Billing voice", "changed"), "{}", plan.stdout);

    let json = flex(&emulator, state.path(), &["plan", path, "--format", "json"]).await;
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let drift = |name: &str| {
        document["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|alert| alert["name"] == name)
            .unwrap()["drift"]
            .clone()
    };
    assert_eq!(drift("Billing chat")["change"], "changed");
    assert_eq!(drift("Support voice")["change"], "deleted");
    assert!(
        drift("Billing voice").is_null(),
        "a change in the files is not drift"
    );

    let markdown = flex(
        &emulator,
        state.path(),
        &["plan", path, "--format", "markdown"],
    )
    .await;
    says(
        &markdown.stdout,
        "**changed outside flex-alerts since the apply of",
    );

    let refresh = flex(
        &emulator,
        state.path(),
        &["plan", path, "--refresh-only", "--detailed-exitcode"],
    )
    .await;
    assert_eq!(refresh.code, 2, "{}", refresh.stdout);
    says(&refresh.stdout, "  ! drifted \"Billing chat\"");
    says(&refresh.stdout, "  ! drifted \"Support voice\"");
    assert!(
        !refresh.stdout.contains("Billing voice"),
        "{}",
        refresh.stdout
    );
    assert!(
        refresh
            .stdout
            .contains("Drift: 2 alert(s) changed outside flex-alerts; nothing is proposed."),
        "{}",
        refresh.stdout
    );

    // Applying brings them back, and the drift is gone.
    assert_eq!(
        flex(&emulator, state.path(), &["apply", path, "--auto-approve"])
            .await
            .code,
        0
    );
    let after = flex(
        &emulator,
        state.path(),
        &["plan", path, "--refresh-only", "--detailed-exitcode"],
    )
    .await;
    assert_eq!(after.code, 0, "{}", after.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_apply_killed_midway_never_names_its_own_writes_as_drift() {
    use flex_alerts::emulator::faults::{FaultAction, ScriptedFault};
    let Applied {
        emulator,
        files,
        state,
        file,
    } = applied_three().await;
    let path = file.to_str().unwrap();
    write(files.path(), "alerts.yaml", &three(9));
    // The second write is applied, then its answer never comes: the apply is killed there,
    // after two of its three updates reached Flex.
    script(
        &emulator,
        vec![ScriptedFault {
            method: Some("WRITE".to_owned()),
            path_contains: None,
            body_contains: None,
            action: FaultAction::ApplyThenHold,
            times: Some(1),
            skip: 1,
        }],
    );
    let mut child = process_against(&emulator.url(), state.path())
        .args(["apply", path, "--auto-approve"])
        .env("FLEX_ALERTS_CONCURRENCY", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while emulator.shared.held() == 0 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the held write"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    emulator.shared.set_faults(Default::default());
    let updated = thresholds(&emulator)
        .iter()
        .filter(|(_, value)| *value == 9)
        .count();
    assert_eq!(updated, 2, "two updates reached Flex before the kill");

    let json = flex(&emulator, state.path(), &["plan", path, "--format", "json"]).await;
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    for alert in document["alerts"].as_array().unwrap() {
        assert!(alert["drift"].is_null(), "named as drift: {alert}");
    }
    assert_eq!(document["summary"]["update"], 1);
    // And the next apply records them all again.
    assert_eq!(
        flex(&emulator, state.path(), &["apply", path, "--auto-approve"])
            .await
            .code,
        0
    );
    let applied: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.path().join("applied.json")).unwrap())
            .unwrap();
    let records = applied["stores"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert_eq!(records.as_object().unwrap().len(), 3, "{applied}");
    assert!(!applied.to_string().contains("hooks.slack.com"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_targeted_apply_keeps_the_records_of_the_alerts_it_left_out() {
    let Applied {
        emulator,
        files,
        state,
        file,
    } = applied_three().await;
    let path = file.to_str().unwrap();
    write(
        files.path(),
        "alerts.yaml",
        &three(5).replacen("above: 5", "above: 7", 1),
    );
    let targeted = flex(
        &emulator,
        state.path(),
        &["apply", path, "--target", "Billing voice", "--auto-approve"],
    )
    .await;
    assert_eq!(targeted.code, 0, "{}", targeted.stderr);
    // A Console edit of an alert the targeted apply left out is still drift.
    let client = client(&emulator);
    let rules = client.rules().await.unwrap();
    let edited = rules
        .iter()
        .find(|rule| rule.name() == "Support voice")
        .unwrap();
    let mut body = edited.body().unwrap();
    body.active = false;
    client.update_rule(edited.sid(), &body).await.unwrap();
    let refresh = flex(
        &emulator,
        state.path(),
        &["plan", path, "--refresh-only", "--detailed-exitcode"],
    )
    .await;
    assert_eq!(refresh.code, 2, "{}", refresh.stdout);
    says(&refresh.stdout, "  ! drifted \"Support voice\"");
    assert!(
        !refresh.stdout.contains("Billing voice"),
        "{}",
        refresh.stdout
    );
}
