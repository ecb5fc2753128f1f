//! The Twilio client: Flex Alerts (InsightsRules, NotificationConfigurations), Flex Users and
//! Configuration, TaskRouter TaskQueues and TaskChannels, over HTTPS with Basic auth.
//!
//! It owns the transport rules: an adaptive window of requests in flight (`limiter`), a
//! timeout per request, retries with backoff on 429, 5xx and connection errors (honouring
//! `Retry-After`, plus jitter), giving up on a store that stopped answering (`health`),
//! pagination by `meta.next_page_url` on the same host only, and the no-duplicate rule: a
//! create whose outcome is unknown is never simply sent again.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use futures::{StreamExt, TryStreamExt};
use reqwest::{Method, StatusCode, Url, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::error::StoreError;
use super::health::Health;
use super::limiter::Limiter;
use super::retry::{RetryPolicy, parse_retry_after};
use super::{Directory, Live, Store};
use crate::common::env::EnvLookup;
use crate::common::lock::lock;
use crate::common::secret::Secret;
use crate::common::tls::install_crypto_provider;
use crate::flex::sid::is_sid;
use crate::flex::urls::{TWILIO_FLEX_BASE, TWILIO_TASKROUTER_BASE};
use crate::flex::wire::{
    Destinations, ErrorBody, FlexUser, NotificationConfig, Rule, RuleBody, TaskChannel, TaskQueue,
};

/// The ceiling of the adaptive window (`--concurrency`).
pub const DEFAULT_CONCURRENCY: usize = 64;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
pub const DEFAULT_GIVE_UP_AFTER: Duration = Duration::from_secs(5);
const PAGE_SIZE: &str = "1000";
const MAX_PAGES: usize = 1000;

/// Where and as whom to connect.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub flex_base: Url,
    pub taskrouter_base: Url,
    /// API key SID (`SK...`) or account SID (`AC...`).
    pub username: String,
    pub password: Secret,
    /// Known when the credentials are an account SID; else read from the Flex configuration.
    pub account_sid: Option<String>,
    pub instance_sid: String,
    /// Else read from the Flex configuration.
    pub workspace_sid: Option<String>,
    pub concurrency: usize,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// The store is given up on when no request got any answer for this long (with several
    /// attempts failing in a row): connections refused, timed out or cut.
    pub give_up_after: Duration,
    /// Told about every attempt (`-v`): method, path, status, time. Never a body or a header.
    pub request_log: Option<RequestLog>,
}

/// Where `-v` sends a line per HTTP attempt.
#[derive(Clone)]
pub struct RequestLog(pub std::sync::Arc<dyn Fn(&str) + Send + Sync>);

impl RequestLog {
    fn line(&self, text: &str) {
        (self.0)(text)
    }
}

impl std::fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestLog")
    }
}

/// The environment variables that hold one account's credentials: `TWILIO_API_KEY`, ... by
/// default, or under a prefix for one environment of a project (`FLEX_PROD_TWILIO_API_KEY`,
/// `FLEX_PROD_INSTANCE_SID`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialNames {
    pub api_key: String,
    pub api_secret: String,
    pub account_sid: String,
    pub auth_token: String,
    pub instance_sid: String,
    pub workspace_sid: String,
}

impl Default for CredentialNames {
    fn default() -> Self {
        CredentialNames {
            api_key: "TWILIO_API_KEY".into(),
            api_secret: "TWILIO_API_SECRET".into(),
            account_sid: "TWILIO_ACCOUNT_SID".into(),
            auth_token: "TWILIO_AUTH_TOKEN".into(),
            instance_sid: "FLEX_INSTANCE_SID".into(),
            workspace_sid: "TWILIO_WORKSPACE_SID".into(),
        }
    }
}

impl CredentialNames {
    /// `PREFIX_TWILIO_API_KEY`, `PREFIX_TWILIO_API_SECRET`, `PREFIX_TWILIO_ACCOUNT_SID`,
    /// `PREFIX_TWILIO_AUTH_TOKEN`, `PREFIX_INSTANCE_SID`, `PREFIX_WORKSPACE_SID`.
    pub fn with_prefix(prefix: &str) -> Self {
        CredentialNames {
            api_key: format!("{prefix}_TWILIO_API_KEY"),
            api_secret: format!("{prefix}_TWILIO_API_SECRET"),
            account_sid: format!("{prefix}_TWILIO_ACCOUNT_SID"),
            auth_token: format!("{prefix}_TWILIO_AUTH_TOKEN"),
            instance_sid: format!("{prefix}_INSTANCE_SID"),
            workspace_sid: format!("{prefix}_WORKSPACE_SID"),
        }
    }
}

