//! `flex-alerts comment`: a Markdown plan posted as a sticky comment on the pull request
//! (GitHub Actions) or merge request (GitLab CI) the job runs for, one comment per part and
//! per environment, updated in place on every push. A plan nobody saw must not pass: any
//! failure exits 1. The token is read from the environment and never printed.

use std::io::Read;

use crate::cli::{CommentArgs, Forge};
use crate::error::Error;
use crate::output::Output;
use crate::review::{self, GitHub, GitLab, GitLabToken, ReviewError, Synced, Thread};

pub fn run(args: &CommentArgs, output: &Output) -> Result<u8, Error> {
    let markdown = read_plan(args)?;
    if markdown.trim().is_empty() {
        return Err(Error::new("the plan to post is empty")
            .hint("pipe `flex-alerts plan --format markdown` into it, or name the file it wrote"));
    }
    let parts = review::split(&markdown, args.key.as_deref());
    let env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let forge = match args.forge {
        Some(forge) => forge,
        None if env("GITHUB_ACTIONS").is_some() => Forge::Github,
        None if env("GITLAB_CI").is_some() => Forge::Gitlab,
        None => {
            return Err(Error::new(
                "which forge? this job is neither GitHub Actions nor GitLab CI",
            )
            .hint("pass --forge github or --forge gitlab"));
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::new("cannot start the async runtime").cause(error))?;
    let (thread, synced) = match forge {
        Forge::Github => {
            let thread = github(args, &env)?;
            let synced = runtime.block_on(review::sync(&thread, &parts));
            (thread.describe(), synced)
        }
        Forge::Gitlab => {
            let thread = gitlab(args, &env)?;
            let synced = runtime.block_on(review::sync(&thread, &parts));
            (thread.describe(), synced)
        }
    };
    let synced = synced.map_err(|error| failed(error, &thread))?;
    output.line(&summary(&thread, &parts.key, parts.texts.len(), &synced));
    Ok(0)
}

/// A Markdown plan of 100 alerts is far below this.
const MAX_PLAN_BYTES: u64 = 16 * 1024 * 1024;

fn read_plan(args: &CommentArgs) -> Result<String, Error> {
    if args.file.as_os_str() != "-" {
        return crate::common::regular_file::read_text(&args.file, MAX_PLAN_BYTES).map_err(
            |error| Error::new(format!("cannot read {}", args.file.display())).cause(error),
        );
    }
    let mut text = String::new();
    std::io::stdin()
        .take(MAX_PLAN_BYTES)
        .read_to_string(&mut text)
        .map_err(|error| Error::new("cannot read the plan from standard input").cause(error))?;
    Ok(text)
}

fn github(args: &CommentArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<GitHub, Error> {
    let token = env("GITHUB_TOKEN")
        .or_else(|| env("GH_TOKEN"))
        .ok_or_else(|| {
            Error::new("GITHUB_TOKEN is not set")
                .hint("give the step `env: { GITHUB_TOKEN: ${{ github.token }} }`")
        })?;
    let repository = env("GITHUB_REPOSITORY").ok_or_else(|| {
        Error::new("GITHUB_REPOSITORY is not set")
            .hint("set it to OWNER/NAME (GitHub Actions sets it)")
    })?;
    let number = match args.pr {
        Some(number) => number,
        None => pull_request_of_event(env("GITHUB_EVENT_PATH"))?,
    };
    let base = env("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".to_owned());
    check_base(&base, "GITHUB_API_URL")?;
    GitHub::new(&base, &token, &repository, number).map_err(|error| failed(error, "GitHub"))
}

fn gitlab(args: &CommentArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<GitLab, Error> {
    let token = match (
        env("FLEX_ALERTS_GITLAB_TOKEN").or_else(|| env("GITLAB_TOKEN")),
        env("CI_JOB_TOKEN"),
    ) {
        (Some(token), _) => GitLabToken::Private(token),
        (None, Some(token)) => GitLabToken::Job(token),
        (None, None) => {
            return Err(Error::new("no GitLab token: FLEX_ALERTS_GITLAB_TOKEN is not set")
                .hint("set FLEX_ALERTS_GITLAB_TOKEN (a masked CI/CD variable) to a project access token with the `api` scope"));
        }
    };
    let project = env("CI_PROJECT_ID").ok_or_else(|| {
        Error::new("CI_PROJECT_ID is not set")
            .hint("GitLab CI sets it; elsewhere set it to the project's id")
    })?;
    let iid = match args.pr {
        Some(iid) => iid,
        None => env("CI_MERGE_REQUEST_IID")
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| {
                Error::new("which merge request? CI_MERGE_REQUEST_IID is not set")
                    .hint("run the job in a merge request pipeline (`rules: - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"`), or pass --pr N")
            })?,
    };
    let base = env("CI_API_V4_URL").unwrap_or_else(|| "https://gitlab.com/api/v4".to_owned());
    check_base(&base, "CI_API_V4_URL")?;
    GitLab::new(&base, token, &project, iid).map_err(|error| failed(error, "GitLab"))
}

/// The pull request a GitHub Actions event is about (`pull_request`, `pull_request_target`,
/// or a comment on one).
fn pull_request_of_event(path: Option<String>) -> Result<u64, Error> {
    let not_a_pull_request = || {
        Error::new("which pull request? this job's event names none")
            .hint("run it `on: pull_request`, or pass --pr N")
    };
    let path = path.ok_or_else(not_a_pull_request)?;
    let text = std::fs::read_to_string(&path)
        .map_err(|error| Error::new(format!("cannot read the event {path}")).cause(error))?;
    let event: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| Error::new(format!("the event {path} is not JSON")).cause(error))?;
    ["pull_request", "issue"]
        .iter()
        .find_map(|key| event.get(key)?.get("number")?.as_u64())
        .ok_or_else(not_a_pull_request)
}

/// A token goes over https only, or over http to this machine (a test's stand-in).
fn check_base(base: &str, variable: &str) -> Result<(), Error> {
    let url = url::Url::parse(base)
        .map_err(|error| Error::new(format!("{variable} is not a URL: {base}")).cause(error))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if crate::common::loopback::is_loopback(&url) => Ok(()),
        _ => Err(Error::new(format!("{variable} must be https: {base}"))
            .hint("the token would travel in clear text")),
    }
}

fn failed(error: ReviewError, place: &str) -> Error {
    let error_ = Error::new(format!("the plan was not posted to {place}")).cause(error.message);
    match error.hint {
        Some(hint) => error_.hint(hint),
        None => error_,
    }
}

fn summary(thread: &str, key: &str, total: usize, synced: &Synced) -> String {
    let mut done = Vec::new();
    let list = |numbers: &[usize]| {
        numbers
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !synced.created.is_empty() {
        done.push(format!("created part {}", list(&synced.created)));
    }
    if !synced.updated.is_empty() {
        done.push(format!("updated part {}", list(&synced.updated)));
    }
    if !synced.unchanged.is_empty() {
        done.push(format!("part {} unchanged", list(&synced.unchanged)));
    }
    if synced.deleted > 0 {
        done.push(format!("deleted {} old part(s)", synced.deleted));
    }
    format!(
        "The plan ({key}, {total} part(s)) is on {thread}: {}.",
        done.join(", ")
    )
}
