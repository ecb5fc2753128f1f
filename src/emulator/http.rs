//! The emulator's HTTP face: Twilio's flex-api and taskrouter routes on one port around the
//! shared engine, Basic auth, a request body limit, fault injection, a request log, and the
//! admin routes tests use (`/__admin/state`, `/__admin/faults`, `/__admin/requests`).
//!
//! Routing and encoding only; what a request does is the engine's business.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::api_error::{ApiError, INTERNAL, TOO_MANY_REQUESTS, UNAVAILABLE, VALIDATION};
use super::engine::{ConsoleObjects, Engine};
use super::faults::{Decision, FaultState, Faults};
use super::fire::{self, Firer};
use super::listing::parse_query;
use crate::common::lock::lock;

/// Requests larger than this are refused with 413 unless the emulator is told otherwise.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
const ACCOUNT_HEADER: &str = "i-twilio-auth-account";

/// One request as the emulator saw it, for tests to count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    /// The status answered; `None` when the connection was dropped.
    pub status: Option<u16>,
    /// The injected fault, if any.
    pub fault: Option<String>,
}

/// What every request handler shares.
#[derive(Debug)]
pub struct Shared {
    engine: Mutex<Engine>,
    faults: Mutex<FaultState>,
    in_flight: AtomicUsize,
    /// Requests held by a `hold` fault so far.
    held: AtomicUsize,
    log: Mutex<Vec<LoggedRequest>>,
    max_body_bytes: usize,
    /// The admin routes answer only with the instance's credentials (when not on loopback).
    admin_needs_auth: bool,
    /// What decides which notifications the live rules send (see `fire`); none: nothing fires.
    firer: Mutex<Option<Arc<dyn Firer>>>,
    /// The address the engine writes into URLs (`http://LISTEN-ADDRESS`); answers name the
    /// host the client asked for instead (its `Host` header).
    base_url: String,
    /// `--replay`: captured answers, given before the engine is asked.
    replay: Mutex<Option<Arc<super::capture::Replay>>>,
}

impl Shared {
    pub fn new(engine: Engine, faults: Faults, fault_seed: u64, max_body_bytes: usize) -> Self {
        Shared {
            engine: Mutex::new(engine),
            faults: Mutex::new(FaultState::new(faults, fault_seed)),
            in_flight: AtomicUsize::new(0),
            held: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
            max_body_bytes,
            admin_needs_auth: false,
            firer: Mutex::new(None),
            base_url: String::new(),
            replay: Mutex::new(None),
        }
    }

    /// Fires with `firer` from now on: the rule engine and the metric values it evaluates.
    pub fn set_firer(&self, firer: Arc<dyn Firer>) {
        *lock(&self.firer) = Some(firer);
    }

    /// The engine's clock, in Unix seconds.
    fn now(&self) -> i64 {
        i64::try_from(lock(&self.engine).now_ms() / 1000).unwrap_or(0)
    }

    /// Evaluates the live rules over `window` (Unix seconds; default: the firer's, the whole
    /// history or the last hour of the synthetic day) and POSTs every notification to its
    /// webhooks.
    pub async fn fire(&self, window: Option<(i64, i64)>) -> Result<fire::Report, ApiError> {
        let Some(firer) = lock(&self.firer).clone() else {
            return Ok(fire::Report {
                failed: vec![
                    "this emulator was started without a rule engine, so nothing fires".to_owned(),
                ],
                ..fire::Report::default()
            });
        };
        let window = window.unwrap_or_else(|| firer.default_window(self.now()));
        let span = window.1.saturating_sub(window.0);
        if let Some(longest) = firer.longest_window().filter(|longest| span > *longest) {
            return Err(ApiError::invalid(format!(
                "`from` to `to` spans {} days; the synthetic day is evaluated over at most {} days at once",
                span / 86_400,
                longest / 86_400
            )));
        }
        Ok(self.fire_since(window, i64::MIN).await)
    }

