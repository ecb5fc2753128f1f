//! The `flex-alerts` binary: everything happens in the library's `run`.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(flex_alerts::run(std::env::args_os()))
}
