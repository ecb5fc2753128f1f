//! The text plan: one line per alert with its symbol, the reason, the changed fields
//! `old -> new`, and for updates a unified diff of the alert's YAML; then the summary line.
//! Colour only when asked (the caller knows whether stdout is a terminal). Text that comes from
//! Flex (names, reasons quoting them) is shown with its invisible characters escaped
//! (`\u{202e}`): the files cannot hold them, and a review must see what is there.

use anstyle::{AnsiColor, Style};
use similar::TextDiff;

use super::yaml;
use crate::common::shown::escape_invisible;
use crate::plan::view::{AlertView, changes};
use crate::plan::{Action, Entry, Plan};

fn style(action: Action) -> Style {
    let color = match action {
        Action::Create => AnsiColor::Green,
        Action::Update => AnsiColor::Yellow,
        Action::Replace(_) | Action::Delete | Action::DeleteDuplicate => AnsiColor::Red,
        Action::NoOp | Action::Unmanaged => AnsiColor::BrightBlack,
        Action::Forget => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(color.into()))
}

/// YAML of a view for diffs: the webhook masked, its hash in a comment, invisible
/// characters escaped.
pub fn diff_yaml(view: &AlertView) -> String {
    let yaml = yaml::alert(view, &|_, webhook| {
        (webhook.url.clone(), Some(webhook.url_hash.clone()))
    });
    yaml.lines()
        .map(|line| format!("{}\n", escape_invisible(line)))
        .collect()
}

/// What a plan says about configuration creates whose answer never came.
pub fn possible_configs_note(count: usize) -> String {
    format!(
        "note: {count} notification configuration create(s) got no answer, so {count} configuration(s) may exist that nobody knows the id of; the API cannot list them, and if they exist they count against Flex's cap of 100 (Twilio support can remove them)"
    )
}

/// The first line of a plan made in an environment of the project: which account it is about.
pub fn environment_heading(environment: &str, store: &str) -> String {
    format!("Environment: {environment} ({store})\n\n")
}

/// The summary line of the contract, with the settings that change when some do.
pub fn summary(plan: &Plan) -> String {
    let counts = plan.counts();
    let settings = match plan.notifications_mode {
        Some(_) => ", 1 setting to change",
        None => "",
    };
    if plan.refresh_only {
        return match plan.entries.len() {
            0 => format!(
                "No drift: every alert is as the last apply left it. Alerts: {}/100.",
                plan.alerts_before
            ),
            drifted => format!(
                "Drift: {drifted} alert(s) changed outside flex-alerts; nothing is proposed. Alerts: {}/100.",
                plan.alerts_before
            ),
        };
    }
    let forget = match counts.forget {
        0 => String::new(),
        forget => format!(", {forget} to forget"),
    };
    format!(
        "Plan: {} to create, {} to update, {} to replace, {} to delete{forget}{settings}. Alerts after apply: {}/100.",
        counts.create, counts.update, counts.replace, counts.delete, plan.alerts_after
    )
}

/// The lines that say, before the alerts, what limits a plan: its scope, the environment's
/// protection, refresh-only.
pub fn preamble(plan: &Plan) -> Vec<String> {
    let mut lines = Vec::new();
    if plan.refresh_only {
        lines.push(
            "Refresh only: the alerts changed or deleted outside flex-alerts since the last apply to this store; nothing is proposed."
                .to_owned(),
        );
    }
    if let Some(scope) = &plan.scope {
        lines.push(format!("{}.", scope.describe()));
    }
    if !plan.environment_protects.is_empty() {
        let kinds: Vec<&str> = plan
            .environment_protects
            .iter()
            .map(|kind| match kind {
                crate::config::model::ProtectKind::Delete => "delete",
                crate::config::model::ProtectKind::Replace => "replace",
            })
            .collect();
        lines.push(format!(
            "This environment protects every alert from {} (--allow-protected NAME lifts it for one).",
            kinds.join(" and ")
        ));
    }
    lines
}

/// ` [protected]` after a protected alert's name.
pub fn protected_mark(plan: &Plan, entry: &Entry) -> &'static str {
    if entry.protected || !plan.environment_protects.is_empty() {
        " [protected]"
    } else {
        ""
    }
}

/// `settings.browser_push_mode` as the file spells it (`when_not_in_focus`), from Flex's
/// `notifications.mode` (`whenNotInFocus`).
pub fn push_mode_in_file(mode: Option<&str>) -> &str {
    match mode {
        Some("whenNotInFocus") => "when_not_in_focus",
        Some(other) => other,
        None => "(not set)",
    }
}

