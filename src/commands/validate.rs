//! `flex-alerts validate`: schema and rules, offline; every problem of every alert file and
//! rule test file in one run. It needs no secrets: a webhook URL whose variable is not set is
//! noted, not checked.

use std::path::PathBuf;

use super::test::load_tests;
use crate::cli::paths_or_current;
use crate::config;
use crate::error::Error;
use crate::output::Output;

pub fn run(paths: &[PathBuf], output: &Output) -> Result<u8, Error> {
    let env = |name: &str| std::env::var(name).ok();
    // Offline, and needing no secrets: an unset webhook variable is a note.
    let loaded = config::load_with(&paths_or_current(paths), &env, config::Secrets::Optional);
    let (tests, test_problems, test_sources) = load_tests(&loaded);
    let mut shown = loaded.diagnostics.clone();
    shown.extend(loaded.skipped.iter().cloned());
    shown.extend(test_problems.items().iter().cloned());
    shown.sort();
    let mut sources = loaded.sources.clone();
    sources.extend(test_sources);
    output.message(&shown.render(&sources, output.styled()));
    let mut summary = shown.summary(sources.len(), loaded.desired.alerts.len());
    let test_count: usize = tests.iter().map(|file| file.tests.len()).sum();
    if test_count > 0 {
        summary.push_str(&format!(
            "; {} checked",
            config::diagnostic::plural(test_count, "rule test")
        ));
    }
    if shown.has_errors() {
        return Err(Error::new(summary).reported());
    }
    output.line(&summary);
    Ok(0)
}
