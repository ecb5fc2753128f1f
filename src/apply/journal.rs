//! The apply journal: notification configurations created but not yet named by a rule, and
//! configuration creates whose answer never came.
//!
//! Flex's API cannot list notification configurations, so one that an interrupted apply
//! created and never attached would be invisible forever, counting against the cap of 100.
//! Before a configuration create is sent, apply records an attempt; the moment Flex answers
//! with a TTID it records the TTID; once a rule names it (or it is deleted) it is settled.
//! The next plan deletes created-but-unsettled configurations, and reports attempts that never
//! got an answer as configurations that may exist with an id nobody knows.
//!
//! The file (`journal.jsonl` in `.flex-alerts/` or `$FLEX_ALERTS_STATE_DIR`) is append-only:
//! one JSON line per event, tagged with the store it belongs to, holding ids only. One writer
//! thread commits in groups: every event waiting when it wakes is written and made durable with
//! a single fsync before any of their callers goes on, so concurrent steps never wait for each
//! other's fsyncs one by one, and an event whose call returned survives a SIGKILL.
//!
//! It is read line by line as bytes, each line at most `MAX_LINE_BYTES` (a longer one is junk,
//! skipped without being held); a line that is not an event is named in a note and the rest
//! still count. It is opened only as a regular file, never through a symbolic link. A holder of
//! the apply lock compacts it (to what it adds up to) when it holds junk or has grown.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::common::atomic_file;
use crate::common::lock::lock;
use crate::store::{Live, Store, StoreError};

pub const FILE_NAME: &str = "journal.jsonl";

/// The longest line read as an event: an event is about 150 bytes.
pub const MAX_LINE_BYTES: usize = 4096;

/// What the journal holds, for the warning when others can read it.
pub const HOLDS: &str = "the ids of notification configurations";

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Line {
    store: String,
    #[serde(flatten)]
    event: Event,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum Event {
    /// A configuration create is about to be sent.
    Attempt { id: String },
    /// Flex answered that attempt with this TTID.
    Created { id: String, ttid: String },
    /// Flex answered that attempt with a refusal: nothing was created.
    Refused { id: String },
    /// A rule names this configuration now, or it was deleted.
    Settled { ttid: String },
}

/// What the events of one store add up to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Ledger {
    /// Attempts without an answer, by id.
    open: Vec<String>,
    /// Configurations created and not settled, in creation order.
    pending: Vec<String>,
}

impl Ledger {
    fn apply(&mut self, event: &Event) {
        match event {
            Event::Attempt { id } => self.open.push(id.clone()),
            Event::Created { id, ttid } => {
                self.open.retain(|open| open != id);
                if !self.pending.contains(ttid) {
                    self.pending.push(ttid.clone());
                }
            }
            Event::Refused { id } => self.open.retain(|open| open != id),
            Event::Settled { ttid } => self.pending.retain(|pending| pending != ttid),
        }
    }

    /// The fewest events that say the same.
    fn events(&self) -> Vec<Event> {
        self.open
            .iter()
            .map(|id| Event::Attempt { id: id.clone() })
            .chain(self.pending.iter().map(|ttid| Event::Created {
                id: String::new(),
                ttid: ttid.clone(),
            }))
            .collect()
    }
}

type Commit = (String, oneshot::Sender<io::Result<()>>);

#[derive(Debug)]
struct Writer {
    key: String,
    sender: Mutex<mpsc::Sender<Commit>>,
}

#[derive(Debug)]
pub struct Journal {
    /// `None`: not kept (the sandbox sees its orphans directly).
    writer: Option<Writer>,
    /// Why a write failed (a full disk, say): from then on every record fails at once, and
    /// apply starts no more creates.
    failure: Mutex<Option<String>>,
    ledger: Mutex<Ledger>,
    /// Makes attempt ids unique within this process.
    counter: AtomicU64,
    /// Lines of the file that are not events, in words (said once, when it is opened).
    notes: Vec<String>,
}

impl Journal {
    /// A journal that keeps nothing.
    pub fn disabled() -> Journal {
        Journal {
            writer: None,
            failure: Mutex::new(None),
            ledger: Mutex::new(Ledger::default()),
            counter: AtomicU64::new(0),
            notes: Vec::new(),
        }
    }

