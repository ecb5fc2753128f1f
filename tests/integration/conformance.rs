//! The emulator as Twilio's OpenAPI describes it: every TaskRouter and Flex Configuration
//! answer the tool reads is valid against twilio-oai's schema (vendored under
//! `tests/conformance/twilio-oai/`) and carries every property the schema lists; the documented
//! TaskQueue list filters apply, and their malformed values are refused as TaskRouter does; and
//! every URL the emulator puts in an answer answers.

use std::collections::{BTreeSet, VecDeque};

use serde_json::Value;

use crate::support::*;

fn vendored() -> Value {
    let path = root().join("tests/conformance/twilio-oai/schemas.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn get(url: &str) -> (u16, Value) {
    let response = raw_http()
        .get(url)
        .basic_auth(ACCOUNT, Some(TOKEN))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The problems of `answer` against the schema of `template`: schema errors, and properties
/// the schema lists that the answer (or, for a list, an item) leaves out.
fn problems(vendored: &Value, template: &str, answer: &Value) -> Vec<String> {
    let entry = &vendored["answers"][template];
    let mut schema = entry["schema"].clone();
    schema["$defs"] = vendored["$defs"].clone();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let mut found: Vec<String> = validator
        .iter_errors(answer)
        .map(|error| format!("{template}: at {}: {error}", error.instance_path()))
        .collect();
    let properties = |of: &Value| -> Vec<String> {
        let name = of["$ref"]
            .as_str()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap();
        vendored["$defs"][name]["properties"]
            .as_object()
            .map(|properties| properties.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut objects: Vec<(Vec<String>, &Value)> = Vec::new();
    match entry["schema"]["properties"].as_object() {
        // A list: each item has every property of its item schema.
        Some(list) => {
            for (key, property) in list {
                if let Some(items) = answer[key].as_array() {
                    let wanted = properties(&property["items"]);
                    objects.extend(items.iter().map(|item| (wanted.clone(), item)));
                }
            }
        }
        None => objects.push((
            entry["x-properties"]
                .as_array()
                .unwrap()
                .iter()
                .map(|name| name.as_str().unwrap().to_owned())
                .collect(),
            answer,
        )),
    }
    for (wanted, object) in objects {
        for key in wanted {
            if object.get(&key).is_none() {
                found.push(format!(
                    "{template}: `{key}` missing from {}",
                    object["sid"]
                ));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn every_taskrouter_and_configuration_answer_matches_twilio_oai() {
    let emulator = emulator().await;
    let vendored = vendored();
    assert_eq!(
        vendored["commit"], "d50069b44ea8cd23141385bdb6db48f16ff75bb5",
        "the README names the commit"
    );
    let base = emulator.url();
    let workspace = format!("{base}/v1/Workspaces/{WORKSPACE}");
    let (_, workers) = get(&format!("{workspace}/Workers")).await;
    let worker = workers["workers"][0]["sid"].as_str().unwrap().to_owned();
    let (_, activities) = get(&format!("{workspace}/Activities")).await;
    let activity = activities["activities"][0]["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    let checked = [
        ("/v1/Workspaces/{Sid}", workspace.clone()),
        (
            "/v1/Workspaces/{WorkspaceSid}/TaskQueues",
            format!("{workspace}/TaskQueues"),
        ),
        (
            "/v1/Workspaces/{WorkspaceSid}/TaskQueues/{Sid}",
            format!("{workspace}/TaskQueues/{SUPPORT}"),
        ),
        (
            "/v1/Workspaces/{WorkspaceSid}/TaskQueues/{TaskQueueSid}/Statistics",
            format!("{workspace}/TaskQueues/{SUPPORT}/Statistics"),
        ),
        (
            "/v1/Workspaces/{WorkspaceSid}/TaskQueues/{TaskQueueSid}/RealTimeStatistics",
            format!("{workspace}/TaskQueues/{SUPPORT}/RealTimeStatistics"),
        ),
        (
            "/v1/Workspaces/{WorkspaceSid}/TaskQueues/{TaskQueueSid}/CumulativeStatistics",
            format!("{workspace}/TaskQueues/{SUPPORT}/CumulativeStatistics"),
        ),
        (
            "/v1/Workspaces/{WorkspaceSid}/TaskChannels",
            format!("{workspace}/TaskChannels"),
        ),
        (
            "/v1/Workspaces/{WorkspaceSid}/TaskChannels/{Sid}",
            format!("{workspace}/TaskChannels/{VOICE}"),
        ),
        (
            "/v1/Workspaces/{WorkspaceSid}/Activities",
            format!("{workspace}/Activities"),
        ),
        (
            "/v1/Workspaces/{WorkspaceSid}/Activities/{Sid}",
            format!("{workspace}/Activities/{activity}"),
        ),
        (
            "/v1/Workspaces/{WorkspaceSid}/Workers",
            format!("{workspace}/Workers"),
        ),
        (
            "/v1/Workspaces/{WorkspaceSid}/Workers/{Sid}",
            format!("{workspace}/Workers/{worker}"),
        ),
        ("/v1/Configuration", format!("{base}/v1/Configuration")),
    ];
    assert_eq!(
        checked.len(),
        vendored["answers"].as_object().unwrap().len(),
        "every vendored answer is checked"
    );
    let mut found = Vec::new();
    for (template, url) in &checked {
        let (status, answer) = get(url).await;
        assert_eq!(status, 200, "{url}: {answer}");
        found.extend(problems(&vendored, template, &answer));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
    let (_, configuration) = get(&format!("{base}/v1/Configuration")).await;
    assert_eq!(configuration.as_object().unwrap().len(), 49);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_task_queue_filters_apply_and_bad_values_are_refused() {
    let emulator = emulator().await;
    let queues = format!("{}/v1/Workspaces/{WORKSPACE}/TaskQueues", emulator.url());
    let names = |answer: &Value| -> Vec<String> {
        answer["task_queues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|queue| queue["friendly_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, all) = get(&queues).await;
    let all = names(&all);
    assert!(all.len() > 2, "{all:?}");
    let (status, support) = get(&format!("{queues}?FriendlyName=Support")).await;
    assert_eq!((status, names(&support)), (200, vec!["Support".to_owned()]));
    let (_, none) = get(&format!("{queues}?FriendlyName=Nobody")).await;
    assert!(names(&none).is_empty());
    let (_, descending) = get(&format!("{queues}?Ordering=DateCreated:desc")).await;
    let mut reversed = all.clone();
    reversed.reverse();
    assert_eq!(names(&descending), reversed);
    let (_, workers) = get(&format!(
        "{}/v1/Workspaces/{WORKSPACE}/Workers",
        emulator.url()
    ))
    .await;
    let worker = workers["workers"][0]["sid"].as_str().unwrap();
    let (_, of_worker) = get(&format!("{queues}?WorkerSid={worker}")).await;
    assert_eq!(
        names(&of_worker),
        all,
        "every seeded queue targets every worker"
    );
    let (_, evaluated) = get(&format!(
        "{queues}?EvaluateWorkerAttributes=%7B%22skills%22%3A%5B%5D%7D"
    ))
    .await;
    assert_eq!(names(&evaluated), all);
    for bad in [
        "Ordering=Name:up",
        "WorkerSid=WK1",
        "EvaluateWorkerAttributes=not-json",
        "EvaluateWorkerAttributes=%5B%5D",
    ] {
        let (status, body) = get(&format!("{queues}?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["code"], 20001, "{bad}: {body}");
        assert_eq!(body["status"], 400, "{bad}: {body}");
    }
}

/// Every `http://` string in `value`.
fn urls(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(text) if text.starts_with("http://") => found.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| urls(item, found)),
        Value::Object(map) => map.values().for_each(|item| urls(item, found)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_url_the_emulator_puts_in_an_answer_answers() {
    let (emulator, _state) = applied_examples().await;
    let base = emulator.url();
    let mut queue: VecDeque<String> = [
        format!("{base}/v1/Configuration"),
        format!("{base}/v1/Workspaces/{WORKSPACE}"),
        format!("{base}/v1/Instances/{INSTANCE}/Users"),
        format!("{base}/v1/Instances/{INSTANCE}/InsightsRules"),
    ]
    .into();
    let mut seen = BTreeSet::new();
    let mut broken = Vec::new();
    // Bounded: the emulator's answers name a few dozen URLs.
    while let Some(url) = queue.pop_front() {
        assert!(
            seen.len() < 500,
            "more URLs than an emulator holds: {seen:?}"
        );
        // The same resource with another page size is the same URL.
        if !url.starts_with(&base) || !seen.insert(url.clone()) {
            continue;
        }
        let (status, answer) = get(&url).await;
        if status != 200 {
            broken.push(format!("{url}: {status} {answer}"));
            continue;
        }
        let mut found = Vec::new();
        urls(&answer, &mut found);
        queue.extend(found);
    }
    assert!(seen.len() > 30, "the crawl reached {} URLs", seen.len());
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}
