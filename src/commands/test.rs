//! `flex-alerts test`: the rule test files (`*.test.yaml`) under PATH run against the alert
//! files under PATH, offline; exit 1 when a test fails or a file has a problem.

use std::path::PathBuf;

use crate::cli::TestFormat;
use crate::config::source_file::SourceFile;
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
    let context =
        super::environment::Context::resolve(environment, super::environment::Needs::One, output)?;
    // Tests need no secrets: webhook URLs play no part in when an alert fires.
    let loaded = context.load(paths, config::Secrets::Optional);
    let Tests {
        files,
        diagnostics: all,
        sources: shown_sources,
    } = load_tests(&loaded);
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

/// The test files `loaded` found, checked against its alerts; with the problems and the
/// sources of both the alert files and the test files, to show them against.
pub struct Tests {
    pub files: Vec<test_file::TestFile>,
    pub diagnostics: Diagnostics,
    pub sources: Vec<SourceFile>,
}

/// Reads and checks every test file `loaded` found, against its alerts.
pub fn load_tests(loaded: &config::Loaded) -> Tests {
    let mut tests = Tests {
        files: Vec::new(),
        diagnostics: loaded.diagnostics.clone(),
        sources: loaded.sources.clone(),
    };
    for path in &loaded.test_files {
        match source::read(path) {
            Ok(source) => {
                match test_file::load(&source, &loaded.desired) {
                    Ok(file) => tests.files.push(file),
                    Err(problems) => tests.diagnostics.extend(problems),
                }
                tests.sources.push(source);
            }
            Err(problem) => tests.diagnostics.push(problem),
        }
    }
    tests.diagnostics.sort();
    tests
}
