//! `flex-alerts apply`: plan (or read a saved plan), show it, ask, run it with progress, report
//! every failure, then read the store back and say whether it matches the files.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

use super::environment::{Context, Needs};
use super::plan::{make_plan, plan_options};
use super::session::{Session, load_desired_in};
use crate::apply::applied_file;
use crate::apply::report::Outcome;
use crate::apply::{self, Progress};
use crate::cli::{ApplyArgs, Cli, ScopeArgs, StoreChoice};
use crate::common::lock::lock;
use crate::common::regular_file;
use crate::error::Error;
use crate::output::Output;
use crate::plan::order::lay_out;
use crate::plan::{Action, Applied, Plan};
use crate::render::json::{FORMAT_VERSION, desired_fingerprint};
use crate::render::text;
use crate::store::{Live, Store};

/// A line per finished step; on a terminal also a bar of how many are done.
struct StepLines<'a> {
    output: &'a Output,
    bar: Option<indicatif::ProgressBar>,
    running: Mutex<Vec<String>>,
}

impl StepLines<'_> {
    fn print(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => self.output.message(&format!("{line}\n")),
        }
    }
}

impl Progress for StepLines<'_> {
    fn started(&self, label: &str) {
        let mut running = lock(&self.running);
        running.push(label.to_owned());
        if let Some(bar) = &self.bar {
            bar.set_message(running.join("; "));
        }
    }

    fn finished(&self, label: &str, outcome: &Outcome) {
        let mut running = lock(&self.running);
        running.retain(|known| known != label);
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(running.join("; "));
        }
        drop(running);
        match outcome {
            Outcome::Done => self.print(&format!("  done: {label}")),
            Outcome::Failed(_) => self.print(&format!("  FAILED: {label}")),
            Outcome::Skipped(reason) => self.print(&format!("  skipped: {label} ({reason})")),
        }
    }
}

