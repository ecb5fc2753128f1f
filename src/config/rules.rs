//! The rules a schema cannot say (contract section 3), checked across all files at once, and
//! the building of `Desired` with every default filled in.
//!
//! Runs only on files the schema accepted, so the shape is known; every finding points at the
//! key or value to edit. Reads the environment only through the lookup it is given.

use std::collections::HashMap;

use super::desired::{
    Desired, DesiredAlert, DesiredNotify, DesiredWebhook, Direction, Limit, Origin,
};
use super::diagnostic::Diagnostic;
use super::model::{Alert, AlertFile, Notify, Severity, Threshold};
use super::variables::Problem as Missing;
use crate::common::env::EnvLookup;
use crate::common::secret::Secret;
use crate::common::shown::{escape_invisible, invisible, mixed_script};
use crate::common::yaml::{Span, SpanIndex};
use crate::flex::limits::{MAX_ALERTS, MAX_NOTIFY_DURATION_MS};

/// The longest `after` Flex accepts, in seconds (15 minutes).
pub const MAX_AFTER_SECONDS: u32 = (MAX_NOTIFY_DURATION_MS / 1000) as u32;

/// A file the schema accepted, with the spans of its nodes.
#[derive(Debug)]
pub struct ParsedFile {
    pub name: String,
    pub content: AlertFile,
    pub spans: SpanIndex,
    /// Alerts (by index) an overlay takes out of this environment.
    pub excluded: Vec<usize>,
    /// Where an unset `${VAR}` stands (pointers): the value there is a stand-in, and nothing
    /// found at it is reported; an alert that holds one is left out of the desired state.
    pub stand_ins: Vec<String>,
}

/// Whether the webhook URLs' variables must be set: for `plan` and `apply` they must; the
/// offline `validate` (a pull request from a fork has no secrets) notes the unset ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrets {
    Required,
    Optional,
}

/// Checks every rule over all files and builds the desired state.
pub fn check(
    files: &[ParsedFile],
    env: EnvLookup<'_>,
    secrets: Secrets,
) -> (Desired, Vec<Diagnostic>) {
    let mut checker = Checker {
        problems: Vec::new(),
        left_out: Vec::new(),
        names: HashMap::new(),
        env,
        secrets,
    };
    let mut desired = Desired::default();
    let mut settings_at: Option<(String, Option<Span>)> = None;
    let mut total = 0usize;
    for file in files {
        let at = |pointer: &str| Place::in_file(file, pointer.to_owned());
        if let Some(settings) = &file.content.settings {
            let here = at("/settings");
            match &settings_at {
                Some((first_file, first_span)) => checker.problems.push(
                    here.key_error("settings are given in more than one file")
                        .with_hint(format!(
                            "keep one `settings` block; the first is in {}",
                            location(first_file, *first_span)
                        )),
                ),
                None => {
                    settings_at = Some((file.name.clone(), here.key_span()));
                    desired.prune = settings.prune;
                    desired.browser_push_mode = settings.browser_push_mode;
                }
            }
        }
        for (index, alert) in file.content.alerts.iter().enumerate() {
            if file.excluded.contains(&index) {
                continue;
            }
            total += 1;
            let place = at(&format!("/alerts/{index}"));
            if total == MAX_ALERTS + 1 {
                checker.problems.push(
                    place.child("name").value_error(format!(
                        "more than {MAX_ALERTS} alerts: Flex allows at most {MAX_ALERTS} per account"
                    ))
                    .with_hint("this is alert 101; remove or merge alerts"),
                );
            }
            if let Some(built) = checker.alert(alert, &place) {
                desired.alerts.push(built);
            }
        }
    }
    checker.renames(files);
    desired.forgotten = checker.forgets(files);
    desired.left_out = checker.left_out;
    (desired, checker.problems)
}

