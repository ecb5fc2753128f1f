//! The Twilio client: Flex Alerts (InsightsRules, NotificationConfigurations), Flex Users and
//! Configuration, TaskRouter TaskQueues, TaskChannels and statistics, over HTTPS with Basic
//! auth.
//!
//! `credentials` reads who to connect as; `transport` is the one place that sends a request
//! (auth, window, timeouts, retries, health, paging); one file per group of resources builds
//! its calls on it: `alerts` (rules and notification configurations), `directory`,
//! `configuration` (the Flex configuration), `statistics` (TaskRouter workspace reads). This
//! file puts them together behind the `Store` trait.

mod alerts;
mod configuration;
mod credentials;
mod directory;
pub mod health;
pub mod limiter;
pub mod retry;
mod statistics;
mod transport;

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use credentials::CredentialNames;
pub use transport::{
    ClientConfig, DEFAULT_CONCURRENCY, DEFAULT_GIVE_UP_AFTER, DEFAULT_TIMEOUT, Observed, RequestLog,
};

use super::{Directory, Live, Store};
use crate::flex::wire::{Destinations, NotificationConfig, Rule, RuleBody};
use crate::store::error::StoreError;
use configuration::FlexConfiguration;
use transport::Transport;

/// A Flex instance reached over HTTP(S).
#[derive(Debug)]
pub struct TwilioClient {
    transport: Transport,
    configuration: FlexConfiguration,
}

impl TwilioClient {
    pub fn new(config: ClientConfig) -> Result<TwilioClient, StoreError> {
        Ok(TwilioClient {
            transport: Transport::new(config)?,
            configuration: FlexConfiguration::default(),
        })
    }

    /// The account SID, which notification configuration calls carry.
    async fn account_sid(&self) -> Result<&str, StoreError> {
        let context = self.configuration.context(&self.transport).await?;
        Ok(&context.account_sid)
    }

    async fn workspace_sid(&self) -> Result<&str, StoreError> {
        let context = self.configuration.context(&self.transport).await?;
        Ok(&context.workspace_sid)
    }

    /// `GET` of one TaskRouter workspace resource (statistics, for `record`), with retries:
    /// `path` after `/v1/Workspaces/{sid}/`.
    pub async fn workspace_get(
        &self,
        what: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Value, StoreError> {
        let workspace = self.workspace_sid().await?;
        statistics::get(&self.transport, workspace, (what, path, query)).await
    }

    /// With `--capture`: every exchange so far as a redacted HAR.
    pub fn captured(&self) -> Option<crate::common::har::Har> {
        let config = &self.transport.config;
        let capture = config.capture.as_ref()?;
        let origins = [&config.flex_base, &config.taskrouter_base]
            .map(|base| base.origin().ascii_serialization());
        Some(capture.har(&[config.password.expose()], &origins))
    }

    /// What the answers so far said about the server's clock and limits.
    pub fn observed(&self) -> Observed {
        crate::common::lock::lock(&self.transport.observed).clone()
    }

    /// Whether it signs in with an API key (`SK...`) rather than the account's auth token.
    pub fn uses_api_key(&self) -> bool {
        self.transport.config.username.starts_with("SK")
    }

    /// The Flex configuration, as read now.
    pub async fn flex_configuration(&self) -> Result<Value, StoreError> {
        self.configuration.current(&self.transport).await
    }

    /// The users, queues and channels alert files may name.
    pub async fn directory(&self) -> Result<Directory, StoreError> {
        let transport = &self.transport;
        let queues_and_channels = async {
            let context = self.configuration.context(transport).await?;
            directory::queues_and_channels(transport, &context.workspace_sid).await
        };
        let ((queues, channels), users) =
            futures::try_join!(queues_and_channels, directory::flex_users(transport))?;
        Ok(Directory {
            queues,
            channels,
            users,
        })
    }

    /// Every item of a TaskRouter workspace list (`key` holds a page's items).
    pub async fn workspace_list<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        key: &str,
    ) -> Result<Vec<T>, StoreError> {
        let workspace = self.workspace_sid().await?;
        statistics::list(&self.transport, workspace, (what, path, key)).await
    }
}

