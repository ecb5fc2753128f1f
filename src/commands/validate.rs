//! `flex-alerts validate`: schema and rules, offline; every problem of every alert file and
//! rule test file in one run, in every environment of the project (their `${VAR}` values
//! differ) unless `--env` names one. It needs no secrets: a webhook URL whose variable is not
//! set is noted, not checked.

use std::path::PathBuf;

use super::environment::{Context, Needs};
use super::test::{Tests, load_tests};
use crate::config;
use crate::config::diagnostic::Shown;
use crate::error::Error;
use crate::output::Output;

pub fn run(paths: &[PathBuf], env: Option<&str>, output: &Output) -> Result<u8, Error> {
    let context = Context::resolve(env, Needs::NamedOrAll, output)?;
    let every: Vec<Context> = match (&context.project, env) {
        (Some(project), None) if !project.environments.is_empty() => project
            .environments
            .iter()
            .map(|environment| context.with_environment(environment))
            .collect(),
        _ => vec![context],
    };
    let mut shown = Shown::default();
    if let [only] = every.as_slice() {
        let (summary, ok) = validate_in(only, paths, &mut shown, output);
        if !ok {
            return Err(Error::new(summary).reported());
        }
        output.line(&summary);
        return Ok(0);
    }
    let mut failed = Vec::new();
    for context in &every {
        let name = context.name().unwrap_or_default();
        output.line(&format!("Environment {name}:"));
        let (summary, ok) = validate_in(context, paths, &mut shown, output);
        if ok {
            output.line(&format!("  {summary}"));
        } else {
            output.message(&format!("error: {summary}\n"));
            failed.push(name.to_owned());
        }
    }
    if failed.is_empty() {
        output.line(&format!("Valid in every environment ({}).", every.len()));
        Ok(0)
    } else {
        Err(Error::new(format!("errors in environment(s): {}", failed.join(", "))).reported())
    }
}

/// Validates in one environment, printing every problem not `shown` for an earlier one; the
/// summary, and whether it passed.
fn validate_in(
    context: &Context,
    paths: &[PathBuf],
    shown: &mut Shown,
    output: &Output,
) -> (String, bool) {
    // Offline, and needing no secrets: an unset webhook variable is a note.
    let loaded = context.load(paths, config::Secrets::Optional);
    let Tests {
        files: tests,
        diagnostics: mut found,
        sources,
    } = load_tests(&loaded);
    found.extend(loaded.skipped.iter().cloned());
    found.sort();
    let (fresh, repeated) = found.not_shown(shown);
    output.message(&fresh.render(&sources, output.styled()));
    if repeated > 0 {
        output.line(&format!(
            "  ({} as shown above for another environment)",
            config::diagnostic::plural(repeated, "problem")
        ));
    }
    let mut summary = found.summary(sources.len(), loaded.desired.alerts.len());
    let test_count: usize = tests.iter().map(|file| file.tests.len()).sum();
    if test_count > 0 {
        summary.push_str(&format!(
            "; {} checked",
            config::diagnostic::plural(test_count, "rule test")
        ));
    }
    (summary, !found.has_errors())
}
