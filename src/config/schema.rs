//! The JSON Schema of the YAML format: generated from `model.rs`, and used to check each file,
//! with every schema error turned into a diagnostic at the exact key or value it concerns.
//!
//! jsonschema reports unknown and missing keys at the parent object and duplicates at the whole
//! list; this module moves each report to the place a user must edit.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use serde_json::Value;

use super::diagnostic::Diagnostic;
use super::model::AlertFile;
use super::rules::parse_delay;
use crate::common::suggest;
use crate::common::yaml::{SpanIndex, escape_pointer};
use crate::flex::Metric;

/// The schema as committed in `schemas/flex-alerts.schema.json`.
pub fn generate() -> Value {
    generate_for::<AlertFile>()
}

/// The schema of a YAML format whose root type is `T`, as flex-alerts writes its schemas: no
/// `null` for optional keys, and what editors need (see `editor`).
pub fn generate_for<T: schemars::JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with_transform(NoNull)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    super::editor::decorate(&mut schema);
    schema
}

/// `generate()` as pretty JSON with a final newline, byte for byte the committed file.
pub fn generate_pretty() -> String {
    pretty(&generate())
}

/// A schema as pretty JSON with a final newline, as the committed files are written.
pub fn pretty(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("a schema serialises");
    text.push('\n');
    text
}

/// A compiled schema, with its JSON for the messages that read it.
pub struct Compiled {
    schema: Value,
    validator: jsonschema::Validator,
}

impl Compiled {
    pub fn new(schema: Value) -> Compiled {
        let validator =
            jsonschema::draft202012::new(&schema).expect("the generated schema is valid");
        Compiled { schema, validator }
    }
}

/// The title that marks a `null` a format allows (an overlay's, to remove a key of the base
/// alert); every other `null` is taken out of the schemas.
pub const REMOVE: &str = "remove";

/// Optional keys may be omitted but never `null`: an empty `notify:` is a mistake, not "off";
/// and no key defaults to `null`.
#[derive(Clone)]
struct NoNull;

impl Transform for NoNull {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(object) = schema.as_object_mut() {
            // `"default": null` says nothing a missing key does not, and editors insert it
            // (yaml-language-server 1.25 even fails on it for strings and booleans).
            if object.get("default") == Some(&Value::Null) {
                object.remove("default");
            }
            if let Some(Value::Array(types)) = object.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let single = types.remove(0);
                    object.insert("type".into(), single);
                }
            }
            if let Some(Value::Array(options)) = object.get("anyOf") {
                // A `null` an overlay may write to remove a key is kept.
                let kept: Vec<Value> = options
                    .iter()
                    .filter(|o| {
                        o.get("type") != Some(&Value::from("null"))
                            || o.get("title") == Some(&Value::from(REMOVE))
                    })
                    .cloned()
                    .collect();
                if kept.len() == 1 && options.len() == 2 {
                    object.remove("anyOf");
                    if let Value::Object(inner) = &kept[0] {
                        for (key, value) in inner {
                            object.entry(key.clone()).or_insert(value.clone());
                        }
                    }
                }
            }
        }
        transform_subschemas(self, schema);
    }
}

/// The alert file schema, compiled once.
pub fn alert_schema() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| Compiled::new(generate()))
}

/// Checks one alert file's JSON form against the schema; one diagnostic per problem.
pub fn check(file: &str, instance: &Value, spans: &SpanIndex) -> Vec<Diagnostic> {
    check_against(alert_schema(), file, instance, spans)
}

/// Checks one file's JSON form against `compiled`; one diagnostic per problem, at the key or
/// value to edit.
pub fn check_against(
    compiled: &Compiled,
    file: &str,
    instance: &Value,
    spans: &SpanIndex,
) -> Vec<Diagnostic> {
    check_against_except(compiled, file, instance, spans, &[])
}

/// `check_against`, leaving out what is wrong at (or under) the pointers of `except`.
pub fn check_against_except(
    compiled: &Compiled,
    file: &str,
    instance: &Value,
    spans: &SpanIndex,
    except: &[String],
) -> Vec<Diagnostic> {
    let Compiled { schema, validator } = compiled;
    let excepted = |pointer: &str| {
        except
            .iter()
            .any(|at| pointer == at || pointer.starts_with(&format!("{at}/")))
    };
    let mut found: Vec<Diagnostic> = validator
        .iter_errors(instance)
        .filter(|error| !excepted(error.instance_path().as_str()))
        .flat_map(|error| {
            let pointer = error.instance_path().as_str().to_owned();
            let schema_path = error.schema_path().as_str().to_owned();
            describe(
                file,
                (&pointer, &schema_path),
                error.kind(),
                (error.instance(), instance),
                schema,
                spans,
            )
        })
        .collect();
    // One report per place: an empty name breaks both `minLength` and `pattern`, say it once.
    let mut seen = std::collections::HashSet::new();
    found.retain(|d| seen.insert(d.span.map(|s| (s.start, s.end))));
    found
}

