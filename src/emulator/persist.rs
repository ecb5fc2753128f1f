//! The emulator's state on disk (also the local sandbox's): read with a clear error for a file
//! that is not one, and replaced atomically and readable by its owner only
//! (`common::atomic_file`), so a killed process leaves the old or the new state, never half.

use std::io;
use std::path::Path;

use super::state::{FORMAT_VERSION, State};
use crate::common::atomic_file;
use crate::common::regular_file::{self, ReadError};

/// The largest state file read: a full instance (100 alerts, 100 configurations, thousands of
/// users and queues) is a few megabytes.
pub const MAX_STATE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a state file could not be used. The file is left as it is.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("{path} is a directory; give a file for the state")]
    Directory { path: String },
    #[error("{path} is not a flex-alerts sandbox or emulator state file: {why}")]
    Foreign { path: String, why: String },
    #[error("{path} is not a flex-alerts state file (line {line}, column {column}: {message})")]
    Corrupt {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path} has state format {found}; this flex-alerts reads format {FORMAT_VERSION}")]
    Version { path: String, found: u64 },
}

/// What a state file holds, for the warning when others can read it.
pub const STATE_HOLDS: &str = "secrets (webhook URLs, the instance's credentials)";

/// Reads the state at `path`; `Ok(None)` when there is no file yet.
pub fn load(path: &Path) -> Result<Option<State>, LoadError> {
    let display = path.display().to_string();
    let text = match regular_file::read_text(path, MAX_STATE_BYTES) {
        Ok(text) => text,
        Err(error) if error.is_not_found() => return Ok(None),
        Err(ReadError::Directory) => return Err(LoadError::Directory { path: display }),
        Err(ReadError::Io(source)) if source.kind() != io::ErrorKind::InvalidData => {
            return Err(LoadError::Read {
                path: display,
                source,
            });
        }
        Err(why) => {
            return Err(LoadError::Foreign {
                path: display,
                why: why.to_string(),
            });
        }
    };
    let corrupt = |error: serde_json::Error| LoadError::Corrupt {
        path: display.clone(),
        line: error.line(),
        column: error.column(),
        message: error.to_string(),
    };
    let foreign = |why: &str| LoadError::Foreign {
        path: display.clone(),
        why: why.to_owned(),
    };
    // A state file cut short is ours but corrupt; JSON without our key is someone else's.
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|error| {
        if text.contains("\"format_version\"") {
            corrupt(error)
        } else {
            foreign(&format!(
                "it is not JSON (line {}, column {})",
                error.line(),
                error.column()
            ))
        }
    })?;
    let Some(found) = value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    else {
        return Err(foreign("it has no `format_version`"));
    };
    if found != u64::from(FORMAT_VERSION) {
        return Err(LoadError::Version {
            path: display,
            found,
        });
    }
    serde_json::from_value(value).map(Some).map_err(corrupt)
}

/// Replaces the state at `path` atomically and durably, readable by its owner only (it holds
/// the credentials and the webhook URLs).
pub fn save(path: &Path, state: &State) -> io::Result<()> {
    let mut text = serde_json::to_string_pretty(state).map_err(io::Error::other)?;
    text.push('\n');
    atomic_file::save_private_text(path, &text)
}
