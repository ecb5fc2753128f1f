//! The CI recipes in `examples/ci/`: each is parsed, its shape checked (secrets only from the
//! environment, one apply at a time, the journal cached, a drift job), and the shell it runs
//! is run for real against the emulator: pull request, merge, and drift, in that order.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

use flex_alerts::common::yaml;
use serde_json::Value;

use crate::support::{INSTANCE, WEBHOOK, root, spawn_emulator};

/// The version Cargo.toml names (cargo passes it to the tests): the one releases carry.
const VERSION: &str = env!("CARGO_PKG_VERSION");

const API_KEY: &str = "SK5b1e6c3a9f0d4e2b8c7a6d5e4f3a2b1c";
const API_SECRET: &str = "emulator-api-key-secret";

/// A recipe as JSON.
fn recipe(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join("examples/ci").join(name)).unwrap();
    let node = yaml::parse(&text).unwrap().unwrap();
    yaml::to_json(&node).0
}

const GITHUB_TOKEN: &str = "ghs_recipetoken";
const GITLAB_TOKEN: &str = "glpat-recipetoken";

/// Every job installs flex-alerts with the action, pinned to this release; nothing builds it.
fn installs_the_pinned_release_with_the_action(workflow: &Value) {
    let text = serde_json::to_string(workflow).unwrap();
    assert!(!text.contains("cargo install") && !text.contains("FLEX_ALERTS_GIT"));
    for (job, body) in workflow["jobs"].as_object().unwrap() {
        let install = body["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "Install flex-alerts")
            .unwrap_or_else(|| panic!("{job} installs flex-alerts"));
        assert_eq!(
            install["uses"],
            format!("OWNER/flex-alerts@v{VERSION}"),
            "{job}"
        );
    }
}

/// An emulator process, stopped when dropped.
struct Emulator(Child, String);

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A checkout of a repository that keeps its alerts in `alerts/`, with `gh` replaced by a
/// stub that logs its arguments, an emulator, and a stand-in forge for the comments.
struct Workspace {
    directory: tempfile::TempDir,
    emulator: Emulator,
    /// A stand-in GitHub and GitLab API for `flex-alerts comment`, on its own runtime.
    forge: (tokio::runtime::Runtime, String, crate::comment::Shared),
}

impl Workspace {
    fn new() -> Workspace {
        let directory = tempfile::tempdir().unwrap();
        let alerts = directory.path().join("alerts");
        std::fs::create_dir_all(&alerts).unwrap();
        for entry in std::fs::read_dir(root().join("examples")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                std::fs::copy(&path, alerts.join(path.file_name().unwrap())).unwrap();
            }
        }
        let stubs = directory.path().join("stubs");
        std::fs::create_dir_all(&stubs).unwrap();
        // `gh issue list` finds no open issue; every call is logged.
        let stubbed = [("gh", "echo \"gh $*\" >> \"$STUB_LOG\"")];
        for (name, body) in stubbed {
            let path = stubs.join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            make_executable(&path);
        }
        let (child, url) = spawn_emulator(&["--listen".as_ref(), "127.0.0.1:0".as_ref()]);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (forge_url, forge) = runtime.block_on(crate::comment::stand_in(vec![
            ("authorization", format!("Bearer {GITHUB_TOKEN}")),
            ("private-token", GITLAB_TOKEN.to_owned()),
        ]));
        Workspace {
            directory,
            emulator: Emulator(child, url),
            forge: (runtime, forge_url, forge),
        }
    }

    fn path(&self) -> &Path {
        self.directory.path()
    }

    /// The comments the stand-in forge holds.
    fn comments(&self) -> Vec<String> {
        crate::comment::bodies(&self.forge.2)
    }

    /// What a GitHub Actions pull-request job sees: the event, the repository, the API.
    fn github_variables(&self) -> Vec<(String, String)> {
        let event = self.path().join("event.json");
        std::fs::write(&event, r#"{"pull_request": {"number": 7}}"#).unwrap();
        [
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_API_URL", self.forge.1.as_str()),
            ("GITHUB_REPOSITORY", "owl/alerts"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
            ("GITHUB_TOKEN", GITHUB_TOKEN),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn stub_log(&self) -> String {
        std::fs::read_to_string(self.path().join("stub.log")).unwrap_or_default()
    }

    /// Runs `script` as a CI runner would (bash, stop at the first failure), with flex-alerts
    /// and the stubs on PATH, `variables` set, and the secrets set when `secrets` is true.
    fn shell(&self, script: &str, variables: &[(String, String)], secrets: bool) -> Output {
        let binary = assert_cmd::cargo::cargo_bin("flex-alerts");
        let path = format!(
            "{}:{}:{}",
            self.path().join("stubs").display(),
            binary.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(self.path())
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.path())
            .env("NO_COLOR", "1")
            .env("STUB_LOG", self.path().join("stub.log"))
            .env("FLEX_ALERTS_STORE", &self.emulator.1)
            .envs(variables.iter().map(|(k, v)| (k, v)));
        if secrets {
            for prefix in ["FLEX_STAGING_", "FLEX_PROD_"] {
                command
                    .env(format!("{prefix}TWILIO_API_KEY"), API_KEY)
                    .env(format!("{prefix}TWILIO_API_SECRET"), API_SECRET)
                    .env(format!("{prefix}INSTANCE_SID"), INSTANCE);
            }
            command
                .env("TWILIO_API_KEY", API_KEY)
                .env("TWILIO_API_SECRET", API_SECRET)
                .env("FLEX_INSTANCE_SID", INSTANCE)
                .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK)
                .env("FLEX_ALERTS_GITLAB_TOKEN", GITLAB_TOKEN);
        }
        let output = command.output().unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!printed.contains(WEBHOOK), "a webhook URL was printed");
        assert!(!printed.contains(API_SECRET), "a secret was printed");
        assert!(
            !printed.contains(GITHUB_TOKEN) && !printed.contains(GITLAB_TOKEN),
            "a token was printed"
        );
        output
    }

    /// Someone changes a live alert by hand: the support wait threshold, from other files and
    /// another machine (as Console would: the recipe's state never hears of it).
    fn drift(&self) {
        let changed = self.path().join("changed");
        std::fs::create_dir_all(&changed).unwrap();
        for entry in std::fs::read_dir(self.path().join("alerts")).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let text = text.replacen("above: 180", "above: 240", 1);
            std::fs::write(changed.join(path.file_name().unwrap()), text).unwrap();
        }
        let output = self.shell(
            "FLEX_ALERTS_STATE_DIR=console flex-alerts apply changed/ --auto-approve",
            &[],
            true,
        );
        assert!(output.status.success(), "{}", text(&output));
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Plain environment variables a workflow or job sets (not `${{ ... }}` expressions).
fn plain_variables(env: &Value) -> Vec<(String, String)> {
    env.as_object()
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .filter(|(_, v)| !v.contains("${{"))
                .collect()
        })
        .unwrap_or_default()
}

/// The steps of a GitHub Actions job, and the one whose `name` is `step`.
fn github_step<'a>(workflow: &'a Value, job: &str, step: &str) -> &'a Value {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("job {job} has no steps"))
        .iter()
        .find(|s| s["name"] == step)
        .unwrap_or_else(|| panic!("job {job} has no step {step:?}"))
}

