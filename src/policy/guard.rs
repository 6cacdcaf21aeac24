//! The wall around `cfn_guard`: the only file in byoa that names the crate.
//!
//! Input: rule texts and template texts, already in memory. Output: `Outcome`s as plain data
//! (rule, template, resource, property path, message, status). Nothing is printed: cfn-guard's
//! output and error streams are in-memory buffers, and its JSON report is parsed here.
//!
//! How cfn-guard is driven (see `shared/FACTS.md`): `ValidateBuilder` in payload mode with
//! structured JSON output, one call for many rules and templates. Inside that call cfn-guard
//! parses every rule file once and every template once, then evaluates each rule file against
//! each template, each in a scope of its own (so outcomes do not depend on what else the call
//! holds, which lets `check` group, split and cache calls freely). `run_checks` is never used (it
//! truncates its output past 8 KiB).
//!
//! Quirks handled here: a Guard syntax error is not an `Err` but exit status 5 with the message
//! in the error buffer, naming the rule file `RULES_STDIN[i]` (1-based), which is mapped back to
//! the caller's rule; when another rule fails in the same call the status is 19 instead and the
//! broken file is merely absent from the report, so absent rules are parsed again on their own
//! to get the message; the result types are crate-private, so the JSON report is parsed with
//! serde; a resource is the second segment of a `/Resources/<LogicalId>/...` path. One failed
//! check is one outcome: a failed `or` reports every alternative, which become one outcome with
//! the rule's message, the value found and every value that would have passed.

use std::collections::BTreeSet;
use std::io::Cursor;

use cfn_guard::CommandBuilder;
use cfn_guard::ValidateBuilder;
use cfn_guard::commands::Executable;
use cfn_guard::commands::validate::{OutputFormatType, ShowSummaryType};
use cfn_guard::utils::reader::{ReadBuffer, Reader};
use cfn_guard::utils::writer::{WriteBuffer, Writer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One Guard rule file handed to the engine.
#[derive(Debug, Clone, Copy)]
pub struct RuleInput<'a> {
    /// The rule's name (`RDS_STORAGE_ENCRYPTED`): the `rule` block the file defines.
    pub name: &'a str,
    /// The Guard source.
    pub text: &'a str,
}

/// One template (YAML or JSON) handed to the engine.
#[derive(Debug, Clone, Copy)]
pub struct TemplateInput<'a> {
    /// How the caller names the template (its file); echoed back in outcomes by index.
    pub name: &'a str,
    /// The template's text.
    pub text: &'a str,
}

/// What a rule made of a template (or of one resource in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Status {
    /// The rule applied and every check held.
    Pass,
    /// A check failed (one outcome per failed check).
    Fail,
    /// The rule selected nothing in the template (or only suppressed resources).
    NotApplicable,
}

/// One result of evaluating a rule against a template (serialized for the outcome cache).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Outcome {
    /// Index into the rules given to `evaluate`.
    pub rule: usize,
    /// Index into the templates given to `evaluate`.
    pub template: usize,
    pub status: Status,
    /// Logical id of the failing resource; `None` for passes, skips and template-level checks.
    pub resource: Option<String>,
    /// JSON pointer of the failing value (`/Resources/Db/Properties/StorageEncrypted`), or of
    /// the deepest part of the path that exists when the property is missing.
    pub path: Option<String>,
    /// The rule's own `<<...>>` message for the failed clause (Guard's generic text, which
    /// prints its internal positions, never leaves this file).
    pub message: Option<String>,
    /// The value the failed check found, for people: `` `7` ``, `not set`, `set`; a value under
    /// a secret-like key is never shown.
    pub found: Option<String>,
    /// What the check wanted, for people: `` `>= 90` or not set ``.
    pub wanted: Option<String>,
}

/// Why evaluation could not produce outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// Rule files that do not parse as Guard: (index into the rules, Guard's message).
    Syntax(Vec<(usize, String)>),
    /// A template that is not YAML or JSON: (index into the templates, message).
    Template(usize, String),
    /// Anything else cfn-guard reported.
    Internal(String),
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::Syntax(errors) => {
                for (i, (rule, message)) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "rule #{rule}: {message}")?;
                }
                Ok(())
            }
            EngineError::Template(t, message) => write!(f, "template #{t}: {message}"),
            EngineError::Internal(message) => f.write_str(message),
        }
    }
}