/// A node in a file: a pointer and the spans to find it.
struct Place<'a> {
    file: &'a str,
    spans: &'a SpanIndex,
    /// The file's stand-ins for unset `${VAR}`s (see `ParsedFile::stand_ins`).
    stand_ins: &'a [String],
    pointer: String,
}

impl<'a> Place<'a> {
    /// The node at `pointer` in `file`.
    fn in_file(file: &'a ParsedFile, pointer: String) -> Place<'a> {
        Place {
            file: &file.name,
            spans: &file.spans,
            stand_ins: &file.stand_ins,
            pointer,
        }
    }

    fn child(&self, segment: impl std::fmt::Display) -> Place<'a> {
        Place {
            file: self.file,
            spans: self.spans,
            stand_ins: self.stand_ins,
            pointer: format!("{}/{segment}", self.pointer),
        }
    }

    /// Whether the value here stands in for an unset `${VAR}`.
    fn stands_in(&self) -> bool {
        self.stand_ins.contains(&self.pointer)
    }

    /// The spans of the stand-ins at or under this place.
    fn stand_in_spans(&self) -> Vec<Option<Span>> {
        let prefix = format!("{}/", self.pointer);
        self.stand_ins
            .iter()
            .filter(|at| **at == self.pointer || at.starts_with(&prefix))
            .map(|at| self.spans.value(at))
            .collect()
    }

    fn value_span(&self) -> Option<Span> {
        self.spans
            .value(&self.pointer)
            .or_else(|| self.spans.nearest(&self.pointer))
    }

    fn key_span(&self) -> Option<Span> {
        self.spans.nearest(&self.pointer)
    }

    /// The file this node was written in: its document's, or an overlay's.
    fn written_in(&self) -> &'a str {
        self.spans.file_of(&self.pointer).unwrap_or(self.file)
    }

    fn value_error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.written_in(), self.value_span(), message)
    }

    fn key_error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.written_in(), self.key_span(), message)
    }

    fn value_note(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::note(self.written_in(), self.value_span(), message)
    }

    /// Where the alert is declared: its name.
    fn origin(&self) -> Origin {
        self.child("name").value_origin()
    }

    /// Where this value is.
    fn value_origin(&self) -> Origin {
        let span = self.value_span();
        Origin {
            file: self.written_in().to_owned(),
            line: span.map_or(0, |s| s.line),
            column: span.map_or(0, |s| s.column),
        }
    }
}

/// Every channel, queue and user an alert names, with where it names it.
fn references(alert: &Alert, place: &Place<'_>) -> Vec<(String, Origin)> {
    let mut references: Vec<(String, Origin)> = alert
        .channel
        .iter()
        .map(|channel| (channel.0.clone(), place.child("channel").value_origin()))
        .collect();
    let queues = place.child("queues");
    for (index, queue) in alert.queues.iter().enumerate() {
        references.push((
            queue.0.clone(),
            queues.child(index.to_string()).value_origin(),
        ));
    }
    if let Some(notify) = &alert.notify {
        let users = place.child("notify").child("users");
        for (index, user) in notify.users.iter().enumerate() {
            references.push((
                user.0.clone(),
                users.child(index.to_string()).value_origin(),
            ));
        }
    }
    references
}

fn location(file: &str, span: Option<Span>) -> String {
    match span {
        Some(span) => format!("{file}:{}:{}", span.line, span.column),
        None => file.to_owned(),
    }
}

struct Checker<'env> {
    problems: Vec<Diagnostic>,
    /// Declared alerts left out of the desired state because of their problems.
    left_out: Vec<String>,
    /// Every alert name seen so far, with where it was declared.
    names: HashMap<String, String>,
    env: EnvLookup<'env>,
    secrets: Secrets,
}

