//! One function per subcommand: each turns parsed arguments into work and output.

mod apply;
mod emulator;
mod export;
mod plan;
mod session;
mod validate;

use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::config::schema;
use crate::error::Error;
use crate::output::Output;

/// Runs the parsed command; `Ok` carries the exit status.
pub fn run(cli: &Cli, output: &Output) -> Result<u8, Error> {
    match &cli.command {
        Command::Validate { paths } => validate::run(paths, output),
        Command::Emulator(args) => emulator::run(args, output),
        Command::Plan {
            paths,
            out,
            format,
            detailed_exitcode,
            prune,
        } => plan::run(
            cli,
            paths,
            out.as_ref(),
            *format,
            *detailed_exitcode,
            *prune,
            output,
        ),
        Command::Apply {
            paths,
            auto_approve,
            prune,
            plan,
            lock_timeout,
        } => apply::run(
            cli,
            paths,
            *auto_approve,
            *prune,
            plan.as_ref(),
            *lock_timeout,
            output,
        ),
        Command::Export { out } => export::run(cli, out.as_ref(), output),
        Command::Schema => {
            output.data(&schema::generate_pretty())?;
            Ok(0)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "flex-alerts", &mut script);
            output.data(&String::from_utf8_lossy(&script))?;
            Ok(0)
        }
    }
}
