//! An emulator started from a capture (`--capture FILE`, HAR 1.2): the live state the capture
//! saw (rules, notification configurations, users, queues, channels, the Configuration, and the
//! account, instance and workspace SIDs), and with `--replay` the captured answers themselves,
//! given back to the same requests in the order they came, so a user's problem reproduces
//! offline. Its credentials are the seed's: a capture holds none.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use serde_json::Value;

use super::seed::Seed;
use super::state::State;
use crate::common::har::Har;
use crate::common::lock::lock;
use crate::flex::wire::{FlexUser, NotificationConfig, Rule, TaskChannel, TaskQueue};

/// The path (with its query) of a captured URL, and its origin.
fn split(url: &str) -> Option<(String, String)> {
    let parsed = url::Url::parse(url).ok()?;
    let path = match parsed.query() {
        Some(query) => format!("{}?{query}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    Some((parsed.origin().ascii_serialization(), path))
}

/// The answers of successful GETs whose path matches `wanted`, in capture order.
fn answers(har: &Har, wanted: impl Fn(&[&str]) -> bool) -> Vec<(Vec<&str>, Value)> {
    har.log
        .entries
        .iter()
        .filter(|entry| entry.request.method == "GET" && entry.response.status == 200)
        .filter_map(|entry| {
            let path = entry.request.url.split('?').next()?;
            let path = path.split_once("://").map_or(path, |(_, rest)| rest);
            let segments: Vec<&str> = path.split('/').skip(1).collect();
            if !wanted(&segments) {
                return None;
            }
            let body = entry.response.content.text.as_deref()?;
            Some((segments, serde_json::from_str(body).ok()?))
        })
        .collect()
}

/// The items of every page of the last listing of `key` (pages of one listing follow each
/// other; a listing starts again at page 0).
fn listed<T: serde::de::DeserializeOwned>(pages: &[(Vec<&str>, Value)], key: &str) -> Vec<T> {
    let mut items = Vec::new();
    for (_, page) in pages {
        if page["meta"]["page"].as_u64().unwrap_or(0) == 0 {
            items.clear();
        }
        for item in page[key].as_array().into_iter().flatten() {
            if let Ok(item) = serde_json::from_value(item.clone()) {
                items.push(item);
            }
        }
    }
    items
}

/// The state a capture saw, on top of `seed`'s (for what a capture cannot hold: credentials).
pub fn state_from(har: &Har, seed: &Seed, now_ms: u64) -> Result<State, String> {
    let mut state = State::from_seed(seed, now_ms);
    let rules = answers(har, |path| path.len() == 4 && path[3] == "InsightsRules");
    let Some((path, _)) = rules.first() else {
        return Err("the capture holds no listing of the alert rules (InsightsRules): capture a `plan`, `export`, `apply` or `doctor`".to_owned());
    };
    state.instance_sid = path[2].to_owned();
    state.rules = listed::<Rule>(&rules, "rules");
    let configs: BTreeMap<String, NotificationConfig> = answers(har, |path| {
        path.len() == 5 && path[3] == "NotificationConfigurations"
    })
    .into_iter()
    .filter_map(|(_, value)| serde_json::from_value::<NotificationConfig>(value).ok())
    .map(|config| (config.ttid.clone(), config))
    .collect();
    state.notification_configs = configs.into_values().collect();
    let users = answers(har, |path| path.len() == 4 && path[3] == "Users");
    if !users.is_empty() {
        state.users = listed::<FlexUser>(&users, "users");
    }
    if let Some((_, configuration)) = answers(har, |path| path == ["v1", "Configuration"]).pop() {
        if let Some(account) = configuration["account_sid"].as_str() {
            state.account_sid = account.to_owned();
        }
        if let Some(workspace) = configuration["taskrouter_workspace_sid"].as_str() {
            state.workspace_sid = workspace.to_owned();
        }
        let mut configuration = configuration;
        if let Some(map) = configuration.as_object_mut() {
            map.remove("url");
        }
        state.configuration = configuration;
    }
    let queues = answers(har, |path| path.len() == 4 && path[3] == "TaskQueues");
    if let Some((path, _)) = queues.first() {
        state.workspace_sid = path[2].to_owned();
        state.queues = listed::<TaskQueue>(&queues, "task_queues");
    }
    let channels = answers(har, |path| path.len() == 4 && path[3] == "TaskChannels");
    if !channels.is_empty() {
        state.channels = listed::<TaskChannel>(&channels, "channels");
    }
    Ok(state)
}

/// The captured answers (status, body) by method and path with query, in order.
type Answers = BTreeMap<(String, String), VecDeque<(u16, String)>>;

/// `--replay`: the captured answers, by method and path with query, each given once in order
/// (the last one again when asked more often than captured).
#[derive(Debug, Default)]
pub struct Replay {
    answers: Mutex<Answers>,
    /// The origins the capture talked to: written as the emulator's in replayed bodies, so a
    /// client follows a captured `next_page_url` here and never to Twilio.
    origins: Vec<String>,
}

impl Replay {
    pub fn from(har: &Har) -> Replay {
        let mut answers = Answers::new();
        let mut origins = Vec::new();
        for entry in &har.log.entries {
            let Some((origin, path)) = split(&entry.request.url) else {
                continue;
            };
            if entry.response.status == 0 {
                continue;
            }
            if !origins.contains(&origin) {
                origins.push(origin);
            }
            answers
                .entry((entry.request.method.clone(), path))
                .or_default()
                .push_back((
                    entry.response.status,
                    entry.response.content.text.clone().unwrap_or_default(),
                ));
        }
        Replay {
            answers: Mutex::new(answers),
            origins,
        }
    }

    /// The captured answer to `method path?query`, its URLs on `host`; `None` when the
    /// capture has none.
    pub fn answer(&self, method: &str, path: &str, host: &str) -> Option<(u16, String)> {
        let mut answers = lock(&self.answers);
        let queue = answers.get_mut(&(method.to_owned(), path.to_owned()))?;
        let (status, mut body) = if queue.len() > 1 {
            queue.pop_front()?
        } else {
            queue.front()?.clone()
        };
        for origin in &self.origins {
            body = body.replace(origin.as_str(), host);
        }
        Some((status, body))
    }

    pub fn len(&self) -> usize {
        lock(&self.answers).values().map(VecDeque::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