    /// The journal for store `key` in `directory`. Lines that are not events (a line torn by
    /// a crash, junk) are skipped and named in `notes`. With `compact`, a file that holds junk
    /// or has grown is first rewritten to what it adds up to; only a holder of the apply lock
    /// may do that.
    pub fn open(directory: &Path, key: &str, compact: bool) -> io::Result<Journal> {
        let path = directory.join(FILE_NAME);
        let Contents {
            ledgers,
            lines,
            junk,
        } = read(&path)?;
        let live: usize = ledgers
            .values()
            .map(|ledger| ledger.open.len() + ledger.pending.len())
            .sum();
        let notes = junk_notes(&path, &junk);
        if compact && (!junk.is_empty() || lines > 2 * live + 64) {
            let text: String = ledgers
                .iter()
                .flat_map(|(store, ledger)| {
                    ledger.events().into_iter().map(|event| {
                        let line = Line {
                            store: store.clone(),
                            event,
                        };
                        format!(
                            "{}\n",
                            serde_json::to_string(&line).expect("lines serialize")
                        )
                    })
                })
                .collect();
            atomic_file::save_private_text(&path, &text)?;
        }
        let (sender, receiver) = mpsc::channel::<Commit>();
        std::thread::Builder::new()
            .name("flex-alerts journal".to_owned())
            .spawn(move || write_in_groups(&path, receiver))?;
        Ok(Journal {
            writer: Some(Writer {
                key: key.to_owned(),
                sender: Mutex::new(sender),
            }),
            failure: Mutex::new(None),
            ledger: Mutex::new(ledgers.get(key).cloned().unwrap_or_default()),
            counter: AtomicU64::new(0),
            notes,
        })
    }

    /// What reading the file found wrong (lines that are not events), in words.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Why the journal cannot be written, once a write failed.
    pub fn failure(&self) -> Option<String> {
        lock(&self.failure).clone()
    }

    /// Configurations created for this store and not yet named by a rule.
    pub fn pending(&self) -> Vec<String> {
        lock(&self.ledger).pending.clone()
    }

    /// Configuration creates for this store that never got an answer.
    pub fn open_attempts(&self) -> usize {
        lock(&self.ledger).open.len()
    }

    /// Records that a configuration create is about to be sent; durable on return.
    pub async fn attempt(&self) -> io::Result<String> {
        let id = format!(
            "{}-{}-{}",
            std::process::id(),
            crate::common::clock::system_clock(),
            self.counter.fetch_add(1, Ordering::Relaxed)
        );
        self.record(Event::Attempt { id: id.clone() }).await?;
        Ok(id)
    }

    /// Records the TTID Flex answered attempt `id` with; durable on return.
    pub async fn created(&self, id: &str, ttid: &str) -> io::Result<()> {
        self.record(Event::Created {
            id: id.to_owned(),
            ttid: ttid.to_owned(),
        })
        .await
    }

    /// Records that Flex refused attempt `id`, so it created nothing.
    pub async fn refused(&self, id: &str) -> io::Result<()> {
        self.record(Event::Refused { id: id.to_owned() }).await
    }

    /// Records that a rule names `ttid` now, or that it was deleted.
    pub async fn settled(&self, ttid: &str) -> io::Result<()> {
        if !lock(&self.ledger).pending.iter().any(|known| known == ttid) {
            return Ok(());
        }
        self.record(Event::Settled {
            ttid: ttid.to_owned(),
        })
        .await
    }

    async fn record(&self, event: Event) -> io::Result<()> {
        let Some(writer) = &self.writer else {
            lock(&self.ledger).apply(&event);
            return Ok(());
        };
        if let Some(failure) = self.failure() {
            return Err(io::Error::other(failure));
        }
        lock(&self.ledger).apply(&event);
        let line = Line {
            store: writer.key.clone(),
            event,
        };
        let text = format!(
            "{}\n",
            serde_json::to_string(&line).expect("lines serialize")
        );
        let (done, committed) = oneshot::channel();
        lock(&writer.sender)
            .send((text, done))
            .map_err(|_| io::Error::other("the journal writer stopped"))?;
        let result = committed
            .await
            .map_err(|_| io::Error::other("the journal writer stopped"))?;
        if let Err(error) = &result {
            lock(&self.failure).get_or_insert_with(|| error.to_string());
        }
        result
    }
}

