//! `flex-alerts emulator`: the emulated Flex behind an HTTP server until Ctrl-C, lent the
//! product's rule engine (`evaluate::live`) so that its live rules fire on a metric history or
//! on the synthetic day (the emulator itself imports only Flex's facts).

use std::net::SocketAddr;
use std::sync::Arc;

use crate::cli::{EmulatorArgs, UpdateSemantics};
use crate::common::har::Har;
use crate::emulator::faults::Faults;
use crate::emulator::fire::Firer;
use crate::emulator::http::Emulator;
use crate::emulator::http::Shared;
use crate::emulator::persist::STATE_HOLDS;
use crate::emulator::{Engine, Seed, State, capture, synthetic};
use crate::error::Error;
use crate::evaluate::engine::Sample;
use crate::evaluate::history::{self, History};
use crate::evaluate::live::{self, LiveAccount, Series};
use crate::flex::webhook::Notification;
use crate::output::Output;

pub fn run(args: &EmulatorArgs, output: &Output) -> Result<u8, Error> {
    let seed = match &args.seed {
        Some(path) => {
            let text = crate::common::regular_file::read_text(path, 16 * 1024 * 1024).map_err(
                |error| {
                    Error::new(format!("cannot read the seed file {}", path.display())).cause(error)
                },
            )?;
            Seed::parse(&text).map_err(|problem| {
                Error::new(format!("{} is not a usable seed", path.display())).cause(problem)
            })?
        }
        None => Seed::builtin(),
    };
    if let Some(warning) = args
        .state
        .as_deref()
        .and_then(|path| crate::common::atomic_file::loose_permissions_warning(path, STATE_HOLDS))
    {
        output.line(&warning);
    }
    let capture = args
        .from_capture
        .as_deref()
        .map(|path| read_capture(path).map(|har| (path, har)))
        .transpose()?;
    let engine = match (&args.state, &capture) {
        (_, Some((from, har))) => {
            let now = crate::common::clock::system_clock();
            let state = capture::state_from(har, &seed, now).map_err(|problem| {
                Error::new(format!("{} cannot start the emulator", from.display())).cause(problem)
            })?;
            Engine::restore(state)
        }
        (Some(path), None) => Engine::open(path, &seed).map_err(|error| {
            Error::new("the emulator state cannot be used")
                .cause(error)
                .hint("the file was left as it is; move it away to start from the seed")
        })?,
        (None, None) => Engine::new(&seed),
    }
    .with_max_page_size(args.max_page_size)
    .with_day_seed(args.day_seed)
    .with_merge_updates(args.update_semantics == UpdateSemantics::Merge);
    let address: SocketAddr = args.listen.parse().map_err(|_| {
        Error::new(format!("`{}` is not an address to listen on", args.listen))
            .hint("use HOST:PORT, e.g. 127.0.0.1:8780")
    })?;
    let faults = Faults {
        latency_ms: args.latency_ms,
        latency_jitter_ms: args.latency_jitter_ms,
        concurrency_limit: args.concurrency_limit,
        retry_after: args.retry_after.clone(),
        error_rate: args.error_rate,
        error_status: args.error_status,
        drop_rate: args.drop_rate,
        apply_then_fail_rate: args.apply_then_fail_rate,
        apply_then_drop_rate: args.apply_then_drop_rate,
        script: Vec::new(),
    };
    let metrics = match &args.metrics {
        Some(path) => {
            let file = std::fs::File::open(path).map_err(|error| {
                Error::new(format!("cannot read the metrics {}", path.display())).cause(error)
            })?;
            let history = history::read(&path.display().to_string(), std::io::BufReader::new(file))
                .map_err(|problems| {
                    Error::new(format!("{} is not a usable metric history", path.display()))
                        .cause(problems.join("; "))
                })?;
            Some(Metrics::History(history))
        }
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::new("cannot start the async runtime").cause(error))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|error| Error::new(format!("cannot listen on {address}")).cause(error))?;
        let (instance, account) = (
            engine.state().instance_sid.clone(),
            engine.state().account_sid.clone(),
        );
        let emulator = Emulator::start(listener, engine, faults, args.fault_seed, args.max_body_bytes)?;
        if let (true, Some((_, har))) = (args.replay, &capture) {
            let replay = capture::Replay::from(har);
            output.line(&format!(
                "Replaying {} captured answer(s); any other request is answered 404.",
                replay.len()
            ));
            emulator.shared.set_replay(replay);
        }
        emulator
            .shared
            .set_firer(Arc::new(metrics.unwrap_or(Metrics::Synthetic {
                sla_seconds: 60,
                seed: args.day_seed,
            })));
        if let Some(every) = args.fire_every {
            tokio::spawn(fire_live(emulator.shared.clone(), every, *output));
        }
        output.data(&format!("listening on {}\n", emulator.url()))?;
        if !address.ip().is_loopback() {
            output.line("warning: the emulator is reachable from other machines; its credentials are not secret");
        }
        let kept = match (&args.state, &args.from_capture) {
            (_, Some(path)) => format!("from the capture {}, in memory only", path.display()),
            (Some(path), None) => format!("kept in {}", path.display()),
            (None, None) => "in memory only".to_owned(),
        };
        // The emulator's own credentials: made up, and printed so that one paste works.
        output.message(&format!(
            "Emulated Flex instance {instance} (account {account}), state {kept}.\n\
             To use it from another terminal, paste:\n\
             \x20 export TWILIO_ACCOUNT_SID={account} TWILIO_AUTH_TOKEN={token} FLEX_INSTANCE_SID={instance} FLEX_ALERTS_STORE={url}\n\
             \x20 flex-alerts inventory\n\
             (the queues, channels and users alert files can name); then `flex-alerts init demo` writes a first alert file for them.\n\
             Admin routes: /__admin/state, /__admin/faults, /__admin/requests, /__admin/console, /__admin/fire. Stop with Ctrl-C.\n",
            token = seed.auth_token,
            url = emulator.url(),
        ));
        tokio::signal::ctrl_c()
            .await
            .map_err(|error| Error::new("cannot wait for Ctrl-C").cause(error))?;
        emulator.stop();
        Ok(0)
    })
}

