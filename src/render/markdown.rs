//! The Markdown plan for a pull-request comment: the summary and a table first, each change's
//! details collapsed in `<details>`, no secrets, split into parts that each stay below the
//! 65,000 characters a comment may hold.

use super::text;
use crate::common::shown::escape_invisible;
use crate::plan::view::changes;
use crate::plan::{Action, Plan};

/// Each part stays below this many characters.
pub const MAX_PART: usize = 65_000;

/// Text for a table cell: pipes escaped, invisible characters (a newline too) written out.
fn cell(text: &str) -> String {
    escape_invisible(text).replace('|', "\\|")
}

/// The comment, in one or more parts; `environment` names the project's environment it is for.
pub fn render(plan: &Plan, store: &str, environment: Option<&str>) -> Vec<String> {
    let (title, store_line) = match environment {
        Some(environment) => (
            format!("### flex-alerts plan: {}", cell(environment)),
            format!(
                "Environment: **{}**, store: {}",
                cell(environment),
                cell(store)
            ),
        ),
        None => (
            "### flex-alerts plan".to_owned(),
            format!("Store: {}", cell(store)),
        ),
    };
    let mut head = format!(
        "{title}\n\n{store_line}\n\n**{}{}**\n\n",
        if plan.has_changes() || plan.refresh_only {
            ""
        } else {
            "No changes: the live alerts match the files. "
        },
        text::summary(plan)
    );
    for line in text::preamble(plan) {
        head.push_str(&format!("{}\n\n", cell(&line)));
    }
    let listed: Vec<_> = plan
        .entries
        .iter()
        .filter(|entry| entry.action != Action::NoOp || entry.drift.is_some())
        .collect();
    if !listed.is_empty() {
        head.push_str("| | Alert | Action | Why |\n|---|---|---|---|\n");
        for entry in &listed {
            let (symbol, action) = if plan.refresh_only {
                ("!", "drifted".to_owned())
            } else if entry.action == Action::Forget {
                (entry.action.symbol(), "forget".to_owned())
            } else {
                (entry.action.symbol(), entry.action.names().join(" then "))
            };
            let mut why = match &entry.drift {
                Some(drift) => format!("**{}**", drift.describe()),
                None => String::new(),
            };
            if !plan.refresh_only {
                if !why.is_empty() {
                    why.push_str("; ");
                }
                why.push_str(&cell(&entry.reason));
            }
            head.push_str(&format!(
                "| `{symbol}` | {}{} | {action} | {why} |\n",
                cell(&entry.name),
                text::protected_mark(plan, entry)
            ));
        }
        head.push('\n');
    }
    if !plan.paging.is_empty() {
        head.push_str("Notifications a day on the history (`plan --history`):\n\n| Alert | Before | After |\n|---|---:|---:|\n");
        for (name, paging) in &plan.paging {
            let (before, after) = paging
                .describe()
                .split_once(" -> ")
                .map(|(b, a)| (b.to_owned(), a.to_owned()))
                .unwrap_or_default();
            head.push_str(&format!("| {} | {before} | {after} |\n", cell(name)));
        }
        head.push('\n');
    }
    for alert in &plan.unmanageable {
        head.push_str(&format!(
            "Cannot manage `{}` ({}): {}; kept as it is, and counted against the cap.\n\n",
            cell(alert.name.as_deref().unwrap_or("(no name)")),
            alert.sid.as_deref().unwrap_or("no SID"),
            cell(&alert.reason)
        ));
    }
    if plan.possible_configs > 0 {
        head.push_str(&format!(
            "{}\n\n",
            text::possible_configs_note(plan.possible_configs)
        ));
    }
    if let Some(change) = &plan.notifications_mode {
        head.push_str(&format!(
            "`settings.browser_push_mode`: `{}` -> `{}`\n\n",
            text::push_mode_in_file(change.before.as_deref()),
            text::push_mode_in_file(Some(&change.after))
        ));
    }
    let mut blocks = Vec::new();
    for entry in plan.entries.iter().filter(|entry| entry.action.is_change()) {
        let mut block = format!(
            "<details><summary><code>{}</code> {} {}</summary>\n\n",
            entry.action.symbol(),
            entry.action.verb(),
            html(&entry.name)
        );
        if let (Some(before), Some(after)) = (&entry.before, &entry.after) {
            for (field, old, new) in changes(before, after) {
                block.push_str(&format!("- `{field}`: {} -> {}\n", html(&old), html(&new)));
            }
            block.push('\n');
        }
        let body = match (&entry.before, &entry.after) {
            (Some(before), Some(after)) => {
                similar::TextDiff::from_lines(&text::diff_yaml(before), &text::diff_yaml(after))
                    .unified_diff()
                    .header("live", "files")
                    .to_string()
            }
            (None, Some(after)) => text::diff_yaml(after)
                .lines()
                .map(|line| format!("+{line}\n"))
                .collect(),
            (Some(before), None) => text::diff_yaml(before)
                .lines()
                .map(|line| format!("-{line}\n"))
                .collect(),
            (None, None) => String::new(),
        };
        block.push_str(&format!(
            "```diff\n{}```\n\n</details>\n\n",
            body.replace("```", "'''")
        ));
        blocks.push(truncate(block));
    }
    let mut parts = vec![head];
    for block in blocks {
        let last = parts.last_mut().expect("one part at least");
        if last.len() + block.len() > MAX_PART {
            parts.push(format!("{title} (part {})\n\n{block}", parts.len() + 1));
        } else {
            last.push_str(&block);
        }
    }
    parts
}

/// Text inside HTML: markup escaped, invisible characters written out.
fn html(text: &str) -> String {
    escape_invisible(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A single block that would not fit in any part is cut, saying so.
fn truncate(block: String) -> String {
    const ROOM: usize = MAX_PART - 1000;
    if block.len() <= ROOM {
        return block;
    }
    let mut end = ROOM;
    while !block.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n```\n\n(cut: too long for one comment)\n\n</details>\n\n",
        &block[..end]
    )
}
