//! Choosing the store the user named with `--store`: `twilio`, `local[:FILE]` or an
//! `http(s)://HOST:PORT` base URL, and one type that is whichever of them was chosen.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

use reqwest::Url;

use super::error::StoreError;
use super::local::LocalStore;
use super::twilio::{ClientConfig, CredentialNames, RequestLog, TwilioClient};
use super::{Live, Store};
use crate::common::env::EnvLookup;
use crate::flex::wire::{Destinations, NotificationConfig, Rule, RuleBody};

pub const DEFAULT_SANDBOX: &str = ".flex-alerts/sandbox.json";

/// What `--store` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    Twilio,
    Local(PathBuf),
    Http(Url),
}

impl FromStr for StoreSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "twilio" => Ok(StoreSpec::Twilio),
            "local" => Ok(StoreSpec::Local(PathBuf::from(DEFAULT_SANDBOX))),
            _ if text.starts_with("local:") && text.len() > "local:".len() => {
                Ok(StoreSpec::Local(PathBuf::from(&text["local:".len()..])))
            }
            _ if text.starts_with("http://") || text.starts_with("https://") => {
                let shown = mask_userinfo(text);
                let url =
                    Url::parse(text).map_err(|error| format!("`{shown}` is not a URL: {error}"))?;
                if !url.username().is_empty() || url.password().is_some() {
                    return Err(format!(
                        "`{shown}` holds credentials; put them in TWILIO_* variables, not in the --store URL"
                    ));
                }
                if url.scheme() == "http" && !crate::common::loopback::is_loopback(&url) {
                    return Err(format!(
                        "`{shown}` is http:// to a host other than this machine: Basic auth would travel in clear text; use https://, or http:// only for 127.0.0.1, ::1 or localhost"
                    ));
                }
                Ok(StoreSpec::Http(url))
            }
            _ => Err(format!(
                "`{}` is not a store: use `twilio`, `local`, `local:FILE` or `http(s)://HOST:PORT`",
                mask_userinfo(text)
            )),
        }
    }
}

/// `text` with whatever stands between `://` and an `@` of the authority replaced by `***`,
/// so a URL can be shown without the credentials someone wrote into it.
pub fn mask_userinfo(text: &str) -> String {
    let Some(scheme_end) = text.find("://").map(|index| index + 3) else {
        return text.to_owned();
    };
    let rest = &text[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &text[..scheme_end], &rest[at..]),
        None => text.to_owned(),
    }
}

/// The store in use.
#[derive(Debug)]
// One per process, so the size of its variants does not matter.
#[allow(clippy::large_enum_variant)]
pub enum AnyStore {
    Twilio(TwilioClient),
    Local(LocalStore),
}

impl AnyStore {
    /// The store `spec` names; a Twilio client reads its credentials from the variables
    /// `names` says.
    pub fn open(
        spec: &StoreSpec,
        (env, names): (EnvLookup<'_>, &CredentialNames),
        concurrency: usize,
        (request_log, capture): (Option<RequestLog>, Option<crate::store::capture::Capture>),
    ) -> Result<AnyStore, StoreError> {
        let client = |base: Option<&Url>| {
            let config = ClientConfig {
                concurrency,
                request_log: request_log.clone(),
                capture: capture.clone(),
                ..ClientConfig::from_env_named(env, base, names)?
            };
            TwilioClient::new(config).map(AnyStore::Twilio)
        };
        match spec {
            StoreSpec::Twilio => client(None),
            StoreSpec::Http(url) => client(Some(url)),
            StoreSpec::Local(path) => LocalStore::open(path).map(AnyStore::Local),
        }
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(self, AnyStore::Local(_))
    }

    /// With `--capture`, every exchange with Twilio so far as a redacted HAR (the sandbox
    /// makes none).
    pub fn captured(&self) -> Option<crate::common::har::Har> {
        match self {
            AnyStore::Twilio(client) => client.captured(),
            AnyStore::Local(_) => None,
        }
    }
}

macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStore::Twilio($store) => $call.await,
            AnyStore::Local($store) => $call.await,
        }
    };
}

impl Store for AnyStore {
    fn unreachable(&self) -> Option<String> {
        match self {
            AnyStore::Twilio(store) => store.unreachable(),
            AnyStore::Local(store) => store.unreachable(),
        }
    }

    fn capacity(&self) -> usize {
        match self {
            AnyStore::Twilio(store) => store.capacity(),
            AnyStore::Local(store) => store.capacity(),
        }
    }

