//! Command-line arguments as clap parses them: raw values only, no I/O.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use clap_complete::Shell;

use crate::emulator::http::DEFAULT_MAX_BODY_BYTES;
use crate::output::ColorChoice;
use crate::store::StoreSpec;
use crate::store::twilio::DEFAULT_CONCURRENCY;

/// `flex-alerts --version`: the version and the commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("FLEX_ALERTS_COMMIT"),
    ")"
);

/// Twilio Flex alerts as code: keep alerts in YAML, check them, and reconcile Flex with them.
#[derive(Debug, Parser)]
#[command(name = "flex-alerts", version = VERSION, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// More detail: plans also list the alerts that do not change, and plan, apply and export
    /// show every HTTP request to the store (method, path, status, time; never a credential or a body).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to colour messages (NO_COLOR is honoured by `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// `--store` written before the command (`flex-alerts --store local plan`): still read,
    /// not shown in help; the command's own `--store` wins.
    #[arg(long = "store", hide = true)]
    pub store_before_command: Option<String>,

    /// `--concurrency` written before the command, likewise.
    #[arg(long = "concurrency", hide = true, value_parser = concurrency)]
    pub concurrency_before_command: Option<usize>,
}

/// Where the live alerts are, and how hard to press them: the options of the commands that
/// talk to a store (plan, apply, export).
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// Where the live alerts are: `twilio` (the real Flex API), `local` or `local:FILE` (an
    /// embedded sandbox, default file .flex-alerts/sandbox.json), or `http(s)://HOST:PORT`
    /// (the Twilio API at another address, such as `flex-alerts emulator`).
    ///
    /// Default: $FLEX_ALERTS_STORE, else `twilio`; `apply --plan` uses the store its plan was
    /// made for. Checked when a command uses it, not by the argument parser, so that a
    /// refusal never echoes credentials someone put in the URL.
    #[arg(long)]
    pub store: Option<String>,

    /// The ceiling of requests to the store at once. flex-alerts starts with 16 (or fewer),
    /// doubles while every answer is good, halves on 429 or 503 and then probes upwards
    /// slowly, never above this; `--concurrency 1` makes every request wait for the last.
    /// Default: $FLEX_ALERTS_CONCURRENCY, else 64.
    #[arg(long, value_parser = concurrency)]
    pub concurrency: Option<usize>,

    /// Record every request to the store and every answer in FILE, as HAR 1.2 (browser
    /// devtools and HAR viewers read it), redacted for a bug report: no credential, webhook
    /// URL, email address or user name. `flex-alerts emulator --from-capture FILE` starts from
    /// what it saw.
    #[arg(long, value_name = "FILE.har")]
    pub capture: Option<PathBuf>,
}

/// `--env NAME`: an environment of the project file.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct EnvArgs {
    /// The environment of the project file (flex-alerts.yaml, found from the current
    /// directory upwards) to use: its store, its credentials and its values for `${VAR}`.
    /// When the project declares environments, commands that read or write a store need one.
    #[arg(long = "env", value_name = "NAME", env = "FLEX_ALERTS_ENV")]
    pub name: Option<String>,
}

/// The store options in effect for one command.
#[derive(Debug, Clone)]
pub struct StoreChoice {
    /// `--store` (the command's, else the one before the command, else the environment's
    /// `store` in the project file, else $FLEX_ALERTS_STORE).
    pub given: Option<String>,
    pub concurrency: usize,
    /// Where the credentials are: the default variables, or an environment's prefix.
    pub credentials: crate::store::twilio::CredentialNames,
    /// The environment of the project file the store belongs to, if any.
    pub environment: Option<String>,
    /// `--capture FILE`.
    pub capture: Option<PathBuf>,
}