    /// Every `every`, the live rules evaluated on the last hour of the metrics (so `after`
    /// delays carry over) at the engine's clock, and the notifications new since the last
    /// round sent; `report` hears of each round. Runs until its task is dropped.
    pub async fn fire_every(&self, every: std::time::Duration, report: impl Fn(&fire::Report)) {
        let mut last = self.now();
        loop {
            tokio::time::sleep(every).await;
            let at = self.now();
            report(&self.fire_since((at - 3600, at), last).await);
            last = at;
        }
    }

    /// `fire` over `window`, sending only the notifications at or after `since`.
    pub async fn fire_since(&self, window: (i64, i64), since: i64) -> fire::Report {
        let Some(firer) = lock(&self.firer).clone() else {
            return fire::Report::default();
        };
        // Evaluated on a copy of the state, without the engine's lock: other requests go on.
        let state = lock(&self.engine).state().clone();
        let firings: Vec<_> = tokio::task::spawn_blocking(move || firer.firings(&state, window))
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|firing| firing.at >= since)
            .collect();
        fire::deliver(&firings).await
    }

    /// The whole state, credentials included: for tests in the same process only.
    pub fn state_json(&self) -> Value {
        serde_json::to_value(lock(&self.engine).state()).unwrap_or_default()
    }

    /// The state as `/__admin/state` shows it: never the auth token or API key secrets.
    pub fn public_state_json(&self) -> Value {
        let mut state = self.state_json();
        if let Some(state) = state.as_object_mut() {
            state.remove("auth_token");
            if let Some(Value::Object(keys)) = state.get_mut("api_keys") {
                for secret in keys.values_mut() {
                    *secret = Value::String("(hidden)".to_owned());
                }
            }
        }
        state
    }

    /// How many requests a `hold` fault has held so far.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    /// Stores objects as Console would have made them, without the API's validation: rules
    /// without a channel or a name, recipients without types, queues without names, ...
    pub fn insert(&self, objects: ConsoleObjects) -> Result<(), ApiError> {
        lock(&self.engine).insert(objects)
    }

    /// Answers the captured requests as captured (`--replay`).
    pub fn set_replay(&self, replay: super::capture::Replay) {
        *lock(&self.replay) = Some(Arc::new(replay));
    }

    pub fn set_faults(&self, faults: Faults) {
        lock(&self.faults).faults = faults;
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.log).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.log).clear();
    }
}

/// A running emulator on a local port.
#[derive(Debug)]
pub struct Emulator {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Emulator {
    /// Serves `engine` on `listener`; the engine's resource URLs point at the listener.
    pub fn start(
        listener: TcpListener,
        engine: Engine,
        faults: Faults,
        fault_seed: u64,
        max_body_bytes: usize,
    ) -> std::io::Result<Emulator> {
        let addr = listener.local_addr()?;
        let engine = engine.with_base_url(&format!("http://{addr}"));
        let mut shared = Shared::new(engine, faults, fault_seed, max_body_bytes);
        shared.admin_needs_auth = !addr.ip().is_loopback();
        shared.base_url = format!("http://{addr}");
        let shared = Arc::new(shared);
        let app = router(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Emulator { addr, shared, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting requests at once (connections in progress are cut).
    pub fn stop(self) {
        self.task.abort();
    }
}

/// Twilio's routes plus the admin routes, with auth, limits and faults in front.
pub fn router(shared: Arc<Shared>) -> Router {
    let twilio = Router::new()
        .route(
            "/v1/Instances/{instance}/InsightsRules",
            get(list_rules).post(create_rule),
        )
        .route(
            "/v1/Instances/{instance}/InsightsRules/{sid}",
            get(fetch_rule).post(update_rule).delete(delete_rule),
        )
        .route(
            "/v1/Instances/{instance}/NotificationConfigurations",
            axum::routing::post(create_config),
        )
        .route(
            "/v1/Instances/{instance}/NotificationConfigurations/{ttid}",
            get(fetch_config).post(update_config).delete(delete_config),
        )
        .route("/v1/Instances/{instance}/Users", get(list_users))
        // The workspace; its TaskQueues, TaskChannels, Activities and Workers; one of them by
        // SID; queue statistics.
        .route("/v1/Workspaces/{workspace}", get(fetch_workspace))
        .route(
            "/v1/Workspaces/{workspace}/{collection}",
            get(list_in_workspace),
        )
        .route(
            "/v1/Workspaces/{workspace}/{collection}/{sid}",
            get(fetch_in_workspace),
        )
        .route(
            "/v1/Workspaces/{workspace}/TaskQueues/{queue}/{statistics}",
            get(queue_statistics),
        )
        .route(
            "/v1/Configuration",
            get(fetch_configuration).post(update_configuration),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), gate));
    let admin = Router::new()
        .route("/__admin/state", get(admin_state))
        .route("/__admin/faults", get(admin_faults).put(admin_set_faults))
        .route(
            "/__admin/requests",
            get(admin_requests).delete(admin_clear_requests),
        )
        .route("/__admin/console", axum::routing::post(admin_console))
        .route("/__admin/fire", axum::routing::post(admin_fire))
        .layer(middleware::from_fn_with_state(shared.clone(), admin_gate));
    // The gate enforces the body limit; axum's own default would answer in plain text.
    admin
        .merge(twilio)
        .layer(DefaultBodyLimit::disable())
        .with_state(shared)
}

type AppState = State<Arc<Shared>>;

fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    (status, axum::Json(body)).into_response()
}

fn error_response(error: &ApiError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, &error.body())
}

