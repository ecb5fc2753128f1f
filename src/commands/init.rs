//! `flex-alerts init`: a repository set up for alerts as code, in an empty or an existing
//! one: a starter alert directory (the live alerts of a store when one is named, else a
//! commented example and its rule test), the JSON Schemas its modelines point at, `.flex-alerts/`
//! in `.gitignore`, and with `--ci` the CI recipe. It never overwrites a file: each one that
//! exists already is kept, and said so.

use std::path::{Path, PathBuf};

use super::environment::{Context, Needs};
use super::session::{Session, write_file};
use crate::cli::{CiKind, Cli, InitArgs, SchemaKind};
use crate::error::Error;
use crate::output::Output;

/// The starter alert file, for the sandbox's contact center (`--store local`).
const STARTER: &str = "# yaml-language-server: $schema=../schemas/flex-alerts.schema.json
# Your Flex alerts, kept as code. Edit them, then:
#   flex-alerts validate                 every problem, offline, at FILE:LINE:COLUMN
#   flex-alerts test                     the rule tests beside this file
#   flex-alerts plan --store local       what apply would change, in an embedded sandbox
#   flex-alerts apply --store local      ... and change it; leave --store out for Flex itself
# Queue, channel and user names are your Flex instance's (`flex-alerts inventory` lists them);
# these are the sandbox's.
version: 1
alerts:
  - name: Support voice - longest wait
    metric: Longest (Now)        # seconds the task waiting longest has waited
    channel: voice
    queues: [Support]
    thresholds:
      warning: { above: 60 }
      critical: { above: 180 }
    notify:
      severity: critical         # critical only: the warning is highlighted, not sent
      after: 1m                  # only once it has lasted a minute
      users: [jane.doe]
      popup: true
";

/// The starter's rule test.
const STARTER_TEST: &str = "# yaml-language-server: $schema=../schemas/flex-alerts-test.schema.json
version: 1
tests:
  - name: A long wait pages once it has lasted a minute
    series:
      # One value a minute from 0m: 200 seconds of waiting from 1m to 3m.
      - { metric: Longest (Now), queue: Support, channel: voice, values: \"0 200x3 0\" }
    notifications:
      - { at: 2m, alert: Support voice - longest wait, queue: Support, state: critical }
      - { at: 4m, alert: Support voice - longest wait, queue: Support, state: resolved }
";

pub fn run(cli: &Cli, args: &InitArgs, output: &Output) -> Result<u8, Error> {
    let root = args.directory.clone().unwrap_or_default();
    let alerts = root.join(&args.alerts);
    let modeline_root = relative_root(&args.alerts);
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    // From a live store when one is named, as `export` writes it.
    let live = args.env.name.is_some() || cli.store_written(&args.store);
    if live {
        let context = Context::resolve(args.env.name.as_deref(), Needs::One, output)?;
        let choice = context.store_choice(cli, &args.store)?;
        let session = Session::open(cli, &choice, choice.text(), output, None)?;
        let (text, variables) = super::export::export(
            &session.snapshot()?,
            &format!("{modeline_root}schemas/flex-alerts.schema.json"),
        );
        files.push((alerts.join("alerts.yaml"), text));
        if !variables.is_empty() {
            output.line(&format!(
                "Webhook URLs are secrets and were not written: set {} before running plan.",
                variables.join(", ")
            ));
        }
    } else {
        let relative =
            |text: &str| text.replace("../schemas/", &format!("{modeline_root}schemas/"));
        files.push((alerts.join("alerts.yaml"), relative(STARTER)));
        files.push((alerts.join("alerts.test.yaml"), relative(STARTER_TEST)));
    }
    for kind in [
        SchemaKind::Alerts,
        SchemaKind::Test,
        SchemaKind::Project,
        SchemaKind::Overlay,
    ] {
        files.push((
            root.join("schemas").join(super::schema_file(kind)),
            super::schema_text(kind),
        ));
    }
    if let Some(ci) = args.ci {
        let environments = crate::project::current()
            .ok()
            .flatten()
            .is_some_and(|(project, _)| !project.environments.is_empty());
        let (path, recipe) = match (ci, environments) {
            (CiKind::Github, false) => (
                ".github/workflows/flex-alerts.yml",
                include_str!("../../examples/ci/github-actions.yml"),
            ),
            (CiKind::Github, true) => (
                ".github/workflows/flex-alerts.yml",
                include_str!("../../examples/ci/github-actions-environments.yml"),
            ),
            (CiKind::Gitlab, false) => (
                ".gitlab-ci.yml",
                include_str!("../../examples/ci/gitlab-ci.yml"),
            ),
            (CiKind::Gitlab, true) => (
                ".gitlab-ci.yml",
                include_str!("../../examples/ci/gitlab-ci-environments.yml"),
            ),
        };
        files.push((root.join(path), recipe.to_owned()));
        if recipe.contains("uses: OWNER/flex-alerts@") {
            output.line(&format!(
                "In {path}, write the GitHub account that hosts flex-alerts for OWNER (`uses: OWNER/flex-alerts@v{}`).",
                env!("CARGO_PKG_VERSION")
            ));
        }
    }
    for (path, text) in &files {
        if path.exists() {
            output.line(&format!(
                "  kept  {} (it exists; nothing was overwritten)",
                path.display()
            ));
        } else {
            write_file(path, text)?;
            output.line(&format!("  wrote {}", path.display()));
        }
    }
    ignore_state(&root.join(".gitignore"), output)?;
    let alerts = alerts.display();
    let store = args
        .store
        .store
        .as_ref()
        .or(cli.store_before_command.as_ref());
    let try_them = match (&args.env.name, store) {
        (Some(name), _) => {
            format!("`flex-alerts plan {alerts} --env {name}` shows what apply would change")
        }
        (None, Some(store)) => {
            format!("`flex-alerts plan {alerts} --store {store}` shows what apply would change")
        }
        (None, None) if std::env::var_os("FLEX_ALERTS_STORE").is_some() => {
            format!(
                "`flex-alerts plan {alerts}` shows what apply would change in $FLEX_ALERTS_STORE"
            )
        }
        (None, None) => {
            format!("`flex-alerts plan {alerts} --store local` tries them in a sandbox")
        }
    };
    output.line(&format!(
        "Next: `flex-alerts validate {alerts}` checks the files, {try_them}."
    ));
    Ok(0)
}

/// `../` once per directory of `alerts` (`alerts/team` -> `../../`): from the alert files
/// back to the repository root, where `schemas/` is.
fn relative_root(alerts: &Path) -> String {
    let depth = alerts
        .components()
        .filter(|part| matches!(part, std::path::Component::Normal(_)))
        .count();
    "../".repeat(depth)
}

/// `.flex-alerts/` (the sandbox, the journal, the apply lock) added to `.gitignore`, unless it
/// is there already; the rest of the file is kept as it is.
fn ignore_state(path: &Path, output: &Output) -> Result<(), Error> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    if existing.lines().any(|line| {
        matches!(
            line.trim(),
            ".flex-alerts" | ".flex-alerts/" | "/.flex-alerts/"
        )
    }) {
        output.line(&format!(
            "  kept  {} (it ignores .flex-alerts/ already)",
            path.display()
        ));
        return Ok(());
    }
    let mut text = existing.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# flex-alerts: the local sandbox and the apply journal\n.flex-alerts/\n");
    write_file(path, &text)?;
    output.line(&format!(
        "  {} {} (.flex-alerts/ ignored)",
        if existing.is_empty() {
            "wrote"
        } else {
            "added"
        },
        path.display()
    ));
    Ok(())
}