impl Checker<'_> {
    fn alert(&mut self, alert: &Alert, place: &Place<'_>) -> Option<DesiredAlert> {
        let before = self.problems.len();
        let name_place = place.child("name");
        let here = location(name_place.file, name_place.value_span());
        if name_place.stands_in() {
            // An unset `${VAR}` names it: no name to compare.
        } else if let Some(first) = self.names.get(&alert.name) {
            self.problems.push(
                name_place
                    .value_error(format!("duplicate alert name `{}`", alert.name))
                    .with_hint(format!(
                        "first declared at {first}; names are unique across all files"
                    )),
            );
        } else {
            self.names.insert(alert.name.clone(), here);
        }
        self.names_read_as_written(alert, place);
        if let Some(kind) = personal_data(&alert.name) {
            self.problems.push(
                Diagnostic::warning(
                    name_place.written_in(),
                    name_place.value_span(),
                    format!("alert name looks like {kind}"),
                )
                .with_hint("Twilio asks for no personal data in alert names"),
            );
        }
        let (warning, critical) = self.thresholds(alert, place);
        let notify = alert.notify.as_ref().and_then(|notify| {
            self.notify(
                &alert.name,
                notify,
                warning.is_some(),
                critical.is_some(),
                &place.child("notify"),
            )
        });
        // Nothing that only follows from a stand-in is said; such an alert is left out.
        let stand_ins = place.stand_in_spans();
        if !stand_ins.is_empty() {
            let mut index = before;
            while index < self.problems.len() {
                if stand_ins.contains(&self.problems[index].span) {
                    self.problems.remove(index);
                } else {
                    index += 1;
                }
            }
        }
        if !stand_ins.is_empty()
            || self.problems[before..]
                .iter()
                .any(|p| p.severity == super::diagnostic::Severity::Error)
        {
            if !name_place.stands_in() {
                self.left_out.push(alert.name.clone());
            }
            return None;
        }
        Some(DesiredAlert {
            name: alert.name.clone(),
            renamed_from: alert.renamed_from.clone(),
            metric: alert.metric,
            channel: alert.channel.as_ref().map(|channel| channel.0.clone()),
            queues: alert.queues.iter().map(|q| q.0.clone()).collect(),
            active: alert.active,
            warning,
            critical,
            notify,
            protect: alert.protect,
            origin: place.origin(),
            references: references(alert, place),
        })
    }

    /// Every name the alert declares reads as it is: no control, bidirectional-text or
    /// invisible character (an error: a pull request is the review), and no word that mixes
    /// look-alike scripts (a warning: `Supp\u{43e}rt` passes for `Support`).
    fn names_read_as_written(&mut self, alert: &Alert, place: &Place<'_>) {
        let mut named: Vec<(&str, &str, Place<'_>)> =
            vec![("alert name", &alert.name, place.child("name"))];
        for (index, earlier) in alert.renamed_from.iter().enumerate() {
            named.push((
                "earlier name",
                earlier,
                place.child("renamed_from").child(index),
            ));
        }
        if let Some(channel) = &alert.channel {
            named.push(("channel", &channel.0, place.child("channel")));
        }
        for (index, queue) in alert.queues.iter().enumerate() {
            named.push(("queue", &queue.0, place.child("queues").child(index)));
        }
        if let Some(notify) = &alert.notify {
            let notify_place = place.child("notify");
            for (index, user) in notify.users.iter().enumerate() {
                named.push(("user", &user.0, notify_place.child("users").child(index)));
            }
            for (index, email) in notify.emails.iter().enumerate() {
                named.push((
                    "email address",
                    email,
                    notify_place.child("emails").child(index),
                ));
            }
        }
        for (what, text, at) in named {
            if let Some((position, character, kind)) = text
                .chars()
                .enumerate()
                .find_map(|(index, c)| invisible(c).map(|kind| (index + 1, c, kind)))
            {
                self.problems.push(
                    at.value_error(format!(
                        "{what} `{}` holds {kind} (U+{:04X}) at character {position}, which can make it read differently from what it is",
                        escape_invisible(text),
                        u32::from(character)
                    ))
                    .with_hint("remove it: names may not hold control, text-direction or invisible characters"),
                );
            } else if let Some((word, scripts)) = mixed_script(text) {
                self.problems.push(
                    Diagnostic::warning(
                        at.written_in(),
                        at.value_span(),
                        format!(
                            "{what} `{text}`: the word `{word}` mixes {} letters, so it can pass for another name",
                            scripts.join(" and ")
                        ),
                    )
                    .with_hint("retype it in one script if that was not meant"),
                );
            }
        }
    }

    fn thresholds(&mut self, alert: &Alert, place: &Place<'_>) -> (Option<Limit>, Option<Limit>) {
        let thresholds = place.child("thresholds");
        let limit = |threshold: &Option<Threshold>| {
            threshold.and_then(|t| match (t.above, t.below) {
                (Some(value), None) => Some(Limit {
                    direction: Direction::Above,
                    value,
                }),
                (None, Some(value)) => Some(Limit {
                    direction: Direction::Below,
                    value,
                }),
                _ => None,
            })
        };
        let warning = limit(&alert.thresholds.warning);
        let critical = limit(&alert.thresholds.critical);
        let key = |direction: Direction| match direction {
            Direction::Above => "above",
            Direction::Below => "below",
        };
        if alert.metric.is_percentage() {
            for (level, limit) in [("warning", warning), ("critical", critical)] {
                if let Some(limit) = limit.filter(|l| l.value > 100) {
                    self.problems.push(
                        thresholds
                            .child(level)
                            .child(key(limit.direction))
                            .value_error(format!(
                                "`{}` is a percentage: thresholds run from 0 to 100, found {}",
                                alert.metric, limit.value
                            )),
                    );
                }
            }
        }
        // A stand-in for an unset `${VAR}` is no value to compare.
        let known = |level: &str, limit: Limit| {
            !thresholds
                .child(level)
                .child(key(limit.direction))
                .stands_in()
        };
        if let (Some(w), Some(c)) = (warning, critical)
            && known("warning", w)
            && known("critical", c)
        {
            let critical_value = thresholds.child("critical").child(key(c.direction));
            if w.direction != c.direction {
                self.problems.push(
                    critical_value
                        .key_error(format!(
                            "warning is `{}` but critical is `{}`: both must compare the same way",
                            key(w.direction),
                            key(c.direction)
                        ))
                        .with_hint(format!("use `{}` for both", key(w.direction))),
                );
            } else {
                let in_order = match w.direction {
                    Direction::Above => w.value < c.value,
                    Direction::Below => w.value > c.value,
                };
                if !in_order {
                    let (relation, word) = match w.direction {
                        Direction::Above => ("greater", "above"),
                        Direction::Below => ("less", "below"),
                    };
                    self.problems.push(
                        critical_value
                            .value_error(format!(
                                "critical ({}) must be {relation} than warning ({}) for `{word}` thresholds",
                                c.value, w.value
                            ))
                            .with_hint("the warning comes first, the critical level after it; swap them"),
                    );
                }
            }
        }
        (warning, critical)
    }

    fn notify(
        &mut self,
        alert: &str,
        notify: &Notify,
        has_warning: bool,
        has_critical: bool,
        place: &Place<'_>,
    ) -> Option<DesiredNotify> {
        let severity = match notify.severity {
            Some(severity) => {
                let (needed, present) = match severity {
                    Severity::Warning => ("warning", has_warning),
                    Severity::Critical => ("critical", has_critical),
                };
                if !present {
                    self.problems.push(
                        place
                            .child("severity")
                            .value_error(format!(
                                "`severity: {needed}` needs a {needed} threshold, and this alert has none"
                            ))
                            .with_hint(format!(
                                "add `thresholds.{needed}` or notify at the other level"
                            )),
                    );
                }
                severity
            }
            None if has_warning => Severity::Warning,
            None => Severity::Critical,
        };
        let after_seconds = match &notify.after {
            Some(text) => match parse_delay(text) {
                Some(seconds) if seconds <= MAX_AFTER_SECONDS => seconds,
                _ => {
                    self.problems.push(
                        place
                            .child("after")
                            .value_error(format!("`{text}` is longer than the 15-minute maximum"))
                            .with_hint("Flex waits at most 15m before it notifies"),
                    );
                    0
                }
            },
            None => 0,
        };
        let has_users = !notify.users.is_empty();
        let inbox = notify.inbox.unwrap_or(has_users);
        for (key, on) in [
            ("inbox", inbox),
            ("popup", notify.popup),
            ("browser_push", notify.browser_push),
        ] {
            if on && !has_users {
                self.problems.push(
                    place
                        .child(key)
                        .key_error(format!("`{key}` notifies users, but `users` is empty"))
                        .with_hint("add `users`, or remove this key"),
                );
            }
        }
        let reaches_users = has_users && (inbox || notify.popup || notify.browser_push);
        if !reaches_users && notify.webhook.is_none() && notify.emails.is_empty() {
            self.problems.push(
                place
                    .key_error("`notify` has no way to deliver: nobody would be told")
                    .with_hint(
                        "add `users` (with inbox, popup or browser_push), a `webhook` or `emails`",
                    ),
            );
        }
        let webhook = notify.webhook.as_ref().and_then(|webhook| {
            let url =
                self.webhook_url(alert, &webhook.url, &place.child("webhook").child("url"))?;
            Some(DesiredWebhook {
                kind: webhook.kind,
                url,
            })
        });
        Some(DesiredNotify {
            enabled: notify.enabled,
            severity,
            after_seconds,
            users: notify.users.iter().map(|u| u.0.clone()).collect(),
            inbox,
            popup: notify.popup,
            browser_push: notify.browser_push,
            webhook,
            emails: notify.emails.clone(),
        })
    }

    /// Interpolates `${VAR}` and checks the scheme, never putting the value in a message.
    fn webhook_url(&mut self, alert: &str, written: &str, place: &Place<'_>) -> Option<Secret> {
        let url = match interpolate(written, self.env) {
            Ok(url) => url,
            Err(Missing::Unset(name)) if self.secrets == Secrets::Optional => {
                self.problems.push(place.value_note(format!(
                    "webhook URL of `{alert}` not checked: `{name}` is not set"
                )));
                // Not the URL: nothing is sent from an offline check.
                return Some(Secret::new(written.to_owned()));
            }
            Err(Missing::Unset(name)) => {
                self.problems.push(
                    place
                        .value_error(format!("environment variable `{name}` is not set"))
                        .with_hint(format!(
                            "set {name} to the webhook URL before running; its value is a secret and is never shown"
                        )),
                );
                return None;
            }
            Err(Missing::Malformed) => {
                self.problems.push(
                    place
                        .value_error("unclosed `${` in the webhook URL")
                        .with_hint(
                            "write `${NAME}` with a variable name of letters, digits and `_`",
                        ),
                );
                return None;
            }
        };
        let from_env = url != written;
        let origin = if from_env {
            " (from the environment)"
        } else {
            ""
        };
        if let Some((position, kind)) = invisible_character(&url) {
            self.problems.push(
                place
                    .value_error(format!(
                        "the webhook URL{origin} contains {kind} (character {position})"
                    ))
                    .with_hint(
                        "copy the URL again from Slack or the receiving service; a URL holds no spaces, control or text-direction characters",
                    ),
            );
            return None;
        }
        let Some((scheme, rest)) = url.split_once("://") else {
            self.problems
                .push(place.value_error(format!("the webhook URL{origin} is not a URL")));
            return None;
        };
        let host = rest
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default()
            .rsplit('@')
            .next()
            .unwrap_or_default();
        let host_name = host
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(host, |(name, _)| name);
        let local = matches!(host_name, "localhost" | "127.0.0.1" | "[::1]");
        let secure =
            scheme.eq_ignore_ascii_case("https") || (scheme.eq_ignore_ascii_case("http") && local);
        if host_name.is_empty() || !secure {
            self.problems.push(
                place
                    .value_error(format!("the webhook URL{origin} must use https"))
                    .with_hint("http is allowed only for localhost and 127.0.0.1"),
            );
            return None;
        }
        Some(Secret::new(url))
    }

    /// `renamed_from` entries may not name another alert, nor be claimed by two alerts.
    fn renames(&mut self, files: &[ParsedFile]) {
        let mut claimed: HashMap<&str, &str> = HashMap::new();
        for file in files {
            for (index, alert) in file.content.alerts.iter().enumerate() {
                for (position, old) in alert.renamed_from.iter().enumerate() {
                    let place =
                        Place::in_file(file, format!("/alerts/{index}/renamed_from/{position}"));
                    if place.stands_in() {
                        continue;
                    }
                    if let Some(other) = self.names.get(old.as_str()) {
                        self.problems.push(
                            place
                                .value_error(format!(
                                    "`renamed_from: {old}` names an alert that still exists"
                                ))
                                .with_hint(format!(
                                    "`{old}` is declared at {other}; remove one of the two"
                                )),
                        );
                    } else if let Some(first) = claimed.insert(old, &alert.name) {
                        self.problems.push(place.value_error(format!(
                            "`{old}` is in the `renamed_from` of both `{first}` and `{}`",
                            alert.name
                        )));
                    }
                }
            }
        }
    }
}

