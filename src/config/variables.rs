//! `${VAR}` in any value of an alert file (users, emails, thresholds, queue names, `after`,
//! ...): replaced before the file is checked, so the value is checked at the place of the
//! `${VAR}`. The values come from the environment's `vars` in the project file, then from the
//! process environment. `$${` writes a literal `${`. Webhook URLs are left alone here: they are
//! secrets, read from the process environment only, never printed (see `rules.rs`).

use serde_json::Value;

use super::diagnostic::Diagnostic;
use crate::common::env::EnvLookup;
use crate::common::yaml::SpanIndex;

/// Replaces every `${NAME}` in the string values of `json`; each one that is not set, or
/// malformed, is an error at its value, and its pointer is returned too.
pub fn substitute(
    json: &mut Value,
    spans: &SpanIndex,
    file: &str,
    lookup: EnvLookup<'_>,
) -> (Vec<Diagnostic>, Vec<String>) {
    let mut problems = Vec::new();
    let mut unset = Vec::new();
    walk(json, String::new(), &mut |pointer, value| {
        let Value::String(text) = value else {
            return;
        };
        if !text.contains("${") || is_webhook_url(pointer) {
            return;
        }
        let place = spans.value(pointer).or_else(|| spans.nearest(pointer));
        match expand(text, lookup) {
            Ok(expanded) => {
                // A value that is one variable and holds a whole number is that number, so
                // `above: ${SUPPORT_WAIT}` is a threshold.
                let whole = text.starts_with("${")
                    && text.ends_with('}')
                    && text.matches("${").count() == 1;
                *value = match expanded.parse::<i64>() {
                    Ok(number) if whole => Value::from(number),
                    _ => Value::String(expanded),
                };
            }
            Err(Problem::Unset(name)) => {
                unset.push(pointer.to_owned());
                problems.push(
                    Diagnostic::error(file, place, unset_message(&name)).with_hint(unset_hint(&[])),
                );
            }
            Err(Problem::Malformed) => {
                unset.push(pointer.to_owned());
                problems.push(
                    Diagnostic::error(file, place, "a `${` without a variable name and `}`")
                        .with_hint("write `${NAME}` with letters, digits and `_`, or `$${` for a literal `${`"),
                );
            }
        }
    });
    (problems, unset)
}

/// The message of an unset variable.
fn unset_message(name: &str) -> String {
    format!("`${{{name}}}` is not set")
}

/// The variable an unset-variable message names, if `message` is one.
pub fn unset_in(message: &str) -> Option<&str> {
    message.strip_prefix("`${")?.strip_suffix("}` is not set")
}

/// What to do about an unset variable that the environments `defined_in` set in their `vars`.
pub fn unset_hint(defined_in: &[String]) -> String {
    let set_it = "set it in the process environment, or in an environment's `vars` in flex-alerts.yaml; `$${` writes a literal `${`";
    match defined_in {
        [] => set_it.to_owned(),
        [one] => format!("it is set in `{one}`'s vars: did you mean `--env {one}`? Else {set_it}"),
        many => format!(
            "it is set in the vars of {}: did you mean one of them (`--env {}`)? Else {set_it}",
            many.iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", "),
            many[0]
        ),
    }
}

/// `/alerts/N/notify/webhook/url`.
fn is_webhook_url(pointer: &str) -> bool {
    let parts: Vec<&str> = pointer.split('/').collect();
    matches!(
        parts.as_slice(),
        ["", "alerts", _, "notify", "webhook", "url"]
    )
}

fn walk(value: &mut Value, pointer: String, visit: &mut dyn FnMut(&str, &mut Value)) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                walk(
                    child,
                    format!("{pointer}/{}", crate::common::yaml::escape_pointer(key)),
                    visit,
                );
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                walk(child, format!("{pointer}/{index}"), visit);
            }
        }
        _ => visit(&pointer, value),
    }
}

/// Why a `${...}` could not be replaced.
pub enum Problem {
    Unset(String),
    Malformed,
}

/// `text` with each `${NAME}` replaced and each `$${` made a literal `${`.
pub fn expand(text: &str, lookup: EnvLookup<'_>) -> Result<String, Problem> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        if rest[..start].ends_with('$') {
            out.push_str(&rest[..start - 1]);
            out.push_str("${");
            rest = &rest[start + 2..];
            continue;
        }
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or(Problem::Malformed)?;
        let name = &after[..end];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(Problem::Malformed);
        }
        match lookup(name) {
            Some(value) => out.push_str(&value),
            None => return Err(Problem::Unset(name.to_owned())),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "ONCALL" => Some("qa.lead".into()),
            "WAIT" => Some("90".into()),
            _ => None,
        }
    }

    #[test]
    fn variables_escapes_and_numbers() {
        assert_eq!(expand("${ONCALL}", &env).ok().as_deref(), Some("qa.lead"));
        assert_eq!(
            expand("team ${ONCALL}!", &env).ok().as_deref(),
            Some("team qa.lead!")
        );
        assert_eq!(
            expand("$${ONCALL}", &env).ok().as_deref(),
            Some("${ONCALL}")
        );
        assert!(matches!(expand("${NOPE}", &env), Err(Problem::Unset(name)) if name == "NOPE"));
        assert!(matches!(expand("${ONCALL", &env), Err(Problem::Malformed)));
        let mut json = serde_json::json!({"alerts": [{"thresholds": {"warning": {"above": "${WAIT}"}},
            "name": "Wait ${WAIT}", "notify": {"webhook": {"url": "${HOOK}"}}}]});
        let (problems, unset) = substitute(&mut json, &SpanIndex::default(), "f.yaml", &env);
        assert!(problems.is_empty() && unset.is_empty());
        assert_eq!(json["alerts"][0]["thresholds"]["warning"]["above"], 90);
        assert_eq!(json["alerts"][0]["name"], "Wait 90");
        assert_eq!(
            json["alerts"][0]["notify"]["webhook"]["url"], "${HOOK}",
            "left to the secrets"
        );
    }
}
