//! Overlays: one environment's changes to the alerts of the base files, by alert name, or the
//! alert taken out (`exclude: true`); `alerts:` adds alerts that exist only in the environment.
//!
//! The rule: a mapping merges key by key into the base alert's (`notify`, `thresholds`, a
//! `webhook`), a list replaces the base's as a whole (`queues`, `users`, `emails`), so does a
//! threshold level (`critical: { above: 300 }`), and `null` removes the key. The effective
//! alert keeps where each value was written, so a problem in a key the overlay set is reported
//! in the overlay file and one in a kept key in the base file.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::Deserialize;

use super::diagnostic::Diagnostic;
use super::model::{
    Alert, AlertFile, ChannelRef, Notify, QueueRef, Severity, Threshold, UserRef, Version, Webhook,
    WebhookKind,
};
use super::rules::ParsedFile;
use super::schema::{self, Compiled};
use super::source_file::SourceFile;
use crate::common::env::EnvLookup;
use crate::common::suggest;
use crate::flex::Metric;

/// An overlay file: changes to alerts of the base files, and alerts of this environment only.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "flex-alerts overlay",
    extend("$id" = "https://flex-alerts.dev/schemas/flex-alerts-overlay.schema.json")
)]
pub struct OverlayFile {
    /// Format version of this file. Always `1`.
    pub version: Version,
    /// Changes to alerts of the base files, by name.
    #[serde(default)]
    pub overlay: Vec<OverlayEntry>,
    /// Alerts that exist only in this environment.
    #[serde(default)]
    pub alerts: Vec<Alert>,
}

/// A change to one alert: each key given changes the base alert's (mappings merge key by
/// key, lists and threshold levels replace, `null` removes the key).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverlayEntry {
    /// The name of an alert of the base files.
    pub name: String,
    /// `true`: the alert does not exist in this environment.
    #[serde(default)]
    pub exclude: bool,
    /// Replaces the metric (Flex then replaces the alert: a metric cannot be edited).
    #[serde(default)]
    pub metric: Option<Metric>,
    /// Replaces the task channel; `null` removes it.
    #[serde(default)]
    pub channel: Change<ChannelRef>,
    /// Replaces the list of task queues as a whole.
    #[serde(default)]
    pub queues: Option<Vec<QueueRef>>,
    /// Whether the alert is evaluated in this environment.
    #[serde(default)]
    pub active: Option<bool>,
    /// Merges into the thresholds: a level given replaces the base's, `null` removes it.
    #[serde(default)]
    pub thresholds: Option<ThresholdsChange>,
    /// Merges into the notifications key by key; `null` turns them off.
    #[serde(default)]
    pub notify: Change<NotifyChange>,
}

/// In an overlay, one key of the base alert: absent keeps it, `null` removes it, a value
/// replaces it (or, for a mapping, merges into it).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Change<T> {
    #[default]
    Keep,
    Remove,
    Set(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Change<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Change::Set(value),
            None => Change::Remove,
        })
    }
}

impl<T: JsonSchema> JsonSchema for Change<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Change_{}", T::schema_name()).into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let value = generator.subschema_for::<T>();
        schemars::json_schema!({
            "anyOf": [
                value,
                { "type": "null", "title": schema::REMOVE, "description": "`null` removes this key of the base alert." }
            ]
        })
    }
}

/// Changes to the thresholds: each level given replaces the base's as a whole.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsChange {
    /// Replaces the warning level; `null` removes it.
    #[serde(default)]
    pub warning: Change<Threshold>,
    /// Replaces the critical level; `null` removes it.
    #[serde(default)]
    pub critical: Change<Threshold>,
}

/// Changes to the notifications, key by key; the keys not given stay as the base has them.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyChange {
    /// `false` keeps the settings but sends nothing.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The lowest level that notifies; `null` goes back to the default.
    #[serde(default)]
    pub severity: Change<Severity>,
    /// How long the alert must last first (`0s` to `15m`); `null`: at once.
    #[serde(default)]
    #[schemars(regex(pattern = r"^([0-9]+m([0-9]+s)?|[0-9]+s)$"))]
    pub after: Change<String>,
    /// Replaces the users as a whole; `null` removes them.
    #[serde(default)]
    pub users: Change<Vec<UserRef>>,
    /// Notify the users in their Flex inbox; `null` goes back to the default.
    #[serde(default)]
    pub inbox: Change<bool>,
    /// Show the users a pop-up in Flex.
    #[serde(default)]
    pub popup: Option<bool>,
    /// Send the users a browser push notification.
    #[serde(default)]
    pub browser_push: Option<bool>,
    /// Merges into the webhook (`type`, `url`); `null` removes it.
    #[serde(default)]
    pub webhook: Change<WebhookChange>,
    /// Replaces the email addresses as a whole; `null` removes them.
    #[serde(default)]
    pub emails: Change<Vec<String>>,
}

