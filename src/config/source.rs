//! Finding and reading alert files: the paths users give, directories walked in sorted order,
//! and the guards that keep a huge or binary file from reaching the YAML parser.

use std::fs;
use std::path::{Path, PathBuf};

use super::diagnostic::Diagnostic;

/// Files larger than this are refused: a real alert file is a few kilobytes, and the limit
/// keeps a mistaken path (a log, a dump) from being parsed at all.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// One alert file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to users (relative, as given).
    pub display: String,
    pub text: String,
}

/// The `*.yaml` / `*.yml` files under `paths`: files as given, directories recursively in
/// sorted order (hidden directories such as `.git` skipped). Problems are diagnostics, not
/// early returns, so one run reports them all.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let display = path.display().to_string();
        match fs::metadata(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => problems.push(
                Diagnostic::error(&display, None, format!("`{display}` does not exist"))
                    .with_hint("give alert files or directories that hold them"),
            ),
            Err(error) => problems.push(
                Diagnostic::error(&display, None, format!("cannot read this path: {error}"))
                    .with_hint("give alert files or directories that hold them"),
            ),
            Ok(meta) if meta.is_dir() => {
                let before = files.len();
                walk(path, &mut files, &mut problems);
                if files.len() == before {
                    problems.push(
                        Diagnostic::error(&display, None, "no *.yaml or *.yml files here")
                            .with_hint("alert files end in .yaml or .yml"),
                    );
                }
            }
            Ok(_) => files.push(path.clone()),
        }
    }
    files.dedup();
    (files, problems)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<Diagnostic>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(Diagnostic::error(
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
            if !name.starts_with('.') {
                walk(&path, files, problems);
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            files.push(path);
        }
    }
}

/// Reads one file, refusing anything too large or not UTF-8 text.
pub fn read(path: &Path) -> Result<SourceFile, Diagnostic> {
    let display = path.display().to_string();
    let size = fs::metadata(path)
        .map_err(|e| Diagnostic::error(&display, None, format!("cannot read this file: {e}")))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            &display,
            None,
            format!("file is {size} bytes; alert files may be at most {MAX_FILE_BYTES} bytes"),
        )
        .with_hint("split the alerts over several files"));
    }
    let bytes = fs::read(path)
        .map_err(|e| Diagnostic::error(&display, None, format!("cannot read this file: {e}")))?;
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