impl StoreChoice {
    /// The store to use when no saved plan names one.
    pub fn text(&self) -> &str {
        self.given.as_deref().unwrap_or("twilio")
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check alert files against the schema and every rule, offline. Exit 1 on any error.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts validate                    # every file of the project, in every environment\n\
                  \x20 flex-alerts validate alerts/voice.yaml  # one file\n\
                  \x20 flex-alerts validate --env staging      # one environment, with its vars and overlay")]
    Validate {
        /// Alert files or directories (read recursively). Default: the project's alert paths,
        /// else the current directory.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Validate in this environment only (default: every environment of the project).
        #[command(flatten)]
        env: EnvArgs,
    },
    /// Run the rule tests (`*.test.yaml`) against the alert files, offline: each test feeds
    /// metric values to the alerts and checks their levels and notifications.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts test examples/\n\
                  \x20 flex-alerts test --format junit  # JUnit XML for a CI test report\n\
                  \x20 flex-alerts test --env staging   # with staging's vars and overlay")]
    Test {
        /// Alert files, test files, or directories that hold them. Default: the project's
        /// alert paths, else the current directory.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// How to print the results: `text`, or `junit` (JUnit XML for CI test reports).
        #[arg(long, value_enum, default_value_t = TestFormat::Text)]
        format: TestFormat,
        #[command(flatten)]
        env: EnvArgs,
    },
    /// Replay a metric history (CSV) through the alerts, offline: episodes, notifications a
    /// day, time at warning and critical, per alert and queue, worst first.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts backtest --history history.csv examples/\n\
                  \x20 flex-alerts backtest --history history.csv --target-per-day 2  # thresholds for at most 2 a day\n\
                  \x20 flex-alerts backtest --history history.csv --plot plots/       # an SVG per alert")]
    Backtest {
        /// The history: CSV with the header `time,queue,channel,metric,value`.
        #[arg(long, value_name = "FILE.csv")]
        history: PathBuf,
        /// Alert files or directories (read recursively). Default: the project's alert
        /// paths, else the current directory.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// How to print the results.
        #[arg(long, value_enum, default_value_t = BacktestFormat::Text)]
        format: BacktestFormat,
        /// Also write one SVG per alert into DIR: the metric per queue, the thresholds, the
        /// stretches at warning and critical, a marker at each notification.
        #[arg(long, value_name = "DIR")]
        plot: Option<PathBuf>,
        /// Also write one self-contained HTML page (no network: styles and plots inline): the
        /// alerts worst first, a plot per alert and queue, the suggestions of
        /// --target-per-day, and the history's span and gaps.
        #[arg(long, value_name = "FILE.html")]
        report: Option<PathBuf>,
        /// Suggest, per alert, the threshold at its notify severity that would have sent at
        /// most N notifications a day.
        #[arg(long, value_name = "N", value_parser = per_day)]
        target_per_day: Option<f64>,
        #[command(flatten)]
        env: EnvArgs,
    },
    /// Sample the live TaskRouter statistics of every queue the alert files watch, and append
    /// them to a CSV history for `backtest` (Ctrl-C stops, keeping every row written).
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts record --out history.csv --every 1m --for 8h\n\
                  \x20 flex-alerts record --out history.csv --env production           # until Ctrl-C\n\
                  \x20 flex-alerts record --out history.csv --synthetic-day examples/  # the emulator's day, at once")]
    Record(RecordArgs),
    /// Show how two environments of the project differ: their effective alerts (files, vars
    /// and overlays), or with --live their live alerts.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts diff --env staging --env production         # the files, vars and overlays\n\
                  \x20 flex-alerts diff --env staging --env production --live  # the live alerts")]
    #[command(override_usage = "flex-alerts diff [OPTIONS] --env <A> --env <B> [PATH]...")]
    Diff {
        /// The two environments to compare: `--env A --env B`, e.g. `--env staging --env production`.
        #[arg(long = "env", value_name = "NAME", required = true)]
        envs: Vec<String>,
        /// Compare the live alerts of the two environments' stores instead of the files.
        #[arg(long)]
        live: bool,
        /// Exit 0 when the two are the same, 2 when they differ, 1 on error.
        #[arg(long)]
        detailed_exitcode: bool,
        /// Alert files or directories. Default: the project's alert paths.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Show what apply would change in the live store to match the alert files.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts plan --env staging\n\
                  \x20 flex-alerts plan --env production --format markdown --out plan.json  # a PR comment, a saved plan\n\
                  \x20 flex-alerts plan --all-envs --detailed-exitcode                      # exit 2 on changes")]
    Plan(PlanArgs),
    /// Change the live store to match the alert files, after showing the plan.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts apply --env staging                           # shows the plan, asks for yes\n\
                  \x20 flex-alerts apply --plan plan.json                        # exactly a saved plan, asking nothing\n\
                  \x20 flex-alerts apply --store local examples/ --auto-approve  # in the embedded sandbox")]
    Apply(ApplyArgs),
    /// Write the live alerts as an alert file that `plan` then finds unchanged.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts export --env production --out alerts/production.yaml\n\
                  \x20 flex-alerts export --store local  # the sandbox's alerts, to stdout")]
    Export {
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        env: EnvArgs,
    },
    /// Check a Flex account read-only before the first plan: credentials, the Configuration,
    /// the alerts and their configurations against the caps, what YAML v1 can manage, the
    /// directory, the push mode, the clock and the limits seen; a fix for each failure.
    /// Exit 0 when every check passes, 1 otherwise. Nothing is written.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts doctor --env production\n\
                  \x20 flex-alerts doctor --store http://127.0.0.1:4010 --format json  # against the emulator")]
    Doctor(DoctorArgs),
    /// Adopt one live alert: append it to an alert file (created when absent) as `export`
    /// writes it, so that `plan` finds it unchanged. Refused for an alert the files declare.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts import \"Support voice - longest wait\" --to alerts/support.yaml --env staging\n\
                  \x20 flex-alerts import FI0123456789abcdef0123456789abcdef --to alerts/adopted.yaml")]
    Import(ImportArgs),
    /// Set a repository up for alerts as code, never overwriting a file: a starter alert
    /// directory (the live alerts of a store or environment when one is named, else an
    /// example with its rule test), the JSON Schemas its modelines point at, `.flex-alerts/`
    /// in `.gitignore`, and with --ci the CI recipe.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts init                            # a starter alert file, its test, the schemas\n\
                  \x20 flex-alerts init --env staging --ci github  # staging's live alerts, the GitHub recipe\n\
                  \x20 flex-alerts init demo --store local         # in demo/, from the embedded sandbox")]
    Init(InitArgs),
    /// Post a Markdown plan (`plan --format markdown`) as a sticky comment on the pull request
    /// (GitHub Actions) or merge request (GitLab CI) this job runs for: one comment per part
    /// and per environment, found again by its marker and updated in place; parts are added or
    /// deleted as the plan grows or shrinks. Exit 1 when it could not be posted.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts plan --env staging --format markdown | flex-alerts comment\n\
                  \x20 flex-alerts comment plan.md --forge github --pr 12\n\
                  \x20 flex-alerts plan --all-envs --format markdown | flex-alerts comment --forge gitlab")]
    Comment(CommentArgs),
    /// List what the live store holds that alert files name: its task queues, task channels
    /// and Flex users (with their roles, and whether they are active).
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts inventory --env staging\n\
                  \x20 flex-alerts inventory --store local --format json")]
    Inventory(InventoryArgs),
    /// Print a JSON Schema: of alert files (the default), rule test files, the project file,
    /// overlay files, or the JSON plan.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts schema > schemas/flex-alerts.schema.json\n\
                  \x20 flex-alerts schema plan  # the shape of `plan --format json`")]
    Schema {
        /// Which document: `alerts` (schemas/flex-alerts.schema.json), `test`
        /// (schemas/flex-alerts-test.schema.json, rule test files), `project`
        /// (schemas/flex-alerts-project.schema.json, the project file), `overlay`
        /// (schemas/flex-alerts-overlay.schema.json, overlay files) or `plan`
        /// (schemas/plan.schema.json, the shape of `plan --format json` and `plan --out`).
        #[arg(value_enum, default_value_t = SchemaKind::Alerts)]
        which: SchemaKind,
    },
    /// Run an emulated Twilio Flex (alerts, users, configuration, TaskRouter) on a local port,
    /// for trying flex-alerts and for tests. Stop it with Ctrl-C.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts emulator                  # then paste the export line it prints\n\
                  \x20 flex-alerts emulator --state emulator.json --latency-ms 50\n\
                  \x20 flex-alerts emulator --fire-every 1m  # notifications to webhooks as they happen")]
    Emulator(EmulatorArgs),
    /// Print the manual page (roff): `flex-alerts man | man -l -`. With --out, write a page
    /// for flex-alerts and one for each command into DIR.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts man | man -l -\n\
                  \x20 flex-alerts man --out ~/.local/share/man/man1")]
    Man {
        /// Write flex-alerts.1 and flex-alerts-COMMAND.1 here, e.g. ~/.local/share/man/man1.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Print a shell completion script.
    #[command(after_help = "Examples:\n\
                  \x20 flex-alerts completions bash > ~/.local/share/bash-completion/completions/flex-alerts\n\
                  \x20 flex-alerts completions zsh > ~/.zfunc/_flex-alerts")]
    Completions {
        /// The shell to complete for.
        shell: Shell,
    },
}

/// `flex-alerts init`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// The repository's root. Default: the current directory.
    #[arg(value_name = "DIR")]
    pub directory: Option<PathBuf>,
    /// Where the alert files go, relative to DIR.
    #[arg(long, value_name = "DIR", default_value = "alerts")]
    pub alerts: PathBuf,
    /// Also write the CI recipe: `github` (.github/workflows/flex-alerts.yml) or `gitlab`
    /// (.gitlab-ci.yml).
    #[arg(long, value_enum)]
    pub ci: Option<CiKind>,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `flex-alerts comment`.
#[derive(Debug, Clone, clap::Args)]
pub struct CommentArgs {
    /// The Markdown plan, or `-` for standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: PathBuf,
    /// Where to post: `github` (needs GITHUB_TOKEN, GITHUB_REPOSITORY) or `gitlab` (needs
    /// FLEX_ALERTS_GITLAB_TOKEN or CI_JOB_TOKEN, CI_PROJECT_ID). Default: the CI system this
    /// job runs in (GITHUB_ACTIONS or GITLAB_CI).
    #[arg(long, value_enum)]
    pub forge: Option<Forge>,
    /// The pull or merge request. Default: the one the job runs for (the event's pull request,
    /// or CI_MERGE_REQUEST_IID).
    #[arg(long, value_name = "N")]
    pub pr: Option<u64>,
    /// What tells these comments from other plans' on the same request. Default: the plan's
    /// environment, `all` for `plan --all-envs`, else `plan`.
    #[arg(long, value_name = "NAME", value_parser = comment_key)]
    pub key: Option<String>,
}

/// `comment --forge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Forge {
    Github,
    Gitlab,
}

/// A comment key: letters, digits, `-`, `_` and `.`, so that it fits the marker.
fn comment_key(text: &str) -> Result<String, String> {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Ok(text.to_owned())
    } else {
        Err("write letters, digits, `-`, `_` and `.` only".to_owned())
    }
}

/// `flex-alerts inventory`.
#[derive(Debug, Clone, clap::Args)]
pub struct InventoryArgs {
    /// How to print it.
    #[arg(long, value_enum, default_value_t = InventoryFormat::Text)]
    pub format: InventoryFormat,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `inventory --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InventoryFormat {
    Text,
    Json,
}

/// The CI systems `init --ci` writes a recipe for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CiKind {
    Github,
    Gitlab,
}

/// `flex-alerts plan`.
#[derive(Debug, Clone, clap::Args)]
pub struct PlanArgs {
    /// Alert files or directories (read recursively). Default: the project's alert
    /// paths, else the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also save the plan as JSON, for `apply --plan FILE`.
    #[arg(long, value_name = "PLAN.json")]
    pub out: Option<PathBuf>,
    /// How to print the plan.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Exit 0 when there is nothing to change, 2 when there is, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Delete live alerts that no file declares (as `settings.prune: true` does).
    #[arg(long)]
    pub prune: bool,
    /// A metric history (CSV, as for `backtest`): each alert whose thresholds or notifications
    /// change shows its notifications a day on it, live and as planned.
    #[arg(long, value_name = "FILE.csv")]
    pub history: Option<PathBuf>,
    /// Plan every environment of the project file, one section each under a summary table.
    #[arg(long, conflicts_with_all = ["name", "out"])]
    pub all_envs: bool,
    /// List only the alerts changed or deleted outside flex-alerts since the last apply to
    /// this store (drift), and propose nothing; with --detailed-exitcode, 2 when there is drift.
    #[arg(long, conflicts_with_all = ["out", "history"])]
    pub refresh_only: bool,
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `flex-alerts doctor`.
#[derive(Debug, Clone, clap::Args)]
pub struct DoctorArgs {
    /// How to print the checklist.
    #[arg(long, value_enum, default_value_t = DoctorFormat::Text)]
    pub format: DoctorFormat,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `doctor --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DoctorFormat {
    /// A checklist for people.
    Text,
    /// For programs: `passed` and each check's `name`, `status`, `detail` and `fix`.
    Json,
}

/// `flex-alerts import`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// The live alert: its SID (`FI...`) or its name.
    #[arg(value_name = "SID_OR_NAME")]
    pub alert: String,
    /// The alert file to append it to (created with its modeline when absent).
    #[arg(long, value_name = "FILE.yaml")]
    pub to: PathBuf,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `--target`, `--exclude` and `--allow-protected`, on `plan` and `apply`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ScopeArgs {
    /// Plan only the alerts this matches: a name, an earlier name (`renamed_from`) or a shell
    /// glob (`"Billing*"`); repeatable. The caps still count every alert.
    #[arg(long, value_name = "NAME")]
    pub target: Vec<String>,
    /// Leave out the alerts this matches (names and globs as for --target); repeatable.
    #[arg(long, value_name = "NAME")]
    pub exclude: Vec<String>,
    /// Delete or replace this protected alert anyway (a name or glob); repeatable.
    #[arg(long, value_name = "NAME")]
    pub allow_protected: Vec<String>,
}

impl ScopeArgs {
    pub fn is_empty(&self) -> bool {
        self.target.is_empty() && self.exclude.is_empty() && self.allow_protected.is_empty()
    }
}

/// `flex-alerts record`.
#[derive(Debug, Clone, clap::Args)]
pub struct RecordArgs {
    /// The history to append to (created with its header when missing).
    #[arg(long, value_name = "FILE.csv")]
    pub out: PathBuf,
    /// How often to sample, e.g. `30s`, `1m`, `5m`.
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = duration)]
    pub every: std::time::Duration,
    /// Stop after this long, e.g. `10m`, `8h`. Default: until Ctrl-C.
    #[arg(long = "for", value_name = "DURATION", value_parser = duration)]
    pub for_: Option<std::time::Duration>,
    /// The queues' service level in seconds, for the SLA metrics (Flex's SLA counts tasks
    /// answered within it).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub sla_seconds: u64,
    /// Instead of sampling a store, write at once the last whole day (UTC) of the synthetic
    /// statistics `flex-alerts emulator` serves, for the sandbox's contact center: a first
    /// backtest without waiting.
    #[arg(long)]
    pub synthetic_day: bool,
    /// With --synthetic-day: which synthetic day (the emulator's --day-seed).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        requires = "synthetic_day"
    )]
    pub day_seed: u64,
    /// Alert files or directories: their queues and channels are recorded. Default: the
    /// current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `flex-alerts apply`.
