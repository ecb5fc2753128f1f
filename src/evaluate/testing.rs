//! Running rule tests: each test's series through the engine, its expectations compared with
//! what came out, and the results as text (one line per test, side by side on failure) or
//! JUnit XML for CI test reports.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::engine::{self, Level, State};
use super::escape_xml;
use super::rule;
use super::test_file::{Expected, Test, TestFile, feeds};
use crate::config::desired::Desired;
use crate::config::rules::format_delay;

/// One test's outcome.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub file: String,
    pub name: String,
    pub location: String,
    /// Empty when the test passed: else one line per difference, ready to print.
    pub failures: Vec<String>,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every test of every file.
pub fn run(files: &[TestFile], desired: &Desired) -> Vec<Outcome> {
    files
        .iter()
        .flat_map(|file| {
            file.tests.iter().map(|test| Outcome {
                file: file.file.clone(),
                name: test.name.clone(),
                location: test.location.clone(),
                failures: check(test, desired),
            })
        })
        .collect()
}

fn check(test: &Test, desired: &Desired) -> Vec<String> {
    // Every (alert, queue) a series feeds, evaluated once.
    let mut evaluations = Vec::new();
    for (alert_index, alert) in desired.alerts.iter().enumerate() {
        let rule = rule::from_desired(alert);
        for (queue_index, queue) in alert.queues.iter().enumerate() {
            if let Some(series) = test.series.iter().find(|s| feeds(s, alert, queue)) {
                let evaluation = engine::evaluate(&rule, &series.samples, test.end);
                evaluations.push(((alert_index, queue_index), evaluation));
            }
        }
    }
    let label = |alert: usize, queue: usize| {
        let alert = &desired.alerts[alert];
        format!("{} / {}", alert.name, alert.queues[queue])
    };
    let mut failures = Vec::new();
    for expected in &test.expect {
        let actual = evaluations
            .iter()
            .find(|(key, _)| *key == (expected.alert, expected.queue))
            .map_or(Level::Ok, |(_, evaluation)| {
                evaluation.level_at(expected.at)
            });
        if actual != expected.what {
            failures.push(format!(
                "level at {}  {:<40}  expected {:<9} actual {}",
                format_delay(u32::try_from(expected.at).unwrap_or(u32::MAX)),
                label(expected.alert, expected.queue),
                expected.what.as_str(),
                actual.as_str()
            ));
        }
    }
    if let Some(notifications) = &test.notifications {
        let expected: BTreeSet<Expected<State>> = notifications.iter().copied().collect();
        let actual: BTreeSet<Expected<State>> = evaluations
            .iter()
            .flat_map(|((alert, queue), evaluation)| {
                evaluation.notifications.iter().map(|n| Expected {
                    at: n.at,
                    alert: *alert,
                    queue: *queue,
                    what: n.state,
                })
            })
            .collect();
        if expected != actual {
            let line = |n: &Expected<State>| {
                format!(
                    "{:<6} {:<9} {}",
                    format_delay(u32::try_from(n.at).unwrap_or(u32::MAX)),
                    n.what.as_str(),
                    label(n.alert, n.queue)
                )
            };
            let mut table = format!("notifications  {:<58}  actual", "expected");
            let mut all: Vec<&Expected<State>> = expected.union(&actual).collect();
            all.sort_by_key(|n| (n.at, n.alert, n.queue, n.what));
            for notification in all {
                let left = if expected.contains(notification) {
                    line(notification)
                } else {
                    "-".to_owned()
                };
                let right = if actual.contains(notification) {
                    line(notification)
                } else {
                    "-".to_owned()
                };
                let mark = if left == right { " " } else { "!" };
                let _ = write!(table, "\n  {mark}            {left:<58}  {right}");
            }
            failures.push(table);
        }
    }
    failures
}

/// One line per test, `ok` or `FAILED`, and the differences under a failure; then a summary.
pub fn render_text(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for outcome in outcomes {
        if outcome.passed() {
            let _ = writeln!(out, "ok      {}", outcome.name);
        } else {
            let _ = writeln!(out, "FAILED  {}  ({})", outcome.name, outcome.location);
            for failure in &outcome.failures {
                for line in failure.lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let _ = writeln!(out, "\n{} passed, {failed} failed", outcomes.len() - failed);
    out
}

/// JUnit XML: one `testsuite` per file, one `testcase` per test, a `failure` with the
/// differences for each failed one.
pub fn render_junit(outcomes: &[Outcome]) -> String {
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"flex-alerts\" tests=\"{}\" failures=\"{failed}\">",
        outcomes.len()
    );
    let mut files: Vec<&str> = outcomes.iter().map(|o| o.file.as_str()).collect();
    files.dedup();
    for file in files {
        let cases: Vec<&Outcome> = outcomes.iter().filter(|o| o.file == file).collect();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">",
            escape_xml(file),
            cases.len(),
            cases.iter().filter(|o| !o.passed()).count()
        );
        for case in cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\"",
                escape_xml(&case.name),
                escape_xml(file)
            );
            if case.passed() {
                out.push_str("/>\n");
            } else {
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{} difference(s) at {}\">{}</failure>\n    </testcase>",
                    case.failures.len(),
                    escape_xml(&case.location),
                    escape_xml(&case.failures.join("\n"))
                );
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