pub fn run(cli: &Cli, args: &ApplyArgs, output: &Output) -> Result<u8, Error> {
    let ApplyArgs {
        paths,
        auto_approve,
        prune: prune_flag,
        plan: saved,
        lock_timeout,
        scope,
        env,
        store,
    } = args;
    if saved.is_some() && !scope.is_empty() {
        return Err(Error::new(
            "--target, --exclude and --allow-protected cannot be given with --plan",
        )
        .hint("a saved plan keeps the scope and allowances it was made with: it applies exactly as saved"));
    }
    let saved_text = saved
        .as_ref()
        .map(|file| read_plan_file(file))
        .transpose()?;
    // A saved plan applies in the environment it was made for, and nowhere else.
    let environment = match &saved_text {
        Some((file, document)) => {
            let made_in = document["environment"].as_str();
            if env.name.is_some() && env.name.as_deref() != made_in {
                return Err(Error::new(format!(
                    "{} was made for {}, not environment {}; nothing was changed",
                    file.display(),
                    made_in.map_or("no environment".to_owned(), |name| format!(
                        "environment {name}"
                    )),
                    env.name.as_deref().unwrap_or_default()
                ))
                .hint("leave --env out: a saved plan applies where it was made"));
            }
            made_in.map(str::to_owned)
        }
        None => env.name.clone(),
    };
    let context = Context::resolve(environment.as_deref(), Needs::One, output)?;
    let choice = context.store_choice(cli, store)?;
    let saved = saved_text
        .map(|(file, document)| check_saved_store(file, document, &choice))
        .transpose()?;
    let store = match &saved {
        Some((_, document)) => made_for(document),
        None => choice.text(),
    };
    let session = Session::open(cli, &choice, store, output, Some(*lock_timeout))?;
    let (plan, desired, prune, live) = match &saved {
        Some((file, document)) => saved_plan(&session, &context, file, document, output)?,
        None => {
            let desired =
                load_desired_in(&context, paths, crate::config::Secrets::Required, output)?;
            let live = session.snapshot()?;
            let prune = desired.prune || *prune_flag;
            let options = plan_options(prune, scope, &context, &session);
            (
                make_plan(&desired, &live, &options, output)?,
                desired,
                prune,
                live,
            )
        }
    };
    if let Some(environment) = context.name() {
        output.data(&text::environment_heading(
            environment,
            &session.store.describe(),
        ))?;
    }
    output.data(&text::render(&plan, output.data_styled(), cli.verbose > 0))?;
    if !plan.has_changes() {
        record_applied(&session, &plan, None, output);
        return Ok(0);
    }
    // A saved plan was the review: it is applied without asking.
    if !auto_approve && saved.is_none() {
        confirm(&session, context.name(), output)?;
        // Time passed while we asked: make sure nobody changed what the plan touches.
        let now = session.runtime.block_on(apply::read_touched(
            &session.store,
            &plan,
            None,
            &live.directory,
        ))?;
        let changed = crate::plan::stale(&plan, &now);
        if !changed.is_empty() {
            let mut error =
                Error::new("the live store changed while the plan was shown; nothing was changed");
            for name in changed {
                error = error.cause(format!("`{name}` changed in the live store"));
            }
            return Err(error.hint("run apply again to see a fresh plan"));
        }
    }
    let bar = output.interactive().then(|| {
        let bar = indicatif::ProgressBar::new(plan.steps.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                .expect("a valid template"),
        );
        bar
    });
    let progress = StepLines {
        output,
        bar,
        running: Mutex::new(Vec::new()),
    };
    // Unrecorded until read back: a kill midway must not make this apply's writes look like
    // drift.
    save_applied(&session, session.applied.without_changes_of(&plan))?;
    output.line(&format!(
        "Applying {} steps to {}:",
        plan.steps.len(),
        session.store.describe()
    ));
    let report = session.runtime.block_on(apply::apply(
        &plan,
        &session.store,
        session.concurrency,
        &session.journal,
        &progress,
    ));
    if let Some(bar) = &progress.bar {
        bar.finish_and_clear();
    }
    output.message(&report.render());
    if let Some(reason) = session.store.unreachable() {
        return Err(Error::new(format!(
            "apply stopped: the store stopped answering ({reason}); {} step(s) done, {} not",
            report.done(),
            report.failed() + report.skipped()
        ))
        .hint("check the --store address and the network, then run apply again: it starts from the live state, so it converges"));
    }
    let read_back = read_back(
        &session,
        &plan,
        (&desired, prune),
        report.rules_after.clone(),
        &live.directory,
        output,
    );
    record_applied(
        &session,
        &plan,
        read_back.as_ref().ok().and_then(|(plan, _)| plan.as_ref()),
        output,
    );
    let read_back = read_back.and_then(|(_, verdict)| verdict);
    if !report.succeeded() {
        return Err(Error::new(format!(
            "apply did not finish: {} failed, {} skipped{}",
            report.failed(),
            report.skipped(),
            if report.conflicts.is_empty() {
                ""
            } else {
                "; another apply wrote at the same time"
            }
        ))
        .hint(
            "fix the cause and run apply again: it starts from the live state, so it converges",
        ));
    }
    read_back.map(|()| 0)
}

/// Asks for `yes` on a terminal; without one, `--auto-approve` is required.
fn confirm(session: &Session, environment: Option<&str>, output: &Output) -> Result<(), Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::new("apply needs confirmation, and there is no terminal to ask on")
            .hint("review the plan, then run again with --auto-approve (or apply a saved plan with --plan)"));
    }
    let target = match environment {
        Some(environment) => format!("environment {environment} ({})", session.store.describe()),
        None => session.store.describe(),
    };
    output.message(&format!(
        "\nApply these changes to {target}? Only `yes` goes on: "
    ));
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(Error::new("apply cancelled; nothing was changed"))
    }
}

/// Writes what the apply left for the next plan's drift (`read_back`: the plan made once it was
/// done); a failure is said, not fatal: the alerts are applied, only drift goes unnamed.
fn record_applied(session: &Session, applied: &Plan, read_back: Option<&Plan>, output: &Output) {
    let now =
        crate::common::time::format_rfc3339((crate::common::clock::system_clock() / 1000) as i64);
    let records = session.applied.after_apply(applied, read_back, &now);
    if let Err(error) = save_applied(session, records) {
        output.line(&format!(
            "warning: {} ({}); the next plan cannot name drift of these alerts",
            error.message,
            error.causes.join("; ")
        ));
    }
}

