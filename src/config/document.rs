//! One YAML document of a flex-alerts format (alert, overlay, rule test or project file)
//! through the YAML reader, the version check, `${VAR}`, the format's schema and typed
//! deserialisation, every problem at its place: what every loader of a file shares.

use super::diagnostic::Diagnostic;
use super::schema;
use super::source_file::SourceFile;
use super::variables;
use crate::common::env::EnvLookup;
use crate::common::yaml::{self, NodeKind, Scalar};

/// A document read: its content, where each node is, and the problems that did not stop it
/// from being read.
#[derive(Debug)]
pub struct Parsed<T> {
    pub content: T,
    pub spans: yaml::SpanIndex,
    /// `${VAR}`s that are not set: each an error at its place.
    pub problems: Vec<Diagnostic>,
    /// Where an unset `${VAR}` stands (JSON pointers): the content holds a stand-in value
    /// there, so that the rest of the file is checked in the same run; nothing found at a
    /// stand-in may be reported, since it only follows from the unset variable.
    pub stand_ins: Vec<String>,
}

/// One YAML document of a format with no `${VAR}` (a rule test file, the project file).
pub fn parse_document<T: serde::de::DeserializeOwned>(
    source: &SourceFile,
    compiled: &schema::Compiled,
    kind: (&str, &str),
) -> Result<(T, yaml::SpanIndex), Vec<Diagnostic>> {
    let parsed = parse_document_in(source, compiled, kind, None)?;
    Ok((parsed.content, parsed.spans))
}

/// One YAML document of a flex-alerts format (`kind`: "alert file" with its `alerts`, "test
/// file" with its `tests`) through the YAML parser, the version check, `${VAR}` from `vars`,
/// `compiled` and typed deserialisation; every problem at its place.
pub fn parse_document_in<T: serde::de::DeserializeOwned>(
    source: &SourceFile,
    compiled: &schema::Compiled,
    (kind, main_key): (&str, &str),
    vars: Option<EnvLookup<'_>>,
) -> Result<Parsed<T>, Vec<Diagnostic>> {
    let name = source.display.as_str();
    let starts = format!("a {kind} starts with `version: 1`");
    let root = match yaml::parse(&source.text) {
        Ok(Some(root)) => root,
        Ok(None) => {
            return Err(vec![
                Diagnostic::error(name, None, "file is empty").with_hint(starts),
            ]);
        }
        Err(error) => {
            return Err(vec![
                Diagnostic::error(name, Some(error.span), error.message)
                    .with_optional_hint(error.hint),
            ]);
        }
    };
    let NodeKind::Mapping(entries) = &root.kind else {
        return Err(vec![
            Diagnostic::error(
                name,
                Some(root.span),
                format!(
                    "expected a mapping with `version` and `{main_key}` at the top of the file"
                ),
            )
            .with_hint(starts),
        ]);
    };
    // A file of another version has another shape: say so once instead of listing its keys.
    if let Some((_, node)) = entries.iter().find(|(key, _)| key.name == "version")
        && let NodeKind::Scalar(Scalar::Int(version)) = node.kind
        && version != 1
    {
        return Err(vec![
            Diagnostic::error(
                name,
                Some(node.span),
                format!("unsupported format version {version}"),
            )
            .with_hint("this flex-alerts reads `version: 1`"),
        ]);
    }
    let (mut json, spans) = yaml::to_json(&root);
    let (mut problems, unset) = match vars {
        Some(vars) => variables::substitute(&mut json, &spans, name, vars),
        None => (Vec::new(), Vec::new()),
    };
    let stand_ins = stand_in(&mut json, &unset, compiled);
    let found = schema::check_against_except(compiled, name, &json, &spans, &stand_ins);
    if !found.is_empty() {
        problems.extend(found);
        return Err(problems);
    }
    match serde_json::from_value(json) {
        Ok(content) => Ok(Parsed {
            content,
            spans,
            problems,
            stand_ins,
        }),
        // With stand-ins, what cannot be read follows from the unset variables.
        Err(_) if !stand_ins.is_empty() => Err(problems),
        Err(error) => {
            problems.push(Diagnostic::error(
                name,
                Some(root.span),
                format!("cannot read this file: {error}"),
            ));
            Err(problems)
        }
    }
}

/// Puts at each pointer of `unset` a value the schema takes there (a number, a delay, an
/// email address or a name, whichever it accepts first), so the rest of the document can be
/// checked; returns the pointers that hold one.
fn stand_in(
    json: &mut serde_json::Value,
    unset: &[String],
    compiled: &schema::Compiled,
) -> Vec<String> {
    use serde_json::Value;
    let candidates = [
        Value::from(0),
        Value::from("0s"),
        Value::from("stand-in@example.com"),
        Value::from("stand-in"),
    ];
    let mut open: Vec<&String> = unset.iter().collect();
    // Each round tries the next candidate where the schema refused the last one.
    for candidate in &candidates {
        for pointer in &open {
            if let Some(value) = json.pointer_mut(pointer) {
                *value = candidate.clone();
            }
        }
        let refused = schema::refused_at(compiled, json);
        open.retain(|pointer| refused.iter().any(|at| at == *pointer));
        if open.is_empty() {
            break;
        }
    }
    unset.to_vec()
}
