//! The one module that writes to the terminal: data to stdout, messages to stderr, colour only
//! where it is wanted, and a closed pipe (`flex-alerts schema | head`) ending quietly.

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy)]
pub struct Output {
    styled: bool,
    data_styled: bool,
}

impl Output {
    pub fn new(choice: ColorChoice) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let styled = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && io::stderr().is_terminal(),
        };
        let data_styled = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && io::stdout().is_terminal(),
        };
        Output {
            styled,
            data_styled,
        }
    }

    /// Whether data on stdout may carry colour.
    pub fn data_styled(&self) -> bool {
        self.data_styled
    }

    /// Whether messages go to a person at a terminal (for progress bars).
    pub fn interactive(&self) -> bool {
        io::stderr().is_terminal()
    }

    /// Whether messages on stderr may carry colour.
    pub fn styled(&self) -> bool {
        self.styled
    }

    /// Writes data to stdout. A closed pipe is not an error: the reader has what it wanted.
    pub fn data(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }

    /// Writes a message to stderr; failures to write a message are ignored.
    pub fn message(&self, text: &str) {
        let mut err = io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }

    /// A message line, bold when styled.
    pub fn line(&self, text: &str) {
        if self.styled {
            let bold = anstyle::Style::new().bold();
            self.message(&format!("{bold}{text}{bold:#}\n"));
        } else {
            self.message(&format!("{text}\n"));
        }
    }
}
