//! Policy stage: Guard rules and compliance profiles -> findings about emitted templates.
//!
//! Input: the rule set (embedded by `build.rs` from `policies/`, plus the user's `--rules`
//! directories), the selected profiles, CloudFormation templates as text, the spec's exceptions
//! and the caller's date. Output: a `Report` (findings with rule, severity, template file, line
//! of the resource, property path, message, fix and the profiles' control ids; one check per
//! rule x resource; the exceptions and what became of them; warnings). Nothing here prints:
//! `report` renders the `Report` as text, JSON, SARIF, JUnit or a markdown control matrix.
//!
//! Invariants: every rule file defines exactly the one named rule its header announces; every
//! control names at least one rule and only rules that exist; a rule that no profile maps is
//! reported under the `custom` profile. Evaluation goes through the `guard::Engine` trait, only
//! for the (rule, template) pairs a rule can select and an earlier run did not evaluate (see
//! `check`); its outcomes are exactly those of each rule evaluated alone (a test compares
//! them). Output never depends on the clock except through the date the caller passes, nor on
//! the outcome cache.
//!
//! One job per file: `rule` (rule files and their headers), `profile` (profile files), `set`
//! (the rule set, the profiles a run selects, the catalogue spec validation receives),
//! `template` (templates and the lines of their resources), `input` (template files and the
//! spec's compliance settings, as the command layer hands them over), `exception`, `check`
//! (evaluation), `cache` (outcomes of (rule, template) pairs kept across runs), `verdict`
//! (what a run found), `date`, `hook` (the in-account hook's rule file), `guard` (the cfn-guard
//! wall) and `report` (renderers). Policy sits beside the stages: it reads the spec's types but
//! never loads a spec, and never runs synthesis.

mod cache;
mod check;
mod date;
mod exception;
pub mod guard;
pub mod hook;
pub mod input;
mod profile;
pub mod report;
mod rule;
mod set;
mod template;
mod verdict;
mod view;

use std::fmt;

use crate::diag::{Code, Diagnostic};

pub use cache::Cache;
pub use check::{CheckInput, check, check_cached};
pub use date::{is_date, today_utc};
pub use exception::{Applied, Exception, ExceptionOutcome, reason_text};
pub use profile::{Control, Profile, parse_profile};
pub use rule::{Rule, Severity, parse_rule, run_rule_tests};
pub use set::{CUSTOM_PROFILE, PolicySet, Selection, catalogue};
pub use template::{Resource, Template};
pub use verdict::{
    Check, CheckStatus, ControlRef, ControlRow, Finding, ProfileMatrix, Report, RuleEvidence,
    SpecOrigin, Warning, check_label,
};

/// A problem in a rule file, a profile or a template: its code, the file, a line when known,
/// a message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
    /// Last, so errors sort by file and line.
    pub code: Code,
}

impl PolicyError {
    fn new(code: Code, file: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        PolicyError {
            code,
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }

    /// The problem as a diagnostic at its file and line (cfn-guard's own failures are in no
    /// file). Messages continue the path (`does not exist`), so the message starts with it.
    pub fn to_diagnostic(&self) -> Diagnostic {
        if self.code == Code::PolicyEngine {
            return Diagnostic::new(self.code, format!("{}: {}", self.file, self.message));
        }
        let d = Diagnostic::new(self.code, format!("`{}`: {}", self.file, self.message))
            .in_file(&self.file);
        match self.line {
            Some(line) => d.with_position(line, 0),
            None => d,
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

#[cfg(test)]
mod tests;
