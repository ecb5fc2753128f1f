//! The apply journal: notification configurations created but not yet named by a rule.
//!
//! Flex's API cannot list notification configurations, so one that an interrupted apply
//! created and never attached would be invisible forever, counting against the cap of 100.
//! Apply writes each new TTID here the moment Flex returns it and removes it once a rule names
//! it (or it is deleted); the next plan deletes what is left. The file lives in
//! `.flex-alerts/` (or `$FLEX_ALERTS_STATE_DIR`), keyed by store, and holds only TTIDs.

use crate::lock::lock;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::emulator::persist;

pub const FILE_NAME: &str = "pending-configurations.json";

#[derive(Debug)]
pub struct Journal {
    /// `None`: not kept (the sandbox sees its orphans directly).
    path: Option<PathBuf>,
    key: String,
    entries: Mutex<BTreeMap<String, Vec<String>>>,
}

impl Journal {
    /// A journal that keeps nothing.
    pub fn disabled() -> Journal {
        Journal {
            path: None,
            key: String::new(),
            entries: Mutex::new(BTreeMap::new()),
        }
    }

    /// The journal for store `key` in `directory`; an unreadable file counts as empty.
    pub fn open(directory: PathBuf, key: &str) -> Journal {
        let path = directory.join(FILE_NAME);
        let entries = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        Journal {
            path: Some(path),
            key: key.to_owned(),
            entries: Mutex::new(entries),
        }
    }

    /// TTIDs created for this store and not yet named by a rule.
    pub fn pending(&self) -> Vec<String> {
        lock(&self.entries)
            .get(&self.key)
            .cloned()
            .unwrap_or_default()
    }

    pub fn record(&self, ttid: &str) {
        self.change(|pending| {
            if !pending.iter().any(|known| known == ttid) {
                pending.push(ttid.to_owned());
            }
        });
    }

    pub fn forget(&self, ttid: &str) {
        self.change(|pending| pending.retain(|known| known != ttid));
    }

    fn change(&self, edit: impl FnOnce(&mut Vec<String>)) {
        let Some(path) = &self.path else { return };
        let mut entries = lock(&self.entries);
        let before = entries.clone();
        edit(entries.entry(self.key.clone()).or_default());
        entries.retain(|_, pending| !pending.is_empty());
        if *entries != before {
            // Best effort: a journal that cannot be written only loses the cleanup it enables.
            let _ = persist::save_json(path, &*entries);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_reopening_and_forgetting_removes_them() {
        let directory = tempfile::tempdir().unwrap();
        let journal = Journal::open(directory.path().to_owned(), "store A");
        journal.record("flex_notificationconfiguration_a");
        journal.record("flex_notificationconfiguration_b");
        Journal::open(directory.path().to_owned(), "store B")
            .record("flex_notificationconfiguration_c");
        let reopened = Journal::open(directory.path().to_owned(), "store A");
        assert_eq!(
            reopened.pending(),
            [
                "flex_notificationconfiguration_a",
                "flex_notificationconfiguration_b"
            ]
        );
        reopened.forget("flex_notificationconfiguration_a");
        assert_eq!(
            Journal::open(directory.path().to_owned(), "store A").pending(),
            ["flex_notificationconfiguration_b"]
        );
        assert_eq!(
            Journal::open(directory.path().to_owned(), "store B").pending(),
            ["flex_notificationconfiguration_c"]
        );
    }
}
