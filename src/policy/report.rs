//! Rendering a check `Report`: text for people (grouped by control, with the fix), JSON, SARIF
//! 2.1.0 (for code scanning), JUnit XML (one test case per rule x resource) and a markdown
//! control matrix (the page an auditor reads).
//!
//! Every format shows the spec's exceptions: suppressed findings carry the reason and expiry
//! (SARIF `suppressions` with a justification), expired ones are findings again, and exceptions
//! that match nothing are warnings. Output is a pure function of the report: no clock, no
//! environment, stable order.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{Value, json};

use crate::report::sarif::{self, uri_reference};

use super::{
    CheckStatus, Finding, ProfileMatrix, Report, Severity, Warning, check_label, reason_text,
};

/// How a check report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CheckFormat {
    /// Text for people, grouped by control.
    #[default]
    Text,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML: one test case per rule and resource.
    Junit,
    /// A markdown control matrix per profile.
    Markdown,
}

/// Writes `report` in `format`. `controls` adds the control matrix to the text report.
pub fn render(
    w: &mut dyn Write,
    report: &Report,
    format: CheckFormat,
    controls: bool,
) -> io::Result<()> {
    let text = match format {
        CheckFormat::Text => text(report, controls),
        CheckFormat::Json => pretty(&json_doc(report)),
        CheckFormat::Sarif => pretty(&sarif(report)),
        CheckFormat::Junit => junit(report),
        CheckFormat::Markdown => markdown(report),
    };
    w.write_all(text.as_bytes())
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON serializes");
    s.push('\n');
    s
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn profile_names(report: &Report) -> String {
    report
        .profiles
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn location(f: &Finding) -> String {
    let mut s = match &f.spec {
        Some(o) => format!("{}:{} ({})  <- ", o.file, o.line, o.fields.join(", ")),
        None => String::new(),
    };
    write!(s, "{}:{}", f.template, f.line).unwrap();
    if let Some(r) = &f.resource {
        write!(s, "  {r}").unwrap();
        if let Some(t) = &f.resource_type {
            write!(s, " ({t})").unwrap();
        }
    }
    if let Some(p) = f.property() {
        write!(s, "  {p}").unwrap();
    }
    s
}

fn warning_line(w: &Warning) -> String {
    match &w.location {
        Some(l) => format!("warning: {}\n  --> {l}\n", w.message),
        None => format!("warning: {}\n", w.message),
    }
}

/// One line per severity with findings: `2 high, 1 medium`.
fn by_severity<'a>(findings: impl Iterator<Item = &'a Finding>) -> String {
    let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
    for f in findings {
        *counts.entry(f.severity).or_default() += 1;
    }
    counts
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn summary_line(report: &Report) -> String {
    let open: Vec<&Finding> = report.open().collect();
    let templates: std::collections::BTreeSet<&str> =
        open.iter().map(|f| f.template.as_str()).collect();
    let mut s = if open.is_empty() {
        "no findings".to_owned()
    } else {
        format!(
            "{} ({}) in {}",
            plural(open.len(), "finding"),
            by_severity(open.iter().copied()),
            plural(templates.len(), "template")
        )
    };
    let suppressed = report.suppressed().count();
    if suppressed > 0 {
        write!(s, "; {suppressed} suppressed by exceptions").unwrap();
    }
    if !report.warnings.is_empty() {
        write!(s, "; {}", plural(report.warnings.len(), "warning")).unwrap();
    }
    s
}

/// The text report: open findings grouped by profile control, each rule with its fix; then
/// suppressed findings, warnings, the optional control matrix and a summary line.
pub fn text(report: &Report, controls: bool) -> String {
    let mut s = format!(
        "byoa check: {} ({}) against {}; exceptions as of {}\n",
        plural(report.rules.len(), "rule"),
        profile_names(report),
        plural(report.templates.len(), "template"),
        report.today
    );
    for p in &report.profiles {
        for c in &p.controls {
            let failing: Vec<&str> = c
                .rules
                .iter()
                .map(String::as_str)
                .filter(|r| report.open().any(|f| f.rule == *r))
                .collect();
            if failing.is_empty() {
                continue;
            }
            write!(s, "\n{} {}  {}\n", p.name, c.id, c.title).unwrap();
            for name in failing {
                let findings: Vec<&Finding> = report.open().filter(|f| f.rule == name).collect();
                let first = findings[0];
                writeln!(
                    s,
                    "  {:<8} {}  {}",
                    first.severity.as_str(),
                    name,
                    first.title
                )
                .unwrap();
                let mut fixes: Vec<&str> = Vec::new();
                for f in &findings {
                    writeln!(s, "           {}", location(f)).unwrap();
                    writeln!(s, "             {}", f.problem()).unwrap();
                    if !fixes.contains(&f.fix.as_str()) {
                        fixes.push(&f.fix);
                    }
                }
                for fix in fixes {
                    writeln!(s, "           fix: {fix}").unwrap();
                }
            }
        }
    }
    let suppressed: Vec<&Finding> = report.suppressed().collect();
    if !suppressed.is_empty() {
        s.push_str("\nsuppressed by exceptions in the spec:\n");
        for f in suppressed {
            let e = f.exception.as_ref().expect("suppressed findings have one");
            writeln!(s, "  {}  {}", f.rule, location(f)).unwrap();
            writeln!(
                s,
                "    reason: {}",
                reason_text(&e.reason, e.expires.as_deref())
            )
            .unwrap();
        }
    }
    if !report.warnings.is_empty() {
        s.push('\n');
        for w in &report.warnings {
            s.push_str(&warning_line(w));
        }
    }
    if controls {
        s.push('\n');
        s.push_str(&text_matrix(&report.matrix()));
        if !report.design_choices.is_empty() {
            s.push_str(
                "design choices (deviations from other rule sets, stated in the templates):\n",
            );
            for c in &report.design_choices {
                writeln!(
                    s,
                    "  {} ({}): {}",
                    c.rule,
                    plural(c.resources.len(), "resource"),
                    c.reason
                )
                .unwrap();
            }
        }
    }
    writeln!(s, "\n{}", summary_line(report)).unwrap();
    s
}

fn text_matrix(matrix: &[ProfileMatrix]) -> String {
    let mut s = String::new();
    for p in matrix {
        writeln!(s, "controls of {} ({}):", p.profile, p.title).unwrap();
        let width = p.controls.iter().map(|c| c.id.len()).max().unwrap_or(0);
        for c in &p.controls {
            writeln!(
                s,
                "  {:<width$}  {:<14}  {}",
                c.id,
                c.status.as_str(),
                c.title
            )
            .unwrap();
            for r in &c.rules {
                writeln!(
                    s,
                    "  {:<width$}  {:<14}    {}: {}",
                    "",
                    "",
                    r.rule,
                    evidence_text(r)
                )
                .unwrap();
            }
        }
    }
    s
}

fn evidence_text(r: &super::RuleEvidence) -> String {
    let mut parts = Vec::new();
    if !r.failed.is_empty() {
        parts.push(format!("fail {}", r.failed.join(", ")));
    }
    if !r.suppressed.is_empty() {
        parts.push(format!(
            "suppressed {} ({})",
            r.suppressed.join(", "),
            r.reasons.join("; ")
        ));
    }
    if !r.passed.is_empty() {
        parts.push(format!("pass {}", r.passed.join(", ")));
    }
    if parts.is_empty() && !r.customer.is_empty() {
        format!("the customer's responsibility ({})", r.customer.join("; "))
    } else if parts.is_empty() {
        "not applicable (no resource it checks)".to_owned()
    } else {
        parts.join("; ")
    }
}

fn finding_json(f: &Finding) -> Value {
    let mut v = serde_json::to_value(f).expect("finding serializes");
    let o = v.as_object_mut().expect("an object");
    o.insert("property".into(), json!(f.property()));
    o.insert(
        "status".into(),
        json!(if f.is_open() { "open" } else { "suppressed" }),
    );
    if let (Some(e), Some(ex)) = (&f.exception, o.get_mut("exception"))
        && let Some(l) = &e.location
    {
        ex["spec"] = json!({"file": l.file.display().to_string(), "line": l.line});
    }
    v
}

/// The JSON document: what was checked, findings (open and suppressed), checks, exceptions,
/// warnings, the control matrix and a summary.
pub fn json_doc(report: &Report) -> Value {
    let open = report.open().count();
    let mut severities = serde_json::Map::new();
    for s in Severity::ALL {
        severities.insert(
            s.as_str().into(),
            json!(report.open().filter(|f| f.severity == s).count()),
        );
    }
    json!({
        "today": report.today,
        "profiles": report.profiles.iter().map(|p| json!({"name": p.name, "title": p.title})).collect::<Vec<_>>(),
        "templates": report.templates,
        "rules": report.rules.iter().map(|r| json!({
            "name": r.name, "title": r.title, "severity": r.severity, "resources": r.resources,
            "fix": r.fix, "file": r.file,
        })).collect::<Vec<_>>(),
        "findings": report.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "checks": report.checks,
        "exceptions": report.exceptions.iter().map(|e| json!({
            "rule": e.exception.rule,
            "resource": e.exception.resource,
            "reason": e.exception.reason,
            "expires": e.exception.expires,
            "expired": e.expired,
            "matched": e.matched,
            "spec": e.exception.location.as_ref().map(|l| json!({"file": l.file.display().to_string(), "line": l.line})),
        })).collect::<Vec<_>>(),
        "warnings": report.warnings.iter().map(|w| json!({
            "message": w.message,
            "file": w.location.as_ref().map(|l| l.file.display().to_string()),
            "line": w.location.as_ref().map(|l| l.line),
        })).collect::<Vec<_>>(),
        "controls": report.matrix(),
        "design_choices": report.design_choices,
        "summary": {
            "findings": open,
            "suppressed": report.suppressed().count(),
            "warnings": report.warnings.len(),
            "by_severity": severities,
        },
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub code scanning ranks security results by this number (0.1 to 10).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn spec_location(l: &crate::diag::Location) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri_reference(&l.file.display().to_string())},
            "region": {"startLine": l.line.max(1), "startColumn": l.column.max(1)},
        }
    })
}

