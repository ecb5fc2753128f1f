//! The error users read: what failed, why (`caused by:` lines), what to do (`hint:`), and the
//! exit status it maps to. Module errors convert into it at the command boundary.

use std::fmt;

/// A failure to show the user, then exit with `code`.
#[derive(Debug)]
pub struct Error {
    pub message: String,
    pub causes: Vec<String>,
    pub hint: Option<String>,
    pub code: u8,
    /// Already reported in detail (e.g. diagnostics were printed): only the summary remains.
    pub reported: bool,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            causes: Vec::new(),
            hint: None,
            code: 1,
            reported: false,
        }
    }

    pub fn cause(mut self, cause: impl fmt::Display) -> Self {
        self.causes.push(cause.to_string());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The problems were printed already; this error carries only the closing summary.
    pub fn reported(mut self) -> Self {
        self.reported = true;
        self
    }

    /// `error: ...`, `caused by: ...`, `hint: ...`, one per line.
    pub fn render(&self) -> String {
        let mut out = format!("error: {}\n", self.message);
        for cause in &self.causes {
            out.push_str(&format!("caused by: {cause}\n"));
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("hint: {hint}\n"));
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Error::new("an input/output operation failed").cause(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_message_causes_and_hint_in_order() {
        let error = Error::new("cannot reach the store")
            .cause("connection refused")
            .hint("check --store");
        assert_eq!(
            error.render(),
            "error: cannot reach the store\ncaused by: connection refused\nhint: check --store\n"
        );
    }
}