    fn describe(&self) -> String {
        match self {
            AnyStore::Twilio(store) => store.describe(),
            AnyStore::Local(store) => store.describe(),
        }
    }

    async fn snapshot(&self) -> Result<Live, StoreError> {
        delegate!(self, store => store.snapshot())
    }

    async fn rules(&self) -> Result<Vec<Rule>, StoreError> {
        delegate!(self, store => store.rules())
    }

    async fn fetch_rule(&self, sid: &str) -> Result<Option<Rule>, StoreError> {
        delegate!(self, store => store.fetch_rule(sid))
    }

    async fn create_rule(&self, body: &RuleBody) -> Result<Rule, StoreError> {
        delegate!(self, store => store.create_rule(body))
    }

    async fn update_rule(&self, sid: &str, body: &RuleBody) -> Result<Rule, StoreError> {
        delegate!(self, store => store.update_rule(sid, body))
    }

    async fn delete_rule(&self, sid: &str) -> Result<(), StoreError> {
        delegate!(self, store => store.delete_rule(sid))
    }

    async fn fetch_config(&self, ttid: &str) -> Result<Option<NotificationConfig>, StoreError> {
        delegate!(self, store => store.fetch_config(ttid))
    }

    async fn fetch_configs(
        &self,
        ttids: Vec<String>,
    ) -> Result<BTreeMap<String, NotificationConfig>, StoreError> {
        delegate!(self, store => store.fetch_configs(ttids))
    }

    async fn create_config(
        &self,
        destinations: &Destinations,
    ) -> Result<NotificationConfig, StoreError> {
        delegate!(self, store => store.create_config(destinations))
    }

    async fn update_config(
        &self,
        ttid: &str,
        destinations: &Destinations,
    ) -> Result<NotificationConfig, StoreError> {
        delegate!(self, store => store.update_config(ttid, destinations))
    }

    async fn delete_config(&self, ttid: &str) -> Result<(), StoreError> {
        delegate!(self, store => store.delete_config(ttid))
    }

    async fn set_notifications_mode(&self, mode: &str) -> Result<(), StoreError> {
        delegate!(self, store => store.set_notifications_mode(mode))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_spec_reads_every_form_and_refuses_the_rest() {
        assert_eq!("twilio".parse(), Ok(StoreSpec::Twilio));
        assert_eq!(
            "local".parse(),
            Ok(StoreSpec::Local(DEFAULT_SANDBOX.into()))
        );
        assert_eq!(
            "local:/tmp/s.json".parse(),
            Ok(StoreSpec::Local("/tmp/s.json".into()))
        );
        assert!(matches!(
            "http://127.0.0.1:8780".parse(),
            Ok(StoreSpec::Http(_))
        ));
        for this_machine in ["http://localhost:9", "http://127.0.0.2:9", "http://[::1]:9"] {
            assert!(
                matches!(this_machine.parse(), Ok(StoreSpec::Http(_))),
                "{this_machine}"
            );
        }
        assert!(matches!(
            "https://flex.example.com".parse(),
            Ok(StoreSpec::Http(_))
        ));
        for elsewhere in [
            "http://192.0.2.10:8780",
            "http://flex.example.com",
            "http://0.0.0.0:8780",
        ] {
            let refused = elsewhere.parse::<StoreSpec>().unwrap_err();
            assert!(refused.contains("clear text"), "{elsewhere}: {refused}");
        }
        let refused = "https://ACx:s3cret-token@x:1/"
            .parse::<StoreSpec>()
            .unwrap_err();
        assert!(refused.contains("holds credentials"), "{refused}");
        assert!(
            !refused.contains("s3cret") && !refused.contains("ACx"),
            "{refused}"
        );
        assert!(refused.contains("https://***@x:1/"), "{refused}");
        let unparsable = "http://u:s3cret@[bad".parse::<StoreSpec>().unwrap_err();
        assert!(!unparsable.contains("s3cret"), "{unparsable}");
        assert_eq!(mask_userinfo("http://a:b@host/p@q"), "http://***@host/p@q");
        assert_eq!(mask_userinfo("http://host/p@q"), "http://host/p@q");
        assert!(
            "locale"
                .parse::<StoreSpec>()
                .unwrap_err()
                .contains("is not a store")
        );
        assert!("local:".parse::<StoreSpec>().is_err());
    }
}