fn describe(
    file: &str,
    (pointer, schema_path): (&str, &str),
    kind: &ValidationErrorKind,
    (instance, root): (&Value, &Value),
    schema: &Value,
    spans: &SpanIndex,
) -> Vec<Diagnostic> {
    let at_value = spans.value(pointer).or_else(|| spans.nearest(pointer));
    let at_key = spans.nearest(pointer);
    let field = field_name(pointer);
    let one = |span, message: String, hint: Option<String>| {
        vec![Diagnostic::error(file, span, message).with_optional_hint(hint)]
    };
    // `warning: 120`: a level written as its number, without a direction.
    let level_without_direction = matches!(field, "warning" | "critical")
        && pointer.contains("/thresholds/")
        && !instance.is_object()
        && !instance.is_null();
    match kind {
        ValidationErrorKind::OneOfMultipleValid { .. }
        | ValidationErrorKind::OneOfNotValid { .. }
            if level_without_direction =>
        {
            Vec::new()
        }
        ValidationErrorKind::Type { .. } if level_without_direction => {
            let value = short(instance);
            one(
                at_value,
                format!("`{field}: {value}` says no direction"),
                Some(format!(
                    "write `{field}: {{ above: {value} }}` or `{{ below: {value} }}` (Flex \"Greater Than\" or \"Lesser Than\")"
                )),
            )
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_keys(schema, schema_path);
            unexpected
                .iter()
                .map(|key| {
                    let child = format!("{pointer}/{}", escape_pointer(key));
                    Diagnostic::error(
                        file,
                        spans.key_or_value(&child),
                        format!("unknown key `{key}` {}", context(pointer, instance)),
                    )
                    .with_optional_hint(
                        suggest::closest(key, &allowed)
                            .map(|best| format!("did you mean `{best}`?"))
                            .or_else(|| {
                                indent_hint(key, pointer, instance, schema, schema_path, spans)
                            })
                            .or_else(|| suggest::did_you_mean_or_list(key, &allowed)),
                    )
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            one(
                at_key,
                format!(
                    "missing required key `{name}` {}",
                    context(pointer, instance)
                ),
                (name == "version" && pointer.is_empty())
                    .then(|| "add `version: 1` as the first line".to_owned()),
            )
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => type_noun(&t.to_string()),
                TypeKind::Multiple(_) => "another type".to_owned(),
            };
            let hint = match instance.as_str() {
                Some("on" | "off" | "yes" | "no" | "On" | "Off" | "Yes" | "No" | "y" | "n")
                    if expected.contains("true") =>
                {
                    Some("YAML 1.2 reads `on`, `off`, `yes` and `no` as text: write `true` or `false`".to_owned())
                }
                Some(text) if expected.contains("whole number") && text.parse::<f64>().is_ok() => {
                    Some(format!("remove the quotes: {text}"))
                }
                Some(text)
                    if expected.contains("whole number")
                        && text
                            .trim_end_matches('%')
                            .trim()
                            .parse::<u64>()
                            .is_ok() =>
                {
                    Some(format!(
                        "write the number alone: `{field}: {}` (SLA thresholds are percentages already)",
                        text.trim_end_matches('%').trim()
                    ))
                }
                Some(text) if matches!(field, "above" | "below") && parse_delay(text).is_some() => {
                    let unit = alert_metric(root, pointer).map(Metric::unit);
                    Some(match unit {
                        Some("seconds") => format!(
                            "this metric is in seconds: write {}",
                            parse_delay(text).unwrap_or_default()
                        ),
                        Some(unit) => format!("this metric counts {unit}, not time: write a number of {unit}"),
                        None => "write a whole number".to_owned(),
                    })
                }
                _ if field == "after" && instance.is_u64() => {
                    let seconds = instance.as_u64().unwrap_or_default();
                    let written = if seconds.is_multiple_of(60) && seconds > 0 {
                        format!("{}m", seconds / 60)
                    } else {
                        format!("{seconds}s")
                    };
                    Some(format!(
                        "write a duration with its unit: `after: {written}` (s or m, e.g. 90s, 5m)"
                    ))
                }
                _ if expected.contains("list") && instance.is_null() => {
                    Some(format!("write a list, e.g. `{field}: []` for none"))
                }
                _ if expected.contains("list") && !instance.is_array() => {
                    Some(format!("write a list, e.g. `[{}]`", short(instance)))
                }
                _ => None,
            };
            one(
                at_value,
                format!("`{field}` must be {expected}, found {}", found(instance)),
                hint,
            )
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = options
                .as_array()
                .map(|o| o.iter().map(short).collect())
                .unwrap_or_default();
            let given = instance
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| short(instance));
            one(
                at_value,
                format!("unknown {} `{given}`", noun(pointer)),
                suggest::did_you_mean_or_list(&given, &options),
            )
        }
        ValidationErrorKind::Minimum { limit } => one(
            at_value,
            format!(
                "`{field}` must be at least {limit}, found {}",
                short(instance)
            ),
            None,
        ),
        ValidationErrorKind::Maximum { limit } => one(
            at_value,
            format!(
                "`{field}` must be at most {limit}, found {}",
                short(instance)
            ),
            None,
        ),
        ValidationErrorKind::MaxItems { limit } => {
            let count = instance.as_array().map_or(0, Vec::len);
            let first_extra = format!("{pointer}/{limit}");
            one(
                spans.value(&first_extra).or(at_key),
                format!(
                    "at most {limit} {} allowed, found {count}",
                    plural_noun(pointer)
                ),
                (field == "queues").then(|| {
                    format!("an alert watches at most {limit} queues; split it into two alerts")
                }),
            )
        }
        ValidationErrorKind::MinItems { limit } => one(
            at_key,
            format!("at least {limit} {} needed", noun(pointer)),
            None,
        ),
        ValidationErrorKind::UniqueItems => {
            let items = instance.as_array().cloned().unwrap_or_default();
            let duplicate = (1..items.len()).find(|&j| items[..j].contains(&items[j]));
            let span = duplicate.and_then(|j| spans.value(&format!("{pointer}/{j}")));
            let value = duplicate.map(|j| short(&items[j])).unwrap_or_default();
            one(
                span.or(at_key),
                format!("duplicate {} `{value}`", noun(pointer)),
                Some("each entry may appear once".to_owned()),
            )
        }
        ValidationErrorKind::AnyOf { .. } if !instance.is_string() => {
            // A value of a type none of the choices takes: say which types they take.
            let choices: Vec<String> = object_schema(schema, schema_path)
                .and_then(|node| node.get("anyOf"))
                .and_then(Value::as_array)
                .map(|choices| {
                    choices
                        .iter()
                        .map(|choice| dereference(schema, choice))
                        .filter_map(|choice| choice.get("type").and_then(Value::as_str))
                        .map(type_noun)
                        .collect()
                })
                .unwrap_or_default();
            let expected = if choices.is_empty() {
                "another type".to_owned()
            } else {
                choices.join(" or ")
            };
            one(
                at_value,
                format!("`{field}` must be {expected}, found {}", found(instance)),
                None,
            )
        }
        ValidationErrorKind::Pattern { .. } | ValidationErrorKind::AnyOf { .. } => {
            let text = instance.as_str().unwrap_or_default();
            let (message, hint) = pattern_message(pointer, text);
            one(at_value, message, hint)
        }
        ValidationErrorKind::MinLength { .. } => {
            one(at_value, format!("`{field}` must not be empty"), None)
        }
        ValidationErrorKind::MinProperties { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            let keys = allowed_keys(schema, schema_path);
            one(
                at_key,
                format!(
                    "{} needs one of {}",
                    context_noun(pointer),
                    quoted_list(&keys)
                ),
                None,
            )
        }
        ValidationErrorKind::MaxProperties { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. } => {
            let keys = allowed_keys(schema, schema_path);
            let second = instance
                .as_object()
                .and_then(|o| o.keys().nth(1))
                .map(|k| format!("{pointer}/{}", escape_pointer(k)));
            one(
                second.and_then(|p| spans.key_or_value(&p)).or(at_key),
                format!("give only one of {}", quoted_list(&keys)),
                Some("a threshold compares in one direction".to_owned()),
            )
        }
        other => one(
            at_value,
            format!("`{field}` is not valid here ({})", other.keyword()),
            None,
        ),
    }
}

