//! `backtest --plot` and the report page: one SVG per alert, a legend for every kind of mark,
//! then one panel per queue: the metric over time with its unit and round ticks, UTC time
//! ticks (hours for a day, days for a week), the threshold lines labelled, the stretches at
//! warning and critical shaded, and a triangle at each notification. Text keeps WCAG AA
//! contrast on the white background.

use std::fmt::Write as _;

use super::backtest::{AlertResult, QueueResult};
use super::engine::{Direction, Level, Sample, State, Threshold};
use super::escape_xml;
use super::history::History;
use crate::common::time::format_rfc3339;
use crate::flex::Metric;

const WIDTH: f64 = 960.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 20.0;
/// The title and the legend above the panels.
const HEAD: f64 = 86.0;
/// One queue's panel: its title, plot area and time axis.
const PANEL: f64 = 250.0;
const PANEL_TOP: f64 = 28.0;
const PANEL_BOTTOM: f64 = 48.0;
/// At most this many points per queue line: the least and greatest value per bucket.
const BUCKETS: usize = 800;

/// Colours: the lines and shading in Okabe-Ito's colour-blind-safe hues; the text in darker
/// shades that keep WCAG AA contrast (4.5:1) on the white background.
pub const SERIES: &str = "#0072b2";
pub const WARNING_LINE: &str = "#e69f00";
pub const WARNING_TEXT: &str = "#7a4d00";
pub const CRITICAL_LINE: &str = "#d55e00";
pub const CRITICAL_TEXT: &str = "#a33a00";
pub const RESOLVED: &str = "#009e73";
pub const RESOLVED_TEXT: &str = "#00664a";
pub const TEXT: &str = "#1a1a1a";
pub const MUTED_TEXT: &str = "#4d4d4d";

/// What one plot needs beyond the backtest: the alert's thresholds and its series.
pub struct PlotInput<'a> {
    pub result: &'a AlertResult,
    pub metric: Metric,
    pub warning: Option<Threshold>,
    pub critical: Option<Threshold>,
    /// Each queue's samples, in the order of `result.queues`.
    pub series: Vec<Option<&'a [Sample]>>,
}

/// Round values for an axis from 0 to at least `highest`: steps of 1, 2 or 5 times a power of
/// ten, about five of them.
pub fn value_ticks(highest: f64) -> Vec<f64> {
    let highest = highest.max(1.0);
    let rough = highest / 5.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power)
        .max(1.0);
    let top = (highest / step).ceil() * step;
    (0..=((top / step).round() as usize))
        .map(|index| index as f64 * step)
        .collect()
}

/// Time ticks over `[from, to]` (Unix seconds) at a round UTC step, at most about 12 of
/// them: minutes or hours (`HH:MM`) for a day or less, days (`MM-DD`) beyond; with the step's
/// unit for the axis title.
pub fn time_ticks(from: i64, to: i64) -> (Vec<(i64, String)>, &'static str) {
    const STEPS: [i64; 12] = [
        300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800,
    ];
    let span = (to - from).max(1);
    let step = STEPS
        .into_iter()
        .find(|step| span / step <= 12)
        .unwrap_or(604_800);
    let first = from.div_euclid(step) * step + if from.rem_euclid(step) == 0 { 0 } else { step };
    let ticks = (0..)
        .map(|index| first + index * step)
        .take_while(|at| *at <= to)
        .map(|at| {
            let text = format_rfc3339(at);
            let label = if step >= 86_400 {
                text[5..10].to_owned()
            } else {
                text[11..16].to_owned()
            };
            (at, label)
        })
        .collect();
    (ticks, if step >= 86_400 { "days" } else { "hours" })
}

/// The SVG document for one alert: a legend, then one panel per queue with data.
pub fn svg(input: &PlotInput<'_>, history: &History) -> String {
    let (from, to) = (history.from, history.to.max(history.from + 1));
    let unit = input.metric.unit();
    let panels: Vec<usize> = (0..input.result.queues.len())
        .filter(|index| input.series.get(*index).is_some_and(Option::is_some))
        .collect();
    let height = HEAD + PANEL * panels.len().max(1) as f64;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"12\" fill=\"{TEXT}\">\n"
    );
    let _ = writeln!(
        out,
        "<title>{} ({})</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        escape_xml(&input.result.name),
        escape_xml(input.metric.id())
    );
    let _ = writeln!(
        out,
        "<text class=\"title\" x=\"{LEFT}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{} ({}, in {unit}): {:.1} notifications a day</text>",
        escape_xml(&input.result.name),
        escape_xml(input.metric.id()),
        input.result.counts.notifications_per_day
    );
    legend(&mut out, input);
    let values = panels
        .iter()
        .filter_map(|index| input.series[*index])
        .flat_map(|samples| samples.iter().map(|sample| sample.value));
    let thresholds = [input.warning, input.critical]
        .into_iter()
        .flatten()
        .map(|threshold| threshold.value);
    let mut highest = values.chain(thresholds).fold(1.0f64, f64::max);
    if unit == "percent" {
        highest = 100.0;
    }
    let ticks = value_ticks(highest * 1.05);
    let top = *ticks.last().expect("at least one tick");
    for (slot, index) in panels.iter().enumerate() {
        let queue = &input.result.queues[*index];
        let samples = input.series[*index].expect("panels have data");
        let origin = HEAD + PANEL * slot as f64;
        let area = Area {
            top: origin + PANEL_TOP,
            bottom: origin + PANEL - PANEL_BOTTOM,
            from,
            to,
            highest: top,
        };
        panel(&mut out, input, (queue, samples), &area, &ticks);
    }
    out.push_str("</svg>\n");
    out
}

