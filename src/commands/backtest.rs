//! `flex-alerts backtest --history FILE.csv [PATH...]`: how often each alert would have fired
//! and notified on a metric history, offline; optionally plotted, and with the threshold that
//! would have kept it under a number of notifications a day.

use std::path::{Path, PathBuf};

use super::environment::{Context, Needs};
use super::session::load_desired_in;
use crate::cli::BacktestFormat;
use crate::config::Secrets;
use crate::error::Error;
use crate::evaluate::{backtest, history, plot, report, report_page, rule};
use crate::output::Output;

pub struct BacktestArgs<'a> {
    pub env: Option<&'a str>,
    pub history: &'a Path,
    pub paths: &'a [PathBuf],
    pub format: BacktestFormat,
    pub plot: Option<&'a Path>,
    pub report: Option<&'a Path>,
    pub target_per_day: Option<f64>,
}

pub fn run(args: BacktestArgs<'_>, output: &Output) -> Result<u8, Error> {
    // Backtests need no secrets: webhook URLs play no part in when an alert fires.
    let context = Context::resolve(args.env, Needs::One, output)?;
    let desired = load_desired_in(&context, args.paths, Secrets::Optional, output)?;
    let history = read_history(args.history, output)?;
    let results = backtest::backtest(&desired, &history, args.target_per_day);
    match args.format {
        BacktestFormat::Text => output.data(&report::text(&results, &history))?,
        BacktestFormat::Markdown => output.data(&report::markdown(&results, &history))?,
        BacktestFormat::Json => output.data(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report::json(&results, &history)).expect("JSON")
        ))?,
    }
    let plots = if args.plot.is_some() || args.report.is_some() {
        plots(&results, &desired, &history)
    } else {
        report_page::Plots::new()
    };
    if let Some(directory) = args.plot {
        let failed = |error: std::io::Error| {
            Error::new(format!("cannot write the plots to {}", directory.display())).cause(error)
        };
        std::fs::create_dir_all(directory).map_err(failed)?;
        for (name, svg) in &plots {
            // Replaced whole with mode 0644: never half written, never executable.
            crate::common::atomic_file::save_text(&directory.join(plot::file_name(name)), svg)
                .map_err(failed)?;
        }
        output.line(&format!(
            "Wrote {} plot{} to {}.",
            plots.len(),
            if plots.len() == 1 { "" } else { "s" },
            directory.display()
        ));
    }
    if let Some(page) = args.report {
        crate::common::atomic_file::save_text(page, &report_page::html(&results, &history, &plots))
            .map_err(|error| {
                Error::new(format!("cannot write the report {}", page.display())).cause(error)
            })?;
        output.line(&format!(
            "Wrote the report {} (one self-contained page; open it in a browser).",
            page.display()
        ));
    }
    Ok(0)
}

/// The plot of each alert with data, by name.
fn plots(
    results: &[backtest::AlertResult],
    desired: &crate::config::desired::Desired,
    history: &history::History,
) -> report_page::Plots {
    let mut plots = report_page::Plots::new();
    for (result, alert) in results.iter().zip(&desired.alerts) {
        let rule = rule::from_desired(alert);
        let input = plot::PlotInput {
            result,
            metric: alert.metric,
            warning: rule.warning,
            critical: rule.critical,
            series: backtest::series_of(alert, history)
                .into_iter()
                .map(|(_, samples)| samples)
                .collect(),
        };
        if input.series.iter().any(Option::is_some) {
            plots.insert(alert.name.clone(), plot::svg(&input, history));
        }
    }
    plots
}

/// Reads the history at `path`, a line at a time; every bad row is reported.
pub fn read_history(path: &Path, output: &Output) -> Result<history::History, Error> {
    let file = std::fs::File::open(path).map_err(|error| {
        Error::new(format!("cannot read the history {}", path.display())).cause(error)
    })?;
    let name = path.display().to_string();
    history::read(&name, std::io::BufReader::with_capacity(1 << 16, file)).map_err(|problems| {
        for problem in &problems {
            output.message(&format!("error: {problem}\n"));
        }
        Error::new(format!("{name} has problems; nothing was computed"))
            .hint(format!(
                "a history is CSV with the header `{}`",
                history::HEADER
            ))
            .reported()
    })
}
