//! `flex-alerts record`: samples the TaskRouter statistics of every queue (and channel) the
//! alert files watch, derives the metrics that can be derived, and appends them to a CSV
//! history for `backtest`. Each sample's rows are written at once; Ctrl-C stops between two
//! samples (or during one, dropping only that one), keeping every row already written.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use super::environment::{Context, Needs};
use super::session::{Session, load_desired_in};
use crate::cli::{Cli, RecordArgs};
use crate::common::regular_file;
use crate::common::time::format_rfc3339;
use crate::config::Secrets;
use crate::config::desired::Desired;
use crate::error::Error;
use crate::evaluate::history::{HEADER, MAX_LINE_BYTES};
use crate::flex::Metric;
use crate::flex::statistics;
use crate::output::Output;
use crate::store::twilio::TwilioClient;
use crate::store::{AnyStore, Directory};

/// One queue, and one channel for the per-channel metrics (`None`: the agent metrics), as
/// the alert files name them and by SID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    queue: String,
    queue_sid: String,
    channel: Option<(String, String)>,
}

#[derive(Deserialize)]
struct Activity {
    friendly_name: Option<String>,
    #[serde(default)]
    available: bool,
}

pub fn run(cli: &Cli, args: &RecordArgs, output: &Output) -> Result<u8, Error> {
    if args.every.as_secs() == 0 {
        return Err(Error::new("--every must be at least 1s")
            .hint("statistics change by the second at most; e.g. `--every 30s` or `--every 1m`"));
    }
    if args.synthetic_day {
        return synthetic_day(args, output);
    }
    let context = Context::resolve(args.env.name.as_deref(), Needs::One, output)?;
    let desired = load_desired_in(&context, &args.paths, Secrets::Optional, output)?;
    // A file that is not a history is refused before the store is touched.
    let mut file = open_history(&args.out)?;
    let choice = context.store_choice(cli, &args.store)?;
    let session = Session::open(cli, &choice, choice.text(), output, None)?;
    let AnyStore::Twilio(client) = &session.store else {
        return Err(Error::new("record reads TaskRouter statistics, which the sandbox has none of")
            .hint("record from Flex (`--store twilio`) or from `flex-alerts emulator` (`--store http://127.0.0.1:8780`), which serves a synthetic day; or write that day at once with `record --synthetic-day`"));
    };
    let live = session.snapshot()?;
    let targets = targets(&desired, &live.directory)?;
    output.line(&format!(
        "Recording {} queue(s) and {} queue/channel pair(s) every {}s to {}{}; Ctrl-C stops.",
        targets.iter().filter(|t| t.channel.is_none()).count(),
        targets.iter().filter(|t| t.channel.is_some()).count(),
        args.every.as_secs(),
        args.out.display(),
        args.for_
            .map(|limit| format!(" for {}s", limit.as_secs()))
            .unwrap_or_default()
    ));
    let started = Instant::now();
    let (samples, rows) = session.runtime.block_on(async {
        let available = available_activities(client).await?;
        let (mut samples, mut rows) = (0usize, 0usize);
        let stop = tokio::signal::ctrl_c();
        tokio::pin!(stop);
        loop {
            let tick = Instant::now();
            let lines = tokio::select! {
                lines = sample(client, &targets, &available, args.sla_seconds, output) => lines,
                _ = &mut stop => break,
            };
            file.write_all(lines.concat().as_bytes())
                .and_then(|()| file.flush())
                .map_err(|error| {
                    Error::new(format!("cannot write to {}", args.out.display())).cause(error)
                })?;
            samples += 1;
            rows += lines.len();
            // Progress for a person at a terminal (or with -v); quiet in a pipe or a log.
            if output.interactive() || cli.verbose > 0 {
                let left = args
                    .for_
                    .map(|limit| {
                        let left = limit.saturating_sub(started.elapsed()).as_secs();
                        format!(", {}m{:02}s left", left / 60, left % 60)
                    })
                    .unwrap_or_else(|| ", Ctrl-C stops".to_owned());
                output.line(&format!(
                    "  sample {samples}: {} rows, {rows} so far{left}",
                    lines.len()
                ));
            }
            // Sample k is due at k x every from the start (no drift); --for D takes those due
            // within D.
            let due = args.every * u32::try_from(samples).unwrap_or(u32::MAX);
            if args.for_.is_some_and(|limit| due > limit) {
                break;
            }
            let next = (started + due).max(tick);
            tokio::select! {
                _ = tokio::time::sleep_until(next.into()) => {}
                _ = &mut stop => break,
            }
        }
        Ok::<_, Error>((samples, rows))
    })?;
    output.line(&format!(
        "Recorded {rows} rows in {samples} sample(s) to {}.",
        args.out.display()
    ));
    Ok(0)
}

