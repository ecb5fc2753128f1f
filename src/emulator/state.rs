//! What an emulated instance holds (the state file, the sandbox file and `/__admin/state` are
//! this, as JSON), and the state a seed starts it with. Data only: the engine changes it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::ids::mint_sid;
use super::seed::Seed;
use crate::common::time::format_unix_ms;
use crate::flex::wire::{FlexUser, NotificationConfig, Rule, TaskChannel, TaskQueue};

/// The version of the state file's format.
pub const FORMAT_VERSION: u32 = 1;

/// Everything an emulated instance holds; what the state file and `/__admin/state` contain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub format_version: u32,
    pub account_sid: String,
    pub auth_token: String,
    /// API key SID -> secret.
    #[serde(default)]
    pub api_keys: BTreeMap<String, String>,
    pub instance_sid: String,
    pub workspace_sid: String,
    pub queues: Vec<TaskQueue>,
    pub channels: Vec<TaskChannel>,
    pub users: Vec<FlexUser>,
    /// The Flex configuration resource, `notifications.mode` included.
    pub configuration: Value,
    /// In creation order.
    pub rules: Vec<Rule>,
    /// In creation order.
    pub notification_configs: Vec<NotificationConfig>,
    /// How many SIDs and TTIDs were minted; the next one is derived from it.
    pub minted: u64,
}

impl State {
    pub fn from_seed(seed: &Seed, now_ms: u64) -> State {
        let now = format_unix_ms(now_ms);
        State {
            format_version: FORMAT_VERSION,
            account_sid: seed.account_sid.clone(),
            auth_token: seed.auth_token.clone(),
            api_keys: seed
                .api_keys
                .iter()
                .map(|key| (key.sid.clone(), key.secret.clone()))
                .collect(),
            instance_sid: seed.instance_sid.clone(),
            workspace_sid: seed.workspace_sid.clone(),
            queues: seed
                .queues
                .iter()
                .map(|queue| TaskQueue {
                    sid: queue.sid.clone(),
                    friendly_name: Some(queue.name.clone()),
                })
                .collect(),
            channels: seed
                .channels
                .iter()
                .map(|channel| TaskChannel {
                    sid: channel.sid.clone(),
                    unique_name: Some(channel.unique_name.clone()),
                    friendly_name: Some(channel.friendly_name.clone()),
                })
                .collect(),
            users: seed
                .users
                .iter()
                .map(|user| FlexUser {
                    flex_user_sid: user.sid.clone(),
                    username: user.username.clone(),
                    email: Some(user.email.clone()),
                    full_name: Some(user.full_name.clone()),
                    roles: user.roles.clone(),
                    deactivated: false,
                })
                .collect(),
            configuration: json!({
                "account_sid": seed.account_sid,
                "flex_instance_sid": seed.instance_sid,
                "flex_service_instance_sid": mint_sid("IS", &seed.instance_sid, 0),
                "taskrouter_workspace_sid": seed.workspace_sid,
                "status": "ok",
                "ui_version": "2.13.0",
                "notifications": { "enabled": true, "mode": seed.notifications_mode },
                "ui_attributes": { "theme": { "isLight": true } },
                "date_created": now,
                "date_updated": now,
            }),
            rules: Vec::new(),
            notification_configs: Vec::new(),
            minted: 0,
        }
    }

    pub(super) fn mint(&mut self) -> u64 {
        self.minted += 1;
        self.minted
    }
}