/// SARIF 2.1.0: one run; rules with help text and control tags; results located at the
/// template line of the resource; spec exceptions as `suppressions` (with the spec line).
pub fn sarif(report: &Report) -> Value {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|r| {
            let mut tags = vec!["security".to_owned(), "compliance".to_owned()];
            for p in &report.profiles {
                for c in p.controls.iter().filter(|c| c.rules.contains(&r.name)) {
                    tags.push(format!("{}:{}", p.name, c.id));
                }
            }
            json!({
                "id": r.name,
                "name": r.name,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": format!("{} (applies to {})", r.title,
                    if r.resources.is_empty() { "templates".to_owned() } else { r.resources.join(", ") })},
                "help": {
                    "text": format!("Fix: {}", r.fix),
                    "markdown": format!("**Fix:** {}\n\nControls: {}", r.fix,
                        tags[2..].iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")),
                },
                "defaultConfiguration": {"level": sarif_level(r.severity)},
                "properties": {
                    "tags": tags,
                    "security-severity": security_severity(r.severity),
                    "precision": "very-high",
                    "problem.severity": sarif_level(r.severity),
                },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = report
                .rules
                .iter()
                .position(|r| r.name == f.rule)
                .unwrap_or(0);
            let mut message = f.problem();
            if let Some(r) = &f.resource {
                message = format!("{r}: {message}");
            }
            write!(message, ". Fix: {}", f.fix).unwrap();
            let mut logical = json!({"kind": "resource"});
            if let Some(r) = &f.resource {
                logical["name"] = json!(r);
                logical["fullyQualifiedName"] = json!(format!("{}/Resources/{r}", f.template));
            } else {
                logical["name"] = json!(f.template);
            }
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": sarif_level(f.severity),
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri_reference(&f.template)},
                        "region": {"startLine": f.line.max(1)},
                    },
                    "logicalLocations": [logical],
                }],
                "partialFingerprints": {
                    "byoaFinding/v1": crate::hash::sha256_hex(format!("{}|{}|{}|{}",
                        f.rule, f.template, f.resource.as_deref().unwrap_or(""),
                        f.path.as_deref().unwrap_or("")).as_bytes()),
                },
                "properties": {
                    "controls": f.controls.iter().map(|c| format!("{}:{}", c.profile, c.id)).collect::<Vec<_>>(),
                    "severity": f.severity.as_str(),
                },
            });
            if let Some(p) = &f.path {
                result["properties"]["path"] = json!(p);
            }
            if let Some(found) = &f.found {
                result["properties"]["found"] = json!(found);
            }
            if let Some(wanted) = &f.wanted {
                result["properties"]["wanted"] = json!(wanted);
            }
            // The spec line is where a reviewer edits: it leads, the template follows.
            if let Some(o) = &f.spec {
                let template = result["locations"][0].clone();
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri_reference(&o.file)},
                        "region": {"startLine": o.line.max(1), "startColumn": o.column.max(1)},
                    },
                    "message": {"text": format!("set by {}", o.fields.join(", "))},
                }]);
                let mut related = template;
                related["id"] = json!(1);
                related["message"] = json!({"text": "the generated template"});
                result["relatedLocations"] = json!([related]);
            }
            if let Some(e) = &f.exception {
                if e.expired {
                    result["properties"]["exceptionExpired"] = json!(e.expires);
                    if let Some(l) = &e.location {
                        result["relatedLocations"] = json!([{
                            "id": 1,
                            "message": {"text": "the expired exception in the spec"},
                            "physicalLocation": spec_location(l)["physicalLocation"].clone(),
                        }]);
                    }
                } else {
                    let mut suppression = json!({
                        "kind": "external",
                        "status": "accepted",
                        "justification": reason_text(&e.reason, e.expires.as_deref()),
                    });
                    if let Some(l) = &e.location {
                        suppression["location"] = spec_location(l);
                    }
                    result["suppressions"] = json!([suppression]);
                }
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = report
        .warnings
        .iter()
        .map(|w| {
            let mut n = json!({"level": "warning", "message": {"text": w.message}});
            if let Some(l) = &w.location {
                n["locations"] = json!([spec_location(l)]);
            }
            n
        })
        .collect();
    let mut log = sarif::log(rules, results);
    log["runs"][0]["invocations"] = json!([{
        "executionSuccessful": true,
        "toolExecutionNotifications": notifications,
        "properties": {"profiles": report.profiles.iter().map(|p| p.name.clone()).collect::<Vec<_>>(), "asOf": report.today},
    }]);
    log
}