/// Every `run:` of a job, in order.
fn github_runs(workflow: &Value, job: &str) -> Vec<String> {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str().map(str::to_owned))
        .collect()
}

fn uses<'a>(workflow: &'a Value, job: &str, action: &str) -> Vec<&'a Value> {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(action)))
        .collect()
}

#[test]
fn github_actions_recipe_has_the_shape_it_promises() {
    let workflow = recipe("github-actions.yml");
    let on = &workflow["on"];
    assert!(on.get("pull_request").is_some() && on.get("schedule").is_some());
    assert_eq!(on["push"]["branches"][0], "main");
    // A change of the project file or an overlay is planned and applied too.
    for trigger in ["pull_request", "push"] {
        let paths = on[trigger]["paths"].as_array().unwrap();
        assert!(
            paths.contains(&"flex-alerts.yaml".into()) && paths.contains(&"overlays/**".into())
        );
    }
    installs_the_pinned_release_with_the_action(&workflow);
    // Secrets only ever reach flex-alerts as environment variables, and no `${{ }}` is pasted
    // into a shell script (where a value could run as code).
    for (key, value) in workflow["env"].as_object().unwrap() {
        if let Some(value) = value.as_str().filter(|v| v.contains("secrets.")) {
            assert_eq!(value, format!("${{{{ secrets.{key} }}}}"), "{key}");
        }
    }
    for job in workflow["jobs"].as_object().unwrap().keys() {
        for run in github_runs(&workflow, job) {
            assert!(!run.contains("${{"), "{job}: {run}");
            assert!(
                !run.contains("--store"),
                "{job}: the store comes from the environment"
            );
        }
    }
    // Applies never overlap, never cancel each other, and keep the journal between runs.
    let apply = &workflow["jobs"]["apply"];
    assert!(
        apply["concurrency"]["group"]
            .as_str()
            .is_some_and(|g| !g.is_empty())
    );
    assert_eq!(apply["concurrency"]["cancel-in-progress"], false);
    assert!(
        uses(&workflow, "apply", "actions/cache")
            .iter()
            .any(|s| s["with"]["path"] == ".flex-alerts/"),
        "the apply job caches .flex-alerts/"
    );
    assert_eq!(apply["needs"], "plan");
    // The pull request gets the plan as an artifact and as a sticky comment.
    let artifact = uses(&workflow, "pull-request", "actions/upload-artifact");
    assert!(
        artifact[0]["with"]["path"]
            .as_str()
            .unwrap()
            .contains("plan.json")
    );
    assert!(
        github_step(&workflow, "drift", "Compare the live alerts with Git")["run"]
            .as_str()
            .unwrap()
            .contains("--detailed-exitcode")
    );
}