/// `record --synthetic-day`: the last whole day (UTC) of the emulator's synthetic statistics
/// for the queues and channels the alert files watch (the sandbox's contact center), a sample
/// a minute, derived as `record` derives them, written at once: a first backtest needs no
/// waiting.
fn synthetic_day(args: &RecordArgs, output: &Output) -> Result<u8, Error> {
    let context = Context::resolve(args.env.name.as_deref(), Needs::One, output)?;
    let desired = load_desired_in(&context, &args.paths, Secrets::Optional, output)?;
    let mut file = open_history(&args.out)?;
    let state = crate::emulator::State::from_seed(&crate::emulator::Seed::builtin(), 0);
    let directory = crate::store::Directory {
        queues: state.queues,
        channels: state.channels,
        users: state.users,
    };
    let targets = targets(&desired, &directory)?;
    let now = crate::common::clock::system_clock() as i64 / 1000;
    let day = now - now.rem_euclid(86_400) - 86_400;
    let mut rows = 0usize;
    for target in &targets {
        let channel = target.channel.as_ref().map(|(name, _)| name.as_str());
        let mut lines = String::new();
        for (at, metrics) in crate::emulator::synthetic::metric_series(
            (&target.queue_sid, channel),
            (day, day + 86_400),
            (args.sla_seconds, args.day_seed),
        ) {
            lines.push_str(&rows_of(target, &format_rfc3339(at), metrics).concat());
        }
        rows += lines.lines().count();
        file.write_all(lines.as_bytes()).map_err(|error| {
            Error::new(format!("cannot write to {}", args.out.display())).cause(error)
        })?;
    }
    output.line(&format!(
        "Wrote {rows} rows of the synthetic day {} (a sample a minute, {} queue(s) and {} queue/channel pair(s)) to {}; `flex-alerts backtest --history {}` replays it.",
        &format_rfc3339(day)[..10],
        targets.iter().filter(|t| t.channel.is_none()).count(),
        targets.iter().filter(|t| t.channel.is_some()).count(),
        args.out.display(),
        args.out.display()
    ));
    Ok(0)
}

/// Every queue (and queue and channel) the alert files watch, by SID in `directory`.
fn targets(desired: &Desired, directory: &Directory) -> Result<Vec<Target>, Error> {
    let mut targets = BTreeSet::new();
    let mut problems = Vec::new();
    for alert in &desired.alerts {
        for queue in &alert.queues {
            let queue_sid = match directory.queue(queue) {
                Ok(found) => found.sid.clone(),
                Err(error) => {
                    problems.push(format!("alert `{}`: {}", alert.name, error.message));
                    continue;
                }
            };
            let channel = match (&alert.channel, alert.metric.is_agent_activity()) {
                (Some(channel), false) => match directory.channel(channel) {
                    Ok(found) => Some((channel.clone(), found.sid.clone())),
                    Err(error) => {
                        problems.push(format!("alert `{}`: {}", alert.name, error.message));
                        continue;
                    }
                },
                _ => None,
            };
            // Every queue gets its agent metrics; each channel its own.
            targets.insert(Target {
                queue: queue.clone(),
                queue_sid: queue_sid.clone(),
                channel: None,
            });
            if channel.is_some() {
                targets.insert(Target {
                    queue: queue.clone(),
                    queue_sid,
                    channel,
                });
            }
        }
    }
    if !problems.is_empty() {
        let mut error = Error::new("some queues or channels are unknown; nothing was recorded");
        for problem in problems {
            error = error.cause(problem);
        }
        return Err(error);
    }
    Ok(targets.into_iter().collect())
}