/// Changes to the webhook: the keys given replace the base's.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChange {
    /// `slack` or `custom`.
    #[serde(default, rename = "type")]
    pub kind: Option<WebhookKind>,
    /// The webhook URL (a secret: write `${VARIABLE}`).
    #[serde(default)]
    pub url: Option<String>,
}

/// Sets `field` by `change`: the pointers (under the alert) it changed, for the spans.
fn change<T: Clone>(
    field: &mut Option<T>,
    change: &Change<T>,
    key: &str,
    changed: &mut Vec<String>,
) {
    match change {
        Change::Keep => return,
        Change::Remove => *field = None,
        Change::Set(value) => *field = Some(value.clone()),
    }
    changed.push(key.to_owned());
}

/// `entry` applied to `alert`: the keys (pointers under the alert) it changed, or what is
/// wrong with the alert it makes.
fn merge(alert: &mut Alert, entry: &OverlayEntry) -> Result<Vec<String>, String> {
    let mut changed = Vec::new();
    if let Some(metric) = entry.metric {
        alert.metric = metric;
        changed.push("metric".to_owned());
    }
    change(&mut alert.channel, &entry.channel, "channel", &mut changed);
    if let Some(queues) = &entry.queues {
        alert.queues = queues.clone();
        changed.push("queues".to_owned());
    }
    if let Some(active) = entry.active {
        alert.active = active;
        changed.push("active".to_owned());
    }
    if let Some(thresholds) = &entry.thresholds {
        let base = &mut alert.thresholds;
        change(
            &mut base.warning,
            &thresholds.warning,
            "thresholds/warning",
            &mut changed,
        );
        change(
            &mut base.critical,
            &thresholds.critical,
            "thresholds/critical",
            &mut changed,
        );
        if base.warning.is_none() && base.critical.is_none() {
            return Err(
                "removes both thresholds: an alert needs a warning or a critical one".to_owned(),
            );
        }
    }
    match &entry.notify {
        Change::Keep => {}
        Change::Remove => {
            alert.notify = None;
            changed.push("notify".to_owned());
        }
        Change::Set(patch) => {
            let notify = alert.notify.get_or_insert_with(|| {
                serde_json::from_value(serde_json::json!({}))
                    .expect("every notify key has a default")
            });
            merge_notify(notify, patch, &mut changed)?;
        }
    }
    Ok(changed)
}

fn merge_notify(
    notify: &mut Notify,
    patch: &NotifyChange,
    changed: &mut Vec<String>,
) -> Result<(), String> {
    let mut set = |key: &str| changed.push(format!("notify/{key}"));
    if let Some(enabled) = patch.enabled {
        notify.enabled = enabled;
        set("enabled");
    }
    let mut keys = Vec::new();
    change(&mut notify.severity, &patch.severity, "severity", &mut keys);
    change(&mut notify.after, &patch.after, "after", &mut keys);
    change(&mut notify.inbox, &patch.inbox, "inbox", &mut keys);
    let mut users = (!notify.users.is_empty()).then(|| notify.users.clone());
    change(&mut users, &patch.users, "users", &mut keys);
    notify.users = users.unwrap_or_default();
    let mut emails = (!notify.emails.is_empty()).then(|| notify.emails.clone());
    change(&mut emails, &patch.emails, "emails", &mut keys);
    notify.emails = emails.unwrap_or_default();
    if let Some(popup) = patch.popup {
        notify.popup = popup;
        keys.push("popup".to_owned());
    }
    if let Some(browser_push) = patch.browser_push {
        notify.browser_push = browser_push;
        keys.push("browser_push".to_owned());
    }
    match &patch.webhook {
        Change::Keep => {}
        Change::Remove => {
            notify.webhook = None;
            keys.push("webhook".to_owned());
        }
        Change::Set(webhook) => {
            let (kind, url) = match &notify.webhook {
                Some(base) => (Some(base.kind), Some(base.url.clone())),
                None => (None, None),
            };
            let (Some(kind), Some(url)) = (webhook.kind.or(kind), webhook.url.clone().or(url))
            else {
                return Err(
                    "gives a webhook with no base webhook to merge into: give both `type` and `url`".to_owned(),
                );
            };
            notify.webhook = Some(Webhook { kind, url });
            if webhook.kind.is_some() {
                keys.push("webhook/type".to_owned());
            }
            if webhook.url.is_some() {
                keys.push("webhook/url".to_owned());
            }
        }
    }
    for key in keys {
        set(&key);
    }
    Ok(())
}

