//! An emulated Flex instance: alert rules, notification configurations, the directory (task
//! queues, task channels, Flex users) and the Flex configuration, with the behaviour of the
//! fact sheet: SID minting, body validation, limits, 404s, paging.
//!
//! The engine is shared by the emulator's HTTP server and the local sandbox store. It knows
//! nothing about HTTP beyond status codes; every write is persisted (when a file is set)
//! before it is acknowledged.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::api_error::{ApiError, INTERNAL};
use super::body;
use super::ids::{mint_sid, mint_ttid};
use super::listing;
use super::persist::{self, LoadError};
use super::seed::Seed;
use super::state::State;
use super::synthetic::MAX_CUMULATIVE_MINUTES;
use crate::common::clock::{Clock, system_clock};
use crate::common::time::format_unix_ms;
use crate::flex::limits::{MAX_ALERTS, MAX_NOTIFICATION_CONFIGS};
use crate::flex::urls::{TWILIO_FLEX_BASE, TWILIO_TASKROUTER_BASE};
use crate::flex::wire::{FlexUser, NotificationConfig, Rule, TaskChannel, TaskQueue};

const NOTIFICATION_MODES: [&str; 2] = ["always", "whenNotInFocus"];
const READ_ONLY_CONFIGURATION: [&str; 7] = [
    "account_sid",
    "flex_instance_sid",
    "flex_service_instance_sid",
    "taskrouter_workspace_sid",
    "date_created",
    "date_updated",
    "url",
];

/// Objects as Console (or a future Twilio) may make them, stored without the API's checks:
/// every nullable key the documentation allows can be null here. Appended to the state.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleObjects {
    pub rules: Vec<Rule>,
    pub notification_configs: Vec<NotificationConfig>,
    pub queues: Vec<TaskQueue>,
    pub channels: Vec<TaskChannel>,
    pub users: Vec<FlexUser>,
}

/// An emulated Flex instance, optionally kept in a state file.
#[derive(Debug)]
pub struct Engine {
    state: State,
    file: Option<PathBuf>,
    flex_base: String,
    taskrouter_base: String,
    clock: Clock,
    max_page_size: usize,
    /// A rule update keeps the optional keys its body leaves out (instead of clearing them):
    /// Twilio does not say which it does, so both are tested.
    merge_updates: bool,
    /// Which synthetic day the statistics endpoints serve.
    day_seed: u64,
}

impl Engine {
    /// An in-memory instance seeded with `seed`.
    pub fn new(seed: &Seed) -> Engine {
        Engine::from_state(State::from_seed(seed, system_clock()), None)
    }

    fn from_state(state: State, file: Option<PathBuf>) -> Engine {
        Engine {
            state,
            file,
            flex_base: TWILIO_FLEX_BASE.to_owned(),
            taskrouter_base: TWILIO_TASKROUTER_BASE.to_owned(),
            clock: system_clock,
            max_page_size: listing::MAX_PAGE_SIZE,
            merge_updates: false,
            day_seed: 0,
        }
    }

    /// An in-memory instance holding `state` (another instance's, say), for tests.
    pub fn restore(state: State) -> Engine {
        Engine::from_state(state, None)
    }

    /// The instance kept in `path`: loaded when the file exists, else seeded and saved there.
    /// A file that cannot be read as state is an error and is left untouched.
    pub fn open(path: &Path, seed: &Seed) -> Result<Engine, LoadError> {
        if let Some(directory) = path.parent() {
            let directory = if directory.as_os_str().is_empty() {
                Path::new(".")
            } else {
                directory
            };
            crate::common::atomic_file::remove_stale_temporaries(directory);
        }
        if let Some(state) = persist::load(path)? {
            return Ok(Engine::from_state(state, Some(path.to_owned())));
        }
        let state = State::from_seed(seed, system_clock());
        persist::save(path, &state).map_err(|source| LoadError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Engine::from_state(state, Some(path.to_owned())))
    }

    /// Serve resource URLs under `base` (the emulator's own address) instead of Twilio's.
    pub fn with_base_url(mut self, base: &str) -> Engine {
        let base = base.trim_end_matches('/');
        self.flex_base = base.to_owned();
        self.taskrouter_base = base.to_owned();
        self
    }

