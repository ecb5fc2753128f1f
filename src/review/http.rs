//! One request to a forge's REST API: the token travels in a header and never in a message;
//! a rate limit is waited out when the forge says for how long (at most a minute, three
//! times); 401, 403 and 404 become what to do about them.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

/// The longest wait for a rate limit before giving up, and how many waits in a row.
const LONGEST_WAIT: Duration = Duration::from_secs(60);
const WAITS: u32 = 3;

/// Why a comment could not be made: the request, what the forge said, what to do.
#[derive(Debug)]
pub struct ReviewError {
    pub message: String,
    pub hint: Option<String>,
}

impl ReviewError {
    pub fn new(message: impl Into<String>, hint: Option<String>) -> ReviewError {
        ReviewError {
            message: message.into(),
            hint,
        }
    }
}

/// A forge's API with its credentials.
pub struct Api {
    client: reqwest::Client,
    /// `GitHub` or `GitLab`, for messages.
    pub forge: &'static str,
    base: String,
    /// What to do about a 401 or 403 on this forge.
    pub token_hint: String,
}

impl Api {
    /// `headers` carry the token; they are sent with every request and never printed.
    pub fn new(
        forge: &'static str,
        base: &str,
        headers: Vec<(&'static str, String)>,
        token_hint: String,
    ) -> Result<Api, ReviewError> {
        crate::common::tls::install_crypto_provider();
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let mut value = HeaderValue::from_str(&value).map_err(|_| {
                ReviewError::new(
                    format!("the {forge} token holds characters a header cannot"),
                    Some("set the token variable to the token alone".to_owned()),
                )
            })?;
            value.set_sensitive(true);
            map.insert(HeaderName::from_static(name), value);
        }
        let client = reqwest::Client::builder()
            .default_headers(map)
            .user_agent(concat!("flex-alerts/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|error| {
                ReviewError::new(format!("cannot set up the HTTP client: {error}"), None)
            })?;
        Ok(Api {
            client,
            forge,
            base: base.trim_end_matches('/').to_owned(),
            token_hint,
        })
    }

    /// `METHOD base+path` with a JSON body; the answer's JSON (`null` for an empty one).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, ReviewError> {
        let what = format!("{method} {path}");
        let mut waits = 0;
        loop {
            let mut request = self
                .client
                .request(method.clone(), format!("{}{path}", self.base));
            if let Some(body) = &body {
                request = request.json(body);
            }
            let answer = request.send().await.map_err(|error| {
                ReviewError::new(
                    format!("{} did not answer {what}: {}", self.forge, plain(&error)),
                    Some(format!(
                        "check that {} is reachable from this job",
                        self.base
                    )),
                )
            })?;
            let status = answer.status().as_u16();
            let wait = rate_limited(status, answer.headers());
            let text = answer.text().await.unwrap_or_default();
            match (status, wait) {
                (200..=299, _) => {
                    return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
                }
                (_, Some(wait)) if wait <= LONGEST_WAIT && waits < WAITS => {
                    waits += 1;
                    tokio::time::sleep(wait).await;
                }
                (_, Some(wait)) => {
                    return Err(ReviewError::new(
                        format!(
                            "{}'s rate limit stopped {what} ({status}; it asks to wait {} s)",
                            self.forge,
                            wait.as_secs()
                        ),
                        Some("run the job again later; the plan was not posted".to_owned()),
                    ));
                }
                (401, None) => {
                    return Err(ReviewError::new(
                        format!("{} refused the token (401) for {what}", self.forge),
                        Some(self.token_hint.clone()),
                    ));
                }
                (403, None) => {
                    return Err(ReviewError::new(
                        format!("{} forbids {what} (403): {}", self.forge, excerpt(&text)),
                        Some(self.token_hint.clone()),
                    ));
                }
                (404, None) => {
                    return Err(ReviewError::new(
                        format!("{} has no {what} (404)", self.forge),
                        Some(
                            "check the pull or merge request number, and that the token can see the repository"
                                .to_owned(),
                        ),
                    ));
                }
                (status, None) => {
                    return Err(ReviewError::new(
                        format!(
                            "{} answered {status} to {what}: {}",
                            self.forge,
                            excerpt(&text)
                        ),
                        None,
                    ));
                }
            }
        }
    }
}

/// How long a rate-limited answer asks to wait: a 429, or GitHub's 403 with no requests
/// left; `Retry-After` seconds, else until `x-ratelimit-reset` (Unix seconds), else a minute.
fn rate_limited(status: u16, headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let exhausted = header("x-ratelimit-remaining") == Some("0");
    if status != 429 && !(status == 403 && (exhausted || header("retry-after").is_some())) {
        return None;
    }
    if let Some(seconds) = header("retry-after").and_then(|text| text.trim().parse().ok()) {
        return Some(Duration::from_secs(seconds));
    }
    if let Some(reset) =
        header("x-ratelimit-reset").and_then(|text| text.trim().parse::<u64>().ok())
    {
        let now = crate::common::clock::system_clock() / 1000;
        return Some(Duration::from_secs(reset.saturating_sub(now)));
    }
    Some(LONGEST_WAIT)
}

/// An error's causes, without the URL reqwest repeats.
fn plain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// The start of an error body, on one line.
fn excerpt(text: &str) -> String {
    let message = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|json| {
            json.get("message")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| text.to_owned());
    let line: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    line.chars().take(200).collect()
}