#[derive(Debug, Clone, clap::Args)]
pub struct ApplyArgs {
    /// Alert files or directories (read recursively). Default: the project's alert
    /// paths, else the current directory.
    #[arg(value_name = "PATH", conflicts_with = "plan")]
    pub paths: Vec<PathBuf>,
    /// Do not ask for confirmation (needed when not run from a terminal).
    #[arg(long)]
    pub auto_approve: bool,
    /// Delete live alerts that no file declares (as `settings.prune: true` does).
    #[arg(long, conflicts_with = "plan")]
    pub prune: bool,
    /// Apply exactly this saved plan (`plan --out`); refused if an alert it touches changed
    /// live since.
    #[arg(long, value_name = "PLAN.json")]
    pub plan: Option<PathBuf>,
    /// How long to wait for another apply that holds the lock of the same state directory
    /// (or sandbox) before giving up, e.g. `0s`, `90s`, `10m`.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = duration)]
    pub lock_timeout: std::time::Duration,
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `plan --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// For people, in a terminal or a log.
    Text,
    /// For a pull-request comment (split into parts below 65,000 characters).
    Markdown,
    /// For programs; the shape of a saved plan.
    Json,
}

/// `backtest --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BacktestFormat {
    /// A table, worst first.
    Text,
    /// For a pull-request comment.
    Markdown,
    /// For programs.
    Json,
}

/// `test --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// A line per test; the differences under a failure.
    Text,
    /// JUnit XML, for CI test reports.
    Junit,
}