impl ClientConfig {
    /// From the environment; `base` replaces both Twilio hosts (e.g. the emulator's address).
    pub fn from_env(env: EnvLookup<'_>, base: Option<&Url>) -> Result<ClientConfig, StoreError> {
        ClientConfig::from_env_named(env, base, &CredentialNames::default())
    }

    /// `from_env`, with the credentials read from (and missing ones named as) `names`.
    pub fn from_env_named(
        env: EnvLookup<'_>,
        base: Option<&Url>,
        names: &CredentialNames,
    ) -> Result<ClientConfig, StoreError> {
        let setup = |message: String| StoreError::Setup {
            message,
            hint: match base {
                Some(_) => super::error::EMULATOR_HINT.to_owned(),
                None => {
                    "to try flex-alerts without Twilio, use --store local (an embedded sandbox)"
                        .to_owned()
                }
            },
        };
        let var = |name: &str| env(name).filter(|value| !value.trim().is_empty());
        // Every problem at once, so one round of setting variables is enough.
        let mut problems = Vec::new();
        let credentials = match (
            var(&names.api_key),
            var(&names.api_secret),
            var(&names.account_sid),
            var(&names.auth_token),
        ) {
            (Some(key), Some(secret), account, _) => Some((key, secret, account)),
            (Some(_), None, _, _) => {
                problems.push(format!(
                    "{} is set but {} is not",
                    names.api_key, names.api_secret
                ));
                None
            }
            (None, _, Some(account), Some(token)) => Some((account.clone(), token, Some(account))),
            (None, _, Some(_), None) => {
                problems.push(format!(
                    "{} is set but {} is not",
                    names.account_sid, names.auth_token
                ));
                None
            }
            _ => {
                problems.push(format!(
                    "no Twilio credentials: set {} and {}, or {} and {}",
                    names.api_key, names.api_secret, names.account_sid, names.auth_token
                ));
                None
            }
        };
        if let Some(account) = credentials
            .as_ref()
            .and_then(|(_, _, account)| account.as_deref())
            .filter(|account| !is_sid(account, "AC"))
        {
            problems.push(format!(
                "{} `{account}` is not an account SID (AC and 32 hex digits)",
                names.account_sid
            ));
        }
        let instance_sid = var(&names.instance_sid);
        match instance_sid.as_deref() {
            None => problems.push(format!(
                "{} is not set: it is the GO... SID on the Flex overview page in Console",
                names.instance_sid
            )),
            Some(instance) if !is_sid(instance, "GO") => problems.push(format!(
                "{} `{instance}` is not a Flex instance SID (GO and 32 hex digits)",
                names.instance_sid
            )),
            Some(_) => {}
        }
        let workspace_sid = var(&names.workspace_sid);
        if let Some(workspace) = workspace_sid
            .as_deref()
            .filter(|workspace| !is_sid(workspace, "WS"))
        {
            problems.push(format!(
                "{} `{workspace}` is not a workspace SID (WS and 32 hex digits)",
                names.workspace_sid
            ));
        }
        let (Some((username, password, account_sid)), Some(instance_sid), true) =
            (credentials, instance_sid, problems.is_empty())
        else {
            return Err(setup(problems.join("; ")));
        };
        let parse = |url: &str| Url::parse(url).expect("Twilio base URLs are valid");
        Ok(ClientConfig {
            flex_base: base.cloned().unwrap_or_else(|| parse(TWILIO_FLEX_BASE)),
            taskrouter_base: base
                .cloned()
                .unwrap_or_else(|| parse(TWILIO_TASKROUTER_BASE)),
            username,
            password: Secret::new(password),
            account_sid,
            instance_sid,
            workspace_sid,
            concurrency: DEFAULT_CONCURRENCY,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            give_up_after: DEFAULT_GIVE_UP_AFTER,
            request_log: None,
        })
    }
}

/// What a request may safely do on a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// GET: always safe.
    Read,
    /// Update: sends the whole object, so repeating it changes nothing.
    Write,
    /// DELETE: repeating it after an unknown outcome may find the object gone, which is fine.
    Delete,
    /// Create: repeating it could make a duplicate.
    Create,
}

/// Which 404 a call can meet, to word it for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Instance,
    Workspace,
    /// The object itself: the caller decides what a 404 means.
    Object,
}

