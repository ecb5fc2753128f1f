//! The one way the client talks HTTP: Basic auth, the adaptive window of requests in flight
//! (`limiter`), a timeout per request, retries with backoff on 429, 5xx and connection errors
//! (honouring `Retry-After`, plus jitter), giving up on a store that stopped answering
//! (`health`), pagination by `meta.next_page_url` on the same host only, and the no-duplicate
//! rule: a create whose outcome is unknown is never simply sent again.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::{Method, StatusCode, Url, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::health::Health;
use super::limiter::Limiter;
use super::retry::{RetryPolicy, parse_retry_after};
use crate::common::secret::Secret;
use crate::common::tls::install_crypto_provider;
use crate::flex::urls::TWILIO_FLEX_BASE;
use crate::flex::wire::ErrorBody;
use crate::store::error::StoreError;

/// The ceiling of the adaptive window (`--concurrency`).
pub const DEFAULT_CONCURRENCY: usize = 64;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
pub const DEFAULT_GIVE_UP_AFTER: Duration = Duration::from_secs(5);

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
    /// `--capture`: every attempt with its bodies, redacted when written.
    pub capture: Option<crate::store::capture::Capture>,
}

const PAGE_SIZE: &str = "1000";
const MAX_PAGES: usize = 1000;

/// Where `-v` sends a line per HTTP attempt.
#[derive(Clone)]
pub struct RequestLog(pub std::sync::Arc<dyn Fn(&str) + Send + Sync>);

impl RequestLog {
    pub(super) fn line(&self, text: &str) {
        (self.0)(text)
    }
}

impl std::fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestLog")
    }
}

/// What a request may safely do on a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Scope {
    Instance,
    /// A resource of this TaskRouter workspace.
    Workspace(String),
    /// The object itself: the caller decides what a 404 means.
    Object,
}

#[derive(Debug)]
pub(super) struct Call {
    pub(super) what: String,
    method: Method,
    url: Url,
    body: Option<Value>,
    /// `I-Twilio-Auth-Account`, required on notification configuration calls.
    pub(super) account_header: Option<String>,
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

/// What answers said about the server, for `doctor`: its clock and its limits.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The last `Date` header, and this machine's clock when it came.
    pub server_date: Option<(SystemTime, SystemTime)>,
    /// Rate-limit and concurrency headers (`X-Rate-Limit-*`, `Twilio-Concurrent-Requests`),
    /// by name, as last seen.
    pub limit_headers: std::collections::BTreeMap<String, String>,
}

/// The connection to one Flex account: every request the client makes goes through here.
#[derive(Debug)]
pub(super) struct Transport {
    http: reqwest::Client,
    pub(super) config: ClientConfig,
    limiter: Limiter,
    health: Health,
    /// Calls waiting to retry: they hold no place in the window.
    waiting: AtomicUsize,
    pub(super) observed: std::sync::Mutex<Observed>,
}

impl Transport {
    pub(super) fn new(config: ClientConfig) -> Result<Transport, StoreError> {
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
        Ok(Transport {
            http,
            health: Health::new(config.give_up_after),
            limiter: Limiter::new(config.concurrency),
            config,
            waiting: AtomicUsize::new(0),
            observed: std::sync::Mutex::new(Observed::default()),
        })
    }

    /// Why the store was given up on, if it was.
    pub(super) fn unreachable(&self) -> Option<String> {
        self.health.gone()
    }

    /// The window, plus the calls waiting to retry (a step in a backoff must not keep the
    /// others from starting).
    pub(super) fn capacity(&self) -> usize {
        self.limiter.limit() + self.waiting.load(Ordering::SeqCst)
    }

    /// Waits `delay`, cut short when the store is given up on.
    pub(super) async fn pause(&self, delay: Duration) {
        self.health.pause(delay).await
    }

    pub(super) fn flex_url(&self, path: &str) -> Url {
        self.config.flex_base.join(path).expect("paths are valid")
    }

    /// A URL in TaskRouter workspace `workspace_sid`: `path` after `/v1/Workspaces/{sid}/`.
    pub(super) fn workspace_url(&self, workspace_sid: &str, path: &str) -> Url {
        self.config
            .taskrouter_base
            .join(&format!("/v1/Workspaces/{workspace_sid}/{path}"))
            .expect("paths are valid")
    }

