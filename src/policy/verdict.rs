//! What a check run found: findings, one verdict per rule x resource, exception outcomes,
//! warnings, and the control matrix built from them. Plain data: `check` fills it and
//! `report` renders it; nothing here evaluates or prints.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::exception::{Applied, ExceptionOutcome};
use super::profile::{Control, Profile};
use super::rule::{Rule, Severity};
use crate::diag::Location;

/// A profile's control that a finding bears on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ControlRef {
    pub profile: String,
    pub id: String,
}

/// One failed check: a rule that a resource (or a template) does not meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub template: String,
    /// Line of the resource's logical id in the template file.
    pub line: usize,
    pub resource: Option<String>,
    pub resource_type: Option<String>,
    /// JSON pointer of the failing value in the template.
    pub path: Option<String>,
    /// What is wrong (the rule's `Violation:` text, else the rule's title).
    pub message: String,
    /// The value the check found (`` `7` ``, `not set`), when the engine says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
    /// What would have passed (`` `>= 90` or not set ``), when the engine says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wanted: Option<String>,
    pub fix: String,
    pub controls: Vec<ControlRef>,
    /// The spec exception covering this finding, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<Applied>,
    /// Where in the spec the offending value comes from, when the templates' source map says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<SpecOrigin>,
}

/// The `byoa.yaml` line (the overlay's, for an environment value) of the field(s) that produced
/// a finding's property, or of the block the resource comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecOrigin {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The spec fields, as the source map names them (`database.backup_retention_days`).
    pub fields: Vec<String>,
}

impl Finding {
    /// Counts against the run: no exception, or an expired one.
    pub fn is_open(&self) -> bool {
        self.exception.as_ref().is_none_or(|e| e.expired)
    }

    /// The message with the value found and the value wanted, as every format shows it:
    /// ``the log group keeps events for fewer than 90 days (found `7`, wanted `>= 90` or not
    /// set)``.
    pub fn problem(&self) -> String {
        match (&self.found, &self.wanted) {
            (Some(found), Some(wanted)) => {
                format!("{} (found {found}, wanted {wanted})", self.message)
            }
            (Some(found), None) => format!("{} (found {found})", self.message),
            (None, Some(wanted)) => format!("{} (wanted {wanted})", self.message),
            (None, None) => self.message.clone(),
        }
    }

    /// The failing property relative to the resource, dotted: `Properties.StorageEncrypted`.
    pub fn property(&self) -> Option<String> {
        let path = self.path.as_deref()?;
        let rest = match &self.resource {
            Some(_) => path.splitn(4, '/').nth(3)?,
            None => path.strip_prefix('/')?,
        };
        let dotted = rest
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect::<Vec<_>>()
            .join(".");
        (!dotted.is_empty()).then_some(dotted)
    }
}

/// What one rule made of one resource (or of a whole template, for template rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Fail,
    Suppressed,
    Pass,
    NotApplicable,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Fail => "fail",
            CheckStatus::Suppressed => "suppressed",
            CheckStatus::Pass => "pass",
            CheckStatus::NotApplicable => "not applicable",
        }
    }
}

/// One rule x resource verdict (JUnit's test case, the control matrix's evidence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub rule: String,
    pub template: String,
    pub resource: Option<String>,
    pub resource_type: Option<String>,
    pub line: usize,
    pub status: CheckStatus,
    /// Why: the failures, the exception's reason, or why the rule did not apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Something the user should look at that does not fail the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub message: String,
    pub location: Option<Location>,
}

/// A deliberate deviation from another rule set (the AWS Guard rules registry, checkov,
/// cfn-lint) that the templates state in their metadata: byoa's rules do not ask for what it
/// deviates from, so it is a design choice to show auditors, not a waived finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesignChoice {
    /// The other tool's rule or check id (`S3_BUCKET_REPLICATION_ENABLED`, `CKV_AWS_260`).
    pub rule: String,
    pub reason: String,
    /// `template: logical id` of every resource that states it.
    pub resources: Vec<String>,
}

