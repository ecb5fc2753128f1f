//! What plan, apply and export share: opening the store the user named (and saying which in
//! the first line), loading the alert files, and reading the live state with the leftovers
//! the apply journal knows of.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::environment::Context;
use crate::apply::applied_file;
use crate::apply::exclusive::ApplyLock;
use crate::apply::journal::{self, Journal, live_state};
use crate::cli::{Cli, StoreChoice, parse_store};
use crate::common::atomic_file;
use crate::config::diagnostic::{Diagnostics, Shown};
use crate::config::{self, desired::Desired};
use crate::error::Error;
use crate::output::Output;
use crate::plan::Applied;
use crate::store::twilio::CredentialNames;
use crate::store::twilio::RequestLog;
use crate::store::{AnyStore, Live, Store, StoreError, StoreSpec};

/// The store, its journal, and a runtime to talk to it.
pub struct Session {
    pub store: AnyStore,
    pub journal: Journal,
    /// Where apply records what it left (`None` for the sandbox, which nothing else edits),
    /// and what the last apply to this store left.
    pub applied_file: Option<PathBuf>,
    pub applied: Applied,
    pub runtime: tokio::runtime::Runtime,
    pub concurrency: usize,
    /// `--capture FILE`: written when the session ends, however the command ends.
    capture: Option<(PathBuf, Output)>,
    /// Held by apply for its whole run: one apply at a time per state directory or sandbox.
    _lock: Option<ApplyLock>,
}

impl Drop for Session {
    fn drop(&mut self) {
        let Some((path, output)) = &self.capture else {
            return;
        };
        let Some(har) = self.store.captured() else {
            output.line(&format!(
                "note: the sandbox makes no requests, so {} was not written",
                path.display()
            ));
            return;
        };
        let count = har.log.entries.len();
        match atomic_file::save_json(path, &har) {
            Ok(()) => output.line(&format!(
                "Captured {count} request(s) in {} (redacted: no credential, webhook URL, email address or user name).",
                path.display()
            )),
            Err(error) => output.line(&format!(
                "warning: cannot write the capture {}: {error}",
                path.display()
            )),
        }
    }
}