/// Where one panel draws: its plot area and the ranges it maps.
struct Area {
    top: f64,
    bottom: f64,
    from: i64,
    to: i64,
    highest: f64,
}

impl Area {
    fn x(&self, at: i64) -> f64 {
        LEFT + (at - self.from) as f64 / (self.to - self.from) as f64 * (WIDTH - LEFT - RIGHT)
    }
    fn y(&self, value: f64) -> f64 {
        self.top + (1.0 - value / self.highest) * (self.bottom - self.top)
    }
}

/// One entry per kind of mark the panels draw.
fn legend(out: &mut String, input: &PlotInput<'_>) {
    let mut entries: Vec<(String, String)> = vec![(
        format!(
            "<line x1=\"0\" y1=\"0\" x2=\"18\" y2=\"0\" stroke=\"{SERIES}\" stroke-width=\"2\"/>"
        ),
        format!("{} per minute", input.metric.id()),
    )];
    for (threshold, line, name) in [
        (input.warning, WARNING_LINE, "warning"),
        (input.critical, CRITICAL_LINE, "critical"),
    ] {
        if let Some(threshold) = threshold {
            entries.push((
                format!("<line x1=\"0\" y1=\"0\" x2=\"18\" y2=\"0\" stroke=\"{line}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"),
                format!("{name} threshold ({} {})", direction(threshold), threshold.value),
            ));
            entries.push((
                format!("<rect x=\"0\" y=\"-6\" width=\"18\" height=\"12\" fill=\"{line}\" fill-opacity=\"0.2\"/>"),
                format!("time at {name}"),
            ));
        }
    }
    for (state, colour) in [
        (State::Warning, WARNING_LINE),
        (State::Critical, CRITICAL_LINE),
        (State::Resolved, RESOLVED),
    ] {
        entries.push((
            marker(9.0, 0.0, state, colour),
            format!("notification: {}", state.as_str()),
        ));
    }
    let mut x = LEFT;
    let mut y = 48.0;
    out.push_str("<g class=\"legend\">\n");
    for (mark, label) in entries {
        let width = 30.0 + 6.5 * label.chars().count() as f64;
        if x + width > WIDTH - RIGHT {
            x = LEFT;
            y += 20.0;
        }
        let _ = writeln!(
            out,
            "<g class=\"legend-entry\" transform=\"translate({x:.1},{y:.1})\">{mark}<text x=\"24\" y=\"4\">{}</text></g>",
            escape_xml(&label)
        );
        x += width;
    }
    out.push_str("</g>\n");
}

fn direction(threshold: Threshold) -> &'static str {
    match threshold.direction {
        Direction::Above => "above",
        Direction::Below => "below",
    }
}

/// A notification's mark: a triangle pointing down (warning, critical) or up (resolved),
/// unlike the shaded stretches of a level.
fn marker(x: f64, y: f64, state: State, colour: &str) -> String {
    let points = match state {
        State::Resolved => format!(
            "{},{} {},{} {},{}",
            x - 5.0,
            y + 4.0,
            x + 5.0,
            y + 4.0,
            x,
            y - 5.0
        ),
        _ => format!(
            "{},{} {},{} {},{}",
            x - 5.0,
            y - 4.0,
            x + 5.0,
            y - 4.0,
            x,
            y + 5.0
        ),
    };
    format!(
        "<polygon points=\"{points}\" fill=\"{colour}\" stroke=\"{TEXT}\" stroke-width=\"0.5\"/>"
    )
}

