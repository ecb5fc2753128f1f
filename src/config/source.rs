//! Finding and reading alert files: the paths users give, directories walked in sorted order
//! (other YAML in a repository skipped, with the reason), and the guards that keep a huge or
//! binary file from reaching the YAML parser.

use std::fs;
use std::path::{Path, PathBuf};

use super::diagnostic::Diagnostic;
use super::kind::{FileKind, is_yaml, not_an_alert_file};
use super::source_file::SourceFile;
use crate::common::regular_file::{self, ReadError};

/// Files larger than this are refused: a real alert file is a few kilobytes, and the limit
/// keeps a mistaken path (a log, a dump) from being parsed at all.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The alert files under `paths`, read (each once), and what was found on the way.
#[derive(Debug, Default)]
pub struct Discovery {
    pub sources: Vec<SourceFile>,
    /// Rule test files (`*.test.yaml`): never read as alert files.
    pub tests: Vec<PathBuf>,
    /// Missing paths, unreadable directories and files, directories without alert files:
    /// errors.
    pub problems: Vec<Diagnostic>,
    /// YAML files met while walking a directory that are not alert files: notes saying why.
    pub skipped: Vec<Diagnostic>,
    /// Real paths of the directories entered and the files read: a symbolic link is followed,
    /// but nothing is entered or read twice (a link loop ends, a linked copy is not doubled).
    visited: std::collections::HashSet<PathBuf>,
}

/// The alert files and rule test files (`*.test.yaml`) under `paths`: files as given (always
/// read, whatever they hold), directories recursively in sorted order. In a directory, hidden directories (`.git`,
/// `.github`) and `node_modules` are not entered, and a `*.yaml` / `*.yml` file is read only
/// when it looks like an alert file (see [`not_an_alert_file`]); the others are skipped with
/// a note. Problems are diagnostics, not early returns, so one run reports them all.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut found = Discovery::default();
    for path in paths {
        let display = path.display().to_string();
        match fs::metadata(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => found.problems.push(
                Diagnostic::error(&display, None, format!("`{display}` does not exist"))
                    .with_hint("give alert files or directories that hold them"),
            ),
            Err(error) => found.problems.push(
                Diagnostic::error(&display, None, format!("cannot read this path: {error}"))
                    .with_hint("give alert files or directories that hold them"),
            ),
            Ok(meta) if meta.is_dir() => {
                let before = (
                    found.sources.len(),
                    found.tests.len(),
                    found.skipped.len(),
                    found.problems.len(),
                );
                walk(path, &mut found);
                let (sources_before, tests_before, skipped_before, problems_before) = before;
                if found.sources.len() == sources_before
                    && found.tests.len() == tests_before
                    && found.problems.len() == problems_before
                {
                    let message = if found.skipped.len() == skipped_before {
                        "no *.yaml or *.yml files here"
                    } else {
                        "no alert files here: every YAML file in it was skipped (see the notes)"
                    };
                    found
                        .problems
                        .push(Diagnostic::error(&display, None, message).with_hint(
                            "alert files end in .yaml or .yml and have a top-level `alerts:` key",
                        ));
                }
            }
            Ok(_) if FileKind::of_name(&display) == Some(FileKind::RuleTest) => {
                found.tests.push(path.clone())
            }
            Ok(_) if FileKind::of_name(&display) == Some(FileKind::Project) => found.problems.push(
                Diagnostic::error(
                    &display,
                    None,
                    "this is the project file, not an alert file",
                )
                .with_hint(
                    "give the alert files, or nothing: the project file says where they are",
                ),
            ),
            Ok(_) => {
                if found.first_visit(path) {
                    found.add(read(path));
                }
            }
        }
    }
    found.sources.dedup_by(|a, b| a.display == b.display);
    found.tests.dedup();
    found
}

impl Discovery {
    /// Whether `path` (a file or directory) is met for the first time, by its real path.
    fn first_visit(&mut self, path: &Path) -> bool {
        let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        self.visited.insert(real)
    }

    /// A file read, or why it could not be.
    fn add(&mut self, read: Result<SourceFile, Diagnostic>) {
        match read {
            Ok(source) => self.sources.push(source),
            Err(problem) => self.problems.push(problem),
        }
    }
}