/// The schema of overlay files, as committed in `schemas/flex-alerts-overlay.schema.json`.
pub fn schema() -> serde_json::Value {
    schema::generate_for::<OverlayFile>()
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| Compiled::new(schema()))
}

/// Applies the overlay files to the parsed base files; returns the files of the alerts that
/// exist only in the environment, and every problem. With `base_complete` false (a base file
/// could not be read, for its own reported problem), an overlay entry naming an alert of no
/// base file read is not reported: the alert may well be in the unread file.
pub fn apply(
    base: &mut [ParsedFile],
    overlays: &[SourceFile],
    vars: EnvLookup<'_>,
    base_complete: bool,
) -> (Vec<ParsedFile>, Vec<Diagnostic>) {
    let mut added = Vec::new();
    let mut problems = Vec::new();
    // Which overlay file changes each alert: two entries for one alert would make the result
    // depend on the order files are read in.
    let mut changed_in: std::collections::HashMap<String, String> = Default::default();
    for source in overlays {
        let (content, spans): (OverlayFile, _) = match super::document::parse_document_in(
            source,
            compiled(),
            ("overlay file", "overlay"),
            Some(vars),
        ) {
            // An overlay with an unset `${VAR}` is not applied: its problems say why.
            Ok(parsed) if parsed.problems.is_empty() => (parsed.content, parsed.spans),
            Ok(parsed) => {
                problems.extend(parsed.problems);
                continue;
            }
            Err(found) => {
                problems.extend(found);
                continue;
            }
        };
        let file = source.display.as_str();
        for (index, entry) in content.overlay.iter().enumerate() {
            let at = format!("/overlay/{index}");
            if let Some(earlier) = changed_in.insert(entry.name.clone(), source.display.clone()) {
                problems.push(
                    Diagnostic::error(
                        &source.display,
                        spans.value(&format!("{at}/name")),
                        format!(
                            "`{}` is already changed by an entry in {earlier}",
                            entry.name
                        ),
                    )
                    .with_hint("write every change to one alert in one overlay entry"),
                );
                continue;
            }
            let found = base.iter().enumerate().find_map(|(f, parsed)| {
                parsed
                    .content
                    .alerts
                    .iter()
                    .position(|alert| alert.name == entry.name)
                    .map(|a| (f, a))
            });
            let Some((f, a)) = found else {
                if !base_complete {
                    continue;
                }
                let names: Vec<String> = base
                    .iter()
                    .flat_map(|parsed| parsed.content.alerts.iter().map(|alert| alert.name.clone()))
                    .collect();
                problems.push(
                    Diagnostic::error(
                        file,
                        spans.value(&format!("{at}/name")),
                        format!("no alert of the base files is named `{}`", entry.name),
                    )
                    .with_optional_hint(suggest::did_you_mean_or_list(&entry.name, &names)),
                );
                continue;
            };
            let target = &mut base[f];
            if entry.exclude {
                target.excluded.push(a);
                continue;
            }
            let alert = &mut target.content.alerts[a];
            let changed = match merge(alert, entry) {
                Ok(changed) => changed,
                Err(why) => {
                    problems.push(Diagnostic::error(
                        file,
                        spans.value(&format!("{at}/name")),
                        format!("the overlay of `{}` {why}", entry.name),
                    ));
                    continue;
                }
            };
            for key in changed {
                target.spans.graft(
                    &format!("/alerts/{a}/{key}"),
                    &spans,
                    &format!("{at}/{key}"),
                    file,
                );
            }
        }
        if !content.alerts.is_empty() {
            added.push(ParsedFile {
                name: file.to_owned(),
                content: AlertFile {
                    version: content.version,
                    settings: None,
                    alerts: content.alerts,
                    forget: Vec::new(),
                },
                spans,
                excluded: Vec::new(),
                stand_ins: Vec::new(),
            });
        }
    }
    (added, problems)
}
