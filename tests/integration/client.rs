//! The Twilio client against the emulator: every operation round trips; lists are followed
//! across pages; 429s, 503s and dropped connections are retried with the request counts they
//! should take; a create whose answer is lost makes no duplicate; errors read as they should.

use std::process::Child;
use std::time::{Duration, Instant};

use flex_alerts::emulator::faults::FaultAction;
use flex_alerts::emulator::{Engine, Seed};
use flex_alerts::flex::wire::{
    Destinations, EmailRecipient, Emails, Endpoint, Recipient, Subscriptions, Webhooks,
};
use flex_alerts::store::twilio::TwilioClient;
use flex_alerts::store::{Store, StoreError};
use serde_json::json;

use crate::support::*;

const RULES: &str = "/InsightsRules";
const CONFIGS: &str = "/NotificationConfigurations";

fn destinations() -> Destinations {
    Destinations {
        subscriptions: Some(Subscriptions {
            defaults: None,
            recipients: vec![Recipient {
                user_sids: vec![JANE.to_owned(), RAJ.to_owned()],
                notification_type: Some(vec!["in_app".to_owned(), "toast".to_owned()]),
                archive: None,
                enabled: None,
            }],
        }),
        webhooks: Some(Webhooks {
            defaults: None,
            endpoints: vec![Endpoint {
                kind: "slack".to_owned(),
                url: "https://hooks.slack.com/services/T0/B0/SECRET".to_owned(),
                enabled: None,
            }],
        }),
        emails: None,
    }
}

#[tokio::test]
async fn every_operation_round_trips() {
    let emulator = emulator().await;
    let client = client(&emulator);

    let config = client.create_config(&destinations()).await.unwrap();
    assert_eq!(config.destinations, destinations());
    let mut body = rule_body("Support waiting");
    body.notify_methods_id = Some(config.ttid.clone());
    let rule = client.create_rule(&body).await.unwrap();
    assert_eq!(rule.body(), Some(body.clone()));

    let live = client.snapshot().await.unwrap();
    assert_eq!(live.rules, vec![rule.clone()]);
    assert_eq!(live.configs.get(&config.ttid), Some(&config));
    assert_eq!(live.directory.queue("Support").unwrap().sid, SUPPORT);
    assert_eq!(live.directory.channel("voice").unwrap().sid, VOICE);
    assert_eq!(live.directory.user("jane.doe").unwrap().flex_user_sid, JANE);
    assert_eq!(live.notifications_mode.as_deref(), Some("whenNotInFocus"));

    body.active = false;
    body.task_queue_sids.push(BILLING.to_owned());
    let updated = client.update_rule(rule.sid(), &body).await.unwrap();
    assert_eq!(updated.body(), Some(body.clone()));
    assert_eq!(client.fetch_rule(rule.sid()).await.unwrap(), Some(updated));

    let emails = Destinations {
        emails: Some(Emails {
            defaults: None,
            email_recipients: vec![EmailRecipient {
                email_address: "oncall@example.com".to_owned(),
            }],
        }),
        ..Destinations::default()
    };
    assert_eq!(
        client
            .update_config(&config.ttid, &emails)
            .await
            .unwrap()
            .destinations,
        emails
    );
    assert_eq!(
        client
            .fetch_config(&config.ttid)
            .await
            .unwrap()
            .unwrap()
            .destinations,
        emails
    );

    client.set_notifications_mode("always").await.unwrap();
    let state = emulator.shared.state_json();
    assert_eq!(
        state["configuration"]["notifications"],
        json!({"enabled": true, "mode": "always"})
    );
    assert_eq!(
        state["configuration"]["ui_attributes"],
        json!({"theme": {"isLight": true}}),
        "other properties kept"
    );
    assert_eq!(
        client
            .snapshot()
            .await
            .unwrap()
            .notifications_mode
            .as_deref(),
        Some("always")
    );

    client.delete_rule(rule.sid()).await.unwrap();
    client.delete_config(&config.ttid).await.unwrap();
    assert_eq!(client.fetch_rule(rule.sid()).await.unwrap(), None);
    assert_eq!(client.fetch_config(&config.ttid).await.unwrap(), None);
    let state = emulator.shared.state_json();
    assert_eq!(
        (
            state["rules"].clone(),
            state["notification_configs"].clone()
        ),
        (json!([]), json!([]))
    );
    // Every notification configuration call carried the account header (the emulator refuses
    // one without): the only failures are the two reads after the deletes.
    let failed: Vec<(String, Option<u16>)> = emulator
        .shared
        .requests()
        .into_iter()
        .filter(|request| request.status.is_none_or(|status| status >= 400))
        .map(|request| (request.method, request.status))
        .collect();
    assert_eq!(
        failed,
        [("GET".to_owned(), Some(404)), ("GET".to_owned(), Some(404))]
    );
}

