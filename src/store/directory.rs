//! The instance's directory: task queues, task channels and Flex users, and the lookups between
//! the names people write in YAML and the SIDs Flex stores.

use crate::config::suggest::did_you_mean_or_list;
use crate::store::wire::{FlexUser, TaskChannel, TaskQueue};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Directory {
    pub queues: Vec<TaskQueue>,
    pub channels: Vec<TaskChannel>,
    pub users: Vec<FlexUser>,
}

/// A name the directory does not know, with the closest known one if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// `queue`, `channel` or `user`.
    pub kind: &'static str,
    pub given: String,
    pub hint: Option<String>,
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} `{}`", self.kind, self.given)
    }
}

impl Directory {
    /// A task queue by friendly name (exact) or `WQ` SID.
    pub fn queue(&self, reference: &str) -> Result<&TaskQueue, Unknown> {
        self.queues
            .iter()
            .find(|queue| queue.sid == reference || queue.friendly_name == reference)
            .ok_or_else(|| {
                unknown(
                    "queue",
                    reference,
                    self.queues.iter().map(|queue| &queue.friendly_name),
                )
            })
    }

    /// A task channel by unique name (e.g. `voice`) or `TC` SID.
    pub fn channel(&self, reference: &str) -> Result<&TaskChannel, Unknown> {
        self.channels
            .iter()
            .find(|channel| channel.sid == reference || channel.unique_name == reference)
            .ok_or_else(|| {
                unknown(
                    "channel",
                    reference,
                    self.channels.iter().map(|channel| &channel.unique_name),
                )
            })
    }

    /// A Flex user by username, email (either case-insensitive) or `FU` SID.
    pub fn user(&self, reference: &str) -> Result<&FlexUser, Unknown> {
        self.users
            .iter()
            .find(|user| {
                user.flex_user_sid == reference
                    || user.username.eq_ignore_ascii_case(reference)
                    || user
                        .email
                        .as_deref()
                        .is_some_and(|email| email.eq_ignore_ascii_case(reference))
            })
            .ok_or_else(|| {
                unknown(
                    "user",
                    reference,
                    self.users.iter().map(|user| &user.username),
                )
            })
    }

    pub fn queue_name(&self, sid: &str) -> Option<&str> {
        self.queues
            .iter()
            .find(|queue| queue.sid == sid)
            .map(|queue| queue.friendly_name.as_str())
    }

    pub fn channel_name(&self, sid: &str) -> Option<&str> {
        self.channels
            .iter()
            .find(|channel| channel.sid == sid)
            .map(|channel| channel.unique_name.as_str())
    }

    pub fn user_name(&self, sid: &str) -> Option<&str> {
        self.users
            .iter()
            .find(|user| user.flex_user_sid == sid)
            .map(|user| user.username.as_str())
    }
}

fn unknown<'a>(
    kind: &'static str,
    given: &str,
    known: impl Iterator<Item = &'a String>,
) -> Unknown {
    let known: Vec<String> = known.cloned().collect();
    Unknown {
        kind,
        given: given.to_owned(),
        hint: did_you_mean_or_list(given, &known),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::{Engine, Seed};

    fn directory() -> Directory {
        let engine = Engine::new(&Seed::builtin());
        let state = engine.state();
        Directory {
            queues: state.queues.clone(),
            channels: state.channels.clone(),
            users: state.users.clone(),
        }
    }

    #[test]
    fn names_and_sids_resolve_both_ways() {
        let directory = directory();
        let support = directory.queue("Support").unwrap();
        assert_eq!(directory.queue(&support.sid).unwrap(), support);
        assert_eq!(directory.queue_name(&support.sid), Some("Support"));
        let voice = directory.channel("voice").unwrap();
        assert_eq!(directory.channel_name(&voice.sid), Some("voice"));
        let jane = directory.user("jane.doe").unwrap();
        assert_eq!(
            directory.user("Jane.Doe@owl-telecom.example").unwrap(),
            jane
        );
        assert_eq!(directory.user(&jane.flex_user_sid).unwrap(), jane);
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let directory = directory();
        let error = directory.queue("Suport").unwrap_err();
        assert_eq!(error.to_string(), "unknown queue `Suport`");
        assert_eq!(error.hint.as_deref(), Some("did you mean `Support`?"));
        assert_eq!(
            directory.channel("vioce").unwrap_err().hint.as_deref(),
            Some("did you mean `voice`?")
        );
        assert_eq!(
            directory.user("jane.do").unwrap_err().hint.as_deref(),
            Some("did you mean `jane.doe`?")
        );
    }
}
