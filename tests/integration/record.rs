//! `flex-alerts record` against the emulator's synthetic day: every derivable metric of every
//! watched queue and channel, a history `backtest` reads, Ctrl-C keeping every row, and the
//! statistics endpoints themselves.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{against_url, process_against, spawn_emulator};

/// An emulator process, stopped when dropped.
struct Emulator(std::process::Child, String);

impl Emulator {
    fn start() -> Emulator {
        let (child, url) = spawn_emulator(&["--listen".as_ref(), "127.0.0.1:0".as_ref()]);
        Emulator(child, url)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn read_rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.split(',').map(str::to_owned).collect())
        .collect()
}

#[test]
fn record_writes_every_derivable_metric_and_backtest_reads_it() {
    let emulator = Emulator::start();
    let directory = tempfile::tempdir().unwrap();
    let out = directory.path().join("history.csv");
    let output = against_url(&emulator.1, directory.path())
        .args(["record", "--every", "1s", "--for", "1s", "--out"])
        .arg(&out)
        .arg("examples/")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("Recorded ") && stderr.contains("in 2 sample(s)"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("time,queue,channel,metric,value\n"));
    let rows = read_rows(&out);
    let has = |queue: &str, channel: &str, metric: &str| {
        rows.iter()
            .any(|row| row[1] == queue && row[2] == channel && row[3] == metric)
    };
    // Billing voice (Waiting), Billing email (Accepted): per channel; agents per queue.
    for metric in [
        "Active (Now)",
        "Waiting (Now)",
        "Longest (Now)",
        "Abandoned (30 min)",
        "Accepted (Today)",
        "Missed Invitations (30 min)",
        "Avg. Speed of Answer (Today)",
    ] {
        assert!(has("Billing", "voice", metric), "{metric}");
    }
    // The service level since midnight exists once a task was answered since midnight: just
    // after midnight UTC the synthetic night may have none yet, and nothing is made up.
    let accepted_today: f64 = rows
        .iter()
        .filter(|row| row[1] == "Billing" && row[2] == "voice" && row[3] == "Accepted (Today)")
        .map(|row| row[4].parse::<f64>().unwrap())
        .fold(0.0, f64::max);
    if accepted_today > 0.0 {
        assert!(
            has("Billing", "voice", "SLA (Today)"),
            "{accepted_today} accepted today"
        );
    }
    assert!(has("Billing", "email", "Accepted (30 min)"));
    for metric in [
        "Available Agents (Now)",
        "Offline Agents (Now)",
        "Unavailable Agents (Now)",
    ] {
        assert!(has("Support", "", metric), "{metric}");
    }
    assert!(!rows.iter().any(|row| row[3] == "Avg. Handle Time (Today)"));
    assert!(
        !rows
            .iter()
            .any(|row| row[3] == "Longest Available Agent (Now)")
    );
    assert!(
        rows.iter()
            .all(|row| row.len() == 5 && row[4].parse::<f64>().is_ok())
    );

    // A second run appends, without a second header; backtest reads the result.
    let before = rows.len();
    let again = against_url(&emulator.1, directory.path())
        .args(["record", "--every", "1s", "--for", "0s", "--out"])
        .arg(&out)
        .arg("examples/")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(again.status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches("time,queue").count(), 1);
    assert!(read_rows(&out).len() > before);
    let backtest = crate::support::cli()
        .args(["backtest", "--format", "json", "--history"])
        .arg(&out)
        .arg("examples/")
        .output()
        .unwrap();
    assert!(
        backtest.status.success(),
        "{}",
        String::from_utf8_lossy(&backtest.stderr)
    );
    let report: Value = serde_json::from_slice(&backtest.stdout).unwrap();
    let billing = report["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|alert| alert["name"] == "Billing voice - callers waiting")
        .unwrap();
    assert_eq!(billing["queues"][0]["has_data"], true);
}

#[test]
fn ctrl_c_stops_recording_and_keeps_every_row() {
    let emulator = Emulator::start();
    let directory = tempfile::tempdir().unwrap();
    let out = directory.path().join("history.csv");
    let mut child = process_against(&emulator.1, directory.path())
        .args(["record", "--every", "1s", "--out"])
        .arg(&out)
        .arg("examples/")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (at most 20 s) for two samples, then interrupt.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut samples = 0;
    while Instant::now() < deadline && samples < 2 {
        std::thread::sleep(Duration::from_millis(100));
        samples = std::fs::read_to_string(&out)
            .map(|text| {
                let mut stamps: Vec<&str> = text.lines().skip(1).map(|l| &l[..20]).collect();
                stamps.dedup();
                stamps.len()
            })
            .unwrap_or(0);
    }
    assert!(samples >= 2, "no samples within 20 s");
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "record did not stop within 20 s of Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("Recorded "), "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.ends_with('\n'), "the last row is whole");
    assert!(
        read_rows(&out).iter().all(|row| row.len() == 5),
        "every row is whole"
    );
}