#[tokio::test]
async fn snapshot_follows_next_page_url_across_pages() {
    let emulator = emulator_with(Engine::new(&Seed::builtin()).with_max_page_size(7)).await;
    let client = client(&emulator);
    for index in 0..100 {
        client
            .create_rule(&rule_body(&format!("rule {index:03}")))
            .await
            .unwrap();
    }
    emulator.shared.clear_requests();
    let live = client.snapshot().await.unwrap();
    let names: Vec<String> = live
        .rules
        .iter()
        .map(|rule| rule.name().to_owned())
        .collect();
    let expected: Vec<String> = (0..100).map(|index| format!("rule {index:03}")).collect();
    assert_eq!(names, expected);
    assert_eq!(
        count(&emulator, "GET", RULES),
        30,
        "100 rules in pages of 7, read twice: a listing of several pages is read again until a reading adds no rule"
    );
    assert_eq!(count(&emulator, "GET", "/Users"), 1);
    assert_eq!(live.directory.users.len(), 6);
}

#[tokio::test]
async fn retries_429_without_retry_after_using_backoff() {
    let emulator = emulator().await;
    let client = client(&emulator);
    script(
        &emulator,
        vec![fault(
            "GET",
            RULES,
            FaultAction::Status {
                status: 429,
                retry_after: None,
            },
            3,
        )],
    );
    client.snapshot().await.unwrap();
    assert_eq!(
        count(&emulator, "GET", RULES),
        4,
        "three 429s, then the answer"
    );
}

#[tokio::test]
async fn retries_429_after_the_wait_retry_after_asks_for() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let status = FaultAction::Status {
        status: 429,
        retry_after: Some("1".to_owned()),
    };
    script(&emulator, vec![fault("POST", RULES, status, 1)]);
    let started = Instant::now();
    client.create_rule(&rule_body("after a 429")).await.unwrap();
    // The client's own backoff here is at most 40 ms; only Retry-After explains a 1 s wait.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited only {:?}",
        started.elapsed()
    );
    assert_eq!(count(&emulator, "POST", RULES), 2);
    assert_eq!(stored(&emulator, "rules"), 1);
}

#[tokio::test]
async fn retries_503_and_dropped_connections_for_reads_and_updates() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let rule = client.create_rule(&rule_body("flaky")).await.unwrap();
    script(
        &emulator,
        vec![
            fault(
                "GET",
                "/Users",
                FaultAction::Status {
                    status: 503,
                    retry_after: None,
                },
                2,
            ),
            fault("GET", "/TaskQueues", FaultAction::Drop, 2),
            fault("POST", rule.sid(), FaultAction::ApplyThenDrop, 1),
            fault(
                "POST",
                CONFIGS,
                FaultAction::Status {
                    status: 503,
                    retry_after: None,
                },
                1,
            ),
        ],
    );
    client.snapshot().await.unwrap();
    assert_eq!(count(&emulator, "GET", "/Users"), 3);
    assert_eq!(count(&emulator, "GET", "/TaskQueues"), 3);
    let mut body = rule.body().unwrap();
    body.active = false;
    assert!(
        !client
            .update_rule(rule.sid(), &body)
            .await
            .unwrap()
            .active
            .unwrap()
    );
    assert_eq!(
        count(&emulator, "POST", rule.sid()),
        2,
        "an update is safe to send again"
    );
    let error = client.create_config(&destinations()).await.unwrap_err();
    assert!(
        error.to_string().contains("Flex answered HTTP 503"),
        "only 429 says a request was not processed: {error}"
    );
    assert_eq!(
        count(&emulator, "POST", CONFIGS),
        1,
        "a configuration create answered 503 is never sent twice"
    );
}

