//! Trust, round two: what an independent fault and bad-input campaign broke, each case
//! reproduced here as it was met (a listing that repeats a SID, a full disk during apply,
//! copies of an alert that none matches, inputs that never end, a tampered journal, names that
//! lie to a reviewer, requests that wedge the emulator) and held to the fixed behaviour.

use serde_json::{Value, json};

use flex_alerts::emulator::engine::ConsoleObjects;

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_that_names_one_sid_twice_deletes_nothing() {
    let (emulator, state) = applied_examples().await;
    let rules: Vec<Value> = emulator.shared.state_json()["rules"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rules.len(), 9);
    // Every rule listed twice, as a page-based listing can repeat items, or a doubled sandbox.
    let doubled: ConsoleObjects = serde_json::from_value(json!({ "rules": rules })).unwrap();
    emulator.shared.insert(doubled).unwrap();
    assert_eq!(stored(&emulator, "rules"), 18);

    let plan = run_blocking(against(&emulator, state.path()), &["plan", "examples/"]).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(!plan.stdout.contains("delete duplicate"), "{}", plan.stdout);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    let applied = run_blocking(
        against(&emulator, state.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(count(&emulator, "DELETE", "/InsightsRules/"), 0);
    let sids: std::collections::BTreeSet<String> = emulator.shared.state_json()["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["sid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sids.len(), 9, "every real alert is still there");
    assert_eq!(stored(&emulator, "notification_configs"), 8);
}

#[tokio::test]
async fn plan_never_deletes_a_sid_it_keeps_however_often_the_live_side_names_it() {
    use flex_alerts::plan::{Action, PlanOptions, plan};
    use flex_alerts::store::Store;
    let store = crate::plan::sandbox();
    let wanted = crate::plan::desired(
        "version: 1\nalerts:\n  - name: Base\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: { above: 10 }\n",
    );
    crate::plan::converge(&store, &wanted, false).await;
    let mut live = store.snapshot().await.unwrap();
    let rule = live.rules[0].clone();
    live.rules = vec![rule.clone(), rule.clone(), rule];
    for prune in [false, true] {
        let planned = plan(
            &wanted,
            &live,
            PlanOptions {
                prune,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(planned.entries.len(), 1, "{:?}", planned.entries);
        assert_eq!(planned.entries[0].action, Action::NoOp);
        assert!(!planned.has_changes());
    }
}

/// `cli()` that must end within `seconds`, whatever the input.
fn bounded(seconds: u64) -> assert_cmd::Command {
    let mut command = cli();
    command.timeout(std::time::Duration::from_secs(seconds));
    command
}

fn write(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

const ONE_ALERT: &str = "version: 1\nalerts:\n  - name: Support waiting\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: { above: 10 }\n";

#[test]
fn a_rule_test_series_that_expands_past_the_limit_is_an_error_at_its_token() {
    let directory = tempfile::tempdir().unwrap();
    write(&directory.path().join("alerts.yaml"), ONE_ALERT);
    write(
        &directory.path().join("alerts.test.yaml"),
        "version: 1\ntests:\n  - name: huge\n    series:\n      - { metric: Waiting (Now), queue: Support, channel: voice, values: \"0 200x1000000000000\" }\n    expect:\n      - { at: 1m, alert: Support waiting, queue: Support, level: critical }\n",
    );
    for command in ["validate", "test"] {
        let ran = run(bounded(20).arg(command).arg(directory.path()));
        assert_eq!(ran.code, 1, "{command}: {}", ran.stderr);
        assert!(
            ran.stderr
                .contains("`200x1000000000000` makes this series longer than 1000000 values")
                && ran.stderr.contains("alerts.test.yaml:5:"),
            "{command}: {}",
            ran.stderr
        );
    }
}

#[test]
fn a_history_line_without_end_stops_the_read_with_a_short_message() {
    let directory = tempfile::tempdir().unwrap();
    // A 2 GB sparse file: all NULs, no line end.
    let sparse = directory.path().join("sparse.csv");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let ran = run(bounded(20)
        .args(["backtest", "--history"])
        .arg(&sparse)
        .arg("examples/")
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("sparse.csv:1: the line is longer than 4096 bytes"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.len() < 2000,
        "{} bytes of stderr",
        ran.stderr.len()
    );

    // A field of 3,000 characters is quoted in 40.
    let long = directory.path().join("long.csv");
    let field = "W".repeat(3000);
    write(
        &long,
        &format!("time,queue,channel,metric,value\n2026-11-30T10:00:00Z,Support,voice,{field},1\n"),
    );
    let ran = run(bounded(20)
        .args(["backtest", "--history"])
        .arg(&long)
        .arg("examples/")
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains(&format!(
            "`{}...` is not one of the 17 metrics",
            "W".repeat(40)
        )),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.len() < 2000,
        "{} bytes of stderr",
        ran.stderr.len()
    );
}

#[test]
fn symbolic_link_loops_and_linked_copies_are_walked_once() {
    let directory = tempfile::tempdir().unwrap();
    let alerts = directory.path().join("alerts");
    std::fs::create_dir(&alerts).unwrap();
    write(&alerts.join("one.yaml"), ONE_ALERT);
    std::os::unix::fs::symlink(".", alerts.join("loop")).unwrap();
    std::os::unix::fs::symlink(&alerts, directory.path().join("copy")).unwrap();
    std::os::unix::fs::symlink(alerts.join("one.yaml"), alerts.join("again.yaml")).unwrap();
    let ran = run(bounded(20).arg("validate").arg(directory.path()));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(!ran.stderr.contains("duplicate"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("1 alert valid in 1 file"),
        "{}",
        ran.stderr
    );
}

#[test]
fn fifos_and_devices_are_refused_never_waited_on() {
    let directory = tempfile::tempdir().unwrap();
    let fifo = directory.path().join("pipe.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Named: an error that says what it is.
    let ran = run(bounded(20).arg("validate").arg(&fifo));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("it is not a regular file but a FIFO (named pipe)"),
        "{}",
        ran.stderr
    );
    // Met in a directory: skipped with a note, beside a real alert file.
    write(&directory.path().join("alerts.yaml"), ONE_ALERT);
    let ran = run(bounded(20).arg("validate").arg(directory.path()));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stderr.contains("pipe.yaml"), "{}", ran.stderr);
    // A sandbox that is a FIFO, or a link to /dev/zero: refused, left as it is.
    let zero = directory.path().join("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let sandbox_fifo = directory.path().join("sandbox.json");
    std::process::Command::new("mkfifo")
        .arg(&sandbox_fifo)
        .status()
        .unwrap();
    for (sandbox, kind) in [(&zero, "character device"), (&sandbox_fifo, "FIFO")] {
        let store = format!("local:{}", sandbox.display());
        let ran = run(bounded(20)
            .args(["plan", "--store", &store, "examples/"])
            .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK));
        assert_eq!(ran.code, 1, "{}", ran.stderr);
        assert!(
            ran.stderr.contains("the local sandbox cannot be used") && ran.stderr.contains(kind),
            "{}",
            ran.stderr
        );
    }
    assert!(
        std::fs::symlink_metadata(&zero)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// A journal line of `store`'s: a configuration created and not yet named by a rule.
fn pending_line(store: &str, ttid: &str) -> String {
    format!(
        "{}\n",
        json!({"store": store, "event": "created", "id": "1", "ttid": ttid})
    )
}

/// The store key the journal of `emulator` uses (what `Store:` says).
fn store_key(emulator: &flex_alerts::emulator::http::Emulator) -> String {
    format!(
        "Flex instance {INSTANCE} at {}",
        reqwest::Url::parse(&emulator.url())
            .unwrap()
            .host_str()
            .unwrap()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_journal_behind_a_link_or_of_another_kind_is_refused_and_its_target_untouched() {
    let emulator = emulator().await;
    let state = tempfile::tempdir().unwrap();
    let target = state.path().join("elsewhere.txt");
    write(&target, "not a journal\n");
    std::os::unix::fs::symlink(&target, state.path().join("journal.jsonl")).unwrap();
    for command in ["plan", "apply"] {
        let mut args = vec![command, "examples/"];
        if command == "apply" {
            args.push("--auto-approve");
        }
        let ran = run_blocking(against(&emulator, state.path()), &args).await;
        assert_eq!(ran.code, 1, "{command}: {}", ran.stderr);
        assert!(
            ran.stderr
                .contains("is a symbolic link; the journal is never followed through one"),
            "{command}: {}",
            ran.stderr
        );
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "not a journal\n");
    assert_eq!(stored(&emulator, "rules"), 0, "nothing was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn junk_in_the_journal_is_named_the_rest_still_counts_and_the_next_apply_compacts_it() {
    let (emulator, state) = applied_examples().await;
    // A configuration an interrupted apply created and never attached.
    let config = flex_alerts::store::Store::create_config(
        &client(&emulator),
        &flex_alerts::flex::wire::Destinations::default(),
    )
    .await
    .unwrap();
    let journal = state.path().join("journal.jsonl");
    let key = store_key(&emulator);
    let mut bytes = b"{\"store\": \"x\", \"event\": \"nonsense\"}\n".to_vec();
    bytes.extend_from_slice(b"\xff\xfe binary junk \x00\x01\n");
    bytes.extend_from_slice(pending_line(&key, &config.ttid).as_bytes());
    bytes.extend(std::iter::repeat_n(0u8, 50 * 1024 * 1024)); // 50 MB of NULs, no line end
    std::fs::write(&journal, &bytes).unwrap();

    let plan = run_blocking(against(&emulator, state.path()), &["plan", "examples/"]).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(
        plan.stderr.contains("note: 3 line(s) of")
            && plan
                .stderr
                .contains("are not journal events and were skipped (line 1, 2, 4)"),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stdout.contains(&format!(
            "delete leftover notification configuration {}",
            config.ttid
        )),
        "the event between the junk still counts: {}",
        plan.stdout
    );
    let apply = run_blocking(
        against(&emulator, state.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    let size = std::fs::metadata(&journal).unwrap().len();
    assert!(size < 4096, "compacted to {size} bytes");
    let plan = run_blocking(against(&emulator, state.path()), &["plan", "examples/"]).await;
    assert!(
        !plan.stderr.contains("are not journal events"),
        "{}",
        plan.stderr
    );
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_configuration_create_that_never_left_is_not_counted_as_may_exist() {
    use flex_alerts::apply::journal::Journal;
    use flex_alerts::apply::{Silent, apply};
    use flex_alerts::plan::{PlanOptions, plan};
    use flex_alerts::store::Store;
    let store = crate::plan::sandbox();
    let wanted = crate::plan::desired(
        "version: 1\nalerts:\n  - name: Base\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: { above: 10 }\n    notify: { users: [jane.doe] }\n",
    );
    let planned = plan(
        &wanted,
        &store.snapshot().await.unwrap(),
        PlanOptions::default(),
    )
    .unwrap();
    // A port nothing listens on: every connection is refused, so no request ever leaves.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut config = client_config_for(&url);
    config.account_sid = Some(ACCOUNT.to_owned());
    config.workspace_sid = Some("WS00000000000000000000000000000001".to_owned());
    let nowhere = flex_alerts::store::twilio::TwilioClient::new(config).unwrap();
    let directory = tempfile::tempdir().unwrap();
    let journal = Journal::open(directory.path(), "nowhere", true).unwrap();
    let report = apply(&planned, &nowhere, 4, &journal, &Silent).await;
    assert!(!report.succeeded());
    assert_eq!(
        Journal::open(directory.path(), "nowhere", false)
            .unwrap()
            .open_attempts(),
        0,
        "{}",
        report.render()
    );
}

#[test]
fn names_with_invisible_characters_are_refused_and_mixed_scripts_warned() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("alerts.yaml");
    write(
        &file,
        "version: 1\nalerts:\n  - name: \"Support \\u202Etiaw\"\n    renamed_from: [\"Old\\u200Bname\"]\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Supp\u{043E}rt]\n    thresholds:\n      critical: { above: 10 }\n",
    );
    let ran = run(bounded(20).arg("validate").arg(&file));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    for expected in [
        "error: alert name `Support \\u{202e}tiaw` holds a bidirectional-text control character (U+202E) at character 9",
        "alerts.yaml:3:11",
        "error: earlier name `Old\\u{200b}name` holds an invisible character (U+200B) at character 4",
        "alerts.yaml:4:20",
        "warning: queue `Supp\u{043E}rt`: the word `Supp\u{043E}rt` mixes Cyrillic and Latin letters",
        "alerts.yaml:7:14",
    ] {
        assert!(ran.stderr.contains(expected), "{expected}\n{}", ran.stderr);
    }
    assert!(
        !ran.stderr.contains('\u{202E}') && !ran.stderr.contains('\u{200B}'),
        "shown escaped: {}",
        ran.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invisible_characters_from_the_live_side_are_shown_escaped_in_plans() {
    let (emulator, state) = applied_examples().await;
    let console: ConsoleObjects = serde_json::from_value(json!({
        "rules": [{
            "sid": "QY00000000000000000000000000000e01",
            "rule_friendly_name": "Billing\u{202E}lanretni\n+ create \"fake\"",
            "metric_id": "Waiting (Now)", "task_channel_sid": VOICE,
            "task_queue_sids": [BILLING], "active": true,
            "rule_thresholds": [{"threshold_type": "Critical", "threshold_operator": "Greater Than", "threshold_value": 5}]
        }]
    }))
    .unwrap();
    emulator.shared.insert(console).unwrap();
    for format in ["text", "markdown"] {
        let plan = run_blocking(
            against(&emulator, state.path()),
            &["plan", "examples/", "--format", format],
        )
        .await;
        assert_eq!(plan.code, 0, "{}", plan.stderr);
        assert!(
            !plan.stdout.contains('\u{202E}') && !plan.stdout.contains("\n+ create \"fake\""),
            "{format}: {}",
            plan.stdout
        );
        assert!(
            plan.stdout
                .contains("Billing\\u{202e}lanretni\\u{a}+ create"),
            "{format}: {}",
            plan.stdout
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_that_ask_for_unbounded_work_get_a_400_that_says_the_limit() {
    let emulator = emulator().await;
    let http = raw_http();
    let statistics = format!(
        "{}/v1/Workspaces/{WORKSPACE}/TaskQueues/{SUPPORT}/CumulativeStatistics?Minutes=10000000",
        emulator.url()
    );
    let answer = http
        .get(&statistics)
        .basic_auth(ACCOUNT, Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("at most the past 30 days (43200 minutes)"),
        "{body}"
    );
    let fire = format!(
        "{}/__admin/fire?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
        emulator.url()
    );
    let answer = http.post(&fire).send().await.unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("at most 7 days at once"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_request_does_not_delay_another_by_more_than_100_ms() {
    let emulator = emulator().await;
    let state = tempfile::tempdir().unwrap();
    // A webhook on this machine that refuses connections: firing computes, then fails fast.
    let mut command = against(&emulator, state.path());
    command.env("SLACK_SUPPORT_WEBHOOK", "http://127.0.0.1:9/hook");
    let applied = run_blocking(command, &["apply", "examples/", "--auto-approve"]).await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let http = raw_http();
    let rules = format!("{}/v1/Instances/{INSTANCE}/InsightsRules", emulator.url());
    let timed = || {
        let (http, rules) = (http.clone(), rules.clone());
        async move {
            let started = std::time::Instant::now();
            let answer = http
                .get(&rules)
                .basic_auth(ACCOUNT, Some(TOKEN))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 200);
            started.elapsed()
        }
    };
    let mut quiet = std::time::Duration::ZERO;
    for _ in 0..10 {
        quiet = quiet.max(timed().await);
    }
    // The most work one request may ask for: a week of the synthetic day, minute by minute.
    let fire = format!(
        "{}/__admin/fire?from=2026-11-23T00:00:00Z&to=2026-11-30T00:00:00Z",
        emulator.url()
    );
    let slow = tokio::spawn({
        let http = http.clone();
        async move {
            let started = std::time::Instant::now();
            let answer = http.post(&fire).send().await.unwrap();
            assert_eq!(answer.status(), 200);
            started.elapsed()
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let mut busy = std::time::Duration::ZERO;
    let mut measured = 0;
    while !slow.is_finished() && measured < 200 {
        busy = busy.max(timed().await);
        measured += 1;
    }
    let slow_took = slow.await.unwrap();
    assert!(measured >= 3, "the slow request took only {slow_took:?}");
    assert!(
        busy < quiet + std::time::Duration::from_millis(100),
        "a request took {busy:?} beside the slow one ({slow_took:?}), {quiet:?} without it"
    );
    println!(
        "beside a fire of a week ({slow_took:?}): {measured} requests, slowest {busy:?} (slowest alone {quiet:?})"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_read_while_another_process_deletes_rules_never_misses_one() {
    use flex_alerts::emulator::{Engine, Seed};
    use flex_alerts::store::Store;
    let emulator = emulator_with(Engine::new(&Seed::builtin()).with_max_page_size(2)).await;
    let state = tempfile::tempdir().unwrap();
    // Rules no file declares, listed before the managed ones, for another process to delete.
    let store = client(&emulator);
    let mut others = Vec::new();
    for index in 0..60 {
        others.push(
            store
                .create_rule(&rule_body(&format!("Other {index:02}")))
                .await
                .unwrap(),
        );
    }
    let applied = run_blocking(
        against(&emulator, state.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let deleting = tokio::spawn(async move {
        for rule in others {
            store.delete_rule(rule.sid()).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    });
    let mut plans = 0;
    while !deleting.is_finished() {
        let plan = run_blocking(against(&emulator, state.path()), &["plan", "examples/"]).await;
        assert_eq!(plan.code, 0, "{}", plan.stderr);
        assert!(
            !plan.stdout.contains("+ create"),
            "plan {plans} missed a live alert: {}",
            plan.stdout
        );
        plans += 1;
    }
    deleting.await.unwrap();
    assert!(plans >= 1);
    println!("{plans} plans while 60 rules were deleted at 2 a page: none missed a live alert");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_with_a_key_its_schema_does_not_know_is_refused() {
    let emulator = emulator().await;
    let state = tempfile::tempdir().unwrap();
    let saved = state.path().join("plan.json");
    let planned = run_blocking(
        against(&emulator, state.path()),
        &["plan", "examples/", "--out", saved.to_str().unwrap()],
    )
    .await;
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    let mut document: Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    document["run_this_too"] = json!("rm -rf /");
    std::fs::write(&saved, document.to_string()).unwrap();
    let applied = run_blocking(
        against(&emulator, state.path()),
        &["apply", "--plan", saved.to_str().unwrap()],
    )
    .await;
    assert_eq!(applied.code, 1, "{}", applied.stderr);
    assert!(
        applied
            .stderr
            .contains("is not a saved plan of this flex-alerts")
            && applied.stderr.contains("run_this_too"),
        "{}",
        applied.stderr
    );
    assert_eq!(stored(&emulator, "rules"), 0, "nothing was written");
}

#[test]
fn a_directory_whose_only_yaml_file_was_refused_reports_that_alone() {
    let directory = tempfile::tempdir().unwrap();
    write(
        &directory.path().join("huge.yaml"),
        &format!("version: 1\n# {}\n", "x".repeat(2 * 1024 * 1024)),
    );
    let ran = run(bounded(20).arg("validate").arg(directory.path()));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("alert files may be at most 1048576 bytes"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("no *.yaml or *.yml files here"),
        "{}",
        ran.stderr
    );
}

#[test]
fn an_overlay_directory_at_the_project_root_does_not_read_the_project_file() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::create_dir(directory.path().join("alerts")).unwrap();
    write(&directory.path().join("alerts/one.yaml"), ONE_ALERT);
    write(
        &directory.path().join("flex-alerts.yaml"),
        "version: 1\nalerts: [alerts/]\nenvironments:\n  staging:\n    store: local\n    overlay: ./\n",
    );
    let ran = run(bounded(20)
        .current_dir(directory.path())
        .args(["validate", "--env", "staging"]));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(!ran.stderr.contains("flex-alerts.yaml:"), "{}", ran.stderr);
}

#[test]
fn a_variable_of_the_wrong_type_says_which_types_it_may_be() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::create_dir(directory.path().join("alerts")).unwrap();
    write(&directory.path().join("alerts/one.yaml"), ONE_ALERT);
    write(
        &directory.path().join("flex-alerts.yaml"),
        "version: 1\nalerts: [alerts/]\nenvironments:\n  staging:\n    store: local\n    vars: { W: [a, b] }\n",
    );
    let ran = run(bounded(20).current_dir(directory.path()).arg("validate"));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("error: `W` must be a whole number or text, found a list")
            && ran.stderr.contains("flex-alerts.yaml:6:16"),
        "{}",
        ran.stderr
    );
}