/// Escapes text for XML attributes and content.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: a test suite per rule with one test case per resource it checks (failure,
/// skipped with the exception or suppression, or pass), and a suite for the spec's exceptions.
pub fn junit(report: &Report) -> String {
    let mut suites = String::new();
    let (mut total, mut total_failures, mut total_skipped) = (0, 0, 0);
    for rule in &report.rules {
        let checks: Vec<_> = report
            .checks
            .iter()
            .filter(|c| c.rule == rule.name)
            .collect();
        let failures = checks
            .iter()
            .filter(|c| c.status == CheckStatus::Fail)
            .count();
        let skipped = checks.len()
            - failures
            - checks
                .iter()
                .filter(|c| c.status == CheckStatus::Pass)
                .count();
        total += checks.len();
        total_failures += failures;
        total_skipped += skipped;
        writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
            xml(&rule.name),
            checks.len()
        )
        .unwrap();
        for c in checks {
            let name = check_label(c);
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                xml(&name),
                xml(&rule.name),
                xml(&c.template),
                c.line
            );
            match c.status {
                CheckStatus::Pass => writeln!(suites, "{open}/>").unwrap(),
                CheckStatus::Fail => {
                    let detail = c.detail.clone().unwrap_or_default();
                    writeln!(
                        suites,
                        "{open}>\n      <failure message=\"{}\" type=\"{}\">{}:{} {}\nFix: {}</failure>\n    </testcase>",
                        xml(&detail),
                        rule.severity.as_str(),
                        xml(&c.template),
                        c.line,
                        xml(&detail),
                        xml(&rule.fix)
                    )
                    .unwrap();
                }
                CheckStatus::Suppressed | CheckStatus::NotApplicable => {
                    let detail = c.detail.clone().unwrap_or_default();
                    writeln!(
                        suites,
                        "{open}>\n      <skipped message=\"{}: {}\"/>\n    </testcase>",
                        c.status.as_str(),
                        xml(&detail)
                    )
                    .unwrap();
                }
            }
        }
        suites.push_str("  </testsuite>\n");
    }
    if !report.exceptions.is_empty() {
        let unmatched = report.exceptions.iter().filter(|e| e.matched == 0).count();
        total += report.exceptions.len();
        total_skipped += unmatched;
        writeln!(
            suites,
            "  <testsuite name=\"exceptions\" tests=\"{}\" failures=\"0\" errors=\"0\" skipped=\"{unmatched}\">",
            report.exceptions.len()
        )
        .unwrap();
        for e in &report.exceptions {
            let name = e.exception.describe().replace('`', "");
            let open = format!(
                "    <testcase name=\"{}\" classname=\"exceptions\"",
                xml(&name)
            );
            let reason = reason_text(&e.exception.reason, e.exception.expires.as_deref());
            if e.matched == 0 {
                writeln!(
                    suites,
                    "{open}>\n      <skipped message=\"warning: matches no finding ({})\"/>\n    </testcase>",
                    xml(&reason)
                )
                .unwrap();
            } else {
                let what = if e.expired {
                    format!("expired: {} finding(s) open again", e.matched)
                } else {
                    format!("suppresses {} finding(s)", e.matched)
                };
                writeln!(
                    suites,
                    "{open}>\n      <system-out>{}: {}</system-out>\n    </testcase>",
                    xml(&what),
                    xml(&reason)
                )
                .unwrap();
            }
        }
        suites.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"byoa check\" tests=\"{total}\" failures=\"{total_failures}\" errors=\"0\" skipped=\"{total_skipped}\">\n{suites}</testsuites>\n"
    )
}

