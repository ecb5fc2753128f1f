//! The emulator against the fact sheet, over raw HTTP: documented requests are accepted and
//! answered with every documented key and type; lists page as documented; every validation
//! rule and limit is a 400 with a Twilio error body; 401 and 404 bodies.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::*;

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn new() -> (Api, flex_alerts::emulator::http::Emulator) {
        let emulator = emulator().await;
        (
            Api {
                http: raw_http(),
                base: emulator.url(),
            },
            emulator,
        )
    }

    fn rules(&self) -> String {
        format!("{}/v1/Instances/{INSTANCE}/InsightsRules", self.base)
    }

    fn configs(&self) -> String {
        format!(
            "{}/v1/Instances/{INSTANCE}/NotificationConfigurations",
            self.base
        )
    }

    async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, url)
            .basic_auth(ACCOUNT, Some(TOKEN))
            .header("I-Twilio-Auth-Account", ACCOUNT);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap()
            },
        )
    }

    /// A GET with another `Host` header than the address it is sent to.
    async fn send_with_host(&self, url: &str, host: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(url)
            .basic_auth(ACCOUNT, Some(TOKEN))
            .header("Host", host)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    async fn get(&self, url: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, url, None).await
    }

    async fn post(&self, url: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, url, Some(body)).await
    }

    async fn delete(&self, url: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::DELETE, url, None).await
    }
}

fn assert_type(object: &Value, key: &str, expected: &str) {
    let value = object
        .get(key)
        .unwrap_or_else(|| panic!("`{key}` missing from {object}"));
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    assert!(
        expected.split('|').any(|wanted| wanted == actual),
        "`{key}` is {actual}, expected {expected}: {value}"
    );
}

fn assert_twilio_error(body: &Value, status: u16, code: i64, message_part: &str) {
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(
        body["more_info"],
        format!("https://www.twilio.com/docs/errors/{code}"),
        "{body}"
    );
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains(message_part),
        "`{message}` should mention `{message_part}`"
    );
}

#[tokio::test]
async fn documented_rule_create_is_accepted_and_answered_with_every_documented_key() {
    let (api, _emulator) = Api::new().await;
    let (status, rule) = api
        .post(&api.rules(), &documented_rule("Waiting tasks now rule"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    let keys: Vec<&String> = rule.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "account_sid",
            "instance_sid",
            "sid",
            "rule_friendly_name",
            "metric_id",
            "task_channel_sid",
            "task_queue_sids",
            "active",
            "rule_thresholds",
            "date_created",
            "date_updated",
            "notify_enabled",
            "notify_severity",
            "notify_duration",
            "notify_methods_id",
            "url",
        ]
    );
    for (key, kind) in [
        ("account_sid", "string"),
        ("instance_sid", "string"),
        ("sid", "string"),
        ("rule_friendly_name", "string"),
        ("metric_id", "string"),
        ("task_channel_sid", "string"),
        ("task_queue_sids", "array"),
        ("active", "boolean"),
        ("rule_thresholds", "array"),
        ("date_created", "string"),
        ("date_updated", "string"),
        ("notify_enabled", "boolean"),
        ("notify_severity", "string"),
        ("notify_duration", "integer"),
        ("notify_methods_id", "string|null"),
        ("url", "string"),
    ] {
        assert_type(&rule, key, kind);
    }
    let sid = rule["sid"].as_str().unwrap();
    assert!(
        sid.starts_with("QY") && sid.len() == 34 && sid[2..].bytes().all(|b| b.is_ascii_hexdigit()),
        "{sid}"
    );
    assert_eq!(rule["account_sid"], ACCOUNT);
    assert_eq!(rule["instance_sid"], INSTANCE);
    assert_eq!(rule["notify_duration"], 900000);
    assert_eq!(rule["url"], format!("{}/{sid}", api.rules()));
    let created = rule["date_created"].as_str().unwrap();
    assert!(
        created.len() == 20 && created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{created}"
    );
    assert_eq!(
        rule["rule_thresholds"][0],
        json!({"threshold_type": "Critical", "threshold_operator": "Greater Than", "threshold_value": 5000})
    );

    let (status, fetched) = api.get(&format!("{}/{sid}", api.rules())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, rule);

    let mut update = documented_rule("Renamed rule");
    update["active"] = json!(false);
    let (status, updated) = api.post(&format!("{}/{sid}", api.rules()), &update).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        (
            updated["sid"].as_str(),
            updated["rule_friendly_name"].as_str(),
            updated["active"].as_bool()
        ),
        (Some(sid), Some("Renamed rule"), Some(false))
    );
    assert_eq!(updated["date_created"], rule["date_created"]);

    let (status, body) = api.delete(&format!("{}/{sid}", api.rules())).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (status, body) = api.get(&format!("{}/{sid}", api.rules())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_twilio_error(&body, 404, 20404, sid);
}

