//! What editors need from the schema beyond validation (yaml-language-server, VS Code): a title
//! per key for hover headings, Markdown descriptions without hard wraps, a description of each
//! metric in completions, and snippets for a new alert and a threshold.

use serde_json::{Value, json};

use crate::flex::Metric;

/// Adds the editor keywords to the generated schema. Validation is unchanged: these keywords
/// are annotations that validators ignore.
pub fn decorate(schema: &mut Value) {
    annotate(schema);
    let Some(definitions) = schema.get_mut("$defs").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(metric) = definitions.get_mut("Metric") {
        metric["enumDescriptions"] = Metric::ALL
            .iter()
            .map(|metric| metric.description())
            .collect();
        metric["markdownEnumDescriptions"] = Metric::ALL
            .iter()
            .map(|metric| format!("**{}**: {}", metric.id(), metric.description()))
            .collect();
    }
    if let Some(alert) = definitions.get_mut("Alert") {
        alert["defaultSnippets"] = json!([{
            "label": "new alert",
            "description": "An alert with a warning and a critical threshold that notifies users",
            "body": {
                "name": "${1:Support voice - longest wait}",
                "metric": format!("${{2|{}|}}", Metric::ALL.map(Metric::id).join(",")),
                "channel": "${3:voice}",
                "queues": ["${4:Support}"],
                "thresholds": {
                    "warning": { "above": "^${5:60}" },
                    "critical": { "above": "^${6:180}" }
                },
                "notify": { "users": ["${7:jane.doe}"], "after": "${8:1m}" }
            }
        }]);
    }
    if let Some(threshold) = definitions.get_mut("Threshold") {
        threshold["defaultSnippets"] = json!([
            { "label": "above", "description": "Fires when the metric is greater than N", "body": { "above": "^${1:60}" } },
            { "label": "below", "description": "Fires when the metric is less than N", "body": { "below": "^${1:2}" } }
        ]);
    }
    for (name, label, placeholder) in [
        ("QueueRef", "queue name", "Support"),
        ("UserRef", "username", "jane.doe"),
        ("ChannelRef", "channel", "voice"),
    ] {
        if let Some(reference) = definitions.get_mut(name) {
            reference["defaultSnippets"] =
                json!([{ "label": label, "body": format!("${{1:{placeholder}}}") }]);
        }
    }
}

/// Every description unwrapped (doc comments are hard-wrapped; editors would break them into
/// paragraphs) and given as Markdown too, and every key titled with its own name.
fn annotate(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get("description") {
                let text = unwrap(text);
                map.insert("markdownDescription".into(), Value::String(text.clone()));
                map.insert("description".into(), Value::String(text));
            }
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for (key, property) in properties.iter_mut() {
                    if let Value::Object(property) = property {
                        property
                            .entry("title")
                            .or_insert_with(|| Value::String(key.clone()));
                    }
                }
            }
            map.iter_mut()
                .filter(|(key, _)| !is_data(key))
                .for_each(|(_, child)| annotate(child));
        }
        Value::Array(items) => items.iter_mut().for_each(annotate),
        _ => {}
    }
}

/// Keywords whose values are data (sample files, snippets), not schemas.
fn is_data(keyword: &str) -> bool {
    matches!(keyword, "examples" | "defaultSnippets" | "enum")
}

/// Joins the lines of each paragraph; paragraphs stay apart.
fn unwrap(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_unwrapped_and_kept_apart() {
        assert_eq!(unwrap("one\ntwo\n\nthree"), "one two\n\nthree");
    }

    #[test]
    fn every_description_is_one_line_per_paragraph_and_markdown_too() {
        let schema = crate::config::schema::generate();
        fn walk(node: &Value) {
            if let Some(map) = node.as_object() {
                if let Some(text) = map.get("description").and_then(Value::as_str) {
                    for paragraph in text.split("\n\n") {
                        assert!(!paragraph.contains('\n'), "{text:?}");
                    }
                    assert_eq!(map["markdownDescription"], text);
                }
                map.iter()
                    .filter(|(key, _)| !is_data(key))
                    .for_each(|(_, child)| walk(child));
            } else if let Some(items) = node.as_array() {
                items.iter().for_each(walk);
            }
        }
        walk(&schema);
        let metric = &schema["$defs"]["Metric"];
        assert_eq!(metric["enumDescriptions"].as_array().unwrap().len(), 17);
        assert!(
            metric["enumDescriptions"][16]
                .as_str()
                .unwrap()
                .ends_with("Unit: seconds.")
        );
        assert_eq!(
            schema["$defs"]["Alert"]["properties"]["metric"]["title"],
            "metric"
        );
    }
}
