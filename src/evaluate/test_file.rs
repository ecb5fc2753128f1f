//! Rule test files (`*.test.yaml`), version 1: series of metric values, the levels and the
//! notifications expected from the alerts. As Rust types (the source of their JSON Schema),
//! and checked against the alert files with every problem at its `FILE:LINE:COLUMN`.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::Deserialize;

use super::engine::{Level, Sample, State};
use crate::common::shown::excerpt;
use crate::common::suggest;
use crate::common::yaml::SpanIndex;
use crate::config::desired::{Desired, DesiredAlert};
use crate::config::diagnostic::Diagnostic;
use crate::config::model::Version;
use crate::config::rules::parse_delay;
use crate::config::schema::{self, Compiled};
use crate::config::source_file::SourceFile;
use crate::flex::Metric;

/// A flex-alerts rule test file: metric series, and what the alerts must do with them.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "flex-alerts test file",
    extend("$id" = "https://flex-alerts.dev/schemas/flex-alerts-test.schema.json")
)]
pub struct TestFileContent {
    /// Format version of this file. Always `1`.
    pub version: Version,
    /// The spacing of the values of every series, e.g. `30s`, `1m`, `5m`. Default `1m`.
    #[serde(default)]
    #[schemars(regex(pattern = r"^([0-9]+m([0-9]+s)?|[0-9]+s)$"), example = &"1m")]
    pub interval: Option<String>,
    /// The tests, each run on its own series.
    #[schemars(length(min = 1))]
    pub tests: Vec<TestCase>,
}

/// One test: series in, levels and notifications expected out.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// What the test shows, e.g. `Support wait escalates`. Unique in its file.
    #[schemars(length(min = 1))]
    pub name: String,
    /// One series per metric, queue and channel.
    #[schemars(length(min = 1))]
    pub series: Vec<SeriesSpec>,
    /// The level of one alert for one queue at given times.
    #[serde(default)]
    pub expect: Vec<Expectation>,
    /// When given: exactly these notifications, and nothing more, from every alert and queue
    /// the series feed.
    #[serde(default)]
    pub notifications: Option<Vec<ExpectedNotification>>,
}

/// The values of one metric for one queue and channel.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesSpec {
    pub metric: Metric,
    /// The queue as the alert files name it: its name or `WQ...` SID.
    #[schemars(length(min = 1))]
    pub queue: String,
    /// The channel as the alert files name it (`voice`, or a `TC...` SID). Omitted for the
    /// agent-activity metrics (agents available, offline, unavailable; longest available
    /// agent), which have none.
    #[serde(default)]
    pub channel: Option<String>,
    /// Whole numbers separated by spaces, one per interval from 0: `VxN` repeats V N times, `_`
    /// is a missing sample (the previous value keeps holding), e.g. `0 130 0 130x4 _ 0x3`.
    #[schemars(length(min = 1), example = &"0 130 0 130x4 0x3")]
    pub values: String,
}

/// The level one alert must be at for one queue at one time.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// A time from the start of the series, e.g. `0s`, `3m`, `4m30s`.
    #[schemars(regex(pattern = r"^([0-9]+m([0-9]+s)?|[0-9]+s)$"), example = &"3m")]
    pub at: String,
    /// The alert's name, as in its alert file.
    pub alert: String,
    /// A queue the alert watches, as the alert file names it.
    pub queue: String,
    pub level: ExpectedLevel,
}

/// One notification an alert must send.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedNotification {
    /// When it is sent, from the start of the series.
    #[schemars(regex(pattern = r"^([0-9]+m([0-9]+s)?|[0-9]+s)$"), example = &"4m30s")]
    pub at: String,
    /// The alert that sends it, by name.
    #[schemars(example = &"Support voice - longest wait")]
    pub alert: String,
    /// The queue it is about, as the alert files name it: its name or `WQ...` SID.
    #[schemars(example = &"Support")]
    pub queue: String,
    pub state: ExpectedState,
}

/// A level: `ok`, `warning` or `critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpectedLevel {
    Ok,
    Warning,
    Critical,
}

/// What a notification says: `warning`, `critical` or `resolved`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpectedState {
    Warning,
    Critical,
    Resolved,
}