/// A policy engine: evaluates every rule against every template and returns what it found.
/// `Guard` is the real one; tests may script another. Calls may run on several threads at once.
pub trait Engine: Sync {
    /// Evaluates `rules` against `templates`. Outcomes come back sorted by (rule, template).
    /// Every (rule, template) pair yields either one `Pass`, one `NotApplicable`, or one `Fail`
    /// per failed check.
    fn evaluate(
        &self,
        rules: &[RuleInput<'_>],
        templates: &[TemplateInput<'_>],
    ) -> Result<Vec<Outcome>, EngineError>;
}

/// cfn-guard 3.2.1, in-process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Guard;

/// cfn-guard's exit statuses.
const STATUS_ERROR: i32 = 5;

impl Engine for Guard {
    fn evaluate(
        &self,
        rules: &[RuleInput<'_>],
        templates: &[TemplateInput<'_>],
    ) -> Result<Vec<Outcome>, EngineError> {
        if rules.is_empty() || templates.is_empty() {
            return Ok(Vec::new());
        }
        let texts: Vec<&str> = templates.iter().map(|t| t.text).collect();
        let (status, writer) =
            run(rules, &texts).map_err(|e| template_error(&e, templates.len()))?;
        if status == STATUS_ERROR {
            return Err(errors_of(writer));
        }
        let json = writer
            .into_string()
            .map_err(|e| EngineError::Internal(format!("cfn-guard output: {e}")))?;
        let outcomes = parse_report(&json, rules, templates.len())?;
        // A rule file that does not parse is skipped and its error status is overwritten as
        // soon as another rule fails (status 19 wins over 5): find it by its absence from the
        // report, then parse it alone to get Guard's message.
        let broken: Vec<usize> = (0..rules.len())
            .filter(|i| !outcomes.iter().any(|o| o.rule == *i))
            .collect();
        if broken.is_empty() {
            return Ok(outcomes);
        }
        let alone: Vec<RuleInput<'_>> = broken.iter().map(|i| rules[*i]).collect();
        let (status, writer) = run(&alone, &["{}"]).map_err(EngineError::Internal)?;
        if status != STATUS_ERROR {
            let names: Vec<&str> = alone.iter().map(|r| r.name).collect();
            return Err(EngineError::Internal(format!(
                "cfn-guard reported nothing for rule(s) {}: does each file define its rule?",
                names.join(", ")
            )));
        }
        Err(match errors_of(writer) {
            EngineError::Syntax(list) => EngineError::Syntax(
                list.into_iter()
                    .map(|(i, m)| (broken.get(i).copied().unwrap_or(i), m))
                    .collect(),
            ),
            other => other,
        })
    }
}

/// One rule file that defines several rules (the in-account hook's combined file), evaluated as
/// the hook evaluates it: outcomes index `names`, the rule blocks of the file. Tests compare it
/// with evaluating each rule alone.
#[cfg(test)]
pub(crate) fn evaluate_file(
    text: &str,
    names: &[&str],
    templates: &[TemplateInput<'_>],
) -> Result<Vec<Outcome>, EngineError> {
    let texts: Vec<&str> = templates.iter().map(|t| t.text).collect();
    let file = [RuleInput { name: "", text }];
    let (status, writer) = run(&file, &texts).map_err(EngineError::Internal)?;
    if status == STATUS_ERROR {
        return Err(errors_of(writer));
    }
    let json = writer
        .into_string()
        .map_err(|e| EngineError::Internal(format!("cfn-guard output: {e}")))?;
    let rules: Vec<RuleInput<'_>> = names
        .iter()
        .map(|name| RuleInput { name, text: "" })
        .collect();
    parse_report(&json, &rules, templates.len())
}

/// One cfn-guard call: every rule against every template, structured JSON into a buffer.
fn run(rules: &[RuleInput<'_>], templates: &[&str]) -> Result<(i32, Writer), String> {
    let payload = serde_json::json!({
        "rules": rules.iter().map(|r| r.text).collect::<Vec<_>>(),
        "data": templates,
    });
    let command = ValidateBuilder::default()
        .payload(true)
        .structured(true)
        .output_format(OutputFormatType::JSON)
        .show_summary(vec![ShowSummaryType::None])
        .try_build()
        .map_err(|e| format!("cannot set up cfn-guard: {e}"))?;
    let mut reader = Reader::new(ReadBuffer::Cursor(Cursor::new(
        payload.to_string().into_bytes(),
    )));
    let mut writer = Writer::new_with_err(WriteBuffer::Vec(vec![]), WriteBuffer::Vec(vec![]))
        .map_err(|e| format!("cannot set up cfn-guard: {e}"))?;
    let status = command
        .execute(&mut writer, &mut reader)
        .map_err(|e| e.to_string())?;
    Ok((status, writer))
}

/// The syntax errors in the error buffer (which consumes the writer, as does the output).
fn errors_of(writer: Writer) -> EngineError {
    match writer.err_to_stripped() {
        Ok(text) => syntax_errors(&text),
        Err(e) => EngineError::Internal(format!("cfn-guard output: {e}")),
    }
}

/// cfn-guard names payload templates `DATA_STDIN[i]`, 1-based, in its messages.
fn template_error(message: &str, count: usize) -> EngineError {
    match stdin_index(message, "DATA_STDIN[") {
        Some(i) if i < count => EngineError::Template(i, strip_stdin_names(message)),
        _ => EngineError::Internal(format!("cfn-guard: {message}")),
    }
}

/// The 0-based index in the first `PREFIX<n>]` of `text`.
fn stdin_index(text: &str, prefix: &str) -> Option<usize> {
    let start = text.find(prefix)? + prefix.len();
    let end = text[start..].find(']')? + start;
    text[start..end]
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
}

/// Guard's message without the payload names, which mean nothing to the user.
fn strip_stdin_names(message: &str) -> String {
    let mut out = message.to_owned();
    for prefix in ["RULES_STDIN[", "DATA_STDIN["] {
        while let Some(start) = out.find(prefix) {
            let Some(end) = out[start..].find(']') else {
                break;
            };
            out.replace_range(start..start + end + 1, "");
        }
    }
    out.replace("rule file = ,", "rule file,")
}

/// Splits cfn-guard's error buffer into one message per rule file.
fn syntax_errors(text: &str) -> EngineError {
    let mut errors = Vec::new();
    for block in text.split("\n---") {
        let block = block.trim();
        if block.is_empty() {
            continue;
        }
        match stdin_index(block, "RULES_STDIN[") {
            Some(i) => {
                let message = block.split_once("Error = ").map_or(block, |(_, m)| m);
                errors.push((i, parse_message(message)));
            }
            None => return EngineError::Internal(format!("cfn-guard: {block}")),
        }
    }
    if errors.is_empty() {
        EngineError::Internal("cfn-guard failed without a message".to_owned())
    } else {
        EngineError::Syntax(errors)
    }
}

/// Guard's parser message, e.g. ``Parser Error when parsing `Parsing Error Error parsing file
/// RULES_STDIN[2] at line 2 at column 22, when handling expecting ..., fragment  ...` `` ->
/// `line 2, column 22: expecting ...`.
fn parse_message(message: &str) -> String {
    let tail = message
        .find("at line ")
        .map(|i| &message[i + "at line ".len()..]);
    let parsed = tail.and_then(|tail| {
        let (line, rest) = tail.split_once(" at column ")?;
        let (column, rest) = rest.split_once(',')?;
        let what = rest
            .trim_start()
            .trim_start_matches("when handling ")
            .trim();
        let (what, fragment) = match what.rfind(", fragment") {
            Some(i) => (&what[..i], what[i + ", fragment".len()..].trim()),
            None => (what, ""),
        };
        let fragment = fragment.trim_end_matches('`').trim();
        let mut out = format!(
            "line {}, column {}: {}",
            line.trim(),
            column.trim(),
            what.trim()
        );
        if !fragment.is_empty() {
            let first = fragment.lines().next().unwrap_or_default().trim();
            out.push_str(&format!(" (near `{first}`)"));
        }
        Some(out)
    });
    parsed.unwrap_or_else(|| strip_stdin_names(message.trim()))
}

/// One template's part of cfn-guard's structured JSON report.
#[derive(Debug, Deserialize)]
struct FileReport {
    name: String,
    #[serde(default)]
    not_compliant: Vec<Value>,
    #[serde(default)]
    not_applicable: BTreeSet<String>,
    #[serde(default)]
    compliant: BTreeSet<String>,
}

fn parse_report(
    json: &str,
    rules: &[RuleInput<'_>],
    template_count: usize,
) -> Result<Vec<Outcome>, EngineError> {
    let reports: Vec<FileReport> = serde_json::from_str(json)
        .map_err(|e| EngineError::Internal(format!("unexpected cfn-guard report: {e}")))?;
    let rule_index = |name: &str| rules.iter().position(|r| r.name == name);
    let mut outcomes = Vec::new();
    for report in reports {
        let template = stdin_index(&report.name, "DATA_STDIN[")
            .filter(|i| *i < template_count)
            .ok_or_else(|| {
                EngineError::Internal(format!("cfn-guard reported on `{}`", report.name))
            })?;
        for (names, status) in [
            (&report.compliant, Status::Pass),
            (&report.not_applicable, Status::NotApplicable),
        ] {
            for rule in names.iter().filter_map(|n| rule_index(n)) {
                outcomes.push(Outcome {
                    rule,
                    template,
                    status,
                    resource: None,
                    path: None,
                    message: None,
                    found: None,
                    wanted: None,
                });
            }
        }
        for failed in &report.not_compliant {
            let Some(rule_report) = failed.get("Rule") else {
                continue;
            };
            let Some(rule) = rule_report
                .get("name")
                .and_then(Value::as_str)
                .and_then(rule_index)
            else {
                continue;
            };
            let mut checks = Vec::new();
            collect_checks(rule_report, &mut checks);
            if checks.is_empty() {
                checks.push(Failed {
                    message: rule_message(rule_report),
                    ..Failed::default()
                });
            }
            for failed in one_per_violation(checks) {
                outcomes.push(Outcome {
                    rule,
                    template,
                    status: Status::Fail,
                    resource: failed.path.as_deref().and_then(resource_of),
                    path: failed.path,
                    message: failed.message,
                    found: failed.found,
                    wanted: failed.wanted,
                });
            }
        }
    }
    // Stable: failed checks keep the order of the rule's clauses.
    outcomes.sort_by_key(|o| (o.rule, o.template));
    outcomes.dedup();
    Ok(outcomes)
}

/// The rule-level message (`<<...>>` after the rule block), when a failure has no clause.
fn rule_message(rule_report: &Value) -> Option<String> {
    custom_message(rule_report)
}

/// The rule's own message in a report node; Guard's generic `error_message` is not one.
fn custom_message(node: &Value) -> Option<String> {
    node.pointer("/messages/custom_message")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// One violation, one failure: cfn-guard may report a clause twice for one value (a
/// comparison of two queries whose left side is missing); the first report that knows the
/// value found is kept.
fn one_per_violation(checks: Vec<Failed>) -> Vec<Failed> {
    let mut kept: Vec<Failed> = Vec::with_capacity(checks.len());
    for failed in checks {
        match kept
            .iter_mut()
            .find(|k| k.path == failed.path && k.message == failed.message)
        {
            Some(k) if k.found.is_none() => *k = failed,
            Some(_) => {}
            None => kept.push(failed),
        }
    }
    kept
}

/// One failed check, as it becomes an outcome.
#[derive(Debug, Default)]
struct Failed {
    path: Option<String>,
    message: Option<String>,
    found: Option<String>,
    wanted: Option<String>,
}

/// Walks a failed rule's `checks` tree (nested rules hold more checks) and collects one
/// `Failed` per failed clause, and one per failed disjunction (not one per alternative).
fn collect_checks(node: &Value, out: &mut Vec<Failed>) {
    let Some(checks) = node.get("checks").and_then(Value::as_array) else {
        return;
    };
    for check in checks {
        let Some((kind, body)) = check.as_object().and_then(|o| o.iter().next()) else {
            continue;
        };
        match kind.as_str() {
            "Clause" => match Clause::of(body) {
                Some(clause) => out.push(clause.failed(&[])),
                // A clause without a comparison (its context did not resolve) still failed.
                None => {
                    let inner = body.as_object().and_then(|o| o.values().next());
                    out.push(Failed {
                        path: inner.and_then(clause_path),
                        message: inner.and_then(custom_message),
                        ..Failed::default()
                    });
                }
            },
            "Rule" => collect_checks(body, out),
            "Disjunctions" => {
                let mut alternatives = Vec::new();
                alternatives_of(body, &mut alternatives);
                match alternatives.iter().position(|c| c.message.is_some()) {
                    // The alternative that carries the rule's message leads: the others are
                    // the ways out (`not exists or ...`).
                    Some(lead) => {
                        let clause = alternatives.remove(lead);
                        out.push(clause.failed(&alternatives));
                    }
                    None if !alternatives.is_empty() => {
                        let clause = alternatives.remove(0);
                        out.push(clause.failed(&alternatives));
                    }
                    None => collect_checks(body, out),
                }
            }
            _ => {}
        }
    }
}

/// The clauses of a failed disjunction, nested disjunctions flattened.
fn alternatives_of<'a>(node: &'a Value, out: &mut Vec<Clause<'a>>) {
    for check in node
        .get("checks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match check.as_object().and_then(|o| o.iter().next()) {
            Some((kind, body)) if kind == "Clause" => out.extend(Clause::of(body)),
            Some((kind, body)) if kind == "Disjunctions" => alternatives_of(body, out),
            _ => {}
        }
    }
}

/// A failed clause of cfn-guard's report, read: `{"Unary"|"Binary": {check, context,
/// messages}}` where `check` is `Resolved`, `UnResolved` (the value is missing) or
/// `InResolved`, each with `comparison: [operator, negated]`.
struct Clause<'a> {
    path: Option<String>,
    message: Option<String>,
    /// What the clause queried (`Properties.RetentionInDays`), from its context.
    subject: &'a str,
    operator: &'a str,
    negated: bool,
    /// The value found; `None` when the queried value is missing.
    value: Option<&'a Value>,
    /// The value compared with, when the clause has one.
    against: Option<Value>,
    /// The template query compared with (`ToPort == FromPort`), when it is one: its value
    /// alone would read as a literal.
    against_query: Option<&'a str>,
    /// cfn-guard reports a comparison of two queries (`ToPort == FromPort`) with the right
    /// side's value on both sides: the value found is then unknown.
    self_compared: bool,
}

impl<'a> Clause<'a> {
    fn of(body: &'a Value) -> Option<Clause<'a>> {
        let (_, clause) = body.as_object()?.iter().next()?;
        let check = clause.get("check")?;
        let (state, detail) = check.as_object()?.iter().next()?;
        let comparison = detail.get("comparison")?;
        let operator = comparison.get(0)?.as_str()?;
        let negated = comparison.get(1)?.as_bool()?;
        let context = clause.get("context").and_then(Value::as_str).unwrap_or("");
        let (subject, rhs) = split_context(context, operator, negated);
        let value = match state.as_str() {
            "Resolved" => detail
                .pointer("/from/value")
                .or_else(|| detail.pointer("/value/value")),
            "InResolved" => detail.pointer("/from/value"),
            _ => None,
        };
        let against = match state.as_str() {
            "Resolved" => detail.pointer("/to/value").cloned(),
            "InResolved" => detail.get("to").and_then(Value::as_array).map(|to| {
                let values: Vec<Value> =
                    to.iter().filter_map(|t| t.get("value").cloned()).collect();
                match <[Value; 1]>::try_from(values) {
                    Ok([one]) => one,
                    Err(many) => Value::Array(many),
                }
            }),
            _ => None,
        }
        .or_else(|| serde_json::from_str(rhs).ok());
        // Guard prints literals as JSON (`"DISABLED"`, `90`) and variables as `%name`: what
        // else is on the right is a query into the template.
        let against_query = (!rhs.is_empty()
            && !rhs.starts_with(['%', '"'])
            && serde_json::from_str::<Value>(rhs).is_err())
        .then_some(rhs);
        let from_path = detail.pointer("/from/path");
        let self_compared = from_path.is_some()
            && (detail.pointer("/to/path") == from_path
                || detail
                    .get("to")
                    .and_then(Value::as_array)
                    .is_some_and(|to| to.iter().any(|t| t.get("path") == from_path)));
        let mut path = clause_path(clause);
        if self_compared {
            // The reported path is the right side's: the left side is its sibling.
            path = path.map(|p| match p.rsplit_once('/') {
                Some((parent, _)) => format!("{parent}/{}", escape(last_segment(subject))),
                None => p,
            });
        }
        Some(Clause {
            path,
            message: custom_message(clause),
            subject,
            operator,
            negated,
            value,
            against,
            against_query,
            self_compared,
        })
    }

    /// This clause as one failure, with `others` (the other alternatives of its disjunction)
    /// among what would have passed.
    fn failed(self, others: &[Clause<'_>]) -> Failed {
        // A clause on the resource's `Type` or on its logical id is how a rule fails a
        // resource for something missing elsewhere (no flow log for a VPC): its values say
        // nothing about the fix.
        let on_resource = self.path.as_deref().is_some_and(|p| {
            let depth = p.split('/').count();
            depth == 3 || (depth == 4 && p.ends_with("/Type"))
        });
        if on_resource {
            return Failed {
                path: self.path,
                message: self.message,
                ..Failed::default()
            };
        }
        let named = others.iter().any(|c| c.subject != self.subject);
        let mut wanted: Vec<String> = Vec::new();
        for c in std::iter::once(&self).chain(others) {
            let mut w = c.wanted();
            if named {
                w = format!("`{}` {w}", last_segment(c.subject));
            }
            if !wanted.contains(&w) {
                wanted.push(w);
            }
        }
        Failed {
            found: (!self.self_compared).then(|| self.found()),
            wanted: Some(wanted.join(" or ")),
            path: self.path,
            message: self.message,
        }
    }

    fn found(&self) -> String {
        let secret = self.path.as_deref().is_some_and(is_secret_path)
            || self.value.is_some_and(holds_secret);
        match self.value {
            None => "not set".to_owned(),
            // A clause that wants the property gone says only that it is there.
            Some(_) if self.operator == "Exists" => "set".to_owned(),
            Some(_) if secret => "a value (not shown: the property holds a secret)".to_owned(),
            Some(v) => format!("`{}`", show(v)),
        }
    }

    fn wanted(&self) -> String {
        let not = if self.negated { "not " } else { "" };
        let against = self.against.as_ref();
        let regex = against
            .and_then(Value::as_str)
            .filter(|s| s.len() > 1 && s.starts_with('/') && s.ends_with('/'));
        if let Some(query) = self.against_query {
            let known = match against {
                Some(v) if !self.self_compared => format!(" (`{}`)", show(v)),
                _ => String::new(),
            };
            return match (self.operator, sign(self.operator)) {
                (_, Some(sign)) => format!("{not}`{sign} {query}`{known}"),
                ("In", _) => format!("{not}one of `{query}`{known}"),
                _ => format!("{not}the same as `{query}`{known}"),
            };
        }
        match (self.operator, against) {
            ("Exists", _) => format!("{not}set"),
            ("Empty", _) => format!("{not}empty"),
            ("Eq", _) if regex.is_some() => {
                format!("{not}matching `{}`", regex.unwrap_or_default())
            }
            ("Eq", Some(v)) => format!("{not}`{}`", show(v)),
            ("In", Some(v)) => {
                let which = if self.negated { "none of" } else { "one of" };
                format!("{which} `{}`", show(v))
            }
            (op, Some(v)) if sign(op).is_some() => {
                format!("{not}`{} {}`", sign(op).unwrap_or_default(), show(v))
            }
            (kind, _) => match kind.strip_prefix("Is") {
                Some(kind) => format!("{not}of type {}", kind.to_lowercase()),
                None => format!("{not}{}", kind.to_lowercase()),
            },
        }
    }
}

/// `>=` for `Ge`, and so on; `None` for operators that are not an order.
fn sign(operator: &str) -> Option<&'static str> {
    match operator {
        "Gt" => Some(">"),
        "Ge" => Some(">="),
        "Lt" => Some("<"),
        "Le" => Some("<="),
        _ => None,
    }
}

/// A clause's context, ` Properties.RetentionInDays not GREATER THAN EQUALS  90`, split into
/// what it queried and what it compared with (empty for unary operators).
fn split_context<'c>(context: &'c str, operator: &str, negated: bool) -> (&'c str, &'c str) {
    let word = match operator {
        "Eq" => "EQUALS",
        "In" => "IN",
        "Gt" => "GREATER THAN",
        "Lt" => "LESS THAN",
        "Ge" => "GREATER THAN EQUALS",
        "Le" => "LESS THAN EQUALS",
        "Exists" => "EXISTS",
        "Empty" => "EMPTY",
        "IsString" => "IS STRING",
        "IsBool" => "IS BOOL",
        "IsInt" => "IS INT",
        "IsList" => "IS LIST",
        "IsMap" => "IS MAP",
        "IsNull" => "IS NULL",
        _ => "IS FLOAT",
    };
    let context = context.trim();
    let marker = format!(" {}{word}", if negated { "not " } else { "" });
    // The operator word ends the context or is followed by a space (`IN` is not `INT`).
    let at = context.match_indices(&marker).map(|(i, _)| i).find(|&i| {
        let rest = &context[i + marker.len()..];
        rest.is_empty() || rest.starts_with(' ')
    });
    match at {
        Some(i) => (context[..i].trim(), context[i + marker.len()..].trim()),
        None => (context, ""),
    }
}

/// `Condition.*.aws:SourceAccount` -> `aws:SourceAccount`; a filter's or a wildcard's part is
/// skipped (`Rules. (filter-clauses)` -> `Rules`).
fn last_segment(query: &str) -> &str {
    query
        .rsplit('.')
        .map(str::trim)
        .find(|s| !s.is_empty() && *s != "*" && !s.starts_with('('))
        .unwrap_or(query)
}

/// A value for people: a string as it is, anything else as compact JSON, cut short past 60
/// characters.
fn show(v: &Value) -> String {
    const MAX: usize = 60;
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() <= MAX {
        return text;
    }
    let mut cut: String = text.chars().take(MAX - 1).collect();
    cut.push('…');
    cut
}

/// A property whose name says it holds a secret: its value never reaches a report.
fn is_secret_path(path: &str) -> bool {
    is_secret_key(path.rsplit('/').next().unwrap_or(path))
}

/// A map or list with a secret-like key anywhere inside (a found value shown whole).
fn holds_secret(v: &Value) -> bool {
    match v {
        Value::Object(map) => map.iter().any(|(k, v)| is_secret_key(k) || holds_secret(v)),
        Value::Array(items) => items.iter().any(holds_secret),
        _ => false,
    }
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "password",
        "passphrase",
        "secret",
        "token",
        "privatekey",
        "apikey",
        "accesskey",
        "credential",
    ]
    .iter()
    .any(|word| key.contains(word))
}

/// The path of the value a clause looked at: `check.Resolved.from.path` when the value exists;
/// when it does not, the deepest node that exists (`UnResolved.value.traversed_to.path`) joined
/// with what was still to be looked up (`remaining_query`), which is the missing property.
fn clause_path(clause: &Value) -> Option<String> {
    let check = clause.get("check")?;
    let from = check
        .pointer("/Resolved/from")
        .or_else(|| check.pointer("/Resolved/value"))
        .or_else(|| check.pointer("/InResolved/from"));
    if let Some(path) = from.and_then(|f| f.get("path")).and_then(Value::as_str) {
        // A logical id captured as a key (`Resources[ id | ... ]`, then `%id { this in ... }`)
        // is reported at `/Resources` with the id as its value: the resource is the id.
        return match from.and_then(|f| f.get("value")).and_then(Value::as_str) {
            Some(id) if path == "/Resources" => Some(format!("/Resources/{}", escape(id))),
            _ => Some(path.to_owned()),
        };
    }
    let unresolved = check.pointer("/UnResolved/value")?;
    let base = unresolved.pointer("/traversed_to/path")?.as_str()?;
    let mut path = base.to_owned();
    if let Some(rest) = unresolved.get("remaining_query").and_then(Value::as_str) {
        for segment in rest.split('.') {
            let segment = segment.split('[').next().unwrap_or_default().trim();
            if segment.is_empty() || segment == "*" || segment.starts_with('%') {
                break;
            }
            path.push('/');
            path.push_str(&escape(segment));
        }
    }
    Some(path)
}

/// A JSON pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `/Resources/<LogicalId>/...` -> `<LogicalId>`.
fn resource_of(path: &str) -> Option<String> {
    let mut segments = path.split('/').skip(1);
    match (segments.next(), segments.next()) {
        (Some("Resources"), Some(id)) if !id.is_empty() => {
            Some(id.replace("~1", "/").replace("~0", "~"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROTATION: &str = "let keys = Resources.*[ Type == 'AWS::KMS::Key' ]\n\
        rule KEY_ROTATES when %keys !empty {\n  %keys.Properties.EnableKeyRotation == true\n  \
        <<\n    Violation: no rotation\n    Fix: rotate\n  >>\n}\n";

    fn eval(rules: &[(&str, &str)], templates: &[&str]) -> Result<Vec<Outcome>, EngineError> {
        let rules: Vec<_> = rules
            .iter()
            .map(|(name, text)| RuleInput { name, text })
            .collect();
        let templates: Vec<_> = templates
            .iter()
            .enumerate()
            .map(|(i, text)| TemplateInput {
                name: if i == 0 { "a.yaml" } else { "b.yaml" },
                text,
            })
            .collect();
        Guard.evaluate(&rules, &templates)
    }

    #[test]
    fn a_failed_clause_names_resource_path_and_custom_message() {
        let template = "Resources:\n  Good:\n    Type: AWS::KMS::Key\n    Properties:\n      \
            EnableKeyRotation: true\n  Bad:\n    Type: AWS::KMS::Key\n    Properties:\n      \
            EnableKeyRotation: false\n  Missing:\n    Type: AWS::KMS::Key\n";
        let outcomes = eval(&[("KEY_ROTATES", ROTATION)], &[template]).unwrap();
        let mut fails: Vec<_> = outcomes
            .iter()
            .filter(|o| o.status == Status::Fail)
            .map(|o| (o.resource.as_deref(), o.path.as_deref()))
            .collect();
        fails.sort();
        assert_eq!(
            fails,
            [
                (
                    Some("Bad"),
                    Some("/Resources/Bad/Properties/EnableKeyRotation")
                ),
                (
                    Some("Missing"),
                    Some("/Resources/Missing/Properties/EnableKeyRotation")
                ),
            ]
        );
        let message = outcomes[0].message.as_deref().unwrap();
        assert!(message.contains("Violation: no rotation"), "{message}");
    }

    #[test]
    fn a_failed_or_is_one_outcome_with_every_way_to_pass() {
        let rule = "let groups = Resources.*[ Type == 'AWS::Logs::LogGroup' ]\n\
            rule KEPT when %groups !empty {\n  %groups {\n    \
            Properties.RetentionInDays not exists or\n    Properties.RetentionInDays >= 90\n    \
            <<\n      Violation: kept too briefly\n    >>\n  }\n}\n";
        let template = "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      \
            RetentionInDays: 7\n";
        let outcomes = eval(&[("KEPT", rule)], &[template]).unwrap();
        assert_eq!(outcomes.len(), 1, "{outcomes:#?}");
        let o = &outcomes[0];
        assert_eq!(
            o.path.as_deref(),
            Some("/Resources/Logs/Properties/RetentionInDays")
        );
        assert_eq!(o.message.as_deref(), Some("Violation: kept too briefly"));
        assert_eq!(o.found.as_deref(), Some("`7`"));
        assert_eq!(o.wanted.as_deref(), Some("`>= 90` or not set"));
    }

    #[test]
    fn found_never_shows_a_secret_and_a_clause_without_message_has_none() {
        let rule = "let dbs = Resources.*[ Type == 'AWS::RDS::DBInstance' ]\n\
            rule NO_LITERAL when %dbs !empty {\n  %dbs {\n    \
            Properties.MasterUserPassword == /^\\{\\{resolve:/\n    \
            Properties.Port in [5432, 5433]\n    Properties.Login empty\n  }\n}\n";
        let template = "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      \
            MasterUserPassword: hunter2hunter2\n      Port: 3306\n      \
            Login: {User: admin, Password: s3cr3t}\n";
        let outcomes = eval(&[("NO_LITERAL", rule)], &[template]).unwrap();
        let got: Vec<_> = outcomes
            .iter()
            .map(|o| {
                (
                    o.message.as_deref(),
                    o.found.as_deref(),
                    o.wanted.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    None,
                    Some("a value (not shown: the property holds a secret)"),
                    Some("matching `/^\\{\\{resolve:/`")
                ),
                (None, Some("`3306`"), Some("one of `[5432,5433]`")),
                (
                    None,
                    Some("a value (not shown: the property holds a secret)"),
                    Some("empty")
                ),
            ]
        );
        let shown = format!("{outcomes:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    #[test]
    fn a_failure_on_a_captured_logical_id_names_that_resource() {
        let rule = "let vpcs = Resources[ vpc_key | Type == 'AWS::EC2::VPC' ]\n\
            let logged = Resources.*[ Type == 'AWS::EC2::FlowLog' ].Properties.ResourceId.Ref\n\
            rule LOGGED when %vpcs !empty {\n  %vpc_key {\n    this in %logged\n    \
            <<\n      Violation: no flow log\n    >>\n  }\n}\n";
        let template = "Resources:\n  VpcA: {Type: AWS::EC2::VPC}\n  VpcB: {Type: AWS::EC2::VPC}\n  \
            VpcC: {Type: AWS::EC2::VPC}\n  \
            LogA: {Type: AWS::EC2::FlowLog, Properties: {ResourceId: {Ref: VpcA}}}\n  \
            LogC: {Type: AWS::EC2::FlowLog, Properties: {ResourceId: {Ref: VpcC}}}\n";
        let outcomes = eval(&[("LOGGED", rule)], &[template]).unwrap();
        let got: Vec<_> = outcomes
            .iter()
            .map(|o| (o.status, o.resource.as_deref(), o.path.as_deref()))
            .collect();
        assert_eq!(got, [(Status::Fail, Some("VpcB"), Some("/Resources/VpcB"))]);
        // The id and the list it is missing from say nothing about the fix.
        assert_eq!((&outcomes[0].found, &outcomes[0].wanted), (&None, &None));
    }

    #[test]
    fn a_comparison_with_another_property_names_it_instead_of_a_value() {
        let rule = "let sgs = Resources.*[ Type == 'AWS::EC2::SecurityGroup' ]\n\
            rule ONE_PORT when %sgs !empty {\n  %sgs.Properties.SecurityGroupIngress[*] {\n    \
            ToPort == FromPort\n  }\n}\n";
        let template = "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      \
            SecurityGroupIngress:\n        - {FromPort: 80, ToPort: 443}\n        - {FromPort: 80}\n";
        let outcomes = eval(&[("ONE_PORT", rule)], &[template]).unwrap();
        let got: Vec<_> = outcomes
            .iter()
            .map(|o| (o.path.as_deref(), o.found.as_deref(), o.wanted.as_deref()))
            .collect();
        // cfn-guard reports the first on FromPort with FromPort's value on both sides: the
        // property is ToPort, its value unknown. It reports the second twice: once here.
        let port = "/Resources/Sg/Properties/SecurityGroupIngress";
        assert_eq!(
            got,
            [
                (
                    Some(format!("{port}/0/ToPort").as_str()),
                    None,
                    Some("the same as `FromPort`")
                ),
                (
                    Some(format!("{port}/1/ToPort").as_str()),
                    Some("not set"),
                    Some("the same as `FromPort`")
                ),
            ]
        );
    }

    #[test]
    fn passes_and_skips_come_back_per_template() {
        let pass = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties: {EnableKeyRotation: true}\n";
        let none = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n";
        let outcomes = eval(&[("KEY_ROTATES", ROTATION)], &[pass, none]).unwrap();
        let got: Vec<_> = outcomes.iter().map(|o| (o.template, o.status)).collect();
        assert_eq!(got, [(0, Status::Pass), (1, Status::NotApplicable)]);
    }

    #[test]
    fn a_syntax_error_names_the_rule_file() {
        let broken = "rule BROKEN {\n  Resources.*.Type == \n";
        let err = eval(
            &[("KEY_ROTATES", ROTATION), ("BROKEN", broken)],
            &["Resources: {}\n"],
        )
        .unwrap_err();
        match err {
            EngineError::Syntax(errors) => {
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].0, 1);
                assert!(
                    errors[0].1.starts_with("line 2, column 22: "),
                    "{}",
                    errors[0].1
                );
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn a_syntax_error_is_found_even_when_another_rule_fails() {
        let broken = "rule BROKEN {\n  Resources.*.Type == \n";
        let failing = "Resources:\n  K:\n    Type: AWS::KMS::Key\n";
        let err = eval(
            &[("BROKEN", broken), ("KEY_ROTATES", ROTATION)],
            &[failing, "Resources: {}\n"],
        )
        .unwrap_err();
        match err {
            EngineError::Syntax(errors) => {
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].0, 0);
                assert!(
                    errors[0].1.starts_with("line 2, column "),
                    "{}",
                    errors[0].1
                );
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn a_broken_template_is_an_error() {
        let err = eval(&[("KEY_ROTATES", ROTATION)], &["Resources: [\n"]).unwrap_err();
        assert!(matches!(err, EngineError::Template(0, _)), "{err:?}");
    }

    #[test]
    fn an_alternative_is_named_by_its_last_plain_segment() {
        assert_eq!(
            last_segment("Condition.*.aws:SourceAccount"),
            "aws:SourceAccount"
        );
        assert_eq!(
            last_segment("Properties.LifecycleConfiguration.Rules. (filter-clauses)"),
            "Rules"
        );
        assert_eq!(last_segment("Properties.Tags.*"), "Tags");
    }

    #[test]
    fn resource_is_the_second_path_segment() {
        assert_eq!(resource_of("/Resources/Db/Properties"), Some("Db".into()));
        assert_eq!(resource_of("/Resources/Db"), Some("Db".into()));
        assert_eq!(resource_of("/Rules/RegionAllowed"), None);
        assert_eq!(resource_of(""), None);
    }
}