#[derive(Debug)]
struct Call {
    what: String,
    method: Method,
    url: Url,
    body: Option<Value>,
    /// `I-Twilio-Auth-Account`, required on notification configuration calls.
    account_header: Option<String>,
    kind: Kind,
    scope: Scope,
}

/// The result of one attempt.
enum Attempt {
    Done {
        status: u16,
        body: bytes::Bytes,
    },
    Status {
        status: u16,
        body: bytes::Bytes,
        retry_after: Option<Duration>,
    },
    /// Failed before the request left (e.g. connection refused): safe to send again.
    Unsent(String),
    /// Sent, but no complete answer came back: it may or may not have been applied.
    Unanswered(String),
}

/// The account and workspace, from the environment or the Flex configuration.
#[derive(Debug, Clone)]
struct Context {
    account_sid: String,
    workspace_sid: String,
}

/// A Flex instance reached over HTTP(S).
#[derive(Debug)]
pub struct TwilioClient {
    http: reqwest::Client,
    config: ClientConfig,
    limiter: Limiter,
    context: OnceCell<Context>,
    /// The first read of the Flex configuration, shared by whoever needs it first.
    first_configuration: OnceCell<Value>,
    /// The latest read of it, for a read-modify-write without reading it again.
    latest_configuration: std::sync::Mutex<Option<Value>>,
    health: Health,
    /// Calls waiting to retry: they hold no place in the window.
    waiting: std::sync::atomic::AtomicUsize,
}

