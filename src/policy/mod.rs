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
//! reported under the `custom` profile. Evaluation goes through the `guard::Engine` trait in
//! one call for all selected rules and all templates (see `guard` for why one call is the
//! cheapest). Output never depends on the clock except through the date the caller passes.

pub mod guard;
pub mod input;
pub mod report;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diag::{Location, did_you_mean};
use guard::{Engine, Outcome, RuleInput, Status, TemplateInput};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/policies.rs"));
}

/// The profile that collects rules no profile maps (the user's own rules, usually).
pub const CUSTOM_PROFILE: &str = "custom";

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

/// A problem in a rule file, a profile or a template: the file, a line when known, a message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl PolicyError {
    fn new(file: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        PolicyError {
            file: file.to_owned(),
            line,
            message: message.into(),
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
                        file,
                        Some(*line),
                        format!("unknown header key `{k}`: did you mean `{key}`?"),
                    ),
                    None => PolicyError::new(
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
                file,
                Some(line),
                format!("rule name `{name}` is not UPPER_SNAKE_CASE"),
            ));
        } else if name != stem {
            errors.push(PolicyError::new(
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

/// A compliance profile: controls, each evidenced by rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// `hipaa`: the file stem.
    pub name: String,
    pub title: String,
    /// The `# Source:` comment: where the control ids come from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip)]
    pub file: String,
    pub controls: Vec<Control>,
}

/// One control of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub rules: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    profile: String,
    title: String,
    controls: Vec<Control>,
}

/// Parses a profile file (YAML). Rule names are checked later, against the whole rule set.
pub fn parse_profile(file: &str, text: &str) -> Result<Profile, Vec<PolicyError>> {
    let options = serde_saphyr::options! { strict_booleans: true };
    let parsed: ProfileFile = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize).filter(|l| *l > 0);
        let message = e.to_string();
        let message = message.lines().next().unwrap_or_default().trim();
        vec![PolicyError::new(
            file,
            line,
            format!("not a profile: {message}"),
        )]
    })?;
    let mut errors = Vec::new();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1);
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if parsed.profile != stem {
        errors.push(PolicyError::new(
            file,
            line_of("profile:"),
            format!(
                "profile `{}` is in a file named `{stem}`: the file stem must be the profile name",
                parsed.profile
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    for c in &parsed.controls {
        if !seen.insert(c.id.as_str()) {
            errors.push(PolicyError::new(
                file,
                line_of(&c.id),
                format!("control `{}` is listed twice", c.id),
            ));
        }
        if c.rules.is_empty() {
            errors.push(PolicyError::new(
                file,
                line_of(&c.id),
                format!("control `{}` names no rule: it would always pass", c.id),
            ));
        }
    }
    if parsed.controls.is_empty() {
        errors.push(PolicyError::new(file, None, "the profile has no controls"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Profile {
        name: parsed.profile,
        title: parsed.title,
        source: source_comment(text),
        file: file.to_owned(),
        controls: parsed.controls,
    })
}

/// The `# Source:` comment with its `#   ` continuation lines.
fn source_comment(text: &str) -> Option<String> {
    let mut out: Option<String> = None;
    for line in text.lines() {
        let Some(comment) = line.trim_start().strip_prefix('#') else {
            if out.is_some() {
                break;
            }
            continue;
        };
        match &mut out {
            None => {
                if let Some(v) = comment.trim_start().strip_prefix("Source:") {
                    out = Some(v.trim().to_owned());
                }
            }
            Some(s) if comment.starts_with("   ") => {
                s.push(' ');
                s.push_str(comment.trim());
            }
            Some(_) => break,
        }
    }
    out.filter(|s| !s.is_empty())
}

/// Every rule and profile byoa knows: the embedded set plus the user's.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub rules: Vec<Rule>,
    pub profiles: Vec<Profile>,
}

impl PolicySet {
    /// The embedded rules and profiles alone, parsed once per process (a test keeps them
    /// valid, so this cannot fail at run time).
    pub fn embedded() -> &'static PolicySet {
        static SET: std::sync::OnceLock<PolicySet> = std::sync::OnceLock::new();
        SET.get_or_init(|| PolicySet::load(&[]).expect("the embedded rule set is valid"))
    }

    /// `profile control` for every control of `profiles` that `rule` evidences, e.g.
    /// `hipaa 164.308(a)(7)(ii)(A)`.
    pub fn controls_of(&self, rule: &str, profiles: &[String]) -> Vec<String> {
        self.profiles
            .iter()
            .filter(|p| profiles.contains(&p.name))
            .flat_map(|p| {
                p.controls
                    .iter()
                    .filter(|c| c.rules.iter().any(|r| r == rule))
                    .map(move |c| format!("{} {}", p.name, c.id))
            })
            .collect()
    }

    /// The embedded rules and profiles, plus the rules (and profiles) in `user_dirs`.
    pub fn load(user_dirs: &[PathBuf]) -> Result<PolicySet, Vec<PolicyError>> {
        let mut rules: Vec<(String, String)> = embedded::RULES
            .iter()
            .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
            .collect();
        let mut profiles: Vec<(String, String)> = embedded::PROFILES
            .iter()
            .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
            .collect();
        let mut errors = Vec::new();
        for dir in user_dirs {
            match read_user_dir(dir) {
                Ok((r, p)) => {
                    rules.extend(r);
                    profiles.extend(p);
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        PolicySet::from_sources(&rules, &profiles)
    }

    /// Builds a set from (file, text) pairs; checks names and cross-references.
    pub fn from_sources(
        rules: &[(String, String)],
        profiles: &[(String, String)],
    ) -> Result<PolicySet, Vec<PolicyError>> {
        let mut errors = Vec::new();
        let mut set = PolicySet::default();
        for (file, text) in rules {
            match parse_rule(file, text) {
                Ok(rule) => {
                    if let Some(first) = set.rules.iter().find(|r| r.name == rule.name) {
                        errors.push(PolicyError::new(
                            file,
                            None,
                            format!("rule `{}` is already defined by {}", rule.name, first.file),
                        ));
                    } else {
                        set.rules.push(rule);
                    }
                }
                Err(e) => errors.extend(e),
            }
        }
        for (file, text) in profiles {
            match parse_profile(file, text) {
                Ok(p) => {
                    if p.name == CUSTOM_PROFILE {
                        errors.push(PolicyError::new(
                            file,
                            None,
                            format!("`{CUSTOM_PROFILE}` is reserved for rules no profile maps"),
                        ));
                    } else if let Some(first) = set.profiles.iter().find(|q| q.name == p.name) {
                        errors.push(PolicyError::new(
                            file,
                            None,
                            format!("profile `{}` is already defined by {}", p.name, first.file),
                        ));
                    } else {
                        set.profiles.push(p);
                    }
                }
                Err(e) => errors.extend(e),
            }
        }
        let names: Vec<&str> = set.rules.iter().map(|r| r.name.as_str()).collect();
        for p in &set.profiles {
            for c in &p.controls {
                for r in &c.rules {
                    if !names.contains(&r.as_str()) {
                        let hint = did_you_mean(r, names.iter().copied())
                            .map(|b| format!(" (did you mean `{b}`?)"))
                            .unwrap_or_default();
                        let line = profile_line(profiles, &p.file, r);
                        errors.push(PolicyError::new(
                            &p.file,
                            line,
                            format!(
                                "control `{}` names rule `{r}`, which does not exist{hint}",
                                c.id
                            ),
                        ));
                    }
                }
            }
        }
        if !errors.is_empty() {
            errors.sort();
            errors.dedup();
            return Err(errors);
        }
        set.rules.sort_by(|a, b| a.name.cmp(&b.name));
        let unmapped: Vec<Control> = set
            .rules
            .iter()
            .filter(|r| {
                !set.profiles
                    .iter()
                    .any(|p| p.controls.iter().any(|c| c.rules.contains(&r.name)))
            })
            .map(|r| Control {
                id: r.name.clone(),
                title: r.title.clone(),
                rules: vec![r.name.clone()],
            })
            .collect();
        if !unmapped.is_empty() {
            set.profiles.push(Profile {
                name: CUSTOM_PROFILE.to_owned(),
                title: "Rules no profile maps".to_owned(),
                source: Some("the rules given with --rules".to_owned()),
                file: String::new(),
                controls: unmapped,
            });
        }
        Ok(set)
    }

    pub fn rule(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// The profiles named (all of them when `names` is empty) plus `custom` when it exists,
    /// and the rules they map, by name.
    pub fn select(&self, names: &[String]) -> Result<Selection<'_>, String> {
        let mut profiles: Vec<&Profile> = Vec::new();
        if names.is_empty() {
            profiles.extend(&self.profiles);
        } else {
            for name in names {
                let Some(p) = self.profiles.iter().find(|p| &p.name == name) else {
                    let known: Vec<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
                    let hint = match did_you_mean(name, known.iter().copied()) {
                        Some(b) => format!("did you mean `{b}`?"),
                        None => format!("known profiles: {}", known.join(", ")),
                    };
                    return Err(format!("profile `{name}` does not exist; {hint}"));
                };
                if !profiles.iter().any(|q| q.name == p.name) {
                    profiles.push(p);
                }
            }
            if let Some(custom) = self.profiles.iter().find(|p| p.name == CUSTOM_PROFILE)
                && !profiles.iter().any(|q| q.name == CUSTOM_PROFILE)
            {
                profiles.push(custom);
            }
        }
        let wanted: BTreeSet<&str> = profiles
            .iter()
            .flat_map(|p| p.controls.iter().flat_map(|c| c.rules.iter()))
            .map(String::as_str)
            .collect();
        let rules = self
            .rules
            .iter()
            .filter(|r| wanted.contains(r.name.as_str()))
            .collect();
        Ok(Selection { profiles, rules })
    }
}

fn profile_line(profiles: &[(String, String)], file: &str, rule: &str) -> Option<usize> {
    let text = &profiles.iter().find(|(f, _)| f == file)?.1;
    text.lines().position(|l| l.contains(rule)).map(|i| i + 1)
}

/// A policy file: its name as shown to the user, and its text.
type Source = (String, String);

/// The rules and profiles in a `--rules` directory: `DIR/rules/*.guard` and
/// `DIR/profiles/*.yaml` when it is laid out like `policies/`, else `DIR/*.guard`; a single
/// `.guard` file is accepted too.
fn read_user_dir(dir: &Path) -> Result<(Vec<Source>, Vec<Source>), PolicyError> {
    let shown = dir.display().to_string();
    let read = |p: &Path| {
        std::fs::read_to_string(p)
            .map(|t| (p.display().to_string(), t))
            .map_err(|e| {
                PolicyError::new(&p.display().to_string(), None, format!("cannot read: {e}"))
            })
    };
    if dir.is_file() {
        return Ok((vec![read(dir)?], Vec::new()));
    }
    if !dir.is_dir() {
        return Err(PolicyError::new(&shown, None, "no such rules directory"));
    }
    let list = |d: &Path, exts: &[&str]| -> Result<Vec<PathBuf>, PolicyError> {
        if !d.is_dir() {
            return Ok(Vec::new());
        }
        let mut out: Vec<PathBuf> = std::fs::read_dir(d)
            .map_err(|e| {
                PolicyError::new(&d.display().to_string(), None, format!("cannot list: {e}"))
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| exts.contains(&e))
            })
            .collect();
        out.sort();
        Ok(out)
    };
    let (rule_paths, profile_paths) = if dir.join("rules").is_dir() || dir.join("profiles").is_dir()
    {
        (
            list(&dir.join("rules"), &["guard"])?,
            list(&dir.join("profiles"), &["yaml", "yml"])?,
        )
    } else {
        (list(dir, &["guard"])?, Vec::new())
    };
    if rule_paths.is_empty() && profile_paths.is_empty() {
        return Err(PolicyError::new(
            &shown,
            None,
            "holds no `.guard` rule files",
        ));
    }
    let rules = rule_paths
        .iter()
        .map(|p| read(p))
        .collect::<Result<_, _>>()?;
    let profiles = profile_paths
        .iter()
        .map(|p| read(p))
        .collect::<Result<_, _>>()?;
    Ok((rules, profiles))
}

/// The profiles chosen for a run and the rules they map.
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    pub profiles: Vec<&'a Profile>,
    pub rules: Vec<&'a Rule>,
}

/// A resource of a template, as the reports need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub id: String,
    pub kind: String,
    /// Line of the resource's logical id in the template file.
    pub line: usize,
    /// `Metadata.guard.SuppressedRules`: rules the template itself waives for this resource.
    pub suppressed_rules: Vec<String>,
}

/// A CloudFormation template to check.
#[derive(Debug, Clone)]
pub struct Template {
    /// The file as the user names it (`out/database.yaml`).
    pub file: String,
    pub text: String,
    pub resources: Vec<Resource>,
    /// Lines of the top-level keys (`Resources`, `Rules`, ...).
    top_keys: HashMap<String, usize>,
}

impl Template {
    /// Parses `text` (YAML or JSON) enough to list its resources and their lines.
    pub fn parse(file: &str, text: String) -> Result<Template, PolicyError> {
        let is_json = text.trim_start().starts_with('{');
        let value: Value = if is_json {
            serde_json::from_str(&text)
                .map_err(|e| PolicyError::new(file, Some(e.line()), format!("invalid JSON: {e}")))?
        } else {
            serde_saphyr::from_str(&text).map_err(|e| {
                let line = e.location().map(|l| l.line() as usize).filter(|l| *l > 0);
                let message = e.to_string();
                let message = message.lines().next().unwrap_or_default().to_owned();
                PolicyError::new(file, line, format!("invalid YAML: {message}"))
            })?
        };
        let Some(resources) = value.get("Resources").and_then(Value::as_object) else {
            return Err(PolicyError::new(
                file,
                None,
                "not a CloudFormation template: it has no `Resources` mapping",
            ));
        };
        let (top_keys, resource_lines) = if is_json {
            json_lines(&text)
        } else {
            yaml_lines(&text)
        };
        let resources_line = top_keys.get("Resources").copied().unwrap_or(1);
        let resources = resources
            .iter()
            .map(|(id, r)| Resource {
                id: id.clone(),
                kind: r
                    .get("Type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                line: resource_lines.get(id).copied().unwrap_or(resources_line),
                suppressed_rules: r
                    .pointer("/Metadata/guard/SuppressedRules")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        Ok(Template {
            file: file.to_owned(),
            text,
            resources,
            top_keys,
        })
    }

    /// The template as the engine takes it.
    pub fn input(&self) -> TemplateInput<'_> {
        TemplateInput {
            name: &self.file,
            text: &self.text,
        }
    }

    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.id == id)
    }

    /// The line a finding points at: the resource's logical id, else the top-level key its
    /// path starts with, else line 1.
    pub fn line_of(&self, resource: Option<&str>, path: Option<&str>) -> usize {
        if let Some(r) = resource.and_then(|id| self.resource(id)) {
            return r.line;
        }
        path.and_then(|p| p.split('/').nth(1))
            .and_then(|k| self.top_keys.get(k))
            .copied()
            .unwrap_or(1)
    }
}

/// Block-YAML line scan: top-level keys at column 0, and the keys one level under
/// `Resources:` (the logical ids). Flow style falls back to the `Resources:` line.
fn yaml_lines(text: &str) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let mut top = HashMap::new();
    let mut resources = HashMap::new();
    let mut in_resources = false;
    let mut indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') || content.starts_with("---") {
            continue;
        }
        let depth = line.len() - content.len();
        if depth == 0 {
            let key = yaml_key(content);
            in_resources = key.as_deref() == Some("Resources");
            if let Some(k) = key {
                top.entry(k).or_insert(i + 1);
            }
            continue;
        }
        if in_resources {
            let want = *indent.get_or_insert(depth);
            if depth == want
                && let Some(k) = yaml_key(content)
            {
                resources.entry(k).or_insert(i + 1);
            }
        }
    }
    (top, resources)
}

