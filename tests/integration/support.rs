//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::time::Duration;

use flex_alerts::commands::emulator::Metrics;
use flex_alerts::common::tls::install_crypto_provider;
use flex_alerts::config::{self, Loaded};
use flex_alerts::emulator::faults::{FaultAction, Faults, ScriptedFault};
use flex_alerts::emulator::http::{DEFAULT_MAX_BODY_BYTES, Emulator};
use flex_alerts::emulator::{Engine, Seed};
use flex_alerts::flex::wire::RuleBody;
use flex_alerts::store::twilio::retry::RetryPolicy;
use flex_alerts::store::twilio::{ClientConfig, TwilioClient};

/// The repository root (where Cargo.toml is).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the repository root, as a relative path so messages read `tests/bad/x.yaml`.
pub fn rel(path: &str) -> PathBuf {
    PathBuf::from(path)
}

/// The environment alert files see in tests: only the examples' Slack variable is set.
pub fn test_env(name: &str) -> Option<String> {
    (name == "SLACK_SUPPORT_WEBHOOK")
        .then(|| "https://hooks.slack.com/services/T000/B000/EXAMPLESECRET".to_owned())
}

/// Loads alert files; tests run in the repository root, so paths read `tests/bad/x.yaml`.
pub fn load(paths: &[&str]) -> Loaded {
    let paths: Vec<PathBuf> = paths.iter().map(|p| rel(p)).collect();
    config::load(&paths, &test_env)
}

/// The built binary, run from the repository root with a clean, colourless environment.
pub fn cli() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("flex-alerts").expect("binary is built");
    command
        .current_dir(root())
        .env_remove("FLEX_ALERTS_STORE")
        .env_remove("FLEX_ALERTS_CONCURRENCY")
        .env("NO_COLOR", "1");
    command
}

/// The built-in seed's account, credentials and a few directory SIDs.
pub const ACCOUNT: &str = "ACe268443e43d93dab7ebef303bbe9642f";
pub const TOKEN: &str = "emulator-auth-token";
pub const INSTANCE: &str = "GO7123a699d77db6479a1d8ece2c4f1c16";
pub const WORKSPACE: &str = "WS1629dee48cc4e53161f9b2be8614e062";
pub const SUPPORT: &str = "WQdb5eb84117d06047c97c9a0191b5fffe";
pub const BILLING: &str = "WQ780c462e85ba4399a5d42e88f69a15ca";
pub const VOICE: &str = "TCb95677216e439d96ec4fba1240a3c1f8";
pub const JANE: &str = "FU0645c9291d00eb8546d1dca3c92c26e9";
pub const RAJ: &str = "FU1882ebd4bc04192b2df4b3803f740401";

/// An emulator with the built-in seed on a free local port.
pub async fn emulator() -> Emulator {
    emulator_with(Engine::new(&Seed::builtin())).await
}

pub async fn emulator_with(engine: Engine) -> Emulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let emulator = Emulator::start(
        listener,
        engine,
        Faults::default(),
        1,
        DEFAULT_MAX_BODY_BYTES,
    )
    .expect("the emulator starts");
    // As `flex-alerts emulator` starts it: firing on the synthetic day.
    emulator
        .shared
        .set_firer(std::sync::Arc::new(Metrics::Synthetic {
            sla_seconds: 60,
            seed: 0,
        }));
    emulator
}

/// Client settings for the emulator at `url`, with the seed's account credentials and short
/// retry waits so fault tests stay quick.
pub fn client_config_for(url: &str) -> ClientConfig {
    let env = |name: &str| match name {
        "TWILIO_ACCOUNT_SID" => Some(ACCOUNT.to_owned()),
        "TWILIO_AUTH_TOKEN" => Some(TOKEN.to_owned()),
        "FLEX_INSTANCE_SID" => Some(INSTANCE.to_owned()),
        _ => None,
    };
    let base = reqwest::Url::parse(url).unwrap();
    ClientConfig {
        retry: RetryPolicy {
            max_retries: 5,
            min_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(40),
            max_total: Duration::from_secs(20),
        },
        timeout: Duration::from_secs(10),
        ..ClientConfig::from_env(&env, Some(&base)).unwrap()
    }
}

pub fn client_config(emulator: &Emulator) -> ClientConfig {
    client_config_for(&emulator.url())
}

pub fn client(emulator: &Emulator) -> TwilioClient {
    TwilioClient::new(client_config(emulator)).unwrap()
}

/// A plain HTTP client for raw contract tests.
pub fn raw_http() -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// The documented create example, with the seed's real SIDs.
pub fn documented_rule(name: &str) -> serde_json::Value {
    serde_json::json!({
        "rule_friendly_name": name,
        "metric_id": "Active (Now)",
        "task_channel_sid": VOICE,
        "task_queue_sids": [SUPPORT],
        "active": true,
        "rule_thresholds": [
            {"threshold_type": "Critical", "threshold_operator": "Greater Than", "threshold_value": 5000}
        ],
        "notify_enabled": true,
        "notify_severity": "Critical",
        "notify_duration": 900000
    })
}

/// A typed rule body for the client.
pub fn rule_body(name: &str) -> RuleBody {
    serde_json::from_value(documented_rule(name)).unwrap()
}