impl Store for TwilioClient {
    fn unreachable(&self) -> Option<String> {
        self.transport.unreachable()
    }

    fn describe(&self) -> String {
        let config = &self.transport.config;
        let host = config.flex_base.host_str().unwrap_or_default();
        format!("Flex instance {} at {host}", config.instance_sid)
    }

    /// Reads what plan needs, each read starting as soon as what it needs has arrived: the
    /// configurations right after the rules list, the queues and channels right after the
    /// workspace is known, the users at once.
    async fn snapshot(&self) -> Result<Live, StoreError> {
        let transport = &self.transport;
        let rules_and_configs = async {
            let rules = alerts::list_rules(transport).await?;
            let ttids = rules
                .iter()
                .filter_map(|rule| rule.notify_methods_id.clone())
                .collect();
            let configs = self.fetch_configs(ttids).await?;
            Ok::<_, StoreError>((rules, configs))
        };
        let configuration_and_directory = async {
            let (configuration, context) = futures::try_join!(
                self.configuration.current(transport),
                self.configuration.context(transport)
            )?;
            let (queues, channels) =
                directory::queues_and_channels(transport, &context.workspace_sid).await?;
            Ok::<_, StoreError>((configuration, queues, channels))
        };
        let ((rules, configs), (configuration, queues, channels), users) = futures::try_join!(
            rules_and_configs,
            configuration_and_directory,
            directory::flex_users(transport),
        )?;
        Ok(Live {
            configs,
            rules,
            directory: Directory {
                queues,
                channels,
                users,
            },
            notifications_mode: configuration
                .pointer("/notifications/mode")
                .and_then(Value::as_str)
                .map(str::to_owned),
            orphan_configs: Vec::new(),
            possible_configs: 0,
        })
    }

    fn capacity(&self) -> usize {
        self.transport.capacity()
    }

    async fn rules(&self) -> Result<Vec<Rule>, StoreError> {
        alerts::list_rules(&self.transport).await
    }

    async fn fetch_rule(&self, sid: &str) -> Result<Option<Rule>, StoreError> {
        alerts::fetch_rule(&self.transport, sid).await
    }

    async fn create_rule(&self, body: &RuleBody) -> Result<Rule, StoreError> {
        alerts::create_rule(&self.transport, body).await
    }

    async fn update_rule(&self, sid: &str, body: &RuleBody) -> Result<Rule, StoreError> {
        alerts::update_rule(&self.transport, sid, body).await
    }

    async fn delete_rule(&self, sid: &str) -> Result<(), StoreError> {
        alerts::delete_rule(&self.transport, sid).await
    }

    async fn fetch_config(&self, ttid: &str) -> Result<Option<NotificationConfig>, StoreError> {
        let account = self.account_sid().await?;
        alerts::fetch_config(&self.transport, account, ttid).await
    }

    async fn fetch_configs(
        &self,
        ttids: Vec<String>,
    ) -> Result<BTreeMap<String, NotificationConfig>, StoreError> {
        if ttids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let account = self.account_sid().await?;
        alerts::fetch_configs(&self.transport, account, ttids).await
    }

    async fn create_config(
        &self,
        destinations: &Destinations,
    ) -> Result<NotificationConfig, StoreError> {
        let account = self.account_sid().await?;
        alerts::create_config(&self.transport, account, destinations).await
    }

    async fn update_config(
        &self,
        ttid: &str,
        destinations: &Destinations,
    ) -> Result<NotificationConfig, StoreError> {
        let account = self.account_sid().await?;
        alerts::update_config(&self.transport, account, ttid, destinations).await
    }

    async fn delete_config(&self, ttid: &str) -> Result<(), StoreError> {
        let account = self.account_sid().await?;
        alerts::delete_config(&self.transport, account, ttid).await
    }

    async fn set_notifications_mode(&self, mode: &str) -> Result<(), StoreError> {
        self.configuration
            .set_notifications_mode(&self.transport, mode)
            .await
    }
}
