//! `flex-alerts export`: the live alerts as an alert file (format v1) that `validate` accepts
//! and `plan` finds unchanged. Webhook URLs are secrets: they become `${VARIABLE}` placeholders
//! with a comment, never the URL.

use std::path::{Component, Path, PathBuf};

use super::session::{Session, write_file};
use crate::cli::{Cli, StoreArgs};
use crate::config::kind::FileKind;
use crate::error::Error;
use crate::output::Output;
use crate::plan::alert::AlertSpec;
use crate::plan::view::AlertView;
use crate::render::yaml;
use crate::store::Live;

/// The environment variable an exported alert's webhook URL is read from.
pub fn webhook_variable(alert: &str) -> String {
    let mut name = String::from("FLEX_ALERTS_WEBHOOK");
    let mut separate = true;
    for character in alert.chars() {
        if character.is_ascii_alphanumeric() {
            if separate {
                name.push('_');
            }
            name.push(character.to_ascii_uppercase());
            separate = false;
        } else {
            separate = true;
        }
    }
    name
}

/// The modeline's path from the output file's directory to `schemas/` in the current one,
/// always relative, so the file works on any machine it is checked out on.
pub(super) fn schema_path(out: Option<&PathBuf>) -> String {
    let schema = Path::new("schemas").join(FileKind::Alerts.schema_file());
    let Some(parent) = out.and_then(|out| out.parent()) else {
        return schema.display().to_string().replace('\\', "/");
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    relative(&normal(&cwd.join(parent)), &normal(&cwd.join(&schema)))
        .display()
        .to_string()
        .replace('\\', "/")
}

/// `path` without `.` and with each `..` taken back, lexically (the file may not exist yet).
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `to` as seen from the directory `from` (both absolute and normal).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part);
    }
    out
}

/// One alert as an item of an alert file's `alerts:` (not indented), its webhook URL a
/// `${VARIABLE}` placeholder with a comment.
pub(super) fn item(view: &AlertView) -> String {
    yaml::alert(view, &|view, webhook| {
        let variable = webhook_variable(&view.name);
        (
            format!("${{{variable}}}"),
            Some(format!(
                "set {variable} to the webhook URL Flex has ({}, {})",
                webhook.url, webhook.url_hash
            )),
        )
    })
}

/// The alert file for `live`, and the variables its webhooks need.
pub(super) fn export(live: &Live, schema: &str) -> (String, Vec<String>) {
    let mut text = format!(
        "# yaml-language-server: $schema={schema}\n# Exported by flex-alerts from the live store.\nversion: 1\n"
    );
    match live.notifications_mode.as_deref() {
        Some("always") => text.push_str("settings:\n  browser_push_mode: always\n"),
        Some("whenNotInFocus") => {
            text.push_str("settings:\n  browser_push_mode: when_not_in_focus\n")
        }
        _ => {}
    }
    let mut rules: Vec<_> = live.rules.iter().collect();
    rules.sort_by(|left, right| left.rule_friendly_name.cmp(&right.rule_friendly_name));
    // A name taken twice (an interrupted replace, two applies at once) is exported once: the
    // next plan keeps the alert that matches the file and deletes the other.
    let mut seen: Vec<&str> = Vec::new();
    let (specs, unrepresentable): (Vec<_>, Vec<_>) = rules
        .into_iter()
        .map(|rule| {
            let spec = if seen.contains(&rule.name()) {
                Err("a second live alert with this name; the next apply deletes it".to_owned())
            } else {
                AlertSpec::from_live(rule, &live.configs)
            };
            if spec.is_ok() {
                seen.push(rule.name());
            }
            (rule, spec)
        })
        .partition(|(_, spec)| spec.is_ok());
    for (rule, reason) in unrepresentable {
        text.push_str(&format!(
            "# Not exported: live alert {} `{}`: {}.\n",
            rule.sid.as_deref().unwrap_or("(no SID)"),
            rule.name(),
            reason.err().unwrap_or_default()
        ));
    }
    let mut variables = Vec::new();
    text.push_str(if specs.is_empty() {
        "alerts: []\n"
    } else {
        "alerts:\n"
    });
    for (_, spec) in specs {
        let spec = spec.expect("partitioned above");
        let view = AlertView::new(&spec, &live.directory);
        if view
            .notify
            .as_ref()
            .is_some_and(|notify| notify.webhook.is_some())
        {
            variables.push(webhook_variable(&view.name));
        }
        let item = item(&view);
        for line in item.lines() {
            text.push_str(&format!("  {line}\n"));
        }
    }
    (text, variables)
}

/// The modeline of a written alert file points at `schemas/` here: puts the schema there when
/// it is not.
pub(super) fn write_schema_if_missing(output: &Output) -> Result<(), Error> {
    let schema = Path::new("schemas").join(FileKind::Alerts.schema_file());
    if !schema.exists() {
        write_file(&schema, &super::schema_text(crate::cli::SchemaKind::Alerts))?;
        output.line(&format!(
            "Wrote {}, which its modeline points at (editors check the file against it).",
            schema.display()
        ));
    }
    Ok(())
}

pub fn run(
    cli: &Cli,
    (store_args, env): (&StoreArgs, Option<&str>),
    out: Option<&PathBuf>,
    output: &Output,
) -> Result<u8, Error> {
    let context =
        super::environment::Context::resolve(env, super::environment::Needs::One, output)?;
    let choice = context.store_choice(cli, store_args)?;
    let session = Session::open(cli, &choice, choice.text(), output, None)?;
    let live = session.snapshot()?;
    let (text, variables) = export(&live, &schema_path(out));
    match out {
        Some(path) => {
            write_file(Path::new(path), &text)?;
            output.line(&format!(
                "Exported {} alerts to {}.",
                live.rules.len(),
                path.display()
            ));
            write_schema_if_missing(output)?;
        }
        None => output.data(&text)?,
    }
    if !variables.is_empty() {
        output.line(&format!(
            "Webhook URLs are secrets and were not exported: set {} before running plan.",
            variables.join(", ")
        ));
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_variables_are_shell_safe_names() {
        assert_eq!(
            webhook_variable("Support voice - longest wait"),
            "FLEX_ALERTS_WEBHOOK_SUPPORT_VOICE_LONGEST_WAIT"
        );
        assert_eq!(
            webhook_variable("SLA (30 min)!"),
            "FLEX_ALERTS_WEBHOOK_SLA_30_MIN"
        );
    }

    #[test]
    fn modeline_points_back_to_the_schema_relatively_from_wherever_the_file_is() {
        assert_eq!(schema_path(None), "schemas/flex-alerts.schema.json");
        assert_eq!(
            schema_path(Some(&PathBuf::from("live.yaml"))),
            "schemas/flex-alerts.schema.json"
        );
        assert_eq!(
            schema_path(Some(&PathBuf::from("alerts/live.yaml"))),
            "../schemas/flex-alerts.schema.json"
        );
        assert_eq!(
            schema_path(Some(&PathBuf::from("alerts/../live.yaml"))),
            "schemas/flex-alerts.schema.json"
        );
        let cwd = std::env::current_dir().unwrap();
        let absolute = cwd.join("alerts/team/live.yaml");
        assert_eq!(
            schema_path(Some(&absolute)),
            "../../schemas/flex-alerts.schema.json",
            "an absolute --out still gets a relative modeline"
        );
        assert_eq!(
            relative(Path::new("/tmp/x"), Path::new("/home/me/schemas/s.json")),
            PathBuf::from("../../home/me/schemas/s.json")
        );
    }
}