/// `Key:` or `"Key":` at the start of `s`.
fn yaml_key(s: &str) -> Option<String> {
    let (key, rest) = if let Some(q) = s.strip_prefix('"') {
        let end = q.find('"')?;
        (&q[..end], &q[end + 1..])
    } else if let Some(q) = s.strip_prefix('\'') {
        let end = q.find('\'')?;
        (&q[..end], &q[end + 1..])
    } else {
        let end = s.find(':')?;
        (&s[..end], &s[end..])
    };
    let rest = rest.trim_start();
    (rest.starts_with(':') && (rest.len() == 1 || rest[1..].starts_with([' ', '\t'])))
        .then(|| key.trim().to_owned())
}

/// JSON scan with a small tokenizer: lines of the top-level keys and of the keys directly
/// inside the top-level `Resources` object.
fn json_lines(text: &str) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let mut top = HashMap::new();
    let mut resources = HashMap::new();
    // The key each open container was opened under (None for the root and for arrays' items).
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut pending: Option<String> = None;
    let mut last_string: Option<(String, usize)> = None;
    let mut line = 1;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '"' => {
                let start = line;
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(e) = chars.next() {
                                s.push(e);
                            }
                        }
                        '"' => break,
                        '\n' => {
                            line += 1;
                            s.push(c);
                        }
                        _ => s.push(c),
                    }
                }
                last_string = Some((s, start));
            }
            ':' => {
                if let Some((key, at)) = last_string.take() {
                    if stack.len() == 1 {
                        top.entry(key.clone()).or_insert(at);
                    } else if stack.len() == 2 && stack[1].as_deref() == Some("Resources") {
                        resources.entry(key.clone()).or_insert(at);
                    }
                    pending = Some(key);
                }
            }
            '{' | '[' => {
                stack.push(pending.take());
                last_string = None;
            }
            '}' | ']' => {
                stack.pop();
                last_string = None;
            }
            ',' => {
                pending = None;
                last_string = None;
            }
            _ => {}
        }
    }
    (top, resources)
}

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