/// Everything a check run found, ready to render.
#[derive(Debug, Clone)]
pub struct Report {
    /// The date exceptions were judged on.
    pub today: String,
    pub profiles: Vec<Profile>,
    pub rules: Vec<Rule>,
    pub templates: Vec<String>,
    pub findings: Vec<Finding>,
    pub checks: Vec<Check>,
    pub exceptions: Vec<ExceptionOutcome>,
    pub warnings: Vec<Warning>,
    pub design_choices: Vec<DesignChoice>,
    /// Time spent in the engine and how many engine calls it took.
    pub engine_time: Duration,
    pub engine_calls: usize,
}

impl Report {
    /// Findings that fail the run.
    pub fn open(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_open())
    }

    pub fn suppressed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.is_open())
    }

    pub fn rule(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// Exit code: findings or not.
    pub fn exit_code(&self) -> i32 {
        if self.open().next().is_some() {
            crate::exit::FINDINGS
        } else {
            crate::exit::OK
        }
    }

    /// The control matrix: per selected profile, every control with its status and evidence.
    pub fn matrix(&self) -> Vec<ProfileMatrix> {
        self.profiles
            .iter()
            .map(|p| ProfileMatrix {
                profile: p.name.clone(),
                title: p.title.clone(),
                source: p.source.clone(),
                controls: p.controls.iter().map(|c| self.control_row(c)).collect(),
            })
            .collect()
    }

    fn control_row(&self, control: &Control) -> ControlRow {
        let mut rules = Vec::new();
        for name in &control.rules {
            let checks: Vec<&Check> = self.checks.iter().filter(|c| &c.rule == name).collect();
            let status = checks
                .iter()
                .map(|c| c.status)
                .min()
                .unwrap_or(CheckStatus::NotApplicable);
            let pick = |s: CheckStatus| -> Vec<String> {
                checks
                    .iter()
                    .filter(|c| c.status == s)
                    .map(|c| check_label(c))
                    .collect()
            };
            let mut reasons: Vec<String> = checks
                .iter()
                .filter(|c| c.status == CheckStatus::Suppressed)
                .filter_map(|c| c.detail.clone())
                .collect();
            reasons.sort();
            reasons.dedup();
            let mut customer: Vec<String> = checks
                .iter()
                .filter(|c| c.status == CheckStatus::NotApplicable)
                .filter_map(|c| c.detail.as_deref()?.strip_prefix(super::check::CUSTOMERS))
                .map(str::to_owned)
                .collect();
            customer.sort();
            customer.dedup();
            rules.push(RuleEvidence {
                customer,
                rule: name.clone(),
                status,
                failed: pick(CheckStatus::Fail),
                suppressed: pick(CheckStatus::Suppressed),
                passed: pick(CheckStatus::Pass),
                reasons,
            });
        }
        let status = rules
            .iter()
            .map(|r| r.status)
            .min()
            .unwrap_or(CheckStatus::NotApplicable);
        ControlRow {
            id: control.id.clone(),
            title: control.title.clone(),
            status,
            rules,
        }
    }
}

/// `database.yaml Db` (or the template alone for template rules).
pub fn check_label(c: &Check) -> String {
    let file = Path::new(&c.template)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or(&c.template);
    match &c.resource {
        Some(r) => format!("{file} {r}"),
        None => file.to_owned(),
    }
}

/// One profile's part of the control matrix.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileMatrix {
    pub profile: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub controls: Vec<ControlRow>,
}

/// One control: worst status of its rules (fail, suppressed, pass, not applicable).
#[derive(Debug, Clone, Serialize)]
pub struct ControlRow {
    pub id: String,
    pub title: String,
    pub status: CheckStatus,
    pub rules: Vec<RuleEvidence>,
}

/// One rule's evidence for a control: the resources in each state.
#[derive(Debug, Clone, Serialize)]
pub struct RuleEvidence {
    pub rule: String,
    pub status: CheckStatus,
    pub failed: Vec<String>,
    pub suppressed: Vec<String>,
    pub passed: Vec<String>,
    /// Reasons (and expiry) of the exceptions behind `suppressed`.
    pub reasons: Vec<String>,
    /// Why the rule's subject is the customer's (their own VPC), when no template holds it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub customer: Vec<String>,
}