fn reply<T: Serialize>(status: StatusCode, result: Result<T, ApiError>) -> Response {
    match result {
        Ok(body) => json_response(status, &body),
        Err(error) => error_response(&error),
    }
}

fn parse_body(bytes: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|error| ApiError::new(400, VALIDATION, format!("Invalid JSON body: {error}")))
}

/// NotificationConfigurations calls must name the account in `I-Twilio-Auth-Account`.
fn account_header(headers: &HeaderMap, engine: &Engine) -> Result<(), ApiError> {
    match headers
        .get(ACCOUNT_HEADER)
        .and_then(|value| value.to_str().ok())
    {
        Some(account) if account == engine.state().account_sid => Ok(()),
        Some(_) => Err(ApiError::invalid(
            "Invalid value for header [I-Twilio-Auth-Account]: not the SID of this Flex account",
        )),
        None => Err(ApiError::invalid(
            "Missing required header [I-Twilio-Auth-Account]",
        )),
    }
}

async fn list_rules(
    State(shared): AppState,
    Path(instance): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = parse_query(query.as_deref());
    reply(
        StatusCode::OK,
        lock(&shared.engine).list_rules(&instance, &query),
    )
}

async fn create_rule(
    State(shared): AppState,
    Path(instance): Path<String>,
    body: Bytes,
) -> Response {
    let result =
        parse_body(&body).and_then(|body| lock(&shared.engine).create_rule(&instance, &body));
    reply(StatusCode::CREATED, result)
}

async fn fetch_rule(
    State(shared): AppState,
    Path((instance, sid)): Path<(String, String)>,
) -> Response {
    reply(
        StatusCode::OK,
        lock(&shared.engine).fetch_rule(&instance, &sid),
    )
}

async fn update_rule(
    State(shared): AppState,
    Path((instance, sid)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let result =
        parse_body(&body).and_then(|body| lock(&shared.engine).update_rule(&instance, &sid, &body));
    reply(StatusCode::OK, result)
}

async fn delete_rule(
    State(shared): AppState,
    Path((instance, sid)): Path<(String, String)>,
) -> Response {
    match lock(&shared.engine).delete_rule(&instance, &sid) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error_response(&error),
    }
}

async fn create_config(
    State(shared): AppState,
    Path(instance): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut engine = lock(&shared.engine);
    let result = account_header(&headers, &engine)
        .and_then(|()| parse_body(&body))
        .and_then(|body| engine.create_config(&instance, &body));
    reply(StatusCode::CREATED, result)
}