/// The message for a string that failed a pattern (or a name-or-SID choice).
fn pattern_message(pointer: &str, text: &str) -> (String, Option<String>) {
    let sid_prefix = match noun(pointer) {
        "queue" => Some("WQ"),
        "channel" => Some("TC"),
        "user" => Some("FU"),
        _ => None,
    };
    if text.trim() != text {
        return (
            format!("{} `{text}` starts or ends with a space", noun(pointer)),
            Some("remove the spaces".to_owned()),
        );
    }
    if let Some(prefix) = sid_prefix {
        return (
            format!("`{text}` looks like a {prefix} SID but is not one"),
            Some(format!(
                "a SID is `{prefix}` followed by 32 hexadecimal digits; or give the {} name",
                noun(pointer)
            )),
        );
    }
    match field_name(pointer) {
        "after" => (
            format!("`{text}` is not a delay"),
            Some("write seconds and/or minutes: `0s`, `90s`, `5m`, `1m30s`".to_owned()),
        ),
        "emails" => (
            format!("`{text}` is not an email address"),
            Some("write it as name@example.com".to_owned()),
        ),
        _ => (
            format!("`{text}` is not valid for `{}`", field_name(pointer)),
            None,
        ),
    }
}

/// For a key written one level too far left: "indent it under `thresholds` (line 7)" when
/// `key` is unknown here but belongs in the mapping of one of this mapping's keys (the one
/// written in the file, else the one it belongs in).
fn indent_hint(
    key: &str,
    pointer: &str,
    object: &Value,
    schema: &Value,
    schema_path: &str,
    spans: &SpanIndex,
) -> Option<String> {
    let properties = object_schema(schema, schema_path)?
        .get("properties")?
        .as_object()?;
    let parent = properties.iter().find_map(|(name, property)| {
        let mut node = dereference(schema, property);
        if let Some(items) = node.get("items") {
            node = dereference(schema, items);
        }
        node.get("properties")?.get(key).map(|_| name)
    })?;
    let written = object
        .get(parent)
        .and_then(|_| spans.key_or_value(&format!("{pointer}/{}", escape_pointer(parent))));
    Some(match written {
        Some(span) => format!(
            "indent it under `{parent}` on line {}, where it belongs",
            span.line
        ),
        None => format!("`{key}` belongs under `{parent}`: indent it there"),
    })
}

