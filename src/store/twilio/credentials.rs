//! Which environment variables hold an account's credentials (`TWILIO_API_KEY`, ... or, for
//! one environment of a project, the same names under its prefix), and reading them: every
//! missing or malformed one named at once, so one round of setting variables is enough.

use reqwest::Url;

use super::retry::RetryPolicy;
use super::transport::{ClientConfig, DEFAULT_CONCURRENCY, DEFAULT_GIVE_UP_AFTER, DEFAULT_TIMEOUT};
use crate::common::env::EnvLookup;
use crate::common::secret::Secret;
use crate::flex::sid::is_sid;
use crate::flex::urls::{TWILIO_FLEX_BASE, TWILIO_TASKROUTER_BASE};
use crate::store::error::{EMULATOR_HINT, StoreError};

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
                Some(_) => EMULATOR_HINT.to_owned(),
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
            capture: None,
        })
    }
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