fn save_applied(session: &Session, records: Applied) -> Result<(), Error> {
    let Some(path) = &session.applied_file else {
        return Ok(());
    };
    applied_file::save(path, &session.store.describe(), records).map_err(|error| {
        Error::new(format!(
            "cannot write {}, where apply records what it left",
            path.display()
        ))
        .cause(error)
        .hint("free space or fix the state directory's permissions; nothing was changed in Flex")
    })
}

/// Reads back what apply wrote (the rules, and the configurations of the alerts it changed)
/// and plans against it: the alerts `applied` changed must need no change now. A read-back
/// that cannot confirm the result is an error with its real cause. With the verdict, the plan
/// read back (when one could be made).
fn read_back(
    session: &Session,
    applied: &Plan,
    (desired, prune): (&crate::config::desired::Desired, bool),
    rules: Option<Vec<crate::flex::wire::Rule>>,
    directory: &crate::store::Directory,
    output: &Output,
) -> Result<(Option<Plan>, Result<(), Error>), Error> {
    let cannot = |error: Error| {
        Error::new("could not read the store back to check what apply did")
            .cause(error.message)
            .hint("run `flex-alerts plan` to see whether the live alerts match the files")
    };
    let live = session
        .runtime
        .block_on(apply::read_touched(
            &session.store,
            applied,
            rules,
            directory,
        ))
        .map_err(|error| cannot(error.into()))?;
    let options = crate::plan::PlanOptions {
        prune,
        ..Default::default()
    };
    let plan = crate::plan::plan(desired, &live, options).map_err(|problems| {
        let mut error = Error::new("the store read back cannot be planned against");
        for problem in problems {
            error = error.cause(problem.message);
        }
        error
    })?;
    let touched: Vec<&str> = applied.changes().map(|entry| entry.name.as_str()).collect();
    let names: Vec<&str> = plan
        .changes()
        .map(|entry| entry.name.as_str())
        .filter(|name| touched.contains(name))
        .collect();
    if names.is_empty() {
        output.line("Read back: the live alerts match the files.");
        return Ok((Some(plan), Ok(())));
    }
    let verdict = Err(Error::new(format!(
        "read back: {} alert(s) still differ from the files: {}",
        names.len(),
        names.join(", ")
    ))
    .hint("run apply again: it starts from the live state, so it converges"));
    Ok((Some(plan), verdict))
}

/// The `--store` a saved plan was made for.
fn made_for(document: &Value) -> &str {
    document["store_option"].as_str().unwrap_or("twilio")
}

/// The largest saved plan read: one of 100 alerts is well under a megabyte.
const MAX_PLAN_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a saved plan, refusing one of another format.
fn read_plan_file(file: &Path) -> Result<(PathBuf, Value), Error> {
    let text = regular_file::read_text(file, MAX_PLAN_BYTES).map_err(|error| {
        Error::new(format!("cannot read the saved plan {}", file.display())).cause(error)
    })?;
    let saved: Value = serde_json::from_str(&text).map_err(|error| {
        Error::new(format!("{} is not a saved plan", file.display())).cause(error)
    })?;
    if saved["format_version"] != FORMAT_VERSION {
        return Err(Error::new(format!(
            "{} has plan format {}; this flex-alerts reads format {FORMAT_VERSION}",
            file.display(),
            saved["format_version"]
        ))
        .hint("make the plan again with this version"));
    }
    // The plan's schema is closed: a key it does not know (a hand edit, another tool's
    // addition) is refused, never ignored.
    let validator = jsonschema::draft202012::new(&crate::render::json::schema())
        .expect("the plan schema is valid");
    if let Some(problem) = validator.iter_errors(&saved).next() {
        let at = problem.instance_path().to_string();
        return Err(Error::new(format!(
            "{} is not a saved plan of this flex-alerts",
            file.display()
        ))
        .cause(format!(
            "at `{}`: {problem}",
            if at.is_empty() { "/" } else { &at }
        ))
        .hint("make the plan again with `flex-alerts plan --out`; a saved plan is applied exactly as saved, so an edited one is refused"));
    }
    Ok((file.to_owned(), saved))
}

/// A saved plan, refused when it was made for another `--store` than the one given.
fn check_saved_store(
    file: PathBuf,
    saved: Value,
    choice: &StoreChoice,
) -> Result<(PathBuf, Value), Error> {
    if let Some(given) = choice
        .given
        .as_deref()
        .filter(|given| *given != made_for(&saved))
    {
        return Err(Error::new(format!(
            "{} was made for --store {}, not --store {}; nothing was changed",
            file.display(),
            crate::store::open::mask_userinfo(made_for(&saved)),
            crate::store::open::mask_userinfo(given)
        ))
        .hint("leave --store out: a saved plan applies to the store it was made for"));
    }
    Ok((file, saved))
}

