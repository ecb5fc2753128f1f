//! `flex-alerts diff --env A --env B [--live]`: how two environments' alerts differ: the
//! effective alerts of the files (base files, `vars` and overlays), or with `--live` the
//! alerts live in each environment's store. Alerts are matched by name; for each that differs,
//! the fields that differ, side by side.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::environment::{Context, Needs};
use super::session::{Session, load_desired_in};
use crate::cli::{Cli, StoreArgs};
use crate::config::Secrets;
use crate::config::desired::{DesiredAlert, Limit};
use crate::config::rules::format_delay;
use crate::error::Error;
use crate::output::Output;
use crate::plan::alert::AlertSpec;
use crate::plan::view::AlertView;

/// One alert as a flat list of fields (`thresholds.critical`, `notify.users`, ...) and values.
type Fields = BTreeMap<String, String>;

pub fn run(
    cli: &Cli,
    (names, live, detailed_exitcode): (&[String], bool, bool),
    paths: &[PathBuf],
    store: &StoreArgs,
    output: &Output,
) -> Result<u8, Error> {
    let [left, right] = names else {
        return Err(
            Error::new("diff compares two environments: give --env twice")
                .hint("e.g. `flex-alerts diff --env staging --env production`"),
        );
    };
    let context = Context::resolve(Some(left), Needs::One, output)?;
    let sides = [left, right].map(|name| -> Result<BTreeMap<String, Fields>, Error> {
        let project = context
            .project
            .as_ref()
            .expect("resolved with an environment");
        let context = context.with_environment(project.environment(name)?);
        if live {
            live_alerts(cli, &context, store, output)
        } else {
            file_alerts(&context, paths, output)
        }
    });
    let [left_alerts, right_alerts] = sides;
    let (left_alerts, right_alerts) = (left_alerts?, right_alerts?);
    let names: std::collections::BTreeSet<&String> =
        left_alerts.keys().chain(right_alerts.keys()).collect();
    let source = if live { "live alerts" } else { "alert files" };
    let mut text = String::new();
    let mut differing = 0;
    for name in names {
        match (left_alerts.get(name), right_alerts.get(name)) {
            (Some(_), None) => text.push_str(&format!("  < \"{name}\": only in {left}\n")),
            (None, Some(_)) => text.push_str(&format!("  > \"{name}\": only in {right}\n")),
            (Some(a), Some(b)) if a != b => {
                text.push_str(&format!("  ~ \"{name}\"\n"));
                let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for key in keys {
                    let (x, y) = (a.get(key), b.get(key));
                    if x != y {
                        text.push_str(&format!(
                            "      {key}: {} | {}\n",
                            x.map_or("-", String::as_str),
                            y.map_or("-", String::as_str)
                        ));
                    }
                }
            }
            _ => continue,
        }
        differing += 1;
    }
    if differing == 0 {
        output.data(&format!(
            "The {source} of {left} and {right} are the same.\n"
        ))?;
    } else {
        output.data(&format!(
            "{differing} alert(s) differ between {left} (<, left) and {right} (>, right), {source}:\n{text}"
        ))?;
    }
    Ok(if detailed_exitcode && differing > 0 {
        2
    } else {
        0
    })
}

/// The effective alerts of the files in an environment.
fn file_alerts(
    context: &Context,
    paths: &[PathBuf],
    output: &Output,
) -> Result<BTreeMap<String, Fields>, Error> {
    // Offline: webhook URLs are compared by kind only (they are secrets).
    let desired = load_desired_in(context, paths, Secrets::Optional, output)?;
    Ok(desired
        .alerts
        .iter()
        .map(|alert| (alert.name.clone(), fields_of_file(alert)))
        .collect())
}

/// The alerts live in an environment's store.
fn live_alerts(
    cli: &Cli,
    context: &Context,
    store: &StoreArgs,
    output: &Output,
) -> Result<BTreeMap<String, Fields>, Error> {
    let choice = context.store_choice(cli, store)?;
    let session = Session::open(cli, &choice, choice.text(), output, None)?;
    let live = session.snapshot()?;
    Ok(live
        .rules
        .iter()
        .filter_map(|rule| AlertSpec::from_live(rule, &live.configs).ok())
        .map(|spec| {
            let view = serde_json::to_value(AlertView::new(&spec, &live.directory))
                .expect("views serialize");
            (spec.name.clone(), flatten(&view))
        })
        .collect())
}

fn fields_of_file(alert: &DesiredAlert) -> Fields {
    let limit = |limit: Option<Limit>| {
        limit.map(|limit| match limit.direction {
            crate::config::desired::Direction::Above => json!({ "above": limit.value }),
            crate::config::desired::Direction::Below => json!({ "below": limit.value }),
        })
    };
    let view = json!({
        "metric": alert.metric.id(),
        "channel": alert.channel,
        "queues": alert.queues,
        "active": alert.active,
        "thresholds": { "warning": limit(alert.warning), "critical": limit(alert.critical) },
        "notify": alert.notify.as_ref().map(|notify| json!({
            "enabled": notify.enabled,
            "severity": format!("{:?}", notify.severity).to_lowercase(),
            "after": format_delay(notify.after_seconds),
            "users": notify.users,
            "inbox": notify.inbox,
            "popup": notify.popup,
            "browser_push": notify.browser_push,
            "webhook": notify.webhook.as_ref().map(|webhook| format!("{:?}", webhook.kind).to_lowercase()),
            "emails": notify.emails,
        })),
    });
    flatten(&view)
}

/// `{"a": {"b": 1}}` -> `a.b = 1`; lists and scalars as compact text; nulls left out; the
/// name is the key, not a field.
fn flatten(value: &Value) -> Fields {
    fn walk(value: &Value, path: String, out: &mut Fields) {
        match value {
            Value::Null => {}
            Value::Object(map) => {
                for (key, child) in map {
                    if path.is_empty() && key == "name" {
                        continue;
                    }
                    let next = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    walk(child, next, out);
                }
            }
            Value::String(text) => {
                out.insert(path, text.clone());
            }
            other => {
                out.insert(path, other.to_string());
            }
        }
    }
    let mut out = Fields::new();
    walk(value, String::new(), &mut out);
    out
}