    /// Serve at most `size` items per page, so small lists still span several pages.
    pub fn with_max_page_size(mut self, size: usize) -> Engine {
        self.max_page_size = size;
        self
    }

    /// Rule updates merge into the rule instead of replacing its optional keys.
    pub fn with_merge_updates(mut self, merge: bool) -> Engine {
        self.merge_updates = merge;
        self
    }

    /// The engine's clock, in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        (self.clock)()
    }

    pub fn with_clock(mut self, clock: Clock) -> Engine {
        self.clock = clock;
        self
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// HTTP Basic credentials: the account SID and its auth token, or an API key and secret.
    pub fn authenticate(&self, username: &str, password: &str) -> bool {
        (username == self.state.account_sid && password == self.state.auth_token)
            || self
                .state
                .api_keys
                .get(username)
                .is_some_and(|secret| secret == password)
    }

    /// Applies `change` to a copy of the state, saves it, and only then makes it current.
    fn write<T>(
        &mut self,
        change: impl FnOnce(&mut State, String) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut next = self.state.clone();
        let value = change(&mut next, format_unix_ms((self.clock)()))?;
        if let Some(path) = &self.file {
            persist::save(path, &next).map_err(|error| {
                ApiError::new(
                    500,
                    INTERNAL,
                    format!("the emulator could not save its state: {error}"),
                )
            })?;
        }
        self.state = next;
        Ok(value)
    }

    fn instance(&self, instance_sid: &str, path: &str) -> Result<(), ApiError> {
        if instance_sid == self.state.instance_sid {
            Ok(())
        } else {
            Err(ApiError::not_found(&format!(
                "/v1/Instances/{instance_sid}{path}"
            )))
        }
    }

    fn rules_url(&self) -> String {
        format!(
            "{}/v1/Instances/{}/InsightsRules",
            self.flex_base, self.state.instance_sid
        )
    }

    fn present(&self, rule: &Rule) -> Rule {
        Rule {
            url: rule
                .sid
                .as_ref()
                .map(|sid| format!("{}/{sid}", self.rules_url())),
            ..rule.clone()
        }
    }

    /// Every rule as the API shows it, in creation order.
    pub fn rules(&self) -> Vec<Rule> {
        self.state
            .rules
            .iter()
            .map(|rule| self.present(rule))
            .collect()
    }

    pub fn list_rules(
        &self,
        instance_sid: &str,
        query: &[(String, String)],
    ) -> Result<Value, ApiError> {
        self.instance(instance_sid, "/InsightsRules")?;
        let rules: Vec<Rule> = listing::filter_rules(&self.rules(), query)?;
        listing::page(
            "rules",
            &rules,
            &self.rules_url(),
            query,
            self.max_page_size,
        )
    }

    pub fn fetch_rule(&self, instance_sid: &str, sid: &str) -> Result<Rule, ApiError> {
        self.instance(instance_sid, "/InsightsRules")?;
        self.state
            .rules
            .iter()
            .find(|rule| rule.sid() == sid)
            .map(|rule| self.present(rule))
            .ok_or_else(|| {
                ApiError::not_found(&format!("/v1/Instances/{instance_sid}/InsightsRules/{sid}"))
            })
    }

    pub fn create_rule(&mut self, instance_sid: &str, body: &Value) -> Result<Rule, ApiError> {
        self.instance(instance_sid, "/InsightsRules")?;
        let rule = self.write(|state, now| {
            let body = body::rule_body(body, state, None)?;
            if state.rules.len() >= MAX_ALERTS {
                return Err(ApiError::invalid(format!(
                    "Maximum number of alert rules reached: an account holds at most {MAX_ALERTS}"
                )));
            }
            let counter = state.mint();
            let rule = Rule {
                account_sid: Some(state.account_sid.clone()),
                instance_sid: Some(state.instance_sid.clone()),
                sid: Some(mint_sid("QY", &state.instance_sid, counter)),
                rule_friendly_name: Some(body.rule_friendly_name),
                metric_id: Some(body.metric_id),
                task_channel_sid: body.task_channel_sid,
                task_queue_sids: Some(body.task_queue_sids),
                active: Some(body.active),
                rule_thresholds: Some(
                    serde_json::to_value(body.rule_thresholds).expect("thresholds serialize"),
                ),
                date_created: Some(now.clone()),
                date_updated: Some(now),
                notify_enabled: Some(body.notify_enabled),
                notify_severity: body.notify_severity,
                notify_duration: Some(body.notify_duration.unwrap_or(0)),
                notify_methods_id: body.notify_methods_id,
                url: None,
                unreadable: None,
            };
            state.rules.push(rule.clone());
            Ok(rule)
        })?;
        Ok(self.present(&rule))
    }

    pub fn update_rule(
        &mut self,
        instance_sid: &str,
        sid: &str,
        body: &Value,
    ) -> Result<Rule, ApiError> {
        self.fetch_rule(instance_sid, sid)?;
        let merge = self.merge_updates;
        let rule = self.write(|state, now| {
            let existing = state
                .rules
                .iter()
                .find(|rule| rule.sid() == sid)
                .expect("checked above");
            let parsed = body::rule_body(body, state, Some(existing))?;
            let rule = state
                .rules
                .iter_mut()
                .find(|rule| rule.sid() == sid)
                .expect("checked above");
            if Some(&parsed.metric_id) != rule.metric_id.as_ref() {
                return Err(ApiError::invalid(format!(
                    "Invalid value for [metric_id]: the metric of an alert cannot be changed (it is `{}`); create a new alert instead",
                    rule.metric_id.as_deref().unwrap_or_default()
                )));
            }
            // Keys the body leaves out: cleared on a full replacement, kept on a merge.
            let sent = |key: &str| body.get(key).is_some();
            rule.rule_friendly_name = Some(parsed.rule_friendly_name);
            rule.task_channel_sid = parsed.task_channel_sid;
            rule.task_queue_sids = Some(parsed.task_queue_sids);
            rule.active = Some(parsed.active);
            rule.rule_thresholds =
                Some(serde_json::to_value(parsed.rule_thresholds).expect("thresholds serialize"));
            rule.notify_enabled = Some(parsed.notify_enabled);
            if !merge || sent("notify_severity") {
                rule.notify_severity = parsed.notify_severity;
            }
            if !merge || sent("notify_duration") {
                rule.notify_duration = Some(parsed.notify_duration.unwrap_or(0));
            }
            if !merge || sent("notify_methods_id") {
                rule.notify_methods_id = parsed.notify_methods_id;
            }
            rule.date_updated = Some(now);
            Ok(rule.clone())
        })?;
        Ok(self.present(&rule))
    }

    /// Stores `objects` as they are (see `ConsoleObjects`), persisted like any write.
    pub fn insert(&mut self, objects: ConsoleObjects) -> Result<(), ApiError> {
        self.write(|state, _| {
            state.rules.extend(objects.rules);
            state
                .notification_configs
                .extend(objects.notification_configs);
            state.queues.extend(objects.queues);
            state.channels.extend(objects.channels);
            state.users.extend(objects.users);
            Ok(())
        })
    }

    /// Deletes a rule; its notification configuration stays (Flex does not cascade).
    pub fn delete_rule(&mut self, instance_sid: &str, sid: &str) -> Result<(), ApiError> {
        self.fetch_rule(instance_sid, sid)?;
        self.write(|state, _| {
            state.rules.retain(|rule| rule.sid() != sid);
            Ok(())
        })
    }

    fn config_path(instance_sid: &str, ttid: &str) -> String {
        format!("/v1/Instances/{instance_sid}/NotificationConfigurations/{ttid}")
    }

    pub fn fetch_config(
        &self,
        instance_sid: &str,
        ttid: &str,
    ) -> Result<NotificationConfig, ApiError> {
        self.instance(instance_sid, "/NotificationConfigurations")?;
        self.state
            .notification_configs
            .iter()
            .find(|config| config.ttid == ttid)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&Engine::config_path(instance_sid, ttid)))
    }

    pub fn create_config(
        &mut self,
        instance_sid: &str,
        body: &Value,
    ) -> Result<NotificationConfig, ApiError> {
        self.instance(instance_sid, "/NotificationConfigurations")?;
        let now_ms = (self.clock)();
        self.write(|state, _| {
            let destinations = body::destinations(body, state)?;
            if state.notification_configs.len() >= MAX_NOTIFICATION_CONFIGS {
                return Err(ApiError::invalid(format!(
                    "Maximum number of notification configurations reached: an instance holds at most {MAX_NOTIFICATION_CONFIGS}"
                )));
            }
            let counter = state.mint();
            let config = NotificationConfig {
                ttid: mint_ttid(&state.instance_sid, counter, now_ms),
                instance_sid: state.instance_sid.clone(),
                destinations,
            };
            state.notification_configs.push(config.clone());
            Ok(config)
        })
    }

    /// Replaces a configuration's `destinations` wholesale.
    pub fn update_config(
        &mut self,
        instance_sid: &str,
        ttid: &str,
        body: &Value,
    ) -> Result<NotificationConfig, ApiError> {
        self.fetch_config(instance_sid, ttid)?;
        self.write(|state, _| {
            let destinations = body::destinations(body, state)?;
            let config = state
                .notification_configs
                .iter_mut()
                .find(|config| config.ttid == ttid)
                .expect("checked above");
            config.destinations = destinations;
            Ok(config.clone())
        })
    }

    /// Deletes a configuration, also one a rule still names (Flex's documented delete order
    /// removes the configuration before the rule).
    pub fn delete_config(&mut self, instance_sid: &str, ttid: &str) -> Result<(), ApiError> {
        self.fetch_config(instance_sid, ttid)?;
        self.write(|state, _| {
            state
                .notification_configs
                .retain(|config| config.ttid != ttid);
            Ok(())
        })
    }

    pub fn list_users(
        &self,
        instance_sid: &str,
        query: &[(String, String)],
    ) -> Result<Value, ApiError> {
        self.instance(instance_sid, "/Users")?;
        let state = &self.state;
        let users: Vec<Value> = state
            .users
            .iter()
            .map(|user| {
                json!({
                    "account_sid": state.account_sid,
                    "created_date": state.configuration["date_created"],
                    "deactivated": user.deactivated,
                    "deactivated_date": null,
                    "email": user.email,
                    "flex_team_sid": null,
                    "flex_user_sid": user.flex_user_sid,
                    "full_name": user.full_name,
                    "instance_sid": state.instance_sid,
                    "locale": null,
                    "roles": user.roles,
                    "updated_date": state.configuration["date_created"],
                    "username": user.username,
                    "version": 1,
                    "worker_sid": super::taskrouter::worker_sid(state, user),
                    "workspace_sid": state.workspace_sid,
                })
            })
            .collect();
        let url = format!("{}/v1/Instances/{instance_sid}/Users", self.flex_base);
        listing::page("users", &users, &url, query, self.max_page_size)
    }

    fn workspace(&self, workspace_sid: &str, path: &str) -> Result<String, ApiError> {
        if workspace_sid == self.state.workspace_sid {
            Ok(format!(
                "{}/v1/Workspaces/{workspace_sid}",
                self.taskrouter_base
            ))
        } else {
            Err(ApiError::not_found(&format!(
                "/v1/Workspaces/{workspace_sid}{path}"
            )))
        }
    }

    pub fn list_queues(
        &self,
        workspace_sid: &str,
        query: &[(String, String)],
    ) -> Result<Value, ApiError> {
        let workspace_url = self.workspace(workspace_sid, "/TaskQueues")?;
        let state = &self.state;
        let queues: Vec<Value> = super::taskrouter::filter_queues(state, &state.queues, query)?
            .into_iter()
            .map(|queue| self.queue_json(queue, &workspace_url))
            .collect();
        listing::page(
            "task_queues",
            &queues,
            &format!("{workspace_url}/TaskQueues"),
            query,
            self.max_page_size,
        )
    }

    /// `GET .../TaskQueues/{queue}/{kind}`: the synthetic day at the clock's now, for `kind`
    /// `RealTimeStatistics`, or over a window for `CumulativeStatistics`: `Minutes` (default
    /// 15) before now, or from `StartDate` to `EndDate` (default now); `SplitByWaitTime` in
    /// seconds. `TaskChannel` (SID or unique name) narrows both to one channel.
    /// A statistics request (`RealTimeStatistics`, `CumulativeStatistics`) checked, ready to
    /// be answered without the engine.
    pub fn queue_statistics(
        &self,
        workspace_sid: &str,
        (queue_sid, kind): (&str, &str),
        query: &[(String, String)],
    ) -> Result<super::synthetic::Request, ApiError> {
        use super::synthetic::RequestKind;
        let path = format!("/TaskQueues/{queue_sid}/{kind}");
        let workspace_url = self.workspace(workspace_sid, &path)?;
        let channel = self.statistics_channel(queue_sid, query, &path)?;
        let now = i64::try_from((self.clock)() / 1000).unwrap_or(i64::MAX);
        let kind = match kind {
            "RealTimeStatistics" => RequestKind::RealTime { now },
            "CumulativeStatistics" => {
                let (window, split) = cumulative_window(query, now)?;
                RequestKind::Cumulative { window, split }
            }
            "Statistics" => {
                let (window, split) = cumulative_window(query, now)?;
                RequestKind::Both { now, window, split }
            }
            _ => {
                return Err(ApiError::not_found(&format!(
                    "/v1/Workspaces/{workspace_sid}{path}"
                )));
            }
        };
        Ok(super::synthetic::Request {
            queue: queue_sid.to_owned(),
            channel,
            kind,
            account_sid: self.state.account_sid.clone(),
            workspace_sid: self.state.workspace_sid.clone(),
            workspace_url,
            seed: self.day_seed,
        })
    }

    pub fn list_activities(
        &self,
        workspace_sid: &str,
        query: &[(String, String)],
    ) -> Result<Value, ApiError> {
        let workspace_url = self.workspace(workspace_sid, "/Activities")?;
        let activities = super::taskrouter::activities_json(&self.state, &workspace_url);
        listing::page(
            "activities",
            &activities,
            &format!("{workspace_url}/Activities"),
            query,
            self.max_page_size,
        )
    }

    /// The queue must exist; `TaskChannel` (SID or unique name), when given, too. The channel's
    /// unique name is returned.
    fn statistics_channel(
        &self,
        queue_sid: &str,
        query: &[(String, String)],
        path: &str,
    ) -> Result<Option<String>, ApiError> {
        if !self.state.queues.iter().any(|queue| queue.sid == queue_sid) {
            return Err(ApiError::not_found(&format!(
                "/v1/Workspaces/{}{path}",
                self.state.workspace_sid
            )));
        }
        let Some((_, given)) = query.iter().find(|(key, _)| key == "TaskChannel") else {
            return Ok(None);
        };
        self.state
            .channels
            .iter()
            .find(|channel| channel.sid == *given || channel.unique_name.as_deref() == Some(given))
            .map(|channel| {
                Some(
                    channel
                        .unique_name
                        .clone()
                        .unwrap_or_else(|| channel.sid.clone()),
                )
            })
            .ok_or_else(|| ApiError::invalid(format!("TaskChannel `{given}` does not exist")))
    }

    /// Another synthetic day for the statistics endpoints (the default is seed 0).
    pub fn with_day_seed(mut self, seed: u64) -> Engine {
        self.day_seed = seed;
        self
    }

    /// `GET .../TaskQueues/{sid}`: one queue, as the list shows it.
    pub fn fetch_queue(&self, workspace_sid: &str, queue_sid: &str) -> Result<Value, ApiError> {
        let path = format!("/TaskQueues/{queue_sid}");
        let workspace_url = self.workspace(workspace_sid, &path)?;
        self.state
            .queues
            .iter()
            .find(|queue| queue.sid == queue_sid)
            .map(|queue| self.queue_json(queue, &workspace_url))
            .ok_or_else(|| ApiError::not_found(&format!("/v1/Workspaces/{workspace_sid}{path}")))
    }

    /// `GET .../TaskChannels/{sid}`: one channel, by SID or unique name as TaskRouter allows.
    pub fn fetch_channel(&self, workspace_sid: &str, channel: &str) -> Result<Value, ApiError> {
        let path = format!("/TaskChannels/{channel}");
        let workspace_url = self.workspace(workspace_sid, &path)?;
        self.state
            .channels
            .iter()
            .find(|c| c.sid == channel || c.unique_name.as_deref() == Some(channel))
            .map(|c| self.channel_json(c, &workspace_url))
            .ok_or_else(|| ApiError::not_found(&format!("/v1/Workspaces/{workspace_sid}{path}")))
    }

    fn queue_json(&self, queue: &TaskQueue, workspace_url: &str) -> Value {
        let state = &self.state;
        let url = format!("{workspace_url}/TaskQueues/{}", queue.sid);
        json!({
            "account_sid": state.account_sid,
            "assignment_activity_sid": null,
            "assignment_activity_name": null,
            "date_created": state.configuration["date_created"],
            "date_updated": state.configuration["date_created"],
            "friendly_name": queue.friendly_name,
            "max_reserved_workers": 1,
            "reservation_activity_sid": null,
            "reservation_activity_name": null,
            "sid": queue.sid,
            "target_workers": "1==1",
            "task_order": "FIFO",
            "url": url,
            "workspace_sid": state.workspace_sid,
            "links": {
                "statistics": format!("{url}/Statistics"),
                "real_time_statistics": format!("{url}/RealTimeStatistics"),
                "cumulative_statistics": format!("{url}/CumulativeStatistics"),
                "workspace": workspace_url,
            },
        })
    }

    fn channel_json(&self, channel: &TaskChannel, workspace_url: &str) -> Value {
        let state = &self.state;
        json!({
            "account_sid": state.account_sid,
            "date_created": state.configuration["date_created"],
            "date_updated": state.configuration["date_created"],
            "friendly_name": channel.friendly_name,
            "sid": channel.sid,
            "unique_name": channel.unique_name,
            "workspace_sid": state.workspace_sid,
            "channel_optimized_routing": false,
            "url": format!("{workspace_url}/TaskChannels/{}", channel.sid),
            "links": { "workspace": workspace_url },
        })
    }

    pub fn list_channels(
        &self,
        workspace_sid: &str,
        query: &[(String, String)],
    ) -> Result<Value, ApiError> {
        let workspace_url = self.workspace(workspace_sid, "/TaskChannels")?;
        let state = &self.state;
        let channels: Vec<Value> = state
            .channels
            .iter()
            .map(|channel| self.channel_json(channel, &workspace_url))
            .collect();
        listing::page(
            "channels",
            &channels,
            &format!("{workspace_url}/TaskChannels"),
            query,
            self.max_page_size,
        )
    }

    /// The Flex Configuration, every property of twilio-oai's schema.
    pub fn configuration(&self) -> Value {
        super::configuration::resource(&self.state, &self.flex_base)
    }

    /// `GET /v1/Workspaces/{sid}`.
    pub fn fetch_workspace(&self, workspace_sid: &str) -> Result<Value, ApiError> {
        let workspace_url = self.workspace(workspace_sid, "")?;
        Ok(super::taskrouter::workspace_json(
            &self.state,
            &workspace_url,
        ))
    }

    /// `GET .../Activities/{sid}`.
    pub fn fetch_activity(&self, workspace_sid: &str, sid: &str) -> Result<Value, ApiError> {
        let path = format!("/Activities/{sid}");
        let workspace_url = self.workspace(workspace_sid, &path)?;
        super::taskrouter::activities_json(&self.state, &workspace_url)
            .into_iter()
            .find(|activity| activity["sid"] == sid)
            .ok_or_else(|| ApiError::not_found(&format!("/v1/Workspaces/{workspace_sid}{path}")))
    }

    /// `GET .../Workers`: one per Flex user.
    pub fn list_workers(
        &self,
        workspace_sid: &str,
        query: &[(String, String)],
    ) -> Result<Value, ApiError> {
        let workspace_url = self.workspace(workspace_sid, "/Workers")?;
        let workers = super::taskrouter::workers_json(&self.state, &workspace_url);
        listing::page(
            "workers",
            &workers,
            &format!("{workspace_url}/Workers"),
            query,
            self.max_page_size,
        )
    }

    /// `GET .../Workers/{sid}`.
    pub fn fetch_worker(&self, workspace_sid: &str, sid: &str) -> Result<Value, ApiError> {
        let path = format!("/Workers/{sid}");
        let workspace_url = self.workspace(workspace_sid, &path)?;
        super::taskrouter::workers_json(&self.state, &workspace_url)
            .into_iter()
            .find(|worker| worker["sid"] == sid)
            .ok_or_else(|| ApiError::not_found(&format!("/v1/Workspaces/{workspace_sid}{path}")))
    }

    /// Sets the given top-level properties (JSON-typed ones are replaced wholesale); read-only
    /// properties may only be sent unchanged.
    pub fn update_configuration(&mut self, body: &Value) -> Result<Value, ApiError> {
        let changes: Map<String, Value> = body
            .as_object()
            .cloned()
            .ok_or_else(|| ApiError::invalid("Invalid type for [body]: expected an object"))?;
        if changes.get("account_sid").and_then(Value::as_str)
            != Some(self.state.account_sid.as_str())
        {
            return Err(ApiError::invalid(
                "Missing required parameter [account_sid]: it must be the account's SID",
            ));
        }
        let current = self.configuration();
        for (key, value) in &changes {
            if READ_ONLY_CONFIGURATION.contains(&key.as_str()) && current.get(key) != Some(value) {
                return Err(ApiError::invalid(format!(
                    "You are not allowed to modify property for [{key}]."
                )));
            }
        }
        if let Some(notifications) = changes.get("notifications") {
            let mode = notifications.get("mode");
            if !notifications.is_object()
                || mode.is_some_and(|mode| {
                    !mode
                        .as_str()
                        .is_some_and(|mode| NOTIFICATION_MODES.contains(&mode))
                })
            {
                return Err(ApiError::invalid(format!(
                    "Invalid value for [notifications]: an object whose `mode` is one of {}",
                    NOTIFICATION_MODES.join(", ")
                )));
            }
        }
        self.write(|state, now| {
            for (key, value) in changes {
                if !READ_ONLY_CONFIGURATION.contains(&key.as_str()) {
                    state.configuration[key] = value;
                }
            }
            state.configuration["date_updated"] = json!(now);
            Ok(())
        })?;
        Ok(self.configuration())
    }
}

