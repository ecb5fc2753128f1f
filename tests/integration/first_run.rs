//! A first ten minutes without surprises: one account at a time, on purpose (a project with
//! environments never falls back to a default account), the environment named wherever an
//! account is about to change, one error per cause, hints for the classic mistakes, and the
//! commands a newcomer reaches for (`init`, `inventory`).

use std::path::Path;

use serde_json::Value;

use crate::support::*;

const ALERTS: &str = "version: 1
alerts:
  - name: Support wait
    metric: Longest (Now)
    channel: voice
    queues: [Support]
    thresholds:
      critical: { above: '${WAIT}' }
";

/// A repository whose project file declares staging and production, each on its own
/// emulator, plus `extra` lines in the project file.
fn two_accounts(staging: &str, production: &str, extra: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("flex-alerts.yaml"),
        format!(
            "version: 1\nalerts: [alerts/]\n{extra}environments:\n  staging:\n    store: {staging}\n    vars: {{ WAIT: 240 }}\n  production:\n    store: {production}\n    vars: {{ WAIT: 180 }}\n"
        ),
    )
    .unwrap();
    std::fs::create_dir(root.path().join("alerts")).unwrap();
    std::fs::write(root.path().join("alerts/support.yaml"), ALERTS).unwrap();
    root
}

