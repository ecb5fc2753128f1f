//! One apply at a time per state directory (or sandbox file): an advisory file lock
//! (`apply.lock`), held for the whole apply and released by the operating system when the
//! process ends, however it ends, so a killed apply never leaves it stuck.
//!
//! Two CI jobs sharing `.flex-alerts/` therefore run one after the other; jobs on different
//! machines share no lock, and apply's own checks for other writers cover them.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::Error;

/// Held while it lives.
#[derive(Debug)]
pub struct ApplyLock {
    _file: File,
    pub path: PathBuf,
}

impl ApplyLock {
    /// Takes the lock at `path`, waiting up to `timeout` for another apply to finish;
    /// `waiting` is told once, with who holds it, when it has to wait.
    pub fn acquire(
        path: &Path,
        timeout: Duration,
        waiting: impl FnOnce(&str),
    ) -> Result<ApplyLock, Error> {
        let cannot = |error: std::io::Error| {
            Error::new(format!("cannot use the apply lock {}", path.display())).cause(error)
        };
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(cannot)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(cannot)?;
        let started = Instant::now();
        let mut waiting = Some(waiting);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    let holder = holder(&mut file);
                    if started.elapsed() >= timeout {
                        return Err(Error::new(format!(
                            "another apply holds {} ({holder}); gave up waiting after {}s",
                            path.display(),
                            timeout.as_secs()
                        ))
                        .hint("wait for it to finish, or raise --lock-timeout; two applies at once could each create the same alert"));
                    }
                    if let Some(tell) = waiting.take() {
                        tell(&format!(
                            "Waiting for another apply to finish ({holder}; lock {}, up to {}s)...",
                            path.display(),
                            timeout.as_secs()
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::Error(error)) => return Err(cannot(error)),
            }
        }
        // Say who holds it, for whoever waits next.
        let note = format!(
            "pid {}, since {} ms after the epoch\n",
            std::process::id(),
            crate::common::clock::system_clock()
        );
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(note.as_bytes()))
            .map_err(cannot)?;
        Ok(ApplyLock {
            _file: file,
            path: path.to_owned(),
        })
    }
}

fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file
        .rewind()
        .and_then(|()| (&mut *file).take(4096).read_to_string(&mut text));
    let text = text.trim();
    if text.is_empty() {
        "holder unknown".to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_gives_up_and_gets_it_once_released() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("apply.lock");
        let first = ApplyLock::acquire(&path, Duration::ZERO, |_| {}).unwrap();
        let mut told = String::new();
        let error = ApplyLock::acquire(&path, Duration::from_millis(300), |message| {
            told = message.to_owned()
        })
        .unwrap_err();
        assert!(
            told.starts_with("Waiting for another apply to finish (pid "),
            "{told}"
        );
        assert!(
            error.message.contains("another apply holds"),
            "{}",
            error.message
        );
        drop(first);
        ApplyLock::acquire(&path, Duration::ZERO, |_| {}).unwrap();
    }
}
