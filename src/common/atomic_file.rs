//! Files flex-alerts writes (the emulator's state, the sandbox, saved plans, exports, the
//! apply journal's compaction): replaced atomically (write a temporary file beside it, fsync,
//! rename over, fsync the directory), so a killed process leaves either the old or the new
//! content and never half of it, and every acknowledged write is on disk. Files that hold
//! secrets are created readable by their owner only.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Files that hold secrets: read and written by their owner only.
pub const PRIVATE: u32 = 0o600;

/// Whether others than the owner may read or write the file at `path` (false when it does
/// not exist).
pub fn open_to_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|meta| meta.permissions().mode() & 0o077 != 0)
}

/// A warning for a private file that others may read, saying what it `holds`, or `None`.
pub fn loose_permissions_warning(path: &Path, holds: &str) -> Option<String> {
    open_to_others(path).then(|| {
        format!(
            "warning: others on this machine can read {}, which holds {holds}; `chmod 600 {}` closes it",
            path.display(),
            path.display()
        )
    })
}

/// Replaces the JSON file at `path` with `value`, atomically and durably.
pub fn save_json(path: &Path, value: &impl serde::Serialize) -> io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    text.push('\n');
    save_text(path, &text)
}

/// Removes the temporary files (`.NAME.PID.tmp`) that a process killed in the middle of a
/// save left in `directory`, when that process is gone. Best effort; returns how many.
pub fn remove_stale_temporaries(directory: &Path) -> usize {
    let Ok(entries) = fs::read_dir(directory) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix('.')
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.rsplit_once('.'))
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !process_gone(pid) {
            continue;
        }
        if fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Whether process `pid` has ended. Where `/proc` is missing, a file can only be judged by
/// age, so it counts as gone after an hour.
fn process_gone(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return !proc.join(pid.to_string()).exists();
    }
    true
}

/// Replaces the file at `path` with `text`, atomically and durably.
pub fn save_text(path: &Path, text: &str) -> io::Result<()> {
    write_atomically(path, text, 0o644)
}

/// `save_text` for a file that holds secrets: readable by its owner only.
pub fn save_private_text(path: &Path, text: &str) -> io::Result<()> {
    write_atomically(path, text, PRIVATE)
}

/// Writes a temporary file with `mode` (before the umask), fsyncs it, and renames it over
/// `path`.
fn write_atomically(path: &Path, text: &str, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::create_dir_all(directory)?;
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = directory.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)?;
    // Make the rename itself durable; not every platform can open a directory, so best effort.
    if let Ok(directory) = File::open(directory) {
        let _ = directory.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_of_ended_processes_are_removed_and_others_kept() {
        let directory = tempfile::tempdir().unwrap();
        let mine = directory
            .path()
            .join(format!(".state.json.{}.tmp", std::process::id()));
        // Far above any pid_max, so no such process runs.
        let stale = directory.path().join(".state.json.999999999.tmp");
        let other = directory.path().join("notes.tmp");
        for path in [&mine, &stale, &other] {
            fs::write(path, "x").unwrap();
        }
        assert_eq!(remove_stale_temporaries(directory.path()), 1);
        assert!(mine.exists() && other.exists() && !stale.exists());
    }
}
