//! `flex-alerts plan`: the changes apply would make, as text, Markdown or JSON; optionally
//! saved for `apply --plan`.

use super::environment::{Context, Needs};
use super::session::{Session, load_desired_in, load_desired_once, write_file};
use crate::cli::{Cli, PlanArgs, PlanFormat, ScopeArgs};
use crate::config::Secrets;
use crate::config::desired::Desired;
use crate::config::diagnostic::Shown;
use crate::error::Error;
use crate::evaluate::history::History;
use crate::output::Output;
use crate::plan::{self, Plan, PlanOptions, Protection, Scope};
use crate::render::{json as json_plan, markdown, text};
use crate::store::{Live, Store};

/// What a plan in `context`, against `session`'s store, is made with: prune, the scope and
/// allowances of `scope`, the environment's protection, and the last apply's records.
pub fn plan_options(
    prune: bool,
    scope: &ScopeArgs,
    context: &Context,
    session: &Session,
) -> PlanOptions {
    PlanOptions {
        prune,
        scope: Scope {
            targets: scope.target.clone(),
            excludes: scope.exclude.clone(),
        },
        protection: Protection {
            environment: context
                .environment
                .as_ref()
                .filter(|environment| !environment.protect.is_empty())
                .map(|environment| (environment.name.clone(), environment.protect.clone())),
            allowed: scope.allow_protected.clone(),
        },
        applied: session.applied.clone(),
    }
}

/// Plans, printing every problem when there is no plan.
pub fn make_plan(
    desired: &Desired,
    live: &Live,
    options: &PlanOptions,
    output: &Output,
) -> Result<Plan, Error> {
    plan::plan(desired, live, options.clone()).map_err(|problems| {
        for problem in &problems {
            let mut error = Error::new(problem.message.clone());
            if let Some(hint) = &problem.hint {
                error = error.hint(hint.clone());
            }
            output.message(&error.render());
        }
        let count = problems.len();
        Error::new(format!(
            "no plan: {count} problem{} to fix first; nothing was changed",
            if count == 1 { "" } else { "s" }
        ))
        .reported()
    })
}

/// One environment's plan, with what rendering and saving it need.
struct Planned {
    plan: Plan,
    /// The store as described to people.
    store: String,
    /// The `--store` it was made with.
    store_option: String,
    prune: bool,
    paths: Vec<std::path::PathBuf>,
    environment: Option<String>,
}

pub fn run(cli: &Cli, args: &PlanArgs, output: &Output) -> Result<u8, Error> {
    // A bad history fails before the store is touched.
    let history = args
        .history
        .as_deref()
        .map(|path| super::backtest::read_history(path, output))
        .transpose()?;
    let needs = if args.all_envs {
        Needs::NamedOrAll
    } else {
        Needs::One
    };
    let context = Context::resolve(args.env.name.as_deref(), needs, output)?;
    if args.all_envs {
        return run_all(cli, args, &context, history.as_ref(), output);
    }
    let planned = make(cli, args, (&context, None), history.as_ref(), output)?;
    print(&planned, args.format, cli.verbose > 0, output)?;
    if let Some(out) = &args.out {
        let mut document = json_plan::saved(
            &planned.plan,
            &planned.store,
            &planned.store_option,
            planned.prune,
            &planned.paths,
        );
        document.allow_protected = args.scope.allow_protected.clone();
        document.environment = planned.environment.clone();
        write_file(
            out,
            &format!(
                "{}\n",
                serde_json::to_string_pretty(&document).expect("JSON")
            ),
        )?;
        output.line(&format!(
            "Saved the plan to {}; apply it with `flex-alerts apply --plan {}` (it applies to the same {}).",
            out.display(),
            out.display(),
            match &planned.environment {
                Some(environment) => format!("environment, {environment}"),
                None => format!("store, {}", planned.store_option),
            }
        ));
    }
    Ok(if args.detailed_exitcode && differs(&planned.plan) {
        2
    } else {
        0
    })
}