/// Escapes `|` and line breaks for a markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The markdown control matrix: per profile, every control with pass / fail / suppressed
/// (reason, expiry) / not applicable and the rules and resources that evidence it.
pub fn markdown(report: &Report) -> String {
    let mut s = String::from("# Compliance control matrix\n\n");
    writeln!(
        s,
        "{} checked against {} ({}) by byoa {}; exceptions as of {}. {}.\n",
        plural(report.templates.len(), "template"),
        plural(report.rules.len(), "rule"),
        profile_names(report),
        env!("CARGO_PKG_VERSION"),
        report.today,
        summary_line(report)
    )
    .unwrap();
    for p in report.matrix() {
        writeln!(s, "## {} (`{}`)\n", p.title, p.profile).unwrap();
        if let Some(src) = &p.source {
            writeln!(s, "Source: {src}\n").unwrap();
        }
        s.push_str("| Control | Title | Status | Evidence |\n| --- | --- | --- | --- |\n");
        for c in &p.controls {
            let status = match c.status {
                CheckStatus::Suppressed => {
                    let reasons: Vec<&str> = c
                        .rules
                        .iter()
                        .flat_map(|r| r.reasons.iter().map(String::as_str))
                        .collect();
                    format!("suppressed ({})", reasons.join("; "))
                }
                other => other.as_str().to_owned(),
            };
            let evidence: Vec<String> = c
                .rules
                .iter()
                .map(|r| format!("`{}`: {}", r.rule, evidence_text(r)))
                .collect();
            writeln!(
                s,
                "| {} | {} | **{}** | {} |",
                cell(&c.id),
                cell(&c.title),
                cell(&status),
                cell(&evidence.join("<br>"))
            )
            .unwrap();
        }
        s.push('\n');
    }
    if !report.design_choices.is_empty() {
        s.push_str(
            "## Design choices\n\nDeviations from other rule sets (the AWS Guard rules registry, \
             checkov, cfn-lint) that byoa makes on purpose. byoa's own rules do not ask for what \
             they deviate from; each resource states the choice in its `Metadata`, which those \
             tools honour.\n\n| Other tool's rule | Reason | Resources |\n| --- | --- | --- |\n",
        );
        for c in &report.design_choices {
            let resources: Vec<String> = c.resources.iter().map(|r| format!("`{r}`")).collect();
            writeln!(
                s,
                "| `{}` | {} | {} |",
                cell(&c.rule),
                cell(&c.reason),
                cell(&resources.join("<br>"))
            )
            .unwrap();
        }
        s.push('\n');
    }
    let open: Vec<&Finding> = report.open().collect();
    if !open.is_empty() {
        s.push_str("## Findings\n\n| Severity | Rule | Location | Problem | Fix |\n| --- | --- | --- | --- | --- |\n");
        for f in open {
            writeln!(
                s,
                "| {} | `{}` | `{}` | {} | {} |",
                f.severity.as_str(),
                f.rule,
                cell(&location(f)),
                cell(&f.problem()),
                cell(&f.fix)
            )
            .unwrap();
        }
        s.push('\n');
    }
    if !report.exceptions.is_empty() {
        s.push_str("## Exceptions\n\n| Rule | Resource | Reason | Expires | Status |\n| --- | --- | --- | --- | --- |\n");
        for e in &report.exceptions {
            let status = if e.matched == 0 {
                "matches no finding".to_owned()
            } else if e.expired {
                format!("expired: {} open again", plural(e.matched, "finding"))
            } else {
                format!("suppresses {}", plural(e.matched, "finding"))
            };
            writeln!(
                s,
                "| `{}` | {} | {} | {} | {} |",
                e.exception.rule,
                e.exception
                    .resource
                    .as_deref()
                    .map_or("all".to_owned(), |r| format!("`{r}`")),
                cell(&e.exception.reason),
                e.exception.expires.as_deref().unwrap_or("never"),
                status
            )
            .unwrap();
        }
        s.push('\n');
    }
    if !report.warnings.is_empty() {
        s.push_str("## Warnings\n\n");
        for w in &report.warnings {
            match &w.location {
                Some(l) => writeln!(s, "- {} ({l})", w.message).unwrap(),
                None => writeln!(s, "- {}", w.message).unwrap(),
            }
        }
        s.push('\n');
    }
    s
}
