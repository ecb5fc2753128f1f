//! `flex-alerts doctor` against the emulator: every check passing; one failing for a
//! Console-shaped alert YAML v1 cannot hold while the rest pass; wrong credentials failing the
//! first check with every other skipped; and nothing written in any case.

use flex_alerts::emulator::engine::ConsoleObjects;
use serde_json::{Value, json};

use crate::support::*;

fn statuses(run: &Run) -> Vec<(String, String)> {
    let document: Value = serde_json::from_str(&run.stdout).unwrap();
    document["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| {
            (
                check["name"].as_str().unwrap().to_owned(),
                check["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn writes(emulator: &flex_alerts::emulator::http::Emulator) -> usize {
    emulator
        .shared
        .requests()
        .iter()
        .filter(|request| request.method != "GET")
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_passes_every_check_against_the_emulator_and_writes_nothing() {
    let (emulator, state) = applied_examples().await;
    emulator.shared.clear_requests();
    let text = run_blocking(against(&emulator, state.path()), &["doctor"]).await;
    assert_eq!(text.code, 0, "{}", text.stdout);
    for line in [
        "  ok    credentials: accepted: the account's auth token; an API key is recommended",
        "  ok    insights_rules: 9 alert(s) listed",
        "  ok    notification_configurations: 8 read",
        "  ok    caps: 9/100 alerts, 8/100 notification configurations",
        "  ok    alerts_readable: all 9 readable by YAML v1",
        "  ok    directory: 6 user(s), 6 queue(s), 5 channel(s)",
        "  ok    browser_push_mode: ",
        "  ok    clock: this machine is ",
        "  ok    limits: twilio-concurrent-requests: ",
        "All 10 checks passed.",
    ] {
        assert!(text.stdout.contains(line), "{line}\n{}", text.stdout);
    }
    let json = run_blocking(
        against(&emulator, state.path()),
        &["doctor", "--format", "json"],
    )
    .await;
    assert_eq!(json.code, 0);
    let checks = statuses(&json);
    assert_eq!(checks.len(), 10);
    assert!(
        checks.iter().all(|(_, status)| status == "pass"),
        "{checks:?}"
    );
    assert_eq!(writes(&emulator), 0, "doctor is read-only");
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_fails_only_the_readable_check_for_an_alert_yaml_cannot_hold() {
    let emulator = emulator().await;
    let state = tempfile::tempdir().unwrap();
    let console: ConsoleObjects = serde_json::from_value(json!({
        "rules": [{
            "sid": "QY00000000000000000000000000000d01",
            "rule_friendly_name": "Made in Console",
            "metric_id": "Waiting (Now)", "task_channel_sid": VOICE,
            "task_queue_sids": [SUPPORT], "active": true,
            "rule_thresholds": [{"threshold_type": "Critical", "threshold_operator": "Greater Than", "threshold_value": 5}],
            "notify_enabled": true, "notify_severity": "Critical", "notify_duration": 1500
        }]
    }))
    .unwrap();
    emulator.shared.insert(console).unwrap();
    let json = run_blocking(
        against(&emulator, state.path()),
        &["doctor", "--format", "json"],
    )
    .await;
    assert_eq!(json.code, 1, "{}", json.stdout);
    let failed: Vec<_> = statuses(&json)
        .into_iter()
        .filter(|(_, status)| status != "pass")
        .collect();
    assert_eq!(
        failed,
        [("alerts_readable".to_owned(), "fail".to_owned())],
        "{}",
        json.stdout
    );
    let text = run_blocking(against(&emulator, state.path()), &["doctor"]).await;
    assert!(
        text.stdout.contains("  FAIL  alerts_readable: 1 of 1 cannot be managed: ! cannot manage \"Made in Console\" (QY00000000000000000000000000000d01): ")
            && text.stdout.contains("        fix: plans keep these as they are"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("1 of 10 checks failed, 0 skipped"),
        "{}",
        text.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_with_wrong_credentials_fails_the_first_check_and_skips_the_rest() {
    let emulator = emulator().await;
    let state = tempfile::tempdir().unwrap();
    let mut command = against(&emulator, state.path());
    command.env("TWILIO_AUTH_TOKEN", "not-the-token");
    let json = run_blocking(command, &["doctor", "--format", "json"]).await;
    assert_eq!(json.code, 1, "{}", json.stdout);
    let checks = statuses(&json);
    assert_eq!(checks[0], ("credentials".to_owned(), "fail".to_owned()));
    assert!(
        checks[1..].iter().all(|(_, status)| status == "skip"),
        "{checks:?}"
    );
    let document: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        document["checks"][1]["detail"],
        "the credentials were refused"
    );
    assert!(!json.stdout.contains("not-the-token") && !json.stderr.contains("not-the-token"));
    assert_eq!(writes(&emulator), 0);
}
