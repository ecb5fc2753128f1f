//! `applied.json` in the state directory (`.flex-alerts/` or `$FLEX_ALERTS_STATE_DIR`): what
//! the last apply to each store left, per alert (its fingerprint, when, whether protected), for
//! drift and remembered protection. Written by apply under the apply lock, atomically; read by
//! plan. Holds SIDs, names and hashes only, never a secret. A file that cannot be read is said
//! and treated as empty (drift is then not named), never trusted half-read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::common::{atomic_file, regular_file};
use crate::plan::Applied;

pub const FILE_NAME: &str = "applied.json";

/// A record is about 200 bytes; 100 alerts in many stores stay far below this.
const MAX_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppliedFile {
    format_version: u32,
    /// By store, as flex-alerts describes it.
    stores: BTreeMap<String, Applied>,
}

/// The file in `state_directory`.
pub fn path_in(state_directory: &Path) -> PathBuf {
    state_directory.join(FILE_NAME)
}

fn read_all(path: &Path) -> Result<AppliedFile, String> {
    match regular_file::read_text(path, MAX_BYTES) {
        Ok(text) => {
            let file: AppliedFile =
                serde_json::from_str(&text).map_err(|error| error.to_string())?;
            if file.format_version != 1 {
                return Err(format!("format {} is not 1", file.format_version));
            }
            Ok(file)
        }
        Err(error) if error.is_not_found() => Ok(AppliedFile {
            format_version: 1,
            stores: BTreeMap::new(),
        }),
        Err(error) => Err(error.to_string()),
    }
}

/// What the last apply to `store` left; with a note when the file could not be read.
pub fn load(path: &Path, store: &str) -> (Applied, Option<String>) {
    match read_all(path) {
        Ok(mut file) => (file.stores.remove(store).unwrap_or_default(), None),
        Err(reason) => (
            Applied::default(),
            Some(format!(
                "note: {} cannot be read ({reason}), so drift is not named; the next apply writes it again",
                path.display()
            )),
        ),
    }
}

/// Replaces the records of `store`, keeping the other stores'.
pub fn save(path: &Path, store: &str, applied: Applied) -> std::io::Result<()> {
    let mut file = read_all(path).unwrap_or_default();
    file.format_version = 1;
    if applied.0.is_empty() {
        file.stores.remove(store);
    } else {
        file.stores.insert(store.to_owned(), applied);
    }
    if let Some(directory) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(directory)?;
    }
    atomic_file::save_json(path, &file)
}