impl Checker<'_> {
    /// The names of the top-level `forget:` lists, with where: a name may be forgotten once,
    /// and not while an alert (or a `renamed_from`) declares it.
    fn forgets(&mut self, files: &[ParsedFile]) -> Vec<(String, Origin)> {
        let renamed: HashMap<&str, &str> = files
            .iter()
            .flat_map(|file| &file.content.alerts)
            .flat_map(|alert| {
                alert
                    .renamed_from
                    .iter()
                    .map(|old| (old.as_str(), alert.name.as_str()))
            })
            .collect();
        let mut forgotten: Vec<(String, Origin)> = Vec::new();
        for file in files {
            for (index, name) in file.content.forget.iter().enumerate() {
                let place = Place::in_file(file, format!("/forget/{index}"));
                if place.stands_in() {
                    continue;
                }
                let origin = place.value_origin();
                if let Some(declared) = self.names.get(name.as_str()) {
                    self.problems.push(
                        place
                            .value_error(format!(
                                "`forget: {name}` names an alert these files declare"
                            ))
                            .with_hint(format!(
                                "`{name}` is declared at {declared}: to stop managing it, remove that declaration; to keep managing it, remove it from `forget`"
                            )),
                    );
                } else if let Some(new) = renamed.get(name.as_str()) {
                    self.problems.push(
                        place
                            .value_error(format!(
                                "`forget: {name}` names the `renamed_from` of alert `{new}`"
                            ))
                            .with_hint(
                                "an alert is either renamed or forgotten; remove one of the two",
                            ),
                    );
                } else if let Some((_, first)) = forgotten.iter().find(|(seen, _)| seen == name) {
                    self.problems.push(
                        place
                            .value_error(format!("`{name}` is forgotten twice"))
                            .with_hint(format!("it is first in `forget` at {first}")),
                    );
                } else {
                    forgotten.push((name.clone(), origin));
                }
            }
        }
        forgotten
    }
}