/// The binary in `root`, with the emulators' credentials (both use the built-in seed).
fn in_repository(root: &Path) -> assert_cmd::Command {
    let mut command = cli();
    command
        .current_dir(root)
        .env("TWILIO_ACCOUNT_SID", ACCOUNT)
        .env("TWILIO_AUTH_TOKEN", TOKEN)
        .env("FLEX_INSTANCE_SID", INSTANCE)
        .env("FLEX_ALERTS_STATE_DIR", root.join(".flex-alerts"))
        .env_remove("FLEX_ALERTS_ENV");
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn with_environments_declared_a_command_without_one_is_refused_before_any_request() {
    let (staging, production) = (emulator().await, emulator().await);
    let root = two_accounts(&staging.url(), &production.url(), "");
    let history = root.path().join("history.csv");
    std::fs::write(
        &history,
        "time,queue,channel,metric,value\n2026-11-30T10:00:00Z,Support,voice,Longest (Now),1\n",
    )
    .unwrap();
    let history = history.to_str().unwrap();
    for args in [
        vec!["plan"],
        vec!["apply", "--auto-approve"],
        vec!["export"],
        vec!["record", "--out", "h.csv", "--for", "1s"],
        vec!["test"],
        vec!["backtest", "--history", history],
    ] {
        // Even with FLEX_ALERTS_STORE pointing at an account: it is no environment.
        let mut command = in_repository(root.path());
        command.env("FLEX_ALERTS_STORE", production.url());
        let ran = run_blocking(command, &args).await;
        assert_eq!(ran.code, 1, "{args:?}: {}", ran.stderr);
        assert!(
            ran.stderr.contains("flex-alerts.yaml declares environments (staging, production): name the one to use")
                && ran.stderr.contains("hint: add `--env staging` (or set FLEX_ALERTS_ENV, or write `default_environment: staging`"),
            "{args:?}: {}",
            ran.stderr
        );
    }
    assert!(
        staging.shared.requests().is_empty(),
        "{:?}",
        staging.shared.requests()
    );
    assert!(
        production.shared.requests().is_empty(),
        "{:?}",
        production.shared.requests()
    );

    // FLEX_ALERTS_ENV names one.
    let mut named = in_repository(root.path());
    named.env("FLEX_ALERTS_ENV", "staging");
    let planned = run_blocking(named, &["plan"]).await;
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    assert!(
        planned.stderr.contains("(environment staging)"),
        "{}",
        planned.stderr
    );
    assert!(production.shared.requests().is_empty());
    assert!(!staging.shared.requests().is_empty());

    // So does the project's default_environment.
    let defaulted = two_accounts(
        &staging.url(),
        &production.url(),
        "default_environment: production\n",
    );
    let planned = run_blocking(in_repository(defaulted.path()), &["plan"]).await;
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    assert!(
        planned.stderr.contains("(environment production)"),
        "{}",
        planned.stderr
    );
    assert!(!production.shared.requests().is_empty());
    // validate still checks every environment, in the order they are declared.
    let validated = run(in_repository(root.path()).arg("validate"));
    assert_eq!(validated.code, 0, "{}", validated.stderr);
    let staging_at = validated.stderr.find("Environment staging:").unwrap();
    let production_at = validated.stderr.find("Environment production:").unwrap();
    assert!(staging_at < production_at, "{}", validated.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_environment_is_named_first_in_every_plan_and_in_the_prompt() {
    let (staging, production) = (emulator().await, emulator().await);
    let root = two_accounts(&staging.url(), &production.url(), "");
    let plan = |format: &str, env: &str| {
        let mut command = in_repository(root.path());
        command.args(["plan", "--env", env, "--format", format]);
        run(&mut command)
    };
    let text = plan("text", "staging");
    assert!(
        text.stdout
            .lines()
            .next()
            .unwrap()
            .starts_with("Environment: staging (Flex instance"),
        "{}",
        text.stdout
    );
    let json = plan("json", "staging");
    let lines: Vec<&str> = json.stdout.lines().collect();
    assert_eq!(lines[1].trim(), "\"format_version\": 1,", "{}", json.stdout);
    assert_eq!(
        lines[2].trim(),
        "\"environment\": \"staging\",",
        "{}",
        json.stdout
    );
    let document: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["environment"], "staging");
    // Two environments' Markdown plans carry different markers: two comments, not one.
    let markdown_staging = plan("markdown", "staging");
    let markdown_production = plan("markdown", "production");
    let first = |text: &str| text.lines().next().unwrap().to_owned();
    assert_eq!(
        first(&markdown_staging.stdout),
        "<!-- flex-alerts plan staging part 1 of 1 -->"
    );
    assert_eq!(
        first(&markdown_production.stdout),
        "<!-- flex-alerts plan production part 1 of 1 -->"
    );
    assert!(
        markdown_staging
            .stdout
            .contains("### flex-alerts plan: staging")
    );
    // The saved plan, and the line that says it was saved.
    let saved = root.path().join("plan.json");
    let mut command = in_repository(root.path());
    command.args([
        "plan",
        "--env",
        "production",
        "--out",
        saved.to_str().unwrap(),
    ]);
    let saving = run(&mut command);
    assert!(
        saving.stderr.contains("environment, production"),
        "{}",
        saving.stderr
    );
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(document["environment"], "production");

    // The apply prompt, on a terminal (a pseudo-terminal here), answered `no`.
    let prompt = prompt_of(&root, &["apply", "--env", "staging"]);
    assert!(
        prompt.contains("Apply these changes to environment staging (Flex instance"),
        "{prompt}"
    );
    assert!(
        prompt.contains("apply cancelled; nothing was changed"),
        "{prompt}"
    );
    assert_eq!(stored(&staging, "rules"), 0);
}

/// What the binary prints on a pseudo-terminal for `args` in `root`, answered `no`.
fn prompt_of(root: &tempfile::TempDir, args: &[&str]) -> String {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("flex-alerts"));
    let template = in_repository(root.path());
    for (key, value) in template.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    command.current_dir(root.path()).args(args);
    on_terminal(command, Some(("Only `yes` goes on", "no")))
}

/// A project whose production lacks the variables staging sets, with `alerts` and `extra`
/// files, run offline in local stores.
fn lacking_in_production(alerts: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("flex-alerts.yaml"),
        "version: 1\nalerts: [alerts/]\nenvironments:\n  staging:\n    store: local:.flex-alerts/staging.json\n    vars: { ONCALL: raj.patel, SUPPORT_WAIT: 120 }\n    overlay: overlays/\n  production:\n    store: local:.flex-alerts/production.json\n    overlay: overlays/\n",
    )
    .unwrap();
    for directory in ["alerts", "overlays"] {
        std::fs::create_dir(root.path().join(directory)).unwrap();
    }
    std::fs::write(root.path().join("alerts/support.yaml"), alerts).unwrap();
    for (path, text) in extra {
        std::fs::write(root.path().join(path), text).unwrap();
    }
    root
}

const WAIT_AND_ONCALL: &str = "version: 1
alerts:
  - name: Support - longest wait
    metric: Longest (Now)
    channel: voice
    queues: [Support]
    thresholds:
      critical: { above: '${SUPPORT_WAIT}' }
    notify:
      after: 20m
      users: ['${ONCALL}']
  - name: Billing - waiting
    metric: Waiting (Now)
    channel: voice
    queues: [Billing]
    thresholds:
      critical: { above: 5 }
    notify:
      users: ['${ONCALL}']
