//! Protection: a plan that would delete or replace a protected alert fails before any write,
//! naming the alert and why, unless `--allow-protected NAME` names it. An alert is protected
//! by `protect: true` in its file (remembered by the last apply, so removing the declaration
//! does not lift it), or by its environment's `protect: [delete, replace]`. Copies under one
//! declared name are repaired whatever the protection: the alert itself stays.

use super::{Action, Entry, Problem};
use crate::config::model::ProtectKind;

/// What a plan may not do, and to which alerts it may anyway.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Protection {
    /// The environment's `protect:` (with the environment's name, for messages).
    pub environment: Option<(String, Vec<ProtectKind>)>,
    /// `--allow-protected`: names (or globs) this plan may delete or replace anyway.
    pub allowed: Vec<String>,
}

impl Protection {
    fn environment_protects(&self, kind: ProtectKind) -> Option<&str> {
        self.environment
            .as_ref()
            .filter(|(_, kinds)| kinds.contains(&kind))
            .map(|(name, _)| name.as_str())
    }

    fn allows(&self, name: &str) -> bool {
        self.allowed
            .iter()
            .any(|pattern| super::scope::glob_match(pattern, name))
    }

    /// A problem for each entry that deletes or replaces a protected alert not allowed.
    /// `protected_since` says, for an undeclared alert the last apply recorded as protected,
    /// when that apply ran.
    pub fn check(
        &self,
        entries: &[Entry],
        protected_since: &dyn Fn(&Entry) -> Option<String>,
    ) -> Vec<Problem> {
        let mut problems = Vec::new();
        for entry in entries {
            let (kind, what) = match entry.action {
                Action::Replace(_) => (
                    ProtectKind::Replace,
                    "replace it (delete it and create it again)",
                ),
                Action::Delete => (ProtectKind::Delete, "delete it"),
                _ => continue,
            };
            if self.allows(&entry.name) {
                continue;
            }
            let by_alert = match (&entry.origin, kind) {
                (Some(origin), _) if entry.protected => {
                    Some(format!("`protect: true` at {origin}"))
                }
                (None, ProtectKind::Delete) => protected_since(entry).map(|at| {
                    format!("it was declared with `protect: true` when last applied ({at})")
                }),
                _ => None,
            };
            let by_environment = self.environment_protects(kind).map(|environment| {
                format!(
                    "environment {environment} protects every alert from {}",
                    match kind {
                        ProtectKind::Delete => "delete",
                        ProtectKind::Replace => "replace",
                    }
                )
            });
            let Some(why) = by_alert.or(by_environment) else {
                continue;
            };
            problems.push(Problem {
                message: format!(
                    "alert `{}` is protected ({why}), and this plan would {what}: {}",
                    entry.name, entry.reason
                ),
                hint: Some(format!(
                    "if that is intended, run again with --allow-protected \"{}\"",
                    entry.name
                )),
            });
        }
        problems
    }
}
