//! One function per subcommand: each turns parsed arguments into work and output.

mod apply;
mod emulator;
mod export;
mod plan;
mod session;
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
        Command::Validate { paths } => validate::run(paths, output),
        Command::Emulator(args) => emulator::run(args, output),
        Command::Plan(args) => plan::run(cli, args, output),
        Command::Apply(args) => apply::run(cli, args, output),
        Command::Export { out, store } => export::run(cli, store, out.as_ref(), output),
        Command::Schema { which } => {
            output.data(&match which {
                SchemaKind::Alerts => schema::generate_pretty(),
                SchemaKind::Plan => pretty(&json_plan::schema()),
            })?;
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

/// Pretty JSON with a final newline, as the committed schema files are written.
fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON");
    text.push('\n');
    text
}