#[test]
fn github_actions_recipe_runs_a_pull_request_a_merge_and_a_drift_check() {
    let workflow = recipe("github-actions.yml");
    let workspace = Workspace::new();
    let variables = plain_variables(&workflow["env"]);
    let step = |job: &str, name: &str| -> String {
        github_step(&workflow, job, name)["run"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    // A pull request from a fork: no secrets, validated all the same.
    let output = workspace.shell(&step("pull-request", "Validate"), &variables, false);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("not checked: `SLACK_SUPPORT_WEBHOOK` is not set"));

    // A pull request with secrets: the Markdown plan and the saved plan.
    let output = workspace.shell(&step("pull-request", "Plan"), &variables, true);
    assert!(output.status.success(), "{}", text(&output));
    let markdown = std::fs::read_to_string(workspace.path().join("plan.md")).unwrap();
    assert!(markdown.contains("to create"), "{markdown}");
    assert!(workspace.path().join("plan.json").exists());
    // The plan as a sticky comment, twice: one comment, updated in place.
    let mut github = variables.clone();
    github.extend(workspace.github_variables());
    for _ in 0..2 {
        let output = workspace.shell(&step("pull-request", "Comment the plan"), &github, true);
        assert!(output.status.success(), "{}", text(&output));
    }
    let comments = workspace.comments();
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(
        comments[0].starts_with("<!-- flex-alerts comment plan part 1 of 1 -->")
            && comments[0].contains("to create"),
        "{}",
        comments[0]
    );

    // The merge: plan again, then apply exactly that plan, as the two jobs do.
    std::fs::remove_file(workspace.path().join("plan.json")).unwrap();
    for job in ["plan", "apply"] {
        for run in github_runs(&workflow, job) {
            let output = workspace.shell(&run, &variables, true);
            assert!(output.status.success(), "{job}: {run}\n{}", text(&output));
        }
    }
    assert!(
        workspace.path().join(".flex-alerts").is_dir(),
        "the journal to cache"
    );

    // The hourly drift check: quiet while live matches Git, an issue once it does not.
    let drift = step("drift", "Compare the live alerts with Git");
    let output = workspace.shell(&drift, &variables, true);
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(workspace.stub_log(), "");
    workspace.drift();
    let output = workspace.shell(&drift, &variables, true);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let log = workspace.stub_log();
    assert!(
        log.contains("gh issue list --state open")
            && log.contains(
                "gh issue create --title Flex alerts drifted from Git --body-file drift.md"
            ),
        "{log}"
    );
    let report = std::fs::read_to_string(workspace.path().join("drift.md")).unwrap();
    assert!(report.contains("Support voice - longest wait"), "{report}");
    assert!(
        report.contains("**changed outside flex-alerts since the apply of 20"),
        "the edit is named as drift: {report}"
    );
    assert!(
        text(&output).contains("  ! drifted \"Support voice - longest wait\""),
        "{}",
        text(&output)
    );
}

/// Every job installs this release from PyPI, cached by version; nothing builds it.
fn installs_the_pinned_release_from_pypi(pipeline: &Value) {
    let text = serde_json::to_string(pipeline).unwrap();
    assert!(!text.contains("cargo install") && !text.contains("FLEX_ALERTS_GIT"));
    assert_eq!(pipeline["variables"]["FLEX_ALERTS_VERSION"], VERSION);
    let before = serde_json::to_string(&pipeline["default"]["before_script"]).unwrap();
    assert!(
        before.contains("pip install --quiet \\\"flex-alerts==$FLEX_ALERTS_VERSION\\\""),
        "{before}"
    );
    assert_eq!(
        pipeline["default"]["cache"][0]["key"],
        "flex-alerts-$FLEX_ALERTS_VERSION"
    );
}

/// A GitLab job with the template it `extends` filled in.
fn gitlab_job(pipeline: &Value, job: &str) -> Value {
    let mut merged = match pipeline[job].get("extends").and_then(Value::as_str) {
        Some(template) => pipeline[template].clone(),
        None => serde_json::json!({}),
    };
    for (key, value) in pipeline[job].as_object().unwrap() {
        merged[key] = value.clone();
    }
    merged
}

/// A GitLab job's `before_script` and `script` as one shell script.
fn gitlab_script(pipeline: &Value, job: &str) -> String {
    let job_value = gitlab_job(pipeline, job);
    let pipeline = &serde_json::json!({ "default": pipeline["default"], job: job_value });
    let lines = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| i.as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = match pipeline[job].get("before_script") {
        Some(before) => lines(before),
        None => lines(&pipeline["default"]["before_script"]),
    };
    [before, lines(&pipeline[job]["script"])]
        .concat()
        .join("\n")
}

fn gitlab_variables(
    pipeline: &Value,
    source: &str,
    workspace: &Workspace,
) -> Vec<(String, String)> {
    let mut variables = plain_variables(&pipeline["variables"]);
    for (key, value) in [
        ("GITLAB_CI", "true"),
        ("CI_PIPELINE_SOURCE", source),
        ("CI_COMMIT_BRANCH", "main"),
        ("CI_DEFAULT_BRANCH", "main"),
        ("CI_API_V4_URL", workspace.forge.1.as_str()),
        ("CI_PROJECT_ID", "42"),
        ("CI_MERGE_REQUEST_IID", "7"),
    ] {
        variables.push((key.to_owned(), value.to_owned()));
    }
    variables
}

#[test]
fn gitlab_recipe_has_the_shape_it_promises_and_runs_for_real() {
    let pipeline = recipe("gitlab-ci.yml");
    let apply = &pipeline["apply"];
    assert!(
        apply["resource_group"]
            .as_str()
            .is_some_and(|g| !g.is_empty())
    );
    assert!(
        apply["cache"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["paths"][0] == ".flex-alerts/"),
        "the apply job caches .flex-alerts/"
    );
    assert_eq!(apply["needs"][0], "plan");
    assert_eq!(pipeline["plan"]["artifacts"]["paths"][0], "plan.json");
    assert_eq!(
        pipeline["drift"]["rules"][0]["if"],
        "$CI_PIPELINE_SOURCE == \"schedule\""
    );
    let all = serde_json::to_string(&pipeline).unwrap();
    assert!(
        !all.contains("--store"),
        "the store comes from the environment"
    );

    installs_the_pinned_release_from_pypi(&pipeline);
    let workspace = Workspace::new();
    // A merge request: validate without secrets, plan with them and post the note.
    let merge_request = gitlab_variables(&pipeline, "merge_request_event", &workspace);
    let output = workspace.shell(&gitlab_script(&pipeline, "validate"), &merge_request, false);
    assert!(output.status.success(), "{}", text(&output));
    let output = workspace.shell(&gitlab_script(&pipeline, "plan"), &merge_request, true);
    assert!(output.status.success(), "{}", text(&output));
    let output = workspace.shell(&gitlab_script(&pipeline, "plan"), &merge_request, true);
    assert!(output.status.success(), "{}", text(&output));
    let notes = workspace.comments();
    assert_eq!(notes.len(), 1, "one note, updated in place: {notes:?}");
    assert!(notes[0].starts_with("<!-- flex-alerts comment plan part 1 of 1 -->"));
    assert!(
        workspace
            .forge
            .2
            .lock()
            .unwrap()
            .requests
            .iter()
            .any(|r| r == "POST /projects/42/merge_requests/7/notes")
    );

    // The default branch: plan, then apply that saved plan.
    let push = gitlab_variables(&pipeline, "push", &workspace);
    for job in ["plan", "apply"] {
        let output = workspace.shell(&gitlab_script(&pipeline, job), &push, true);
        assert!(output.status.success(), "{job}: {}", text(&output));
    }

    // The scheduled drift check.
    let schedule = gitlab_variables(&pipeline, "schedule", &workspace);
    let output = workspace.shell(&gitlab_script(&pipeline, "drift"), &schedule, true);
    assert!(output.status.success(), "{}", text(&output));
    workspace.drift();
    let output = workspace.shell(&gitlab_script(&pipeline, "drift"), &schedule, true);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("The live Flex alerts differ from Git."));
    assert!(
        text(&output).contains("changed outside flex-alerts since the apply of 20"),
        "{}",
        text(&output)
    );
}

