//! The promise of a reconciler, proven by breaking things: `apply` killed with SIGKILL at many
//! points of a large apply (creates, updates, replaces in both orders, prune), the emulator
//! killed and restarted mid-apply or killed for good, two applies at once, and fault storms.
//! After each, one more apply (or at most three in a storm) converges: the live alerts equal
//! the files, no name is taken twice, every configuration is named by exactly one rule (but
//! those the plan reports as "may exist"), and no rule names a missing configuration.
//!
//! Every wait here is bounded; every figure is printed for the record (`--nocapture`).

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use flex_alerts::apply::journal::{Journal, live_state};
use flex_alerts::apply::report::Outcome;
use flex_alerts::apply::{Silent, apply};
use flex_alerts::emulator::faults::{FaultAction, Faults, ScriptedFault};
use flex_alerts::emulator::http::Emulator;
use flex_alerts::emulator::{Engine, State};
use flex_alerts::plan::{PlanOptions, plan};
use flex_alerts::store::Store;
use flex_alerts::store::twilio::TwilioClient;
use flex_alerts::store::twilio::retry::RetryPolicy;
use serde_json::{Value, json};

use crate::support::*;

/// One alert of the generated contact center; `notify`: none, users, or users and emails.
fn alert(name: &str, metric: &str, critical: u32, notify: Notify) -> String {
    let mut text = format!(
        "  - name: {name}\n    metric: {metric}\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: {{ above: {critical} }}\n"
    );
    if notify != Notify::Off {
        text.push_str("    notify:\n      users: [jane.doe]\n");
    }
    if notify == Notify::UsersAndEmails {
        text.push_str("      emails: [oncall@example.com]\n");
    }
    text
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Notify {
    Off,
    Users,
    UsersAndEmails,
}

/// 95 alerts, 62 of them with notifications: the live state before the big apply.
fn before() -> String {
    let mut text = String::from("version: 1\nalerts:\n");
    for index in 0..95 {
        let notify = if index < 60 || index == 80 || index == 81 {
            Notify::Users
        } else {
            Notify::Off
        };
        text.push_str(&alert(
            &format!("Alert {index:03}"),
            "Waiting (Now)",
            10,
            notify,
        ));
    }
    text
}

/// 99 alerts with prune on, 80 of them with notifications: 69 unchanged, 20 updated (10 of
/// them gain notifications), 2 whose metric changes (at 99 of 100 alerts, one replace creates
/// first and the other deletes first), 4 pruned, 8 new. About 70 writes. Configurations stay
/// 20 below their cap, so the configurations that a kill can leave with an id nobody knows
/// never block the next apply (see docs/plan-and-apply.md: only Twilio can remove those).
fn after() -> String {
    let mut text = String::from("version: 1\nsettings:\n  prune: true\nalerts:\n");
    for index in 0..91 {
        let name = format!("Alert {index:03}");
        text.push_str(&match index {
            0..=59 => alert(&name, "Waiting (Now)", 10, Notify::Users),
            60..=69 => alert(&name, "Waiting (Now)", 20, Notify::Off),
            70..=79 => alert(&name, "Waiting (Now)", 20, Notify::UsersAndEmails),
            80 | 81 => alert(&name, "Longest (Now)", 10, Notify::Users),
            _ => alert(&name, "Waiting (Now)", 10, Notify::Off),
        });
    }
    for index in 0..8 {
        text.push_str(&alert(
            &format!("New {index:03}"),
            "Waiting (Now)",
            10,
            Notify::Users,
        ));
    }
    text
}

fn names_in(yaml: &str) -> Vec<String> {
    let mut names: Vec<String> = yaml
        .lines()
        .filter_map(|line| line.strip_prefix("  - name: "))
        .map(str::to_owned)
        .collect();
    names.sort();
    names
}

/// How far the emulator's state is from a converged one.
#[derive(Debug, Default, PartialEq)]
struct Damage {
    duplicate_names: usize,
    /// Rules naming a configuration that does not exist.
    dangling: usize,
    /// Configurations no rule names.
    unreferenced: usize,
    /// Configurations more than one rule names.
    shared: usize,
}

fn damage(state: &Value) -> Damage {
    let rules = state["rules"].as_array().unwrap();
    let configs: Vec<&str> = state["notification_configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|config| config["ttid"].as_str().unwrap())
        .collect();
    let named: Vec<&str> = rules
        .iter()
        .filter_map(|rule| rule["notify_methods_id"].as_str())
        .collect();
    let mut names: Vec<&str> = rules
        .iter()
        .map(|rule| rule["rule_friendly_name"].as_str().unwrap())
        .collect();
    names.sort();
    let distinct = {
        let mut distinct = names.clone();
        distinct.dedup();
        distinct.len()
    };
    Damage {
        duplicate_names: names.len() - distinct,
        dangling: named.iter().filter(|ttid| !configs.contains(ttid)).count(),
        unreferenced: configs.iter().filter(|ttid| !named.contains(ttid)).count(),
        shared: configs
            .iter()
            .filter(|ttid| named.iter().filter(|name| name == ttid).count() > 1)
            .count(),
    }
}

fn live_names(state: &Value) -> Vec<String> {
    let mut names: Vec<String> = state["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["rule_friendly_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// `plan --format json` must find nothing to do; returns how many configurations it reports
/// as possibly existing with an unknown id.
async fn assert_nothing_to_do(url: &str, state_dir: &Path, file: &Path) -> u64 {
    let plan = run_blocking(
        against_url(url, state_dir),
        &[
            "plan",
            file.to_str().unwrap(),
            "--format",
            "json",
            "--detailed-exitcode",
        ],
    )
    .await;
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let document: Value = serde_json::from_str(&plan.stdout).unwrap();
    document["possible_unknown_notification_configurations"]
        .as_u64()
        .unwrap()
}

/// Converged: the files' alerts, each once, configurations owned one each (but those the
/// plan reports may exist), nothing dangling, and a plan with nothing to do.
async fn assert_converged(url: &str, state: &Value, state_dir: &Path, file: &Path) -> Damage {
    assert_converged_reporting(url, state, state_dir, file)
        .await
        .0
}

/// `assert_converged`, and how many configurations the plan reports may exist.
async fn assert_converged_reporting(
    url: &str,
    state: &Value,
    state_dir: &Path,
    file: &Path,
) -> (Damage, u64) {
    let expected = names_in(&std::fs::read_to_string(file).unwrap());
    assert_eq!(live_names(state), expected);
    let damage = damage(state);
    let possible = assert_nothing_to_do(url, state_dir, file).await;
    assert_eq!(
        (damage.duplicate_names, damage.dangling, damage.shared),
        (0, 0, 0),
        "{damage:?}"
    );
    assert!(
        damage.unreferenced as u64 <= possible,
        "{damage:?}, but the plan reports only {possible} that may exist"
    );
    (damage, possible)
}

/// `flex-alerts apply FILE --auto-approve` against `url`, as a child process to kill.
fn spawn_apply(url: &str, state_dir: &Path, file: &Path) -> Child {
    process_against(url, state_dir)
        .arg("apply")
        .arg(file)
        .arg("--auto-approve")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child` to end, at most `limit`; its exit status and how long it took.
async fn wait_for(child: &mut Child, limit: Duration) -> (Option<i32>, Duration) {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("the child did not end within {limit:?}");
}

/// Waits until `ready` holds, at most `limit`.
async fn until(limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

struct Scenario {
    _files: tempfile::TempDir,
    after: PathBuf,
    /// The emulator's state once `before` is applied.
    start: State,
    /// Writes a clean apply of `after` makes.
    writes: usize,
}

async fn scenario() -> Scenario {
    let files = tempfile::tempdir().unwrap();
    let before_file = files.path().join("before.yaml");
    let after_file = files.path().join("after.yaml");
    std::fs::write(&before_file, before()).unwrap();
    std::fs::write(&after_file, after()).unwrap();
    let emulator = emulator().await;
    let state_dir = tempfile::tempdir().unwrap();
    let setup = run_blocking(
        against(&emulator, state_dir.path()),
        &["apply", before_file.to_str().unwrap(), "--auto-approve"],
    )
    .await;
    assert_eq!(setup.code, 0, "{}", setup.stderr);
    let start: State = serde_json::from_value(emulator.shared.state_json()).unwrap();

    // A clean run, to count its writes and check the scenario does what it says.
    let clean = emulator_with(Engine::restore(start.clone())).await;
    let plan = run_blocking(
        against(&clean, state_dir.path()),
        &["plan", after_file.to_str().unwrap()],
    )
    .await;
    assert!(
        plan.stdout.contains("Plan: 8 to create, 20 to update, 2 to replace, 4 to delete. Alerts after apply: 99/100."),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("+/- replace \"Alert 080\"")
            && plan.stdout.contains("-/+ replace \"Alert 081\""),
        "{}",
        plan.stdout
    );
    clean.shared.clear_requests();
    let applied = run_blocking(
        against(&clean, state_dir.path()),
        &["apply", after_file.to_str().unwrap(), "--auto-approve"],
    )
    .await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let writes = clean
        .shared
        .requests()
        .iter()
        .filter(|request| request.method != "GET")
        .count();
    Scenario {
        _files: files,
        after: after_file,
        start,
        writes,
    }
}

/// Kills `apply` at every other of 24 points spread over the whole apply (`part` 0 or 1),
/// alternately while a write is in flight unprocessed and right after one was applied but
/// before its answer; then one apply must converge.
async fn crash_sweep(part: usize) {
    let scenario = scenario().await;
    let points = 24;
    let mut converged_in_one = 0;
    let mut figures = Vec::new();
    for point in (part..points).step_by(2) {
        let emulator = emulator_with(Engine::restore(scenario.start.clone())).await;
        let state_dir = tempfile::tempdir().unwrap();
        let nth = 1 + point * (scenario.writes - 1) / (points - 1);
        let applied_first = point % 4 >= 2;
        let action = if applied_first {
            FaultAction::ApplyThenHold
        } else {
            FaultAction::Hold
        };
        script(
            &emulator,
            vec![ScriptedFault {
                method: Some("WRITE".to_owned()),
                path_contains: None,
                body_contains: None,
                action,
                times: Some(1),
                skip: (nth - 1) as u32,
            }],
        );
        let mut child = spawn_apply(&emulator.url(), state_dir.path(), &scenario.after);
        let shared = emulator.shared.clone();
        until(Duration::from_secs(30), "the held write", || {
            shared.held() > 0
        })
        .await;
        child.kill().unwrap();
        child.wait().unwrap();
        let at_kill = damage(&emulator.shared.state_json());
        emulator.shared.set_faults(Faults::default());

        let rerun = run_blocking(
            against(&emulator, state_dir.path()),
            &["apply", scenario.after.to_str().unwrap(), "--auto-approve"],
        )
        .await;
        assert_eq!(
            rerun.code, 0,
            "kill at write {nth} (applied first: {applied_first}): the next apply did not converge\n{}\n{}",
            rerun.stdout, rerun.stderr
        );
        converged_in_one += 1;
        let state = emulator.shared.state_json();
        let (left, reported) =
            assert_converged_reporting(&emulator.url(), &state, state_dir.path(), &scenario.after)
                .await;
        figures.push(format!(
            "write {nth:>2} {}: at kill {at_kill:?}; after one apply {left:?}, {reported} reported as may exist",
            if applied_first {
                "applied, unanswered"
            } else {
                "in flight        "
            }
        ));
        emulator.stop();
    }
    println!(
        "crash sweep part {part}: {} kills over {} writes, {converged_in_one} converged in one apply\n{}",
        figures.len(),
        scenario.writes,
        figures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_apply_converges_in_one_more_apply_at_even_kill_points() {
    crash_sweep(0).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_apply_converges_in_one_more_apply_at_odd_kill_points() {
    crash_sweep(1).await;
}

/// `flex-alerts emulator` as its own process, keeping its state in `state`.
struct EmulatorProcess {
    child: Child,
    url: String,
}

impl EmulatorProcess {
    fn start(listen: &str, state: &Path) -> EmulatorProcess {
        let (child, url) = spawn_emulator(&[
            "--listen".as_ref(),
            listen.as_ref(),
            "--latency-ms".as_ref(),
            "10".as_ref(),
            "--state".as_ref(),
            state.as_os_str(),
        ]);
        EmulatorProcess { child, url }
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Writes it has answered so far.
    async fn writes(&self) -> usize {
        let requests: Vec<Value> = raw_http()
            .get(format!("{}/__admin/requests", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        requests
            .iter()
            .filter(|request| request["method"] != "GET")
            .count()
    }

    async fn state(&self) -> Value {
        raw_http()
            .get(format!("{}/__admin/state", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// 45 alerts with notifications, from nothing: 90 writes.
fn forty_five(directory: &Path) -> PathBuf {
    let mut text = String::from("version: 1\nalerts:\n");
    for index in 0..45 {
        text.push_str(&alert(
            &format!("Alert {index:03}"),
            "Waiting (Now)",
            10,
            if index % 2 == 0 {
                Notify::UsersAndEmails
            } else {
                Notify::Users
            },
        ));
    }
    let file = directory.join("alerts.yaml");
    std::fs::write(&file, text).unwrap();
    file
}

#[tokio::test(flavor = "multi_thread")]
async fn emulator_killed_and_restarted_mid_apply_then_one_apply_converges() {
    let directory = tempfile::tempdir().unwrap();
    let file = forty_five(directory.path());
    let state = directory.path().join("emulator.json");
    let first = EmulatorProcess::start("127.0.0.1:0", &state);
    let listen = first.url.trim_start_matches("http://").to_owned();
    let state_dir = tempfile::tempdir().unwrap();
    let mut apply = spawn_apply(&first.url, state_dir.path(), &file);
    let started = Instant::now();
    while first.writes().await < 20 {
        assert!(started.elapsed() < Duration::from_secs(30), "no progress");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = EmulatorProcess::start(&listen, &state);
    let (code, took) = wait_for(&mut apply, Duration::from_secs(60)).await;
    println!("apply across the restart exited {code:?} after {took:?}");

    let rerun = run_blocking(
        against_url(&second.url, state_dir.path()),
        &["apply", file.to_str().unwrap(), "--auto-approve"],
    )
    .await;
    assert_eq!(rerun.code, 0, "{}\n{}", rerun.stdout, rerun.stderr);
    let live = second.state().await;
    assert_converged(&second.url, &live, state_dir.path(), &file).await;
    second.kill();
}

#[tokio::test(flavor = "multi_thread")]
async fn emulator_killed_for_good_makes_apply_exit_1_within_30_seconds() {
    let directory = tempfile::tempdir().unwrap();
    let file = forty_five(directory.path());
    let emulator = EmulatorProcess::start("127.0.0.1:0", &directory.path().join("emulator.json"));
    let state_dir = tempfile::tempdir().unwrap();
    let mut apply = spawn_apply(&emulator.url, state_dir.path(), &file);
    let started = Instant::now();
    while emulator.writes().await < 20 {
        assert!(started.elapsed() < Duration::from_secs(30), "no progress");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    emulator.kill();
    let (code, took) = wait_for(&mut apply, Duration::from_secs(60)).await;
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut apply.stderr.take().unwrap(), &mut stderr).unwrap();
    println!("apply gave up on the vanished store {took:?} after it was killed");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(took < Duration::from_secs(30), "{took:?}\n{stderr}");
    assert!(stderr.contains("the store stopped answering"), "{stderr}");
    assert!(
        stderr.contains("skipped: "),
        "steps not started are skipped: {stderr}"
    );
}

/// Twenty alerts, and other versions of them: new thresholds for half, a new metric for two
/// (version 2: the even ones and 0, 1; version 3: the odd ones and 2, 3); version 4: new
/// thresholds for all and a metric for 2 and 4 that no other version has.
fn twenty(directory: &Path, version: u32) -> PathBuf {
    let mut text = String::from("version: 1\nalerts:\n");
    for index in 0..20 {
        let (metric, critical) = match (version, index) {
            (2, 0 | 1) => ("Longest (Now)", 10),
            (2, index) if index % 2 == 0 => ("Waiting (Now)", 30),
            (3, 2 | 3) => ("Active (Now)", 10),
            (3, index) if index % 2 == 1 => ("Waiting (Now)", 40),
            (4, 2 | 4) => ("Longest (Now)", 50),
            (4, _) => ("Waiting (Now)", 50),
            _ => ("Waiting (Now)", 10),
        };
        text.push_str(&alert(
            &format!("Alert {index:03}"),
            metric,
            critical,
            if index % 3 == 0 {
                Notify::UsersAndEmails
            } else {
                Notify::Users
            },
        ));
    }
    let file = directory.join(format!("v{version}.yaml"));
    std::fs::write(&file, text).unwrap();
    file
}

#[tokio::test(flavor = "multi_thread")]
async fn two_applies_at_once_then_one_apply_converges() {
    let files = tempfile::tempdir().unwrap();
    let first_version = twenty(files.path(), 1);
    let second_version = twenty(files.path(), 2);
    let mut figures = Vec::new();
    for round in 0..12 {
        let same_files = round % 2 == 0;
        let shared_journal = round % 4 >= 2;
        let emulator = emulator().await;
        emulator.shared.set_faults(Faults {
            latency_ms: 5,
            ..Faults::default()
        });
        let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let state_b = if shared_journal {
            dir_a.path()
        } else {
            dir_b.path()
        };
        let file_a = if same_files {
            &second_version
        } else {
            &first_version
        };
        let mut a = spawn_apply(&emulator.url(), dir_a.path(), file_a);
        let mut b = spawn_apply(&emulator.url(), state_b, &second_version);
        let (code_a, _) = wait_for(&mut a, Duration::from_secs(60)).await;
        let (code_b, _) = wait_for(&mut b, Duration::from_secs(60)).await;
        let state = emulator.shared.state_json();
        let raced = damage(&state);
        let rules_after_race = state["rules"].as_array().unwrap().len();
        emulator.shared.set_faults(Faults::default());

        let next = run_blocking(
            against(&emulator, state_b),
            &["apply", second_version.to_str().unwrap(), "--auto-approve"],
        )
        .await;
        assert_eq!(
            next.code, 0,
            "round {round}: the next apply did not converge\n{}\n{}",
            next.stdout, next.stderr
        );
        let state = emulator.shared.state_json();
        let left = assert_converged(&emulator.url(), &state, state_b, &second_version).await;
        assert_eq!(left, Damage::default(), "round {round}");
        figures.push(format!(
            "round {round:>2} (same files: {same_files}, shared journal: {shared_journal}): exits {code_a:?}/{code_b:?}, {rules_after_race} rules after the race {raced:?}; converged in one apply"
        ));
        emulator.stop();
    }
    println!("races:\n{}", figures.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn three_applies_at_once_of_different_files_then_one_apply_converges() {
    let files = tempfile::tempdir().unwrap();
    let versions = [1, 2, 3].map(|version| twenty(files.path(), version));
    let mut figures = Vec::new();
    for round in 0..6 {
        let emulator = emulator().await;
        emulator.shared.set_faults(Faults {
            latency_ms: 20,
            ..Faults::default()
        });
        let directories: Vec<tempfile::TempDir> =
            (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
        let mut children: Vec<Child> = directories
            .iter()
            .zip(&versions)
            .map(|(directory, file)| spawn_apply(&emulator.url(), directory.path(), file))
            .collect();
        let mut codes = Vec::new();
        for child in &mut children {
            codes.push(wait_for(child, Duration::from_secs(60)).await.0);
        }
        let state = emulator.shared.state_json();
        let raced = damage(&state);
        emulator.shared.set_faults(Faults::default());
        // The next apply, of one of the three, from one of their state directories.
        let (file, directory) = (&versions[round % 3], directories[round % 3].path());
        let next = run_blocking(
            against(&emulator, directory),
            &["apply", file.to_str().unwrap(), "--auto-approve"],
        )
        .await;
        assert_eq!(
            next.code, 0,
            "round {round}: the next apply did not converge\n{}\n{}",
            next.stdout, next.stderr
        );
        let state = emulator.shared.state_json();
        let left = assert_converged(&emulator.url(), &state, directory, file).await;
        assert_eq!(left, Damage::default(), "round {round}");
        figures.push(format!(
            "round {round}: exits {codes:?}, after the race {raced:?}; converged in one apply"
        ));
        emulator.stop();
    }
    println!("three at once:\n{}", figures.join("\n"));
}

/// What three applies at once of three different files can leave at worst: every alert
/// three times, each copy as one file has it (other thresholds, another metric), with its own
/// configuration. One apply must repair it, of one of those files (a copy matches) or of a
/// newer one that no copy matches (updated in place, or replaced where no copy has the metric).
#[tokio::test(flavor = "multi_thread")]
async fn copies_left_by_three_applies_of_different_files_are_repaired_by_one_apply() {
    let files = tempfile::tempdir().unwrap();
    let versions = [1, 2, 3].map(|version| twenty(files.path(), version));
    let mut objects = json!({"rules": [], "notification_configs": []});
    for file in &versions {
        let alone = emulator().await;
        let state_dir = tempfile::tempdir().unwrap();
        let applied = run_blocking(
            against(&alone, state_dir.path()),
            &["apply", file.to_str().unwrap(), "--auto-approve"],
        )
        .await;
        assert_eq!(applied.code, 0, "{}", applied.stderr);
        // Each emulator mints the same SIDs and TTIDs in the same order; one Flex would not.
        let version = objects["rules"].as_array().unwrap().len() / 20;
        let mut text = alone.shared.state_json().to_string();
        for (index, rule) in alone.shared.state_json()["rules"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let sid = rule["sid"].as_str().unwrap();
            text = text.replace(sid, &format!("QY{version:02}{index:030x}"));
            if let Some(ttid) = rule["notify_methods_id"].as_str() {
                let unique = format!("{}{version}{index:02}", &ttid[..ttid.len() - 3]);
                text = text.replace(ttid, &unique);
            }
        }
        let state: Value = serde_json::from_str(&text).unwrap();
        for key in ["rules", "notification_configs"] {
            objects[key]
                .as_array_mut()
                .unwrap()
                .extend(state[key].as_array().unwrap().iter().cloned());
        }
    }
    for (index, version) in [&versions[1], &twenty(files.path(), 4)]
        .into_iter()
        .enumerate()
    {
        let emulator = emulator().await;
        emulator
            .shared
            .insert(serde_json::from_value(objects.clone()).unwrap())
            .unwrap();
        let before = damage(&emulator.shared.state_json());
        assert_eq!(before.duplicate_names, 40, "{before:?}");
        let state_dir = tempfile::tempdir().unwrap();
        let next = run_blocking(
            against(&emulator, state_dir.path()),
            &["apply", version.to_str().unwrap(), "--auto-approve"],
        )
        .await;
        assert_eq!(
            next.code, 0,
            "repair {index}: {}\n{}",
            next.stdout, next.stderr
        );
        let state = emulator.shared.state_json();
        let left = assert_converged(&emulator.url(), &state, state_dir.path(), version).await;
        assert_eq!(left, Damage::default(), "repair {index}");
    }
}

/// A storm against the in-process emulator, at `concurrency`, through the library (short
/// retry waits); applies until a plan finds nothing to do. Returns how many applies that took.
///
/// Three applies must do, but for one cause that no number of applies can rule out: a
/// configuration create whose outcome is unknown is never sent twice (it could make a
/// second configuration nobody can list), so each apply tries it once. Past the third
/// apply, that must be the only failure left.
async fn weather(faults: Faults, seed: u64, concurrency: usize) -> (usize, Damage) {
    let emulator = seeded_emulator(seed).await;
    let client = TwilioClient::new(flex_alerts::store::twilio::ClientConfig {
        concurrency,
        retry: RetryPolicy {
            max_retries: 8,
            min_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(40),
            max_total: Duration::from_secs(20),
        },
        ..client_config(&emulator)
    })
    .unwrap();
    let state_dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(state_dir.path(), &client.describe(), true).unwrap();
    let desired = load(&["examples/"]).desired;
    for applies in 1..=10 {
        emulator.shared.set_faults(faults.clone());
        let live = live_state(&client, &journal, concurrency).await;
        let planned = live.map(|live| plan(&desired, &live, PlanOptions::default()));
        let Ok(Ok(planned)) = planned else {
            assert!(
                applies <= 3,
                "seed {seed}: apply {applies} could not even plan"
            );
            continue;
        };
        let report = apply(&planned, &client, concurrency, &journal, &Silent).await;
        if applies > 3 {
            for step in &report.steps {
                let unknown_create = step
                    .label
                    .starts_with("create the notification configuration")
                    && matches!(&step.outcome, Outcome::Failed(error) if error.contains("whether it was applied is unknown"));
                let waits_for_it = step.label.starts_with("create alert")
                    && matches!(&step.outcome, Outcome::Skipped(reason) if reason.contains("it needs: create the notification configuration"));
                assert!(
                    matches!(step.outcome, Outcome::Done) || unknown_create || waits_for_it,
                    "seed {seed}, apply {applies}: {}",
                    report.render()
                );
            }
        }
        emulator.shared.set_faults(Faults::default());
        let live = live_state(&client, &journal, concurrency).await.unwrap();
        if !plan(&desired, &live, PlanOptions::default())
            .unwrap()
            .has_changes()
        {
            let left = damage(&emulator.shared.state_json());
            assert!(
                left.unreferenced <= live.possible_configs,
                "{left:?}, possible: {}",
                live.possible_configs
            );
            assert_eq!(
                (left.duplicate_names, left.dangling, left.shared),
                (0, 0, 0)
            );
            return (applies, left);
        }
    }
    panic!("seed {seed}: not converged within 10 applies");
}

/// An emulator whose random faults are drawn from `seed`.
async fn seeded_emulator(seed: u64) -> Emulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    Emulator::start(
        listener,
        Engine::new(&flex_alerts::emulator::Seed::builtin()),
        Faults::default(),
        seed,
        flex_alerts::emulator::http::DEFAULT_MAX_BODY_BYTES,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_storms_converge_and_past_three_applies_only_unknown_configuration_creates_remain() {
    let seeds: u64 = std::env::var("FLEX_ALERTS_STORM_SEEDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(5);
    let storms: Vec<(&str, Faults, usize)> = vec![
        (
            "30% 503",
            Faults {
                error_rate: 0.3,
                error_status: 503,
                ..Faults::default()
            },
            1,
        ),
        (
            "30% 500",
            Faults {
                error_rate: 0.3,
                error_status: 500,
                ..Faults::default()
            },
            1,
        ),
        (
            "20% dropped connections",
            Faults {
                drop_rate: 0.2,
                ..Faults::default()
            },
            1,
        ),
        (
            "30% writes applied, answer lost",
            Faults {
                apply_then_fail_rate: 0.15,
                apply_then_drop_rate: 0.15,
                ..Faults::default()
            },
            1,
        ),
        (
            "2 in flight, Retry-After: 1",
            Faults {
                concurrency_limit: Some(2),
                retry_after: Some("1".to_owned()),
                ..Faults::default()
            },
            4,
        ),
    ];
    for (name, faults, concurrency) in storms {
        let mut applies = Vec::new();
        let mut unreferenced = 0;
        for seed in 1..=seeds {
            let (count, left) = weather(faults.clone(), seed, concurrency).await;
            applies.push(count);
            unreferenced += left.unreferenced;
        }
        let within_three = applies.iter().filter(|count| **count <= 3).count();
        println!(
            "storm {name}: applies to converge per fault seed {applies:?} ({within_three} of {seeds} within 3); 0 duplicates, 0 dangling, {unreferenced} configurations left unreferenced, each reported as may exist"
        );
    }
}

/// A state directory whose journal runs out of room part way through an apply: on a tiny
/// tmpfs, nearly full, where this machine lets the test mount one (it runs as root), else
/// under a file size limit on the apply process (`prlimit --fsize`). Either way the journal's
/// writes fail for real, as on a full disk; dropping it frees the room.
struct NearlyFull {
    directory: tempfile::TempDir,
    mounted: bool,
    /// The journal's size limit, when no tmpfs could be mounted.
    limit: Option<u64>,
}

impl NearlyFull {
    /// Room for about `bytes` of journal.
    fn new(bytes: u64) -> NearlyFull {
        let directory = tempfile::tempdir().unwrap();
        let size = format!("size={}k", bytes.div_ceil(1024) + 8);
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &size, "tmpfs"])
            .arg(directory.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if mounted {
            // Leave about `bytes` free: the rest is taken by a file.
            let filler = vec![b'x'; 8 * 1024];
            std::fs::write(directory.path().join("filler"), filler).unwrap();
        }
        NearlyFull {
            directory,
            mounted,
            limit: (!mounted).then_some(bytes),
        }
    }

    fn path(&self) -> &Path {
        self.directory.path()
    }

    /// `apply FILE --auto-approve` with this state directory, as the limit allows.
    fn apply(&self, url: &str, file: &Path) -> std::process::Command {
        let base = process_against(url, self.path());
        let mut command = match self.limit {
            None => process_against(url, self.path()),
            Some(limit) => {
                let mut command = std::process::Command::new("sh");
                command
                    .arg("-c")
                    .arg(format!(
                        "trap '' XFSZ; exec prlimit --fsize={limit} -- \"$@\""
                    ))
                    .arg("sh")
                    .arg(base.get_program());
                for (key, value) in base.get_envs() {
                    match value {
                        Some(value) => command.env(key, value),
                        None => command.env_remove(key),
                    };
                }
                command.current_dir(base.get_current_dir().unwrap());
                command
            }
        };
        command.arg("apply").arg(file).arg("--auto-approve");
        command
    }

    /// Frees the room: the filler goes (tmpfs), or the limit (file size).
    fn free(&mut self) {
        let _ = std::fs::remove_file(self.path().join("filler"));
        if self.mounted {
            // Room for everything: remount larger.
            let status = std::process::Command::new("mount")
                .args(["-o", "remount,size=4m"])
                .arg(self.path())
                .status()
                .unwrap();
            assert!(status.success());
        }
        self.limit = None;
    }
}

impl Drop for NearlyFull {
    fn drop(&mut self) {
        if self.mounted {
            let _ = std::process::Command::new("umount")
                .arg(self.directory.path())
                .status();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_during_apply_leaves_no_configuration_behind_and_the_next_apply_converges() {
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("many.yaml");
    let mut text = String::from("version: 1\nalerts:\n");
    for index in 0..80 {
        text.push_str(&alert(
            &format!("Alert {index:03}"),
            "Waiting (Now)",
            10,
            Notify::Users,
        ));
    }
    std::fs::write(&file, text).unwrap();
    let emulator = emulator().await;
    // Room for about half the journal's lines (two of about 120 bytes per configuration).
    let mut disk = NearlyFull::new(12 * 1024);
    let how = if disk.mounted {
        "a nearly full tmpfs"
    } else {
        "a file size limit"
    };

    let output = tokio::task::spawn_blocking({
        let mut command = disk.apply(&emulator.url(), &file);
        move || command.output().unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{how}: {stderr}");
    assert!(
        stderr.contains("record the step in the apply journal: ")
            && (stderr.contains("No space left on device") || stderr.contains("File too large"))
            && stderr.contains("hint: free space on the disk that holds the apply journal"),
        "{how}: {stderr}"
    );
    assert!(!stderr.contains("check the network"), "{how}: {stderr}");
    let state = emulator.shared.state_json();
    let hurt = damage(&state);
    let created = state["notification_configs"].as_array().unwrap().len();
    let rules_then = state["rules"].as_array().unwrap().len();
    assert!(
        created > 0,
        "the journal failed before anything was created: {stderr}"
    );
    assert_eq!(
        (hurt.unreferenced, hurt.dangling),
        (0, 0),
        "{how}: every configuration whose id came back is named by its rule or deleted: {hurt:?}\n{stderr}"
    );

    disk.free();
    let next = run_blocking(
        assert_cmd::Command::from_std(disk.apply(&emulator.url(), &file)),
        &[],
    )
    .await;
    assert_eq!(next.code, 0, "{how}: {}\n{}", next.stdout, next.stderr);
    let state = emulator.shared.state_json();
    let left = assert_converged(&emulator.url(), &state, disk.path(), &file).await;
    assert_eq!(left, Damage::default());
    println!(
        "full disk ({how}): the first apply stopped with {rules_then} rules and {created} configurations, none unreferenced; the next apply converged"
    );
}
