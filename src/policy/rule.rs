//! Rule files: one Guard rule per file, with a `# Key: value` header -> `Rule`.
//!
//! Input: a rule file's name and text (embedded from `policies/rules/` or the user's). Output:
//! the rule with its title, severity, the resource types it judges and its fix, or every
//! problem in the file. Invariant: a parsed rule's file defines exactly the one named `rule`
//! block its header announces, in a file named after it. Also runs a rule's cfn-guard test
//! file (`policies/tests/`) through the engine.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::PolicyError;
use super::guard::{Engine, Outcome, RuleInput, Status, TemplateInput};
use crate::diag::{Code, did_you_mean};

/// How serious a rule's findings are.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    #[default]
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One Guard rule file with its parsed header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `RDS_STORAGE_ENCRYPTED`: the file stem and the name of the Guard `rule` block.
    pub name: String,
    pub title: String,
    pub severity: Severity,
    /// Resource types the rule looks at; empty for a rule about whole templates.
    pub resources: Vec<String>,
    /// How to fix a finding, from the header.
    pub fix: String,
    /// Where the rule comes from: `policies/rules/X.guard` (embedded) or the user's path.
    pub file: String,
    /// The Guard source.
    pub text: String,
}

impl Rule {
    /// The rule as the engine takes it.
    pub fn input(&self) -> RuleInput<'_> {
        RuleInput {
            name: &self.name,
            text: &self.text,
        }
    }
}

/// The header keys of a rule file, in the order they are written.
const HEADER_KEYS: [&str; 5] = ["Rule", "Title", "Severity", "Resources", "Fix"];

/// Parses a rule file: the `# Key: value` header (a value may go on over `#   ` lines) and a
/// check that the body defines the announced rule and no other. Every problem is reported.
pub fn parse_rule(file: &str, text: &str) -> Result<Rule, Vec<PolicyError>> {
    let mut errors = Vec::new();
    let mut values: BTreeMap<&str, (usize, String)> = BTreeMap::new();
    let mut unknown: Vec<(usize, String)> = Vec::new();
    let mut last: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            last = None;
            continue;
        }
        let Some(comment) = trimmed.strip_prefix('#') else {
            break;
        };
        let key_value = comment
            .trim_start()
            .split_once(':')
            .filter(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic()));
        match key_value {
            Some((key, value)) if HEADER_KEYS.contains(&key) => {
                if let Some((first, _)) = values.get(key) {
                    errors.push(PolicyError::new(
                        Code::PolicyRule,
                        file,
                        Some(n),
                        format!("the header gives `{key}:` twice (first on line {first})"),
                    ));
                } else {
                    values.insert(key, (n, value.trim().to_owned()));
                }
                last = Some(key);
            }
            _ if comment.starts_with("   ") && last.is_some() => {
                let key = last.expect("checked");
                let entry = values.get_mut(key).expect("inserted");
                if !entry.1.is_empty() {
                    entry.1.push(' ');
                }
                entry.1.push_str(comment.trim());
            }
            Some((key, _)) => {
                unknown.push((n, key.to_owned()));
                last = None;
            }
            None => last = None,
        }
    }
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned();
    for key in HEADER_KEYS {
        match values.get(key) {
            None => {
                let typo = unknown
                    .iter()
                    .find(|(_, k)| did_you_mean(k, [key]).is_some());
                errors.push(match typo {
                    Some((line, k)) => PolicyError::new(
                        Code::PolicyRule,
                        file,
                        Some(*line),
                        format!("unknown header key `{k}`: did you mean `{key}`?"),
                    ),
                    None => PolicyError::new(
                        Code::PolicyRule,
                        file,
                        Some(1),
                        format!(
                            "the header has no `# {key}:` line (a rule file starts with \
                             `# Rule:`, `# Title:`, `# Severity:`, `# Resources:` and `# Fix:`)"
                        ),
                    ),
                });
            }
            Some((line, v)) if v.is_empty() => errors.push(PolicyError::new(
                Code::PolicyRule,
                file,
                Some(*line),
                format!("`# {key}:` is empty"),
            )),
            Some(_) => {}
        }
    }
    let get = |key: &str| values.get(key).map(|(l, v)| (*l, v.clone()));
    let name = get("Rule").map(|(_, v)| v).unwrap_or_default();
    if let Some((line, name)) = get("Rule").filter(|(_, v)| !v.is_empty()) {
        if !is_rule_name(&name) {
            errors.push(PolicyError::new(
                Code::PolicyRule,
                file,
                Some(line),
                format!("rule name `{name}` is not UPPER_SNAKE_CASE"),
            ));
        } else if name != stem {
            errors.push(PolicyError::new(
                Code::PolicyRule,
                file,
                Some(line),
                format!(
                    "rule `{name}` is in a file named `{stem}`: the file stem must be the rule name"
                ),
            ));
        }
    }
    let severity = match get("Severity").filter(|(_, v)| !v.is_empty()) {
        Some((line, s)) => Severity::parse(&s.to_ascii_lowercase()).unwrap_or_else(|| {
            errors.push(PolicyError::new(
                Code::PolicyRule,
                file,
                Some(line),
                format!("severity `{s}` is not one of critical, high, medium, low"),
            ));
            Severity::default()
        }),
        None => Severity::default(),
    };
    let mut resources = Vec::new();
    if let Some((line, list)) = get("Resources") {
        for entry in list.split([',', ' ']).filter(|s| !s.is_empty()) {
            if is_resource_type(entry) {
                resources.push(entry.to_owned());
            } else if !is_template_scope(entry) {
                errors.push(PolicyError::new(
                    Code::PolicyRule,
                    file,
                    Some(line),
                    format!(
                        "`{entry}` in `# Resources:` is not a resource type like \
                         `AWS::S3::Bucket` (write `template` for a rule about whole templates, \
                         `*` for one about every resource)"
                    ),
                ));
            }
        }
    }
    let blocks = rule_blocks(text);
    if !name.is_empty() {
        if !blocks.iter().any(|(_, b)| *b == name) {
            errors.push(PolicyError::new(
                Code::PolicyRule,
                file,
                None,
                format!(
                    "the file defines no `rule {name}` block (a file without an effective \
                     rule would pass silently)"
                ),
            ));
        }
        for (line, other) in blocks.iter().filter(|(_, b)| *b != name) {
            errors.push(PolicyError::new(
                Code::PolicyRule,
                file,
                Some(*line),
                format!("the file defines `rule {other}` besides `{name}`: one rule per file"),
            ));
        }
    }
    if !errors.is_empty() {
        errors.sort();
        return Err(errors);
    }
    Ok(Rule {
        name,
        title: get("Title").map(|(_, v)| v).unwrap_or_default(),
        severity,
        resources,
        fix: get("Fix").map(|(_, v)| v).unwrap_or_default(),
        file: file.to_owned(),
        text: text.to_owned(),
    })
}