/// `flex-alerts schema WHICH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// Alert files.
    Alerts,
    /// Rule test files (`*.test.yaml`).
    Test,
    /// The project file (`flex-alerts.yaml`).
    Project,
    /// Overlay files (an environment's changes to the alerts).
    Overlay,
    /// The JSON plan.
    Plan,
}

/// `emulator --update-semantics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UpdateSemantics {
    Replace,
    Merge,
}

/// `flex-alerts emulator`: where to listen, what to start with, and which faults to inject.
#[derive(Debug, Clone, clap::Args)]
pub struct EmulatorArgs {
    /// Address to listen on. Port 0 picks a free port; the first line of output names it.
    #[arg(long, default_value = "127.0.0.1:8780")]
    pub listen: String,

    /// Keep the state in FILE (created from the seed when missing); in memory when omitted.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// The directory and credentials to start with (YAML); the built-in contact center of
    /// `examples/` when omitted.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,

    /// Start with the live state a capture saw (`--capture FILE.har` of plan, apply, export
    /// or doctor): its rules, notification configurations, users, queues, channels and
    /// Configuration. The credentials stay the seed's (a capture holds none).
    #[arg(long, value_name = "FILE.har", conflicts_with = "state")]
    pub from_capture: Option<PathBuf>,

    /// With --from-capture: answer each captured request as it was answered, in order, and
    /// any other request with 404, so a problem reproduces exactly.
    #[arg(long, requires = "from_capture")]
    pub replay: bool,