/// The history file, opened to append; a new or empty one gets the header first, and a file
/// that is not a history is refused.
fn open_history(path: &Path) -> Result<std::fs::File, Error> {
    let failed = |error: std::io::Error| {
        Error::new(format!("cannot open the history {}", path.display())).cause(error)
    };
    // Only its first line and its last byte are read: a history may be large, and a path that
    // is not a regular file (a device, a FIFO) is refused before it is opened.
    let (existing, ends_in_newline) = match regular_file::check(path, u64::MAX) {
        Ok(()) => {
            use std::io::{Read, Seek, SeekFrom};
            let mut file = std::fs::File::open(path).map_err(failed)?;
            let mut head = Vec::new();
            (&mut file)
                .take(MAX_LINE_BYTES as u64)
                .read_to_end(&mut head)
                .map_err(failed)?;
            let mut last = [0u8];
            let ends = head.is_empty()
                || file
                    .seek(SeekFrom::End(-1))
                    .and_then(|_| file.read_exact(&mut last))
                    .is_ok_and(|()| last[0] == b'\n');
            (head, ends)
        }
        Err(error) if error.is_not_found() => (Vec::new(), true),
        Err(error) => {
            return Err(
                Error::new(format!("cannot open the history {}", path.display())).cause(error),
            );
        }
    };
    let first_line = existing.split(|b| *b == b'\n').next().unwrap_or_default();
    if !existing.is_empty() && first_line != HEADER.as_bytes() {
        return Err(Error::new(format!(
            "{} is not a history: its first line is not `{HEADER}`",
            path.display()
        ))
        .hint("give a new file, or a history written by `record`; nothing was written"));
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(failed)?;
    if existing.is_empty() {
        file.write_all(format!("{HEADER}\n").as_bytes())
            .map_err(failed)?;
    } else if !ends_in_newline {
        // A line cut short by a crash stays a bad row of its own, not the start of ours.
        file.write_all(b"\n").map_err(failed)?;
    }
    Ok(file)
}

async fn available_activities(client: &TwilioClient) -> Result<Vec<String>, Error> {
    let activities: Vec<Activity> = client
        .workspace_list("list TaskRouter activities", "Activities", "activities")
        .await
        .map_err(Error::from)?;
    Ok(activities
        .into_iter()
        .filter(|activity| activity.available)
        .filter_map(|activity| activity.friendly_name)
        .collect())
}

/// One sample of every target: CSV lines. A statistic that cannot be read is left out with a
/// warning; the next sample tries again.
async fn sample(
    client: &TwilioClient,
    targets: &[Target],
    available: &[String],
    sla_seconds: u64,
    output: &Output,
) -> Vec<String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    let at = SampleTime {
        stamp: format_rfc3339(now),
        midnight: format_rfc3339(now - now.rem_euclid(86_400)),
    };
    let reads = targets
        .iter()
        .map(|target| sample_target(client, target, available, sla_seconds, &at, output));
    futures::future::join_all(reads)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// The time of a sample, as written in the rows, and the start of its day (UTC).
struct SampleTime {
    stamp: String,
    midnight: String,
}

async fn sample_target(
    client: &TwilioClient,
    target: &Target,
    available: &[String],
    sla_seconds: u64,
    at: &SampleTime,
    output: &Output,
) -> Vec<String> {
    let sla = sla_seconds.to_string();
    let base = format!("TaskQueues/{}/", target.queue_sid);
    let realtime_path = format!("{base}RealTimeStatistics");
    let cumulative_path = format!("{base}CumulativeStatistics");
    let what = "read queue statistics";
    let mut metrics: Vec<(Metric, f64)> = Vec::new();
    let mut failures = Vec::new();
    match &target.channel {
        None => match client.workspace_get(what, &realtime_path, &[]).await {
            Ok(realtime) => metrics.extend(statistics::from_realtime_agents(&realtime, available)),
            Err(error) => failures.push(error.to_string()),
        },
        Some((_, channel_sid)) => {
            let channel = [("TaskChannel", channel_sid.as_str())];
            let last_30_query = [
                ("TaskChannel", channel_sid.as_str()),
                ("Minutes", "30"),
                ("SplitByWaitTime", sla.as_str()),
            ];
            let today_query = [
                ("TaskChannel", channel_sid.as_str()),
                ("StartDate", at.midnight.as_str()),
                ("SplitByWaitTime", sla.as_str()),
            ];
            let (realtime, last_30, today) = futures::join!(
                client.workspace_get(what, &realtime_path, &channel),
                client.workspace_get(what, &cumulative_path, &last_30_query),
                client.workspace_get(what, &cumulative_path, &today_query),
            );
            for (result, window) in [
                (realtime, None),
                (last_30, Some(false)),
                (today, Some(true)),
            ] {
                match (result, window) {
                    (Ok(value), None) => {
                        metrics.extend(statistics::from_realtime_by_channel(&value))
                    }
                    (Ok(value), Some(today)) => {
                        metrics.extend(statistics::from_cumulative(&value, today, sla_seconds))
                    }
                    (Err(error), _) => failures.push(error.to_string()),
                }
            }
        }
    }
    for failure in failures {
        output.message(&format!(
            "warning: a statistic of queue `{}` was not read this time: {failure}\n",
            target.queue
        ));
    }
    rows_of(target, &at.stamp, metrics)
}

/// The history rows of one target's metrics at `stamp`.
fn rows_of(target: &Target, stamp: &str, metrics: Vec<(Metric, f64)>) -> Vec<String> {
    let channel = target
        .channel
        .as_ref()
        .map_or(String::new(), |(name, _)| csv_field(name));
    metrics
        .into_iter()
        .map(|(metric, value)| {
            format!(
                "{stamp},{},{channel},{metric},{value}\n",
                csv_field(&target.queue)
            )
        })
        .collect()
}

/// A CSV field, quoted when it holds a comma or a quote.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
