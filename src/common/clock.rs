//! The wall clock, as a plain function so that tests can fix it (the emulator's engine and
//! the apply journal take a `Clock`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub type Clock = fn() -> u64;

/// The system's clock, in milliseconds since the Unix epoch (0 before 1970).
pub fn system_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as u64)
        .unwrap_or_default()
}