/// The largest capture read: a plan of 100 alerts captures well under a megabyte.
const MAX_CAPTURE_BYTES: u64 = 64 * 1024 * 1024;

fn read_capture(path: &std::path::Path) -> Result<Har, Error> {
    let text =
        crate::common::regular_file::read_text(path, MAX_CAPTURE_BYTES).map_err(|error| {
            Error::new(format!("cannot read the capture {}", path.display())).cause(error)
        })?;
    serde_json::from_str(&text).map_err(|error| {
        Error::new(format!("{} is not a HAR capture", path.display()))
            .cause(error)
            .hint("make one with `--capture FILE.har` on plan, apply, export or doctor")
    })
}

/// `--fire-every`: every interval, each new notification is sent and printed.
async fn fire_live(shared: std::sync::Arc<Shared>, every: std::time::Duration, output: Output) {
    shared
        .fire_every(every, |report| {
            for payload in &report.sent {
                output.line(&format!(
                    "fired: {} {} on {} at {}",
                    payload.state, payload.metric_name, payload.queue_name, payload.created_at
                ));
            }
            for failure in &report.failed {
                output.line(&format!(
                    "warning: a notification was not delivered: {failure}"
                ));
            }
        })
        .await
}

/// What the emulator's live rules are evaluated on.
#[derive(Debug)]
pub enum Metrics {
    /// A history in the `backtest` format; queues and channels by name or SID.
    History(History),
    /// The synthetic day the statistics endpoints serve (of `seed`), a sample a minute.
    Synthetic { sla_seconds: u64, seed: u64 },
}

impl Firer for Metrics {
    fn firings(&self, state: &State, window: (i64, i64)) -> Vec<Notification> {
        let live = LiveAccount {
            account_sid: &state.account_sid,
            rules: &state.rules,
            configs: &state.notification_configs,
            queues: &state.queues,
            channels: &state.channels,
        };
        live::firings(live, &|series| self.samples(series, window), window)
    }

    fn default_window(&self, now: i64) -> (i64, i64) {
        match self {
            Metrics::History(history) => (history.from, history.to + 1),
            Metrics::Synthetic { .. } => (now - 3600, now),
        }
    }

    /// A history costs what its samples cost; the synthetic day is computed minute by minute,
    /// so one request evaluates at most a week of it.
    fn longest_window(&self) -> Option<i64> {
        match self {
            Metrics::History(_) => None,
            Metrics::Synthetic { .. } => Some(7 * 86_400),
        }
    }
}

impl Metrics {
    /// The values of one series: from the history (its queue and channel named by SID or
    /// name), or a minute apart over `window` from the synthetic day.
    fn samples(&self, series: &Series<'_>, (from, to): (i64, i64)) -> Vec<Sample> {
        match self {
            Metrics::History(history) => {
                let queues = [Some(series.queue_sid), Some(series.queue_name)];
                let channels = [series.channel_sid, series.channel_name];
                queues
                    .iter()
                    .flatten()
                    .find_map(|queue| {
                        channels
                            .iter()
                            .find_map(|channel| history.samples(queue, *channel, series.metric))
                    })
                    .map(<[Sample]>::to_vec)
                    .unwrap_or_default()
            }
            Metrics::Synthetic { sla_seconds, seed } => (from.div_euclid(60)..to.div_euclid(60))
                .filter_map(|minute| {
                    let at = minute * 60;
                    synthetic::metric_value(
                        (series.queue_sid, series.channel_name),
                        series.metric,
                        at,
                        (*sla_seconds, *seed),
                    )
                    .map(|value| Sample { at, value })
                })
                .collect(),
        }
    }
}
