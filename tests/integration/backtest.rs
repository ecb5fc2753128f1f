//! `flex-alerts backtest`: counts on a generated history whose answers are known, the three
//! formats, the plot as SVG, threshold suggestions, and bad rows reported by line.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{cli, root};

const BILLING: &str = "Billing voice - callers waiting";

/// Two days, a sample a minute: Billing's callers waiting is 8 (warning) from 01:00 for ten
/// minutes and 20 (critical) from 02:00 for five, every day; Support's available agents are
/// 1 (critical, below 2) from 03:00 for three minutes on the first day only.
fn generated_history(directory: &Path) -> std::path::PathBuf {
    let mut csv = String::from("time,queue,channel,metric,value\n");
    for day in 0..2 {
        for minute in 0..24 * 60 {
            let time = format!(
                "2026-11-{:02}T{:02}:{:02}:00Z",
                23 + day,
                minute / 60,
                minute % 60
            );
            let waiting = match minute {
                60..70 => 8,
                120..125 => 20,
                _ => 0,
            };
            let agents = if day == 0 && (180..183).contains(&minute) {
                1
            } else {
                6
            };
            let _ = writeln!(csv, "{time},Billing,voice,Waiting (Now),{waiting}");
            let _ = writeln!(csv, "{time},Support,,Available Agents (Now),{agents}");
        }
    }
    let path = directory.join("history.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

fn backtest(history: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let output = cli()
        .arg("backtest")
        .arg("--history")
        .arg(history)
        .arg("examples/")
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn alert<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|alert| alert["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {report:#}"))
}

#[test]
fn counts_on_a_known_history() {
    let directory = tempfile::tempdir().unwrap();
    let history = generated_history(directory.path());
    let (code, stdout, stderr) = backtest(&history, &["--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["format_version"], 1);
    assert_eq!(report["from"], "2026-11-23T00:00:00Z");
    assert_eq!(report["to"], "2026-11-24T23:59:00Z");
    let days = report["days"].as_f64().unwrap();
    assert!((days - 2879.0 / 1440.0).abs() < 1e-9, "{days}");

    // Each day: warning at 01:00, resolved 01:10, critical at 02:00, resolved 02:05.
    let billing = alert(&report, BILLING);
    assert_eq!(billing["episodes"], 4);
    assert_eq!(
        billing["notifications"],
        serde_json::json!({"warning": 2, "critical": 2, "resolved": 4})
    );
    assert!((billing["notifications_per_day"].as_f64().unwrap() - 8.0 / days).abs() < 1e-9);
    assert_eq!(billing["minutes_warning"], 20.0);
    assert_eq!(billing["minutes_critical"], 10.0);
    assert_eq!(billing["longest_episode_minutes"], 10.0);
    assert_eq!(billing["queues"][0]["queue"], "Billing");
    assert_eq!(billing["queues"][0]["has_data"], true);
    assert_eq!(billing["queues"][0]["episodes"], 4);

    // Agents, counted without a channel: critical for three minutes on the first day only.
    let agents = alert(&report, "Support - available agents low");
    assert_eq!(
        agents["notifications"],
        serde_json::json!({"warning": 0, "critical": 1, "resolved": 1})
    );
    assert_eq!(agents["minutes_critical"], 3.0);

    // Alerts the history does not feed are there, with no data.
    let chat = alert(&report, "Support chat - waiting conversations");
    assert_eq!(chat["episodes"], 0);
    assert_eq!(chat["queues"][0]["has_data"], false);
    // Worst first.
    assert_eq!(report["alerts"][0]["name"], BILLING);
}

#[test]
fn text_and_markdown_tables_put_the_worst_first() {
    let directory = tempfile::tempdir().unwrap();
    let history = generated_history(directory.path());
    let (code, stdout, _) = backtest(&history, &[]);
    assert_eq!(code, Some(0));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "Backtest over 2026-11-23T00:00:00Z to 2026-11-24T23:59:00Z (2.0 days, 5760 rows)"
    );
    assert!(
        lines[3].starts_with(BILLING) && lines[3].contains("4.0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Support chat - waiting conversations         no data in the history"),
        "{stdout}"
    );

    let (code, markdown, _) = backtest(&history, &["--format", "markdown"]);
    assert_eq!(code, Some(0));
    assert!(markdown.starts_with("### Backtest\n"), "{markdown}");
    assert!(
        markdown.contains(&format!(
            "| {BILLING} | 4.0 | 2 | 2 | 4 | 4 | 20 | 10 | 10 |"
        )),
        "{markdown}"
    );
}

#[test]
fn target_per_day_suggests_the_least_change_that_meets_it() {
    let directory = tempfile::tempdir().unwrap();
    let history = generated_history(directory.path());
    // Above 8 only the critical stretch notifies: 2 a day. Target 2.5: warning 5 -> 8.
    let (code, stdout, stderr) =
        backtest(&history, &["--format", "json", "--target-per-day", "2.5"]);
    assert_eq!(code, Some(0), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let suggestion = &alert(&report, BILLING)["suggestion"];
    assert_eq!(suggestion["threshold"], "warning");
    assert_eq!(suggestion["direction"], "above");
    assert_eq!(
        (
            suggestion["current"].as_i64(),
            suggestion["suggested"].as_i64()
        ),
        (Some(5), Some(8))
    );
    assert!(suggestion.get("critical").is_none());
    // Target 1: only silence meets it, and the warning passes the critical threshold, which
    // moves along.
    let (_, stdout, _) = backtest(&history, &["--format", "json", "--target-per-day", "1"]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let suggestion = &alert(&report, BILLING)["suggestion"];
    assert_eq!(suggestion["suggested"], 20);
    assert_eq!(suggestion["critical"], serde_json::json!([12, 21]));
    assert_eq!(suggestion["notifications_per_day"], 0.0);
    let (_, text, _) = backtest(&history, &["--target-per-day", "1"]);
    assert!(
        text.contains("  suggestion: warning above 5 -> 20, critical above 12 -> 21 (0.0/day)"),
        "{text}"
    );
}

/// What a plot shows, read from its SVG by Python's XML parser: its marks, texts and colours.
fn read_plot(svg: &Path) -> Value {
    let parse = r#"
import json, sys, xml.etree.ElementTree as ET
ns = {'s': 'http://www.w3.org/2000/svg'}
root = ET.parse(sys.argv[1]).getroot()
def texts(cls):
    return [t.text for t in root.iter('{http://www.w3.org/2000/svg}text') if t.get('class') == cls]
print(json.dumps({
    'series': len(root.findall(".//s:polyline[@class='series']", ns)),
    'notifications': len([g for g in root.iter('{http://www.w3.org/2000/svg}g') if (g.get('class') or '').startswith('notification ')]),
    'notification_marks': len([p for g in root.iter('{http://www.w3.org/2000/svg}g') if (g.get('class') or '').startswith('notification ') for p in g.findall('s:polygon', ns)]),
    'thresholds': len(root.findall(".//s:line[@class='threshold']", ns)),
    'warning': len(root.findall(".//s:rect[@class='warning']", ns)),
    'critical': len(root.findall(".//s:rect[@class='critical']", ns)),
    'shading_titles': [r.find('s:title', ns).text for r in root.iter('{http://www.w3.org/2000/svg}rect') if r.get('class') in ('warning', 'critical')],
    'panels': [g.get('data-queue') for g in root.iter('{http://www.w3.org/2000/svg}g') if g.get('class') == 'panel'],
    'y_label': texts('y-label'),
    'y_ticks': texts('y-tick'),
    'x_ticks': texts('x-tick'),
    'x_label': texts('x-label'),
    'legend': [t.text for g in root.iter('{http://www.w3.org/2000/svg}g') if g.get('class') == 'legend-entry' for t in g.findall('s:text', ns)],
    'threshold_labels': [[t.text, t.get('fill')] for t in root.iter('{http://www.w3.org/2000/svg}text') if t.get('class') == 'threshold-label'],
    'text_fill': root.get('fill'),
}))
"#;
    let parsed = Command::new("python3")
        .args(["-c", parse])
        .arg(svg)
        .output()
        .expect("python3 runs (CI machines have it)");
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    serde_json::from_slice(&parsed.stdout).unwrap()
}

/// WCAG's contrast ratio of `#rrggbb` on white.
fn contrast_on_white(colour: &str) -> f64 {
    let channel = |index: usize| {
        let value =
            f64::from(u8::from_str_radix(&colour[1 + 2 * index..3 + 2 * index], 16).unwrap())
                / 255.0;
        if value <= 0.03928 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
    1.05 / (luminance + 0.05)
}

#[test]
fn plots_read_at_a_glance_units_round_ticks_utc_time_a_legend_and_contrast() {
    let directory = tempfile::tempdir().unwrap();
    let history = generated_history(directory.path());
    let plots = directory.path().join("plots");
    let (code, _, stderr) = backtest(&history, &["--plot", plots.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("Wrote 2 plots to"), "{stderr}");
    let plot = read_plot(&plots.join("billing-voice-callers-waiting.svg"));
    // One queue panel: its line, 8 notifications (a triangle each), two thresholds, two
    // warning and two critical stretches, each saying its queue.
    assert_eq!(plot["panels"], serde_json::json!(["Billing"]));
    assert_eq!(
        [
            &plot["series"],
            &plot["notifications"],
            &plot["notification_marks"],
            &plot["thresholds"],
            &plot["warning"],
            &plot["critical"]
        ],
        [1, 8, 8, 2, 2, 2]
    );
    assert!(
        plot["shading_titles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|title| title.as_str().unwrap().starts_with("Billing: ")),
        "{plot}"
    );
    // The unit, round values (0 to 25 in fives for values up to 20 and thresholds 5 and 12).
    assert_eq!(plot["y_label"], serde_json::json!(["tasks"]));
    assert_eq!(
        plot["y_ticks"],
        serde_json::json!(["0", "5", "10", "15", "20", "25"])
    );
    // Two days: a tick every six hours, as times of day; the time zone named.
    assert_eq!(
        plot["x_ticks"],
        serde_json::json!([
            "00:00", "06:00", "12:00", "18:00", "00:00", "06:00", "12:00", "18:00"
        ])
    );
    assert!(
        plot["x_label"][0]
            .as_str()
            .unwrap()
            .starts_with("time (UTC, hours), 2026-11-23T00:00:00Z to "),
        "{plot}"
    );
    // A legend entry for every kind of mark.
    assert_eq!(
        plot["legend"],
        serde_json::json!([
            "Waiting (Now) per minute",
            "warning threshold (above 5)",
            "time at warning",
            "critical threshold (above 12)",
            "time at critical",
            "notification: warning",
            "notification: critical",
            "notification: resolved"
        ])
    );
    assert_eq!(
        plot["threshold_labels"],
        serde_json::json!([
            ["warning above 5 tasks", "#7a4d00"],
            ["critical above 12 tasks", "#a33a00"]
        ])
    );
    for [_, fill] in plot["threshold_labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|label| [label[0].clone(), label[1].clone()])
    {
        let ratio = contrast_on_white(fill.as_str().unwrap());
        assert!(ratio >= 4.5, "{fill}: contrast {ratio:.2} is below WCAG AA");
    }
    assert!(contrast_on_white(plot["text_fill"].as_str().unwrap()) >= 4.5);
    // The agents alert: its unit, and a panel for its queue.
    let agents = read_plot(&plots.join("support-available-agents-low.svg"));
    assert_eq!(agents["y_label"], serde_json::json!(["agents"]));
}

#[test]
fn bad_rows_are_errors_with_their_line_numbers_and_nothing_is_computed() {
    let directory = tempfile::tempdir().unwrap();
    let history = directory.path().join("bad.csv");
    std::fs::write(
        &history,
        "time,queue,channel,metric,value\n\
         2026-11-23T00:00:00Z,Billing,voice,Waiting (Now),1\n\
         2026-11-23T00:01:00,Billing,voice,Waiting (Now),1\n\
         2026-11-23T00:02:00Z,Billing,voice,Waiting (Now),lots\n",
    )
    .unwrap();
    let (code, stdout, stderr) = backtest(&history, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(stdout, "");
    let name = history.display().to_string();
    assert!(
        stderr.contains(&format!(
            "error: {name}:3: `2026-11-23T00:01:00` is not an RFC 3339 time"
        )) && stderr.contains(&format!("error: {name}:4: `lots` is not a number")),
        "{stderr}"
    );
    assert!(
        stderr.contains("has problems; nothing was computed"),
        "{stderr}"
    );
    let missing = backtest(&root().join("no-such.csv"), &[]);
    assert_eq!(missing.0, Some(1));
    assert!(
        missing.2.contains("cannot read the history"),
        "{}",
        missing.2
    );
}

#[test]
fn plan_with_a_history_shows_notifications_a_day_before_and_after() {
    let directory = tempfile::tempdir().unwrap();
    let history = generated_history(directory.path());
    let alerts = directory.path().join("alerts");
    std::fs::create_dir(&alerts).unwrap();
    for name in [
        "voice.yaml",
        "agents.yaml",
        "messaging.yaml",
        "settings.yaml",
    ] {
        std::fs::copy(root().join("examples").join(name), alerts.join(name)).unwrap();
    }
    let store = format!("local:{}", directory.path().join("sandbox.json").display());
    let flex = |args: &[&str]| {
        cli()
            .args(args)
            .arg("--store")
            .arg(&store)
            .arg(&alerts)
            .env("SLACK_SUPPORT_WEBHOOK", crate::support::WEBHOOK)
            .output()
            .unwrap()
    };
    assert!(flex(&["apply", "--auto-approve"]).status.success());
    // Billing's warning rises above the 8 of its warning stretch; Support's users change
    // (who is told, not when: no figure).
    let voice = std::fs::read_to_string(alerts.join("voice.yaml")).unwrap();
    let voice = voice
        .replace("warning: { above: 5 }", "warning: { above: 9 }")
        .replace("users: [jane.doe, raj.patel]", "users: [jane.doe]");
    std::fs::write(alerts.join("voice.yaml"), voice).unwrap();
    let history = history.to_str().unwrap();

    let text = flex(&["plan", "--history", history]);
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    assert!(
        stdout.contains("notifications on the history: 4.0/day -> 2.0/day"),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("notifications on the history").count(),
        1,
        "{stdout}"
    );

    let markdown = flex(&["plan", "--history", history, "--format", "markdown"]);
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(
        markdown.contains(&format!("| {BILLING} | 4.0/day | 2.0/day |")),
        "{markdown}"
    );

    let json = flex(&["plan", "--history", history, "--format", "json"]);
    let plan: Value = serde_json::from_slice(&json.stdout).unwrap();
    let billing = plan["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|alert| alert["name"] == BILLING)
        .unwrap();
    let days = 2879.0 / 1440.0;
    let paging = &billing["notifications_per_day"];
    assert!(
        (paging["before"].as_f64().unwrap() - 8.0 / days).abs() < 1e-9,
        "{paging}"
    );
    assert!(
        (paging["after"].as_f64().unwrap() - 4.0 / days).abs() < 1e-9,
        "{paging}"
    );
    let support = plan["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|alert| alert["name"] == "Support voice - longest wait")
        .unwrap();
    assert!(support.get("notifications_per_day").is_none());

    // A bad history stops the plan before the store is read.
    let bad = directory.path().join("bad.csv");
    std::fs::write(&bad, "time,value\n").unwrap();
    let refused = flex(&["plan", "--history", bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("the header must be"));
}

#[test]
fn plots_are_written_whole_and_never_executable() {
    use std::os::unix::fs::PermissionsExt;
    let directory = tempfile::tempdir().unwrap();
    let history = generated_history(directory.path());
    let plots = directory.path().join("plots");
    std::fs::create_dir(&plots).unwrap();
    // An earlier plot left executable (a copy from a FAT disk, say) is replaced, not kept so.
    let earlier = plots.join("billing-voice-callers-waiting.svg");
    std::fs::write(&earlier, "old").unwrap();
    std::fs::set_permissions(&earlier, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, _, stderr) = backtest(&history, &["--plot", plots.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    for entry in std::fs::read_dir(&plots).unwrap() {
        let path = entry.unwrap().path();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o111, 0, "{} is {mode:o}", path.display());
        assert!(std::fs::read_to_string(&path).unwrap().starts_with("<svg"));
    }
}

#[test]
fn a_history_shorter_than_a_day_says_its_per_day_figures_are_extrapolated() {
    let directory = tempfile::tempdir().unwrap();
    let history = directory.path().join("short.csv");
    std::fs::write(
        &history,
        "time,queue,channel,metric,value\n2026-11-30T10:00:00Z,Billing,voice,Waiting (Now),20\n2026-11-30T10:03:00Z,Billing,voice,Waiting (Now),1\n",
    )
    .unwrap();
    for format in ["text", "markdown", "json"] {
        let (code, stdout, stderr) = backtest(&history, &["--format", format]);
        assert_eq!(code, Some(0), "{stderr}");
        match format {
            "json" => {
                let document: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                assert_eq!(document["per_day_extrapolated"], true);
            }
            _ => assert!(
                stdout.contains("the history spans 3 minutes, less than a day, so the per-day figures are extrapolated"),
                "{format}: {stdout}"
            ),
        }
    }
}

/// One day of Billing's waiting callers: 8 at 01:00-01:09, 20 at 02:00-02:04, else none.
fn one_day(directory: &Path) -> std::path::PathBuf {
    let mut csv = String::from("time,queue,channel,metric,value\n");
    for minute in 0..24 * 60 {
        let waiting = match minute {
            60..70 => 8,
            120..125 => 20,
            _ => 0,
        };
        let _ = writeln!(
            csv,
            "2026-11-23T{:02}:{:02}:00Z,Billing,voice,Waiting (Now),{waiting}",
            minute / 60,
            minute % 60
        );
    }
    let path = directory.join("day.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn a_markdown_plan_with_a_history_charts_a_changed_threshold_from_the_backtest_figures() {
    let directory = tempfile::tempdir().unwrap();
    let history = one_day(directory.path());
    let sandbox = directory.path().join("sandbox.json");
    let store = format!("local:{}", sandbox.display());
    let flex = || {
        let mut command = cli();
        command.env("SLACK_SUPPORT_WEBHOOK", crate::support::WEBHOOK);
        command
    };
    let applied = flex()
        .args(["apply", "examples/", "--auto-approve", "--store", &store])
        .output()
        .unwrap();
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    let files = directory.path().join("alerts");
    std::fs::create_dir(&files).unwrap();
    for name in [
        "voice.yaml",
        "agents.yaml",
        "messaging.yaml",
        "settings.yaml",
    ] {
        let text =
            std::fs::read_to_string(crate::support::root().join("examples").join(name)).unwrap();
        std::fs::write(
            files.join(name),
            text.replace("critical: { above: 12 }", "critical: { above: 25 }"),
        )
        .unwrap();
    }
    let plan = flex()
        .args([
            "plan",
            "--store",
            &store,
            "--format",
            "markdown",
            "--history",
        ])
        .arg(&history)
        .arg(&files)
        .output()
        .unwrap();
    let markdown = String::from_utf8(plan.stdout).unwrap();
    assert!(
        plan.status.success(),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    let block = markdown
        .split("```mermaid\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_else(|| panic!("no Mermaid chart in {markdown}"));
    assert!(block.starts_with("xychart-beta\n"), "{block}");
    assert!(block.contains("y-axis \"tasks\" 0 --> "), "{block}");
    let series = |kind: &str| -> Vec<Vec<f64>> {
        block
            .lines()
            .filter_map(|line| line.trim().strip_prefix(&format!("{kind} [")))
            .map(|values| {
                values
                    .trim_end_matches(']')
                    .split(", ")
                    .map(|value| value.parse().unwrap())
                    .collect()
            })
            .collect()
    };
    let lines = series("line");
    let mut highest = vec![0.0; 24];
    highest[1] = 8.0;
    highest[2] = 20.0;
    assert_eq!(lines[0], highest, "the hourly highest of the history");
    assert_eq!(
        lines.len(),
        4,
        "the metric, warning (unchanged), critical live and planned: {block}"
    );
    for (line, value) in lines[1..].iter().zip([5.0, 12.0, 25.0]) {
        assert!(line.iter().all(|each| *each == value), "{value}: {block}");
    }
    // The bars are the planned alert's notifications, as backtest counts them.
    let bars = series("bar");
    assert_eq!(bars.len(), 1, "{block}");
    let (_, json, _) = {
        let output = cli()
            .args(["backtest", "--format", "json", "--history"])
            .arg(&history)
            .arg(&files)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stdout).unwrap(),
            (),
        )
    };
    let report: Value = serde_json::from_str(&json).unwrap();
    let counts = &alert(&report, BILLING)["queues"][0];
    let total = ["warning", "critical", "resolved"]
        .iter()
        .map(|state| counts["notifications"][state].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(
        bars[0].iter().sum::<f64>() as u64,
        total,
        "{block}\n{counts}"
    );
    assert!(total > 0);
    assert!(
        markdown.contains(&format!("Notifications in these hours: {total} as planned")),
        "{markdown}"
    );
}

#[test]
fn the_report_page_is_one_self_contained_file_with_every_alert() {
    let directory = tempfile::tempdir().unwrap();
    let history = generated_history(directory.path());
    let page = directory.path().join("report.html");
    let (code, _, stderr) = backtest(
        &history,
        &["--report", page.to_str().unwrap(), "--target-per-day", "1"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    let (_, json, _) = backtest(&history, &["--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = report["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|alert| alert["name"].as_str().unwrap())
        .collect();
    // Every alert, worst first as the backtest has them; a plot for each with data.
    let rows: Vec<&str> = html
        .split("<tr data-alert=\"")
        .skip(1)
        .map(|row| row.split('"').next().unwrap())
        .collect();
    assert_eq!(rows, names);
    assert!(
        html.contains("<figure class=\"plot\" data-alert=\"Billing voice - callers waiting\">")
    );
    assert!(html.contains("<li><strong>Billing voice - callers waiting</strong>: warning above 5 -&gt; 20, critical above 12 -&gt; 21 (0.0/day)</li>"), "the suggestion as the text report says it");
    assert!(
        html.contains(
            "2026-11-23T00:00:00Z to 2026-11-24T23:59:00Z (2.0 days, 5760 rows, 2 series)"
        )
    );
    // Nothing to fetch: no script, no external reference.
    for outside in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(outside), "{outside} in the page");
    }
}