    /// Evaluate the live alert rules on this metric history (CSV, as for `backtest`) when
    /// `POST /__admin/fire` is called, and send their notifications to their webhooks. Without
    /// it, the synthetic day of the statistics endpoints is used.
    #[arg(long, value_name = "FILE.csv", help_heading = "Alert notifications")]
    pub metrics: Option<PathBuf>,

    /// Which synthetic day the statistics endpoints (and `/__admin/fire` without --metrics)
    /// serve: the same seed gives the same day, another seed another day of the same shape.
    #[arg(
        long,
        default_value_t = 0,
        value_name = "N",
        help_heading = "Alert notifications"
    )]
    pub day_seed: u64,

    /// On the synthetic day, evaluate the live rules this often and send each new
    /// notification to its webhooks as it happens, e.g. `1m`.
    #[arg(long, value_name = "DURATION", value_parser = duration, conflicts_with = "metrics", help_heading = "Alert notifications")]
    pub fire_every: Option<std::time::Duration>,

    /// Delay every request by this many milliseconds.
    #[arg(
        help_heading = "Faults (to test how a client copes)",
        long,
        default_value_t = 0,
        value_name = "MS"
    )]
    pub latency_ms: u64,

    /// Add up to this many milliseconds more, at random.
    #[arg(
        help_heading = "Faults (to test how a client copes)",
        long,
        default_value_t = 0,
        value_name = "MS"
    )]
    pub latency_jitter_ms: u64,

    /// Answer 429 (Twilio error 20429) when more requests than this are in flight.
    #[arg(
        help_heading = "Faults (to test how a client copes)",
        long,
        value_name = "N"
    )]
    pub concurrency_limit: Option<usize>,

    /// `Retry-After` to send with 429s: seconds or an HTTP date.
    #[arg(
        help_heading = "Faults (to test how a client copes)",
        long,
        value_name = "VALUE"
    )]
    pub retry_after: Option<String>,

    /// Share of requests (0 to 1) answered with --error-status, unprocessed.
    #[arg(help_heading = "Faults (to test how a client copes)", long, default_value_t = 0.0, value_parser = rate, value_name = "RATE")]
    pub error_rate: f64,

    /// The status of those answers.
    #[arg(help_heading = "Faults (to test how a client copes)", long, default_value_t = 503, value_parser = clap::value_parser!(u16).range(500..=503), value_name = "STATUS")]
    pub error_status: u16,

    /// Share of requests whose connection is dropped, unprocessed.
    #[arg(help_heading = "Faults (to test how a client copes)", long, default_value_t = 0.0, value_parser = rate, value_name = "RATE")]
    pub drop_rate: f64,

    /// Share of writes applied and then answered with 500.
    #[arg(help_heading = "Faults (to test how a client copes)", long, default_value_t = 0.0, value_parser = rate, value_name = "RATE")]
    pub apply_then_fail_rate: f64,

    /// Share of writes applied and then left without an answer (the connection is cut).
    #[arg(help_heading = "Faults (to test how a client copes)", long, default_value_t = 0.0, value_parser = rate, value_name = "RATE")]
    pub apply_then_drop_rate: f64,

    /// What a rule update does with the optional keys its body leaves out: `replace` clears
    /// them, `merge` keeps them (Twilio does not document which; flex-alerts works with both).
    #[arg(help_heading = "How the API behaves", long, value_enum, default_value_t = UpdateSemantics::Replace)]
    pub update_semantics: UpdateSemantics,

    /// Seed of the random faults, so a run can be repeated.
    #[arg(
        help_heading = "Faults (to test how a client copes)",
        long,
        default_value_t = 0,
        value_name = "N"
    )]
    pub fault_seed: u64,

    /// Serve at most N items per list page (Twilio allows up to 1000), to exercise paging.
    #[arg(
        help_heading = "How the API behaves",
        long,
        default_value_t = 1000,
        value_name = "N"
    )]
    pub max_page_size: usize,

    /// Refuse request bodies larger than this (413).
    #[arg(help_heading = "How the API behaves", long, default_value_t = DEFAULT_MAX_BODY_BYTES, value_name = "BYTES")]
    pub max_body_bytes: usize,
}

