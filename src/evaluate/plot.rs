//! `backtest --plot`: one SVG per alert: the metric over time per queue, the threshold lines,
//! the stretches at warning and critical shaded, and a marker at each notification.

use std::fmt::Write as _;

use super::backtest::AlertResult;
use super::engine::{Level, Sample, State, Threshold};
use super::escape_xml;
use super::history::History;
use crate::common::time::format_rfc3339;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 400.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;
/// At most this many points per queue line: the least and greatest value per bucket.
const BUCKETS: usize = 800;
const QUEUE_COLOURS: [&str; 6] = [
    "#1f77b4", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#7f7f7f",
];

/// What one plot needs beyond the backtest: the alert's thresholds and its series.
pub struct PlotInput<'a> {
    pub result: &'a AlertResult,
    pub metric: &'a str,
    pub warning: Option<Threshold>,
    pub critical: Option<Threshold>,
    /// Each queue's samples, in the order of `result.queues`.
    pub series: Vec<Option<&'a [Sample]>>,
}

/// The SVG document for one alert.
pub fn svg(input: &PlotInput<'_>, history: &History) -> String {
    let (from, to) = (history.from, history.to.max(history.from + 1));
    let values = input
        .series
        .iter()
        .flatten()
        .flat_map(|s| s.iter().map(|s| s.value));
    let thresholds = [input.warning, input.critical]
        .into_iter()
        .flatten()
        .map(|t| t.value);
    let highest = values.chain(thresholds).fold(1.0f64, f64::max) * 1.1;
    let x = |at: i64| LEFT + (at - from) as f64 / (to - from) as f64 * (WIDTH - LEFT - RIGHT);
    let y = |value: f64| TOP + (1.0 - value / highest) * (HEIGHT - TOP - BOTTOM);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">\n"
    );
    let _ = writeln!(
        out,
        "<title>{} ({})</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        escape_xml(&input.result.name),
        escape_xml(input.metric)
    );
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{} ({}): {:.1} notifications a day</text>",
        escape_xml(&input.result.name),
        escape_xml(input.metric),
        input.result.counts.notifications_per_day
    );
    // Shaded stretches at warning and critical, per queue.
    for queue in &input.result.queues {
        let Some(evaluation) = &queue.evaluation else {
            continue;
        };
        let mut changes = evaluation.levels.clone();
        changes.push((to, Level::Ok));
        for pair in changes.windows(2) {
            let ((start, level), (end, _)) = (pair[0], pair[1]);
            let colour = match level {
                Level::Warning => "#ffbf00",
                Level::Critical => "#d62728",
                Level::Ok => continue,
            };
            let _ = writeln!(
                out,
                "<rect class=\"{}\" x=\"{:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{}\" fill=\"{colour}\" fill-opacity=\"0.15\"/>",
                level.as_str(),
                x(start),
                (x(end) - x(start)).max(0.5),
                HEIGHT - TOP - BOTTOM
            );
        }
    }
    // Axes.
    let _ = writeln!(
        out,
        "<line x1=\"{LEFT}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"black\"/>\n<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{0}\" stroke=\"black\"/>",
        HEIGHT - BOTTOM,
        WIDTH - RIGHT
    );
    for step in 0..=4 {
        let value = highest / 4.0 * f64::from(step);
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{value:.0}</text>",
            LEFT - 6.0,
            y(value) + 4.0
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"{}\">{}</text>\n<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        HEIGHT - BOTTOM + 18.0,
        format_rfc3339(from),
        WIDTH - RIGHT,
        HEIGHT - BOTTOM + 18.0,
        format_rfc3339(to)
    );
    // Threshold lines.
    for (threshold, colour, name) in [
        (input.warning, "#ffbf00", "warning"),
        (input.critical, "#d62728", "critical"),
    ] {
        if let Some(threshold) = threshold {
            let _ = writeln!(
                out,
                "<line class=\"threshold\" x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"{colour}\" stroke-dasharray=\"6 4\"/><text x=\"{1}\" y=\"{2:.1}\" text-anchor=\"end\" fill=\"{colour}\">{name} {3}</text>",
                y(threshold.value),
                WIDTH - RIGHT,
                y(threshold.value) - 4.0,
                threshold.value
            );
        }
    }
    // The metric per queue, as a step line.
    for (index, (queue, samples)) in input.result.queues.iter().zip(&input.series).enumerate() {
        let Some(samples) = samples else { continue };
        let colour = QUEUE_COLOURS[index % QUEUE_COLOURS.len()];
        let mut points = String::new();
        let mut last: Option<f64> = None;
        for sample in downsample(samples, from, to) {
            if let Some(previous) = last {
                let _ = write!(points, "{:.1},{:.1} ", x(sample.at), y(previous));
            }
            let _ = write!(points, "{:.1},{:.1} ", x(sample.at), y(sample.value));
            last = Some(sample.value);
        }
        if let Some(previous) = last {
            let _ = write!(points, "{:.1},{:.1}", x(to), y(previous));
        }
        let _ = writeln!(
            out,
            "<polyline class=\"series\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{}\"><title>{}</title></polyline>",
            points.trim_end(),
            escape_xml(&queue.queue)
        );
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"{colour}\">{}</text>",
            LEFT + 10.0 + 150.0 * index as f64,
            HEIGHT - 10.0,
            escape_xml(&queue.queue)
        );
    }
    // A marker per notification, at the top.
    for queue in &input.result.queues {
        let Some(evaluation) = &queue.evaluation else {
            continue;
        };
        for notification in &evaluation.notifications {
            let colour = match notification.state {
                State::Warning => "#ffbf00",
                State::Critical => "#d62728",
                State::Resolved => "#2ca02c",
            };
            let _ = writeln!(
                out,
                "<circle class=\"notification\" cx=\"{:.1}\" cy=\"{}\" r=\"4\" fill=\"{colour}\"><title>{} {} {}</title></circle>",
                x(notification.at),
                TOP - 8.0,
                format_rfc3339(notification.at),
                notification.state.as_str(),
                escape_xml(&queue.queue)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

/// At most `2 * BUCKETS` samples: per time bucket, its least and greatest value in order.
fn downsample(samples: &[Sample], from: i64, to: i64) -> Vec<Sample> {
    if samples.len() <= 2 * BUCKETS {
        return samples.to_vec();
    }
    let width = ((to - from) / BUCKETS as i64).max(1);
    let mut kept = Vec::with_capacity(2 * BUCKETS + 2);
    for bucket in samples.chunk_by(|a, b| (a.at - from) / width == (b.at - from) / width) {
        let least = bucket.iter().min_by(|a, b| a.value.total_cmp(&b.value));
        let greatest = bucket.iter().max_by(|a, b| a.value.total_cmp(&b.value));
        if let (Some(least), Some(greatest)) = (least, greatest) {
            let (first, second) = if least.at <= greatest.at {
                (least, greatest)
            } else {
                (greatest, least)
            };
            kept.push(*first);
            if second != first {
                kept.push(*second);
            }
        }
    }
    kept
}

/// A file name for an alert's plot: its name in lower case, other characters as `-`.
pub fn file_name(alert: &str) -> String {
    let mut name: String = alert
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    format!("{}.svg", name.trim_matches('-'))
}