impl From<ExpectedLevel> for Level {
    fn from(level: ExpectedLevel) -> Level {
        match level {
            ExpectedLevel::Ok => Level::Ok,
            ExpectedLevel::Warning => Level::Warning,
            ExpectedLevel::Critical => Level::Critical,
        }
    }
}

impl From<ExpectedState> for State {
    fn from(state: ExpectedState) -> State {
        match state {
            ExpectedState::Warning => State::Warning,
            ExpectedState::Critical => State::Critical,
            ExpectedState::Resolved => State::Resolved,
        }
    }
}

/// The schema as committed in `schemas/flex-alerts-test.schema.json`.
pub fn schema() -> serde_json::Value {
    schema::generate_for::<TestFileContent>()
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| Compiled::new(schema()))
}

/// A test file, checked: every name resolved, every time in seconds.
#[derive(Debug, Clone)]
pub struct TestFile {
    pub file: String,
    pub tests: Vec<Test>,
}

#[derive(Debug, Clone)]
pub struct Test {
    pub name: String,
    /// `FILE:LINE:COLUMN` of its name.
    pub location: String,
    pub series: Vec<Series>,
    /// The end of the data: the longest series' length.
    pub end: i64,
    pub expect: Vec<Expected<Level>>,
    pub notifications: Option<Vec<Expected<State>>>,
}

/// The values of one metric for one queue and channel, as samples.
#[derive(Debug, Clone)]
pub struct Series {
    pub metric: Metric,
    pub queue: String,
    pub channel: Option<String>,
    pub samples: Vec<Sample>,
}

/// An expected level or notification: at a time, of an alert (by its index in `Desired`) for
/// a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expected<T> {
    pub at: i64,
    pub alert: usize,
    pub queue: usize,
    pub what: T,
}

/// Whether `series` feeds `alert` on its queue `queue`.
pub fn feeds(series: &Series, alert: &DesiredAlert, queue: &str) -> bool {
    series.metric == alert.metric
        && series.queue == queue
        && (series.metric.is_agent_activity() || series.channel == alert.channel)
}

/// Reads and checks one test file against the alerts in `desired`.
pub fn load(source: &SourceFile, desired: &Desired) -> Result<TestFile, Vec<Diagnostic>> {
    let (content, spans): (TestFileContent, SpanIndex) =
        crate::config::document::parse_document(source, compiled(), ("test file", "tests"))?;
    let checker = Checker {
        file: &source.display,
        text: &source.text,
        spans: &spans,
        desired,
        problems: Vec::new(),
    };
    checker.check(content)
}

struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    spans: &'a SpanIndex,
    desired: &'a Desired,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, pointer: &str, message: String, hint: Option<String>) {
        let span = self
            .spans
            .value(pointer)
            .or_else(|| self.spans.nearest(pointer));
        self.problems
            .push(Diagnostic::error(self.file, span, message).with_optional_hint(hint));
    }

    fn check(mut self, content: TestFileContent) -> Result<TestFile, Vec<Diagnostic>> {
        let interval = match content.interval.as_deref().map(parse_delay) {
            None => 60,
            Some(Some(0)) | Some(None) => {
                self.error(
                    "/interval",
                    "`interval` must be longer than 0s".into(),
                    Some("e.g. `30s`, `1m`".into()),
                );
                60
            }
            Some(Some(seconds)) => i64::from(seconds),
        };
        let mut tests = Vec::new();
        let mut names = std::collections::HashSet::new();
        for (index, case) in content.tests.into_iter().enumerate() {
            let pointer = format!("/tests/{index}");
            if !names.insert(case.name.clone()) {
                self.error(
                    &format!("{pointer}/name"),
                    format!("duplicate test name `{}`", case.name),
                    Some("names are unique in a file, so a failure names one test".into()),
                );
            }
            tests.push(self.test(&pointer, case, interval));
        }
        if self.problems.is_empty() {
            Ok(TestFile {
                file: self.file.to_owned(),
                tests,
            })
        } else {
            Err(self.problems)
        }
    }

    fn test(&mut self, pointer: &str, case: TestCase, interval: i64) -> Test {
        let mut series: Vec<Series> = Vec::new();
        for (index, spec) in case.series.iter().enumerate() {
            let here = format!("{pointer}/series/{index}");
            let channel = if spec.metric.is_agent_activity() {
                None
            } else if spec.channel.is_none() {
                self.error(
                    &here,
                    format!(
                        "`{}` is counted per channel: give its `channel`",
                        spec.metric
                    ),
                    Some("e.g. `channel: voice`, as the alert files name it".into()),
                );
                None
            } else {
                spec.channel.clone()
            };
            let samples = self.values(&format!("{here}/values"), &spec.values, interval);
            let candidate = Series {
                metric: spec.metric,
                queue: spec.queue.clone(),
                channel,
                samples,
            };
            if series.iter().any(|s| {
                s.metric == candidate.metric
                    && s.queue == candidate.queue
                    && s.channel == candidate.channel
            }) {
                self.error(
                    &here,
                    format!(
                        "a second series for `{}` on queue `{}`",
                        spec.metric, spec.queue
                    ),
                    Some("give one series per metric, queue and channel".into()),
                );
            }
            series.push(candidate);
        }
        let end = case
            .series
            .iter()
            .map(|spec| value_count(&spec.values) * interval)
            .max()
            .unwrap_or(0);
        let expect = case
            .expect
            .iter()
            .enumerate()
            .filter_map(|(index, e)| {
                let here = format!("{pointer}/expect/{index}");
                let (at, alert, queue) =
                    self.target(&here, (&e.at, &e.alert, &e.queue), &series, end)?;
                Some(Expected {
                    at,
                    alert,
                    queue,
                    what: Level::from(e.level),
                })
            })
            .collect();
        let notifications = case.notifications.as_ref().map(|expected| {
            expected
                .iter()
                .enumerate()
                .filter_map(|(index, n)| {
                    let here = format!("{pointer}/notifications/{index}");
                    let (at, alert, queue) =
                        self.target(&here, (&n.at, &n.alert, &n.queue), &series, end)?;
                    Some(Expected {
                        at,
                        alert,
                        queue,
                        what: State::from(n.state),
                    })
                })
                .collect()
        });
        let location = self
            .spans
            .value(&format!("{pointer}/name"))
            .map_or(self.file.to_owned(), |span| {
                format!("{}:{}:{}", self.file, span.line, span.column)
            });
        Test {
            name: case.name,
            location,
            series,
            end,
            expect,
            notifications,
        }
    }

    /// Resolves `(at, alert, queue)` of an expectation at `here`: the time within the data, an
    /// alert the files declare, a queue it watches, and a series that feeds it there.
    fn target(
        &mut self,
        here: &str,
        (at, alert, queue): (&str, &str, &str),
        series: &[Series],
        end: i64,
    ) -> Option<(i64, usize, usize)> {
        let seconds = i64::from(parse_delay(at)?);
        let mut ok = true;
        if seconds >= end {
            self.error(
                &format!("{here}/at"),
                format!(
                    "`at: {at}` is past the series, which end at {}",
                    crate::config::rules::format_delay(u32::try_from(end).unwrap_or(u32::MAX))
                ),
                Some("make a series longer, or test an earlier time".into()),
            );
            ok = false;
        }
        let Some(index) = self.desired.alerts.iter().position(|a| a.name == alert) else {
            if self.desired.left_out.iter().any(|name| name == alert) {
                // Declared, and left out for problems reported where it is declared.
                return None;
            }
            let names: Vec<String> = self.desired.alerts.iter().map(|a| a.name.clone()).collect();
            self.error(
                &format!("{here}/alert"),
                format!("no alert is named `{alert}`"),
                suggest::closest(alert, &names)
                    .map(|best| format!("did you mean `{best}`?"))
                    .or(Some("give the name of an alert in the alert files".into())),
            );
            return None;
        };
        let declared = &self.desired.alerts[index];
        let Some(queue_index) = declared.queues.iter().position(|q| q == queue) else {
            self.error(
                &format!("{here}/queue"),
                format!("alert `{alert}` does not watch queue `{queue}`"),
                suggest::did_you_mean_or_list(queue, &declared.queues),
            );
            return None;
        };
        if !series.iter().any(|s| feeds(s, declared, queue)) {
            let channel = match (&declared.channel, declared.metric.is_agent_activity()) {
                (Some(channel), false) => format!(", channel: {channel}"),
                _ => String::new(),
            };
            self.error(
                &format!("{here}/queue"),
                format!("no series feeds alert `{alert}` on queue `{queue}`"),
                Some(format!(
                    "add `{{ metric: {}, queue: {queue}{channel}, values: ... }}` to `series`",
                    declared.metric
                )),
            );
            return None;
        }
        ok.then_some((seconds, index, queue_index))
    }

    /// The samples `values` stands for, or errors at the token that is wrong. A run of equal
    /// values is one change, so `VxN` costs one sample however large N is; the series may
    /// still span at most `MAX_SERIES_VALUES` intervals.
    fn values(&mut self, pointer: &str, values: &str, interval: i64) -> Vec<Sample> {
        let mut samples = Vec::new();
        let mut slot: i64 = 0;
        for (offset, token) in tokens(values) {
            let (value, times) = match token.split_once('x') {
                Some((value, times)) => (value, times.parse::<i64>().ok()),
                None => (token, Some(1)),
            };
            let parsed = if value == "_" {
                Some(None)
            } else {
                value.parse::<i64>().ok().map(Some)
            };
            match (parsed, times) {
                (Some(_), Some(times)) if times > MAX_SERIES_VALUES - slot => {
                    let span = self.token_span(pointer, offset, token.len());
                    self.problems.push(
                        Diagnostic::error(
                            self.file,
                            span,
                            format!(
                                "`{}` makes this series longer than {MAX_SERIES_VALUES} values",
                                excerpt(token)
                            ),
                        )
                        .with_hint(format!(
                            "a series holds at most {MAX_SERIES_VALUES} values ({} days at a 1m interval); shorten the repeat",
                            MAX_SERIES_VALUES / 1440
                        )),
                    );
                    break;
                }
                (Some(value), Some(times)) if times > 0 => {
                    if let Some(value) = value {
                        samples.push(Sample {
                            at: slot * interval,
                            value: value as f64,
                        });
                    }
                    slot += times;
                }
                _ => {
                    let span = self.token_span(pointer, offset, token.len());
                    self.problems.push(
                        Diagnostic::error(
                            self.file,
                            span,
                            format!("`{}` is not a value", excerpt(token)),
                        )
                        .with_hint(
                            "write whole numbers, `VxN` for V repeated N times (N at least 1), or `_` for a missing sample",
                        ),
                    );
                }
            }
        }
        // A run of equal values is one change: keep only the first of each run.
        samples.dedup_by(|later, earlier| later.value == earlier.value);
        samples
    }

    /// The span of the token at `offset` in the `values` text at `pointer`.
    fn token_span(
        &self,
        pointer: &str,
        offset: usize,
        length: usize,
    ) -> Option<crate::common::yaml::Span> {
        let whole = self.spans.value(pointer)?;
        let quoted = matches!(self.text.as_bytes().get(whole.start), Some(b'"' | b'\''));
        let start = whole.start + offset + usize::from(quoted);
        let column = whole.column + offset + usize::from(quoted);
        Some(crate::common::yaml::Span {
            line: whole.line,
            column,
            start,
            end: start + length,
        })
    }
}

/// The whitespace-separated tokens of `values`, with their byte offsets.
fn tokens(values: &str) -> impl Iterator<Item = (usize, &str)> {
    values
        .split_whitespace()
        .map(move |token| (token.as_ptr() as usize - values.as_ptr() as usize, token))
}

/// How many intervals `values` covers (for the end of the data), ignoring bad tokens, at most
/// `MAX_SERIES_VALUES`.
fn value_count(values: &str) -> i64 {
    tokens(values)
        .map(|(_, token)| match token.split_once('x') {
            Some((_, times)) => times.parse::<i64>().unwrap_or(0).max(0),
            None => 1,
        })
        .fold(0i64, |total, times| total.saturating_add(times))
        .min(MAX_SERIES_VALUES)
}

/// The longest series a rule test may write: a million intervals (694 days at 1m).
pub const MAX_SERIES_VALUES: i64 = 1_000_000;