/// The plan; `all` also lists the alerts that do not change.
pub fn render(plan: &Plan, styled: bool, all: bool) -> String {
    let mut out = String::new();
    let paint = |style: Style, text: &str| {
        if styled {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    };
    for line in preamble(plan) {
        out.push_str(&format!("{line}\n"));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    for entry in plan
        .entries
        .iter()
        .filter(|entry| all || entry.action != Action::NoOp || entry.drift.is_some())
    {
        let sid = entry
            .live
            .as_ref()
            .map(|live| format!(" ({})", live.sid))
            .unwrap_or_default();
        let (symbol, verb) = match &entry.drift {
            Some(_) if plan.refresh_only => ("  !".to_owned(), "drifted"),
            _ => (format!("{:>3}", entry.action.symbol()), entry.action.verb()),
        };
        out.push_str(&format!(
            "{} {verb} \"{}\"{sid}{}\n",
            paint(style(entry.action), &symbol),
            escape_invisible(&entry.name),
            protected_mark(plan, entry)
        ));
        if let Some(drift) = &entry.drift {
            out.push_str(&format!("      {}\n", drift.describe()));
        }
        if !plan.refresh_only {
            out.push_str(&format!("      {}\n", escape_invisible(&entry.reason)));
        }
        if let Some(paging) = plan.paging.get(&entry.name) {
            out.push_str(&format!(
                "      notifications on the history: {}\n",
                paging.describe()
            ));
        }
        details(entry, styled, &mut out);
    }
    if let Some(change) = &plan.notifications_mode {
        out.push_str(&format!(
            "{} settings.browser_push_mode: {} -> {}\n",
            paint(style(Action::Update), "  ~"),
            push_mode_in_file(change.before.as_deref()),
            push_mode_in_file(Some(&change.after))
        ));
    }
    for alert in &plan.unmanageable {
        out.push_str(&format!(
            "{} cannot manage \"{}\" ({})\n      {}; kept as it is, and counted against the cap\n",
            paint(style(Action::Unmanaged), "  !"),
            escape_invisible(alert.name.as_deref().unwrap_or("(no name)")),
            alert.sid.as_deref().unwrap_or("no SID"),
            escape_invisible(&alert.reason)
        ));
    }
    for ttid in &plan.orphan_configs {
        out.push_str(&format!(
            "{} delete leftover notification configuration {ttid}\n      an earlier apply created it and no alert names it\n",
            paint(style(Action::Delete), "  -")
        ));
    }
    if plan.possible_configs > 0 {
        out.push_str(&format!(
            "{}\n",
            possible_configs_note(plan.possible_configs)
        ));
    }
    let unchanged = plan.counts().unchanged;
    if unchanged > 0 && !all && !plan.refresh_only {
        out.push_str(&format!("    {unchanged} alert(s) unchanged\n"));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    if plan.has_changes() {
        out.push_str(&summary(plan));
    } else {
        out.push_str(&format!("No changes. {}", summary(plan)));
    }
    out.push('\n');
    out
}

fn details(entry: &Entry, styled: bool, out: &mut String) {
    match (entry.action, &entry.before, &entry.after) {
        (Action::Create, _, Some(after)) => {
            // What the new alert will be, as the file says it (the webhook masked).
            let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
            for line in diff_yaml(after).lines() {
                if styled {
                    out.push_str(&format!("      {green}+ {line}{green:#}\n"));
                } else {
                    out.push_str(&format!("      + {line}\n"));
                }
            }
        }
        (Action::Update, Some(before), Some(after)) => {
            for (field, old, new) in changes(before, after) {
                out.push_str(&format!(
                    "      {field}: {} -> {}\n",
                    escape_invisible(&old),
                    escape_invisible(&new)
                ));
            }
            let (old, new) = (diff_yaml(before), diff_yaml(after));
            let diff = TextDiff::from_lines(&old, &new);
            let unified = diff
                .unified_diff()
                .context_radius(2)
                .header("live", "files")
                .to_string();
            for line in unified.lines() {
                let style = match line.chars().next() {
                    Some('+') if !line.starts_with("+++") => {
                        Style::new().fg_color(Some(AnsiColor::Green.into()))
                    }
                    Some('-') if !line.starts_with("---") => {
                        Style::new().fg_color(Some(AnsiColor::Red.into()))
                    }
                    _ => Style::new(),
                };
                if styled {
                    out.push_str(&format!("      {style}{line}{style:#}\n"));
                } else {
                    out.push_str(&format!("      {line}\n"));
                }
            }
        }
        (Action::Replace(_), Some(before), Some(after)) => {
            out.push_str(&format!(
                "      metric: {} -> {}\n",
                before.metric, after.metric
            ));
        }
        _ => {}
    }
}
