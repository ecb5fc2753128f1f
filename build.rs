//! Build script: records the commit flex-alerts is built from, for `flex-alerts --version`.
//! From `git` when building in a checkout, else from `FLEX_ALERTS_COMMIT` (set by a build
//! from a source archive or wheel), else `unknown`.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=FLEX_ALERTS_COMMIT");
    let from_git = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty());
    if from_git.is_some() {
        // Build again when HEAD moves (a commit, a checkout).
        for path in git_paths() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    let commit = std::env::var("FLEX_ALERTS_COMMIT")
        .ok()
        .filter(|text| !text.is_empty())
        .or(from_git)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=FLEX_ALERTS_COMMIT={commit}");
}

/// `.git/HEAD` and the ref it names, wherever the git directory is (a worktree too).
fn git_paths() -> Vec<String> {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|output| output.status.success())
            .and_then(|output| String::from_utf8(output.stdout).ok())
            .map(|text| text.trim().to_owned())
    };
    let mut paths = Vec::new();
    if let Some(head) = git(&["rev-parse", "--git-path", "HEAD"]) {
        paths.push(head);
    }
    if let Some(name) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(reference) = git(&["rev-parse", "--git-path", &name]) {
            paths.push(reference);
        }
        if let Some(packed) = git(&["rev-parse", "--git-path", "packed-refs"]) {
            paths.push(packed);
        }
    }
    paths
}
