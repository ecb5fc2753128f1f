//! Finding and reading alert files: the paths users give, directories walked in sorted order
//! (other YAML in a repository skipped, with the reason), and the guards that keep a huge or
//! binary file from reaching the YAML parser.

use std::fs;
use std::path::{Path, PathBuf};

use super::diagnostic::Diagnostic;
use crate::evaluate::test_file::is_test_file;

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
                let before = (found.sources.len(), found.tests.len(), found.skipped.len());
                walk(path, &mut found);
                let (sources_before, tests_before, skipped_before) = before;
                if found.sources.len() == sources_before && found.tests.len() == tests_before {
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
            Ok(_) if is_test_file(&display) => found.tests.push(path.clone()),
            Ok(_)
                if path
                    .file_name()
                    .is_some_and(|name| name == crate::project::FILE_NAME) =>
            {
                found.problems.push(
                    Diagnostic::error(
                        &display,
                        None,
                        "this is the project file, not an alert file",
                    )
                    .with_hint(
                        "give the alert files, or nothing: the project file says where they are",
                    ),
                )
            }
            Ok(_) => found.add(read(path)),
        }
    }
    found.sources.dedup_by(|a, b| a.display == b.display);
    found.tests.dedup();
    found
}

impl Discovery {
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
            for path in paths.iter().filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "yaml" || extension == "yml")
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
        } else if name == crate::project::FILE_NAME {
            // The project file: read by every command, never as an alert file.
        } else if is_test_file(name) {
            found.tests.push(path);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
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

/// Why a YAML file met in a directory is not an alert file, or `None` when it is one (or
/// might be: a file that looks like an alert file with a mistake in its top level is read
/// and reported, never skipped). The rule, on the text so that broken YAML is judged too:
/// a file is an alert file when it names the alert schema (`flex-alerts.schema.json`) in a
/// `$schema=` comment, or one of its top-level keys is `alerts` or `settings` (or within two typos of them, in any
/// case), or its only top-level key is `version`, or it has both `metric:` and `thresholds:`
/// keys at any depth. Overlay files (their schema named, or an `overlay` key) and everything
/// else (CI workflows, docker-compose, Kubernetes manifests, empty files) are skipped.
pub fn not_an_alert_file(text: &str) -> Option<String> {
    let modeline = |schema: &str| {
        text.lines().any(|line| {
            let line = line.trim_start();
            line.starts_with('#') && line.contains("$schema=") && line.contains(schema)
        })
    };
    if modeline("flex-alerts-overlay.schema.json") {
        return Some("an overlay file, read in its environment (`--env`)".into());
    }
    if modeline("flex-alerts.schema.json") {
        return None;
    }
    // Keys at any depth, as `key:` or `- key:`: `metric` and `thresholds` together mark alerts
    // written without their `alerts:` parent.
    let has_key = |wanted: &str| {
        text.lines().any(|line| {
            let line = line.trim_start().trim_start_matches("- ").trim_start();
            line.strip_prefix(wanted)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
    };
    if has_key("metric") && has_key("thresholds") {
        return None;
    }
    let mut keys: Vec<&str> = Vec::new();
    let mut is_list = false;
    for line in text.lines() {
        let Some(first) = line.chars().next() else {
            continue;
        };
        if first.is_whitespace()
            || first == '#'
            || line.starts_with("---")
            || line.starts_with("...")
        {
            continue;
        }
        if first == '{' {
            return None; // a flow mapping at the top: read it and let the schema judge
        }
        let key_part = match line.strip_prefix('-') {
            Some(item) => {
                is_list = true;
                item
            }
            None => line,
        };
        if let Some((key, _)) = key_part.split_once(':') {
            keys.push(key.trim().trim_matches(|c| c == '"' || c == '\''));
        }
    }
    if keys.contains(&"overlay") {
        return Some("an overlay file, read in its environment (`--env`)".into());
    }
    let near = |key: &str, word: &str| strsim::levenshtein(&key.to_lowercase(), word) <= 2;
    let alert_key = keys
        .iter()
        .any(|key| near(key, "alerts") || near(key, "settings"));
    if alert_key || keys == ["version"] {
        return None;
    }
    if is_list {
        return Some("its top level is a list, not a mapping".into());
    }
    if keys.is_empty() {
        return Some("it holds no YAML keys".into());
    }
    let shown: Vec<String> = keys.iter().take(4).map(|key| format!("`{key}`")).collect();
    let more = if keys.len() > 4 { ", ..." } else { "" };
    Some(format!(
        "no top-level `alerts` or `settings` key (it has {}{more})",
        shown.join(", ")
    ))
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

#[cfg(test)]
mod tests {
    use super::not_an_alert_file;

    #[test]
    fn alert_files_are_recognised_even_with_top_level_mistakes() {
        for text in [
            "version: 1\nalerts: []\n",
            "settings:\n  prune: true\n",
            "version: 1\nalert:\n  - name: x\n", // a typo of `alerts`
            "version: 1\nAlerts: []\n",          // another case
            "version: 1\n",                      // only a version so far
            "- name: x\n  metric: Waiting (Now)\n  thresholds: {}\n", // alerts without `alerts:`
            "- version: 1\n",                    // a stray `- ` before the top level
            "# yaml-language-server: $schema=../schemas/flex-alerts.schema.json\nfoo: 1\n",
            "{version: 1, alerts: []}\n",
        ] {
            assert_eq!(not_an_alert_file(text), None, "{text:?}");
        }
    }

    #[test]
    fn other_yaml_is_skipped_with_its_reason() {
        let workflow = "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n";
        assert_eq!(
            not_an_alert_file(workflow).unwrap(),
            "no top-level `alerts` or `settings` key (it has `name`, `on`, `jobs`)"
        );
        let compose = "version: '3'\nservices:\n  web:\n    image: nginx\n";
        assert!(
            not_an_alert_file(compose)
                .unwrap()
                .contains("`version`, `services`")
        );
        let many = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n";
        assert!(not_an_alert_file(many).unwrap().ends_with("`d`, ...)"));
        assert_eq!(
            not_an_alert_file("- hosts: all\n  tasks: []\n").unwrap(),
            "its top level is a list, not a mapping"
        );
        assert_eq!(
            not_an_alert_file("# nothing yet\n").unwrap(),
            "it holds no YAML keys"
        );
        // Overlay files, by their schema or their `overlay` key, have alerts but are not ours.
        for overlay in [
            "# yaml-language-server: $schema=../../schemas/flex-alerts-overlay.schema.json\nversion: 1\nalerts: []\n",
            "version: 1\noverlay: []\nalerts: []\n",
        ] {
            assert!(
                not_an_alert_file(overlay)
                    .unwrap()
                    .starts_with("an overlay file")
            );
        }
    }
}