async fn fetch_config(
    State(shared): AppState,
    Path((instance, ttid)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let engine = lock(&shared.engine);
    let result =
        account_header(&headers, &engine).and_then(|()| engine.fetch_config(&instance, &ttid));
    reply(StatusCode::OK, result)
}

async fn update_config(
    State(shared): AppState,
    Path((instance, ttid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut engine = lock(&shared.engine);
    let result = account_header(&headers, &engine)
        .and_then(|()| parse_body(&body))
        .and_then(|body| engine.update_config(&instance, &ttid, &body));
    reply(StatusCode::OK, result)
}

async fn delete_config(
    State(shared): AppState,
    Path((instance, ttid)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut engine = lock(&shared.engine);
    match account_header(&headers, &engine).and_then(|()| engine.delete_config(&instance, &ttid)) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error_response(&error),
    }
}

async fn list_users(
    State(shared): AppState,
    Path(instance): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = parse_query(query.as_deref());
    reply(
        StatusCode::OK,
        lock(&shared.engine).list_users(&instance, &query),
    )
}

/// `GET /v1/Workspaces/{workspace}/TaskQueues`, `.../TaskChannels`, `.../Activities`.
async fn list_in_workspace(
    State(shared): AppState,
    Path((workspace, collection)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = parse_query(query.as_deref());
    let engine = lock(&shared.engine);
    reply(
        StatusCode::OK,
        match collection.as_str() {
            "TaskQueues" => engine.list_queues(&workspace, &query),
            "TaskChannels" => engine.list_channels(&workspace, &query),
            "Activities" => engine.list_activities(&workspace, &query),
            "Workers" => engine.list_workers(&workspace, &query),
            _ => Err(ApiError::not_found(&format!(
                "/v1/Workspaces/{workspace}/{collection}"
            ))),
        },
    )
}

/// `GET /v1/Workspaces/{workspace}/TaskQueues/{sid}`, `.../TaskChannels/{sid}`,
/// `.../Activities/{sid}` and `.../Workers/{sid}`.
async fn fetch_in_workspace(
    State(shared): AppState,
    Path((workspace, collection, sid)): Path<(String, String, String)>,
) -> Response {
    let engine = lock(&shared.engine);
    reply(
        StatusCode::OK,
        match collection.as_str() {
            "TaskQueues" => engine.fetch_queue(&workspace, &sid),
            "TaskChannels" => engine.fetch_channel(&workspace, &sid),
            "Activities" => engine.fetch_activity(&workspace, &sid),
            "Workers" => engine.fetch_worker(&workspace, &sid),
            _ => Err(ApiError::not_found(&format!(
                "/v1/Workspaces/{workspace}/{collection}/{sid}"
            ))),
        },
    )
}

async fn fetch_workspace(State(shared): AppState, Path(workspace): Path<String>) -> Response {
    reply(
        StatusCode::OK,
        lock(&shared.engine).fetch_workspace(&workspace),
    )
}

/// `GET .../TaskQueues/{queue}/RealTimeStatistics`, `.../CumulativeStatistics` and
/// `.../Statistics` (both).
async fn queue_statistics(
    State(shared): AppState,
    Path((workspace, queue, statistics)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = parse_query(query.as_deref());
    // Checked under the engine's lock, computed without it: a month of minutes takes time.
    let request = lock(&shared.engine).queue_statistics(&workspace, (&queue, &statistics), &query);
    match request {
        Ok(request) => match tokio::task::spawn_blocking(move || request.answer()).await {
            Ok(answer) => json_response(StatusCode::OK, &answer),
            Err(_) => error_response(&ApiError::new(
                500,
                INTERNAL,
                "the statistics could not be computed",
            )),
        },
        Err(error) => error_response(&error),
    }
}

async fn fetch_configuration(State(shared): AppState) -> Response {
    json_response(StatusCode::OK, &lock(&shared.engine).configuration())
}

async fn update_configuration(State(shared): AppState, body: Bytes) -> Response {
    let result =
        parse_body(&body).and_then(|body| lock(&shared.engine).update_configuration(&body));
    reply(StatusCode::OK, result)
}

async fn not_found(request: Request) -> Response {
    error_response(&ApiError::not_found(request.uri().path()))
}

/// Off loopback, the admin routes need the instance's credentials like the API does.
async fn admin_gate(State(shared): AppState, request: Request, next: Next) -> Response {
    if shared.admin_needs_auth && !authorized(request.headers(), &shared) {
        return error_response(&ApiError::unauthorized());
    }
    next.run(request).await
}

async fn admin_state(State(shared): AppState) -> Response {
    json_response(StatusCode::OK, &shared.public_state_json())
}

async fn admin_console(State(shared): AppState, body: Bytes) -> Response {
    let result = serde_json::from_slice::<ConsoleObjects>(&body)
        .map_err(|error| ApiError::invalid(format!("Invalid objects: {error}")))
        .and_then(|objects| shared.insert(objects));
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error_response(&error),
    }
}

/// `POST /__admin/fire[?from=TIME&to=TIME]`: the live rules evaluated and their
/// notifications sent; answers what was sent and what failed.
async fn admin_fire(State(shared): AppState, RawQuery(query): RawQuery) -> Response {
    let query = parse_query(query.as_deref());
    let time = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| {
                crate::common::time::parse_rfc3339(value).ok_or_else(|| {
                    ApiError::invalid(format!("{name} `{value}` is not an RFC 3339 time"))
                })
            })
            .transpose()
    };
    let window = match (time("from"), time("to")) {
        (Ok(Some(from)), Ok(Some(to))) => Some((from, to)),
        (Ok(None), Ok(None)) => None,
        (Err(error), _) | (_, Err(error)) => return error_response(&error),
        _ => {
            return error_response(&ApiError::invalid("give both `from` and `to`, or neither"));
        }
    };
    reply(StatusCode::OK, shared.fire(window).await)
}

async fn admin_faults(State(shared): AppState) -> Response {
    json_response(StatusCode::OK, &lock(&shared.faults).faults)
}

async fn admin_set_faults(State(shared): AppState, body: Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            shared.set_faults(faults.clone());
            json_response(StatusCode::OK, &faults)
        }
        Err(error) => error_response(&ApiError::invalid(format!("Invalid faults: {error}"))),
    }
}

