//! What plan, apply and export share: opening the store the user named (and saying which in
//! the first line), loading the alert files, and reading the live state with the leftovers
//! the apply journal knows of.

use std::path::{Path, PathBuf};

use crate::apply::journal::Journal;
use crate::cli::{Cli, paths_or_current};
use crate::config::{self, desired::Desired};
use crate::emulator::persist;
use crate::error::Error;
use crate::output::Output;
use crate::store::{AnyStore, Live, Store};

/// The store, its journal, and a runtime to talk to it.
pub struct Session {
    pub store: AnyStore,
    pub journal: Journal,
    pub runtime: tokio::runtime::Runtime,
    pub concurrency: usize,
}

impl Session {
    /// Opens the store and prints the line that says which it is.
    pub fn open(cli: &Cli, output: &Output) -> Result<Session, Error> {
        let env = |name: &str| std::env::var(name).ok();
        let store = AnyStore::open(&cli.store, &env, cli.concurrency)?;
        if store.is_sandbox() {
            output.line(&format!("Using {}.", store.describe()));
        } else {
            output.line(&format!("Store: {}.", store.describe()));
        }
        let journal = if store.is_sandbox() {
            Journal::disabled()
        } else {
            let directory = std::env::var_os("FLEX_ALERTS_STATE_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".flex-alerts"));
            Journal::open(directory, &store.describe())
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|error| Error::new("cannot start the async runtime").cause(error))?;
        Ok(Session {
            store,
            journal,
            runtime,
            concurrency: cli.concurrency,
        })
    }

    /// The live state, plus configurations an interrupted apply left behind.
    pub fn snapshot(&self) -> Result<Live, Error> {
        self.runtime.block_on(async {
            let mut live = self.store.snapshot().await?;
            for ttid in self.journal.pending() {
                let named = live
                    .rules
                    .iter()
                    .any(|rule| rule.notify_methods_id.as_deref() == Some(ttid.as_str()));
                if named {
                    self.journal.forget(&ttid);
                } else if self.store.fetch_config(&ttid).await?.is_some() {
                    if !live.orphan_configs.contains(&ttid) {
                        live.orphan_configs.push(ttid);
                    }
                } else {
                    self.journal.forget(&ttid);
                }
            }
            Ok(live)
        })
    }
}

/// Loads and checks the alert files, printing every problem; an error if any is an error.
pub fn load_desired(paths: &[PathBuf], output: &Output) -> Result<Desired, Error> {
    let env = |name: &str| std::env::var(name).ok();
    let loaded = config::load(&paths_or_current(paths), &env);
    let rendered = loaded.diagnostics.render(&loaded.sources, output.styled());
    if !rendered.is_empty() {
        output.message(&rendered);
    }
    if loaded.diagnostics.has_errors() {
        let summary = loaded
            .diagnostics
            .summary(loaded.sources.len(), loaded.desired.alerts.len());
        return Err(Error::new(summary)
            .hint("fix the files; `flex-alerts validate` checks them offline")
            .reported());
    }
    Ok(loaded.desired)
}

/// Writes `text` to `path` atomically (a reader sees the old file or the new one).
pub fn write_file(path: &Path, text: &str) -> Result<(), Error> {
    persist::save_text(path, text)
        .map_err(|error| Error::new(format!("cannot write {}", path.display())).cause(error))
}