/// The overlay files (`*.yaml`, `*.yml`) in an environment's overlay directory, read.
pub fn discover_overlays(directory: &Path) -> Discovery {
    let mut found = Discovery::default();
    let display = directory.display().to_string();
    match fs::read_dir(directory) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            // Overlay files only: the project file and rule tests (`overlay: ./`) are not.
            for path in paths.iter().filter(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| is_yaml(name) && FileKind::of_name(name).is_none())
            }) {
                found.add(read(path));
            }
        }
        Err(error) => found.problems.push(
            Diagnostic::error(&display, None, format!("cannot read the overlay directory: {error}"))
                .with_hint("the environment's `overlay` in flex-alerts.yaml names a directory of overlay files"),
        ),
    }
    found
}

/// Directories never entered: hidden ones (`.git`, `.github`, `.flex-alerts`) and
/// JavaScript dependencies.
fn entered(name: &str) -> bool {
    !name.starts_with('.') && name != "node_modules"
}

fn walk(dir: &Path, found: &mut Discovery) {
    if !found.first_visit(dir) {
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            found.problems.push(Diagnostic::error(
                &dir.display().to_string(),
                None,
                format!("cannot list this directory: {error}"),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if entered(name) {
                walk(&path, found);
            }
        } else if FileKind::of_name(name) == Some(FileKind::Project) {
            // The project file: read by every command, never as an alert file.
        } else if !is_yaml(name) || !found.first_visit(&path) {
            // Not YAML, or a file already met through a symbolic link: read once.
        } else if let Err(why) = regular_file::check(&path, u64::MAX) {
            found.skipped.push(Diagnostic::note(
                &path.display().to_string(),
                None,
                format!("skipped, not an alert file: {why}"),
            ));
        } else if FileKind::of_name(name) == Some(FileKind::RuleTest) {
            found.tests.push(path);
        } else {
            // Judged on what it holds (at most its first MAX_FILE_BYTES, so a large file of
            // another kind is skipped, not refused); a file that cannot be judged is read
            // and its problem reported rather than skipped.
            let head = fs::File::open(&path).and_then(|file| {
                let mut head = Vec::new();
                std::io::Read::read_to_end(
                    &mut std::io::Read::take(file, MAX_FILE_BYTES),
                    &mut head,
                )
                .map(|_| head)
            });
            match head
                .ok()
                .and_then(|head| not_an_alert_file(&String::from_utf8_lossy(&head)))
            {
                None => found.add(read(&path)),
                Some(reason) => found.skipped.push(Diagnostic::note(
                    &path.display().to_string(),
                    None,
                    format!("skipped, not an alert file: {reason}"),
                )),
            }
        }
    }
}

/// Reads one file, refusing anything too large or not UTF-8 text.
pub fn read(path: &Path) -> Result<SourceFile, Diagnostic> {
    let display = path.display().to_string();
    let bytes = regular_file::read(path, MAX_FILE_BYTES).map_err(|error| match error {
        ReadError::TooLarge { size, .. } => Diagnostic::error(
            &display,
            None,
            format!("file is {size} bytes; alert files may be at most {MAX_FILE_BYTES} bytes"),
        )
        .with_hint("split the alerts over several files"),
        ReadError::NotRegular(_) => {
            Diagnostic::error(&display, None, format!("cannot read this file: {error}"))
                .with_hint("flex-alerts reads regular files only")
        }
        error => Diagnostic::error(&display, None, format!("cannot read this file: {error}")),
    })?;
    from_bytes(display, bytes)
}

/// Checks that `bytes` are text an alert file can hold.
pub fn from_bytes(display: String, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(Diagnostic::error(
            &display,
            None,
            format!("not a text file (NUL byte at offset {at})"),
        )
        .with_hint("alert files are UTF-8 YAML text"));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile {
            display,
            text: text
                .strip_prefix('\u{feff}')
                .map(str::to_owned)
                .unwrap_or(text),
        }),
        Err(error) => Err(Diagnostic::error(
            &display,
            None,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                error.utf8_error().valid_up_to()
            ),
        )
        .with_hint("save the file as UTF-8")),
    }
}
