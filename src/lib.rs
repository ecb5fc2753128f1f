//! flex-alerts: Twilio Flex alerts kept as code.
//!
//! YAML files -> `config` (checked desired state) -> commands. `run` is the whole program
//! behind the thin `main`; it returns the exit status and never calls `process::exit`.

pub mod apply;
pub mod cli;
pub mod commands;
pub mod common;
pub mod config;
pub mod emulator;
pub mod error;
pub mod evaluate;
pub mod flex;
pub mod output;
pub mod plan;
pub mod project;
pub mod render;
pub mod review;
pub mod store;

use clap::Parser;

pub use error::Error;

/// Parses `args`, runs the command, prints any error, and returns the exit status.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { 1 } else { 0 };
        }
    };
    let output = output::Output::new(cli.color);
    match commands::run(&cli, &output) {
        Ok(code) => code,
        Err(error) => {
            if !error.reported {
                output.message(&error.render());
            } else {
                output.message(&format!("error: {}\n", error.message));
            }
            error.code
        }
    }
}
