//! Store failures in user words: which operation on which endpoint failed, Twilio's own
//! `code`, `message` and `more_info` when it sent them, and what to do about it. Never a
//! credential or a webhook URL.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store cannot be used as configured (missing variable, bad `--store`).
    #[error("{message}")]
    Setup { message: String, hint: String },

    #[error("{what}: the credentials were rejected (HTTP 401)")]
    Unauthorized {
        what: String,
        /// The store is not Twilio's (e.g. `flex-alerts emulator`).
        elsewhere: bool,
    },

    #[error("{what}: Flex instance {instance} was not found (HTTP 404)")]
    InstanceNotFound { what: String, instance: String },

    #[error("{what}: TaskRouter workspace {workspace} was not found (HTTP 404)")]
    WorkspaceNotFound { what: String, workspace: String },

    /// Twilio answered with an error.
    #[error("{what}: HTTP {status}{}", describe_code(*code, message))]
    Api {
        what: String,
        status: u16,
        code: Option<i64>,
        message: String,
        more_info: Option<String>,
    },

    /// No usable answer: connection refused or cut, timeout, unreadable body, retries spent.
    #[error("{what}: {detail}")]
    Transport { what: String, detail: String },

    /// The request never left, on any attempt (connections refused or not made), so it
    /// certainly changed nothing.
    #[error("{what}: {detail}")]
    Unsent { what: String, detail: String },

    /// A create was sent but its outcome is unknown (no answer, or an answer such as 500 or
    /// 503 that does not say whether it was applied), and it cannot be checked; it was not
    /// sent again, so that no duplicate can be made.
    #[error(
        "{what}: {detail}, so whether it was applied is unknown; it was not sent again, so that Flex cannot end up with two"
    )]
    Unknown { what: String, detail: String },

    /// The store stopped answering (connections refused or timing out) for long enough that
    /// flex-alerts gave up on it; nothing more is sent.
    #[error("{what}: the store stopped answering ({detail}); nothing more was sent")]
    Unreachable { what: String, detail: String },

    /// The sandbox file cannot be used; `kept` when it is not one (foreign, corrupt, of
    /// another format) and was left as it is.
    /// The apply journal could not be written (a full disk, say), so the step stopped;
    /// `applied` when the write it was to record had happened already.
    #[error("{what}: {detail}")]
    Journal {
        what: String,
        detail: String,
        applied: bool,
    },

    #[error("the local sandbox cannot be used: {message}")]
    Sandbox { message: String, kept: bool },
}

/// What to do when an `http(s)://` store (the emulator, say) refuses or lacks credentials.
pub const EMULATOR_HINT: &str = "for `flex-alerts emulator`, paste the `export TWILIO_ACCOUNT_SID=... TWILIO_AUTH_TOKEN=... FLEX_INSTANCE_SID=...` line it prints when it starts";

fn describe_code(code: Option<i64>, message: &str) -> String {
    match code {
        Some(code) => format!(", Twilio error {code}: {message}"),
        None if message.is_empty() => String::new(),
        None => format!(": {message}"),
    }
}

impl StoreError {
    /// Whether the request certainly changed nothing: refused with a 4xx answer, or never
    /// sent. A 5xx, a lost answer or an unreadable one may hide a change.
    pub fn definitely_not_applied(&self) -> bool {
        match self {
            StoreError::Api { status, .. } => (400..500).contains(status),
            StoreError::Unknown { .. } | StoreError::Transport { .. } => false,
            StoreError::Journal { applied, .. } => !applied,
            _ => true,
        }
    }

    /// The HTTP status, when the failure is an error answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            StoreError::Api { status, .. } => Some(*status),
            StoreError::Unauthorized { .. } => Some(401),
            StoreError::InstanceNotFound { .. } | StoreError::WorkspaceNotFound { .. } => Some(404),
            _ => None,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            StoreError::Setup { hint, .. } => Some(hint.clone()),
            StoreError::Unauthorized { elsewhere, .. } => {
                let mut hint = "check TWILIO_API_KEY/TWILIO_API_SECRET (or TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN); only Flex admins may manage alerts".to_owned();
                if *elsewhere {
                    hint.push_str("; ");
                    hint.push_str(EMULATOR_HINT);
                }
                Some(hint)
            }
            StoreError::InstanceNotFound { .. } => Some(
                "check FLEX_INSTANCE_SID: it is the GO... SID on the Flex overview page in Console".to_owned(),
            ),
            StoreError::WorkspaceNotFound { .. } => Some(
                "check TWILIO_WORKSPACE_SID, or unset it to read the workspace from the Flex configuration"
                    .to_owned(),
            ),
            StoreError::Api { more_info: Some(more_info), .. } => Some(format!("see {more_info}")),
            StoreError::Transport { .. } | StoreError::Unsent { .. } => {
                Some("check the network and the --store address; retrying later may help".to_owned())
            }
            StoreError::Unreachable { .. } => Some(
                "check the --store address and the network, then run the same command again: it starts from the live state"
                    .to_owned(),
            ),
            StoreError::Journal { .. } => Some(
                "free space on the disk that holds the apply journal (FLEX_ALERTS_STATE_DIR, default .flex-alerts/), then run apply again: it starts from the live state"
                    .to_owned(),
            ),
            StoreError::Unknown { .. } => Some(
                "run the same command again: it reads the live state first and picks up where this left off"
                    .to_owned(),
            ),
            StoreError::Sandbox { kept: true, .. } => Some(
                "the file was left as it is; move it away to start a fresh sandbox".to_owned(),
            ),
            _ => None,
        }
    }
}

impl From<StoreError> for crate::Error {
    fn from(error: StoreError) -> Self {
        let mut user_error = crate::Error::new(error.to_string());
        if let Some(hint) = error.hint() {
            user_error = user_error.hint(hint);
        }
        user_error
    }
}
