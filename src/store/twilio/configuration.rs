//! The Flex configuration: read once and shared (it also tells the account and the
//! TaskRouter workspace when the environment does not), and its `notifications.mode`
//! written back with every other property kept.

use std::sync::Mutex;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::transport::{ClientConfig, Kind, Scope, Transport};
use crate::common::lock::lock;
use crate::store::error::StoreError;

/// The account and workspace, from the environment or the Flex configuration.
#[derive(Debug, Clone)]
pub(super) struct Context {
    pub(super) account_sid: String,
    pub(super) workspace_sid: String,
}

/// One account's Flex configuration, as this client has read it.
#[derive(Debug, Default)]
pub(super) struct FlexConfiguration {
    context: OnceCell<Context>,
    /// The first read, shared by whoever needs it first.
    first: OnceCell<Value>,
    /// The latest read, for a read-modify-write without reading it again.
    latest: Mutex<Option<Value>>,
}

impl FlexConfiguration {
    async fn read(&self, transport: &Transport) -> Result<Value, StoreError> {
        let call = transport.call(
            "read the Flex configuration",
            Method::GET,
            transport.flex_url("/v1/Configuration"),
            Kind::Read,
            Scope::Object,
        );
        let configuration: Value = transport.send_json(&call).await?;
        *lock(&self.latest) = Some(configuration.clone());
        Ok(configuration)
    }

    /// The Flex configuration as of now; the first caller's read is shared with the context,
    /// so a snapshot and the configuration calls beside it read it once.
    pub(super) async fn current(&self, transport: &Transport) -> Result<Value, StoreError> {
        if self.first.initialized() {
            return self.read(transport).await;
        }
        self.shared(transport).await.cloned()
    }

    /// The first read of the Flex configuration, made once for whoever asks first.
    async fn shared(&self, transport: &Transport) -> Result<&Value, StoreError> {
        self.first.get_or_try_init(|| self.read(transport)).await
    }

    /// The account and workspace: from the environment, else from the configuration.
    pub(super) async fn context(&self, transport: &Transport) -> Result<&Context, StoreError> {
        self.context
            .get_or_try_init(|| async {
                let config = &transport.config;
                if let (Some(account_sid), Some(workspace_sid)) =
                    (&config.account_sid, &config.workspace_sid)
                {
                    return Ok(Context {
                        account_sid: account_sid.clone(),
                        workspace_sid: workspace_sid.clone(),
                    });
                }
                context_from(config, self.shared(transport).await?)
            })
            .await
    }

    /// Sets `notifications.mode`, keeping every other property of the configuration.
    pub(super) async fn set_notifications_mode(
        &self,
        transport: &Transport,
        mode: &str,
    ) -> Result<(), StoreError> {
        let latest = lock(&self.latest).clone();
        let configuration = match latest {
            Some(configuration) => configuration,
            None => self.read(transport).await?,
        };
        let context = self.context(transport).await?;
        let mut notifications = configuration
            .get("notifications")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if !notifications.is_object() {
            notifications = json!({});
        }
        notifications["mode"] = json!(mode);
        // JSON-typed properties are replaced wholesale: send the whole `notifications` object.
        let body = json!({ "account_sid": context.account_sid, "notifications": notifications });
        let call = transport
            .call(
                "set the Flex configuration's notifications.mode",
                Method::POST,
                transport.flex_url("/v1/Configuration"),
                Kind::Write,
                Scope::Object,
            )
            .with_body(&body);
        transport.send(&call).await.map(drop)
    }
}

fn context_from(config: &ClientConfig, configuration: &Value) -> Result<Context, StoreError> {
    let field = |key: &str| {
        configuration
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let missing = |key: &str| StoreError::Transport {
        what: "read the Flex configuration".to_owned(),
        detail: format!("it has no `{key}`"),
    };
    Ok(Context {
        account_sid: match &config.account_sid {
            Some(account) => account.clone(),
            None => field("account_sid").ok_or_else(|| missing("account_sid"))?,
        },
        workspace_sid: match &config.workspace_sid {
            Some(workspace) => workspace.clone(),
            None => field("taskrouter_workspace_sid")
                .ok_or_else(|| missing("taskrouter_workspace_sid"))?,
        },
    })
}