/// The live state of `store`, plus what `journal` knows of it: configurations an interrupted
/// apply created and never attached (each checked, concurrently, to exist and to be named by
/// no rule), and configuration creates that got no answer. Settles what is no longer pending.
pub async fn live_state<S: Store>(
    store: &S,
    journal: &Journal,
    concurrency: usize,
) -> Result<Live, crate::Error> {
    let mut live = store.snapshot().await?;
    let pending: Vec<String> = journal
        .pending()
        .into_iter()
        .filter(|ttid| !live.orphan_configs.contains(ttid))
        .collect();
    let checks = futures::stream::iter(pending)
        .map(|ttid| async {
            let named = live
                .rules
                .iter()
                .any(|rule| rule.notify_methods_id.as_deref() == Some(ttid.as_str()));
            let exists = named || store.fetch_config(&ttid).await?.is_some();
            Ok::<_, StoreError>((ttid, named, exists))
        })
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>()
        .await;
    for check in checks {
        let (ttid, named, exists) = check?;
        if exists && !named {
            live.orphan_configs.push(ttid);
        } else {
            journal.settled(&ttid).await.map_err(|error| {
                crate::Error::new("cannot write the apply journal").cause(error)
            })?;
        }
    }
    live.possible_configs = journal.open_attempts();
    Ok(live)
}

/// What the journal file holds.
#[derive(Debug, Default)]
struct Contents {
    /// Every store's ledger.
    ledgers: BTreeMap<String, Ledger>,
    /// How many lines it has, events or not.
    lines: usize,
    /// The numbers of the lines (from 1) that are not events.
    junk: Vec<usize>,
}

/// Reads the journal at `path`: a regular file, never through a symbolic link (a link could
/// make every apply append to whatever it points at).
fn read(path: &Path) -> io::Result<Contents> {
    let mut contents = Contents::default();
    match std::fs::symlink_metadata(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(contents),
        Err(error) => return Err(error),
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(io::Error::other(format!(
                "{} is a symbolic link; the journal is never followed through one (remove the link)",
                path.display()
            )));
        }
        Ok(meta) if !meta.is_file() => {
            return Err(io::Error::other(format!(
                "{} is not a regular file (remove it)",
                path.display()
            )));
        }
        Ok(_) => {}
    }
    let mut reader = BufReader::new(open_no_follow(OpenOptions::new().read(true), path)?);
    let mut line = Vec::new();
    while let Some(whole) = next_line(&mut reader, &mut line)? {
        contents.lines += 1;
        let event = whole
            .then(|| serde_json::from_slice::<Line>(trim_newline(&line)).ok())
            .flatten();
        match event {
            Some(event) => contents
                .ledgers
                .entry(event.store)
                .or_default()
                .apply(&event.event),
            None if trim_newline(&line).is_empty() && whole => {}
            None => contents.junk.push(contents.lines),
        }
    }
    Ok(contents)
}

/// The next line into `line`, without its overlong rest: `Some(true)` for a line of at most
/// `MAX_LINE_BYTES`, `Some(false)` for a longer one (read to its end but not kept), `None` at
/// the end of the file.
fn next_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Option<bool>> {
    line.clear();
    let mut whole = true;
    let mut read_any = false;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(read_any.then_some(whole));
        }
        read_any = true;
        let (taken, done) = match buffer.iter().position(|b| *b == b'\n') {
            Some(end) => (end + 1, true),
            None => (buffer.len(), false),
        };
        if whole && line.len() + taken <= MAX_LINE_BYTES + 1 {
            line.extend_from_slice(&buffer[..taken]);
        } else {
            whole = false;
            line.clear();
        }
        reader.consume(taken);
        if done {
            return Ok(Some(whole));
        }
    }
}

fn trim_newline(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\n").unwrap_or(line)
}

/// Notes for the lines that are not events: the first few by number, the rest counted.
fn junk_notes(path: &Path, junk: &[usize]) -> Vec<String> {
    if junk.is_empty() {
        return Vec::new();
    }
    let shown: Vec<String> = junk.iter().take(5).map(usize::to_string).collect();
    let more = if junk.len() > 5 {
        format!(" and {} more", junk.len() - 5)
    } else {
        String::new()
    };
    vec![format!(
        "note: {} line(s) of {} are not journal events and were skipped (line {}{more}); the events it holds still count",
        junk.len(),
        path.display(),
        shown.join(", ")
    )]
}

/// Opens `path` with `options`, refusing to follow a symbolic link at the last component.
fn open_no_follow(options: &mut OpenOptions, path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NOFOLLOW).open(path)
}

