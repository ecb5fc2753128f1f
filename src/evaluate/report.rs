//! A backtest as people and programs read it: a table (worst first) for the terminal, the
//! same in Markdown for a pull request, and versioned JSON.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::json;

use super::backtest::{AlertResult, Counts};
use super::history::History;
use crate::common::time::format_rfc3339;

/// Alerts worst first: most notifications a day, then most time at critical.
pub fn worst_first(results: &[AlertResult]) -> Vec<&AlertResult> {
    let mut sorted: Vec<&AlertResult> = results.iter().collect();
    sorted.sort_by(|a, b| {
        b.counts
            .notifications_per_day
            .total_cmp(&a.counts.notifications_per_day)
            .then(
                b.counts
                    .minutes_critical
                    .total_cmp(&a.counts.minutes_critical),
            )
            .then(a.name.cmp(&b.name))
    });
    sorted
}

fn span(history: &History) -> String {
    format!(
        "{} to {} ({:.1} days, {} rows)",
        format_rfc3339(history.from),
        format_rfc3339(history.to),
        history.days(),
        history.rows
    )
}

/// When the history spans clearly less than a day (under 95% of one), that its per-day
/// figures are extrapolated: three minutes of history are no day of paging.
pub fn extrapolation_note(history: &History) -> Option<String> {
    extrapolated(history).then(|| {
        let minutes = ((history.to - history.from).max(0) as f64 / 60.0).round();
        format!(
            "note: the history spans {minutes} minutes, less than a day, so the per-day figures are extrapolated from it; record a day or more for figures to rely on"
        )
    })
}

fn extrapolated(history: &History) -> bool {
    history.days() < 0.95
}

/// Whether the history holds a series for any of the alert's queues.
pub fn has_data(result: &AlertResult) -> bool {
    result.queues.iter().any(|queue| queue.evaluation.is_some())
}

/// A suggestion in words, as every report says it.
pub fn suggestion_text(result: &AlertResult) -> Option<String> {
    let suggestion = result.suggestion.as_ref()?;
    Some(if suggestion.suggested == suggestion.current {
        format!(
            "{} {} {} already meets the target",
            suggestion.threshold, suggestion.direction, suggestion.current
        )
    } else {
        format!(
            "{} {} {} -> {}{} ({:.1}/day)",
            suggestion.threshold,
            suggestion.direction,
            suggestion.current,
            suggestion.suggested,
            suggestion
                .critical
                .map(|[before, after]| format!(
                    ", critical {} {before} -> {after}",
                    suggestion.direction
                ))
                .unwrap_or_default(),
            suggestion.notifications_per_day,
        )
    })
}

/// The widths of the text table's columns after the name.
const WIDTHS: [usize; 8] = [9, 6, 6, 6, 8, 9, 9, 9];

/// The figures of one row: notifications a day, by state, episodes, minutes at warning and
/// critical, the longest episode.
fn cells(counts: &Counts) -> [String; 8] {
    [
        format!("{:.1}", counts.notifications_per_day),
        counts.notifications.warning.to_string(),
        counts.notifications.critical.to_string(),
        counts.notifications.resolved.to_string(),
        counts.episodes.to_string(),
        format!("{:.0}", counts.minutes_warning),
        format!("{:.0}", counts.minutes_critical),
        format!("{:.0}", counts.longest_episode_minutes),
    ]
}

/// The table, worst first, with the queues of each alert under it.
pub fn text(results: &[AlertResult], history: &History) -> String {
    let mut out = format!("Backtest over {}\n\n", span(history));
    if let Some(note) = extrapolation_note(history) {
        let _ = writeln!(out, "{note}\n");
    }
    let _ = writeln!(
        out,
        "{:<44} {:>9} {:>6} {:>6} {:>6} {:>8} {:>9} {:>9} {:>9}",
        "alert / queue",
        "per day",
        "warn",
        "crit",
        "resol",
        "episodes",
        "min warn",
        "min crit",
        "longest"
    );
    let row = |out: &mut String, label: &str, counts: &Counts| {
        let _ = write!(out, "{label:<44}");
        for (cell, width) in cells(counts).iter().zip(WIDTHS) {
            let _ = write!(out, " {cell:>width$}");
        }
        out.push('\n');
    };
    for result in worst_first(results) {
        if !has_data(result) {
            let _ = writeln!(out, "{:<44} no data in the history", result.name);
            continue;
        }
        row(&mut out, &result.name, &result.counts);
        for queue in &result.queues {
            match queue.evaluation {
                Some(_) => row(&mut out, &format!("  {}", queue.queue), &queue.counts),
                None => {
                    let _ = writeln!(out, "  {:<42} no data in the history", queue.queue);
                }
            }
        }
        if let Some(text) = suggestion_text(result) {
            let _ = writeln!(out, "  suggestion: {text}");
        }
    }
    out
}

/// The same as a Markdown table.
pub fn markdown(results: &[AlertResult], history: &History) -> String {
    let mut out = format!("### Backtest\n\nOver {}.\n\n", span(history));
    if let Some(note) = extrapolation_note(history) {
        let _ = writeln!(out, "> **{}**\n", note.trim_start_matches("note: "));
    }
    out.push_str("| alert | per day | warning | critical | resolved | episodes | min warning | min critical | longest (min) |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for result in worst_first(results) {
        if !has_data(result) {
            let _ = writeln!(out, "| {} | no data | | | | | | | |", escape(&result.name));
            continue;
        }
        let _ = writeln!(
            out,
            "| {} | {} |",
            escape(&result.name),
            cells(&result.counts).join(" | ")
        );
    }
    let suggestions: Vec<String> = worst_first(results)
        .into_iter()
        .filter_map(|result| {
            suggestion_text(result).map(|text| format!("- **{}**: {text}", escape(&result.name)))
        })
        .collect();
    if !suggestions.is_empty() {
        let _ = write!(
            out,
            "\nSuggested thresholds:\n\n{}\n",
            suggestions.join("\n")
        );
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

#[derive(Serialize)]
struct JsonQueue<'a> {
    queue: &'a str,
    has_data: bool,
    #[serde(flatten)]
    counts: &'a Counts,
}

/// `{"format_version": 1, "from", "to", "days", "alerts": [...]}`, worst first.
pub fn json(results: &[AlertResult], history: &History) -> serde_json::Value {
    let alerts: Vec<serde_json::Value> = worst_first(results)
        .into_iter()
        .map(|result| {
            let mut alert = serde_json::Map::new();
            alert.insert("name".into(), json!(result.name));
            if let serde_json::Value::Object(counts) = json!(result.counts) {
                alert.extend(counts);
            }
            alert.insert(
                "queues".into(),
                json!(
                    result
                        .queues
                        .iter()
                        .map(|queue| JsonQueue {
                            queue: &queue.queue,
                            has_data: queue.evaluation.is_some(),
                            counts: &queue.counts,
                        })
                        .collect::<Vec<_>>()
                ),
            );
            if let Some(suggestion) = &result.suggestion {
                alert.insert("suggestion".into(), json!(suggestion));
            }
            serde_json::Value::Object(alert)
        })
        .collect();
    json!({
        "format_version": 1,
        "from": format_rfc3339(history.from),
        "to": format_rfc3339(history.to),
        "days": history.days(),
        "per_day_extrapolated": extrapolated(history),
        "alerts": alerts,
    })
}