/// Replaces each `${NAME}` of a webhook URL with the process variable's value (an empty one
/// counts as unset).
fn interpolate(text: &str, env: EnvLookup<'_>) -> Result<String, Missing> {
    let set = |name: &str| env(name).filter(|value| !value.is_empty());
    super::variables::expand(text, &set)
}

/// The first character (1-based) that has no place in a URL and could hide what it points
/// at: whitespace, a control character, or a bidirectional-text control.
fn invisible_character(url: &str) -> Option<(usize, &'static str)> {
    url.chars().enumerate().find_map(|(index, character)| {
        let kind = if character.is_whitespace() {
            "a space"
        } else {
            invisible(character)?
        };
        Some((index + 1, kind))
    })
}

/// `90s`, `5m`, `1m30s` -> seconds. The schema has already checked the shape.
pub fn parse_delay(text: &str) -> Option<u32> {
    let (minutes, seconds) = match text.split_once('m') {
        Some((minutes, rest)) => (minutes.parse::<u32>().ok()?, rest.strip_suffix('s')),
        None => (0, text.strip_suffix('s')),
    };
    let seconds = match seconds {
        Some(s) => s.parse::<u32>().ok()?,
        None if text.ends_with('m') => 0,
        None => return None,
    };
    minutes.checked_mul(60)?.checked_add(seconds)
}