/// The writer thread: waits for one event, takes every other one already waiting, writes
/// them all, syncs once, then answers each caller. The file (and its directory) is made on
/// the first event, so a command that records nothing leaves no trace.
///
/// After a write fails (a full disk), nothing more is appended: a later line could land after
/// the torn end of the failed one and be lost with it. Every later event is refused.
fn write_in_groups(path: &Path, receiver: mpsc::Receiver<Commit>) {
    let mut file: Option<File> = None;
    let mut failed: Option<(io::ErrorKind, String)> = None;
    while let Ok(first) = receiver.recv() {
        let mut group = vec![first];
        group.extend(receiver.try_iter());
        if let Some((kind, message)) = &failed {
            for (_, done) in group {
                let _ = done.send(Err(io::Error::new(*kind, message.clone())));
            }
            continue;
        }
        let text: String = group.iter().map(|(line, _)| line.as_str()).collect();
        if file.is_none() {
            file = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| {
                    use std::os::unix::fs::OpenOptionsExt;
                    open_no_follow(
                        OpenOptions::new()
                            .create(true)
                            .append(true)
                            .mode(atomic_file::PRIVATE),
                        path,
                    )
                })
                .map_err(|error| {
                    let message = format!("{}: {error}", path.display());
                    for (_, done) in group.drain(..) {
                        let _ = done.send(Err(io::Error::new(error.kind(), message.clone())));
                    }
                })
                .ok();
        }
        let Some(file) = file.as_mut() else { continue };
        let result = file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|error| io::Error::new(error.kind(), format!("{}: {error}", path.display())));
        if let Err(error) = &result {
            failed = Some((error.kind(), error.to_string()));
        }
        for (_, done) in group {
            let answer = match &result {
                Ok(()) => Ok(()),
                Err(error) => Err(io::Error::new(error.kind(), error.to_string())),
            };
            let _ = done.send(answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn events_survive_reopening_per_store_and_compaction_keeps_what_they_add_up_to() {
        let directory = tempfile::tempdir().unwrap();
        let journal = Journal::open(directory.path(), "store A", false).unwrap();
        let first = journal.attempt().await.unwrap();
        journal
            .created(&first, "flex_notificationconfiguration_a")
            .await
            .unwrap();
        let second = journal.attempt().await.unwrap();
        journal
            .created(&second, "flex_notificationconfiguration_b")
            .await
            .unwrap();
        let refused = journal.attempt().await.unwrap();
        journal.refused(&refused).await.unwrap();
        let _lost = journal.attempt().await.unwrap();
        let other = Journal::open(directory.path(), "store B", false).unwrap();
        let id = other.attempt().await.unwrap();
        other
            .created(&id, "flex_notificationconfiguration_c")
            .await
            .unwrap();

        let reopened = Journal::open(directory.path(), "store A", false).unwrap();
        assert_eq!(
            reopened.pending(),
            [
                "flex_notificationconfiguration_a",
                "flex_notificationconfiguration_b"
            ]
        );
        assert_eq!(reopened.open_attempts(), 1, "the attempt without an answer");
        reopened
            .settled("flex_notificationconfiguration_a")
            .await
            .unwrap();
        for _ in 0..100 {
            reopened
                .settled("flex_notificationconfiguration_unknown")
                .await
                .unwrap();
            let id = reopened.attempt().await.unwrap();
            reopened.refused(&id).await.unwrap();
        }

        let compacted = Journal::open(directory.path(), "store A", true).unwrap();
        let lines = std::fs::read_to_string(directory.path().join(FILE_NAME))
            .unwrap()
            .lines()
            .count();
        assert_eq!(
            lines, 3,
            "one open attempt and one pending for A, one pending for B"
        );
        assert_eq!(compacted.pending(), ["flex_notificationconfiguration_b"]);
        assert_eq!(compacted.open_attempts(), 1);
        assert_eq!(
            Journal::open(directory.path(), "store B", false)
                .unwrap()
                .pending(),
            ["flex_notificationconfiguration_c"]
        );
    }

    #[test]
    fn a_torn_last_line_is_skipped() {
        let directory = tempfile::tempdir().unwrap();
        std::fs::write(
            directory.path().join(FILE_NAME),
            "{\"store\":\"A\",\"event\":\"created\",\"id\":\"1\",\"ttid\":\"t1\"}\n{\"store\":\"A\",\"ev",
        )
        .unwrap();
        let journal = Journal::open(directory.path(), "A", false).unwrap();
        assert_eq!(journal.pending(), ["t1"]);
    }

    #[tokio::test]
    async fn concurrent_records_are_committed_together() {
        let directory = tempfile::tempdir().unwrap();
        let journal = Journal::open(directory.path(), "A", false).unwrap();
        let ids = futures::future::join_all((0..50).map(|_| journal.attempt())).await;
        assert!(ids.iter().all(Result::is_ok));
        assert_eq!(
            Journal::open(directory.path(), "A", false)
                .unwrap()
                .open_attempts(),
            50
        );
    }
}
