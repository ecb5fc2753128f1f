//! `flex-alerts test`: the rule test files (`*.test.yaml`) under PATH run against the alert
//! files under PATH, offline; exit 1 when a test fails or a file has a problem.

use std::path::PathBuf;

use crate::cli::TestFormat;
use crate::config::{self, diagnostic::Diagnostics, source};
use crate::error::Error;
use crate::evaluate::{test_file, testing};
use crate::output::Output;

pub fn run(
    paths: &[PathBuf],
    format: TestFormat,
    environment: Option<&str>,
    output: &Output,
) -> Result<u8, Error> {
    let context = super::environment::Context::resolve(environment, output)?;
    let env = |name: &str| std::env::var(name).ok();
    let loading = context.loading();
    // Tests need no secrets: webhook URLs play no part in when an alert fires.
    let loaded = config::load_in(
        &context.paths(paths),
        (&env, &loading),
        config::Secrets::Optional,
    );
    let (files, diagnostics, sources) = load_tests(&loaded);
    let mut all = loaded.diagnostics.clone();
    all.extend(diagnostics.items().iter().cloned());
    all.sort();
    let mut shown_sources = loaded.sources.clone();
    shown_sources.extend(sources);
    if all.has_errors() {
        output.message(&all.render(&shown_sources, output.styled()));
        return Err(Error::new(format!(
            "{}; no test was run",
            config::diagnostic::plural(all.error_count(), "error")
        ))
        .hint("fix the files; `flex-alerts validate` checks alert and test files offline")
        .reported());
    }
    if files.is_empty() {
        return Err(Error::new("no test files (*.test.yaml) found")
            .hint("write tests in files ending in .test.yaml next to the alert files"));
    }
    let outcomes = testing::run(&files, &loaded.desired);
    match format {
        TestFormat::Text => output.data(&testing::render_text(&outcomes))?,
        TestFormat::Junit => output.data(&testing::render_junit(&outcomes))?,
    }
    Ok(if outcomes.iter().all(testing::Outcome::passed) {
        0
    } else {
        1
    })
}

/// Reads and checks every test file `loaded` found, against its alerts.
pub fn load_tests(
    loaded: &config::Loaded,
) -> (
    Vec<test_file::TestFile>,
    Diagnostics,
    Vec<source::SourceFile>,
) {
    let mut files = Vec::new();
    let mut diagnostics = Diagnostics::default();
    let mut sources = Vec::new();
    for path in &loaded.test_files {
        match source::read(path) {
            Ok(source) => {
                match test_file::load(&source, &loaded.desired) {
                    Ok(file) => files.push(file),
                    Err(problems) => diagnostics.extend(problems),
                }
                sources.push(source);
            }
            Err(problem) => diagnostics.push(problem),
        }
    }
    (files, diagnostics, sources)
}
