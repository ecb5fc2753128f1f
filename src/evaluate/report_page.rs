//! `backtest --report FILE.html`: one self-contained page (its styles and plots inline, no
//! script, nothing fetched) with the history's span and gaps, the summary table worst first,
//! the threshold suggestions of `--target-per-day`, and a plot per alert with a panel per
//! queue: the same numbers as the text report, from the same backtest. Readable on a phone and
//! a wide screen, and printable.

use std::fmt::Write as _;

use super::backtest::AlertResult;
use super::escape_xml as escape;
use super::history::History;
use super::report::{has_data, suggestion_text, worst_first};
use crate::common::time::format_rfc3339;

/// One alert's plot, made by the caller (`plot::svg`), by alert name.
pub type Plots = std::collections::BTreeMap<String, String>;

/// The longest stretch without data a series may have before it is listed as a gap: more than
/// this many of its usual intervals.
const GAP_INTERVALS: i64 = 3;
/// At most this many gaps are listed.
const MAX_GAPS: usize = 20;

const STYLE: &str = "
:root { color-scheme: light; --text: #1a1a1a; --muted: #4d4d4d; --line: #d9d9d9; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1040px; padding: 16px; font: 15px/1.5 system-ui, sans-serif; color: var(--text); background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 28px 0 8px; border-bottom: 1px solid var(--line); }
.muted { color: var(--muted); }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
figure { margin: 16px 0; }
figure svg { width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 0.9rem; }
@media (max-width: 600px) { body { padding: 8px; font-size: 14px; } th, td { padding: 4px; } }
@media print { body { max-width: none; } figure { break-inside: avoid; } a { color: inherit; } }
";

/// The page.
pub fn html(results: &[AlertResult], history: &History, plots: &Plots) -> String {
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>flex-alerts backtest</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>flex-alerts backtest</h1>\n"
    );
    let _ = writeln!(
        out,
        "<p class=\"muted\" id=\"span\">History from {} to {} ({:.1} days, {} rows, {} series). Times are UTC.</p>",
        format_rfc3339(history.from),
        format_rfc3339(history.to),
        history.days(),
        history.rows,
        history.series.len()
    );
    if let Some(note) = super::report::extrapolation_note(history) {
        let _ = writeln!(
            out,
            "<p><strong>{}</strong></p>",
            escape(note.trim_start_matches("note: "))
        );
    }
    summary(&mut out, results);
    suggestions(&mut out, results);
    gaps(&mut out, history);
    out.push_str("<h2>Plots</h2>\n");
    for result in worst_first(results) {
        match plots.get(&result.name) {
            Some(svg) => {
                let _ = writeln!(
                    out,
                    "<figure class=\"plot\" data-alert=\"{}\">\n{}<figcaption>{}: the metric per queue, its thresholds, the time at warning and critical, and each notification.</figcaption>\n</figure>",
                    escape(&result.name),
                    svg.trim_start_matches(|c| c != '<'),
                    escape(&result.name)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "<p class=\"muted\">{}: no data in the history.</p>",
                    escape(&result.name)
                );
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn summary(out: &mut String, results: &[AlertResult]) {
    out.push_str("<h2>Alerts, worst first</h2>\n<div class=\"table\"><table id=\"summary\">\n<thead><tr><th>Alert</th><th>Notifications a day</th><th>Episodes</th><th>Minutes at warning</th><th>Minutes at critical</th><th>Longest episode (min)</th></tr></thead>\n<tbody>\n");
    for result in worst_first(results) {
        if !has_data(result) {
            let _ = writeln!(
                out,
                "<tr data-alert=\"{0}\"><td>{0}</td><td colspan=\"5\">no data in the history</td></tr>",
                escape(&result.name)
            );
            continue;
        }
        let counts = &result.counts;
        let _ = writeln!(
            out,
            "<tr data-alert=\"{0}\"><td>{0}</td><td>{1:.1}</td><td>{2}</td><td>{3:.0}</td><td>{4:.0}</td><td>{5:.0}</td></tr>",
            escape(&result.name),
            counts.notifications_per_day,
            counts.episodes,
            counts.minutes_warning,
            counts.minutes_critical,
            counts.longest_episode_minutes
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn suggestions(out: &mut String, results: &[AlertResult]) {
    let found: Vec<(String, String)> = worst_first(results)
        .into_iter()
        .filter_map(|result| suggestion_text(result).map(|text| (result.name.clone(), text)))
        .collect();
    if found.is_empty() {
        return;
    }
    out.push_str("<h2>Suggested thresholds</h2>\n<ul id=\"suggestions\">\n");
    for (name, text) in found {
        let _ = writeln!(
            out,
            "<li><strong>{}</strong>: {}</li>",
            escape(&name),
            escape(&text)
        );
    }
    out.push_str("</ul>\n");
}

/// Stretches of a series without a sample for more than a few of its usual intervals.
fn gaps(out: &mut String, history: &History) {
    let mut found: Vec<(i64, i64, String)> = Vec::new();
    for (key, samples) in &history.series {
        let mut intervals: Vec<i64> = samples
            .windows(2)
            .map(|pair| pair[1].at - pair[0].at)
            .collect();
        if intervals.is_empty() {
            continue;
        }
        intervals.sort_unstable();
        let usual = intervals[intervals.len() / 2].max(1);
        for pair in samples.windows(2) {
            if pair[1].at - pair[0].at > GAP_INTERVALS * usual {
                found.push((pair[0].at, pair[1].at, key.describe()));
            }
        }
    }
    found.sort();
    out.push_str("<h2>Gaps in the history</h2>\n");
    if found.is_empty() {
        out.push_str("<p id=\"gaps\">None: every series has a sample at its usual interval throughout.</p>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p>{} stretch(es) without data{}:</p>\n<ul id=\"gaps\">",
        found.len(),
        if found.len() > MAX_GAPS {
            format!(", the first {MAX_GAPS}")
        } else {
            String::new()
        }
    );
    for (from, to, series) in found.iter().take(MAX_GAPS) {
        let _ = writeln!(
            out,
            "<li>{}: {} to {} ({} min)</li>",
            escape(series),
            format_rfc3339(*from),
            format_rfc3339(*to),
            (to - from) / 60
        );
    }
    out.push_str("</ul>\n");
}