impl Cli {
    /// Whether `--store` was written on the command line (before the command or in it).
    pub fn store_written(&self, args: &StoreArgs) -> bool {
        args.store.is_some() || self.store_before_command.is_some()
    }

    /// The store options in effect: the command's own, else those written before the command,
    /// else the environment (`FLEX_ALERTS_STORE`, `FLEX_ALERTS_CONCURRENCY`), else the defaults.
    pub fn store_choice(&self, args: &StoreArgs) -> Result<StoreChoice, crate::Error> {
        let env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let concurrency = match args.concurrency.or(self.concurrency_before_command) {
            Some(count) => count,
            None => match env("FLEX_ALERTS_CONCURRENCY") {
                Some(text) => concurrency(&text).map_err(|problem| {
                    crate::Error::new(format!("FLEX_ALERTS_CONCURRENCY: {problem}"))
                })?,
                None => DEFAULT_CONCURRENCY,
            },
        };
        Ok(StoreChoice {
            given: args
                .store
                .clone()
                .or_else(|| self.store_before_command.clone())
                .or_else(|| env("FLEX_ALERTS_STORE")),
            concurrency,
            credentials: Default::default(),
            environment: None,
            capture: args.capture.clone(),
        })
    }
}

/// A `--store` value as a store, or an error that never shows credentials written into it.
pub fn parse_store(text: &str) -> Result<StoreSpec, crate::Error> {
    text.parse().map_err(|problem: String| {
        crate::Error::new(format!("--store: {problem}"))
            .hint("use `twilio`, `local`, `local:FILE` or `http(s)://HOST:PORT`; credentials go in TWILIO_* variables")
    })
}