/// A profile's control that a finding bears on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ControlRef {
    pub profile: String,
    pub id: String,
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
    /// What is wrong (the rule's `Violation:` text, or Guard's message).
    pub message: String,
    pub fix: String,
    pub controls: Vec<ControlRef>,
    /// The spec exception covering this finding, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<Applied>,
}

impl Finding {
    /// Counts against the run: no exception, or an expired one.
    pub fn is_open(&self) -> bool {
        self.exception.as_ref().is_none_or(|e| e.expired)
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

/// What became of one spec exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionOutcome {
    pub exception: Exception,
    /// Findings it suppresses (or would, were it not expired).
    pub matched: usize,
    pub expired: bool,
}

/// Something the user should look at that does not fail the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub message: String,
    pub location: Option<Location>,
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
            rules.push(RuleEvidence {
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
}

/// What a check run needs besides the engine.
#[derive(Debug, Clone)]
pub struct CheckInput<'a> {
    pub selection: Selection<'a>,
    pub templates: Vec<Template>,
    pub exceptions: Vec<Exception>,
    /// `YYYY-MM-DD`: exceptions expiring before this date no longer apply.
    pub today: String,
}

/// Evaluates the selected rules against the templates (one engine call) and builds the report.
pub fn check(engine: &dyn Engine, input: CheckInput<'_>) -> Result<Report, Vec<PolicyError>> {
    let CheckInput {
        selection,
        templates,
        exceptions,
        today,
    } = input;
    let started = Instant::now();
    let (outcomes, engine_calls) = evaluate_by_type(engine, &selection.rules, &templates)
        .map_err(|e| engine_errors(e, &selection.rules, &templates))?;
    let engine_time = started.elapsed();

    let mut findings = to_findings(&selection, &templates, &outcomes);
    let (exception_outcomes, warnings) =
        apply_exceptions(&mut findings, &exceptions, &today, &selection, &templates);
    let checks = to_checks(&selection, &templates, &outcomes, &findings);
    Ok(Report {
        today,
        profiles: selection.profiles.iter().map(|p| (*p).clone()).collect(),
        rules: selection.rules.iter().map(|r| (*r).clone()).collect(),
        templates: templates.iter().map(|t| t.file.clone()).collect(),
        findings,
        checks,
        exceptions: exception_outcomes,
        warnings,
        engine_time,
        engine_calls,
    })
}

/// Evaluates `rules` over `templates`, sparing the engine the pairs that cannot fail: a rule
/// whose `# Resources:` types are all absent from a template selects nothing there (cfn-guard
/// would say not applicable after loading the template once per rule, which dominated the run
/// time). Templates with the same applicable rules share one engine call (fifty service stacks
/// are one call). Rules applicable nowhere still run once against the first template, so a
/// syntax error in any rule is reported. Returns the outcomes and the number of calls.
fn evaluate_by_type(
    engine: &dyn Engine,
    rules: &[&Rule],
    templates: &[Template],
) -> Result<(Vec<Outcome>, usize), guard::EngineError> {
    use std::collections::BTreeMap;
    let applies = |r: &Rule, t: &Template| {
        r.resources.is_empty()
            || t.resources
                .iter()
                .any(|res| r.resources.contains(&res.kind))
    };
    let mut groups: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    for (ti, t) in templates.iter().enumerate() {
        let applicable = (0..rules.len())
            .filter(|&ri| applies(rules[ri], t))
            .collect();
        groups.entry(applicable).or_default().push(ti);
    }
    let used: std::collections::BTreeSet<usize> = groups.keys().flatten().copied().collect();
    let unused: Vec<usize> = (0..rules.len()).filter(|ri| !used.contains(ri)).collect();
    let mut outcomes = Vec::new();
    let mut calls = 0;
    let mut run = |rule_ids: &[usize], template_ids: &[usize]| -> Result<(), guard::EngineError> {
        if rule_ids.is_empty() || template_ids.is_empty() {
            return Ok(());
        }
        let ri: Vec<RuleInput<'_>> = rule_ids.iter().map(|&i| rules[i].input()).collect();
        let ti: Vec<TemplateInput<'_>> =
            template_ids.iter().map(|&i| templates[i].input()).collect();
        let result = engine.evaluate(&ri, &ti).map_err(|e| match e {
            guard::EngineError::Syntax(errors) => guard::EngineError::Syntax(
                errors.into_iter().map(|(r, m)| (rule_ids[r], m)).collect(),
            ),
            guard::EngineError::Template(t, m) => guard::EngineError::Template(template_ids[t], m),
            other => other,
        })?;
        calls += 1;
        outcomes.extend(result.into_iter().map(|mut o| {
            o.rule = rule_ids[o.rule];
            o.template = template_ids[o.template];
            o
        }));
        Ok(())
    };
    for (rule_ids, template_ids) in &groups {
        run(rule_ids, template_ids)?;
    }
    run(&unused, &[0][..templates.len().min(1)])?;
    let evaluated: std::collections::BTreeSet<(usize, usize)> =
        outcomes.iter().map(|o| (o.rule, o.template)).collect();
    for ti in 0..templates.len() {
        for ri in 0..rules.len() {
            if !evaluated.contains(&(ri, ti)) {
                outcomes.push(Outcome {
                    rule: ri,
                    template: ti,
                    status: Status::NotApplicable,
                    resource: None,
                    path: None,
                    message: None,
                });
            }
        }
    }
    // Pair by pair; within a pair the engine's order (the order of the rule's clauses) stays.
    outcomes.sort_by_key(|o| (o.rule, o.template));
    Ok((outcomes, calls))
}

fn engine_errors(
    e: guard::EngineError,
    rules: &[&Rule],
    templates: &[Template],
) -> Vec<PolicyError> {
    match e {
        guard::EngineError::Syntax(list) => list
            .into_iter()
            .map(|(i, message)| {
                let line = message
                    .strip_prefix("line ")
                    .and_then(|r| r.split(',').next())
                    .and_then(|n| n.parse().ok());
                PolicyError::new(
                    rules.get(i).map_or("<rule>", |r| r.file.as_str()),
                    line,
                    format!("Guard syntax error: {message}"),
                )
            })
            .collect(),
        guard::EngineError::Template(i, message) => vec![PolicyError::new(
            templates.get(i).map_or("<template>", |t| t.file.as_str()),
            None,
            format!("cfn-guard cannot read the template: {message}"),
        )],
        guard::EngineError::Internal(message) => {
            vec![PolicyError::new("cfn-guard", None, message)]
        }
    }
}

/// Splits a Guard message `Violation: ... Fix: ...` into its two parts.
fn split_message(message: &str) -> (String, Option<String>) {
    let flat = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let (violation, fix) = match flat.find("Fix:") {
        Some(i) => (
            flat[..i].trim(),
            Some(flat[i + 4..].trim().to_owned()).filter(|f| !f.is_empty()),
        ),
        None => (flat.as_str(), None),
    };
    let violation = violation
        .strip_prefix("Violation:")
        .unwrap_or(violation)
        .trim()
        .trim_end_matches(['.', '/', ';'])
        .trim()
        .to_owned();
    (violation, fix)
}

fn controls_of(selection: &Selection<'_>, rule: &str) -> Vec<ControlRef> {
    let mut out: Vec<ControlRef> = selection
        .profiles
        .iter()
        .flat_map(|p| {
            p.controls
                .iter()
                .filter(|c| c.rules.iter().any(|r| r == rule))
                .map(|c| ControlRef {
                    profile: p.name.clone(),
                    id: c.id.clone(),
                })
        })
        .collect();
    out.dedup();
    out
}

fn to_findings(
    selection: &Selection<'_>,
    templates: &[Template],
    outcomes: &[Outcome],
) -> Vec<Finding> {
    let mut findings: Vec<(usize, Finding)> = Vec::new();
    for o in outcomes.iter().filter(|o| o.status == Status::Fail) {
        let rule = selection.rules[o.rule];
        let template = &templates[o.template];
        let (message, fix) = match &o.message {
            Some(m) => split_message(m),
            None => (rule.title.clone(), None),
        };
        let finding = Finding {
            rule: rule.name.clone(),
            severity: rule.severity,
            title: rule.title.clone(),
            template: template.file.clone(),
            line: template.line_of(o.resource.as_deref(), o.path.as_deref()),
            resource: o.resource.clone(),
            resource_type: o
                .resource
                .as_deref()
                .and_then(|id| template.resource(id))
                .map(|r| r.kind.clone()),
            path: o.path.clone(),
            message,
            fix: fix.unwrap_or_else(|| rule.fix.clone()),
            controls: controls_of(selection, &rule.name),
            exception: None,
        };
        if !findings
            .iter()
            .any(|(t, f)| *t == o.template && *f == finding)
        {
            findings.push((o.template, finding));
        }
    }
    // Stable: a rule's findings on one resource keep the order of its clauses.
    findings.sort_by(|(ta, a), (tb, b)| (ta, a.line, &a.rule).cmp(&(tb, b.line, &b.rule)));
    findings.into_iter().map(|(_, f)| f).collect()
}

fn apply_exceptions(
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

fn to_checks(
    selection: &Selection<'_>,
    templates: &[Template],
    outcomes: &[Outcome],
    findings: &[Finding],
) -> Vec<Check> {
    let mut checks = Vec::new();
    for (ri, rule) in selection.rules.iter().enumerate() {
        for (ti, template) in templates.iter().enumerate() {
            let mine = |s: Status| {
                outcomes
                    .iter()
                    .any(|o| o.rule == ri && o.template == ti && o.status == s)
            };
            let not_applicable = mine(Status::NotApplicable);
            let in_template: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.rule == rule.name && f.template == template.file)
                .collect();
            let verdict = |found: &[&Finding]| -> (CheckStatus, Option<String>) {
                if found.iter().any(|f| f.is_open()) {
                    let detail = found
                        .iter()
                        .map(|f| f.message.clone())
                        .collect::<Vec<_>>()
                        .join("; ");
                    (CheckStatus::Fail, Some(detail))
                } else if let Some(e) = found.iter().find_map(|f| f.exception.as_ref()) {
                    (
                        CheckStatus::Suppressed,
                        Some(reason_text(&e.reason, e.expires.as_deref())),
                    )
                } else {
                    (CheckStatus::Pass, None)
                }
            };
            if rule.resources.is_empty() {
                let (status, detail) = if in_template.is_empty() && not_applicable {
                    (CheckStatus::NotApplicable, None)
                } else {
                    verdict(&in_template)
                };
                checks.push(Check {
                    rule: rule.name.clone(),
                    template: template.file.clone(),
                    resource: None,
                    resource_type: None,
                    line: 1,
                    status,
                    detail,
                });
                continue;
            }
            for res in &template.resources {
                let found: Vec<&Finding> = in_template
                    .iter()
                    .copied()
                    .filter(|f| f.resource.as_deref() == Some(res.id.as_str()))
                    .collect();
                let typed = rule.resources.contains(&res.kind);
                if !typed && found.is_empty() {
                    continue;
                }
                let (status, detail) = if !found.is_empty() {
                    verdict(&found)
                } else if res.suppressed_rules.contains(&rule.name) {
                    (
                        CheckStatus::Suppressed,
                        Some("waived by the template's Metadata.guard.SuppressedRules".to_owned()),
                    )
                } else if not_applicable {
                    (
                        CheckStatus::NotApplicable,
                        Some("the rule does not select this resource".to_owned()),
                    )
                } else {
                    (CheckStatus::Pass, None)
                };
                checks.push(Check {
                    rule: rule.name.clone(),
                    template: template.file.clone(),
                    resource: Some(res.id.clone()),
                    resource_type: Some(res.kind.clone()),
                    line: res.line,
                    status,
                    detail,
                });
            }
            // Template-level failures of a resource rule (a path outside `Resources`).
            let loose: Vec<&Finding> = in_template
                .iter()
                .copied()
                .filter(|f| {
                    f.resource
                        .as_ref()
                        .is_none_or(|r| template.resource(r).is_none())
                })
                .collect();
            if !loose.is_empty() {
                let (status, detail) = verdict(&loose);
                checks.push(Check {
                    rule: rule.name.clone(),
                    template: template.file.clone(),
                    resource: loose[0].resource.clone(),
                    resource_type: None,
                    line: loose[0].line,
                    status,
                    detail,
                });
            }
        }
    }
    checks
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
    let outcomes = engine
        .evaluate(&rules, &templates)
        .map_err(|e| PolicyError::new(&rule.file, None, format!("cannot evaluate: {e}")))?;
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

/// `reason (expires 2027-01-31)`.
pub fn reason_text(reason: &str, expires: Option<&str>) -> String {
    match expires {
        Some(d) => format!("{reason} (expires {d})"),
        None => reason.to_owned(),
    }
}

/// Today's date in UTC, `YYYY-MM-DD`, from the system clock (the CLI's default for `--today`).
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// Days since 1970-01-01 -> `YYYY-MM-DD` (H. Hinnant's `civil_from_days`).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests;
