//! Metric histories: CSV with the header `time,queue,channel,metric,value`, read a line at a
//! time (a million rows never sit in memory as text), grouped into one series per queue,
//! channel and metric. Bad rows are errors with their line number.

use std::collections::HashMap;
use std::io::BufRead;

use super::engine::Sample;
use crate::common::shown::excerpt;
use crate::common::time::parse_rfc3339;
use crate::flex::Metric;

/// The header a history starts with.
pub const HEADER: &str = "time,queue,channel,metric,value";

/// At most this many bad rows are reported; the rest are counted.
const MAX_REPORTED: usize = 20;

/// The longest line a history may have: a row is about 80 bytes, so a longer line is not a
/// row (a binary file, a device, a log) and reading stops there, without holding it.
pub const MAX_LINE_BYTES: usize = 4096;

/// One series' identity: queue and channel as written (channel empty for agent-activity
/// metrics), and the metric.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesKey {
    pub queue: String,
    pub channel: String,
    pub metric: Metric,
}

impl SeriesKey {
    /// `Billing / voice / Waiting (Now)`.
    pub fn describe(&self) -> String {
        if self.channel.is_empty() {
            format!("{} / {}", self.queue, self.metric.id())
        } else {
            format!("{} / {} / {}", self.queue, self.channel, self.metric.id())
        }
    }
}

/// A history, read.
#[derive(Debug, Default)]
pub struct History {
    /// The first and last time of any row (Unix seconds).
    pub from: i64,
    pub to: i64,
    pub rows: usize,
    /// Each series' samples, sorted by time.
    pub series: HashMap<SeriesKey, Vec<Sample>>,
}

impl History {
    /// The samples of the series `(queue, channel, metric)`, channel ignored for the
    /// agent-activity metrics.
    pub fn samples(&self, queue: &str, channel: Option<&str>, metric: Metric) -> Option<&[Sample]> {
        let channel = if metric.is_agent_activity() {
            ""
        } else {
            channel.unwrap_or("")
        };
        self.series
            .get(&SeriesKey {
                queue: queue.to_owned(),
                channel: channel.to_owned(),
                metric,
            })
            .map(Vec::as_slice)
    }

    /// The length of the history in days (at least one second's worth).
    pub fn days(&self) -> f64 {
        ((self.to - self.from).max(1)) as f64 / 86_400.0
    }
}

