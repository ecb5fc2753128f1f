//! `validate`: every bad input reports the right problem at the right place; the examples and
//! the committed schema are what the code says.

use std::process::Command;

use flex_alerts::config::diagnostic::Severity;
use flex_alerts::config::schema;

use crate::support::{cli, load, root};

/// (input under tests/bad, `FILE:LINE:COLUMN` suffix or "" for whole-file problems, message part)
const BAD_INPUTS: &[(&str, &str, &str)] = &[
    (
        "under_indented_keys.yaml",
        ":8:5",
        "unknown key `warning` in alert `Support waiting`",
    ),
    (
        "active_on.yaml",
        ":7:13",
        "`active` must be true or false, found text `on`",
    ),
    (
        "settings_prune_yes.yaml",
        ":3:10",
        "`prune` must be true or false, found text `yes`",
    ),
    (
        "queues_scalar.yaml",
        ":6:13",
        "`queues` must be a list, found text `Support`",
    ),
    (
        "channel_list.yaml",
        ":5:14",
        "`channel` must be text, found a list",
    ),
    (
        "above_quoted.yaml",
        ":8:25",
        "`above` must be a whole number, found text `5`",
    ),
    (
        "above_negative.yaml",
        ":8:25",
        "`above` must be at least 0, found -1",
    ),
    (
        "above_fraction.yaml",
        ":8:25",
        "`above` must be a whole number, found `1.5`",
    ),
    (
        "unknown_top_key.yaml",
        ":2:1",
        "unknown key `alert` at the top level",
    ),
    (
        "unknown_alert_key.yaml",
        ":7:5",
        "unknown key `thresold` in alert `Support voice - longest wait`",
    ),
    (
        "unknown_threshold_key.yaml",
        ":8:7",
        "unknown key `warnng` in `thresholds`",
    ),
    (
        "unknown_limit_key.yaml",
        ":9:19",
        "unknown key `abvoe` in `critical`",
    ),
    (
        "unknown_notify_key.yaml",
        ":12:7",
        "unknown key `user` in `notify`",
    ),
    (
        "unknown_settings_key.yaml",
        ":3:3",
        "unknown key `prun` in `settings`",
    ),
    (
        "unknown_webhook_key.yaml",
        ":13:31",
        "unknown key `uri` in `webhook`",
    ),
    (
        "missing_metric.yaml",
        ":3:5",
        "missing required key `metric` in alert `Support voice - longest wait`",
    ),
    (
        "missing_queues.yaml",
        ":3:5",
        "missing required key `queues` in alert `Support voice - longest wait`",
    ),
    (
        "missing_version.yaml",
        ":1:1",
        "missing required key `version` at the top level",
    ),
    (
        "missing_webhook_url.yaml",
        ":13:7",
        "missing required key `url` in `webhook`",
    ),
    (
        "unknown_metric.yaml",
        ":4:13",
        "unknown metric `Longest (now)`",
    ),
    (
        "unknown_metric_far.yaml",
        ":4:13",
        "unknown metric `Queue depth`",
    ),
    (
        "unknown_severity.yaml",
        ":11:17",
        "unknown severity `critcal`",
    ),
    (
        "unknown_webhook_type.yaml",
        ":13:24",
        "unknown webhook type `teams`",
    ),
    (
        "unknown_push_mode.yaml",
        ":3:22",
        "unknown browser push mode `never`",
    ),
    (
        "too_many_queues.yaml",
        ":6:105",
        "at most 20 queues allowed, found 21",
    ),
    ("no_queues.yaml", ":6:5", "at least 1 queue needed"),
    (
        "too_many_users.yaml",
        ":12:86",
        "at most 10 users allowed, found 11",
    ),
    (
        "too_many_emails.yaml",
        ":12:177",
        "at most 10 email addresses allowed, found 11",
    ),
    ("duplicate_queue.yaml", ":6:32", "duplicate queue `Support`"),
    ("duplicate_user.yaml", ":12:36", "duplicate user `jane.doe`"),
    (
        "bad_email.yaml",
        ":12:16",
        "`oncall-at-example.com` is not an email address",
    ),
    (
        "bad_queue_sid.yaml",
        ":6:14",
        "`WQ12345678abc` looks like a WQ SID but is not one",
    ),
    (
        "name_with_spaces.yaml",
        ":3:11",
        "alert name ` Support voice` starts or ends with a space",
    ),
    ("empty_name.yaml", ":3:11", "`name` must not be empty"),
    (
        "above_and_below.yaml",
        ":8:29",
        "give only one of `above` or `below`",
    ),
    (
        "empty_threshold.yaml",
        ":8:7",
        "the `warning` threshold needs one of `above` or `below`",
    ),
    (
        "no_thresholds.yaml",
        ":7:5",
        "`thresholds` needs one of `warning` or `critical`",
    ),
    (
        "inverted_thresholds.yaml",
        ":9:26",
        "critical (30) must be greater than warning (60)",
    ),
    (
        "inverted_below_thresholds.yaml",
        ":9:26",
        "critical (5) must be less than warning (2)",
    ),
    (
        "mixed_directions.yaml",
        ":9:19",
        "warning is `above` but critical is `below`",
    ),
    (
        "severity_without_threshold.yaml",
        ":10:17",
        "`severity: critical` needs a critical threshold",
    ),
    (
        "warning_severity_without_threshold.yaml",
        ":10:17",
        "`severity: warning` needs a warning threshold",
    ),
    (
        "notify_without_delivery.yaml",
        ":10:5",
        "`notify` has no way to deliver",
    ),
    (
        "users_with_everything_off.yaml",
        ":10:5",
        "`notify` has no way to deliver",
    ),
    (
        "popup_without_users.yaml",
        ":12:7",
        "`popup` notifies users, but `users` is empty",
    ),
    (
        "browser_push_without_users.yaml",
        ":12:7",
        "`browser_push` notifies users, but `users` is empty",
    ),
    (
        "http_webhook.yaml",
        ":13:37",
        "the webhook URL must use https",
    ),
    (
        "webhook_with_space.yaml",
        ":10:36",
        "the webhook URL contains a space (character 39)",
    ),
    (
        "webhook_with_bidi_override.yaml",
        ":10:36",
        "the webhook URL contains a bidirectional-text control character (character 37)",
    ),
    (
        "after_and_threshold_written_loosely.yaml",
        ":11:14",
        "`after` must be text, found `300`",
    ),
    (
        "unset_variable.yaml",
        ":13:36",
        "environment variable `FLEX_ALERTS_TEST_UNSET_HOOK` is not set",
    ),
    (
        "after_too_long.yaml",
        ":13:14",
        "`16m` is longer than the 15-minute maximum",
    ),
    ("after_bad_unit.yaml", ":13:14", "`5x` is not a delay"),
    (
        "duplicate_yaml_key.yaml",
        ":6:5",
        "duplicate key `channel` (first set on line 5)",
    ),
    (
        "renamed_from_collides.yaml",
        ":14:20",
        "names an alert that still exists",
    ),
    (
        "too_many_alerts.yaml",
        ":603:11",
        "more than 100 alerts: Flex allows at most 100",
    ),
    ("version_2.yaml", ":1:10", "unsupported format version 2"),
    (
        "version_text.yaml",
        ":1:10",
        "`version` must be a whole number, found text `one`",
    ),
    ("empty.yaml", "", "file is empty"),
    ("comment_only.yaml", "", "file is empty"),
    ("not_yaml.yaml", ":2:3", "not valid YAML"),
    (
        "top_level_list.yaml",
        ":1:1",
        "expected a mapping with `version` and `alerts`",
    ),
    (
        "two_documents.yaml",
        ":13:1",
        "a file holds one YAML document",
    ),
    ("binary.yaml", "", "not a text file (NUL byte at offset 11)"),
    ("latin1.yaml", "", "not UTF-8 text"),
    (
        "alias_bomb.yaml",
        ":8:10",
        "aliases expand to more than 100000 nodes",
    ),
    (
        "sla_over_100.yaml",
        ":8:25",
        "`SLA (Today)` is a percentage: thresholds run from 0 to 100, found 150",
    ),
    (
        "null_notify.yaml",
        ":10:11",
        "`notify` must be a mapping of keys to values, found nothing",
    ),
    (
        "duplicate_names_across_files",
        "/b.yaml:3:11",
        "duplicate alert name `Support voice - longest wait`",
    ),
    (
        "settings_twice",
        "/b.yaml:2:1",
        "settings are given in more than one file",
    ),
];