#[tokio::test]
async fn rule_create_answered_503_is_looked_up_before_it_is_sent_again() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let status_503 = FaultAction::Status {
        status: 503,
        retry_after: None,
    };
    script(&emulator, vec![fault("POST", RULES, status_503, 1)]);
    client.create_rule(&rule_body("after a 503")).await.unwrap();
    assert_eq!(
        count(&emulator, "POST", RULES),
        2,
        "not found, so sent again"
    );
    assert_eq!(count(&emulator, "GET", RULES), 1, "looked up first");
    assert_eq!(stored(&emulator, "rules"), 1);
}

#[tokio::test]
async fn rule_create_whose_answer_is_lost_makes_no_duplicate() {
    for action in [FaultAction::ApplyThenFail, FaultAction::ApplyThenDrop] {
        let emulator = emulator().await;
        let client = client(&emulator);
        script(&emulator, vec![fault("POST", RULES, action.clone(), 1)]);
        let rule = client
            .create_rule(&rule_body("exactly once"))
            .await
            .unwrap();
        let rules = emulator.shared.state_json()["rules"].clone();
        assert_eq!(rules.as_array().unwrap().len(), 1, "{action:?}: {rules}");
        assert_eq!(rules[0]["sid"], rule.sid());
        assert_eq!(
            count(&emulator, "POST", RULES),
            1,
            "{action:?}: looked up, not sent again"
        );
        assert_eq!(count(&emulator, "GET", RULES), 1);
    }
}

#[tokio::test]
async fn rule_create_lost_before_it_was_applied_is_sent_again() {
    let emulator = emulator().await;
    let client = client(&emulator);
    script(&emulator, vec![fault("POST", RULES, FaultAction::Drop, 1)]);
    client.create_rule(&rule_body("sent twice")).await.unwrap();
    assert_eq!(
        count(&emulator, "POST", RULES),
        2,
        "not found after the drop, so created"
    );
    assert_eq!(stored(&emulator, "rules"), 1);
}

#[tokio::test]
async fn configuration_create_whose_answer_is_lost_is_not_sent_again() {
    let emulator = emulator().await;
    let client = client(&emulator);
    script(
        &emulator,
        vec![fault("POST", CONFIGS, FaultAction::ApplyThenFail, 1)],
    );
    let error = client.create_config(&destinations()).await.unwrap_err();
    assert!(matches!(error, StoreError::Unknown { .. }), "{error:?}");
    assert!(
        error.to_string().contains(
            "Flex answered HTTP 500, so whether it was applied is unknown; it was not sent again"
        ),
        "{error}"
    );
    assert_eq!(count(&emulator, "POST", CONFIGS), 1);
    assert_eq!(stored(&emulator, "notification_configs"), 1);
}

#[tokio::test]
async fn delete_retried_after_a_lost_answer_finds_it_gone_and_succeeds() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let rule = client.create_rule(&rule_body("to delete")).await.unwrap();
    script(
        &emulator,
        vec![fault("DELETE", RULES, FaultAction::ApplyThenDrop, 1)],
    );
    client.delete_rule(rule.sid()).await.unwrap();
    assert_eq!(count(&emulator, "DELETE", RULES), 2);
    assert_eq!(emulator.shared.state_json()["rules"], json!([]));
}

#[tokio::test]
async fn retries_stop_at_the_cap_with_an_error_that_says_so() {
    let emulator = emulator().await;
    let client = client(&emulator);
    script(&emulator, vec![ScriptedFaultAlways::status(503)]);
    let error = client.snapshot().await.unwrap_err();
    let text = crate_error(error);
    assert!(
        text.contains("HTTP 503") && text.contains("gave up after 6 attempts"),
        "{text}"
    );
    assert_eq!(
        count(&emulator, "GET", "/Configuration"),
        6,
        "1 attempt + 5 retries"
    );
}

struct ScriptedFaultAlways;

impl ScriptedFaultAlways {
    fn status(status: u16) -> flex_alerts::emulator::faults::ScriptedFault {
        flex_alerts::emulator::faults::ScriptedFault {
            method: None,
            path_contains: Some("/Configuration".to_owned()),
            body_contains: None,
            action: FaultAction::Status {
                status,
                retry_after: None,
            },
            times: None,
            skip: 0,
        }
    }
}