impl TwilioClient {
    pub fn new(config: ClientConfig) -> Result<TwilioClient, StoreError> {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("flex-alerts/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| StoreError::Setup {
                message: format!("cannot set up the HTTP client: {}", describe(&error)),
                hint: "this is a bug in flex-alerts; please report it".to_owned(),
            })?;
        Ok(TwilioClient {
            http,
            health: Health::new(config.give_up_after),
            limiter: Limiter::new(config.concurrency),
            config,
            context: OnceCell::new(),
            first_configuration: OnceCell::new(),
            latest_configuration: std::sync::Mutex::new(None),
            waiting: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    fn flex_url(&self, path: &str) -> Url {
        self.config.flex_base.join(path).expect("paths are valid")
    }

    fn rules_url(&self, sid: Option<&str>) -> Url {
        let instance = &self.config.instance_sid;
        match sid {
            Some(sid) => self.flex_url(&format!("/v1/Instances/{instance}/InsightsRules/{sid}")),
            None => self.flex_url(&format!("/v1/Instances/{instance}/InsightsRules")),
        }
    }

    fn configs_url(&self, ttid: Option<&str>) -> Url {
        let instance = &self.config.instance_sid;
        match ttid {
            Some(ttid) => self.flex_url(&format!(
                "/v1/Instances/{instance}/NotificationConfigurations/{ttid}"
            )),
            None => self.flex_url(&format!(
                "/v1/Instances/{instance}/NotificationConfigurations"
            )),
        }
    }

    /// A notification configuration call: they all carry the account in
    /// `I-Twilio-Auth-Account`.
    async fn config_call(
        &self,
        what: &str,
        method: Method,
        ttid: Option<&str>,
        kind: Kind,
    ) -> Result<Call, StoreError> {
        let scope = if ttid.is_some() {
            Scope::Object
        } else {
            Scope::Instance
        };
        let mut call = self.call(what, method, self.configs_url(ttid), kind, scope);
        call.account_header = Some(self.context().await?.account_sid.clone());
        Ok(call)
    }

    fn call(&self, what: &str, method: Method, url: Url, kind: Kind, scope: Scope) -> Call {
        Call {
            what: format!("{what} ({method} {})", without_query(&url)),
            method,
            url,
            body: None,
            account_header: None,
            kind,
            scope,
        }
    }

    /// Sends `call`, retrying what is safe to retry, and returns the body of a 2xx answer.
    ///
    /// Only 429 means "never processed" (Twilio says so); a create answered 500, 502, 503 or
    /// 504, or not answered at all, has an unknown outcome and is not sent again here.
    async fn send(&self, call: &Call) -> Result<bytes::Bytes, StoreError> {
        let started = Instant::now();
        let mut delays = self.config.retry.delays();
        let mut attempts = 0;
        let mut unsure = false;
        loop {
            self.health.check(&call.what)?;
            attempts += 1;
            let (retry_after, failure) = match self.attempt(call, attempts).await {
                Attempt::Done { body, .. } => return Ok(body),
                Attempt::Status { status: 404, .. } if unsure && call.kind == Kind::Delete => {
                    // An earlier attempt that got no answer did delete it.
                    return Ok(bytes::Bytes::new());
                }
                Attempt::Status {
                    status,
                    body,
                    retry_after,
                } => {
                    let error = self.status_error(call, status, &body);
                    match status {
                        // Never processed: safe to retry whatever the request.
                        429 => (retry_after, error),
                        500 | 502..=504 if call.kind == Kind::Create => {
                            return Err(StoreError::Unknown {
                                what: call.what.clone(),
                                detail: format!("Flex answered HTTP {status}"),
                            });
                        }
                        500 | 502..=504 => {
                            unsure = true;
                            (retry_after, error)
                        }
                        _ => return Err(error),
                    }
                }
                Attempt::Unsent(detail) => (None, self.transport_error(call, detail)),
                Attempt::Unanswered(detail) if call.kind == Kind::Create => {
                    return Err(StoreError::Unknown {
                        what: call.what.clone(),
                        detail: format!("no answer came back ({detail})"),
                    });
                }
                Attempt::Unanswered(detail) => {
                    unsure = true;
                    (None, self.transport_error(call, detail))
                }
            };
            let Some(backoff) = delays.next() else {
                return Err(gave_up(failure, attempts, started));
            };
            // Jitter on top of Retry-After too, so throttled requests do not retry together.
            let delay = retry_after.map_or(backoff, |wait| wait + backoff / 4);
            if started.elapsed() + delay > self.config.retry.max_total {
                return Err(gave_up(failure, attempts, started));
            }
            self.waiting
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.health.pause(delay).await;
            self.waiting
                .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// One try of `call`; `number` counts from 1, and `-v` marks the retries.
    async fn attempt(&self, call: &Call, number: usize) -> Attempt {
        let permit = self.limiter.acquire().await;
        let attempt = self.attempt_now(call).await;
        if let Some(log) = &self.config.request_log {
            let outcome = match &attempt {
                Attempt::Done { status, .. } | Attempt::Status { status, .. } => status.to_string(),
                Attempt::Unsent(detail) => format!("not sent ({detail})"),
                Attempt::Unanswered(detail) => format!("no answer ({detail})"),
            };
            let retry = if number > 1 {
                format!(" (retry {})", number - 1)
            } else {
                String::new()
            };
            log.line(&format!(
                "{} {} -> {outcome} in {} ms{retry}",
                call.method,
                path_and_query(&call.url),
                permit.started.elapsed().as_millis()
            ));
        }
        match &attempt {
            Attempt::Status {
                status: 429 | 503, ..
            } => {
                self.health.answered();
                self.limiter.overloaded(&permit);
            }
            Attempt::Done { .. } | Attempt::Status { .. } => {
                self.health.answered();
                self.limiter.succeeded();
            }
            Attempt::Unsent(_) | Attempt::Unanswered(_) => self.health.failed(permit.started),
        }
        attempt
    }

    async fn attempt_now(&self, call: &Call) -> Attempt {
        let mut request = self
            .http
            .request(call.method.clone(), call.url.clone())
            .basic_auth(&self.config.username, Some(self.config.password.expose()))
            .header(header::ACCEPT, "application/json");
        if let Some(account) = &call.account_header {
            request = request.header("I-Twilio-Auth-Account", account);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) if error.is_connect() => return Attempt::Unsent(describe(&error)),
            Err(error) => return Attempt::Unanswered(describe(&error)),
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        match response.bytes().await {
            Ok(body) if status.is_success() => Attempt::Done {
                status: status.as_u16(),
                body,
            },
            Ok(body) => Attempt::Status {
                status: status.as_u16(),
                body,
                retry_after,
            },
            Err(error) => Attempt::Unanswered(describe(&error)),
        }
    }

    fn status_error(&self, call: &Call, status: u16, body: &[u8]) -> StoreError {
        let what = call.what.clone();
        match (status, call.scope) {
            (401, _) => {
                return StoreError::Unauthorized {
                    what,
                    elsewhere: self.config.flex_base.as_str() != "https://flex-api.twilio.com/",
                };
            }
            (404, Scope::Instance) => {
                return StoreError::InstanceNotFound {
                    what,
                    instance: self.config.instance_sid.clone(),
                };
            }
            (404, Scope::Workspace) => {
                return StoreError::WorkspaceNotFound {
                    what,
                    workspace: self
                        .context
                        .get()
                        .map(|context| context.workspace_sid.clone())
                        .unwrap_or_default(),
                };
            }
            _ => {}
        }
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(error) => StoreError::Api {
                what,
                status,
                code: error.code,
                message: error.message,
                more_info: error.more_info,
            },
            Err(_) => StoreError::Api {
                what,
                status,
                code: None,
                message: StatusCode::from_u16(status)
                    .ok()
                    .and_then(|status| status.canonical_reason())
                    .unwrap_or_default()
                    .to_owned(),
                more_info: None,
            },
        }
    }

    fn transport_error(&self, call: &Call, detail: String) -> StoreError {
        StoreError::Transport {
            what: call.what.clone(),
            detail,
        }
    }

    async fn send_json<T: DeserializeOwned>(&self, call: &Call) -> Result<T, StoreError> {
        let body = self.send(call).await?;
        serde_json::from_slice(&body).map_err(|error| StoreError::Transport {
            what: call.what.clone(),
            detail: format!("the answer is not what the Flex API documents: {error}"),
        })
    }

    /// A 404 on the object itself means it does not exist.
    async fn fetch_optional<T: DeserializeOwned>(
        &self,
        call: &Call,
    ) -> Result<Option<T>, StoreError> {
        match self.send_json(call).await {
            Ok(value) => Ok(Some(value)),
            Err(StoreError::Api { status: 404, .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Every item of a list, page after page, following `meta.next_page_url` on the same host.
    async fn list_all<T: DeserializeOwned>(
        &self,
        what: &str,
        url: Url,
        key: &str,
        scope: Scope,
    ) -> Result<Vec<T>, StoreError> {
        let mut url = url;
        url.query_pairs_mut().append_pair("PageSize", PAGE_SIZE);
        let origin = url.origin();
        let mut items = Vec::new();
        let mut seen = Vec::new();
        for _ in 0..MAX_PAGES {
            let call = self.call(what, Method::GET, url.clone(), Kind::Read, scope);
            let mut page: Value = self.send_json(&call).await?;
            let malformed = |detail: &str| StoreError::Transport {
                what: call.what.clone(),
                detail: format!("the list answer is not what the Flex API documents: {detail}"),
            };
            let page_items = page
                .get_mut(key)
                .map(Value::take)
                .ok_or_else(|| malformed(&format!("no `{key}` array")))?;
            let page_items: Vec<T> = serde_json::from_value(page_items)
                .map_err(|error| malformed(&error.to_string()))?;
            items.extend(page_items);
            seen.push(url.to_string());
            let next = match page.pointer("/meta/next_page_url") {
                Some(Value::String(next)) => next.clone(),
                Some(Value::Null) | None => return Ok(items),
                Some(_) => return Err(malformed("`meta.next_page_url` is not a string")),
            };
            url = url
                .join(&next)
                .map_err(|error| malformed(&format!("bad `next_page_url`: {error}")))?;
            if url.origin() != origin {
                return Err(malformed(
                    "`next_page_url` points at another host; it was not followed",
                ));
            }
            if seen.contains(&url.to_string()) {
                return Err(malformed("`next_page_url` repeats an earlier page"));
            }
        }
        Err(StoreError::Transport {
            what: what.to_owned(),
            detail: format!("more than {MAX_PAGES} pages; stopped"),
        })
    }

    async fn configuration(&self) -> Result<Value, StoreError> {
        let call = self.call(
            "read the Flex configuration",
            Method::GET,
            self.flex_url("/v1/Configuration"),
            Kind::Read,
            Scope::Object,
        );
        let configuration: Value = self.send_json(&call).await?;
        *lock(&self.latest_configuration) = Some(configuration.clone());
        Ok(configuration)
    }

    /// The Flex configuration as of now; the first caller's read is shared with the context,
    /// so a snapshot and the configuration calls beside it read it once.
    async fn current_configuration(&self) -> Result<Value, StoreError> {
        if self.first_configuration.initialized() {
            return self.configuration().await;
        }
        self.shared_configuration().await.cloned()
    }

    /// The first read of the Flex configuration, made once for whoever asks first.
    async fn shared_configuration(&self) -> Result<&Value, StoreError> {
        self.first_configuration
            .get_or_try_init(|| self.configuration())
            .await
    }

    /// A URL in the workspace: `path` after `/v1/Workspaces/{sid}/`, with `query`.
    async fn workspace_url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, StoreError> {
        let workspace = &self.context().await?.workspace_sid;
        let mut url = self
            .config
            .taskrouter_base
            .join(&format!("/v1/Workspaces/{workspace}/{path}"))
            .expect("paths are valid");
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// `GET` of one TaskRouter workspace resource (statistics, for `record`), with retries.
    pub async fn workspace_get(
        &self,
        what: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Value, StoreError> {
        let url = self.workspace_url(path, query).await?;
        let call = self.call(what, Method::GET, url, Kind::Read, Scope::Workspace);
        self.send_json(&call).await
    }

    /// Every item of a TaskRouter workspace list (`key` holds a page's items).
    pub async fn workspace_list<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        key: &str,
    ) -> Result<Vec<T>, StoreError> {
        let url = self.workspace_url(path, &[]).await?;
        self.list_all(what, url, key, Scope::Workspace).await
    }

    async fn context(&self) -> Result<&Context, StoreError> {
        self.context
            .get_or_try_init(|| async {
                if let (Some(account_sid), Some(workspace_sid)) =
                    (&self.config.account_sid, &self.config.workspace_sid)
                {
                    return Ok(Context {
                        account_sid: account_sid.clone(),
                        workspace_sid: workspace_sid.clone(),
                    });
                }
                self.context_from(self.shared_configuration().await?)
            })
            .await
    }

    fn context_from(&self, configuration: &Value) -> Result<Context, StoreError> {
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
            account_sid: match &self.config.account_sid {
                Some(account) => account.clone(),
                None => field("account_sid").ok_or_else(|| missing("account_sid"))?,
            },
            workspace_sid: match &self.config.workspace_sid {
                Some(workspace) => workspace.clone(),
                None => field("taskrouter_workspace_sid")
                    .ok_or_else(|| missing("taskrouter_workspace_sid"))?,
            },
        })
    }

    /// Every rule, each read as leniently as the documentation allows, so one rule of an
    /// unexpected shape never hides the others.
    async fn list_rules(&self) -> Result<Vec<Rule>, StoreError> {
        let items: Vec<Value> = self
            .list_all(
                "list alert rules",
                self.rules_url(None),
                "rules",
                Scope::Instance,
            )
            .await?;
        Ok(items.into_iter().map(Rule::from_listed).collect())
    }

    fn with_body(mut call: Call, body: &impl Serialize) -> Call {
        call.body = Some(serde_json::to_value(body).expect("wire types serialize"));
        call
    }

    /// The rule a create whose answer was lost would have made, if Flex has it.
    async fn find_created(&self, body: &RuleBody) -> Result<Option<Rule>, StoreError> {
        let rules = self.list_rules().await?;
        Ok(rules.into_iter().rev().find(|rule| {
            rule.name() == body.rule_friendly_name
                && rule.metric_id.as_deref() == Some(body.metric_id.as_str())
        }))
    }
}

impl Store for TwilioClient {
    fn unreachable(&self) -> Option<String> {
        self.health.gone()
    }

    fn describe(&self) -> String {
        let host = self.config.flex_base.host_str().unwrap_or_default();
        format!("Flex instance {} at {host}", self.config.instance_sid)
    }

    /// Reads what plan needs, each read starting as soon as what it needs has arrived: the
    /// configurations right after the rules list, the queues and channels right after the
    /// workspace is known, the users at once.
    async fn snapshot(&self) -> Result<Live, StoreError> {
        let users_url = self.flex_url(&format!("/v1/Instances/{}/Users", self.config.instance_sid));
        let rules_and_configs = async {
            let rules = self.list_rules().await?;
            let ttids = rules
                .iter()
                .filter_map(|rule| rule.notify_methods_id.clone())
                .collect();
            let configs = self.fetch_configs(ttids).await?;
            Ok::<_, StoreError>((rules, configs))
        };
        let configuration_and_directory = async {
            let (configuration, context) =
                futures::try_join!(self.current_configuration(), self.context())?;
            let workspace = self
                .config
                .taskrouter_base
                .join(&format!("/v1/Workspaces/{}/", context.workspace_sid))
                .expect("paths are valid");
            let (queues, channels) = futures::try_join!(
                self.list_all::<TaskQueue>(
                    "list task queues",
                    workspace.join("TaskQueues").expect("valid"),
                    "task_queues",
                    Scope::Workspace
                ),
                self.list_all::<TaskChannel>(
                    "list task channels",
                    workspace.join("TaskChannels").expect("valid"),
                    "channels",
                    Scope::Workspace
                ),
            )?;
            Ok::<_, StoreError>((configuration, queues, channels))
        };
        let ((rules, configs), (configuration, queues, channels), users) = futures::try_join!(
            rules_and_configs,
            configuration_and_directory,
            self.list_all::<FlexUser>("list Flex users", users_url, "users", Scope::Instance),
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

    async fn fetch_configs(
        &self,
        ttids: Vec<String>,
    ) -> Result<BTreeMap<String, NotificationConfig>, StoreError> {
        let configs: Vec<Option<NotificationConfig>> = futures::stream::iter(ttids)
            .map(|ttid| async move { self.fetch_config(&ttid).await })
            .buffer_unordered(self.config.concurrency.max(1))
            .try_collect()
            .await?;
        Ok(configs
            .into_iter()
            .flatten()
            .map(|config| (config.ttid.clone(), config))
            .collect())
    }

    /// The window, plus the calls waiting to retry (a step in a backoff must not keep the
    /// others from starting).
    fn capacity(&self) -> usize {
        self.limiter.limit() + self.waiting.load(std::sync::atomic::Ordering::SeqCst)
    }

    async fn rules(&self) -> Result<Vec<Rule>, StoreError> {
        self.list_rules().await
    }

    async fn fetch_rule(&self, sid: &str) -> Result<Option<Rule>, StoreError> {
        let call = self.call(
            &format!("read alert rule {sid}"),
            Method::GET,
            self.rules_url(Some(sid)),
            Kind::Read,
            Scope::Object,
        );
        self.fetch_optional(&call).await
    }

    async fn create_rule(&self, body: &RuleBody) -> Result<Rule, StoreError> {
        let what = format!("create alert rule `{}`", body.rule_friendly_name);
        let call = TwilioClient::with_body(
            self.call(
                &what,
                Method::POST,
                self.rules_url(None),
                Kind::Create,
                Scope::Instance,
            ),
            body,
        );
        let mut delays = self.config.retry.delays();
        loop {
            match self.send_json(&call).await {
                Err(StoreError::Unknown { detail, .. }) => {
                    // Look before sending again: the lost answer may have been a success.
                    if let Some(rule) = self.find_created(body).await? {
                        return Ok(rule);
                    }
                    match delays.next() {
                        Some(delay) => self.health.pause(delay).await,
                        None => {
                            return Err(StoreError::Transport {
                                what: call.what.clone(),
                                detail: format!(
                                    "no answer after several attempts ({detail}), and Flex has no such rule"
                                ),
                            });
                        }
                    }
                }
                result => return result,
            }
        }
    }

    async fn update_rule(&self, sid: &str, body: &RuleBody) -> Result<Rule, StoreError> {
        let what = format!("update alert rule `{}` ({sid})", body.rule_friendly_name);
        let call = TwilioClient::with_body(
            self.call(
                &what,
                Method::POST,
                self.rules_url(Some(sid)),
                Kind::Write,
                Scope::Object,
            ),
            body,
        );
        self.send_json(&call).await
    }

    async fn delete_rule(&self, sid: &str) -> Result<(), StoreError> {
        let call = self.call(
            &format!("delete alert rule {sid}"),
            Method::DELETE,
            self.rules_url(Some(sid)),
            Kind::Delete,
            Scope::Object,
        );
        self.send(&call).await.map(drop)
    }

    async fn fetch_config(&self, ttid: &str) -> Result<Option<NotificationConfig>, StoreError> {
        let what = format!("read notification configuration {ttid}");
        let call = self
            .config_call(&what, Method::GET, Some(ttid), Kind::Read)
            .await?;
        self.fetch_optional(&call).await
    }

    async fn create_config(
        &self,
        destinations: &Destinations,
    ) -> Result<NotificationConfig, StoreError> {
        let what = "create a notification configuration";
        let call = self
            .config_call(what, Method::POST, None, Kind::Create)
            .await?;
        let call = TwilioClient::with_body(call, &json!({ "destinations": destinations }));
        self.send_json(&call).await
    }

    async fn update_config(
        &self,
        ttid: &str,
        destinations: &Destinations,
    ) -> Result<NotificationConfig, StoreError> {
        let what = format!("update notification configuration {ttid}");
        let call = self
            .config_call(&what, Method::POST, Some(ttid), Kind::Write)
            .await?;
        let call = TwilioClient::with_body(call, &json!({ "destinations": destinations }));
        self.send_json(&call).await
    }

    async fn delete_config(&self, ttid: &str) -> Result<(), StoreError> {
        let what = format!("delete notification configuration {ttid}");
        let call = self
            .config_call(&what, Method::DELETE, Some(ttid), Kind::Delete)
            .await?;
        self.send(&call).await.map(drop)
    }

    async fn set_notifications_mode(&self, mode: &str) -> Result<(), StoreError> {
        let latest = lock(&self.latest_configuration).clone();
        let configuration = match latest {
            Some(configuration) => configuration,
            None => self.configuration().await?,
        };
        let context = self.context().await?;
        let mut notifications = configuration
            .get("notifications")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if !notifications.is_object() {
            notifications = json!({});
        }
        notifications["mode"] = json!(mode);
        let call = self.call(
            "set the Flex configuration's notifications.mode",
            Method::POST,
            self.flex_url("/v1/Configuration"),
            Kind::Write,
            Scope::Object,
        );
        // JSON-typed properties are replaced wholesale: send the whole `notifications` object.
        let body = json!({ "account_sid": context.account_sid, "notifications": notifications });
        self.send(&TwilioClient::with_body(call, &body))
            .await
            .map(drop)
    }
}

/// The path and query of `url`, without the host: what `-v` shows of a request.
fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

fn without_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}

/// A transport error and its causes, without the URL (the operation names it already).
fn describe(error: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    if error.is_timeout() {
        parts.push("timed out".to_owned());
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    if parts.is_empty() {
        parts.push(error.to_string());
    }
    parts.join(": ")
}

fn gave_up(mut failure: StoreError, attempts: usize, started: Instant) -> StoreError {
    if let StoreError::Api { what, .. } | StoreError::Transport { what, .. } = &mut failure {
        what.push_str(&format!(
            " (gave up after {attempts} attempts in {:.1}s)",
            started.elapsed().as_secs_f64()
        ));
    }
    failure
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<ClientConfig, String> {
        let env = |name: &str| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        };
        ClientConfig::from_env(&env, None).map_err(|error| error.to_string())
    }

    const ACCOUNT: &str = "AC00000000000000000000000000000001";
    const INSTANCE: &str = "GO00000000000000000000000000000001";

    #[test]
    fn every_missing_or_malformed_variable_is_named_at_once() {
        let error = config(&[("TWILIO_WORKSPACE_SID", "WS1")]).unwrap_err();
        for expected in [
            "no Twilio credentials",
            "FLEX_INSTANCE_SID is not set",
            "TWILIO_WORKSPACE_SID `WS1` is not a workspace SID",
        ] {
            assert!(error.contains(expected), "{expected}: {error}");
        }
    }

    #[test]
    fn api_key_or_account_credentials_and_an_instance_are_required() {
        let error = config(&[("FLEX_INSTANCE_SID", INSTANCE)]).unwrap_err();
        assert!(error.contains("set TWILIO_API_KEY and TWILIO_API_SECRET, or TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"), "{error}");
        let error =
            config(&[("TWILIO_API_KEY", "SK1"), ("FLEX_INSTANCE_SID", INSTANCE)]).unwrap_err();
        assert!(error.contains("TWILIO_API_SECRET is not"), "{error}");
        let error =
            config(&[("TWILIO_ACCOUNT_SID", ACCOUNT), ("TWILIO_AUTH_TOKEN", "t")]).unwrap_err();
        assert!(error.contains("FLEX_INSTANCE_SID is not set"), "{error}");
        let error = config(&[
            ("TWILIO_ACCOUNT_SID", ACCOUNT),
            ("TWILIO_AUTH_TOKEN", "t"),
            ("FLEX_INSTANCE_SID", "GO1"),
        ])
        .unwrap_err();
        assert!(
            error.contains("`GO1` is not a Flex instance SID"),
            "{error}"
        );

        let key = config(&[
            ("TWILIO_API_KEY", "SK1"),
            ("TWILIO_API_SECRET", "s3cret"),
            ("FLEX_INSTANCE_SID", INSTANCE),
        ])
        .unwrap();
        assert_eq!(
            (
                key.username.as_str(),
                key.password.expose(),
                key.account_sid
            ),
            ("SK1", "s3cret", None)
        );
        assert_eq!(key.flex_base.as_str(), "https://flex-api.twilio.com/");
        let account = config(&[
            ("TWILIO_ACCOUNT_SID", ACCOUNT),
            ("TWILIO_AUTH_TOKEN", "t"),
            ("FLEX_INSTANCE_SID", INSTANCE),
        ])
        .unwrap();
        assert_eq!(account.account_sid.as_deref(), Some(ACCOUNT));
        assert!(
            !format!("{account:?}").contains("\"t\""),
            "the secret does not show in Debug"
        );
    }
}