fn is_rule_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `AWS::S3::Bucket`, `AWS::EC2::SecurityGroup::Id`.
fn is_resource_type(s: &str) -> bool {
    let parts: Vec<&str> = s.split("::").collect();
    parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Words accepted in `# Resources:` for rules about a template rather than its resources, or
/// about every resource of it (`*`): either way the rule gets one verdict per template, and its
/// findings still name the resources.
fn is_template_scope(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "template" | "templates" | "(template)" | "rules" | "*"
    )
}

/// The named `rule NAME` blocks of a Guard file, with their lines (comments skipped).
fn rule_blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("rule ") {
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((i + 1, name));
            }
        }
    }
    out
}

/// One case of a rule's test file (`policies/tests/<RULE>_tests.yml`, cfn-guard's test format).
#[derive(Debug, Deserialize)]
struct RuleTestCase {
    #[serde(default)]
    name: Option<String>,
    input: Value,
    expectations: RuleTestExpectations,
}

#[derive(Debug, Deserialize)]
struct RuleTestExpectations {
    rules: BTreeMap<String, String>,
}

/// Runs a rule's test file (a YAML list of `{name, input, expectations: {rules: {RULE: PASS |
/// FAIL | SKIP}}}`) through `engine`, all cases in one call. Returns one line per case whose
/// outcome differs from its expectation; an empty list means every case holds.
pub fn run_rule_tests(
    engine: &dyn Engine,
    rule: &Rule,
    file: &str,
    text: &str,
) -> Result<Vec<String>, PolicyError> {
    let cases: Vec<RuleTestCase> = serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize).filter(|l| *l > 0);
        let message = e.to_string();
        PolicyError::new(
            Code::PolicyRuleTest,
            file,
            line,
            message.lines().next().unwrap_or_default().to_owned(),
        )
    })?;
    let inputs: Vec<String> = cases.iter().map(|c| c.input.to_string()).collect();
    let templates: Vec<TemplateInput<'_>> = inputs
        .iter()
        .map(|t| TemplateInput {
            name: file,
            text: t,
        })
        .collect();
    let rules = [rule.input()];
    let outcomes = engine.evaluate(&rules, &templates).map_err(|e| {
        PolicyError::new(
            Code::PolicyRuleTest,
            &rule.file,
            None,
            format!("cannot evaluate: {e}"),
        )
    })?;
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = case
            .name
            .clone()
            .unwrap_or_else(|| format!("case {}", i + 1));
        let mine: Vec<&Outcome> = outcomes.iter().filter(|o| o.template == i).collect();
        let got = if mine.iter().any(|o| o.status == Status::Fail) {
            "FAIL"
        } else if mine.iter().any(|o| o.status == Status::Pass) {
            "PASS"
        } else {
            "SKIP"
        };
        for (rule_name, want) in &case.expectations.rules {
            if rule_name != &rule.name {
                failures.push(format!(
                    "{file}: `{name}` expects rule `{rule_name}`, but the file tests `{}`",
                    rule.name
                ));
            } else if !want.eq_ignore_ascii_case(got) {
                failures.push(format!("{file}: `{name}`: expected {want}, got {got}"));
            }
        }
    }
    Ok(failures)
}