async fn admin_requests(State(shared): AppState) -> Response {
    json_response(StatusCode::OK, &shared.requests())
}

async fn admin_clear_requests(State(shared): AppState) -> Response {
    shared.clear_requests();
    StatusCode::NO_CONTENT.into_response()
}

/// Counts a request as in flight until dropped.
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// In front of every Twilio route: body limit, Basic auth, the concurrency limit, latency,
/// injected faults, CORS headers and the request log.
/// The captured answer to a request, with `--replay`.
fn replayed(
    shared: &Shared,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    host: Option<&str>,
) -> Option<Response> {
    let replay = lock(&shared.replay).clone()?;
    let path = uri
        .path_and_query()
        .map_or(uri.path(), |path| path.as_str());
    let (status, body) = replay.answer(method.as_str(), path, host.unwrap_or(&shared.base_url))?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    Some((status, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}

async fn gate(State(shared): AppState, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| host.bytes().all(|b| b.is_ascii_graphic()))
        .map(|host| format!("http://{host}"));
    let (parts, body) = request.into_parts();
    let mut dropped_connection = false;
    let (response, fault) = match to_bytes(body, shared.max_body_bytes).await {
        Err(_) => (
            error_response(&ApiError::new(
                413,
                VALIDATION,
                format!(
                    "Request body is larger than {} bytes",
                    shared.max_body_bytes
                ),
            )),
            None,
        ),
        Ok(_) if !authorized(&parts.headers, &shared) => {
            (error_response(&ApiError::unauthorized()), None)
        }
        Ok(_) if lock(&shared.replay).is_some() => {
            match replayed(&shared, &method, &parts.uri, host.as_deref()) {
                Some(response) => (response, Some("replay".to_owned())),
                None => (
                    error_response(&ApiError::not_found(&format!(
                        "{} (not in the capture being replayed)",
                        parts.uri.path()
                    ))),
                    Some("replay".to_owned()),
                ),
            }
        }
        Ok(bytes) => {
            let in_flight = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            let _guard = InFlight(&shared.in_flight);
            // Over the limit, the request is refused before any other fault is drawn, so a
            // scripted fault is not used up by it.
            let refused_or_decided = {
                let mut faults = lock(&shared.faults);
                match faults.faults.concurrency_limit {
                    Some(limit) if in_flight > limit => Err(faults.faults.retry_after.clone()),
                    _ => Ok(faults.decide(method.as_str(), &path, &bytes)),
                }
            };
            let (mut response, fault) = match refused_or_decided {
                Err(retry_after) => (
                    too_many_requests(retry_after),
                    Some("concurrency_limit".to_owned()),
                ),
                Ok((latency, decision)) => {
                    dropped_connection = matches!(
                        decision,
                        Decision::Drop
                            | Decision::ApplyThenDrop
                            | Decision::Hold
                            | Decision::ApplyThenHold
                    );
                    tokio::time::sleep(latency).await;
                    let request = Request::from_parts(parts, Body::from(bytes));
                    run(decision, request, next, &shared.held).await
                }
            };
            // As Twilio's 20429 page describes: the account's requests in flight.
            response.headers_mut().insert(
                "Twilio-Concurrent-Requests",
                header::HeaderValue::from(in_flight),
            );
            (response, fault)
        }
    };
    let status = (!dropped_connection).then(|| response.status().as_u16());
    lock(&shared.log).push(LoggedRequest {
        method: method.to_string(),
        path,
        status,
        fault,
    });
    let response = match host {
        // `--listen 0.0.0.0`: page and resource URLs name the host the client reached.
        Some(host)
            if !dropped_connection && !shared.base_url.is_empty() && host != shared.base_url =>
        {
            as_seen_from(response, &shared.base_url, &host).await
        }
        _ => response,
    };
    with_cors(response)
}

/// `response` with every `base` in its JSON body replaced by `host`.
async fn as_seen_from(response: Response, base: &str, host: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let text = String::from_utf8_lossy(&bytes).replace(base, host);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(text))
}