/// `.flex-alerts/`, or `$FLEX_ALERTS_STATE_DIR`: the journal and the apply lock.
fn state_directory() -> PathBuf {
    std::env::var_os("FLEX_ALERTS_STATE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".flex-alerts"))
}

impl Session {
    /// Opens the store `store` (a `--store` value, or the one a saved plan names) and prints the line that says which it
    /// is. With `lock_timeout` (apply), first takes the apply lock, waiting up to that long
    /// for another apply.
    pub fn open(
        cli: &Cli,
        choice: &StoreChoice,
        store: &str,
        output: &Output,
        lock_timeout: Option<Duration>,
    ) -> Result<Session, Error> {
        let env = crate::common::env::process;
        let spec = parse_store(store)?;
        let state_directory = state_directory();
        let lock = match lock_timeout {
            Some(timeout) => {
                let path = match &spec {
                    StoreSpec::Local(sandbox) => {
                        let mut name = sandbox.as_os_str().to_owned();
                        name.push(".lock");
                        PathBuf::from(name)
                    }
                    _ => state_directory.join("apply.lock"),
                };
                Some(ApplyLock::acquire(&path, timeout, |message| {
                    output.line(message)
                })?)
            }
            None => None,
        };
        // `-v`: a line per HTTP attempt (method, path, status, time; never a secret).
        let log_output = *output;
        let request_log = (cli.verbose > 0).then(|| {
            RequestLog(std::sync::Arc::new(move |line: &str| {
                log_output.message(&format!("  http: {line}\n"))
            }))
        });
        let capture = choice
            .capture
            .as_ref()
            .map(|_| crate::store::capture::Capture::default());
        let store = AnyStore::open(
            &spec,
            (&env, &choice.credentials),
            choice.concurrency,
            (request_log, capture),
        )
        .map_err(|error| match (error, &spec) {
            // Against the emulator, the one paste that sets the very variables this needs.
            (StoreError::Setup { message, .. }, StoreSpec::Http(url)) => StoreError::Setup {
                message,
                hint: emulator_paste(&choice.credentials, url),
            },
            (error, _) => error,
        })?;
        // Private files that others can read: said, not changed.
        let (private, holds) = match &spec {
            StoreSpec::Local(sandbox) => (sandbox.clone(), crate::emulator::persist::STATE_HOLDS),
            _ => (state_directory.join(journal::FILE_NAME), journal::HOLDS),
        };
        if let Some(warning) = atomic_file::loose_permissions_warning(&private, holds) {
            output.line(&warning);
        }
        let environment = choice
            .environment
            .as_ref()
            .map(|name| format!(" (environment {name})"))
            .unwrap_or_default();
        if store.is_sandbox() {
            output.line(&format!("Using {}{environment}.", store.describe()));
        } else {
            output.line(&format!("Store: {}{environment}.", store.describe()));
        }
        let applied_file = (!store.is_sandbox()).then(|| applied_file::path_in(&state_directory));
        let applied = match &applied_file {
            Some(path) => {
                let (applied, note) = applied_file::load(path, &store.describe());
                if let Some(note) = note {
                    output.line(&note);
                }
                applied
            }
            None => Applied::default(),
        };
        let journal = if store.is_sandbox() {
            Journal::disabled()
        } else {
            atomic_file::remove_stale_temporaries(&state_directory);
            let journal = Journal::open(&state_directory, &store.describe(), lock.is_some())
                .map_err(|error| {
                    Error::new(format!(
                        "cannot open the apply journal in {}",
                        state_directory.display()
                    ))
                    .cause(error)
                    .hint(
                        "the journal must be a regular file that flex-alerts can write: it is how an interrupted apply is cleaned up",
                    )
                })?;
            for note in journal.notes() {
                output.line(note);
            }
            journal
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|error| Error::new("cannot start the async runtime").cause(error))?;
        Ok(Session {
            store,
            journal,
            applied_file,
            applied,
            capture: choice.capture.clone().map(|path| (path, *output)),
            runtime,
            concurrency: choice.concurrency,
            _lock: lock,
        })
    }

    /// The live state, plus what the journal knows of it.
    pub fn snapshot(&self) -> Result<Live, Error> {
        self.runtime
            .block_on(live_state(&self.store, &self.journal, self.concurrency))
    }
}

/// What to paste for `flex-alerts emulator` with its built-in seed at `url`, in the variable
/// names `names` says (an environment's prefix); its credentials are made up, not secret.
fn emulator_paste(names: &CredentialNames, url: &reqwest::Url) -> String {
    let seed = crate::emulator::Seed::builtin();
    format!(
        "for `flex-alerts emulator` at {} with its built-in seed, paste: export {}={} {}={} {}={}",
        url.as_str().trim_end_matches('/'),
        names.account_sid,
        seed.account_sid,
        names.auth_token,
        seed.auth_token,
        names.instance_sid,
        seed.instance_sid
    )
}

/// Loads and checks the alert files under `paths` (the defaults applied) in an
/// environment (its `${VAR}` values), printing every problem; an error if any is an error.
/// Webhook variables are required or not (offline commands need none).
pub fn load_desired_in(
    context: &Context,
    paths: &[PathBuf],
    secrets: config::Secrets,
    output: &Output,
) -> Result<Desired, Error> {
    load_desired_once(context, paths, secrets, None, output)
}

/// `load_desired_in`; with `shown` (one of several environments of a run), printing under
/// the environment's name only what was not `shown` for an earlier one.
pub fn load_desired_once(
    context: &Context,
    paths: &[PathBuf],
    secrets: config::Secrets,
    shown: Option<&mut Shown>,
    output: &Output,
) -> Result<Desired, Error> {
    let loaded = context.load(paths, secrets);
    let mut skipped = Diagnostics::default();
    skipped.extend(loaded.skipped.iter().cloned());
    let (problems, repeated, skipped) = match shown {
        Some(shown) => {
            let (problems, repeated) = loaded.diagnostics.not_shown(shown);
            let (skipped, _) = skipped.not_shown(shown);
            (problems, repeated, skipped)
        }
        None => (loaded.diagnostics.clone(), 0, skipped),
    };
    let rendered = problems.render(&loaded.sources, output.styled());
    if !rendered.is_empty() || repeated > 0 {
        if let Some(name) = context
            .name()
            .filter(|_| repeated > 0 || problems.has_errors())
        {
            output.line(&format!("Environment {name}:"));
        }
        output.message(&rendered);
    }
    if repeated > 0 {
        output.line(&format!(
            "({} as shown above for another environment)",
            crate::config::diagnostic::plural(repeated, "problem")
        ));
    }
    let skipped = skipped.items().len();
    if skipped > 0 {
        output.line(&format!(
            "Skipped {} that {} not alert files (`flex-alerts validate` says why).",
            crate::config::diagnostic::plural(skipped, "YAML file"),
            if skipped == 1 { "is" } else { "are" }
        ));
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
    atomic_file::save_text(path, text)
        .map_err(|error| Error::new(format!("cannot write {}", path.display())).cause(error))
}