#[test]
fn recipes_are_not_read_as_alert_files() {
    let output = crate::support::cli()
        .args(["validate", "examples/"])
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    for recipe in [
        "github-actions.yml",
        "gitlab-ci.yml",
        "github-actions-environments.yml",
        "gitlab-ci-environments.yml",
    ] {
        let shown = PathBuf::from("examples/ci").join(recipe);
        assert!(
            stderr.contains(&format!("--> {}", shown.display())),
            "{recipe} is skipped with a note: {stderr}"
        );
    }
    // plan says so in one line; validate is where the reasons are.
    let sandbox = tempfile::tempdir().unwrap();
    let output = crate::support::cli()
        .args(["plan", "examples/", "--store"])
        .arg(format!("local:{}", sandbox.path().join("s.json").display()))
        .env("SLACK_SUPPORT_WEBHOOK", WEBHOOK)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "Skipped 4 YAML files that are not alert files (`flex-alerts validate` says why)."
        ) && !stderr.contains("github-actions.yml"),
        "{stderr}"
    );
}

/// A workspace whose flex-alerts.yaml drives two environments, both on the emulator.
fn workspace_with_environments() -> Workspace {
    let workspace = Workspace::new();
    let project = format!(
        "version: 1\nalerts: [alerts/]\nenvironments:\n  staging:\n    store: {url}\n    credentials: FLEX_STAGING\n  production:\n    store: {url}\n    credentials: FLEX_PROD\n",
        url = workspace.emulator.1
    );
    std::fs::write(workspace.path().join("flex-alerts.yaml"), project).unwrap();
    workspace
}

