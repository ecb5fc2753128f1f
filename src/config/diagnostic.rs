//! Problems found in alert files, and how they are shown: `FILE:LINE:COLUMN`, the source line,
//! a caret under the offending key or value, and a hint where one helps.
//!
//! Collecting is separate from rendering so that every problem of every file is found first
//! and shown together; this module renders into a `String` and never prints.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::source_file::SourceFile;
use crate::common::yaml::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    /// Something not checked, said so that nobody takes it for checked.
    Note,
}

/// One problem, located in a file (and, when known, at a span in it).
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    pub span: Option<Span>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(file: &str, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_owned(),
            span,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(file: &str, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, span, message)
        }
    }

    pub fn note(file: &str, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(file, span, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_optional_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    /// `FILE:LINE:COLUMN`, or just `FILE` when the problem concerns the file as a whole.
    pub fn location(&self) -> String {
        match self.span {
            Some(span) => format!("{}:{}:{}", self.file, span.line, span.column),
            None => self.file.clone(),
        }
    }
}

/// The problems a run has shown already (across environments).
#[derive(Debug, Default)]
pub struct Shown(Vec<Diagnostic>);

impl Shown {
    fn insert(&mut self, diagnostic: Diagnostic) -> bool {
        if self.0.contains(&diagnostic) {
            return false;
        }
        self.0.push(diagnostic);
        true
    }
}

/// Every problem found in one run, in file and position order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    fn count(&self, severity: Severity) -> usize {
        self.items
            .iter()
            .filter(|item| item.severity == severity)
            .count()
    }

    /// Orders by file, then position, so output is stable whatever order checks ran in.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let position = |d: &Diagnostic| d.span.map_or((0, 0), |s| (s.line, s.column));
            (&a.file, position(a), a.severity).cmp(&(&b.file, position(b), b.severity))
        });
        self.items.dedup();
    }

    /// The diagnostics not in `shown`, which then holds them too, and how many were there
    /// already: a problem every environment shares is shown once.
    pub fn not_shown(&self, shown: &mut Shown) -> (Diagnostics, usize) {
        let mut fresh = Diagnostics::default();
        let mut repeated = 0;
        for item in &self.items {
            if shown.insert(item.clone()) {
                fresh.push(item.clone());
            } else {
                repeated += 1;
            }
        }
        (fresh, repeated)
    }

    /// Renders every diagnostic with its source line; `styled` adds colour.
    pub fn render(&self, sources: &[SourceFile], styled: bool) -> String {
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut out = String::new();
        for diagnostic in &self.items {
            let source = sources.iter().find(|s| s.display == diagnostic.file);
            out.push_str(&render_one(&renderer, diagnostic, source));
            out.push_str("\n\n");
        }
        out
    }

    /// One line: how many problems in how many files.
    pub fn summary(&self, files: usize, alerts: usize) -> String {
        let errors = self.error_count();
        let warnings = self.warning_count();
        let mut line = String::new();
        if files == 0 && errors > 0 {
            let _ = write!(line, "{}; no alert file was read", plural(errors, "error"));
        } else if errors == 0 {
            let _ = write!(
                line,
                "{} valid in {} ({})",
                plural(alerts, "alert"),
                plural(files, "file"),
                plural(warnings, "warning")
            );
        } else {
            let failing = self
                .items
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.file.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            let _ = write!(
                line,
                "{} and {} in {} of {}",
                plural(errors, "error"),
                plural(warnings, "warning"),
                failing,
                plural(files, "file")
            );
        }
        line
    }
}

fn render_one(renderer: &Renderer, diagnostic: &Diagnostic, source: Option<&SourceFile>) -> String {
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let mut report = Vec::new();
    match (diagnostic.span, source) {
        (Some(span), Some(source)) => {
            let end = span.end.max(span.start + 1).min(source.text.len());
            let start = span.start.min(end);
            report.push(
                level.primary_title(&diagnostic.message).element(
                    Snippet::source(source.text.as_str())
                        .path(diagnostic.file.as_str())
                        .fold(true)
                        .annotation(AnnotationKind::Primary.span(start..end)),
                ),
            );
        }
        _ => {
            report.push(
                level
                    .primary_title(&diagnostic.message)
                    .element(annotate_snippets::Origin::path(diagnostic.file.as_str())),
            );
        }
    }
    if let Some(hint) = &diagnostic.hint {
        report.push(Group::with_title(Level::HELP.secondary_title(hint)));
    }
    renderer.render(&report)
}

pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