/// For `--detailed-exitcode`: a plan has changes, a refresh-only one has drift.
fn differs(plan: &Plan) -> bool {
    if plan.refresh_only {
        !plan.entries.is_empty()
    } else {
        plan.has_changes()
    }
}

/// The plan of one environment (or of no environment): of the `desired` alerts loaded in it,
/// or, when none are given, of its files loaded once the store is opened (whose line comes
/// first, as the contract says of the sandbox).
fn make(
    cli: &Cli,
    args: &PlanArgs,
    (context, desired): (&Context, Option<Desired>),
    history: Option<&History>,
    output: &Output,
) -> Result<Planned, Error> {
    let choice = context.store_choice(cli, &args.store)?;
    let session = Session::open(cli, &choice, choice.text(), output, None)?;
    let paths = context.paths(&args.paths);
    let desired = match desired {
        Some(desired) => desired,
        None => load_desired_in(context, &paths, Secrets::Required, output)?,
    };
    let live = session.snapshot()?;
    let prune = desired.prune || args.prune;
    let mut options = plan_options(prune, &args.scope, context, &session);
    if args.refresh_only {
        // Drift is listed whatever a plan would do: nothing is proposed.
        options.protection = Protection::default();
    }
    let mut plan = make_plan(&desired, &live, &options, output)?;
    if args.refresh_only {
        plan = plan::drift::refresh_only(plan);
    }
    if let Some(history) = history {
        plan.paging = crate::evaluate::impact::paging(&plan, &live.directory, history);
    }
    Ok(Planned {
        plan,
        store: session.store.describe(),
        store_option: choice.text().to_owned(),
        prune,
        paths,
        environment: context.name().map(str::to_owned),
    })
}

fn print(
    planned: &Planned,
    format: PlanFormat,
    verbose: bool,
    output: &Output,
) -> Result<(), Error> {
    let Planned {
        plan,
        store,
        prune,
        environment,
        ..
    } = planned;
    match format {
        PlanFormat::Text => {
            if let Some(environment) = environment {
                output.data(&text::environment_heading(environment, store))?;
            }
            output.data(&text::render(plan, output.data_styled(), verbose))?
        }
        PlanFormat::Json => {
            let mut document = json_plan::render(plan, store, *prune);
            document.environment = environment.clone();
            output.data(&format!(
                "{}\n",
                serde_json::to_string_pretty(&document).expect("JSON")
            ))?
        }
        PlanFormat::Markdown => {
            let parts = markdown::render(plan, store, environment.as_deref());
            let total = parts.len();
            for (index, part) in parts.iter().enumerate() {
                // The marker a pull-request comment is found by: one per environment and part.
                match environment {
                    Some(environment) => output.data(&format!(
                        "<!-- flex-alerts plan {environment} part {} of {total} -->\n",
                        index + 1
                    ))?,
                    None if total > 1 => output.data(&format!(
                        "<!-- flex-alerts plan part {} of {total} -->\n",
                        index + 1
                    ))?,
                    None => {}
                }
                output.data(part)?;
            }
        }
    }
    Ok(())
}