";

/// The error lines of `stderr`, without the summary lines.
fn errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| {
            line.starts_with("error: ")
                && !line.contains(" errors")
                && !line.contains("1 error and")
        })
        .collect()
}

#[test]
fn an_unset_variable_is_one_error_at_its_place_and_every_other_problem_is_reported_too() {
    let tests = "version: 1\ntests:\n  - name: waits\n    series:\n      - { metric: Longest (Now), queue: Support, channel: voice, values: \"0 200\" }\n    expect:\n      - { at: 0m, alert: Support - longest wait, queue: Support, level: ok }\n      - { at: 1m, alert: Support - longest wait, queue: Support, level: critical }\n";
    let root = lacking_in_production(WAIT_AND_ONCALL, &[("alerts/support.test.yaml", tests)]);
    for command in [
        vec!["test", "--env", "production"],
        vec!["validate", "--env", "production"],
    ] {
        let ran = run(cli().current_dir(root.path()).args(&command));
        assert_eq!(ran.code, 1, "{command:?}: {}", ran.stderr);
        assert_eq!(
            errors(&ran.stderr),
            [
                "error: `${SUPPORT_WAIT}` is not set",
                "error: `20m` is longer than the 15-minute maximum",
                "error: `${ONCALL}` is not set",
                "error: `${ONCALL}` is not set",
            ],
            "{command:?}: {}",
            ran.stderr
        );
        assert!(!ran.stderr.contains("no alert is named"), "{}", ran.stderr);
        assert!(
            ran.stderr
                .contains("help: it is set in `staging`'s vars: did you mean `--env staging`?"),
            "{}",
            ran.stderr
        );
        assert!(
            ran.stderr.contains("alerts/support.yaml:8:26"),
            "{}",
            ran.stderr
        );
    }
}

#[test]
fn an_unquoted_variable_in_braces_is_said_once_with_nothing_that_follows_from_it() {
    let alerts = "version: 1\nalerts:\n  - name: Support wait\n    metric: Longest (Now)\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: { above: ${SUPPORT_WAIT} }\n";
    let overlay = "version: 1\noverlay:\n  - name: Support wait\n    active: false\n";
    let root = lacking_in_production(alerts, &[("overlays/changes.yaml", overlay)]);
    let validated = run(cli().current_dir(root.path()).arg("validate"));
    assert_eq!(validated.code, 1, "{}", validated.stderr);
    let all = run(cli().current_dir(root.path()).args(["plan", "--all-envs"]));
    assert_eq!(all.code, 1, "{}", all.stderr);
    for ran in [&validated, &all] {
        let shown = errors(&ran.stderr);
        assert_eq!(shown.len(), 1, "{}", ran.stderr);
        assert!(
            ran.stderr.contains("write a variable in quotes"),
            "{}",
            ran.stderr
        );
        assert!(
            !ran.stderr.contains("no alert of the base files"),
            "{}",
            ran.stderr
        );
        assert!(
            ran.stderr
                .contains("as shown above for another environment"),
            "{}",
            ran.stderr
        );
    }
    assert!(all.stderr.contains("no store was read"), "{}", all.stderr);
}

