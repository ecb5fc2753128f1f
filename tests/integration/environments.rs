//! Several Flex accounts from one repository: the project file, `--env`, `${VAR}` in any
//! value, every environment validated and planned, saved plans bound to their environment,
//! and credentials under a prefix per environment.

use std::path::Path;

use serde_json::Value;

use crate::support::{ACCOUNT, INSTANCE, TOKEN, WEBHOOK, cli, emulator, run_blocking};

const PROJECT: &str = "# yaml-language-server: $schema=schemas/flex-alerts-project.schema.json
version: 1
alerts: [alerts/]
environments:
  staging:
    store: local:.flex-alerts/staging.json
    vars: { ONCALL: raj.patel, WAIT: 240 }
  production:
    store: local:.flex-alerts/production.json
    vars: { ONCALL: jane.doe, WAIT: 180 }
";

const ALERTS: &str = "version: 1
alerts:
  - name: Support wait
    metric: Longest (Now)
    channel: voice
    queues: [Support]
    thresholds:
      warning: { above: 60 }
      critical: { above: '${WAIT}' }
    notify:
      users: ['${ONCALL}']
      webhook: { type: slack, url: '${SLACK_SUPPORT_WEBHOOK}' }
  - name: Costs $${NOT_A_VARIABLE}
    metric: Waiting (Now)
    channel: voice
    queues: [Billing]
    thresholds:
      critical: { above: 9 }
";

/// A repository with the project file at its root and the alerts in `alerts/`.
fn repository(project: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("flex-alerts.yaml"), project).unwrap();
    std::fs::create_dir(root.path().join("alerts")).unwrap();
    std::fs::write(root.path().join("alerts/support.yaml"), ALERTS).unwrap();
    root
}

fn flex(root: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = cli()
        .current_dir(root)
        .args(args)
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK)
        .output()
        .unwrap();
    let result = (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    );
    assert!(
        !result.1.contains(WEBHOOK) && !result.2.contains(WEBHOOK),
        "a webhook URL was printed"
    );
    result
}

