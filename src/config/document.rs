//! One YAML document of a flex-alerts format (alert, overlay, rule test or project file)
//! through the YAML reader, the version check, `${VAR}`, the format's schema and typed
//! deserialisation, every problem at its place: what every loader of a file shares.

use super::diagnostic::Diagnostic;
use super::schema;
use super::source_file::SourceFile;
use super::variables;
use crate::common::env::EnvLookup;
use crate::common::yaml::{self, NodeKind, Scalar};

/// One YAML document of a flex-alerts format (`kind`: "alert file" with its `alerts`, "test
/// file" with its `tests`) through the YAML parser, the version check, `compiled` and typed
/// deserialisation; every problem at its place.
pub fn parse_document<T: serde::de::DeserializeOwned>(
    source: &SourceFile,
    compiled: &schema::Compiled,
    (kind, main_key): (&str, &str),
    vars: Option<EnvLookup<'_>>,
) -> Result<(T, yaml::SpanIndex), Vec<Diagnostic>> {
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
    if let Some(vars) = vars {
        let problems = variables::substitute(&mut json, &spans, name, vars);
        if !problems.is_empty() {
            return Err(problems);
        }
    }
    let problems = schema::check_against(compiled, name, &json, &spans);
    if !problems.is_empty() {
        return Err(problems);
    }
    match serde_json::from_value(json) {
        Ok(content) => Ok((content, spans)),
        Err(error) => Err(vec![Diagnostic::error(
            name,
            Some(root.span),
            format!("cannot read this file: {error}"),
        )]),
    }
}