/// Sets the emulator's faults to `script` only.
pub fn script(emulator: &Emulator, script: Vec<ScriptedFault>) {
    emulator.shared.set_faults(Faults {
        script,
        ..Faults::default()
    });
    emulator.shared.clear_requests();
}

/// A scripted fault for the next `times` requests matching `method` and `path_contains`.
pub fn fault(method: &str, path_contains: &str, action: FaultAction, times: u32) -> ScriptedFault {
    ScriptedFault {
        method: Some(method.to_owned()),
        path_contains: Some(path_contains.to_owned()),
        body_contains: None,
        action,
        times: Some(times),
        skip: 0,
    }
}

/// How many requests the emulator saw with `method` on a path containing `part`.
pub fn count(emulator: &Emulator, method: &str, part: &str) -> usize {
    emulator
        .shared
        .requests()
        .iter()
        .filter(|request| request.method == method && request.path.contains(part))
        .count()
}

/// How many items the emulator holds under `key` (`rules`, `notification_configs`).
pub fn stored(emulator: &Emulator, key: &str) -> usize {
    emulator.shared.state_json()[key]
        .as_array()
        .map_or(0, Vec::len)
}

/// The examples' webhook in CLI tests; no output may ever contain it.
pub const WEBHOOK: &str = "https://hooks.slack.com/services/T000/B000/CLISECRET";

/// What a run of the binary printed, and its exit status.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary and checks that no webhook URL was printed.
pub fn run(command: &mut assert_cmd::Command) -> Run {
    let output = command.output().unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stdout.contains("CLISECRET") && !run.stderr.contains("CLISECRET"),
        "a webhook URL was printed"
    );
    run
}

/// Runs the binary off the async runtime, so the in-process emulator keeps serving.
pub async fn run_blocking(mut command: assert_cmd::Command, args: &[&str]) -> Run {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    tokio::task::spawn_blocking(move || run(command.args(args)))
        .await
        .unwrap()
}

/// An emulator after `apply examples/`, and the state directory that apply used.
pub async fn applied_examples() -> (Emulator, tempfile::TempDir) {
    let emulator = emulator().await;
    let state = tempfile::tempdir().unwrap();
    let applied = run_blocking(
        against(&emulator, state.path()),
        &["apply", "examples/", "--auto-approve"],
    )
    .await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    (emulator, state)
}

/// The binary against the in-process emulator, with the journal in `state_dir`.
pub fn against(
    emulator: &flex_alerts::emulator::http::Emulator,
    state_dir: &Path,
) -> assert_cmd::Command {
    against_url(&emulator.url(), state_dir)
}

/// The binary against the emulator at `url` (with the seed's credentials), with the journal
/// in `state_dir`.
pub fn against_url(url: &str, state_dir: &Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(process_against(url, state_dir))
}

/// The same as a plain process, for tests that spawn it and kill it.
pub fn process_against(url: &str, state_dir: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("flex-alerts"));
    command
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("FLEX_ALERTS_STORE", url)
        .env("FLEX_ALERTS_CONCURRENCY", "4")
        .env("TWILIO_ACCOUNT_SID", ACCOUNT)
        .env("TWILIO_AUTH_TOKEN", TOKEN)
        .env("FLEX_INSTANCE_SID", INSTANCE)
        .env_remove("TWILIO_API_KEY")
        .env_remove("TWILIO_WORKSPACE_SID")
        .env("FLEX_ALERTS_STATE_DIR", state_dir)
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK);
    command
}

/// `flex-alerts emulator ARGS` as its own process, and the address it listens on (read from
/// its first line); its standard error is piped for the banner.
pub fn spawn_emulator(args: &[&std::ffi::OsStr]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("flex-alerts"))
        .arg("emulator")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_owned();
    (child, url)
}

/// What `command` prints (stdout and stderr together) when run on a pseudo-terminal, as a
/// person at a terminal would see it; when `answer` is `(prompt, reply)`, `reply` is typed
/// once `prompt` shows. At most 20 seconds.
pub fn on_terminal(command: std::process::Command, answer: Option<(&str, &str)>) -> String {
    let script = r#"
import os, pty, subprocess, sys, select, time
prompt, reply = sys.argv[1].encode(), sys.argv[2].encode()
main, secondary = pty.openpty()
child = subprocess.Popen(sys.argv[3:], stdin=secondary, stdout=secondary, stderr=secondary, close_fds=True)
os.close(secondary)
output, answered, deadline = b"", not prompt, time.time() + 20
while time.time() < deadline:
    ready, _, _ = select.select([main], [], [], 0.1)
    if ready:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if not answered and prompt in output:
            os.write(main, reply + b"\n")
            answered = True
    elif child.poll() is not None:
        break
child.wait(timeout=5)
sys.stdout.write(output.decode("utf-8", "replace"))
"#;
    let (prompt, reply) = answer.unwrap_or(("", ""));
    let mut python = std::process::Command::new("python3");
    python
        .arg("-c")
        .arg(script)
        .arg(prompt)
        .arg(reply)
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => python.env(key, value),
            None => python.env_remove(key),
        };
    }
    if let Some(directory) = command.get_current_dir() {
        python.current_dir(directory);
    }
    let output = python.output().expect("python3 runs (CI machines have it)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}