fn crate_error(error: StoreError) -> String {
    flex_alerts::Error::from(error).render()
}

#[tokio::test]
async fn bounded_concurrency_stays_under_the_servers_limit() {
    let emulator = emulator().await;
    let setup = client(&emulator);
    for index in 0..30 {
        let config = setup.create_config(&destinations()).await.unwrap();
        let mut body = rule_body(&format!("rule {index}"));
        body.notify_methods_id = Some(config.ttid);
        setup.create_rule(&body).await.unwrap();
    }
    emulator
        .shared
        .set_faults(flex_alerts::emulator::faults::Faults {
            latency_ms: 20,
            concurrency_limit: Some(3),
            ..Default::default()
        });
    emulator.shared.clear_requests();
    let mut config = client_config(&emulator);
    config.concurrency = 3;
    let live = TwilioClient::new(config).unwrap().snapshot().await.unwrap();
    assert_eq!(live.configs.len(), 30);
    let requests = emulator.shared.requests();
    assert!(
        requests.iter().all(|request| request.status == Some(200)),
        "a 429 at concurrency 3"
    );

    // Asking for more than the server allows still succeeds, through 429s and retries.
    emulator.shared.clear_requests();
    let mut config = client_config(&emulator);
    config.concurrency = 12;
    config.retry.max_retries = 20;
    let live = TwilioClient::new(config).unwrap().snapshot().await.unwrap();
    assert_eq!(live.configs.len(), 30);
    let throttled = emulator
        .shared
        .requests()
        .iter()
        .filter(|request| request.status == Some(429))
        .count();
    assert!(
        throttled > 0,
        "12 at once against a limit of 3 should meet 429s"
    );
}

#[tokio::test]
async fn rejected_credentials_and_unknown_instance_read_as_user_errors_without_secrets() {
    let emulator = emulator().await;
    let mut config = client_config(&emulator);
    config.password = flex_alerts::common::secret::Secret::new("not-the-token");
    let text = crate_error(
        TwilioClient::new(config)
            .unwrap()
            .snapshot()
            .await
            .unwrap_err(),
    );
    assert!(
        text.contains("the credentials were rejected (HTTP 401)"),
        "{text}"
    );
    assert!(
        text.contains("only Flex admins may manage alerts"),
        "{text}"
    );
    assert!(
        !text.contains("not-the-token") && !text.contains(TOKEN),
        "{text}"
    );

    let mut config = client_config(&emulator);
    config.instance_sid = "GO00000000000000000000000000000000".to_owned();
    let text = crate_error(
        TwilioClient::new(config)
            .unwrap()
            .snapshot()
            .await
            .unwrap_err(),
    );
    assert!(
        text.contains("Flex instance GO00000000000000000000000000000000 was not found"),
        "{text}"
    );
    assert!(text.contains("hint: check FLEX_INSTANCE_SID"), "{text}");

    let client = client(&emulator);
    let mut body = rule_body("bad");
    body.metric_id = "Waiting".to_owned();
    let text = crate_error(client.create_rule(&body).await.unwrap_err());
    assert!(
        text.contains("create alert rule `bad` (POST http://"),
        "{text}"
    );
    assert!(
        text.contains("HTTP 400, Twilio error 45004: Invalid value for [metric_id]"),
        "{text}"
    );
    assert!(
        text.contains("hint: see https://www.twilio.com/docs/errors/45004"),
        "{text}"
    );
}

#[tokio::test]
async fn unreachable_store_is_a_transport_error_after_bounded_retries() {
    let emulator = emulator().await;
    let config = client_config(&emulator);
    emulator.stop();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let text = crate_error(
        TwilioClient::new(config)
            .unwrap()
            .snapshot()
            .await
            .unwrap_err(),
    );
    assert!(text.contains("gave up after 6 attempts"), "{text}");
    assert!(
        text.contains("hint: check the network and the --store address"),
        "{text}"
    );
}

/// `flex-alerts emulator --state FILE` as a child process, and the URL it printed.
fn spawn_emulator(state: &std::path::Path) -> (Child, String) {
    crate::support::spawn_emulator(&[
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--state".as_ref(),
        state.as_os_str(),
    ])
}