#[test]
fn github_actions_environments_recipe_plans_every_environment_and_applies_each_in_turn() {
    let workflow = recipe("github-actions-environments.yml");
    installs_the_pinned_release_with_the_action(&workflow);
    // Each environment's secrets under its own prefix, from the secret of the same name.
    for prefix in ["FLEX_STAGING_", "FLEX_PROD_"] {
        for name in ["TWILIO_API_KEY", "TWILIO_API_SECRET", "INSTANCE_SID"] {
            let key = format!("{prefix}{name}");
            assert_eq!(
                workflow["env"][&key],
                format!("${{{{ secrets.{key} }}}}"),
                "{key}"
            );
        }
    }
    for job in workflow["jobs"].as_object().unwrap().keys() {
        for run in github_runs(&workflow, job) {
            assert!(!run.contains("${{"), "{job}: {run}");
        }
    }
    let apply = &workflow["jobs"]["apply"];
    assert_eq!(
        apply["concurrency"]["group"],
        "flex-alerts-${{ matrix.environment }}"
    );
    assert_eq!(apply["concurrency"]["cancel-in-progress"], false);
    assert_eq!(apply["environment"], "${{ matrix.environment }}");
    assert!(
        apply["strategy"]["matrix"]["environment"]
            .as_str()
            .unwrap()
            .contains("'[\"production\"]'")
    );

    let workspace = workspace_with_environments();
    let variables = plain_variables(&workflow["env"]);
    let step = |job: &str, name: &str| {
        github_step(&workflow, job, name)["run"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let output = workspace.shell(
        &step("pull-request", "Validate every environment"),
        &variables,
        false,
    );
    assert!(output.status.success(), "{}", text(&output));
    let output = workspace.shell(
        &step("pull-request", "Plan every environment"),
        &variables,
        true,
    );
    assert!(output.status.success(), "{}", text(&output));
    let plans = std::fs::read_to_string(workspace.path().join("plan.md")).unwrap();
    assert!(
        plans.contains("| `staging` | Plan:") && plans.contains("| `production` | Plan:"),
        "{plans}"
    );
    let mut github = variables.clone();
    github.extend(workspace.github_variables());
    let output = workspace.shell(&step("pull-request", "Comment the plans"), &github, true);
    assert!(output.status.success(), "{}", text(&output));
    let comments = workspace.comments();
    assert!(
        comments.len() == 1
            && comments[0].starts_with("<!-- flex-alerts comment all part 1 of 1 -->"),
        "{comments:?}"
    );

    // A merge applies staging; a tag applies production; each with its saved plan.
    for environment in ["staging", "production"] {
        let mut env = variables.clone();
        env.push(("ENVIRONMENT".into(), environment.into()));
        for job in ["plan", "apply"] {
            for run in github_runs(&workflow, job) {
                let output = workspace.shell(&run, &env, true);
                assert!(
                    output.status.success(),
                    "{environment} {job}: {}",
                    text(&output)
                );
            }
        }
        let drift = step("drift", "Compare the live alerts with Git");
        let output = workspace.shell(&drift, &env, true);
        assert!(
            output.status.success(),
            "{environment} drift: {}",
            text(&output)
        );
    }
}

#[test]
fn gitlab_environments_recipe_plans_every_environment_and_applies_each_in_turn() {
    let pipeline = recipe("gitlab-ci-environments.yml");
    assert_eq!(
        gitlab_job(&pipeline, "apply-production")["resource_group"],
        "flex-alerts-$ENVIRONMENT"
    );
    assert_eq!(pipeline["apply-production"]["rules"][0]["when"], "manual");
    assert_eq!(
        pipeline["drift"]["parallel"]["matrix"][0]["ENVIRONMENT"],
        serde_json::json!(["staging", "production"])
    );

    installs_the_pinned_release_from_pypi(&pipeline);
    let workspace = workspace_with_environments();
    let merge_request = gitlab_variables(&pipeline, "merge_request_event", &workspace);
    let output = workspace.shell(&gitlab_script(&pipeline, "validate"), &merge_request, false);
    assert!(output.status.success(), "{}", text(&output));
    let output = workspace.shell(&gitlab_script(&pipeline, "plan-all"), &merge_request, true);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        std::fs::read_to_string(workspace.path().join("plans.md"))
            .unwrap()
            .contains("## Environment `production`")
    );
    let notes = workspace.comments();
    assert!(
        notes.len() == 1 && notes[0].starts_with("<!-- flex-alerts comment all part 1 of 1 -->"),
        "{notes:?}"
    );
    for job in ["apply-staging", "apply-production"] {
        let mut env = gitlab_variables(&pipeline, "push", &workspace);
        env.extend(plain_variables(&pipeline[job]["variables"]));
        let output = workspace.shell(&gitlab_script(&pipeline, job), &env, true);
        assert!(output.status.success(), "{job}: {}", text(&output));
    }
    for environment in ["staging", "production"] {
        let mut env = gitlab_variables(&pipeline, "schedule", &workspace);
        env.push(("ENVIRONMENT".into(), environment.into()));
        let output = workspace.shell(&gitlab_script(&pipeline, "drift"), &env, true);
        assert!(output.status.success(), "{environment}: {}", text(&output));
    }
}