/// Seconds -> the shortest delay text: 0 -> `0s`, 300 -> `5m`, 90 -> `1m30s`.
pub fn format_delay(seconds: u32) -> String {
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

/// What kind of personal data a name seems to contain, if any.
fn personal_data(name: &str) -> Option<&'static str> {
    let looks_like_email = name.split_whitespace().any(|word| {
        word.split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
    });
    if looks_like_email {
        return Some("an email address");
    }
    let digits = name
        .split(|c: char| !(c.is_ascii_digit() || " -().+".contains(c)))
        .map(|run| run.bytes().filter(u8::is_ascii_digit).count())
        .max()
        .unwrap_or(0);
    (digits >= 7).then_some("a phone number")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_parse_and_format() {
        assert_eq!(parse_delay("0s"), Some(0));
        assert_eq!(parse_delay("90s"), Some(90));
        assert_eq!(parse_delay("5m"), Some(300));
        assert_eq!(parse_delay("1m30s"), Some(90));
        assert_eq!(parse_delay("16m"), Some(960));
        assert_eq!(parse_delay("5x"), None);
        assert_eq!(format_delay(0), "0s");
        assert_eq!(format_delay(300), "5m");
        assert_eq!(format_delay(90), "1m30s");
        for seconds in 0..=MAX_AFTER_SECONDS {
            assert_eq!(parse_delay(&format_delay(seconds)), Some(seconds));
        }
    }

    #[test]
    fn interpolation_reads_variables_and_reports_the_missing_one() {
        let env = |name: &str| (name == "HOOK").then(|| "https://h.example/x".to_owned());
        assert_eq!(
            interpolate("${HOOK}", &env).ok().as_deref(),
            Some("https://h.example/x")
        );
        assert!(matches!(interpolate("${NOPE}", &env), Err(Missing::Unset(n)) if n == "NOPE"));
        assert!(matches!(
            interpolate("${HOOK", &env),
            Err(Missing::Malformed)
        ));
        assert_eq!(interpolate("plain", &env).ok().as_deref(), Some("plain"));
    }

    #[test]
    fn characters_that_hide_where_a_url_points_are_found() {
        assert_eq!(invisible_character("https://hooks.slack.com/x"), None);
        assert_eq!(invisible_character("https://h/x y"), Some((12, "a space")));
        assert_eq!(
            invisible_character("https://h/\u{7}"),
            Some((11, "a control character"))
        );
        assert_eq!(
            invisible_character("https://h/\u{202E}x"),
            Some((11, "a bidirectional-text control character"))
        );
    }

    #[test]
    fn personal_data_is_spotted() {
        assert_eq!(
            personal_data("Page jane@example.com"),
            Some("an email address")
        );
        assert_eq!(
            personal_data("Call +1 (555) 123-4567"),
            Some("a phone number")
        );
        assert_eq!(personal_data("Support voice - longest wait"), None);
        assert_eq!(personal_data("SLA 30 min under 80"), None);
    }
}
