//! The instance's directory: task queues, task channels and Flex users, and the lookups between
//! the names people write in YAML and the SIDs Flex stores.

use crate::common::suggest::did_you_mean_or_list;
use crate::flex::wire::{FlexUser, TaskChannel, TaskQueue};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Directory {
    pub queues: Vec<TaskQueue>,
    pub channels: Vec<TaskChannel>,
    pub users: Vec<FlexUser>,
}

/// A name in a file that cannot be used: unknown to the directory (with the closest known
/// one, if any), or a user who is deactivated in Flex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError {
    /// The name as written.
    pub given: String,
    pub message: String,
    pub hint: Option<String>,
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Directory {
    /// A task queue by friendly name (exact) or `WQ` SID.
    pub fn queue(&self, reference: &str) -> Result<&TaskQueue, NameError> {
        self.queues
            .iter()
            .find(|queue| {
                queue.sid == reference || queue.friendly_name.as_deref() == Some(reference)
            })
            .ok_or_else(|| {
                unknown(
                    "queue",
                    reference,
                    self.queues
                        .iter()
                        .filter_map(|queue| queue.friendly_name.as_ref()),
                )
            })
    }

    /// A task channel by unique name (e.g. `voice`) or `TC` SID.
    pub fn channel(&self, reference: &str) -> Result<&TaskChannel, NameError> {
        self.channels
            .iter()
            .find(|channel| {
                channel.sid == reference || channel.unique_name.as_deref() == Some(reference)
            })
            .ok_or_else(|| {
                unknown(
                    "channel",
                    reference,
                    self.channels
                        .iter()
                        .filter_map(|channel| channel.unique_name.as_ref()),
                )
            })
    }

    /// A Flex user by username, email (either case-insensitive) or `FU` SID; a deactivated
    /// user is not a valid recipient.
    pub fn user(&self, reference: &str) -> Result<&FlexUser, NameError> {
        let user = self
            .users
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
                    self.users
                        .iter()
                        .filter(|user| !user.deactivated)
                        .map(|user| &user.username),
                )
            })?;
        if user.deactivated {
            return Err(NameError {
                given: reference.to_owned(),
                message: format!(
                    "user `{reference}` ({}) is deactivated in Flex and cannot be notified",
                    user.flex_user_sid
                ),
                hint: Some("remove them from `users`, or reactivate them in Flex first".to_owned()),
            });
        }
        Ok(user)
    }

    pub fn queue_name(&self, sid: &str) -> Option<&str> {
        self.queues
            .iter()
            .find(|queue| queue.sid == sid)
            .and_then(|queue| queue.friendly_name.as_deref())
    }

    pub fn channel_name(&self, sid: &str) -> Option<&str> {
        self.channels
            .iter()
            .find(|channel| channel.sid == sid)
            .and_then(|channel| channel.unique_name.as_deref())
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
) -> NameError {
    let known: Vec<String> = known.cloned().collect();
    NameError {
        given: given.to_owned(),
        message: format!("unknown {kind} `{given}`"),
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