/// Reads a history from `reader`; `name` is the file as shown in errors.
pub fn read(name: &str, reader: impl BufRead) -> Result<History, Vec<String>> {
    let mut history = History {
        from: i64::MAX,
        to: i64::MIN,
        ..History::default()
    };
    let mut problems = Vec::new();
    let mut bad_rows = 0usize;
    let mut line_number = 0usize;
    let mut reader = reader;
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        let limit = (MAX_LINE_BYTES + 1) as u64;
        match std::io::Read::take(&mut reader, limit).read_until(b'\n', &mut bytes) {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => {
                problems.push(format!("{name}:{}: cannot read: {error}", line_number + 1));
                break;
            }
        }
        line_number += 1;
        if bytes.len() > MAX_LINE_BYTES && bytes.last() != Some(&b'\n') {
            problems.push(format!(
                "{name}:{line_number}: the line is longer than {MAX_LINE_BYTES} bytes, so it is not a row of `{HEADER}`; reading stopped here"
            ));
            break;
        }
        let Ok(line) = std::str::from_utf8(&bytes) else {
            problems.push(format!(
                "{name}:{line_number}: not UTF-8 text; a history is a CSV file"
            ));
            break;
        };
        let text = line.trim_end_matches(['\n', '\r']);
        if line_number == 1 {
            let header = text.trim_start_matches('\u{feff}');
            if header != HEADER {
                problems.push(format!(
                    "{name}:1: the header must be `{HEADER}`, found `{}`",
                    excerpt(header)
                ));
                break;
            }
            continue;
        }
        if text.trim().is_empty() {
            continue;
        }
        match row(text) {
            Ok((at, key, value)) => {
                history.from = history.from.min(at);
                history.to = history.to.max(at);
                history.rows += 1;
                history
                    .series
                    .entry(key)
                    .or_default()
                    .push(Sample { at, value });
            }
            Err(problem) => {
                bad_rows += 1;
                if bad_rows <= MAX_REPORTED {
                    problems.push(format!("{name}:{line_number}: {problem}"));
                }
            }
        }
    }
    if bad_rows > MAX_REPORTED {
        problems.push(format!(
            "{name}: {} more bad rows not shown",
            bad_rows - MAX_REPORTED
        ));
    }
    if problems.is_empty() && history.rows == 0 {
        problems.push(format!("{name}: no rows after the header"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for samples in history.series.values_mut() {
        samples.sort_by_key(|sample| sample.at);
    }
    Ok(history)
}

/// One row: its time, series and value, or what is wrong with it.
fn row(text: &str) -> Result<(i64, SeriesKey, f64), String> {
    let fields = split(text)?;
    let [time, queue, channel, metric, value] = fields.as_slice() else {
        return Err(format!(
            "expected 5 fields ({HEADER}), found {}",
            fields.len()
        ));
    };
    let at = parse_rfc3339(time).ok_or_else(|| {
        format!(
            "`{}` is not an RFC 3339 time (e.g. 2026-11-29T14:05:00Z)",
            excerpt(time)
        )
    })?;
    if queue.is_empty() {
        return Err("the queue is empty".into());
    }
    let metric = Metric::from_id(metric).ok_or_else(|| {
        format!(
            "`{}` is not one of the 17 metrics (e.g. `Waiting (Now)`)",
            excerpt(metric)
        )
    })?;
    let value: f64 = value
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("`{}` is not a number", excerpt(value)))?;
    let channel = if metric.is_agent_activity() {
        String::new()
    } else if channel.is_empty() {
        return Err(format!(
            "`{metric}` is counted per channel: the channel is empty"
        ));
    } else {
        channel.clone()
    };
    Ok((
        at,
        SeriesKey {
            queue: queue.clone(),
            channel,
            metric,
        },
        value,
    ))
}

/// The fields of a CSV line: separated by commas, a field in double quotes may hold commas
/// and `""` for a quote.
fn split(text: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_start => {
                quoted = true;
                at_start = false;
            }
            '"' if quoted => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            }
            ',' if !quoted => {
                fields.push(std::mem::take(&mut field));
                at_start = true;
            }
            c => {
                field.push(c);
                at_start = false;
            }
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    fields.push(field);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(text: &str) -> Result<History, Vec<String>> {
        read("h.csv", text.as_bytes())
    }

    #[test]
    fn rows_become_sorted_series() {
        let history = history(
            "time,queue,channel,metric,value\n\
             2026-11-29T10:01:00Z,Support,voice,Waiting (Now),3\n\
             2026-11-29T10:00:00Z,Support,voice,Waiting (Now),1\n\
             2026-11-29T10:00:00Z,\"Sales, EMEA\",voice,Waiting (Now),2.5\n\
             2026-11-29T10:00:00Z,Support,,Available Agents (Now),4\n\
             2026-11-29T10:00:00Z,Support,voice,Offline Agents (Now),1\n",
        )
        .unwrap();
        assert_eq!(history.rows, 5);
        assert_eq!(history.to - history.from, 60);
        let support = history
            .samples("Support", Some("voice"), Metric::WaitingNow)
            .unwrap();
        assert_eq!(
            support.iter().map(|s| s.value).collect::<Vec<_>>(),
            [1.0, 3.0]
        );
        assert!(
            history
                .samples("Sales, EMEA", Some("voice"), Metric::WaitingNow)
                .is_some()
        );
        // Agent metrics ignore the channel, written or not.
        assert!(
            history
                .samples("Support", Some("voice"), Metric::AvailableAgentsNow)
                .is_some()
        );
        assert!(
            history
                .samples("Support", None, Metric::OfflineAgentsNow)
                .is_some()
        );
    }

    #[test]
    fn bad_rows_are_errors_with_their_line_number() {
        let problems = history(
            "time,queue,channel,metric,value\n\
             2026-11-29T10:00:00Z,Support,voice,Waiting (Now),1\n\
             yesterday,Support,voice,Waiting (Now),1\n\
             2026-11-29T10:00:00Z,Support,voice,Queue depth,1\n\
             2026-11-29T10:00:00Z,Support,voice,Waiting (Now),many\n\
             2026-11-29T10:00:00Z,Support,,Waiting (Now),1\n\
             2026-11-29T10:00:00Z,Support,voice\n",
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                "h.csv:3: `yesterday` is not an RFC 3339 time (e.g. 2026-11-29T14:05:00Z)",
                "h.csv:4: `Queue depth` is not one of the 17 metrics (e.g. `Waiting (Now)`)",
                "h.csv:5: `many` is not a number",
                "h.csv:6: `Waiting (Now)` is counted per channel: the channel is empty",
                "h.csv:7: expected 5 fields (time,queue,channel,metric,value), found 3",
            ]
        );
        assert_eq!(
            history("when,what\n").unwrap_err(),
            ["h.csv:1: the header must be `time,queue,channel,metric,value`, found `when,what`"]
        );
    }
}
