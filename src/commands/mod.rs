//! One function per subcommand: each turns parsed arguments into work and output.

mod apply;
mod backtest;
mod comment;
mod diff;
mod doctor;
pub mod emulator;
mod environment;
mod export;
mod import;
mod init;
mod inventory;
mod plan;
mod record;
mod session;
mod test;
mod validate;

use clap::CommandFactory;

use crate::cli::{Cli, Command, SchemaKind};
use crate::config::schema;
use crate::error::Error;
use crate::output::Output;
use crate::render::json as json_plan;

/// Runs the parsed command; `Ok` carries the exit status.
pub fn run(cli: &Cli, output: &Output) -> Result<u8, Error> {
    match &cli.command {
        Command::Validate { paths, env } => validate::run(paths, env.name.as_deref(), output),
        Command::Emulator(args) => emulator::run(args, output),
        Command::Test { paths, format, env } => {
            test::run(paths, *format, env.name.as_deref(), output)
        }
        Command::Backtest {
            history,
            paths,
            format,
            plot,
            report,
            target_per_day,
            env,
        } => backtest::run(
            backtest::BacktestArgs {
                env: env.name.as_deref(),
                history,
                paths,
                format: *format,
                plot: plot.as_deref(),
                report: report.as_deref(),
                target_per_day: *target_per_day,
            },
            output,
        ),
        Command::Record(args) => record::run(cli, args, output),
        Command::Diff {
            envs,
            live,
            detailed_exitcode,
            paths,
            store,
        } => diff::run(cli, (envs, *live, *detailed_exitcode), paths, store, output),
        Command::Plan(args) => plan::run(cli, args, output),
        Command::Apply(args) => apply::run(cli, args, output),
        Command::Export { out, store, env } => {
            export::run(cli, (store, env.name.as_deref()), out.as_ref(), output)
        }
        Command::Schema { which } => {
            output.data(&schema_text(*which))?;
            Ok(0)
        }
        Command::Doctor(args) => doctor::run(cli, args, output),
        Command::Import(args) => import::run(cli, args, output),
        Command::Init(args) => init::run(cli, args, output),
        Command::Inventory(args) => inventory::run(cli, args, output),
        Command::Comment(args) => comment::run(args, output),
        Command::Man { out } => manual(out.as_deref(), output),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "flex-alerts", &mut script);
            output.data(&String::from_utf8_lossy(&script))?;
            Ok(0)
        }
    }
}

/// The JSON Schema of `kind`, as committed in `schemas/`.
fn schema_text(kind: SchemaKind) -> String {
    match kind {
        SchemaKind::Alerts => schema::generate_pretty(),
        SchemaKind::Test => schema::pretty(&crate::evaluate::test_file::schema()),
        SchemaKind::Project => schema::pretty(&crate::project::schema()),
        SchemaKind::Overlay => schema::pretty(&crate::config::overlay::schema()),
        SchemaKind::Plan => schema::pretty(&json_plan::schema()),
    }
}

/// The file in `schemas/` that holds the schema of `kind`.
fn schema_file(kind: SchemaKind) -> &'static str {
    use crate::config::kind::FileKind;
    match kind {
        SchemaKind::Alerts => FileKind::Alerts.schema_file(),
        SchemaKind::Test => FileKind::RuleTest.schema_file(),
        SchemaKind::Project => FileKind::Project.schema_file(),
        SchemaKind::Overlay => FileKind::Overlay.schema_file(),
        SchemaKind::Plan => "plan.schema.json",
    }
}

/// `flex-alerts man`: the manual pages, generated from the same definitions as `--help`.
fn manual(out: Option<&std::path::Path>, output: &Output) -> Result<u8, Error> {
    match out {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|error| Error::new("cannot render the manual page").cause(error))?;
            output.data(&String::from_utf8_lossy(&page))?;
        }
        Some(directory) => {
            let failed = |error: std::io::Error| {
                Error::new(format!(
                    "cannot write the manual pages to {}",
                    directory.display()
                ))
                .cause(error)
            };
            std::fs::create_dir_all(directory).map_err(failed)?;
            clap_mangen::generate_to(Cli::command(), directory).map_err(failed)?;
            output.line(&format!(
                "Wrote the manual pages to {}; read them with `man -l {}/flex-alerts.1`.",
                directory.display(),
                directory.display()
            ));
        }
    }
    Ok(0)
}
