//! Alert files in, desired state out: find the files, read them as spanned YAML, check them
//! against the schema and the rules, and build `Desired`, collecting every problem on the way.
//!
//! Offline and side-effect free apart from reading the files and the environment lookup.

pub mod desired;
pub mod diagnostic;
pub mod document;
pub mod editor;
pub mod kind;
pub mod model;
pub mod overlay;
pub mod rules;
pub mod schema;
pub mod source;
pub mod source_file;
pub mod variables;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::common::env::EnvLookup;
use desired::Desired;
use diagnostic::{Diagnostic, Diagnostics};
use rules::ParsedFile;
use source_file::SourceFile;

/// The outcome of loading: the desired state (complete only when there are no errors), every
/// problem found, and the sources to render them against.
#[derive(Debug)]
pub struct Loaded {
    pub desired: Desired,
    pub diagnostics: Diagnostics,
    pub sources: Vec<SourceFile>,
    /// YAML files met in a directory that are not alert files: a note each, saying why.
    pub skipped: Vec<Diagnostic>,
    /// Rule test files found (`*.test.yaml`), for `validate` and `test`.
    pub test_files: Vec<PathBuf>,
}

pub use rules::Secrets;

/// Loads and checks every alert file under `paths`, every webhook variable required.
pub fn load(paths: &[PathBuf], env: EnvLookup<'_>) -> Loaded {
    load_with(paths, env, Secrets::Required)
}

/// Loads and checks every alert file under `paths`; with `Secrets::Optional` (offline
/// `validate`), a webhook variable that is not set is a note, not an error.
pub fn load_with(paths: &[PathBuf], env: EnvLookup<'_>, secrets: Secrets) -> Loaded {
    load_in(paths, (env, &InEnvironment::default()), secrets)
}

/// What an environment adds to loading: values for `${VAR}` and an overlay directory.
#[derive(Debug, Default, Clone)]
pub struct InEnvironment {
    pub vars: BTreeMap<String, String>,
    pub overlay: Option<PathBuf>,
    /// For each variable other environments set in their `vars`, which ones (for the hint
    /// of a variable unset here).
    pub elsewhere: BTreeMap<String, Vec<String>>,
}

/// `load_with` in an environment: `${VAR}` outside webhook URLs reads its `vars` first, then
/// `env`; webhook URLs read `env` only; its overlay files change the base alerts.
pub fn load_in(
    paths: &[PathBuf],
    (env, environment): (EnvLookup<'_>, &InEnvironment),
    secrets: Secrets,
) -> Loaded {
    let found = source::discover(paths);
    let mut diagnostics = Diagnostics::default();
    diagnostics.extend(found.problems);
    let mut overlays = Vec::new();
    if let Some(directory) = &environment.overlay {
        let found = source::discover_overlays(directory);
        diagnostics.extend(found.problems);
        overlays = found.sources;
    }
    let mut loaded =
        check_sources_with(found.sources, (env, &environment.vars), &overlays, secrets);
    diagnostics.extend(
        loaded
            .diagnostics
            .items()
            .iter()
            .cloned()
            .map(|mut diagnostic| {
                if let Some(others) = variables::unset_in(&diagnostic.message)
                    .and_then(|name| environment.elsewhere.get(name))
                {
                    diagnostic.hint = Some(variables::unset_hint(others));
                }
                diagnostic
            }),
    );
    diagnostics.sort();
    // The overlays' text too, to show their problems against.
    loaded.sources.extend(overlays);
    Loaded {
        diagnostics,
        skipped: found.skipped,
        test_files: found.tests,
        ..loaded
    }
}

/// Checks sources already in memory (the part of `load` after reading files).
pub fn check_sources(sources: Vec<SourceFile>, env: EnvLookup<'_>) -> Loaded {
    check_sources_with(sources, (env, &BTreeMap::new()), &[], Secrets::Required)
}

/// `check_sources`, a webhook variable that is not set a note (as offline `validate` has it).
pub fn check_sources_optional(sources: Vec<SourceFile>, env: EnvLookup<'_>) -> Loaded {
    check_sources_with(sources, (env, &BTreeMap::new()), &[], Secrets::Optional)
}

fn check_sources_with(
    sources: Vec<SourceFile>,
    (env, vars): (EnvLookup<'_>, &BTreeMap<String, String>),
    overlays: &[SourceFile],
    secrets: Secrets,
) -> Loaded {
    let mut diagnostics = Diagnostics::default();
    let mut parsed = Vec::new();
    let lookup = |name: &str| vars.get(name).cloned().or_else(|| env(name));
    let mut base_complete = true;
    for source in &sources {
        match parse_file(source, &lookup) {
            Ok((file, problems)) => {
                parsed.push(file);
                diagnostics.extend(problems);
            }
            Err(problems) => {
                base_complete = false;
                diagnostics.extend(problems);
            }
        }
    }
    if !overlays.is_empty() {
        let (added, problems) = overlay::apply(&mut parsed, overlays, &lookup, base_complete);
        diagnostics.extend(problems);
        parsed.extend(added);
    }
    let (desired, problems) = rules::check(&parsed, env, secrets);
    diagnostics.extend(problems);
    diagnostics.sort();
    Loaded {
        desired,
        diagnostics,
        sources,
        skipped: Vec::new(),
        test_files: Vec::new(),
    }
}

/// One alert file through YAML, version check, `${VAR}`, schema and typed deserialisation;
/// with the problems that did not stop it being read (unset variables).
fn parse_file(
    source: &SourceFile,
    vars: EnvLookup<'_>,
) -> Result<(ParsedFile, Vec<Diagnostic>), Vec<Diagnostic>> {
    let parsed = document::parse_document_in(
        source,
        schema::alert_schema(),
        ("alert file", "alerts"),
        Some(vars),
    )?;
    Ok((
        ParsedFile {
            name: source.display.clone(),
            content: parsed.content,
            spans: parsed.spans,
            excluded: Vec::new(),
            stand_ins: parsed.stand_ins,
        },
        parsed.problems,
    ))
}
