//! `--target` and `--exclude`: which alerts a plan may touch, by name or shell-style glob
//! (`*`, `?`, `[...]`), matching an alert's declared name, its `renamed_from` names and its live
//! name. What a plan leaves out stays as it is live, and still counts against the caps.

use crate::common::suggest;

/// The alerts a plan is limited to; empty: every alert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// `--target`: only alerts one of these matches (none given: all).
    pub targets: Vec<String>,
    /// `--exclude`: never alerts one of these matches.
    pub excludes: Vec<String>,
}

/// What a targeted plan says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSummary {
    pub targets: Vec<String>,
    pub excludes: Vec<String>,
    /// Alerts the scope left out.
    pub left_out: usize,
    /// Of those, the live ones, and the live ones with a notification configuration: they
    /// stay, so they count against the caps.
    pub left_out_live: usize,
    pub left_out_configs: usize,
}

impl ScopeSummary {
    /// `targeting in effect (--target "Billing*"): 5 alerts left out, as they are live`.
    pub fn describe(&self) -> String {
        let flags: Vec<String> = self
            .targets
            .iter()
            .map(|target| format!("--target \"{target}\""))
            .chain(
                self.excludes
                    .iter()
                    .map(|exclude| format!("--exclude \"{exclude}\"")),
            )
            .collect();
        format!(
            "Targeting in effect ({}): {} alert{} left out, kept as they are live; the caps count them",
            flags.join(" "),
            self.left_out,
            if self.left_out == 1 { "" } else { "s" }
        )
    }
}

impl Scope {
    pub fn is_everything(&self) -> bool {
        self.targets.is_empty() && self.excludes.is_empty()
    }

    /// Whether an alert known by `names` is in scope.
    pub fn includes(&self, names: &[&str]) -> bool {
        let matches = |patterns: &[String]| {
            patterns
                .iter()
                .any(|pattern| names.iter().any(|name| glob_match(pattern, name)))
        };
        (self.targets.is_empty() || matches(&self.targets)) && !matches(&self.excludes)
    }

    /// A message for each `--target` or `--exclude` that matches no name of `known`.
    pub fn unknown(&self, known: &[String]) -> Vec<(String, Option<String>)> {
        let mut unknown = unknown_patterns("--target", &self.targets, known);
        unknown.extend(unknown_patterns("--exclude", &self.excludes, known));
        unknown
    }
}

/// A message for each of `patterns` (given with `flag`) that matches none of `known` (every
/// name the files and the store know), with the closest name when one is close.
pub fn unknown_patterns(
    flag: &str,
    patterns: &[String],
    known: &[String],
) -> Vec<(String, Option<String>)> {
    patterns
        .iter()
        .filter(|pattern| !known.iter().any(|name| glob_match(pattern, name)))
        .map(|pattern| {
            let message = format!(
                "{flag} \"{pattern}\" matches no alert in the files or the store{}",
                if is_glob(pattern) {
                    ""
                } else {
                    " by that name"
                }
            );
            let hint = suggest::closest(pattern, known).map(|name| {
                format!(
                    "did you mean \"{name}\"? names match exactly, or by glob (`*`, `?`, `[...]`)"
                )
            });
            (message, hint)
        })
        .collect()
}

fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// Shell-style matching of a whole name: `*` any run of characters, `?` one character,
/// `[abc]`, `[a-z]`, `[!a]` one of (or none of) a set, `\x` the character x.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    matches_from(&pattern, &name)
}

fn matches_from(pattern: &[char], name: &[char]) -> bool {
    match pattern.first() {
        None => name.is_empty(),
        Some('*') => (0..=name.len()).any(|skip| matches_from(&pattern[1..], &name[skip..])),
        Some('?') => !name.is_empty() && matches_from(&pattern[1..], &name[1..]),
        Some('[') => match (set_end(pattern), name.first()) {
            (Some(end), Some(&first)) => {
                in_set(&pattern[1..end], first) && matches_from(&pattern[end + 1..], &name[1..])
            }
            (Some(_), None) => false,
            // An unclosed `[` is itself.
            (None, _) => name.first() == Some(&'[') && matches_from(&pattern[1..], &name[1..]),
        },
        Some('\\') if pattern.len() > 1 => {
            name.first() == Some(&pattern[1]) && matches_from(&pattern[2..], &name[1..])
        }
        Some(&literal) => name.first() == Some(&literal) && matches_from(&pattern[1..], &name[1..]),
    }
}

/// The index of the `]` that closes the set opening `pattern`; a `]` first in the set is a
/// member.
fn set_end(pattern: &[char]) -> Option<usize> {
    let start = if matches!(pattern.get(1), Some('!' | '^')) {
        2
    } else {
        1
    };
    (start + 1..pattern.len()).find(|&index| pattern[index] == ']')
}

fn in_set(set: &[char], wanted: char) -> bool {
    let (negated, set) = match set.first() {
        Some('!') | Some('^') => (true, &set[1..]),
        _ => (false, set),
    };
    let mut found = false;
    let mut index = 0;
    while index < set.len() {
        if index + 2 < set.len() && set[index + 1] == '-' {
            found |= set[index] <= wanted && wanted <= set[index + 2];
            index += 3;
        } else {
            found |= set[index] == wanted;
            index += 1;
        }
    }
    found != negated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_names() {
        assert!(glob_match("Billing*", "Billing voice - waiting"));
        assert!(!glob_match("Billing*", "Support billing"));
        assert!(glob_match("*waiting*", "Billing voice - waiting"));
        assert!(glob_match("Queue ?", "Queue 7"));
        assert!(!glob_match("Queue ?", "Queue 17"));
        assert!(glob_match("Queue [0-4]", "Queue 3"));
        assert!(!glob_match("Queue [0-4]", "Queue 5"));
        assert!(glob_match("Queue [!0-4]", "Queue 5"));
        assert!(glob_match("a\\*b", "a*b"));
        assert!(!glob_match("a\\*b", "axb"));
        assert!(glob_match("[]]", "]"));
        assert!(glob_match("open [", "open ["));
        assert!(glob_match("Exact name", "Exact name"));
        assert!(!glob_match("Exact name", "Exact names"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn targets_and_excludes_combine() {
        let scope = Scope {
            targets: vec!["Billing*".into()],
            excludes: vec!["*email*".into()],
        };
        assert!(scope.includes(&["Billing voice"]));
        assert!(!scope.includes(&["Billing email"]));
        assert!(!scope.includes(&["Support voice"]));
        // An earlier name counts.
        assert!(scope.includes(&["Support voice", "Billing voice (old)"]));
        assert!(Scope::default().includes(&["anything"]));
    }

    #[test]
    fn an_unknown_name_is_reported_with_the_closest() {
        let scope = Scope {
            targets: vec!["Biling voice".into(), "Zzz*".into()],
            excludes: vec![],
        };
        let known = vec!["Billing voice".to_owned(), "Support".to_owned()];
        let unknown = scope.unknown(&known);
        assert_eq!(unknown.len(), 2);
        assert!(unknown[0].0.contains("\"Biling voice\" matches no alert"));
        assert!(
            unknown[0]
                .1
                .as_deref()
                .unwrap()
                .contains("\"Billing voice\"")
        );
        assert!(unknown[1].1.is_none());
    }
}