fn client_for(url: &str) -> TwilioClient {
    TwilioClient::new(client_config_for(url)).unwrap()
}

#[tokio::test]
async fn killed_emulator_restarts_with_every_acknowledged_write() {
    let directory = tempfile::tempdir().unwrap();
    let state = directory.path().join("state.json");
    let (mut child, url) = spawn_emulator(&state);
    let client = client_for(&url);
    let config = client.create_config(&destinations()).await.unwrap();
    let mut acknowledged = Vec::new();
    for index in 0..20 {
        let mut body = rule_body(&format!("rule {index}"));
        body.notify_methods_id = Some(config.ttid.clone());
        acknowledged.push(client.create_rule(&body).await.unwrap());
    }
    client.set_notifications_mode("always").await.unwrap();
    child.kill().unwrap(); // SIGKILL: no chance to flush anything
    child.wait().unwrap();

    let (mut child, url) = spawn_emulator(&state);
    let live = client_for(&url).snapshot().await;
    child.kill().unwrap();
    child.wait().unwrap();
    let live = live.unwrap();
    let sids: Vec<&str> = live.rules.iter().map(|rule| rule.sid()).collect();
    let expected: Vec<&str> = acknowledged.iter().map(|rule| rule.sid()).collect();
    assert_eq!(sids, expected);
    assert_eq!(
        live.configs
            .get(&config.ttid)
            .map(|found| &found.destinations),
        Some(&config.destinations)
    );
    assert_eq!(live.notifications_mode.as_deref(), Some("always"));
}

#[tokio::test]
async fn api_key_credentials_read_the_account_and_workspace_from_the_flex_configuration() {
    let emulator = emulator().await;
    let env = |name: &str| match name {
        "TWILIO_API_KEY" => Some("SK5b1e6c3a9f0d4e2b8c7a6d5e4f3a2b1c".to_owned()),
        "TWILIO_API_SECRET" => Some("emulator-api-key-secret".to_owned()),
        "FLEX_INSTANCE_SID" => Some(INSTANCE.to_owned()),
        _ => None,
    };
    let base = reqwest::Url::parse(&emulator.url()).unwrap();
    let config = flex_alerts::store::twilio::ClientConfig::from_env(&env, Some(&base)).unwrap();
    assert_eq!(config.account_sid, None);
    let client = TwilioClient::new(config).unwrap();
    // The notification configuration call needs the account SID in a header, so it comes first.
    let created = client.create_config(&destinations()).await.unwrap();
    let live = client.snapshot().await.unwrap();
    assert_eq!(
        live.directory.queues.len(),
        6,
        "the workspace came from the configuration"
    );
    assert_eq!(
        client.fetch_config(&created.ttid).await.unwrap(),
        Some(created)
    );
    assert_eq!(count(&emulator, "GET", "/Configuration"), 2);
}

#[tokio::test]
async fn next_page_url_on_another_host_is_not_followed() {
    // A server whose every list page claims a next page elsewhere.
    let app = axum::Router::new().fallback(|| async {
        axum::Json(json!({
            "rules": [], "users": [], "task_queues": [], "channels": [],
            "notifications": {"mode": "always"},
            "meta": {"next_page_url": "http://other.invalid/v1/next?PageToken=PT1", "key": "rules"}
        }))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = reqwest::Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let env = |name: &str| match name {
        "TWILIO_ACCOUNT_SID" => Some(ACCOUNT.to_owned()),
        "TWILIO_AUTH_TOKEN" => Some(TOKEN.to_owned()),
        "FLEX_INSTANCE_SID" => Some(INSTANCE.to_owned()),
        "TWILIO_WORKSPACE_SID" => Some(WORKSPACE.to_owned()),
        _ => None,
    };
    let config = flex_alerts::store::twilio::ClientConfig::from_env(&env, Some(&base)).unwrap();
    let error = TwilioClient::new(config)
        .unwrap()
        .snapshot()
        .await
        .unwrap_err();
    server.abort();
    assert!(
        error
            .to_string()
            .contains("`next_page_url` points at another host; it was not followed"),
        "{error}"
    );
}
