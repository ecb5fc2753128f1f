//! `flex-alerts plan`: the changes apply would make, as text, Markdown or JSON; optionally
//! saved for `apply --plan`.

use super::session::{Session, load_desired, write_file};
use crate::cli::{Cli, PlanArgs, PlanFormat, paths_or_current};
use crate::config::desired::Desired;
use crate::error::Error;
use crate::output::Output;
use crate::plan::{self, Plan, PlanOptions};
use crate::render::{json as json_plan, markdown, text};
use crate::store::{Live, Store};

/// Plans, printing every problem when there is no plan.
pub fn make_plan(
    desired: &Desired,
    live: &Live,
    prune: bool,
    output: &Output,
) -> Result<Plan, Error> {
    plan::plan(desired, live, PlanOptions { prune }).map_err(|problems| {
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

pub fn run(cli: &Cli, args: &PlanArgs, output: &Output) -> Result<u8, Error> {
    let PlanArgs {
        paths,
        out,
        format,
        detailed_exitcode,
        prune: prune_flag,
        history,
        store,
    } = args;
    // A bad history fails before the store is touched.
    let history = history
        .as_deref()
        .map(|path| super::backtest::read_history(path, output))
        .transpose()?;
    let choice = cli.store_choice(store)?;
    let session = Session::open(cli, &choice, choice.text(), output, None)?;
    let desired = load_desired(paths, output)?;
    let live = session.snapshot()?;
    let prune = desired.prune || *prune_flag;
    let mut plan = make_plan(&desired, &live, prune, output)?;
    if let Some(history) = &history {
        plan.paging = crate::evaluate::impact::paging(&plan, &live.directory, history);
    }
    let store = session.store.describe();
    match format {
        PlanFormat::Text => {
            output.data(&text::render(&plan, output.data_styled(), cli.verbose > 0))?
        }
        PlanFormat::Json => output.data(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json_plan::render(&plan, &store, prune)).expect("JSON")
        ))?,
        PlanFormat::Markdown => {
            let parts = markdown::render(&plan, &store);
            let total = parts.len();
            for (index, part) in parts.iter().enumerate() {
                if total > 1 {
                    output.data(&format!(
                        "<!-- flex-alerts plan part {} of {total} -->\n",
                        index + 1
                    ))?;
                }
                output.data(part)?;
            }
        }
    }
    if let Some(out) = out {
        let document = json_plan::saved(
            &plan,
            &store,
            choice.text(),
            prune,
            &paths_or_current(paths),
        );
        write_file(
            out,
            &format!(
                "{}\n",
                serde_json::to_string_pretty(&document).expect("JSON")
            ),
        )?;
        output.line(&format!(
            "Saved the plan to {}; apply it with `flex-alerts apply --plan {}` (it applies to the same store, {}).",
            out.display(),
            out.display(),
            choice.text()
        ));
    }
    Ok(if *detailed_exitcode && plan.has_changes() {
        2
    } else {
        0
    })
}
