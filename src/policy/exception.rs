//! Exceptions: accepted deviations from a rule, as the spec states them, applied to findings.
//!
//! Input: the spec's exceptions with their positions (given by the command layer), the
//! findings and the date. Output: findings marked suppressed (or open again, once an
//! exception expired), what became of each exception, and a warning for each exception that
//! matches nothing. Lasting exceptions that byoa already wrote into a template
//! (`Metadata.guard.SuppressedRules`) count as matched.

use serde::Serialize;

use super::set::Selection;
use super::template::Template;
use super::verdict::{Finding, Warning};
use crate::diag::Location;

/// An accepted deviation from a rule, as the spec states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub rule: String,
    /// Logical id; every resource when `None`.
    pub resource: Option<String>,
    pub reason: String,
    /// `YYYY-MM-DD`, the last day the exception applies.
    pub expires: Option<String>,
    /// Where the exception is written in the spec.
    pub location: Option<Location>,
}

impl Exception {
    /// Whether the exception no longer applies on `today` (`YYYY-MM-DD`).
    pub fn is_expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|e| e < today)
    }

    /// `RULE` or `RULE on Resource`, for messages.
    pub fn describe(&self) -> String {
        match &self.resource {
            Some(r) => format!("`{}` on `{r}`", self.rule),
            None => format!("`{}`", self.rule),
        }
    }
}

/// An exception as applied to one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// True when the exception expired: the finding is open again.
    pub expired: bool,
    /// Where the exception is written in the spec.
    #[serde(skip)]
    pub location: Option<Location>,
}

/// What became of one spec exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionOutcome {
    pub exception: Exception,
    /// Findings it suppresses (or would, were it not expired).
    pub matched: usize,
    pub expired: bool,
}

pub(super) fn apply_exceptions(
    findings: &mut [Finding],
    exceptions: &[Exception],
    today: &str,
    selection: &Selection<'_>,
    templates: &[Template],
) -> (Vec<ExceptionOutcome>, Vec<Warning>) {
    let mut outcomes = Vec::new();
    let mut warnings = Vec::new();
    for ex in exceptions {
        let expired = ex.is_expired(today);
        let mut matched = 0;
        for f in findings.iter_mut() {
            let hit = f.rule == ex.rule
                && ex
                    .resource
                    .as_ref()
                    .is_none_or(|r| f.resource.as_ref() == Some(r));
            if !hit || f.exception.is_some() {
                continue;
            }
            matched += 1;
            if expired {
                let date = ex.expires.as_deref().unwrap_or_default();
                f.message = format!(
                    "{} (the exception for it expired on {date}: {})",
                    f.message, ex.reason
                );
            }
            f.exception = Some(Applied {
                reason: ex.reason.clone(),
                expires: ex.expires.clone(),
                expired,
                location: ex.location.clone(),
            });
        }
        // byoa writes lasting exceptions into the templates it emits (the resource's
        // Metadata.guard.SuppressedRules), where the rule then skips the resource: that is the
        // exception at work, not an exception that matches nothing.
        let in_templates = templates.iter().flat_map(|t| &t.resources).any(|r| {
            r.suppressed_rules.contains(&ex.rule)
                && ex.resource.as_ref().is_none_or(|id| *id == r.id)
        });
        if matched == 0 && !in_templates {
            let why = if !selection.rules.iter().any(|r| r.name == ex.rule) {
                format!(
                    "rule `{}` is not among the rules checked (not in the selected profiles, \
                     or misspelled)",
                    ex.rule
                )
            } else {
                "nothing fails it: remove the exception".to_owned()
            };
            warnings.push(Warning {
                message: format!(
                    "the exception for {} matches no finding: {why}",
                    ex.describe()
                ),
                location: ex.location.clone(),
            });
        }
        outcomes.push(ExceptionOutcome {
            exception: ex.clone(),
            matched,
            expired,
        });
    }
    (outcomes, warnings)
}

/// `reason (expires 2027-01-31)`.
pub fn reason_text(reason: &str, expires: Option<&str>) -> String {
    match expires {
        Some(d) => format!("{reason} (expires {d})"),
        None => reason.to_owned(),
    }
}
