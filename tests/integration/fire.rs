//! The emulator fires: live rules evaluated on a metric history (or the synthetic day) and
//! each notification POSTed to the rule's webhook in Twilio's payload format, received by a
//! local test server.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::routing::post;
use serde_json::Value;

use crate::support::{ACCOUNT, against, run_blocking};
use flex_alerts::commands::emulator::Metrics;
use flex_alerts::evaluate::history;

/// A webhook receiver on 127.0.0.1: every JSON body POSTed to `/hook`.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    flex_alerts::common::tls::install_crypto_provider();
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

/// The engine of the built-in contact center.
fn builtin() -> flex_alerts::emulator::Engine {
    flex_alerts::emulator::Engine::new(&flex_alerts::emulator::Seed::builtin())
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

/// An emulator of `engine` with `alert_file` applied, its webhook pointing at a receiver.
async fn applied_with_a_webhook(
    engine: flex_alerts::emulator::Engine,
) -> (
    flex_alerts::emulator::http::Emulator,
    Arc<Mutex<Vec<Value>>>,
    tempfile::TempDir,
) {
    let emulator = crate::support::emulator_with(engine).await;
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
    let (emulator, received, _directory) = applied_with_a_webhook(builtin()).await;

    let csv = "time,queue,channel,metric,value\n\
        2026-11-30T10:00:00Z,Billing,voice,Waiting (Now),2\n\
        2026-11-30T10:01:00Z,Billing,voice,Waiting (Now),8\n\
        2026-11-30T10:02:00Z,Billing,voice,Waiting (Now),20\n\
        2026-11-30T10:03:00Z,Billing,voice,Waiting (Now),1\n";
    let history = history::read("h.csv", csv.as_bytes()).unwrap();
    emulator
        .shared
        .set_firer(Arc::new(Metrics::History(history)));
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
    let (emulator, received, _directory) = applied_with_a_webhook(builtin()).await;
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

/// The clock of `fire_every_sends_each_new_notification_as_the_day_goes_by`: ms since 1970.
static NOW: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn test_clock() -> u64 {
    NOW.load(std::sync::atomic::Ordering::SeqCst)
}

#[tokio::test(flavor = "multi_thread")]
async fn fire_every_sends_each_new_notification_as_the_day_goes_by() {
    // 09:00 UTC on a synthetic morning; the clock moves a minute every 10 ms of real time.
    NOW.store(1_796_029_200_000, std::sync::atomic::Ordering::SeqCst);
    let (emulator, received, _directory) =
        applied_with_a_webhook(builtin().with_clock(test_clock)).await;
    let shared = emulator.shared.clone();
    let rounds = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = rounds.clone();
    let live = tokio::spawn(async move {
        shared
            .fire_every(std::time::Duration::from_millis(20), move |_| {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            })
            .await
    });
    // At most 3 simulated hours (about 2 s): some notification must come.
    for _ in 0..180 {
        NOW.fetch_add(60_000, std::sync::atomic::Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        if received.lock().unwrap().len() >= 2 {
            break;
        }
    }
    live.abort();
    let received = received.lock().unwrap().clone();
    assert!(received.len() >= 2, "{received:?}");
    assert!(rounds.load(std::sync::atomic::Ordering::SeqCst) >= 2);
    // Each notification is sent once, in time order.
    let times: Vec<&str> = received
        .iter()
        .map(|p| p["createdAt"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(times, sorted, "{times:?}");
    assert!(times[0] >= "2026-11-30T09:00:00Z", "{times:?}");
}
