//! Knowing before it pages: the evaluation engine and what is built on it (rule test files,
//! backtests on a metric history, the paging impact of a plan).

pub mod backtest;

pub mod engine;
pub mod history;
pub mod impact;
pub mod live;
pub mod plot;
pub mod report;
pub mod report_page;
pub mod rule;
pub mod test_file;
pub mod testing;

/// Text made safe inside XML and SVG elements and attributes.
fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