#[test]
fn record_refuses_a_file_that_is_not_a_history_and_the_sandbox() {
    let emulator = Emulator::start();
    let directory = tempfile::tempdir().unwrap();
    let alert_file = directory.path().join("voice.yaml");
    std::fs::copy(
        crate::support::root().join("examples/voice.yaml"),
        &alert_file,
    )
    .unwrap();
    let refused = against_url(&emulator.1, directory.path())
        .args(["record", "--for", "0s", "--out"])
        .arg(&alert_file)
        .arg("examples/")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not a history"));
    assert_eq!(
        std::fs::read_to_string(&alert_file).unwrap(),
        std::fs::read_to_string(crate::support::root().join("examples/voice.yaml")).unwrap(),
        "left as it was"
    );
    let busy = crate::support::cli()
        .args(["record", "--every", "0s", "--out"])
        .arg(directory.path().join("h.csv"))
        .arg("examples/")
        .output()
        .unwrap();
    assert_eq!(busy.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&busy.stderr).contains("--every must be at least 1s"));
    let sandbox = crate::support::cli()
        .args(["record", "--for", "0s", "--out"])
        .arg(directory.path().join("h.csv"))
        .arg("--store")
        .arg(format!(
            "local:{}",
            directory.path().join("s.json").display()
        ))
        .arg("examples/")
        .output()
        .unwrap();
    assert_eq!(sandbox.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&sandbox.stderr).contains("the sandbox has none of"),
        "{}",
        String::from_utf8_lossy(&sandbox.stderr)
    );
}

#[test]
fn record_shows_progress_on_a_terminal_and_none_through_a_pipe() {
    let emulator = Emulator::start();
    let directory = tempfile::tempdir().unwrap();
    let record = |out: &str| {
        let mut command = process_against(&emulator.1, directory.path());
        command
            .args(["record", "--every", "1s", "--for", "2s", "--out"])
            .arg(directory.path().join(out))
            .arg("examples/");
        command
    };
    let terminal = crate::support::on_terminal(record("terminal.csv"), None);
    assert!(
        terminal.contains("  sample 1: ") && terminal.contains(" so far, 0m0"),
        "{terminal}"
    );
    assert!(terminal.contains("  sample 3: "), "{terminal}");
    let piped = record("piped.csv").output().unwrap();
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(piped.status.success(), "{stderr}");
    assert!(!stderr.contains("  sample "), "{stderr}");
    assert!(stderr.contains("Recorded "), "{stderr}");
}

#[test]
fn the_synthetic_day_is_written_at_once_and_a_backtest_of_it_runs() {
    let directory = tempfile::tempdir().unwrap();
    let alerts = directory.path().join("alerts.yaml");
    std::fs::write(
        &alerts,
        "version: 1\nalerts:\n  - name: Support waiting\n    metric: Waiting (Now)\n    channel: voice\n    queues: [Support]\n    thresholds:\n      critical: { above: 4 }\n",
    )
    .unwrap();
    let out = directory.path().join("day.csv");
    let output = crate::support::cli()
        .args(["record", "--synthetic-day", "--out"])
        .arg(&out)
        .arg(&alerts)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows = read_rows(&out);
    let times: std::collections::BTreeSet<&str> = rows.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(times.len(), 1440, "a sample a minute for a day");
    assert!(
        rows.iter()
            .any(|row| row[1] == "Support" && row[2] == "voice" && row[3] == "Waiting (Now)")
    );
    let backtest = crate::support::cli()
        .args(["backtest", "--history"])
        .arg(&out)
        .arg(&alerts)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&backtest.stdout);
    assert!(
        backtest.status.success(),
        "{}",
        String::from_utf8_lossy(&backtest.stderr)
    );
    assert!(stdout.contains("Support waiting"), "{stdout}");
    assert!(
        !stdout.contains("extrapolated"),
        "a whole day is no extrapolation: {stdout}"
    );
}
