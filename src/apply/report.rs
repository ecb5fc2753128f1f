//! What apply did: each step done, failed (with its error) or skipped (with the reason), and
//! the final summary people read.

use crate::flex::wire::Rule;
use crate::plan::Step;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Failed(String),
    Skipped(String),
}

/// One step and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    pub step: Step,
    pub label: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub steps: Vec<StepReport>,
    /// Signs of another apply writing at the same time.
    pub conflicts: Vec<String>,
    /// Configurations created for alerts that were then not written, and what became of them.
    pub released: Vec<String>,
    /// The rules as listed after the last write, when apply listed them (to check for other
    /// writers): the read-back starts from them instead of listing again.
    pub rules_after: Option<Vec<Rule>>,
}

impl Report {
    fn count(&self, wanted: fn(&Outcome) -> bool) -> usize {
        self.steps
            .iter()
            .filter(|step| wanted(&step.outcome))
            .count()
    }

    pub fn done(&self) -> usize {
        self.count(|outcome| *outcome == Outcome::Done)
    }

    pub fn failed(&self) -> usize {
        self.count(|outcome| matches!(outcome, Outcome::Failed(_)))
    }

    pub fn skipped(&self) -> usize {
        self.count(|outcome| matches!(outcome, Outcome::Skipped(_)))
    }

    pub fn succeeded(&self) -> bool {
        self.failed() == 0 && self.skipped() == 0 && self.conflicts.is_empty()
    }

    /// The failures and skips, then `Apply: N done, N failed, N skipped.`
    pub fn render(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            match &step.outcome {
                Outcome::Done => {}
                Outcome::Failed(error) => out.push_str(&format!(
                    "failed: {}\n  {}\n",
                    step.label,
                    error.replace('\n', "\n  ")
                )),
                Outcome::Skipped(reason) => {
                    out.push_str(&format!("skipped: {} ({reason})\n", step.label))
                }
            }
        }
        for released in &self.released {
            out.push_str(&format!("cleaned up: {released}\n"));
        }
        for conflict in &self.conflicts {
            out.push_str(&format!("error: {conflict}\n"));
        }
        out.push_str(&format!(
            "Apply: {} done, {} failed, {} skipped.\n",
            self.done(),
            self.failed(),
            self.skipped()
        ));
        out
    }
}
