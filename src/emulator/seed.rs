//! The directory an emulated Flex instance starts with: account, credentials, instance,
//! workspace, task queues, task channels, Flex users and the notifications mode.
//!
//! Read from a YAML seed file (`flex-alerts emulator --seed FILE`) or the built-in contact
//! center that `examples/` refers to. Checked here, so the engine can trust it.

use serde::Deserialize;

use crate::common::yaml;
use crate::flex::sid::is_sid;

/// The built-in seed: the small contact center of `examples/`.
pub const DEFAULT_SEED: &str = include_str!("default_seed.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub account_sid: String,
    pub auth_token: String,
    pub instance_sid: String,
    pub workspace_sid: String,
    pub queues: Vec<SeedQueue>,
    pub channels: Vec<SeedChannel>,
    pub users: Vec<SeedUser>,
    #[serde(default = "default_mode")]
    pub notifications_mode: String,
    /// API keys (`SK...` and secret) accepted besides the account SID and auth token.
    #[serde(default)]
    pub api_keys: Vec<SeedApiKey>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedApiKey {
    pub sid: String,
    pub secret: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedQueue {
    pub name: String,
    pub sid: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedChannel {
    pub unique_name: String,
    pub friendly_name: String,
    pub sid: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    pub username: String,
    pub email: String,
    pub full_name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    pub sid: String,
}

fn default_mode() -> String {
    "whenNotInFocus".to_owned()
}

impl Seed {
    /// The built-in contact center.
    pub fn builtin() -> Seed {
        Seed::parse(DEFAULT_SEED).expect("the built-in seed is valid")
    }

    /// Reads a seed from YAML text; the error says what is wrong and where.
    pub fn parse(text: &str) -> Result<Seed, String> {
        let node = yaml::parse(text)
            .map_err(|error| {
                format!(
                    "line {}, column {}: {}",
                    error.span.line, error.span.column, error.message
                )
            })?
            .ok_or("the seed file is empty")?;
        let (value, _) = yaml::to_json(&node);
        let seed: Seed = serde_json::from_value(value).map_err(|error| error.to_string())?;
        seed.check()?;
        Ok(seed)
    }

    fn check(&self) -> Result<(), String> {
        let sids = [
            (&self.account_sid, "AC"),
            (&self.instance_sid, "GO"),
            (&self.workspace_sid, "WS"),
        ]
        .into_iter()
        .chain(self.queues.iter().map(|queue| (&queue.sid, "WQ")))
        .chain(self.channels.iter().map(|channel| (&channel.sid, "TC")))
        .chain(self.users.iter().map(|user| (&user.sid, "FU")))
        .chain(self.api_keys.iter().map(|key| (&key.sid, "SK")));
        for (sid, prefix) in sids {
            if !is_sid(sid, prefix) {
                return Err(format!(
                    "`{sid}` is not a {prefix} SID ({prefix} and 32 hex digits)"
                ));
            }
        }
        if !["always", "whenNotInFocus"].contains(&self.notifications_mode.as_str()) {
            return Err(format!(
                "notifications_mode `{}` is not `always` or `whenNotInFocus`",
                self.notifications_mode
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_seed_is_the_examples_contact_center() {
        let seed = Seed::builtin();
        assert!(seed.queues.iter().any(|queue| queue.name == "Support"));
        assert!(
            seed.channels
                .iter()
                .any(|channel| channel.unique_name == "voice")
        );
        assert!(seed.users.iter().any(|user| user.username == "jane.doe"));
    }

    #[test]
    fn rejects_malformed_sids_and_unknown_keys() {
        let text = DEFAULT_SEED.replace("WQdb5eb84117d06047c97c9a0191b5fffe", "WQ123");
        assert!(
            Seed::parse(&text)
                .unwrap_err()
                .contains("`WQ123` is not a WQ SID")
        );
        let text = format!("{DEFAULT_SEED}\nqueuez: []\n");
        assert!(Seed::parse(&text).unwrap_err().contains("queuez"));
    }
}