/// The keys a mapping may hold, read from the schema at the failing keyword's object.
fn allowed_keys(schema: &Value, schema_path: &str) -> Vec<String> {
    object_schema(schema, schema_path)
        .and_then(|node| node.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// The metric of the alert `pointer` is in, when the file names a known one.
fn alert_metric(root: &Value, pointer: &str) -> Option<Metric> {
    let alert = pointer.split("/thresholds/").next()?;
    Metric::from_id(root.pointer(&format!("{alert}/metric"))?.as_str()?)
}

/// The pointers of `instance` the schema refuses a value at.
pub fn refused_at(compiled: &Compiled, instance: &Value) -> Vec<String> {
    compiled
        .validator
        .iter_errors(instance)
        .map(|error| error.instance_path().as_str().to_owned())
        .collect()
}

/// The schema of the object whose keyword (the last segment of `schema_path`) failed.
fn object_schema<'a>(schema: &'a Value, schema_path: &str) -> Option<&'a Value> {
    let object_path = schema_path
        .rsplit_once('/')
        .map_or("", |(parent, _)| parent);
    let mut node = schema;
    for segment in object_path.split('/').filter(|s| !s.is_empty()) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        node = node.get(&segment)?;
        if segment == "$ref" {
            node = resolve(schema, node.as_str().unwrap_or_default())?;
        }
    }
    Some(dereference(schema, node))
}

/// `node`, or what its `$ref` points to.
fn dereference<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
    node.get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| resolve(schema, reference))
        .unwrap_or(node)
}

fn resolve<'a>(schema: &'a Value, reference: &str) -> Option<&'a Value> {
    schema.pointer(reference.strip_prefix('#')?)
}

