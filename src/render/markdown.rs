//! The Markdown plan for a pull-request comment: the summary and a table first, each change's
//! details collapsed in `<details>`, no secrets, split into parts that each stay below the
//! 65,000 characters a comment may hold.

use super::text;
use crate::common::shown::escape_invisible;
use crate::plan::view::changes;
use crate::plan::{Action, Chart, Plan};

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
    // The charts first, each a block of its own, so that many of them split into parts.
    let mut blocks: Vec<String> = plan
        .paging
        .iter()
        .filter_map(|(name, paging)| Some(truncate(mermaid(name, paging.chart.as_ref()?))))
        .collect();
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

/// Text inside a Mermaid string: no quote ends it early, nothing invisible.
fn mermaid_text(text: &str) -> String {
    escape_invisible(text).replace('"', "'")
}

/// A day of an alert as a Mermaid `xychart-beta` (GitHub and GitLab render it in a comment,
/// no image hosted), with the same figures in words beside it.
fn mermaid(name: &str, chart: &Chart) -> String {
    let values = |values: &[f64]| {
        values
            .iter()
            .map(|value| format!("{value}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let counts = |counts: &[usize]| {
        counts
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let hours = chart.highest.len();
    let day = crate::common::time::format_rfc3339(chart.from);
    let labels: Vec<String> = (0..hours as i64)
        .map(|hour| {
            let text = crate::common::time::format_rfc3339(chart.from + hour * 3600);
            format!("\"{}\"", &text[11..13])
        })
        .collect();
    let mut lines = vec![format!("line [{}]", values(&chart.highest))];
    let mut legend = vec![format!("the hourly highest {}", chart.metric)];
    let mut top = chart.highest.iter().copied().fold(1.0f64, f64::max);
    for (level, live, planned) in &chart.thresholds {
        let sides: Vec<(String, f64)> = match (live, planned) {
            (Some(live), Some(planned)) if live == planned => {
                vec![(format!("{level} {live} (unchanged)"), *live)]
            }
            _ => [("live", live), ("planned", planned)]
                .into_iter()
                .filter_map(|(side, value)| {
                    Some((format!("{level} {side} {}", (*value)?), (*value)?))
                })
                .collect(),
        };
        for (label, value) in sides {
            lines.push(format!("line [{}]", values(&vec![value; hours])));
            legend.push(label);
            top = top.max(value);
        }
    }
    let mut words = Vec::new();
    if let Some(after) = &chart.notifications_after {
        lines.push(format!("bar [{}]", counts(after)));
        legend.push("bars: notifications an hour as planned".to_owned());
        top = top.max(after.iter().copied().max().unwrap_or(0) as f64);
        words.push(format!("{} as planned", after.iter().sum::<usize>()));
    }
    if let Some(before) = &chart.notifications_before {
        words.push(format!("{} live", before.iter().sum::<usize>()));
    }
    let top = (top * 1.1).ceil();
    format!(
        "**{}**, queue {}, {hours} hours from {day} (UTC):\n\n```mermaid\nxychart-beta\n    title \"{}: {}\"\n    x-axis \"hour (UTC)\" [{}]\n    y-axis \"{}\" 0 --> {top}\n    {}\n```\n\nIn order: {}. Notifications in these hours: {}.\n\n",
        cell(name),
        cell(&chart.queue),
        mermaid_text(name),
        mermaid_text(&chart.queue),
        labels.join(", "),
        chart.unit,
        lines.join("\n    "),
        legend.join("; "),
        words.join(", ")
    )
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