#[test]
fn validate_checks_every_environment_and_names_the_one_that_fails() {
    let root = repository(PROJECT);
    let (code, _, stderr) = flex(root.path(), &["validate"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("Environment production:")
            && stderr.contains("Environment staging:")
            && stderr.contains("Valid in every environment (2)."),
        "{stderr}"
    );
    assert!(
        !stderr.contains("flex-alerts.yaml"),
        "the project file is no alert file: {stderr}"
    );

    // Staging forgets WAIT: an error at the `${WAIT}`, in staging only.
    let root =
        repository(&PROJECT.replace("{ ONCALL: raj.patel, WAIT: 240 }", "{ ONCALL: raj.patel }"));
    let (code, _, stderr) = flex(root.path(), &["validate"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: `${WAIT}` is not set")
            && stderr.contains("--> alerts/support.yaml:9:26"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: errors in environment(s): staging"),
        "{stderr}"
    );
    let (code, _, stderr) = flex(root.path(), &["validate", "--env", "production"]);
    assert_eq!(code, Some(0), "{stderr}");

    // A value that is wrong once substituted is reported at the `${VAR}` it came from.
    let root = repository(&PROJECT.replace("WAIT: 240", "WAIT: soon"));
    let (code, _, stderr) = flex(root.path(), &["validate", "--env", "staging"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("`above` must be a whole number, found text `soon`")
            && stderr.contains("--> alerts/support.yaml:9:26"),
        "{stderr}"
    );
}

#[test]
fn each_environment_plans_against_its_store_with_its_values() {
    let root = repository(PROJECT);
    let (code, stdout, stderr) = flex(root.path(), &["plan", "--env", "staging"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("Using the local sandbox .flex-alerts/staging.json"),
        "{stderr}"
    );
    assert!(stdout.contains("critical: { above: 240 }"), "{stdout}");
    assert!(stdout.contains("users: [raj.patel]"), "{stdout}");
    assert!(
        stdout.contains("Costs ${NOT_A_VARIABLE}"),
        "`$${{` is a literal `${{`: {stdout}"
    );

    let (code, _, stderr) = flex(
        root.path(),
        &["apply", "--env", "production", "--auto-approve"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    // Every environment at once: production is in sync, staging is not.
    let (code, stdout, stderr) = flex(root.path(), &["plan", "--all-envs", "--detailed-exitcode"]);
    assert_eq!(code, Some(2), "{stderr}");
    // In the order the project file declares them.
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("staging     Plan: 2 to create"),
        "{stdout}"
    );
    assert!(lines[1].starts_with("production  No changes."), "{stdout}");
    assert!(stdout.contains("=== environment staging ==="), "{stdout}");
    let (code, markdown, _) = flex(root.path(), &["plan", "--all-envs", "--format", "markdown"]);
    assert_eq!(code, Some(0));
    assert!(
        markdown.contains("| `staging` | Plan: 2 to create"),
        "{markdown}"
    );
    assert!(
        markdown.contains("## Environment `production`"),
        "{markdown}"
    );
    let (_, json, _) = flex(root.path(), &["plan", "--all-envs", "--format", "json"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["environments"]["staging"]["environment"], "staging");
    assert_eq!(json["environments"]["production"]["summary"]["create"], 0);
}

#[test]
fn a_saved_plan_applies_only_in_its_environment() {
    let root = repository(PROJECT);
    let (code, _, stderr) = flex(
        root.path(),
        &["plan", "--env", "staging", "--out", "staging.json"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("(it applies to the same environment, staging)"),
        "{stderr}"
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(root.path().join("staging.json")).unwrap())
            .unwrap();
    assert_eq!(saved["environment"], "staging");
    let (code, _, stderr) = flex(
        root.path(),
        &["apply", "--plan", "staging.json", "--env", "production"],
    );
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains(
            "was made for environment staging, not environment production; nothing was changed"
        ),
        "{stderr}"
    );
    assert!(!root.path().join(".flex-alerts/production.json").exists());
    let (code, _, stderr) = flex(root.path(), &["apply", "--plan", "staging.json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains(".flex-alerts/staging.json"), "{stderr}");
}

#[test]
fn environment_names_and_project_files_are_checked() {
    let root = repository(PROJECT);
    let (code, _, stderr) = flex(root.path(), &["plan", "--env", "stagin"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("there is no environment `stagin` in flex-alerts.yaml")
            && stderr.contains("did you mean `staging`?"),
        "{stderr}"
    );
    let outside = tempfile::tempdir().unwrap();
    let (code, _, stderr) = flex(outside.path(), &["plan", "--env", "staging", "."]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("--env staging: no flex-alerts.yaml in this directory or above it"),
        "{stderr}"
    );

    let broken = repository(&PROJECT.replace("local:.flex-alerts/staging.json", "ftp://staging"));
    let (code, _, stderr) = flex(broken.path(), &["validate"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("`ftp://staging` is not a store")
            && stderr.contains("--> flex-alerts.yaml:6:12"),
        "{stderr}"
    );
    // From a subdirectory, the project is found above and its paths still resolve.
    let (code, _, stderr) = flex(
        &root.path().join("alerts"),
        &["validate", "--env", "staging"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("2 alerts valid in 1 file"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_come_from_the_environments_prefix() {
    let emulator = emulator().await;
    let root = repository(&format!(
        "version: 1\nalerts: [alerts/]\nenvironments:\n  production:\n    store: {}\n    credentials: FLEX_PROD\n    vars: {{ ONCALL: jane.doe, WAIT: 180 }}\n",
        emulator.url()
    ));
    let command = || {
        let mut command = cli();
        command
            .current_dir(root.path())
            .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK)
            .env_remove("TWILIO_ACCOUNT_SID")
            .env_remove("TWILIO_AUTH_TOKEN")
            .env_remove("TWILIO_API_KEY")
            .env_remove("FLEX_INSTANCE_SID")
            .env("FLEX_ALERTS_STATE_DIR", root.path().join(".flex-alerts"));
        command
    };
    let missing = run_blocking(command(), &["plan", "--env", "production"]).await;
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("set FLEX_PROD_TWILIO_API_KEY and FLEX_PROD_TWILIO_API_SECRET, or FLEX_PROD_TWILIO_ACCOUNT_SID and FLEX_PROD_TWILIO_AUTH_TOKEN")
            && missing.stderr.contains("FLEX_PROD_INSTANCE_SID is not set"),
        "{}",
        missing.stderr
    );
    let mut prefixed = command();
    prefixed
        .env("FLEX_PROD_TWILIO_ACCOUNT_SID", ACCOUNT)
        .env("FLEX_PROD_TWILIO_AUTH_TOKEN", TOKEN)
        .env("FLEX_PROD_INSTANCE_SID", INSTANCE);
    let planned = run_blocking(prefixed, &["plan", "--env", "production"]).await;
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    assert!(
        planned.stdout.contains("+ create \"Support wait\""),
        "{}",
        planned.stdout
    );
    assert!(!planned.stderr.contains(TOKEN) && !planned.stdout.contains(TOKEN));
}

#[test]
fn committed_project_and_overlay_schemas_are_what_the_code_generates() {
    for which in ["project", "overlay"] {
        let committed = std::fs::read_to_string(
            crate::support::root().join(format!("schemas/flex-alerts-{which}.schema.json")),
        )
        .unwrap();
        let printed = cli().args(["schema", which]).output().unwrap();
        assert_eq!(
            String::from_utf8(printed.stdout).unwrap(),
            committed,
            "{which}"
        );
    }
}

const OVERLAY: &str = "version: 1
overlay:
  - name: Support wait
    thresholds: { warning: { above: 30 }, critical: { above: 90 } }
  - name: Costs $${NOT_A_VARIABLE}
    exclude: true
alerts:
  - name: Staging only
    metric: Waiting (Now)
    channel: voice
    queues: [Sales]
    thresholds: { critical: { above: 3 } }
";

fn with_overlay(overlay: &str) -> tempfile::TempDir {
    let root = repository(&PROJECT.replace(
        "vars: { ONCALL: raj.patel, WAIT: 240 }",
        "vars: { ONCALL: raj.patel, WAIT: 240 }\n    overlay: overlays/staging/",
    ));
    std::fs::create_dir_all(root.path().join("overlays/staging")).unwrap();
    std::fs::write(root.path().join("overlays/staging/changes.yaml"), overlay).unwrap();
    root
}

#[test]
fn an_overlay_changes_excludes_and_adds_alerts_in_its_environment_only() {
    let root = with_overlay(OVERLAY);
    let (code, stdout, stderr) = flex(root.path(), &["plan", "--env", "staging"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("warning: { above: 30 }") && stdout.contains("critical: { above: 90 }"),
        "{stdout}"
    );
    assert!(
        stdout.contains("users: [raj.patel]"),
        "the keys not overlaid are kept: {stdout}"
    );
    assert!(stdout.contains("+ create \"Staging only\""), "{stdout}");
    assert!(!stdout.contains("Costs"), "excluded in staging: {stdout}");
    let (code, stdout, _) = flex(root.path(), &["plan", "--env", "production"]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("Costs ${NOT_A_VARIABLE}") && !stdout.contains("Staging only"),
        "{stdout}"
    );
    assert!(stdout.contains("critical: { above: 180 }"), "{stdout}");
    // The overlay directory is not read as alert files.
    let (code, _, stderr) = flex(root.path(), &["validate"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn overlay_problems_are_reported_where_they_were_written() {
    // A name no base alert has, and thresholds the overlay inverts.
    let root = with_overlay(
        "version: 1
overlay:
  - name: Support wiat
    active: false
  - name: Support wait
    thresholds: { warning: { above: 300 }, critical: { above: 90 } }
",
    );
    let (code, _, stderr) = flex(root.path(), &["validate", "--env", "staging"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: no alert of the base files is named `Support wiat`")
            && stderr.contains("--> overlays/staging/changes.yaml:3:11")
            && stderr.contains("did you mean `Support wait`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("critical (90) must be greater than warning (300)")
            && stderr.contains("--> overlays/staging/changes.yaml:6:"),
        "{stderr}"
    );
    // Production has no overlay: the same files are valid there.
    let (code, _, stderr) = flex(root.path(), &["validate", "--env", "production"]);
    assert_eq!(code, Some(0), "{stderr}");
}

/// Every output of every command in every environment, scanned for every secret set.
#[tokio::test(flavor = "multi_thread")]
async fn no_output_of_any_command_in_any_environment_holds_a_secret() {
    const API_KEY: &str = "SK5b1e6c3a9f0d4e2b8c7a6d5e4f3a2b1c";
    const API_SECRET: &str = "emulator-api-key-secret";
    let emulator = emulator().await;
    let root = repository(&format!(
        "version: 1
alerts: [alerts/]
environments:
  staging:
    store: {url}
    credentials: FLEX_STAGING
    vars: {{ ONCALL: raj.patel, WAIT: 240 }}
  production:
    store: {url}
    credentials: FLEX_PROD
    vars: {{ ONCALL: jane.doe, WAIT: 180 }}
",
        url = emulator.url()
    ));
    std::fs::write(
        root.path().join("history.csv"),
        "time,queue,channel,metric,value\n2026-11-30T10:00:00Z,Support,voice,Longest (Now),500\n",
    )
    .unwrap();
    let command = || {
        let mut command = cli();
        command
            .current_dir(root.path())
            .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK)
            .env("FLEX_STAGING_TWILIO_ACCOUNT_SID", ACCOUNT)
            .env("FLEX_STAGING_TWILIO_AUTH_TOKEN", TOKEN)
            .env("FLEX_STAGING_INSTANCE_SID", INSTANCE)
            .env("FLEX_PROD_TWILIO_API_KEY", API_KEY)
            .env("FLEX_PROD_TWILIO_API_SECRET", API_SECRET)
            .env("FLEX_PROD_INSTANCE_SID", INSTANCE)
            .env("FLEX_ALERTS_STATE_DIR", root.path().join(".flex-alerts"));
        command
    };
    let mut outputs = Vec::new();
    let mut runs = 0;
    for environment in ["staging", "production"] {
        let saved = format!("{environment}.json");
        let exported = format!("{environment}-export.yaml");
        for args in [
            vec!["validate", "--env", environment],
            vec!["-v", "plan", "--env", environment],
            vec!["-v", "plan", "--env", environment, "--format", "markdown"],
            vec![
                "-v",
                "plan",
                "--env",
                environment,
                "--format",
                "json",
                "--history",
                "history.csv",
            ],
            vec!["plan", "--env", environment, "--out", &saved],
            vec!["-v", "apply", "--plan", &saved],
            vec!["-v", "apply", "--env", environment, "--auto-approve"],
            vec!["-v", "export", "--env", environment],
            vec!["export", "--env", environment, "--out", &exported],
            vec![
                "backtest",
                "--env",
                environment,
                "--history",
                "history.csv",
                "--format",
                "json",
            ],
            vec![
                "record",
                "--env",
                environment,
                "--for",
                "0s",
                "--out",
                "recorded.csv",
            ],
        ] {
            let run = run_blocking(command(), &args).await;
            assert!(run.code == 0 || run.code == 2, "{args:?}: {}", run.stderr);
            outputs.push((format!("{args:?}"), format!("{}{}", run.stdout, run.stderr)));
            runs += 1;
        }
        for file in [saved, exported] {
            outputs.push((
                file.clone(),
                std::fs::read_to_string(root.path().join(&file)).unwrap(),
            ));
        }
    }
    for format in ["text", "markdown", "json"] {
        let run = run_blocking(command(), &["-v", "plan", "--all-envs", "--format", format]).await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        outputs.push((
            format!("plan --all-envs {format}"),
            format!("{}{}", run.stdout, run.stderr),
        ));
        runs += 1;
    }
    let run = run_blocking(command(), &["validate"]).await;
    outputs.push(("validate".into(), format!("{}{}", run.stdout, run.stderr)));
    let secrets = [
        TOKEN,
        API_SECRET,
        WEBHOOK,
        WEBHOOK.rsplit('/').next().unwrap(),
    ];
    for (what, text) in &outputs {
        for secret in secrets {
            assert!(!text.contains(secret), "{what} printed a secret:\n{text}");
        }
    }
    assert!(runs >= 25, "{runs}");
    // The scan can fail: the webhook is in the state the emulator keeps.
    assert!(emulator.shared.state_json().to_string().contains(WEBHOOK));
}

#[test]
fn diff_shows_how_two_environments_differ_in_the_files_and_live() {
    let root = with_overlay(OVERLAY);
    let (code, stdout, stderr) = flex(
        root.path(),
        &["diff", "--env", "staging", "--env", "production"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.starts_with(
            "3 alert(s) differ between staging (<, left) and production (>, right), alert files:"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("  > \"Costs ${NOT_A_VARIABLE}\": only in production"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  < \"Staging only\": only in staging"),
        "{stdout}"
    );
    assert!(
        stdout.contains("      thresholds.critical.above: 90 | 180"),
        "{stdout}"
    );
    assert!(
        stdout.contains("      notify.users: [\"raj.patel\"] | [\"jane.doe\"]"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("metric:"),
        "equal fields are not listed: {stdout}"
    );

    // Live: nothing applied anywhere yet, then production only.
    let (code, stdout, _) = flex(
        root.path(),
        &["diff", "--env", "staging", "--env", "production", "--live"],
    );
    assert_eq!(code, Some(0));
    assert!(
        stdout.starts_with("The live alerts of staging and production are the same."),
        "{stdout}"
    );
    let (code, _, stderr) = flex(
        root.path(),
        &["apply", "--env", "production", "--auto-approve"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let (_, stdout, _) = flex(
        root.path(),
        &["diff", "--env", "staging", "--env", "production", "--live"],
    );
    assert!(
        stdout.contains("  > \"Support wait\": only in production"),
        "{stdout}"
    );

    let (code, _, _) = flex(
        root.path(),
        &[
            "diff",
            "--env",
            "staging",
            "--env",
            "production",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(code, Some(2));
    let (code, _, _) = flex(
        root.path(),
        &[
            "diff",
            "--env",
            "production",
            "--env",
            "production",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(code, Some(0));
    let (code, _, stderr) = flex(root.path(), &["diff", "--env", "staging"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("diff compares two environments"),
        "{stderr}"
    );
}

#[test]
fn webhook_urls_are_never_read_from_vars() {
    // The project file (committed) tries to give the webhook URL: it is not used.
    let root = repository(&PROJECT.replace(
        "vars: { ONCALL: jane.doe, WAIT: 180 }",
        "vars: { ONCALL: jane.doe, WAIT: 180, SLACK_SUPPORT_WEBHOOK: 'https://hooks.slack.com/services/T0/B0/FROMVARS' }",
    ));
    let output = cli()
        .current_dir(root.path())
        .args(["plan", "--env", "production"])
        .env_remove("SLACK_SUPPORT_WEBHOOK")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("environment variable `SLACK_SUPPORT_WEBHOOK` is not set"),
        "{stderr}"
    );
    assert!(!stderr.contains("FROMVARS"), "{stderr}");
}
