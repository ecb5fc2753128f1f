//! `--capture FILE.har` and `flex-alerts emulator --from-capture`: a plan against an emulator
//! holding Console-shaped objects with canary secrets is captured as HAR 1.2 with none of the
//! canaries in it (webhook URL, email addresses, user names, full names, the credentials); a
//! second emulator started from the capture plans the same result, and with `--replay`
//! answers the captured requests as captured and anything else with 404.

use std::ffi::OsStr;

use flex_alerts::emulator::engine::ConsoleObjects;
use serde_json::{Value, json};

use crate::support::*;

const CANARIES: [&str; 7] = [
    "canary.user",
    "canary.person@example.com",
    "Canary Person",
    "hooks.slack.com",
    "CANARYSECRET",
    "canary.oncall@example.com",
    TOKEN,
];

const FILE: &str = "version: 1
alerts:
  - name: Support waiting
    metric: Waiting (Now)
    channel: voice
    queues: [Support]
    thresholds:
      critical: { above: 9 }
  - name: Billing waiting
    metric: Waiting (Now)
    channel: voice
    queues: [Billing]
    thresholds:
      critical: { above: 4 }
";

fn console() -> ConsoleObjects {
    serde_json::from_value(json!({
        "users": [{
            "flex_user_sid": "FU00000000000000000000000000000c01",
            "username": "canary.user",
            "email": "canary.person@example.com",
            "full_name": "Canary Person",
            "roles": ["supervisor"]
        }],
        "notification_configs": [{
            "ttid": "01KCANARY00000000000000000",
            "instance_sid": INSTANCE,
            "destinations": {
                "subscriptions": { "recipients": [{ "user_sids": ["FU00000000000000000000000000000c01"] }] },
                "webhooks": { "endpoints": [{ "type": "slack", "url": "https://hooks.slack.com/services/T0/B0/CANARYSECRET" }] },
                "emails": { "email_recipients": [{ "email_address": "canary.oncall@example.com" }] }
            }
        }],
        "rules": [{
            "sid": "QY00000000000000000000000000000c01",
            "rule_friendly_name": "Made in Console",
            "metric_id": "Waiting (Now)", "task_channel_sid": VOICE,
            "task_queue_sids": [SUPPORT], "active": true,
            "rule_thresholds": [{"threshold_type": "Critical", "threshold_operator": "Greater Than", "threshold_value": 5}],
            "notify_enabled": true, "notify_severity": "Critical", "notify_duration": 60000,
            "notify_methods_id": "01KCANARY00000000000000000"
        }, {
            "sid": "QY00000000000000000000000000000c02",
            "rule_friendly_name": "Support waiting",
            "metric_id": "Waiting (Now)", "task_channel_sid": VOICE,
            "task_queue_sids": [SUPPORT], "active": true,
            "rule_thresholds": [{"threshold_type": "Critical", "threshold_operator": "Greater Than", "threshold_value": 5}]
        }]
    }))
    .unwrap()
}

/// What a JSON plan decides, without what names the store it was made against.
fn decisions(plan: &str) -> Value {
    let document: Value = serde_json::from_str(plan).unwrap();
    let alerts: Vec<Value> = document["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|alert| {
            json!([
                alert["name"],
                alert["actions"],
                alert["action_reason"],
                alert["sid"]
            ])
        })
        .collect();
    json!({ "alerts": alerts, "summary": document["summary"], "unmanageable": document["unmanageable"] })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redacted_capture_starts_an_emulator_that_plans_the_same() {
    let emulator = emulator().await;
    emulator.shared.insert(console()).unwrap();
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("alerts.yaml");
    std::fs::write(&file, FILE).unwrap();
    let har = files.path().join("plan.har");
    let state = tempfile::tempdir().unwrap();
    let first = run_blocking(
        against(&emulator, state.path()),
        &[
            "plan",
            file.to_str().unwrap(),
            "--format",
            "json",
            "--capture",
            har.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stderr.contains("Captured ") && first.stderr.contains("redacted"),
        "{}",
        first.stderr
    );

    let text = std::fs::read_to_string(&har).unwrap();
    for canary in CANARIES {
        assert!(!text.contains(canary), "{canary} is in the capture");
    }
    assert!(!text.contains("Basic "), "no credentials in any form");
    let capture: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(capture["log"]["version"], "1.2");
    let entries = capture["log"]["entries"].as_array().unwrap();
    assert!(entries.len() >= 6, "{}", entries.len());
    for entry in entries {
        for key in ["startedDateTime", "time", "request", "response", "timings"] {
            assert!(entry.get(key).is_some(), "HAR entries have {key}");
        }
        let headers = entry["request"]["headers"].as_array().unwrap();
        assert!(
            headers.iter().all(|header| !header["name"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("authorization")),
            "no Authorization header: {headers:?}"
        );
    }
    // One value, one placeholder, wherever it appears.
    assert!(text.contains("user-1") && text.contains("https://webhook-1.redacted.invalid/"));

    // A second emulator from the capture plans the same.
    let (mut second, url) = spawn_emulator(&[
        OsStr::new("--listen"),
        OsStr::new("127.0.0.1:0"),
        OsStr::new("--from-capture"),
        har.as_os_str(),
    ]);
    let again = run_blocking(
        against_url(&url, state.path()),
        &["plan", file.to_str().unwrap(), "--format", "json"],
    )
    .await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(decisions(&again.stdout), decisions(&first.stdout));

    // Replayed: the captured answers as captured, anything else 404.
    let (mut third, url) = spawn_emulator(&[
        OsStr::new("--listen"),
        OsStr::new("127.0.0.1:0"),
        OsStr::new("--from-capture"),
        har.as_os_str(),
        OsStr::new("--replay"),
    ]);
    let replayed = run_blocking(
        against_url(&url, state.path()),
        &["plan", file.to_str().unwrap(), "--format", "json"],
    )
    .await;
    let (status, body) = {
        let response = raw_http()
            .get(format!("{url}/v1/Workspaces/{WORKSPACE}/Workers"))
            .basic_auth(ACCOUNT, Some(TOKEN))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    };
    third.kill().unwrap();
    third.wait().unwrap();
    assert_eq!(replayed.code, 0, "{}", replayed.stderr);
    assert_eq!(decisions(&replayed.stdout), decisions(&first.stdout));
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("not in the capture being replayed"), "{body}");
}
