//! `--capture FILE`: every request a command makes to Twilio and every answer, kept as they
//! happen and written as a HAR 1.2 file at the end, redacted so it can be attached to a bug
//! report: no `Authorization` header is kept; credentials, webhook URLs, email addresses, user
//! names, full names and identities become placeholders, the same value the same placeholder
//! everywhere in the file (bodies, URLs, query strings, JSON held in strings). SIDs, queue and
//! channel names, metrics, thresholds and every other value are kept, so the emulator can be
//! started from the capture (`flex-alerts emulator --from-capture FILE`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde_json::Value;

use crate::common::har::{self, Har};
use crate::common::lock::lock;

/// The most exchanges kept: a capture of a long `record` stops growing there.
const MAX_EXCHANGES: usize = 20_000;

/// One request and its answer (or why there was none).
#[derive(Debug, Clone)]
pub struct Exchange {
    pub started: SystemTime,
    pub millis: f64,
    pub method: String,
    pub url: String,
    pub request_body: Option<String>,
    /// 0 when no answer came.
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    pub error: Option<String>,
}

/// Where a client keeps its exchanges; clones share them.
#[derive(Debug, Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<Exchange>>>);

impl Capture {
    pub fn record(&self, exchange: Exchange) {
        let mut exchanges = lock(&self.0);
        if exchanges.len() < MAX_EXCHANGES {
            exchanges.push(exchange);
        }
    }

    /// The HAR of every exchange so far, redacted; `secrets` (the credentials) are replaced
    /// wherever they appear; URLs of the `origins` the store answers from are its resources,
    /// kept, and any other URL in a body is a webhook's.
    pub fn har(&self, secrets: &[&str], origins: &[String]) -> Har {
        let exchanges = lock(&self.0).clone();
        let mut redactor = Redactor {
            origins: origins.to_vec(),
            ..Redactor::default()
        };
        for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
            redactor.add(secret, Kind::Secret);
        }
        for exchange in &exchanges {
            for body in [&exchange.request_body, &exchange.response_body]
                .into_iter()
                .flatten()
            {
                if let Ok(value) = serde_json::from_str::<Value>(body) {
                    redactor.collect(&value, None);
                }
            }
        }
        redactor.seal();
        let entries = exchanges
            .iter()
            .map(|exchange| redactor.entry(exchange))
            .collect();
        Har {
            log: har::Log {
                version: "1.2".to_owned(),
                creator: har::Creator {
                    name: "flex-alerts".to_owned(),
                    version: env!("CARGO_PKG_VERSION").to_owned(),
                },
                comment: Some(
                    "Redacted by flex-alerts: credentials, webhook URLs, email addresses, user names, full names and identities are placeholders; SIDs and every other value are as Twilio sent them.".to_owned(),
                ),
                entries,
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Secret,
    Webhook,
    Email,
    User,
    Person,
    Identity,
}

/// Placeholders by value, numbered in the order values are met.
#[derive(Debug, Default)]
struct Redactor {
    placeholders: BTreeMap<String, String>,
    counts: BTreeMap<&'static str, usize>,
    /// `scheme://host[:port]` of the store's APIs.
    origins: Vec<String>,
    /// Once every value is collected (`seal`): each value, its URL-encoded form and its
    /// placeholder, longest value first.
    ordered: Vec<(String, String, String)>,
}

impl Redactor {
    fn add(&mut self, value: &str, kind: Kind) {
        if value.len() < 3 || self.placeholders.contains_key(value) {
            return;
        }
        let (counter, pattern): (&'static str, fn(usize) -> String) = match kind {
            Kind::Secret => ("secret", |_| "[redacted credential]".to_owned()),
            Kind::Webhook => ("webhook", |n| {
                format!("https://webhook-{n}.redacted.invalid/")
            }),
            Kind::Email => ("email", |n| format!("person-{n}@redacted.invalid")),
            Kind::User => ("user", |n| format!("user-{n}")),
            Kind::Person => ("person", |n| format!("Person {n}")),
            Kind::Identity => ("identity", |n| format!("identity-{n}")),
        };
        let count = self.counts.entry(counter).or_default();
        *count += 1;
        self.placeholders.insert(value.to_owned(), pattern(*count));
    }

    /// Finds what to redact in one answer or request body: by key, and any email address.
    fn collect(&mut self, value: &Value, key: Option<&str>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    self.collect(value, Some(key));
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.collect(item, key)),
            Value::String(text) => {
                let kind = match key {
                    Some("username") => Some(Kind::User),
                    Some("full_name") => Some(Kind::Person),
                    Some("identity" | "contact_uri") => Some(Kind::Identity),
                    Some("email" | "email_address") => Some(Kind::Email),
                    // A webhook endpoint's URL (Twilio's own resource URLs are kept).
                    Some("url") if !self.is_resource(text) => Some(Kind::Webhook),
                    _ if looks_like_email(text) => Some(Kind::Email),
                    _ => None,
                };
                if let Some(kind) = kind {
                    self.add(text, kind);
                }
                // JSON held in a string (a worker's attributes).
                if text.starts_with('{')
                    && let Ok(inner) = serde_json::from_str::<Value>(text)
                {
                    self.collect(&inner, None);
                }
            }
            _ => {}
        }
    }

