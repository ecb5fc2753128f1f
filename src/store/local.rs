//! The local sandbox (`--store local[:FILE]`): the emulator's engine in-process, kept in a
//! file, seeded with the contact center `examples/` uses. No network, no credentials.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde_json::json;

use super::error::StoreError;
use super::{Directory, Live, Store, merge_by_sid};
use crate::common::lock::lock;
use crate::emulator::api_error::ApiError;
use crate::emulator::persist::LoadError;
use crate::emulator::{Engine, Seed};
use crate::flex::wire::{Destinations, NotificationConfig, Rule, RuleBody};

#[derive(Debug)]
pub struct LocalStore {
    engine: Mutex<Engine>,
    path: PathBuf,
}

impl LocalStore {
    /// Opens the sandbox in `path`, seeding it on first use. A file that is not a sandbox is
    /// an error and is left untouched.
    pub fn open(path: &Path) -> Result<LocalStore, StoreError> {
        Ok(LocalStore {
            engine: Mutex::new(Engine::open(path, &Seed::builtin()).map_err(unusable)?),
            path: path.to_owned(),
        })
    }

    /// A sandbox kept in memory only, for tests.
    pub fn in_memory(engine: Engine) -> LocalStore {
        LocalStore {
            engine: Mutex::new(engine),
            path: PathBuf::from("(memory)"),
        }
    }

    /// The whole state, for tests to inspect.
    pub fn state(&self) -> crate::emulator::State {
        self.engine().state().clone()
    }

    fn engine(&self) -> MutexGuard<'_, Engine> {
        lock(&self.engine)
    }

    /// Runs `operation` on the engine, wording a refusal as the HTTP client would.
    fn run<T>(
        &self,
        what: impl FnOnce() -> String,
        operation: impl FnOnce(&mut Engine, &str) -> Result<T, ApiError>,
    ) -> Result<T, StoreError> {
        let mut engine = self.engine();
        let instance = engine.state().instance_sid.clone();
        operation(&mut engine, &instance).map_err(|error| StoreError::Api {
            what: format!("{} (local sandbox)", what()),
            status: error.status,
            code: Some(error.code),
            message: error.message,
            more_info: None,
        })
    }

    fn optional<T>(result: Result<T, StoreError>) -> Result<Option<T>, StoreError> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(StoreError::Api { status: 404, .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// Why the sandbox file cannot be used, in the store's words.
fn unusable(error: LoadError) -> StoreError {
    let kept = matches!(
        error,
        LoadError::Corrupt { .. } | LoadError::Version { .. } | LoadError::Foreign { .. }
    );
    StoreError::Sandbox {
        message: error.to_string(),
        kept,
    }
}

impl Store for LocalStore {
    fn describe(&self) -> String {
        format!(
            "the local sandbox {} (no network, no credentials)",
            self.path.display()
        )
    }

    async fn snapshot(&self) -> Result<Live, StoreError> {
        let engine = self.engine();
        let state = engine.state();
        let referenced = |ttid: &str| {
            state
                .rules
                .iter()
                .any(|rule| rule.notify_methods_id.as_deref() == Some(ttid))
        };
        let (configs, orphans): (Vec<_>, Vec<_>) = state
            .notification_configs
            .iter()
            .partition(|config| referenced(&config.ttid));
        let configs = configs
            .into_iter()
            .map(|config| (config.ttid.clone(), config.clone()))
            .collect();
        let rules = merge_by_sid(engine.rules());
        Ok(Live {
            rules,
            configs,
            directory: Directory {
                queues: state.queues.clone(),
                channels: state.channels.clone(),
                users: state.users.clone(),
            },
            notifications_mode: state
                .configuration
                .pointer("/notifications/mode")
                .and_then(|mode| mode.as_str())
                .map(str::to_owned),
            // The sandbox sees all of its state, so it knows every configuration nothing names.
            orphan_configs: orphans
                .into_iter()
                .map(|config| config.ttid.clone())
                .collect(),
            possible_configs: 0,
        })
    }

    async fn rules(&self) -> Result<Vec<Rule>, StoreError> {
        Ok(merge_by_sid(self.engine().rules()))
    }

    async fn fetch_rule(&self, sid: &str) -> Result<Option<Rule>, StoreError> {
        LocalStore::optional(self.run(
            || format!("read alert rule {sid}"),
            |engine, instance| engine.fetch_rule(instance, sid),
        ))
    }

    async fn create_rule(&self, body: &RuleBody) -> Result<Rule, StoreError> {
        let value = serde_json::to_value(body).expect("wire types serialize");
        self.run(
            || format!("create alert rule `{}`", body.rule_friendly_name),
            |engine, instance| engine.create_rule(instance, &value),
        )
    }

    async fn update_rule(&self, sid: &str, body: &RuleBody) -> Result<Rule, StoreError> {
        let value = serde_json::to_value(body).expect("wire types serialize");
        self.run(
            || format!("update alert rule `{}` ({sid})", body.rule_friendly_name),
            |engine, instance| engine.update_rule(instance, sid, &value),
        )
    }

    async fn delete_rule(&self, sid: &str) -> Result<(), StoreError> {
        self.run(
            || format!("delete alert rule {sid}"),
            |engine, instance| engine.delete_rule(instance, sid),
        )
    }

    async fn fetch_config(&self, ttid: &str) -> Result<Option<NotificationConfig>, StoreError> {
        LocalStore::optional(self.run(
            || format!("read notification configuration {ttid}"),
            |engine, instance| engine.fetch_config(instance, ttid),
        ))
    }

    async fn fetch_configs(
        &self,
        ttids: Vec<String>,
    ) -> Result<BTreeMap<String, NotificationConfig>, StoreError> {
        let engine = self.engine();
        Ok(engine
            .state()
            .notification_configs
            .iter()
            .filter(|config| ttids.contains(&config.ttid))
            .map(|config| (config.ttid.clone(), config.clone()))
            .collect())
    }

    async fn create_config(
        &self,
        destinations: &Destinations,
    ) -> Result<NotificationConfig, StoreError> {
        let value = json!({ "destinations": destinations });
        self.run(
            || "create a notification configuration".to_owned(),
            |engine, instance| engine.create_config(instance, &value),
        )
    }

    async fn update_config(
        &self,
        ttid: &str,
        destinations: &Destinations,
    ) -> Result<NotificationConfig, StoreError> {
        let value = json!({ "destinations": destinations });
        self.run(
            || format!("update notification configuration {ttid}"),
            |engine, instance| engine.update_config(instance, ttid, &value),
        )
    }

    async fn delete_config(&self, ttid: &str) -> Result<(), StoreError> {
        self.run(
            || format!("delete notification configuration {ttid}"),
            |engine, instance| engine.delete_config(instance, ttid),
        )
    }

    async fn set_notifications_mode(&self, mode: &str) -> Result<(), StoreError> {
        self.run(
            || "set the Flex configuration's notifications.mode".to_owned(),
            |engine, _| {
                let mut notifications = engine.configuration()["notifications"].clone();
                notifications["mode"] = json!(mode);
                let account_sid = engine.state().account_sid.clone();
                engine
                    .update_configuration(
                        &json!({ "account_sid": account_sid, "notifications": notifications }),
                    )
                    .map(drop)
            },
        )
    }
}
