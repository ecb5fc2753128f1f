//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use flex_alerts::config::{self, Loaded};

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
        .env("NO_COLOR", "1");
    command
}
