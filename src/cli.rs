//! Command-line arguments as clap parses them: raw values only, no I/O.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use clap_complete::Shell;

use crate::output::ColorChoice;

/// Twilio Flex alerts as code: keep alerts in YAML, check them, and reconcile Flex with them.
#[derive(Debug, Parser)]
#[command(name = "flex-alerts", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// More detail in messages.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to colour messages (NO_COLOR is honoured by `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check alert files against the schema and every rule, offline. Exit 1 on any error.
    Validate {
        /// Alert files or directories (read recursively). Default: the current directory.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the alert file format.
    Schema,
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: Shell,
    },
}

/// PATH arguments, defaulting to the current directory.
pub fn paths_or_current(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}