/// `apply --plan FILE`: the saved plan, checked against what is live and in the files now.
fn saved_plan(
    session: &Session,
    context: &Context,
    file: &Path,
    saved: &Value,
    output: &Output,
) -> Result<(Plan, crate::config::desired::Desired, bool, Live), Error> {
    let store = session.store.describe();
    if saved["store"] != store.as_str() {
        return Err(Error::new(format!(
            "{} was made for {}, not {store}",
            file.display(),
            saved["store"]
        )));
    }
    let paths: Vec<PathBuf> = saved["paths"]
        .as_array()
        .map(|paths| {
            paths
                .iter()
                .filter_map(Value::as_str)
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default();
    let prune = saved["prune"].as_bool().unwrap_or(false);
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    // The scope and allowances it was made with.
    let scope = ScopeArgs {
        target: strings(&saved["scope"]["targets"]),
        exclude: strings(&saved["scope"]["excludes"]),
        allow_protected: strings(&saved["allow_protected"]),
    };
    let desired = load_desired_in(context, &paths, crate::config::Secrets::Required, output)?;
    let live = session.snapshot()?;
    let options = plan_options(prune, &scope, context, session);
    let fresh = make_plan(&desired, &live, &options, output)?;
    let plan = restrict(fresh, saved, &live)?;
    Ok((plan, desired, prune, live))
}

/// Keeps only what the saved plan changes, refusing when any of it changed since.
fn restrict(fresh: Plan, saved: &Value, live: &Live) -> Result<Plan, Error> {
    let saved_changes: Vec<&Value> = saved["alerts"]
        .as_array()
        .map(|alerts| {
            alerts
                .iter()
                .filter(|alert| alert["actions"] != serde_json::json!(["no-op"]))
                .collect()
        })
        .unwrap_or_default();
    let mut stale = Vec::new();
    for alert in &saved_changes {
        let name = alert["name"].as_str().unwrap_or_default();
        let entry = fresh.entries.iter().find(|entry| {
            entry.name == name
                || entry
                    .live
                    .as_ref()
                    .and_then(|live| alert["sid"].as_str().map(|sid| sid == live.sid))
                    .unwrap_or(false)
        });
        let live_now = entry
            .and_then(|entry| entry.live.as_ref())
            .map(|live| live.fingerprint.as_str());
        if alert["live_fingerprint"].as_str() != live_now {
            stale.push(format!("`{name}` changed in the live store"));
        } else if alert["desired_fingerprint"].as_str()
            != entry.and_then(desired_fingerprint).as_deref()
        {
            stale.push(format!("`{name}` changed in the alert files"));
        }
    }
    if !stale.is_empty() {
        let mut error = Error::new(format!(
            "the saved plan is out of date: {} alert(s) changed since it was made",
            stale.len()
        ));
        for reason in stale {
            error = error.cause(reason);
        }
        return Err(error.hint("make a new plan and review it"));
    }
    let names: Vec<&str> = saved_changes
        .iter()
        .filter_map(|alert| alert["name"].as_str())
        .collect();
    let entries = fresh
        .entries
        .into_iter()
        .map(|mut entry| {
            if entry.action.is_change() && !names.contains(&entry.name.as_str()) {
                entry.action = if entry.desired.is_some() {
                    Action::NoOp
                } else {
                    Action::Unmanaged
                };
            }
            entry
        })
        .collect();
    let mode = fresh
        .notifications_mode
        .filter(|_| !saved["notifications_mode"].is_null());
    // Leftover configurations that nothing names are deleted whether or not the saved plan
    // listed them: they are flex-alerts' own garbage, and counting them keeps the caps right.
    let protects = fresh.environment_protects;
    let mut plan =
        lay_out(entries, fresh.unmanageable, mode, live, fresh.scope).map_err(|problems| {
            let mut error = Error::new("the saved plan no longer fits the caps");
            for problem in problems {
                error = error.cause(problem.message);
            }
            error
        })?;
    plan.environment_protects = protects;
    Ok(plan)
}