    /// Orders the values to redact once, longest first, so that a value inside another is
    /// replaced after it.
    fn seal(&mut self) {
        let mut ordered: Vec<(String, String, String)> = self
            .placeholders
            .iter()
            .map(|(value, placeholder)| {
                let encoded = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
                (value.clone(), encoded, placeholder.clone())
            })
            .collect();
        ordered.sort_by_key(|(value, _, _)| std::cmp::Reverse(value.len()));
        self.ordered = ordered;
    }

    /// `text` with every value to redact replaced, as written and as a URL query encodes it.
    fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (value, encoded, placeholder) in &self.ordered {
            for form in [value, encoded] {
                if out.contains(form.as_str()) {
                    out = out.replace(form.as_str(), placeholder);
                }
            }
        }
        out
    }

    fn entry(&self, exchange: &Exchange) -> har::Entry {
        let url = self.redact(&exchange.url);
        let query_string = url::Url::parse(&url)
            .map(|parsed| {
                parsed
                    .query_pairs()
                    .map(|(name, value)| har::NameValue {
                        name: name.into_owned(),
                        value: value.into_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let request_body = exchange
            .request_body
            .as_deref()
            .map(|body| self.redact(body));
        let response_body = exchange
            .response_body
            .as_deref()
            .map(|body| self.redact(body));
        let size = |body: &Option<String>| body.as_ref().map_or(0, |body| body.len() as i64);
        har::Entry {
            started_date_time: crate::common::time::format_unix_ms(
                exchange
                    .started
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |since| since.as_millis() as u64),
            ),
            time: exchange.millis,
            request: har::Request {
                method: exchange.method.clone(),
                url,
                http_version: "HTTP/1.1".to_owned(),
                cookies: Vec::new(),
                headers: vec![har::NameValue {
                    name: "Accept".to_owned(),
                    value: "application/json".to_owned(),
                }],
                query_string,
                body_size: size(&request_body),
                post_data: request_body.map(|text| har::PostData {
                    mime_type: "application/json".to_owned(),
                    text,
                }),
                headers_size: -1,
            },
            response: har::Response {
                status: exchange.status,
                status_text: String::new(),
                http_version: "HTTP/1.1".to_owned(),
                cookies: Vec::new(),
                headers: exchange
                    .response_headers
                    .iter()
                    .map(|(name, value)| har::NameValue {
                        name: name.clone(),
                        value: self.redact(value),
                    })
                    .collect(),
                body_size: size(&response_body),
                content: har::Content {
                    size: size(&response_body),
                    mime_type: "application/json".to_owned(),
                    text: response_body,
                },
                redirect_url: String::new(),
                headers_size: -1,
                error: exchange.error.clone(),
            },
            cache: Value::Object(Default::default()),
            timings: har::Timings {
                send: 0.0,
                wait: exchange.millis,
                receive: 0.0,
            },
        }
    }
}

impl Redactor {
    /// Whether `url` is one of the store's own resources (kept), not a webhook's.
    fn is_resource(&self, url: &str) -> bool {
        url::Url::parse(url).is_ok_and(|parsed| {
            let origin = parsed.origin().ascii_serialization();
            self.origins.contains(&origin)
        })
    }
}

fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !text.contains(char::is_whitespace)
        && !text.contains('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_is_one_placeholder_everywhere_and_twilio_urls_stay() {
        let capture = Capture::default();
        let exchange = |url: &str, body: &str| Exchange {
            started: SystemTime::UNIX_EPOCH,
            millis: 1.0,
            method: "GET".to_owned(),
            url: url.to_owned(),
            request_body: None,
            status: 200,
            response_headers: Vec::new(),
            response_body: Some(body.to_owned()),
            error: None,
        };
        capture.record(exchange(
            "https://flex-api.twilio.com/v1/Instances/GO1/Users",
            r#"{"users":[{"username":"canary.user","email":"canary@example.com","full_name":"Canary Person","url":"https://flex-api.twilio.com/v1/Instances/GO1/Users/FU1"}]}"#,
        ));
        capture.record(exchange(
            "https://taskrouter.twilio.com/v1/Workspaces/WS1/Workers?FriendlyName=canary.user",
            r#"{"workers":[{"attributes":"{\"contact_uri\":\"client:canary.user\",\"email\":\"canary@example.com\"}"}],"webhook":{"url":"https://hooks.slack.com/services/T/B/CANARY"}}"#,
        ));
        let origins = [
            "https://flex-api.twilio.com".to_owned(),
            "https://taskrouter.twilio.com".to_owned(),
        ];
        let text = serde_json::to_string(&capture.har(&["the-token"], &origins)).unwrap();
        for canary in [
            "canary.user",
            "canary@example.com",
            "Canary Person",
            "hooks.slack.com",
            "CANARY",
        ] {
            assert!(!text.contains(canary), "{canary} in {text}");
        }
        assert!(text.contains("user-1") && text.contains("person-1@redacted.invalid"));
        assert!(text.contains("https://flex-api.twilio.com/v1/Instances/GO1/Users/FU1"));
        assert!(text.contains("FriendlyName=user-1"), "{text}");
    }
}