async fn run(
    decision: Decision,
    request: Request,
    next: Next,
    held: &AtomicUsize,
) -> (Response, Option<String>) {
    // Long enough for a test to kill the client; short enough that nothing waits forever.
    let hold = || async {
        held.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        dropped()
    };
    match decision {
        Decision::Pass => (next.run(request).await, None),
        Decision::Reject {
            status: 429,
            retry_after,
        } => (too_many_requests(retry_after), Some("status_429".into())),
        Decision::Reject {
            status,
            retry_after,
        } => {
            let code = if status == 503 { UNAVAILABLE } else { INTERNAL };
            let mut response = error_response(&ApiError::new(
                status,
                code,
                "Service temporarily unavailable",
            ));
            set_retry_after(&mut response, retry_after);
            (response, Some(format!("status_{status}")))
        }
        Decision::Drop => (dropped(), Some("drop".into())),
        Decision::ApplyThenFail => {
            let response = next.run(request).await;
            if response.status().is_success() {
                let error = ApiError::new(500, INTERNAL, "Internal Server Error");
                (error_response(&error), Some("apply_then_fail".into()))
            } else {
                (response, None)
            }
        }
        Decision::ApplyThenDrop => {
            let _ = next.run(request).await;
            (dropped(), Some("apply_then_drop".into()))
        }
        Decision::Hold => (hold().await, Some("hold".into())),
        Decision::ApplyThenHold => {
            let _ = next.run(request).await;
            (hold().await, Some("apply_then_hold".into()))
        }
    }
}

fn authorized(headers: &HeaderMap, shared: &Shared) -> bool {
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = BASE64.decode(encoded.trim()) else {
        return false;
    };
    let decoded = String::from_utf8_lossy(&decoded);
    decoded
        .split_once(':')
        .is_some_and(|(user, password)| lock(&shared.engine).authenticate(user, password))
}

fn too_many_requests(retry_after: Option<String>) -> Response {
    let error = ApiError::new(429, TOO_MANY_REQUESTS, "Too Many Requests");
    let mut response = error_response(&error);
    set_retry_after(&mut response, retry_after);
    response
}

fn set_retry_after(response: &mut Response, retry_after: Option<String>) {
    if let Some(value) = retry_after.and_then(|value| HeaderValue::from_str(&value).ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
}

/// A response whose body fails at once: the connection is cut without a complete answer.
fn dropped() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other(
            "connection dropped by fault injection",
        ))
    });
    Response::new(Body::from_stream(failing))
}

fn with_cors(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "GET, POST, DELETE"),
        (
            "access-control-allow-headers",
            "Content-Type, Authorization, I-Twilio-Auth-Account",
        ),
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", "ETag"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