/// The last named segment of a pointer: `/alerts/0/queues/3` -> `queues`.
fn field_name(pointer: &str) -> &str {
    pointer
        .rsplit('/')
        .find(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("file")
}

/// What one value at `pointer` is, in user words.
fn noun(pointer: &str) -> &'static str {
    match field_name(pointer) {
        "queues" => "queue",
        "users" => "user",
        "emails" => "email address",
        "renamed_from" => "earlier name",
        "metric" => "metric",
        "channel" => "channel",
        "severity" => "severity",
        "type" => "webhook type",
        "browser_push_mode" => "browser push mode",
        "version" => "version",
        "alerts" => "alert",
        "name" => "alert name",
        _ => "value",
    }
}

fn plural_noun(pointer: &str) -> String {
    match noun(pointer) {
        "email address" => "email addresses".to_owned(),
        other => format!("{other}s"),
    }
}

/// Where a key sits, for messages: "in alert `Support waiting`" (or "in alert 2" when it has
/// no name yet), "in `thresholds`", "at the top level". `object` is the mapping it sits in.
fn context(pointer: &str, object: &Value) -> String {
    let segments: Vec<&str> = pointer.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [] => "at the top level".to_owned(),
        ["alerts", index] => match object.get("name").and_then(Value::as_str) {
            Some(name) if !name.trim().is_empty() => format!("in alert `{name}`"),
            _ => format!("in alert {}", index.parse::<usize>().unwrap_or(0) + 1),
        },
        [.., parent, index] if index.bytes().all(|b| b.is_ascii_digit()) => format!(
            "in item {} of `{parent}`",
            index.parse::<usize>().unwrap_or(0) + 1
        ),
        [.., last] => format!("in `{last}`"),
    }
}

fn context_noun(pointer: &str) -> String {
    match field_name(pointer) {
        "thresholds" => "`thresholds`".to_owned(),
        "warning" | "critical" => format!("the `{}` threshold", field_name(pointer)),
        other => format!("`{other}`"),
    }
}

fn type_noun(json_type: &str) -> String {
    match json_type {
        "boolean" => "true or false".to_owned(),
        "integer" => "a whole number".to_owned(),
        "number" => "a number".to_owned(),
        "string" => "text".to_owned(),
        "array" => "a list".to_owned(),
        "object" => "a mapping of keys to values".to_owned(),
        "null" => "empty".to_owned(),
        other => other.to_owned(),
    }
}

fn found(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_owned(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::String(s) => format!("text `{s}`"),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

/// A value as it would be written in YAML, kept short.
fn short(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(_) => "...".to_owned(),
        Value::Object(_) => "{...}".to_owned(),
        other => other.to_string(),
    }
}

fn quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => "its keys".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_draft_2020_12_and_closed() {
        let schema = generate();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["additionalProperties"], false);
        for (name, definition) in schema["$defs"].as_object().unwrap() {
            if definition.get("properties").is_some() {
                assert_eq!(definition["additionalProperties"], false, "{name}");
            }
        }
    }

    #[test]
    fn every_property_has_a_description() {
        fn walk(node: &Value, path: &str) {
            if let Some(properties) = node.get("properties").and_then(Value::as_object) {
                for (key, property) in properties {
                    let has = property.get("description").is_some()
                        || property
                            .get("$ref")
                            .is_some_and(|_| property.get("description").is_some());
                    assert!(has, "{path}/{key} has no description");
                }
            }
            if let Some(map) = node.as_object() {
                for (key, child) in map {
                    walk(child, &format!("{path}/{key}"));
                }
            }
        }
        walk(&generate(), "");
    }

    #[test]
    fn no_optional_key_accepts_null() {
        let text = serde_json::to_string(&generate()).unwrap();
        assert!(!text.contains("\"null\""), "schema allows null somewhere");
    }

    #[test]
    fn allowed_keys_follow_refs() {
        let schema = generate();
        let keys = allowed_keys(
            &schema,
            "/properties/alerts/items/$ref/properties/thresholds/$ref/additionalProperties",
        );
        assert_eq!(keys, vec!["warning", "critical"]);
    }

    #[test]
    fn pointer_words() {
        assert_eq!(field_name("/alerts/0/queues/3"), "queues");
        assert_eq!(context("/alerts/1", &serde_json::json!({})), "in alert 2");
        assert_eq!(
            context("/alerts/1", &serde_json::json!({"name": "Support waiting"})),
            "in alert `Support waiting`"
        );
        assert_eq!(context("", &serde_json::json!({})), "at the top level");
        assert_eq!(
            context("/alerts/0/notify", &serde_json::json!({})),
            "in `notify`"
        );
    }
}