#[test]
fn the_classic_mistakes_get_the_hint_that_fixes_them() {
    let directory = tempfile::tempdir().unwrap();
    let alert = |name: &str, metric: &str, body: &str| {
        format!(
            "version: 1\nalerts:\n  - name: {name}\n    metric: {metric}\n    channel: voice\n    queues: [Support]\n{body}"
        )
    };
    let queues: Vec<String> = (0..21).map(|index| format!("Q{index}")).collect();
    let cases = [
        (
            "level.yaml",
            alert("A", "Waiting (Now)", "    thresholds:\n      warning: 120\n"),
            "help: write `warning: { above: 120 }` or `{ below: 120 }`",
        ),
        (
            "seconds.yaml",
            alert("B", "Longest (Now)", "    thresholds:\n      critical: { above: 2m }\n"),
            "help: this metric is in seconds: write 120",
        ),
        (
            "tab.yaml",
            alert("C", "Longest (Now)", "    thresholds:\n\t  critical: { above: 2 }\n"),
            "help: YAML indents with spaces; replace the tab at 8:1",
        ),
        (
            "version.yaml",
            "alerts:\n  - name: D\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: { above: 2 }\n".to_owned(),
            "help: add `version: 1` as the first line",
        ),
        (
            "queues.yaml",
            format!(
                "version: 1\nalerts:\n  - name: E\n    metric: Waiting (Now)\n    channel: voice\n    queues: [{}]\n    thresholds:\n      critical: {{ above: 2 }}\n",
                queues.join(", ")
            ),
            "help: an alert watches at most 20 queues; split it into two alerts",
        ),
    ];
    for (name, text, hint) in cases {
        let path = directory.path().join(name);
        std::fs::write(&path, text).unwrap();
        let ran = run(cli().arg("validate").arg(&path));
        assert_eq!(ran.code, 1, "{name}: {}", ran.stderr);
        assert!(ran.stderr.contains(hint), "{name}: {hint}\n{}", ran.stderr);
        assert_eq!(
            ran.stderr.matches("\nerror: ").count()
                + usize::from(ran.stderr.starts_with("error: ")),
            2,
            "{name}: one problem, and the summary: {}",
            ran.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_credentials_of_an_environment_name_its_variables_and_the_paste_that_sets_them() {
    let emulator = emulator().await;
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("flex-alerts.yaml"),
        format!(
            "version: 1\nalerts: [alerts/]\nenvironments:\n  staging:\n    store: {}\n    credentials: FLEX_STAGING\n    vars: {{ WAIT: 240 }}\n",
            emulator.url()
        ),
    )
    .unwrap();
    std::fs::create_dir(root.path().join("alerts")).unwrap();
    std::fs::write(root.path().join("alerts/support.yaml"), ALERTS).unwrap();
    let bare = || {
        let mut command = cli();
        command
            .current_dir(root.path())
            .env("FLEX_ALERTS_STATE_DIR", root.path().join(".flex-alerts"))
            .env_remove("TWILIO_ACCOUNT_SID")
            .env_remove("TWILIO_AUTH_TOKEN")
            .env_remove("FLEX_INSTANCE_SID");
        command
    };
    let missing = run_blocking(bare(), &["plan", "--env", "staging"]).await;
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("no Twilio credentials: set FLEX_STAGING_TWILIO_API_KEY and FLEX_STAGING_TWILIO_API_SECRET, or FLEX_STAGING_TWILIO_ACCOUNT_SID and FLEX_STAGING_TWILIO_AUTH_TOKEN"),
        "{}",
        missing.stderr
    );
    let paste = missing
        .stderr
        .lines()
        .find_map(|line| line.split_once("paste: export "))
        .map(|(_, variables)| variables.to_owned())
        .unwrap_or_else(|| panic!("no paste in {}", missing.stderr));
    assert!(
        paste.starts_with("FLEX_STAGING_TWILIO_ACCOUNT_SID="),
        "{paste}"
    );
    // The paste works.
    let mut pasted = bare();
    for assignment in paste.split_whitespace() {
        let (name, value) = assignment.split_once('=').unwrap();
        pasted.env(name, value);
    }
    let planned = run_blocking(pasted, &["plan", "--env", "staging"]).await;
    assert_eq!(planned.code, 0, "{}", planned.stderr);
}

/// The file a `# yaml-language-server: $schema=...` modeline of `file` points at.
fn modeline_target(file: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(file).unwrap();
    let schema = text
        .lines()
        .find_map(|line| {
            line.split_once("$schema=")
                .map(|(_, path)| path.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no modeline in {}", file.display()));
    file.parent().unwrap().join(schema)
}

#[test]
fn init_sets_up_an_empty_repository_and_keeps_every_file_of_a_populated_one() {
    let empty = tempfile::tempdir().unwrap();
    let ran = run(cli()
        .current_dir(empty.path())
        .args(["init", "--ci", "gitlab"]));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    for file in [
        "alerts/alerts.yaml",
        "alerts/alerts.test.yaml",
        "schemas/flex-alerts.schema.json",
        "schemas/flex-alerts-test.schema.json",
        ".gitlab-ci.yml",
        ".gitignore",
    ] {
        assert!(empty.path().join(file).is_file(), "{file}: {}", ran.stderr);
    }
    for file in ["alerts/alerts.yaml", "alerts/alerts.test.yaml"] {
        let target = modeline_target(&empty.path().join(file));
        assert!(
            target.is_file(),
            "{file}: the modeline points at {}",
            target.display()
        );
    }
    assert!(
        std::fs::read_to_string(empty.path().join(".gitignore"))
            .unwrap()
            .contains(".flex-alerts/\n")
    );
    for command in ["validate", "test"] {
        let ran = run(cli().current_dir(empty.path()).arg(command));
        assert_eq!(ran.code, 0, "{command}: {}", ran.stderr);
    }

    // A populated repository: what is there stays, byte for byte; the ignore entry is added.
    let populated = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(populated.path().join("alerts")).unwrap();
    std::fs::write(populated.path().join("alerts/alerts.yaml"), "mine\n").unwrap();
    std::fs::write(populated.path().join(".gitignore"), "target/").unwrap();
    let ran = run(cli().current_dir(populated.path()).arg("init"));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("kept  alerts/alerts.yaml (it exists; nothing was overwritten)"),
        "{}",
        ran.stderr
    );
    assert_eq!(
        std::fs::read_to_string(populated.path().join("alerts/alerts.yaml")).unwrap(),
        "mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(populated.path().join(".gitignore")).unwrap(),
        "target/\n# flex-alerts: the local sandbox and the apply journal\n.flex-alerts/\n"
    );
    let again = run(cli().current_dir(populated.path()).arg("init"));
    assert!(
        again
            .stderr
            .contains("kept  .gitignore (it ignores .flex-alerts/ already)"),
        "{}",
        again.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn init_from_a_live_store_writes_its_alerts_and_plan_then_finds_nothing_to_do() {
    let emulator = emulator().await;
    let seeded = tempfile::tempdir().unwrap();
    let applied = run_blocking(
        against(&emulator, seeded.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let repository = tempfile::tempdir().unwrap();
    let mut init = against(&emulator, repository.path());
    init.current_dir(repository.path());
    let ran = run_blocking(init, &["init", "--store", &emulator.url()]).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let alerts = repository.path().join("alerts/alerts.yaml");
    assert!(
        std::fs::read_to_string(&alerts)
            .unwrap()
            .contains("Exported by flex-alerts")
    );
    assert!(modeline_target(&alerts).is_file());
    // The webhook URL became a variable: set it as the export says, and nothing changes.
    let mut plan = against(&emulator, repository.path());
    plan.current_dir(repository.path())
        .env("FLEX_ALERTS_WEBHOOK_SUPPORT_VOICE_LONGEST_WAIT", WEBHOOK);
    let planned = run_blocking(plan, &["plan", "alerts/", "--detailed-exitcode"]).await;
    assert_eq!(planned.code, 0, "{}\n{}", planned.stdout, planned.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_in_another_repository_gets_a_modeline_that_resolves_there() {
    let emulator = emulator().await;
    let repository = tempfile::tempdir().unwrap();
    let mut export = against(&emulator, repository.path());
    export.current_dir(repository.path());
    let ran = run_blocking(export, &["export", "--out", "team/live.yaml"]).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let target = modeline_target(&repository.path().join("team/live.yaml"));
    assert!(target.is_file(), "{}: {}", target.display(), ran.stderr);
    assert!(
        ran.stderr.contains("which its modeline points at"),
        "{}",
        ran.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn inventory_lists_the_names_alert_files_may_use() {
    let emulator = emulator().await;
    let console: flex_alerts::emulator::engine::ConsoleObjects = serde_json::from_value(serde_json::json!({
        "users": [{"flex_user_sid": "FU00000000000000000000000000000c01", "username": "old.timer", "roles": ["agent"], "deactivated": true}]
    }))
    .unwrap();
    emulator.shared.insert(console).unwrap();
    let state = tempfile::tempdir().unwrap();
    let text = run_blocking(against(&emulator, state.path()), &["inventory"]).await;
    assert_eq!(text.code, 0, "{}", text.stderr);
    for expected in [
        "Queues (6), for `queues:`",
        &format!("  Support              {SUPPORT}"),
        "Channels (5), for `channel:`",
        &format!("  voice    Voice    {VOICE}"),
        "Users (7), for `notify.users:`",
        "jane.doe",
        "supervisor  active",
        "old.timer",
        "deactivated",
    ] {
        assert!(
            text.stdout.contains(expected),
            "{expected}\n{}",
            text.stdout
        );
    }
    let json = run_blocking(
        against(&emulator, state.path()),
        &["inventory", "--format", "json"],
    )
    .await;
    assert_eq!(json.code, 0, "{}", json.stderr);
    let document: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["queues"].as_array().unwrap().len(), 6);
    assert_eq!(document["queues"][0]["name"], "Support");
    let old = document["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|user| user["username"] == "old.timer")
        .unwrap();
    assert_eq!(old["active"], false);
    assert_eq!(
        document["users"][0]["roles"],
        serde_json::json!(["supervisor"])
    );
}

const BASE_ALERTS: &str = "version: 1
alerts:
  - name: Support wait
    metric: Longest (Now)
    channel: voice
    queues: [Support, Billing]
    thresholds:
      warning: { above: 60 }
      critical: { above: 180 }
    notify:
      severity: warning
      users: [jane.doe]
      emails: [oncall@example.com]
  - name: Billing queue
    metric: Waiting (Now)
    channel: voice
    queues: [Billing]
    thresholds:
      critical: { above: 5 }
    notify:
      users: [raj.patel]
      emails: [billing@example.com]
";

#[test]
fn overlays_merge_mappings_replace_lists_and_levels_and_null_removes() {
    let overlay = "version: 1
overlay:
  - name: Support wait
    queues: [Sales]
    thresholds: { critical: { above: 300 } }
    notify: { after: 10m }
  - name: Billing queue
    notify: { emails: null }
";
    let root = lacking_in_production(BASE_ALERTS, &[("overlays/staging.yaml", overlay)]);
    let plan = run(cli()
        .current_dir(root.path())
        .args(["plan", "--env", "staging", "--format", "json"]));
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let document: Value = serde_json::from_str(&plan.stdout).unwrap();
    let after = |name: &str| {
        document["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|alert| alert["name"] == name)
            .unwrap()["after"]
            .clone()
    };
    let support = after("Support wait");
    // Mappings merge: the base's users and emails stay beside the overlay's delay.
    assert_eq!(support["notify"]["after"], "10m", "{support}");
    assert_eq!(
        support["notify"]["users"],
        serde_json::json!(["jane.doe"]),
        "{support}"
    );
    assert_eq!(
        support["notify"]["emails"],
        serde_json::json!(["oncall@example.com"]),
        "{support}"
    );
    // A threshold level replaces as a whole; the other level stays.
    assert_eq!(support["thresholds"]["critical"]["above"], 300, "{support}");
    assert_eq!(support["thresholds"]["warning"]["above"], 60, "{support}");
    // A list replaces as a whole.
    assert_eq!(support["queues"], serde_json::json!(["Sales"]), "{support}");
    // `null` removes the key.
    let billing = after("Billing queue");
    assert!(billing["notify"].get("emails").is_none(), "{billing}");
    assert_eq!(
        billing["notify"]["users"],
        serde_json::json!(["raj.patel"]),
        "{billing}"
    );

    // The text plan shows the effective alert.
    let text = run(cli()
        .current_dir(root.path())
        .args(["plan", "--env", "staging"]));
    assert!(
        text.stdout.contains("after: 10m") && text.stdout.contains("oncall@example.com"),
        "{}",
        text.stdout
    );

    // A level removed with nothing left, and a value the overlay set wrong, are reported in
    // the overlay, at their place.
    std::fs::write(
        root.path().join("overlays/staging.yaml"),
        "version: 1\noverlay:\n  - name: Billing queue\n    thresholds: { critical: null }\n  - name: Support wait\n    notify: { after: 20m }\n",
    )
    .unwrap();
    let broken = run(cli()
        .current_dir(root.path())
        .args(["validate", "--env", "staging"]));
    assert_eq!(broken.code, 1);
    assert!(
        broken
            .stderr
            .contains("the overlay of `Billing queue` removes both thresholds")
            && broken.stderr.contains("overlays/staging.yaml:3:"),
        "{}",
        broken.stderr
    );
    assert!(
        broken
            .stderr
            .contains("`20m` is longer than the 15-minute maximum")
            && broken.stderr.contains("overlays/staging.yaml:6:"),
        "{}",
        broken.stderr
    );

    // Two entries for one alert, in two files: the result would depend on the reading order.
    std::fs::write(
        root.path().join("overlays/staging.yaml"),
        "version: 1\noverlay:\n  - name: Support wait\n    active: false\n",
    )
    .unwrap();
    std::fs::write(
        root.path().join("overlays/zz.yaml"),
        "version: 1\noverlay:\n  - name: Support wait\n    active: true\n",
    )
    .unwrap();
    let twice = run(cli()
        .current_dir(root.path())
        .args(["validate", "--env", "staging"]));
    assert_eq!(twice.code, 1, "{}", twice.stderr);
    assert!(
        twice
            .stderr
            .contains("`Support wait` is already changed by an entry in overlays/staging.yaml")
            && twice.stderr.contains("overlays/zz.yaml:3:"),
        "{}",
        twice.stderr
    );
}

/// The README's quick start, step by step, in a directory outside this repository: init,
/// validate, test, plan, apply; then the metric changes and the plan replaces the alert.
#[tokio::test(flavor = "multi_thread")]
async fn the_quick_start_works_from_an_empty_directory() {
    let emulator = emulator().await;
    let home = tempfile::tempdir().unwrap();
    let demo = home.path().join("demo");
    let step = |cwd: &Path| {
        let mut command = against(&emulator, home.path());
        command.current_dir(cwd).env_remove("SLACK_SUPPORT_WEBHOOK");
        command
    };
    let init = run_blocking(step(home.path()), &["init", "demo"]).await;
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(
        init.stderr.contains(
            "`flex-alerts plan demo/alerts` shows what apply would change in $FLEX_ALERTS_STORE"
        ),
        "{}",
        init.stderr
    );
    for (args, expected) in [
        (&["validate"][..], "1 alert valid in 2 files"),
        (&["test"], "1 passed, 0 failed"),
        (&["plan"], "Plan: 1 to create"),
        (
            &["apply", "--auto-approve"],
            "Read back: the live alerts match the files.",
        ),
    ] {
        let ran = run_blocking(step(&demo), args).await;
        assert_eq!(ran.code, 0, "{args:?}: {}", ran.stderr);
        assert!(
            ran.stdout.contains(expected) || ran.stderr.contains(expected),
            "{args:?}: {}\n{}",
            ran.stdout,
            ran.stderr
        );
    }
    let file = demo.join("alerts/alerts.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("metric: Longest (Now)", "metric: Waiting (Now)"),
    )
    .unwrap();
    let replace = run_blocking(step(&demo), &["plan"]).await;
    assert!(
        replace
            .stdout
            .contains("+/- replace \"Support voice - longest wait\"")
            && replace.stdout.contains("Flex cannot edit a metric"),
        "{}",
        replace.stdout
    );
    let applied = run_blocking(step(&demo), &["apply", "--auto-approve"]).await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let again = run_blocking(step(&demo), &["plan", "--detailed-exitcode"]).await;
    assert_eq!(again.code, 0, "{}", again.stdout);
}

/// Every relative link of the README and of `docs/` names a file that exists and, with a
/// `#fragment`, a heading in it (as GitHub makes anchors of headings).
#[test]
fn the_readme_and_docs_link_only_to_what_exists() {
    fn anchor(heading: &str) -> String {
        heading
            .trim()
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect()
    }
    fn anchors(text: &str) -> Vec<String> {
        let mut fenced = false;
        let mut found = Vec::new();
        for line in text.lines() {
            if line.starts_with("```") {
                fenced = !fenced;
            } else if !fenced && line.starts_with('#') {
                found.push(anchor(line.trim_start_matches('#')));
            }
        }
        found
    }
    let mut pages = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    let mut checked = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for (_, rest) in text
            .match_indices("](")
            .map(|(at, _)| text.split_at(at + 2))
        {
            let target = &rest[..rest.find(')').unwrap()];
            if target.starts_with("http") {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let linked = page.parent().unwrap().join(file);
            assert!(linked.exists(), "{}: {target}", page.display());
            if !fragment.is_empty() {
                let headings = anchors(&std::fs::read_to_string(&linked).unwrap());
                assert!(
                    headings.iter().any(|h| h == fragment),
                    "{}: {target}: no such heading in {headings:?}",
                    page.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} links");
}
