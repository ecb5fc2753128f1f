//! The emulator fires: live rules evaluated on a metric history (or the synthetic day) and
//! each notification POSTed to the rule's webhook in Twilio's payload format, received by a
//! local test server.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::routing::post;
use serde_json::Value;

use crate::support::{ACCOUNT, against, emulator, run_blocking};
use flex_alerts::emulator::fire::Metrics;
use flex_alerts::evaluate::history;

/// A webhook receiver on 127.0.0.1: every JSON body POSTed to `/hook`.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    flex_alerts::store::twilio::install_crypto_provider();
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |Json(body): Json<Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

fn alert_file(webhook: &str) -> String {
    format!(
        "version: 1
alerts:
  - name: Billing callers
    metric: Waiting (Now)
    channel: voice
    queues: [Billing]
    thresholds:
      warning: {{ above: 5 }}
      critical: {{ above: 12 }}
    notify:
      severity: warning
      webhook: {{ type: custom, url: '{webhook}' }}
"
    )
}

/// The emulator with `alert_file` applied, its webhook pointing at a receiver.
async fn applied_with_a_webhook() -> (
    flex_alerts::emulator::http::Emulator,
    Arc<Mutex<Vec<Value>>>,
    tempfile::TempDir,
) {
    let emulator = emulator().await;
    let (webhook, received) = receiver().await;
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("billing.yaml");
    std::fs::write(&path, alert_file(&webhook)).unwrap();
    let applied = run_blocking(
        against(&emulator, directory.path()),
        &["apply", path.to_str().unwrap(), "--auto-approve"],
    )
    .await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    (emulator, received, directory)
}

#[tokio::test(flavor = "multi_thread")]
async fn live_rules_fire_on_a_history_in_twilios_payload_format() {
    let (emulator, received, _directory) = applied_with_a_webhook().await;

    let csv = "time,queue,channel,metric,value\n\
        2026-11-30T10:00:00Z,Billing,voice,Waiting (Now),2\n\
        2026-11-30T10:01:00Z,Billing,voice,Waiting (Now),8\n\
        2026-11-30T10:02:00Z,Billing,voice,Waiting (Now),20\n\
        2026-11-30T10:03:00Z,Billing,voice,Waiting (Now),1\n";
    let history = history::read("h.csv", csv.as_bytes()).unwrap();
    emulator.shared.set_metrics(Metrics::History(history));
    let report: Value = reqwest::Client::new()
        .post(format!("{}/__admin/fire", emulator.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["failed"], serde_json::json!([]), "{report}");

    let received = received.lock().unwrap().clone();
    let states: Vec<&str> = received
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["WARNING", "CRITICAL", "RESOLVED"]);
    let queue_sid = emulator.shared.state_json()["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["friendly_name"] == "Billing")
        .unwrap()["sid"]
        .clone();
    for (payload, (value, threshold, at)) in received.iter().zip([
        ("8", "5", "2026-11-30T10:01:00Z"),
        ("20", "12", "2026-11-30T10:02:00Z"),
        ("1", "5", "2026-11-30T10:03:00Z"),
    ]) {
        let keys: Vec<&str> = payload
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "accountSid",
                "state",
                "alertId",
                "queueSid",
                "channelSid",
                "queueName",
                "taskChannelName",
                "pipelineKey",
                "createdAt",
                "thresholdValue",
                "metricValue",
                "metricName"
            ]
        );
        assert!(
            payload.as_object().unwrap().values().all(Value::is_string),
            "{payload}"
        );
        assert_eq!(payload["accountSid"], ACCOUNT);
        assert_eq!(payload["queueSid"], queue_sid);
        assert_eq!(payload["queueName"], "Billing");
        assert!(payload["channelSid"].as_str().unwrap().starts_with("TC"));
        assert_eq!(payload["taskChannelName"], "voice");
        assert_eq!(payload["pipelineKey"], "tasks_now");
        assert_eq!(payload["metricName"], "Waiting");
        assert_eq!(payload["metricValue"], value);
        assert_eq!(payload["thresholdValue"], threshold);
        assert_eq!(payload["createdAt"], at);
        let id = payload["alertId"].as_str().unwrap();
        assert!(
            id.starts_with(&format!("2026-11-30:{ACCOUNT}:")) && id.len() == 10 + 1 + 34 + 1 + 26,
            "{id}"
        );
        assert_eq!(
            payload["alertId"], received[0]["alertId"],
            "one id per episode"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn live_rules_fire_on_the_synthetic_day() {
    let (emulator, received, _directory) = applied_with_a_webhook().await;
    // The busy morning of the synthetic day pages; the night does not.
    let fire = |from: &str, to: &str| {
        let url = format!("{}/__admin/fire?from={from}&to={to}", emulator.url());
        async move {
            reqwest::Client::new()
                .post(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let night = fire("2026-11-30T01:00:00Z", "2026-11-30T04:00:00Z").await;
    assert_eq!(night["sent"], serde_json::json!([]), "{night}");
    let morning = fire("2026-11-30T09:00:00Z", "2026-11-30T12:00:00Z").await;
    let sent = morning["sent"].as_array().unwrap();
    assert!(!sent.is_empty(), "{morning}");
    assert_eq!(received.lock().unwrap().len(), sent.len());
    let bad = reqwest::Client::new()
        .post(format!(
            "{}/__admin/fire?from=yesterday&to=today",
            emulator.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}