    pub(super) fn call(
        &self,
        what: &str,
        method: Method,
        url: Url,
        kind: Kind,
        scope: Scope,
    ) -> Call {
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
    pub(super) async fn send(&self, call: &Call) -> Result<bytes::Bytes, StoreError> {
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
                // No attempt left: unless an earlier one may have been applied, nothing was.
                Attempt::Unsent(detail) if !unsure => (
                    None,
                    StoreError::Unsent {
                        what: call.what.clone(),
                        detail,
                    },
                ),
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
            self.waiting.fetch_add(1, Ordering::SeqCst);
            self.health.pause(delay).await;
            self.waiting.fetch_sub(1, Ordering::SeqCst);
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
        let Some(capture) = &self.config.capture else {
            return self.send_once(call).await;
        };
        let (started, clock) = (SystemTime::now(), Instant::now());
        let (attempt, headers) = self.send_once_seen(call, true).await;
        let (status, body, error) = match &attempt {
            Attempt::Done { status, body } | Attempt::Status { status, body, .. } => (
                *status,
                Some(String::from_utf8_lossy(body).into_owned()),
                None,
            ),
            Attempt::Unsent(detail) => (0, None, Some(format!("not sent: {detail}"))),
            Attempt::Unanswered(detail) => (0, None, Some(format!("no answer: {detail}"))),
        };
        capture.record(crate::store::capture::Exchange {
            started,
            millis: clock.elapsed().as_secs_f64() * 1000.0,
            method: call.method.to_string(),
            url: call.url.to_string(),
            request_body: call.body.as_ref().map(Value::to_string),
            status,
            response_headers: headers,
            response_body: body,
            error,
        });
        attempt
    }

    async fn send_once(&self, call: &Call) -> Attempt {
        self.send_once_seen(call, false).await.0
    }

    /// One request, and with `keep_headers` (a capture) the answer's headers.
    async fn send_once_seen(
        &self,
        call: &Call,
        keep_headers: bool,
    ) -> (Attempt, Vec<(String, String)>) {
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
            Err(error) if error.is_connect() => {
                return (Attempt::Unsent(describe(&error)), Vec::new());
            }
            Err(error) => return (Attempt::Unanswered(describe(&error)), Vec::new()),
        };
        self.observe(response.headers());
        let seen: Vec<(String, String)> = if keep_headers {
            response
                .headers()
                .iter()
                .filter(|(name, _)| *name != header::SET_COOKIE)
                .filter_map(|(name, value)| {
                    Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
                })
                .collect()
        } else {
            Vec::new()
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        let attempt = match response.bytes().await {
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
        };
        (attempt, seen)
    }

    fn observe(&self, headers: &header::HeaderMap) {
        let mut observed = crate::common::lock::lock(&self.observed);
        if let Some(date) = headers
            .get(header::DATE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| httpdate::parse_http_date(value).ok())
        {
            observed.server_date = Some((date, SystemTime::now()));
        }
        for (name, value) in headers {
            let name = name.as_str();
            if (name.starts_with("x-rate-limit") || name.ends_with("concurrent-requests"))
                && let Ok(value) = value.to_str()
            {
                observed
                    .limit_headers
                    .insert(name.to_owned(), value.to_owned());
            }
        }
    }

    fn status_error(&self, call: &Call, status: u16, body: &[u8]) -> StoreError {
        let what = call.what.clone();
        match (status, &call.scope) {
            (401, _) => {
                return StoreError::Unauthorized {
                    what,
                    elsewhere: self.config.flex_base.as_str().trim_end_matches('/')
                        != TWILIO_FLEX_BASE,
                };
            }
            (404, Scope::Instance) => {
                return StoreError::InstanceNotFound {
                    what,
                    instance: self.config.instance_sid.clone(),
                };
            }
            (404, Scope::Workspace(workspace)) => {
                return StoreError::WorkspaceNotFound {
                    what,
                    workspace: workspace.clone(),
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

    pub(super) async fn send_json<T: DeserializeOwned>(
        &self,
        call: &Call,
    ) -> Result<T, StoreError> {
        let body = self.send(call).await?;
        serde_json::from_slice(&body).map_err(|error| StoreError::Transport {
            what: call.what.clone(),
            detail: format!("the answer is not what the Flex API documents: {error}"),
        })
    }

    /// A 404 on the object itself means it does not exist.
    pub(super) async fn fetch_optional<T: DeserializeOwned>(
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
    pub(super) async fn list_all<T: DeserializeOwned>(
        &self,
        what: &str,
        url: Url,
        key: &str,
        scope: Scope,
    ) -> Result<Vec<T>, StoreError> {
        Ok(self.list_pages(what, url, key, scope).await?.0)
    }

    /// `list_all`, and how many pages the list took.
    pub(super) async fn list_pages<T: DeserializeOwned>(
        &self,
        what: &str,
        url: Url,
        key: &str,
        scope: Scope,
    ) -> Result<(Vec<T>, usize), StoreError> {
        let mut url = url;
        url.query_pairs_mut().append_pair("PageSize", PAGE_SIZE);
        let origin = url.origin();
        let mut items = Vec::new();
        let mut seen = Vec::new();
        for _ in 0..MAX_PAGES {
            let call = self.call(what, Method::GET, url.clone(), Kind::Read, scope.clone());
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
                Some(Value::Null) | None => return Ok((items, seen.len())),
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
}

impl Call {
    /// The call with `body` as its JSON body.
    pub(super) fn with_body(mut self, body: &impl Serialize) -> Call {
        self.body = Some(serde_json::to_value(body).expect("wire types serialize"));
        self
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
    if let StoreError::Api { what, .. }
    | StoreError::Transport { what, .. }
    | StoreError::Unsent { what, .. } = &mut failure
    {
        what.push_str(&format!(
            " (gave up after {attempts} attempts in {:.1}s)",
            started.elapsed().as_secs_f64()
        ));
    }
    failure
}