/// The window (`StartDate`/`EndDate`, or `Minutes` before now, default 15) and the
/// `SplitByWaitTime` seconds of a cumulative statistics request.
fn cumulative_window(
    query: &[(String, String)],
    now: i64,
) -> Result<((i64, i64), Vec<u64>), ApiError> {
    let parameter = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let date = |name: &str| -> Result<Option<i64>, ApiError> {
        parameter(name)
            .map(|text| {
                crate::common::time::parse_rfc3339(text).ok_or_else(|| {
                    ApiError::invalid(format!("{name} `{text}` is not an ISO 8601 date-time"))
                })
            })
            .transpose()
    };
    let end = date("EndDate")?.unwrap_or(now).min(now);
    let too_long = || {
        ApiError::invalid(format!(
            "statistics cover at most the past 30 days ({MAX_CUMULATIVE_MINUTES} minutes)"
        ))
    };
    let start = match (date("StartDate")?, parameter("Minutes")) {
        (Some(start), _) => start,
        (None, Some(minutes)) => {
            let minutes: i64 = minutes
                .parse()
                .map_err(|_| ApiError::invalid(format!("Minutes `{minutes}` is not a number")))?;
            if !(0..=MAX_CUMULATIVE_MINUTES).contains(&minutes) {
                return Err(too_long());
            }
            end - minutes * 60
        }
        (None, None) => end - 15 * 60,
    };
    if end - start > MAX_CUMULATIVE_MINUTES * 60 {
        return Err(too_long());
    }
    let split: Vec<u64> = match parameter("SplitByWaitTime") {
        Some(list) => list
            .split(',')
            .map(|seconds| {
                seconds.trim().parse().map_err(|_| {
                    ApiError::invalid(format!("SplitByWaitTime `{list}` is not a list of seconds"))
                })
            })
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    Ok(((start.min(end), end), split))
}
