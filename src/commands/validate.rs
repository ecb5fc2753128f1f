//! `flex-alerts validate`: schema and rules, offline; every problem of every file in one run.

use std::path::PathBuf;

use crate::cli::paths_or_current;
use crate::config;
use crate::error::Error;
use crate::output::Output;

pub fn run(paths: &[PathBuf], output: &Output) -> Result<u8, Error> {
    let env = |name: &str| std::env::var(name).ok();
    let loaded = config::load(&paths_or_current(paths), &env);
    output.message(&loaded.diagnostics.render(&loaded.sources, output.styled()));
    let summary = loaded
        .diagnostics
        .summary(loaded.sources.len(), loaded.desired.alerts.len());
    if loaded.diagnostics.has_errors() {
        return Err(Error::new(summary).reported());
    }
    output.line(&summary);
    Ok(0)
}