#[test]
fn every_bad_input_reports_its_problem_at_the_exact_place() {
    let mut failures = Vec::new();
    for (input, place, message) in BAD_INPUTS {
        let path = format!("tests/bad/{input}");
        let loaded = load(&[&path]);
        let errors: Vec<_> = loaded
            .diagnostics
            .items()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let expected_location = format!("{path}{place}");
        let found = errors
            .iter()
            .any(|d| d.location() == expected_location && d.message.contains(message));
        if !found {
            let got: Vec<String> = errors
                .iter()
                .map(|d| format!("{} {}", d.location(), d.message))
                .collect();
            failures.push(format!(
                "{input}: expected `{expected_location}` `{message}`, got {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(BAD_INPUTS.len() >= 40);
}

#[test]
fn every_bad_file_under_tests_bad_is_in_the_table() {
    let mut listed: Vec<&str> = BAD_INPUTS.iter().map(|(input, _, _)| *input).collect();
    listed.push("pii_name.yaml"); // a warning, checked on its own below
    for entry in std::fs::read_dir(root().join("tests/bad")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            listed.contains(&name.as_str()),
            "tests/bad/{name} has no expectation"
        );
    }
}

#[test]
fn suggestions_name_the_closest_word() {
    let cases = [
        (
            "tests/bad/unknown_alert_key.yaml",
            "did you mean `thresholds`?",
        ),
        (
            "tests/bad/unknown_metric.yaml",
            "did you mean `Longest (Now)`?",
        ),
        (
            "tests/bad/unknown_severity.yaml",
            "did you mean `critical`?",
        ),
        ("tests/bad/unknown_top_key.yaml", "did you mean `alerts`?"),
        (
            "tests/bad/under_indented_keys.yaml",
            "indent it under `thresholds` on line 7, where it belongs",
        ),
        (
            "tests/bad/under_indented_keys.yaml",
            "indent it under `notify` on line 9, where it belongs",
        ),
        (
            "tests/bad/unknown_push_mode.yaml",
            "expected one of `always`, `when_not_in_focus`",
        ),
    ];
    for (path, hint) in cases {
        let loaded = load(&[path]);
        let hints: Vec<_> = loaded
            .diagnostics
            .items()
            .iter()
            .filter_map(|d| d.hint.clone())
            .collect();
        assert!(hints.iter().any(|h| h == hint), "{path}: {hints:?}");
    }
}

#[test]
fn personal_data_in_a_name_is_a_warning_not_an_error() {
    let loaded = load(&["tests/bad/pii_name.yaml"]);
    assert_eq!(loaded.diagnostics.error_count(), 0);
    let warning = &loaded.diagnostics.items()[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.location(), "tests/bad/pii_name.yaml:3:11");
    assert!(warning.message.contains("email address"));
}

#[test]
fn all_files_are_reported_in_one_run() {
    let loaded = load(&[
        "tests/bad/active_on.yaml",
        "tests/bad/unknown_metric.yaml",
        "tests/bad/http_webhook.yaml",
    ]);
    let files: std::collections::BTreeSet<_> = loaded
        .diagnostics
        .items()
        .iter()
        .map(|d| d.file.clone())
        .collect();
    assert_eq!(files.len(), 3, "{files:?}");
}

#[test]
fn unset_variable_error_never_prints_a_value_and_a_set_one_is_never_printed() {
    let output = cli()
        .args(["validate", "tests/bad/http_webhook.yaml"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("must use https"), "{text}");
    let output = cli()
        .env(
            "SLACK_SUPPORT_WEBHOOK",
            "https://hooks.slack.com/services/T1/B1/TOPSECRETVALUE",
        )
        .args(["validate", "examples/"])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{all}");
    assert!(!all.contains("TOPSECRETVALUE"));
}

#[test]
fn examples_validate() {
    let loaded = load(&["examples"]);
    let rendered = loaded.diagnostics.render(&loaded.sources, false);
    assert!(loaded.diagnostics.items().is_empty(), "{rendered}");
    assert_eq!(loaded.sources.len(), 4);
    assert_eq!(loaded.desired.alerts.len(), 9);
    assert_eq!(
        loaded.desired.browser_push_mode,
        Some(flex_alerts::config::desired::BrowserPushMode::Always)
    );
}

#[test]
fn every_example_carries_the_schema_modeline() {
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue; // examples/ci: CI recipes, not alert files
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let schema = if path.to_string_lossy().ends_with(".test.yaml") {
            "flex-alerts-test"
        } else {
            "flex-alerts"
        };
        assert!(
            text.starts_with(&format!(
                "# yaml-language-server: $schema=../schemas/{schema}.schema.json\n"
            )),
            "{} has no schema modeline",
            path.display()
        );
    }
}

#[test]
fn committed_schema_is_what_the_code_generates() {
    let committed =
        std::fs::read_to_string(root().join("schemas/flex-alerts.schema.json")).unwrap();
    assert!(
        committed == schema::generate_pretty(),
        "schemas/flex-alerts.schema.json is stale: run `cargo run -- schema > schemas/flex-alerts.schema.json`"
    );
    let printed = cli().arg("schema").output().unwrap();
    assert!(printed.status.success());
    assert_eq!(String::from_utf8(printed.stdout).unwrap(), committed);
}

#[test]
fn validate_exit_status_is_1_on_errors_and_0_on_warnings_only() {
    cli()
        .args(["validate", "tests/bad/inverted_thresholds.yaml"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "--> tests/bad/inverted_thresholds.yaml:9:26",
        ))
        .stderr(predicates::str::contains(
            "error: 1 error and 0 warnings in 1 of 1 file",
        ));
    cli()
        .args(["validate", "tests/bad/pii_name.yaml"])
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "warning: alert name looks like an email address",
        ));
    cli()
        .args(["validate", "tests/bad/no-such-dir"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "error: `tests/bad/no-such-dir` does not exist",
        ))
        .stderr(predicates::str::contains(
            "error: 1 error; no alert file was read",
        ));
}

#[test]
fn diagnostics_are_plain_without_a_terminal_and_coloured_on_request() {
    let plain = cli()
        .args(["validate", "tests/bad/active_on.yaml"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stderr).contains('\u{1b}'));
    let coloured = cli()
        .env_remove("NO_COLOR")
        .args(["--color", "always", "validate", "tests/bad/active_on.yaml"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&coloured.stderr).contains('\u{1b}'));
}

#[test]
fn alias_bomb_is_refused_by_the_cli() {
    // A hang or memory blow-up here fails the run through nextest's slow-test timeout.
    cli()
        .args(["validate", "tests/bad/alias_bomb.yaml"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("alias bomb"));
}

fn rendered(path: &str) -> String {
    let loaded = load(&[path]);
    loaded.diagnostics.render(&loaded.sources, false)
}

#[test]
fn snapshot_unknown_key_with_suggestion() {
    insta::assert_snapshot!(rendered("tests/bad/unknown_alert_key.yaml"));
}

#[test]
fn snapshot_wrong_yaml_boolean() {
    insta::assert_snapshot!(rendered("tests/bad/active_on.yaml"));
}

#[test]
fn snapshot_inverted_thresholds() {
    insta::assert_snapshot!(rendered("tests/bad/inverted_thresholds.yaml"));
}

#[test]
fn snapshot_unset_variable() {
    insta::assert_snapshot!(rendered("tests/bad/unset_variable.yaml"));
}

#[test]
fn snapshot_duplicate_names_across_files() {
    insta::assert_snapshot!(rendered("tests/bad/duplicate_names_across_files"));
}

#[test]
fn snapshot_binary_file() {
    insta::assert_snapshot!(rendered("tests/bad/binary.yaml"));
}

#[test]
fn independent_validator_accepts_examples_and_rejects_bad_files() {
    // The Python `jsonschema` check is run by .ci/run; here only when the module is present.
    let probe = Command::new("python3")
        .args(["-c", "import jsonschema, yaml"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        // .ci/run installs both, so on CI a missing module is a failure, not a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have jsonschema and PyYAML"
        );
        eprintln!("skipped: python3 with jsonschema and PyYAML not found (.ci/run installs them)");
        return;
    }
    let status = Command::new("python3")
        .current_dir(root())
        .arg("scripts/check_schema.py")
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn validate_needs_no_secrets_but_plan_needs_every_variable() {
    let validate = cli()
        .env_remove("FLEX_ALERTS_TEST_UNSET_HOOK")
        .args(["validate", "tests/bad/unset_variable.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&validate.stderr);
    assert!(validate.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "note: webhook URL of `Support voice - longest wait` not checked: `FLEX_ALERTS_TEST_UNSET_HOOK` is not set"
        ) && stderr.contains("tests/bad/unset_variable.yaml:13:36"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 alert valid in 1 file (0 warnings)"),
        "{stderr}"
    );

    let sandbox = tempfile::tempdir().unwrap();
    let plan = cli()
        .env_remove("FLEX_ALERTS_TEST_UNSET_HOOK")
        .args(["plan", "tests/bad/unset_variable.yaml", "--store"])
        .arg(format!("local:{}", sandbox.path().join("s.json").display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&plan.stderr);
    assert_eq!(plan.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("environment variable `FLEX_ALERTS_TEST_UNSET_HOOK` is not set"),
        "{stderr}"
    );
}

const MERGED: &str = "version: 1
alerts:
  - name: Support waiting
    metric: Waiting (Now)
    channel: voice
    queues: [Support]
    thresholds:
      critical: { above: 5 }
    notify: &oncall
      users: [jane.doe]
      emails: [oncall@example.com]
      after: 1m
  - name: Billing waiting
    metric: Waiting (Now)
    channel: voice
    queues: [Billing]
    thresholds:
      critical: { above: 5 }
    notify:
      <<: *oncall
      after: 5m
";

#[test]
fn merge_keys_share_a_block_and_explicit_keys_win() {
    let desired = crate::plan::desired(MERGED);
    let billing = desired.alerts[1].notify.as_ref().unwrap();
    assert_eq!(billing.after_seconds, 300, "the explicit key wins");
    assert_eq!(billing.users, ["jane.doe"]);
    assert_eq!(billing.emails, ["oncall@example.com"]);

    // A mistake in the shared block is reported where it is written.
    let broken = MERGED.replace(
        "emails: [oncall@example.com]",
        "emails: [oncall@example.com]\n      popup: maybe",
    );
    let source =
        flex_alerts::config::source::from_bytes("merged.yaml".to_owned(), broken.into_bytes())
            .unwrap();
    let loaded = flex_alerts::config::check_sources(vec![source], &crate::support::test_env);
    let places: Vec<String> = loaded
        .diagnostics
        .items()
        .iter()
        .map(|diagnostic| diagnostic.location())
        .collect();
    assert!(!places.is_empty());
    assert!(
        places.iter().all(|place| place == "merged.yaml:12:14"),
        "{places:?}"
    );
}

#[test]
fn loosely_written_values_get_a_hint_with_the_right_form() {
    let loaded = load(&["tests/bad/after_and_threshold_written_loosely.yaml"]);
    let hints: Vec<&str> = loaded
        .diagnostics
        .items()
        .iter()
        .filter_map(|diagnostic| diagnostic.hint.as_deref())
        .collect();
    assert_eq!(
        hints,
        [
            "write the number alone: `below: 80` (SLA thresholds are percentages already)",
            "write a duration with its unit: `after: 5m` (s or m, e.g. 90s, 5m)",
        ]
    );
    let source = flex_alerts::config::source::from_bytes(
        "empty.yaml".to_owned(),
        b"version: 1\nalerts:\n".to_vec(),
    )
    .unwrap();
    let loaded = flex_alerts::config::check_sources(vec![source], &crate::support::test_env);
    assert_eq!(
        loaded.diagnostics.items()[0].hint.as_deref(),
        Some("write a list, e.g. `alerts: []` for none")
    );
}

/// A repository root: alert files next to a CI workflow, a docker-compose file, docs and
/// JavaScript dependencies.
fn repository_root(with_broken_alert_file: bool) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        ".github/workflows/ci.yml",
        "name: CI\non: [push]\njobs: {}\n",
    );
    write(
        "docker-compose.yml",
        "version: '3'\nservices:\n  web:\n    image: nginx\n",
    );
    write("docs/mkdocs.yml", "site_name: Contact center\nnav: []\n");
    // Larger than any alert file may be: judged by its head and skipped, not refused.
    write(
        "deploy/manifests.yaml",
        &format!(
            "kind: List\nitems:\n{}",
            "  - { kind: ConfigMap }\n".repeat(60_000)
        ),
    );
    write("node_modules/pkg/config.yaml", "version: 1\nalerts: [1]\n");
    write(
        "alerts/support.yaml",
        &std::fs::read_to_string("tests/bad/pii_name.yaml").unwrap(),
    );
    if with_broken_alert_file {
        write("alerts/broken.yaml", "version: 1\nalert: []\n");
    }
    root
}

#[test]
fn validate_at_a_repository_root_reads_only_alert_files_and_says_what_it_skipped() {
    let root = repository_root(false);
    let output = cli()
        .current_dir(root.path())
        .arg("validate")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("note: skipped, not an alert file: no top-level `alerts` or `settings` key (it has `version`, `services`)")
            && stderr.contains("--> ./docker-compose.yml"),
        "{stderr}"
    );
    assert!(stderr.contains("--> ./docs/mkdocs.yml"), "{stderr}");
    assert!(stderr.contains("--> ./deploy/manifests.yaml"), "{stderr}");
    // Hidden directories and node_modules are not entered at all.
    assert!(
        !stderr.contains("ci.yml") && !stderr.contains("node_modules"),
        "{stderr}"
    );
    assert!(stderr.contains("1 alert valid in 1 file"), "{stderr}");

    // A file that looks like an alert file with a mistake at its top is read and reported.
    let root = repository_root(true);
    let output = cli()
        .current_dir(root.path())
        .arg("validate")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: unknown key `alert` at the top level")
            && stderr.contains("--> ./alerts/broken.yaml:2:1"),
        "{stderr}"
    );
}

#[test]
fn a_directory_whose_yaml_is_all_skipped_is_an_error() {
    let root = repository_root(false);
    let output = cli()
        .current_dir(root.path())
        .args(["validate", "docs"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: no alert files here: every YAML file in it was skipped"),
        "{stderr}"
    );
    // A file named on the command line is always read, whatever it holds.
    let output = cli()
        .current_dir(root.path())
        .args(["validate", "docker-compose.yml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("unknown key `services` at the top level"),
        "{stderr}"
    );
}

#[test]
fn store_options_are_offered_only_by_commands_that_use_a_store() {
    let help = |command: &str| {
        let output = cli().args([command, "--help"]).output().unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    for command in ["validate", "schema", "completions", "emulator"] {
        let text = help(command);
        assert!(
            !text.contains("--store") && !text.contains("--concurrency <"),
            "{command}: {text}"
        );
    }
    for command in ["plan", "apply", "export"] {
        let text = help(command);
        assert!(
            text.contains("--store <STORE>") && text.contains("--concurrency <CONCURRENCY>"),
            "{command}: {text}"
        );
    }
    let top = cli().arg("--help").output().unwrap();
    assert!(!String::from_utf8_lossy(&top.stdout).contains("--store"));
    // The contract's form, `--store` before the command, still works.
    let sandbox = tempfile::tempdir().unwrap();
    let store = format!("local:{}", sandbox.path().join("s.json").display());
    let before = cli()
        .args(["--store", &store, "--concurrency", "2", "plan", "examples/"])
        .env("SLACK_SUPPORT_WEBHOOK", crate::support::WEBHOOK)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&before.stderr);
    assert!(before.status.success(), "{stderr}");
    assert!(stderr.contains("Using the local sandbox"), "{stderr}");
    let bad = cli()
        .args(["export", "--store", &store])
        .env("FLEX_ALERTS_CONCURRENCY", "0")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("error: FLEX_ALERTS_CONCURRENCY: `0` is not a number from 1 to 256")
    );
    // The emulator's fault options are a group of their own, after its everyday options.
    let emulator = help("emulator");
    let faults = emulator
        .find("Faults (to test how a client copes):")
        .unwrap();
    assert!(emulator.find("--listen").unwrap() < faults, "{emulator}");
    assert!(
        emulator.find("--error-rate").unwrap() > faults,
        "{emulator}"
    );
    // Completions follow the same split.
    let bash = cli().args(["completions", "bash"]).output().unwrap();
    let script = String::from_utf8(bash.stdout).unwrap();
    let options = |command: &str| {
        let marker = format!("alerts__subcmd__{command})\n            opts=\"");
        let rest = script
            .split(&marker)
            .nth(1)
            .unwrap_or_else(|| panic!("{script}"));
        rest.split('"').next().unwrap().to_owned()
    };
    let validate = options("validate");
    assert!(
        validate.contains("--color") && !validate.contains("--store"),
        "{validate}"
    );
    assert!(options("plan").contains("--store"), "{}", options("plan"));
}

#[test]
fn manual_pages_come_from_the_same_definitions_as_help() {
    let page = cli().arg("man").output().unwrap();
    assert!(page.status.success());
    let page = String::from_utf8(page.stdout).unwrap();
    assert!(page.contains(".TH flex-alerts 1"), "{page}");
    for command in ["validate", "plan", "apply", "export", "schema", "emulator"] {
        assert!(
            page.contains(&format!("flex\\-alerts\\-{command}(1)")),
            "{command}: {page}"
        );
    }

    let directory = tempfile::tempdir().unwrap();
    let output = cli()
        .args(["man", "--out"])
        .arg(directory.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let read = |name: &str| std::fs::read_to_string(directory.path().join(name)).unwrap();
    let plan = read("flex-alerts-plan.1");
    assert!(
        plan.contains("\\fB\\-\\-detailed\\-exitcode\\fR") && plan.contains("\\-\\-store"),
        "{plan}"
    );
    assert!(read("flex-alerts-emulator.1").contains(".SH \"FAULTS (TO TEST HOW A CLIENT COPES)\""));
    assert!(!read("flex-alerts-validate.1").contains("\\-\\-store"));
}
