//! The live alert store: one `Store` trait with three faces (the Twilio HTTP client, the same
//! client against another base URL such as the emulator, and the in-process local sandbox),
//! the `Live` snapshot they read, and the errors they report in user words.

pub mod capture;
pub mod directory;
pub mod error;
pub mod local;
pub mod open;
pub mod twilio;

use std::collections::BTreeMap;
use std::future::Future;

use crate::flex::wire::{Destinations, NotificationConfig, Rule, RuleBody};
pub use directory::Directory;
pub use error::StoreError;
pub use open::{AnyStore, StoreSpec};

/// Everything plan needs to know about the live instance, read at one moment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Live {
    /// Every alert rule, in the order the store lists them.
    pub rules: Vec<Rule>,
    /// The notification configuration of each rule that names one that exists, by TTID.
    pub configs: BTreeMap<String, NotificationConfig>,
    pub directory: Directory,
    /// The Flex configuration's `notifications.mode` (`always` / `whenNotInFocus`).
    pub notifications_mode: Option<String>,
    /// Notification configurations known to exist that no rule names (left by an interrupted
    /// apply). The API cannot list configurations, so only the sandbox and the apply journal
    /// can know them.
    pub orphan_configs: Vec<String>,
    /// Notification configuration creates whose answer never came (the apply journal's open
    /// attempts): each may have made a configuration no one knows the id of.
    pub possible_configs: usize,
}

/// A rules listing with each SID once, in the order first listed: Twilio's page-based lists
/// can repeat an item when something is created while they are read, and a sandbox or
/// Console stand-in may hold one rule twice. Without this, one alert would look like two and
/// a plan would delete the real one as a duplicate. Rules without a SID are all kept.
pub fn merge_by_sid(rules: Vec<Rule>) -> Vec<Rule> {
    let mut seen = std::collections::HashSet::new();
    rules
        .into_iter()
        .filter(|rule| rule.sid.is_none() || seen.insert(rule.sid().to_owned()))
        .collect()
}

/// Reads and writes of a Flex instance's alerts. Every method is one logical operation; the
/// implementation owns retries, so a caller sees success or a final error.
pub trait Store: Sync {
    /// Where the alerts live, in words for the first line of output.
    fn describe(&self) -> String;

    /// Why the store was given up on (it stopped answering), if it was: then every call
    /// fails at once, and apply starts no new step.
    fn unreachable(&self) -> Option<String> {
        None
    }

    /// How many requests it takes in flight now (it may adapt): apply starts no more steps.
    fn capacity(&self) -> usize {
        usize::MAX
    }

    /// Rules, their notification configurations, the directory and the notifications mode.
    fn snapshot(&self) -> impl Future<Output = Result<Live, StoreError>> + Send;

    /// Every rule, as listed now (no configurations, no directory).
    fn rules(&self) -> impl Future<Output = Result<Vec<Rule>, StoreError>> + Send;

    /// One rule, or `None` when it no longer exists.
    fn fetch_rule(
        &self,
        sid: &str,
    ) -> impl Future<Output = Result<Option<Rule>, StoreError>> + Send;

    fn create_rule(&self, body: &RuleBody)
    -> impl Future<Output = Result<Rule, StoreError>> + Send;

    fn update_rule(
        &self,
        sid: &str,
        body: &RuleBody,
    ) -> impl Future<Output = Result<Rule, StoreError>> + Send;

    fn delete_rule(&self, sid: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// One configuration, or `None` when it does not exist.
    fn fetch_config(
        &self,
        ttid: &str,
    ) -> impl Future<Output = Result<Option<NotificationConfig>, StoreError>> + Send;

    /// The configurations that exist among `ttids`, fetched concurrently.
    fn fetch_configs(
        &self,
        ttids: Vec<String>,
    ) -> impl Future<Output = Result<BTreeMap<String, NotificationConfig>, StoreError>> + Send;

    fn create_config(
        &self,
        destinations: &Destinations,
    ) -> impl Future<Output = Result<NotificationConfig, StoreError>> + Send;

    fn update_config(
        &self,
        ttid: &str,
        destinations: &Destinations,
    ) -> impl Future<Output = Result<NotificationConfig, StoreError>> + Send;

    fn delete_config(&self, ttid: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Sets the Flex configuration's `notifications.mode`, keeping every other property.
    fn set_notifications_mode(
        &self,
        mode: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