#[tokio::test]
async fn documented_notification_configuration_round_trips_and_survives_its_rule() {
    let (api, _emulator) = Api::new().await;
    let destinations = json!({
        "subscriptions": {
            "defaults": {"archive": true, "enabled": true, "notification_type": ["in_app"]},
            "recipients": [{"user_sids": [JANE], "notification_type": ["in_app"], "archive": true, "enabled": false}]
        },
        "webhooks": {
            "defaults": {"enabled": true},
            "endpoints": [{"type": "slack", "url": "https://hooks.xyz.com/services/T0XX/B0XX/XXX", "enabled": false}]
        },
        "emails": {"defaults": {"enabled": true}, "email_recipients": [{"email_address": "user@example.com"}]}
    });
    let (status, config) = api
        .post(&api.configs(), &json!({"destinations": destinations}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{config}");
    assert_eq!(
        config.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["ttid", "instance_sid", "destinations"]
    );
    assert_eq!(config["destinations"], destinations);
    assert_eq!(config["instance_sid"], INSTANCE);
    let ttid = config["ttid"].as_str().unwrap().to_owned();
    let ulid = ttid
        .strip_prefix("flex_notificationconfiguration_")
        .unwrap();
    assert!(
        ulid.len() == 26
            && ulid
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()),
        "{ttid}"
    );

    let url = format!("{}/{ttid}", api.configs());
    assert_eq!(api.get(&url).await, (StatusCode::OK, config.clone()));

    // Update replaces `destinations` wholesale.
    let emails_only =
        json!({"emails": {"email_recipients": [{"email_address": "oncall@example.com"}]}});
    let (status, updated) = api.post(&url, &json!({"destinations": emails_only})).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        (updated["ttid"].as_str(), &updated["destinations"]),
        (Some(ttid.as_str()), &emails_only)
    );

    // A rule names it; deleting the rule leaves the configuration in place.
    let mut rule = documented_rule("With notifications");
    rule["notify_methods_id"] = json!(ttid);
    let (status, rule) = api.post(&api.rules(), &rule).await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    assert_eq!(rule["notify_methods_id"], ttid.as_str());
    api.delete(&format!(
        "{}/{}",
        api.rules(),
        rule["sid"].as_str().unwrap()
    ))
    .await;
    assert_eq!(api.get(&url).await.0, StatusCode::OK);

    assert_eq!(
        api.delete(&url).await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    let (status, body) = api.get(&url).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_twilio_error(&body, 404, 20404, &ttid);
}

#[tokio::test]
async fn rule_list_pages_with_the_documented_envelope_and_filters() {
    let (api, _emulator) = Api::new().await;
    let names = [
        "delta", "alpha", "echo", "charlie", "bravo", "golf", "foxtrot",
    ];
    for (index, name) in names.iter().enumerate() {
        let mut rule = documented_rule(name);
        rule["active"] = json!(index % 2 == 0);
        if *name == "golf" {
            rule["metric_id"] = json!("Longest (Now)");
            rule["task_queue_sids"] = json!([BILLING]);
        }
        assert_eq!(api.post(&api.rules(), &rule).await.0, StatusCode::CREATED);
    }

    // Follow next_page_url from the first page to the end.
    let mut url = format!("{}?Sort=rule_friendly_name&PageSize=3", api.rules());
    let mut seen = Vec::new();
    let mut pages = 0;
    while pages < 10 {
        let (status, page) = api.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let meta = &page["meta"];
        assert_eq!(meta.as_object().unwrap().len(), 7, "{meta}");
        assert_eq!(
            (
                meta["key"].as_str(),
                meta["page"].as_u64(),
                meta["page_size"].as_u64()
            ),
            (Some("rules"), Some(pages), Some(3))
        );
        assert_eq!(
            meta["first_page_url"],
            format!("{}?Sort=rule_friendly_name&PageSize=3&Page=0", api.rules())
        );
        assert_eq!(meta["previous_page_url"].is_null(), pages == 0);
        seen.extend(
            page["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|rule| rule["rule_friendly_name"].as_str().unwrap().to_owned()),
        );
        pages += 1;
        match meta["next_page_url"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        [
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"
        ]
    );

    let names_for = |page: &Value| -> Vec<String> {
        page["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|rule| rule["rule_friendly_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, page) = api
        .get(&format!(
            "{}?Sort=-rule_friendly_name&Active=true",
            api.rules()
        ))
        .await;
    assert_eq!(names_for(&page), ["foxtrot", "echo", "delta", "bravo"]);
    assert_eq!(
        page["meta"]["url"],
        format!(
            "{}?Active=true&Sort=-rule_friendly_name&PageSize=50&Page=0",
            api.rules()
        )
    );
    let (_, page) = api
        .get(&format!("{}?MetricId=Longest%20(Now)", api.rules()))
        .await;
    assert_eq!(names_for(&page), ["golf"]);
    let (_, page) = api
        .get(&format!(
            "{}?TaskQueueSids={BILLING}&TaskQueueSids={SUPPORT}&Sort=rule_friendly_name&PageSize=2",
            api.rules()
        ))
        .await;
    assert_eq!(names_for(&page), ["alpha", "bravo"]);
    let (_, page) = api
        .get(&format!("{}?TaskQueueSids={BILLING}", api.rules()))
        .await;
    assert_eq!(names_for(&page), ["golf"]);

    for bad in [
        "Sort=sid",
        "Active=yes",
        "MetricId=Waiting",
        "PageSize=1001",
        "PageSize=0",
    ] {
        let (status, body) = api.get(&format!("{}?{bad}", api.rules())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_twilio_error(&body, 400, 45004, bad.split('=').next().unwrap());
    }
}

#[tokio::test]
async fn directory_and_configuration_are_served_as_documented() {
    let (api, _emulator) = Api::new().await;
    let (status, users) = api
        .get(&format!(
            "{}/v1/Instances/{INSTANCE}/Users?PageSize=4",
            api.base
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(users["meta"]["key"], "users");
    assert_eq!(users["users"].as_array().unwrap().len(), 4);
    for (key, kind) in [
        ("flex_user_sid", "string"),
        ("username", "string"),
        ("email", "string"),
        ("deactivated", "boolean"),
        ("roles", "array"),
        ("version", "integer"),
    ] {
        assert_type(&users["users"][0], key, kind);
    }
    assert!(users["meta"]["next_page_url"].is_string());
    let (_, queues) = api
        .get(&format!(
            "{}/v1/Workspaces/{WORKSPACE}/TaskQueues",
            api.base
        ))
        .await;
    assert_eq!(queues["meta"]["key"], "task_queues");
    assert_eq!(queues["task_queues"][0]["friendly_name"], "Support");
    assert_eq!(queues["task_queues"][0]["sid"], SUPPORT);
    let (_, channels) = api
        .get(&format!(
            "{}/v1/Workspaces/{WORKSPACE}/TaskChannels",
            api.base
        ))
        .await;
    assert_eq!(channels["meta"]["key"], "channels");
    assert!(
        channels["channels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|channel| channel["unique_name"] == "voice" && channel["sid"] == VOICE)
    );

    let url = format!("{}/v1/Configuration", api.base);
    let (_, configuration) = api.get(&url).await;
    assert_eq!(
        configuration["notifications"],
        json!({"enabled": true, "mode": "whenNotInFocus"})
    );
    assert_eq!(configuration["taskrouter_workspace_sid"], WORKSPACE);
    let (status, body) = api.post(&url, &json!({"account_sid": ACCOUNT, "flex_service_instance_sid": "IS00000000000000000000000000000000"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "You are not allowed to modify property for [flex_service_instance_sid]."
    );
    let (status, updated) = api
        .post(
            &url,
            &json!({"account_sid": ACCOUNT, "notifications": {"enabled": true, "mode": "always"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["notifications"]["mode"], "always");
    assert_eq!(
        updated["ui_attributes"], configuration["ui_attributes"],
        "other properties are kept"
    );
}

/// (what is wrong, body of a rule create) -> the key the 400 must name.
fn bad_rules() -> Vec<(Value, &'static str)> {
    let with = |key: &str, value: Value| {
        let mut rule = documented_rule("bad");
        rule[key] = value;
        rule
    };
    let without = |key: &str| {
        let mut rule = documented_rule("bad");
        rule.as_object_mut().unwrap().remove(key);
        rule
    };
    let threshold = |value: Value| with("rule_thresholds", value);
    let many_queues: Vec<String> = (0..21).map(|index| format!("WQ{index:032x}")).collect();
    vec![
        (without("rule_friendly_name"), "rule_friendly_name"),
        (without("metric_id"), "metric_id"),
        (without("task_channel_sid"), "task_channel_sid"),
        (without("task_queue_sids"), "task_queue_sids"),
        (without("active"), "active"),
        (without("rule_thresholds"), "rule_thresholds"),
        (without("notify_enabled"), "notify_enabled"),
        (with("rule_friendly_name", json!("")), "rule_friendly_name"),
        (with("metric_id", json!("Active Now")), "metric_id"),
        (with("active", json!("true")), "active"),
        (with("notify_enabled", json!(1)), "notify_enabled"),
        (
            with("task_channel_sid", json!("string")),
            "task_channel_sid",
        ),
        (
            with(
                "task_channel_sid",
                json!("TC00000000000000000000000000000000"),
            ),
            "task_channel_sid",
        ),
        (with("task_queue_sids", json!(SUPPORT)), "task_queue_sids"),
        (with("task_queue_sids", json!([])), "task_queue_sids"),
        (
            with("task_queue_sids", json!(many_queues)),
            "task_queue_sids",
        ),
        (
            with("task_queue_sids", json!(["WQ1"])),
            "task_queue_sids[0]",
        ),
        (
            with(
                "task_queue_sids",
                json!(["WQ00000000000000000000000000000000"]),
            ),
            "task_queue_sids[0]",
        ),
        (
            with("task_queue_sids", json!([SUPPORT, SUPPORT])),
            "task_queue_sids[1]",
        ),
        (threshold(json!([])), "rule_thresholds"),
        (
            threshold(
                json!([{"threshold_type": "Major", "threshold_operator": "Greater Than", "threshold_value": 1}]),
            ),
            "rule_thresholds[0].threshold_type",
        ),
        (
            threshold(
                json!([{"threshold_type": "Warning", "threshold_operator": "Less Than", "threshold_value": 1}]),
            ),
            "rule_thresholds[0].threshold_operator",
        ),
        (
            threshold(
                json!([{"threshold_type": "Warning", "threshold_operator": "Greater Than", "threshold_value": "1"}]),
            ),
            "rule_thresholds[0].threshold_value",
        ),
        (
            threshold(
                json!([{"threshold_type": "Warning", "threshold_operator": "Greater Than", "threshold_value": 1.5}]),
            ),
            "rule_thresholds[0].threshold_value",
        ),
        (
            threshold(json!([{"threshold_type": "Warning", "threshold_operator": "Greater Than"}])),
            "rule_thresholds[0].threshold_value",
        ),
        (
            threshold(json!([
                {"threshold_type": "Warning", "threshold_operator": "Greater Than", "threshold_value": 1},
                {"threshold_type": "Warning", "threshold_operator": "Greater Than", "threshold_value": 2}
            ])),
            "rule_thresholds[1].threshold_type",
        ),
        (
            with("notify_severity", json!("critical")),
            "notify_severity",
        ),
        (with("notify_duration", json!(900001)), "notify_duration"),
        (with("notify_duration", json!(-1)), "notify_duration"),
        (
            with(
                "notify_methods_id",
                json!("flex_notificationconfiguration_01jt2gntpafkt9671avqj50sq8"),
            ),
            "notify_methods_id",
        ),
        (
            with(
                "notify_methods_id",
                json!("QY00000000000000000000000000000000"),
            ),
            "notify_methods_id",
        ),
        (
            with("sid", json!("QY00000000000000000000000000000000")),
            "sid",
        ),
        (json!(["not", "an", "object"]), "body"),
    ]
}

#[tokio::test]
async fn every_invalid_rule_body_is_a_400_naming_its_key_and_stores_nothing() {
    let (api, emulator) = Api::new().await;
    for (body, key) in bad_rules() {
        let (status, error) = api.post(&api.rules(), &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} -> {error}");
        assert_twilio_error(&error, 400, 45004, &format!("[{key}]"));
    }
    let response = api
        .http
        .post(api.rules())
        .basic_auth(ACCOUNT, Some(TOKEN))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(emulator.shared.state_json()["rules"], json!([]));
}

#[tokio::test]
async fn every_invalid_configuration_body_is_a_400_naming_its_key() {
    let (api, _emulator) = Api::new().await;
    let users = |count: usize| -> Vec<String> { (0..count).map(|_| JANE.to_owned()).collect() };
    let emails: Vec<Value> = (0..11)
        .map(|index| json!({"email_address": format!("u{index}@example.com")}))
        .collect();
    let endpoint = json!({"type": "slack", "url": "https://hooks.example.com/a"});
    let cases = [
        (json!({}), "destinations"),
        (json!({"destinations": {"sms": {}}}), "destinations.sms"),
        (
            json!({"destinations": {"subscriptions": {"defaults": {}}}}),
            "destinations.subscriptions.recipients",
        ),
        (
            json!({"destinations": {"subscriptions": {"recipients": [{"user_sids": users(11)}]}}}),
            "destinations.subscriptions.recipients",
        ),
        (
            json!({"destinations": {"subscriptions": {"recipients": [{"user_sids": users(6)}, {"user_sids": users(5)}]}}}),
            "destinations.subscriptions.recipients",
        ),
        (
            json!({"destinations": {"subscriptions": {"recipients": [{"user_sids": ["FU00000000000000000000000000000000"]}]}}}),
            "user_sids[0]",
        ),
        (
            json!({"destinations": {"subscriptions": {"recipients": [{"user_sids": ["US00000000000000000000000000000000"]}]}}}),
            "user_sids[0]",
        ),
        (
            json!({"destinations": {"subscriptions": {"recipients": [{"user_sids": [JANE], "notification_type": ["sms"]}]}}}),
            "notification_type[0]",
        ),
        (
            json!({"destinations": {"subscriptions": {"recipients": [{"user_sids": [JANE], "notification_type": ["toast", "toast"]}]}}}),
            "notification_type[1]",
        ),
        (
            json!({"destinations": {"webhooks": {"endpoints": [endpoint, endpoint]}}}),
            "destinations.webhooks.endpoints",
        ),
        (
            json!({"destinations": {"webhooks": {"endpoints": [{"type": "teams", "url": "https://x.example"}]}}}),
            "endpoints[0].type",
        ),
        (
            json!({"destinations": {"webhooks": {"endpoints": [{"type": "slack"}]}}}),
            "endpoints[0].url",
        ),
        (
            json!({"destinations": {"webhooks": {"endpoints": [{"type": "slack", "url": "ftp://x"}]}}}),
            "endpoints[0].url",
        ),
        (
            json!({"destinations": {"emails": {"email_recipients": emails}}}),
            "destinations.emails.email_recipients",
        ),
        (
            json!({"destinations": {"emails": {"email_recipients": [{"address": "a@b.c"}]}}}),
            "email_recipients[0].address",
        ),
    ];
    for (body, key) in cases {
        let (status, error) = api.post(&api.configs(), &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} -> {error}");
        assert_twilio_error(&error, 400, 45004, key);
    }
    let without_header = api
        .http
        .post(api.configs())
        .basic_auth(ACCOUNT, Some(TOKEN))
        .json(&json!({"destinations": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(without_header.status(), StatusCode::BAD_REQUEST);
    let body: Value = without_header.json().await.unwrap();
    assert_twilio_error(&body, 400, 45004, "I-Twilio-Auth-Account");
}

#[tokio::test]
async fn limits_of_100_rules_and_100_configurations_and_metric_changes_are_400s() {
    let (api, _emulator) = Api::new().await;
    let mut first_sid = String::new();
    for index in 0..100 {
        let (status, rule) = api
            .post(&api.rules(), &documented_rule(&format!("rule {index}")))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{rule}");
        if index == 0 {
            first_sid = rule["sid"].as_str().unwrap().to_owned();
        }
        let (status, config) = api
            .post(
                &api.configs(),
                &json!({"destinations": {"emails": {"email_recipients": []}}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{config}");
    }
    let (status, error) = api.post(&api.rules(), &documented_rule("rule 101")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_twilio_error(&error, 400, 45004, "at most 100");
    let (status, error) = api.post(&api.configs(), &json!({"destinations": {}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_twilio_error(&error, 400, 45004, "at most 100");

    let mut changed = documented_rule("rule 0");
    changed["metric_id"] = json!("Waiting (Now)");
    let (status, error) = api
        .post(&format!("{}/{first_sid}", api.rules()), &changed)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_twilio_error(&error, 400, 45004, "[metric_id]");
}

#[tokio::test]
async fn bad_credentials_unknown_ids_and_big_bodies_get_twilio_error_bodies() {
    let (api, _emulator) = Api::new().await;
    for credentials in [
        Some((ACCOUNT, "wrong")),
        Some(("AC00000000000000000000000000000000", TOKEN)),
        None,
    ] {
        let mut request = api.http.get(api.rules());
        if let Some((user, password)) = credentials {
            request = request.basic_auth(user, Some(password));
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body,
            json!({"code": 20003, "detail": "Your AccountSid or AuthToken was incorrect.", "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401})
        );
    }
    for url in [
        format!(
            "{}/v1/Instances/GO00000000000000000000000000000000/InsightsRules",
            api.base
        ),
        format!("{}/QY00000000000000000000000000000000", api.rules()),
        format!(
            "{}/flex_notificationconfiguration_01jt2gntpafkt9671avqj50sq8",
            api.configs()
        ),
        format!(
            "{}/v1/Workspaces/WS00000000000000000000000000000000/TaskQueues",
            api.base
        ),
        format!("{}/v1/Nothing", api.base),
    ] {
        let (status, body) = api.get(&url).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
        assert_twilio_error(&body, 404, 20404, "was not found");
    }
    let huge = json!({"rule_friendly_name": "x".repeat(2 * 1024 * 1024)});
    let (status, body) = api.post(&api.rules(), &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["status"], 413);
}

#[tokio::test]
async fn a_request_refused_by_the_concurrency_limit_does_not_use_up_a_scripted_fault() {
    let (api, emulator) = Api::new().await;
    emulator
        .shared
        .set_faults(flex_alerts::emulator::faults::Faults {
            concurrency_limit: Some(0),
            script: vec![fault(
                "GET",
                "/InsightsRules",
                flex_alerts::emulator::faults::FaultAction::Drop,
                1,
            )],
            ..Default::default()
        });
    let (status, body) = api.get(&api.rules()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_twilio_error(&body, 429, 20429, "Too Many Requests");
    let faults: Value = api
        .http
        .get(format!("{}/__admin/faults", api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults["script"][0]["times"], 1, "{faults}");
}

#[tokio::test]
async fn queues_and_channels_are_fetched_by_sid_and_statistics_by_queue() {
    let (api, emulator) = Api::new().await;
    let workspace = format!("{}/v1/Workspaces/{WORKSPACE}", emulator.url());
    let (status, list) = api.get(&format!("{workspace}/TaskQueues")).await;
    assert_eq!(status, 200);
    let first = &list["task_queues"][0];
    let (status, queue) = api
        .get(&format!(
            "{workspace}/TaskQueues/{}",
            first["sid"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(&queue, first, "the same object as in the list");
    let (status, voice) = api.get(&format!("{workspace}/TaskChannels/voice")).await;
    assert_eq!(status, 200);
    assert_eq!(voice["unique_name"], "voice");
    let (status, by_sid) = api
        .get(&format!(
            "{workspace}/TaskChannels/{}",
            voice["sid"].as_str().unwrap()
        ))
        .await;
    assert_eq!((status, &by_sid), (StatusCode::OK, &voice));
    let (status, missing) = api
        .get(&format!(
            "{workspace}/TaskQueues/WQ00000000000000000000000000000000"
        ))
        .await;
    assert_eq!(status, 404);
    assert_twilio_error(&missing, 404, 20404, "was not found");
    for unserved in [
        "Workflows",
        "TaskQueues/WQ1/Statistics",
        "Activities/WA1",
        "Workers/WK1",
    ] {
        let (status, body) = api.get(&format!("{workspace}/{unserved}")).await;
        assert_eq!(status, 404, "{unserved}");
        assert_twilio_error(&body, 404, 20404, "was not found");
    }

    let queue_sid = first["sid"].as_str().unwrap();
    let (status, realtime) = api
        .get(&format!(
            "{workspace}/TaskQueues/{queue_sid}/RealTimeStatistics?TaskChannel=voice"
        ))
        .await;
    assert_eq!(status, 200);
    for (key, kind) in [
        ("tasks_by_status", "object"),
        ("total_available_workers", "integer"),
        ("longest_relative_task_age_in_queue", "integer"),
        ("activity_statistics", "array"),
    ] {
        assert_type(&realtime, key, kind);
    }
    let (status, cumulative) = api
        .get(&format!(
            "{workspace}/TaskQueues/{queue_sid}/CumulativeStatistics?Minutes=30&SplitByWaitTime=20,60"
        ))
        .await;
    assert_eq!(status, 200);
    assert_type(&cumulative["split_by_wait_time"], "60", "object");
    assert_type(&cumulative, "reservations_accepted", "integer");
    let (status, bad) = api
        .get(&format!(
            "{workspace}/TaskQueues/{queue_sid}/RealTimeStatistics?TaskChannel=fax"
        ))
        .await;
    assert_eq!(status, 400, "{bad}");
}

#[tokio::test]
async fn page_urls_name_the_host_the_client_reached() {
    let (api, emulator) = Api::new().await;
    // As a client on another machine would reach `--listen 0.0.0.0`: by another name.
    let port = emulator.addr.port();
    let (status, page) = api
        .send_with_host(
            &format!(
                "{}/v1/Workspaces/{WORKSPACE}/TaskQueues?PageSize=1",
                emulator.url()
            ),
            &format!("flex-emulator.internal:{port}"),
        )
        .await;
    assert_eq!(status, 200);
    let next = page["meta"]["next_page_url"].as_str().unwrap();
    assert!(
        next.starts_with(&format!(
            "http://flex-emulator.internal:{port}/v1/Workspaces/"
        )),
        "{next}"
    );
    assert!(!page.to_string().contains("127.0.0.1"), "{page}");
}
