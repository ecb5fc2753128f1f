//! What kind of flex-alerts file a path holds: an alert file, an overlay file, a rule test
//! file or the project file, or another YAML file (and why). Decided here only: discovery,
//! `validate` and every loader ask this module.

/// The project file's name: found upwards from the current directory, never an alert file.
pub const PROJECT_FILE_NAME: &str = "flex-alerts.yaml";

/// The kinds of file flex-alerts reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Alerts and settings (`schemas/flex-alerts.schema.json`).
    Alerts,
    /// An environment's changes to the alerts (`schemas/flex-alerts-overlay.schema.json`).
    Overlay,
    /// Rule tests, `*.test.yaml` (`schemas/flex-alerts-test.schema.json`).
    RuleTest,
    /// `flex-alerts.yaml` (`schemas/flex-alerts-project.schema.json`).
    Project,
}

impl FileKind {
    /// The kind a file's name decides alone (the project file, rule test files); `None` when
    /// its content decides.
    pub fn of_name(name: &str) -> Option<FileKind> {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        if base == PROJECT_FILE_NAME {
            Some(FileKind::Project)
        } else if base.ends_with(".test.yaml") || base.ends_with(".test.yml") {
            Some(FileKind::RuleTest)
        } else {
            None
        }
    }

    /// The file name of this kind's committed schema, in `schemas/`.
    pub fn schema_file(self) -> &'static str {
        match self {
            FileKind::Alerts => "flex-alerts.schema.json",
            FileKind::Overlay => "flex-alerts-overlay.schema.json",
            FileKind::RuleTest => "flex-alerts-test.schema.json",
            FileKind::Project => "flex-alerts-project.schema.json",
        }
    }
}

/// Whether a file name is YAML's (`*.yaml`, `*.yml`).
pub fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// Why a YAML file met in a directory is not an alert file, or `None` when it is one (or
/// might be: a file that looks like an alert file with a mistake in its top level is read
/// and reported, never skipped). The rule, on the text so that broken YAML is judged too:
/// a file is an alert file when it names the alert schema (`flex-alerts.schema.json`) in a
/// `$schema=` comment, or one of its top-level keys is `alerts` or `settings` (or within two
/// typos of them, in any case) or `forget`, or its only top-level key is `version`, or it has
/// both `metric:` and `thresholds:` keys at any depth. Overlay files (their schema named, or an `overlay` key) and everything
/// else (CI workflows, docker-compose, Kubernetes manifests, empty files) are skipped.
pub fn not_an_alert_file(text: &str) -> Option<String> {
    let modeline = |schema: &str| {
        text.lines().any(|line| {
            let line = line.trim_start();
            line.starts_with('#') && line.contains("$schema=") && line.contains(schema)
        })
    };
    if modeline(FileKind::Overlay.schema_file()) {
        return Some("an overlay file, read in its environment (`--env`)".into());
    }
    if modeline(FileKind::Alerts.schema_file()) {
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
        .any(|key| near(key, "alerts") || near(key, "settings") || *key == "forget");
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