/// `plan --all-envs`: every environment of the project, a summary table first, then one
/// section each; `--detailed-exitcode` is 2 when any has changes.
fn run_all(
    cli: &Cli,
    args: &PlanArgs,
    context: &Context,
    history: Option<&History>,
    output: &Output,
) -> Result<u8, Error> {
    let environments: Vec<_> = context
        .project
        .as_ref()
        .map(|project| project.environments.clone())
        .unwrap_or_default();
    if args.store.capture.is_some() {
        return Err(
            Error::new("--capture records one store: it cannot be given with --all-envs")
                .hint("capture one environment at a time: `plan --env NAME --capture FILE.har`"),
        );
    }
    if environments.is_empty() {
        return Err(
            Error::new("--all-envs: the project declares no environments").hint(
                "declare them under `environments:` in flex-alerts.yaml at the repository's root",
            ),
        );
    }
    // Every environment's files first, offline, each problem said once: a store is read only
    // when every environment's files are sound.
    let mut shown = Shown::default();
    let mut loaded = Vec::new();
    let mut failed = Vec::new();
    for environment in &environments {
        let context = context.with_environment(environment);
        let paths = context.paths(&args.paths);
        match load_desired_once(
            &context,
            &paths,
            Secrets::Required,
            Some(&mut shown),
            output,
        ) {
            Ok(desired) => loaded.push((context, desired)),
            Err(_) => failed.push(environment.name.clone()),
        }
    }
    if !failed.is_empty() {
        return Err(Error::new(format!(
            "errors in the files of environment(s) {}; no store was read",
            failed.join(", ")
        ))
        .hint("fix the files; `flex-alerts validate` checks them offline"));
    }
    // Then every environment at once: each has its own store, session and runtime.
    let planned: Vec<Planned> = std::thread::scope(|scope| {
        let running: Vec<_> = loaded
            .into_iter()
            .map(|(context, desired)| {
                scope.spawn(move || make(cli, args, (&context, Some(desired)), history, output))
            })
            .collect();
        running
            .into_iter()
            .zip(&environments)
            .map(|(thread, environment)| {
                let result = thread
                    .join()
                    .unwrap_or_else(|_| Err(Error::new("the plan stopped unexpectedly")));
                result.map_err(|error| Error {
                    message: format!("environment {}: {}", environment.name, error.message),
                    ..error
                })
            })
            .collect::<Result<_, Error>>()
    })?;
    let summary: Vec<(String, String)> = planned
        .iter()
        .map(|p| {
            let summary = text::summary(&p.plan);
            let line = if p.plan.has_changes() {
                summary
            } else {
                format!("No changes. {summary}")
            };
            (p.environment.clone().unwrap_or_default(), line)
        })
        .collect();
    match args.format {
        PlanFormat::Json => {
            let plans: serde_json::Map<String, serde_json::Value> = planned
                .iter()
                .map(|p| {
                    let mut document = json_plan::render(&p.plan, &p.store, p.prune);
                    document.environment = p.environment.clone();
                    (
                        p.environment.clone().unwrap_or_default(),
                        serde_json::to_value(document).expect("JSON"),
                    )
                })
                .collect();
            output.data(&format!(
                "{}\n",
                serde_json::to_string_pretty(&serde_json::json!({
                    "format_version": json_plan::FORMAT_VERSION,
                    "environments": plans,
                }))
                .expect("JSON")
            ))?;
        }
        PlanFormat::Markdown => {
            let mut head = String::from(
                "## flex-alerts plan, every environment\n\n| Environment | Plan |\n|---|---|\n",
            );
            for (name, line) in &summary {
                head.push_str(&format!("| `{name}` | {line} |\n"));
            }
            output.data(&format!("{head}\n"))?;
            for p in &planned {
                output.data(&format!(
                    "## Environment `{}`\n\n",
                    p.environment.as_deref().unwrap_or_default()
                ))?;
                print(p, PlanFormat::Markdown, cli.verbose > 0, output)?;
                output.data("\n")?;
            }
        }
        PlanFormat::Text => {
            let width = summary
                .iter()
                .map(|(name, _)| name.len())
                .max()
                .unwrap_or(0);
            for (name, line) in &summary {
                output.data(&format!("{name:<width$}  {line}\n"))?;
            }
            for p in &planned {
                output.data(&format!(
                    "\n=== environment {} ===\n",
                    p.environment.as_deref().unwrap_or_default()
                ))?;
                print(p, PlanFormat::Text, cli.verbose > 0, output)?;
            }
        }
    }
    Ok(
        if args.detailed_exitcode && planned.iter().any(|p| differs(&p.plan)) {
            2
        } else {
            0
        },
    )
}
