//! Alerts written back as YAML format v1: for the diff of an update in the text plan and for
//! `export`. Keys in the order of the format, defaults left out as a person would.

use crate::plan::view::{AlertView, WebhookView};

/// How a webhook URL is written: the value, and a comment to put after it.
pub type WebhookWriter<'a> = &'a dyn Fn(&AlertView, &WebhookView) -> (String, Option<String>);

/// One alert as a `- name: ...` list item, each line ending in a newline.
pub fn alert(view: &AlertView, webhook: WebhookWriter<'_>) -> String {
    let mut out = String::new();
    let mut line = |indent: usize, text: String| {
        out.push_str(&" ".repeat(indent));
        out.push_str(&text);
        out.push('\n');
    };
    line(0, format!("- name: {}", scalar(&view.name)));
    line(2, format!("metric: {}", scalar(&view.metric)));
    if let Some(channel) = &view.channel {
        line(2, format!("channel: {}", scalar(channel)));
    }
    line(2, format!("queues: {}", list(&view.queues)));
    if !view.active {
        line(2, "active: false".to_owned());
    }
    line(2, "thresholds:".to_owned());
    for (level, limit) in [
        ("warning", &view.thresholds.warning),
        ("critical", &view.thresholds.critical),
    ] {
        if let Some(limit) = limit {
            let (direction, value) = match (limit.above, limit.below) {
                (Some(value), _) => ("above", value),
                (_, Some(value)) => ("below", value),
                _ => continue,
            };
            line(4, format!("{level}: {{ {direction}: {value} }}"));
        }
    }
    if let Some(notify) = &view.notify {
        line(2, "notify:".to_owned());
        if !notify.enabled {
            line(4, "enabled: false".to_owned());
        }
        line(4, format!("severity: {}", notify.severity));
        if notify.after != "0s" {
            line(4, format!("after: {}", scalar(&notify.after)));
        }
        if !notify.users.is_empty() {
            line(4, format!("users: {}", list(&notify.users)));
            if !notify.inbox {
                line(4, "inbox: false".to_owned());
            }
        }
        if notify.popup {
            line(4, "popup: true".to_owned());
        }
        if notify.browser_push {
            line(4, "browser_push: true".to_owned());
        }
        if let Some(hook) = &notify.webhook {
            line(4, "webhook:".to_owned());
            line(6, format!("type: {}", hook.kind));
            let (url, comment) = webhook(view, hook);
            match comment {
                Some(comment) => line(6, format!("url: {url}  # {comment}")),
                None => line(6, format!("url: {url}")),
            }
        }
        if !notify.emails.is_empty() {
            line(4, format!("emails: {}", list(&notify.emails)));
        }
        if notify.configuration_missing {
            line(
                4,
                "# the notification configuration this alert names does not exist in Flex"
                    .to_owned(),
            );
        }
    }
    out
}

/// `[a, b]` with each item quoted when it must be.
pub fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|item| flow_scalar(item))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A string as a YAML scalar: plain when that reads back as the same string, else quoted.
pub fn scalar(text: &str) -> String {
    if is_plain(text, false) {
        text.to_owned()
    } else {
        quoted(text)
    }
}

fn flow_scalar(text: &str) -> String {
    if is_plain(text, true) {
        text.to_owned()
    } else {
        quoted(text)
    }
}

fn quoted(text: &str) -> String {
    // A JSON string is a valid YAML double-quoted scalar.
    serde_json::to_string(text).expect("strings serialize")
}

fn is_plain(text: &str, in_flow: bool) -> bool {
    let reserved = [
        "true", "false", "null", "~", "yes", "no", "on", "off", "y", "n",
    ];
    let Some(first) = text.chars().next() else {
        return false;
    };
    let looks_numeric =
        text.parse::<f64>().is_ok() || text.starts_with("0x") || text.starts_with("0o");
    let bad_start = "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace();
    let flow_chars = in_flow && text.contains([',', '[', ']', '{', '}']);
    !(reserved.contains(&text.to_ascii_lowercase().as_str())
        || looks_numeric
        || bad_start
        || flow_chars
        || text.ends_with([' ', ':'])
        || text.contains(": ")
        || text.contains(" #")
        || text.contains(['\n', '\t', '\r'])
        || text.contains("${"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_only_when_needed() {
        assert_eq!(scalar("Longest (Now)"), "Longest (Now)");
        assert_eq!(
            scalar("Support voice - longest wait"),
            "Support voice - longest wait"
        );
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("12"), "\"12\"");
        assert_eq!(scalar("- dash"), "\"- dash\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("${X}"), "\"${X}\"");
        assert_eq!(list(&["a,b".to_owned(), "c".to_owned()]), "[\"a,b\", c]");
    }
}