/// `30s`, `5m`, `1m30s`, and with hours `8h`, `1h30m`.
fn duration(text: &str) -> Result<std::time::Duration, String> {
    let (hours, rest) = match text.split_once('h') {
        Some((hours, rest)) => (hours.parse::<u64>().ok(), rest),
        None => (Some(0), text),
    };
    let seconds = if rest.is_empty() && text.ends_with('h') {
        Some(0)
    } else {
        crate::config::rules::parse_delay(rest)
    };
    match (hours, seconds) {
        (Some(hours), Some(seconds)) => Ok(std::time::Duration::from_secs(
            hours * 3600 + u64::from(seconds),
        )),
        _ => Err(format!(
            "`{text}` is not a duration: use hours, minutes and seconds, e.g. 30s, 5m, 1m30s, 8h"
        )),
    }
}

fn concurrency(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(count) if (1..=256).contains(&count) => Ok(count),
        _ => Err(format!("`{text}` is not a number from 1 to 256")),
    }
}

fn per_day(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(count) if count >= 0.0 && count.is_finite() => Ok(count),
        _ => Err(format!(
            "`{text}` is not a number of notifications a day (0 or more)"
        )),
    }
}

fn rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("`{text}` is not a rate from 0 to 1")),
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::Cli;

    /// Every command's help ends with two or three examples, each on one line, each using
    /// the command, and each flex-alerts command in it parses (a `#` starts a comment).
    #[test]
    fn every_command_help_ends_with_examples_that_parse() {
        let mut top = Cli::command();
        top.build();
        for command in top.get_subcommands_mut().filter(|c| c.get_name() != "help") {
            let name = command.get_name().to_owned();
            let help = command.render_long_help().to_string();
            let (_, examples) = help
                .rsplit_once("Examples:\n")
                .unwrap_or_else(|| panic!("{name}: no examples in\n{help}"));
            let lines: Vec<&str> = examples.lines().filter(|l| !l.is_empty()).collect();
            assert!((2..=3).contains(&lines.len()), "{name}: {lines:?}");
            for line in lines {
                assert!(line.len() <= 100, "{name}: too wide: {line}");
                assert!(
                    line.starts_with("  flex-alerts "),
                    "{name}: not an example: {line:?}"
                );
                let command_line = line.split(" #").next().unwrap();
                assert!(
                    command_line.contains(&format!("flex-alerts {name}")),
                    "{name}: {line}"
                );
                // Each command of a pipeline parses, up to a redirection.
                for segment in command_line.split('|').map(str::trim) {
                    let Some(words) = segment
                        .strip_prefix("flex-alerts")
                        .filter(|rest| rest.is_empty() || rest.starts_with(' '))
                    else {
                        continue;
                    };
                    // Words as a shell splits them: a double-quoted name is one.
                    let words: Vec<String> = words
                        .split('>')
                        .next()
                        .unwrap()
                        .split('"')
                        .enumerate()
                        .flat_map(|(index, part)| {
                            if index % 2 == 1 {
                                vec![part.to_owned()]
                            } else {
                                part.split_whitespace().map(str::to_owned).collect()
                            }
                        })
                        .collect();
                    let parsed =
                        Cli::try_parse_from(std::iter::once("flex-alerts".to_owned()).chain(words));
                    assert!(parsed.is_ok(), "{name}: {line}: {}", parsed.unwrap_err());
                }
            }
        }
    }
}
