//! Overlays: one environment's changes to the alerts of the base files, by alert name. An
//! overlay entry replaces the keys it gives (`thresholds`, `notify`, `queues`, ...) or takes
//! the alert out (`exclude: true`); `alerts:` adds alerts that exist only in the environment.
//! The effective alert keeps where each value was written, so a problem in a replaced key is
//! reported in the overlay file and one in a kept key in the base file.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::Deserialize;

use super::diagnostic::Diagnostic;
use super::model::{Alert, AlertFile, ChannelRef, Notify, QueueRef, Thresholds, Version};
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

/// A change to one alert: the keys given replace the base alert's.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverlayEntry {
    /// The name of an alert of the base files.
    pub name: String,
    /// `true`: the alert does not exist in this environment.
    #[serde(default)]
    pub exclude: bool,
    #[serde(default)]
    pub metric: Option<Metric>,
    #[serde(default)]
    pub channel: Option<ChannelRef>,
    #[serde(default)]
    pub queues: Option<Vec<QueueRef>>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub thresholds: Option<Thresholds>,
    #[serde(default)]
    pub notify: Option<Notify>,
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
            let mut replaced = Vec::new();
            if let Some(metric) = entry.metric {
                alert.metric = metric;
                replaced.push("metric");
            }
            if let Some(channel) = &entry.channel {
                alert.channel = Some(channel.clone());
                replaced.push("channel");
            }
            if let Some(queues) = &entry.queues {
                alert.queues = queues.clone();
                replaced.push("queues");
            }
            if let Some(active) = entry.active {
                alert.active = active;
                replaced.push("active");
            }
            if let Some(thresholds) = &entry.thresholds {
                alert.thresholds = thresholds.clone();
                replaced.push("thresholds");
            }
            if let Some(notify) = &entry.notify {
                alert.notify = Some(notify.clone());
                replaced.push("notify");
            }
            for key in replaced {
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
                },
                spans,
                excluded: Vec::new(),
                stand_ins: Vec::new(),
            });
        }
    }
    (added, problems)
}