fn panel(
    out: &mut String,
    input: &PlotInput<'_>,
    (queue, samples): (&QueueResult, &[Sample]),
    area: &Area,
    ticks: &[f64],
) {
    let unit = input.metric.unit();
    let _ = writeln!(
        out,
        "<g class=\"panel\" data-queue=\"{}\">\n<text class=\"panel-title\" x=\"{LEFT}\" y=\"{:.1}\" font-weight=\"bold\">Queue {}: {:.1} notifications a day, {} episode(s)</text>",
        escape_xml(&queue.queue),
        area.top - 10.0,
        escape_xml(&queue.queue),
        queue.counts.notifications_per_day,
        queue.counts.episodes
    );
    // The stretches at warning and critical, shaded.
    if let Some(evaluation) = &queue.evaluation {
        let mut changes = evaluation.levels.clone();
        changes.push((area.to, Level::Ok));
        for pair in changes.windows(2) {
            let ((start, level), (end, _)) = (pair[0], pair[1]);
            let colour = match level {
                Level::Warning => WARNING_LINE,
                Level::Critical => CRITICAL_LINE,
                Level::Ok => continue,
            };
            let _ = writeln!(
                out,
                "<rect class=\"{}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\" fill-opacity=\"0.2\"><title>{}: {} from {} to {}</title></rect>",
                level.as_str(),
                area.x(start),
                area.top,
                (area.x(end) - area.x(start)).max(0.5),
                area.bottom - area.top,
                escape_xml(&queue.queue),
                level.as_str(),
                format_rfc3339(start),
                format_rfc3339(end)
            );
        }
    }
    // The value axis: round ticks and the unit.
    for value in ticks {
        let y = area.y(*value);
        let _ = writeln!(
            out,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#e6e6e6\"/><text class=\"y-tick\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{value}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
    }
    let middle = (area.top + area.bottom) / 2.0;
    let _ = writeln!(
        out,
        "<text class=\"y-label\" x=\"18\" y=\"{middle:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {middle:.1})\">{unit}</text>"
    );
    // The time axis: round UTC ticks, the time zone named.
    let (times, step) = time_ticks(area.from, area.to);
    for (at, label) in &times {
        let x = area.x(*at);
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{TEXT}\"/><text class=\"x-tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
            area.bottom,
            area.bottom + 4.0,
            area.bottom + 16.0
        );
    }
    let _ = writeln!(
        out,
        "<text class=\"x-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{MUTED_TEXT}\">time (UTC, {step}), {} to {}</text>",
        (LEFT + WIDTH - RIGHT) / 2.0,
        area.bottom + 34.0,
        format_rfc3339(area.from),
        format_rfc3339(area.to)
    );
    let _ = writeln!(
        out,
        "<line x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"{TEXT}\"/><line x1=\"{LEFT}\" y1=\"{2:.1}\" x2=\"{LEFT}\" y2=\"{0:.1}\" stroke=\"{TEXT}\"/>",
        area.bottom,
        WIDTH - RIGHT,
        area.top
    );
    // The threshold lines, labelled in text that keeps its contrast.
    for (threshold, line, text, name) in [
        (input.warning, WARNING_LINE, WARNING_TEXT, "warning"),
        (input.critical, CRITICAL_LINE, CRITICAL_TEXT, "critical"),
    ] {
        if let Some(threshold) = threshold {
            let y = area.y(threshold.value);
            let _ = writeln!(
                out,
                "<line class=\"threshold\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{0}\" y2=\"{y:.1}\" stroke=\"{line}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/><text class=\"threshold-label\" x=\"{0}\" y=\"{1:.1}\" text-anchor=\"end\" fill=\"{text}\" font-weight=\"bold\">{name} {2} {3} {unit}</text>",
                WIDTH - RIGHT - 4.0,
                y - 4.0,
                direction(threshold),
                threshold.value
            );
        }
    }
    // The metric, as a step line.
    let mut points = String::new();
    let mut last: Option<f64> = None;
    for sample in downsample(samples, area.from, area.to) {
        if let Some(previous) = last {
            let _ = write!(points, "{:.1},{:.1} ", area.x(sample.at), area.y(previous));
        }
        let _ = write!(
            points,
            "{:.1},{:.1} ",
            area.x(sample.at),
            area.y(sample.value)
        );
        last = Some(sample.value);
    }
    if let Some(previous) = last {
        let _ = write!(points, "{:.1},{:.1}", area.x(area.to), area.y(previous));
    }
    let _ = writeln!(
        out,
        "<polyline class=\"series\" fill=\"none\" stroke=\"{SERIES}\" stroke-width=\"1.5\" points=\"{}\"><title>{} ({unit})</title></polyline>",
        points.trim_end(),
        escape_xml(&queue.queue)
    );
    // A mark per notification, above the plot area.
    if let Some(evaluation) = &queue.evaluation {
        for notification in &evaluation.notifications {
            let colour = match notification.state {
                State::Warning => WARNING_LINE,
                State::Critical => CRITICAL_LINE,
                State::Resolved => RESOLVED,
            };
            let _ = writeln!(
                out,
                "<g class=\"notification {}\"><title>{} {} {}</title>{}</g>",
                notification.state.as_str(),
                format_rfc3339(notification.at),
                notification.state.as_str(),
                escape_xml(&queue.queue),
                marker(
                    area.x(notification.at),
                    area.top - 2.0,
                    notification.state,
                    colour
                )
            );
        }
    }
    out.push_str("</g>\n");
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
