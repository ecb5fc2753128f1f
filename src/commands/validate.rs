//! `flex-alerts validate`: schema and rules, offline; every problem of every file in one run.
//! It needs no secrets: a webhook URL whose variable is not set is noted, not checked.

use std::path::PathBuf;

use crate::cli::paths_or_current;
use crate::config;
use crate::error::Error;
use crate::output::Output;

pub fn run(paths: &[PathBuf], output: &Output) -> Result<u8, Error> {
    let env = |name: &str| std::env::var(name).ok();
    // Offline, and needing no secrets: an unset webhook variable is a note.
    let loaded = config::load_with(&paths_or_current(paths), &env, config::Secrets::Optional);
    let mut shown = loaded.diagnostics.clone();
    shown.extend(loaded.skipped.iter().cloned());
    shown.sort();
    output.message(&shown.render(&loaded.sources, output.styled()));
    let summary = loaded
        .diagnostics
        .summary(loaded.sources.len(), loaded.desired.alerts.len());
    if loaded.diagnostics.has_errors() {
        return Err(Error::new(summary).reported());
    }
    output.line(&summary);
    Ok(0)
}
