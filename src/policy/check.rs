//! Evaluation: the selected rules x the templates -> a `Report`.
//!
//! Input: the selection (profiles and their rules), parsed templates, the spec's exceptions
//! and the date to judge them on (and, from the command layer, the outcomes of earlier runs).
//! Output: the report. Evaluation goes through the `guard::Engine` trait, sparing it the
//! rule/template pairs that cannot fail or that the cache holds, grouping templates that need
//! the same rules into calls run on every core (see `evaluate`). Output never depends on the
//! clock except through the date the caller passes, nor on the cache.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use super::PolicyError;
use super::cache::Cache;
use super::exception::{Exception, apply_exceptions, reason_text};
use super::guard::{self, Engine, Outcome, RuleInput, Status, TemplateInput};
use super::rule::Rule;
use super::set::Selection;
use super::template::Template;
use super::verdict::{Check, CheckStatus, ControlRef, DesignChoice, Finding, Report};
use super::view;
use crate::diag::Code;

/// What a check run needs besides the engine.
#[derive(Debug, Clone)]
pub struct CheckInput<'a> {
    pub selection: Selection<'a>,
    pub templates: Vec<Template>,
    pub exceptions: Vec<Exception>,
    /// `YYYY-MM-DD`: exceptions expiring before this date no longer apply.
    pub today: String,
}

/// Evaluates the selected rules against the templates and builds the report.
pub fn check(engine: &dyn Engine, input: CheckInput<'_>) -> Result<Report, Vec<PolicyError>> {
    check_cached(engine, input, &mut Cache::default())
}

/// `check`, taking the outcomes of pairs `cache` holds from it instead of the engine, and
/// adding the pairs it evaluates.
pub fn check_cached(
    engine: &dyn Engine,
    input: CheckInput<'_>,
    cache: &mut Cache,
) -> Result<Report, Vec<PolicyError>> {
    let CheckInput {
        selection,
        templates,
        exceptions,
        today,
    } = input;
    let started = Instant::now();
    let (outcomes, engine_calls) = evaluate(engine, &selection.rules, &templates, cache)
        .map_err(|e| engine_errors(e, &selection.rules, &templates))?;
    let engine_time = started.elapsed();

    let mut findings = to_findings(&selection, &templates, &outcomes);
    let (exception_outcomes, warnings) =
        apply_exceptions(&mut findings, &exceptions, &today, &selection, &templates);
    let checks = to_checks(&selection, &templates, &outcomes, &findings);
    let design_choices = design_choices(&selection, &templates);
    Ok(Report {
        today,
        profiles: selection.profiles.iter().map(|p| (*p).clone()).collect(),
        rules: selection.rules.iter().map(|r| (*r).clone()).collect(),
        templates: templates.iter().map(|t| t.file.clone()).collect(),
        findings,
        checks,
        exceptions: exception_outcomes,
        warnings,
        design_choices,
        engine_time,
        engine_calls,
    })
}

/// The deviations the templates state that no rule byoa knows (embedded or the user's) is
/// about, one entry per rule and reason with every resource stating it, in template order.
fn design_choices(selection: &Selection<'_>, templates: &[Template]) -> Vec<DesignChoice> {
    let ours = |rule: &str| {
        super::catalogue().rules().any(|r| r == rule)
            || selection.rules.iter().any(|r| r.name == rule)
    };
    let mut out: Vec<DesignChoice> = Vec::new();
    for t in templates {
        for r in &t.resources {
            for (rule, reason) in r.stated_exceptions.iter().filter(|(rule, _)| !ours(rule)) {
                let at = format!("{}: {}", t.file, r.id);
                match out
                    .iter_mut()
                    .find(|c| &c.rule == rule && &c.reason == reason)
                {
                    Some(c) => c.resources.push(at),
                    None => out.push(DesignChoice {
                        rule: rule.clone(),
                        reason: reason.clone(),
                        resources: vec![at],
                    }),
                }
            }
        }
    }
    out
}

/// Evaluates `rules` over `templates`, sparing the engine the pairs that cannot fail and those
/// `cache` holds. A rule whose `# Resources:` types are all absent from a template selects
/// nothing there (cfn-guard would say not applicable after loading the template once per rule,
/// which dominated the run time). Each other rule is handed a view of the template with only the
/// resources it can read (`view`), since cfn-guard's cost grows with what it is handed. Rules
/// applicable nowhere still run once against a view of the first template, so a syntax error in
/// any rule is reported. Views that need the same rules share engine calls (fifty service
/// stacks are one group), each group cut in as many calls as there are threads, and the calls
/// run on the machine's cores. Returns the outcomes and the number of calls.
pub(super) fn evaluate(
    engine: &dyn Engine,
    rules: &[&Rule],
    templates: &[Template],
    cache: &mut Cache,
) -> Result<(Vec<Outcome>, usize), guard::EngineError> {
    let applies = |r: &Rule, t: &Template| {
        r.resources.is_empty()
            || t.resources
                .iter()
                .any(|res| r.resources.contains(&res.kind))
    };
    let reads: Vec<_> = rules.iter().map(|r| view::types_read(r)).collect();
    // (template, the resources it shows or all of them) per view; (rule, view) per pair.
    let mut views: Vec<(usize, Option<Vec<usize>>)> = Vec::new();
    let mut view_ids: BTreeMap<(usize, Option<Vec<usize>>), usize> = BTreeMap::new();
    let mut view_of = |ti: usize, ri: usize| {
        let chosen = view::select(&templates[ti], reads[ri].as_ref());
        *view_ids.entry((ti, chosen.clone())).or_insert_with(|| {
            views.push((ti, chosen));
            views.len() - 1
        })
    };
    let mut wanted: Vec<(usize, usize)> = Vec::new();
    for (ti, t) in templates.iter().enumerate() {
        for ri in (0..rules.len()).filter(|&ri| applies(rules[ri], t)) {
            wanted.push((ri, view_of(ti, ri)));
        }
    }
    let used: BTreeSet<usize> = wanted.iter().map(|(ri, _)| *ri).collect();
    if !templates.is_empty() {
        for ri in (0..rules.len()).filter(|ri| !used.contains(ri)) {
            wanted.push((ri, view_of(0, ri)));
        }
    }
    let template_of = |vi: usize| views[vi].0;
    let rule_hashes: Vec<String> = rules
        .iter()
        .map(|r| Cache::rule_hash(&r.name, &r.text))
        .collect();
    // A whole template is known by its text's hash, a view by its parts' (no view is written
    // unless the engine needs it).
    let mut digests: BTreeMap<usize, view::Digest> = BTreeMap::new();
    let view_hashes: Vec<String> = views
        .iter()
        .map(|(ti, chosen)| match chosen {
            None => Cache::template_hash(&templates[*ti].text),
            Some(chosen) => digests
                .entry(*ti)
                .or_insert_with(|| view::Digest::of(&templates[*ti]))
                .view(&templates[*ti], chosen),
        })
        .collect();
    let key = |ri: usize, vi: usize| Cache::key(&rule_hashes[ri], &view_hashes[vi]);
    let mut outcomes = Vec::new();
    let mut missing: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &(ri, vi) in &wanted {
        match cache.get(&key(ri, vi)) {
            Some(known) => outcomes.extend(known.iter().map(|o| Outcome {
                rule: ri,
                template: template_of(vi),
                ..o.clone()
            })),
            None => missing.entry(vi).or_default().push(ri),
        }
    }
    let texts: BTreeMap<usize, String> = missing
        .keys()
        .filter_map(|&vi| {
            let (ti, chosen) = &views[vi];
            Some((vi, view::text(&templates[*ti], chosen.as_ref()?)))
        })
        .collect();
    let inputs: BTreeMap<usize, TemplateInput<'_>> = missing
        .keys()
        .map(|&vi| {
            let t = &templates[template_of(vi)];
            let text = texts.get(&vi).map_or(t.text.as_str(), String::as_str);
            (
                vi,
                TemplateInput {
                    name: &t.file,
                    text,
                },
            )
        })
        .collect();
    let mut groups: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    for (vi, rule_ids) in missing {
        groups.entry(rule_ids).or_default().push(vi);
    }
    let threads = crate::parallel::cores(4);
    let calls: Vec<(&[usize], &[usize])> = groups
        .iter()
        .flat_map(|(rule_ids, view_ids)| {
            let chunk = view_ids.len().div_ceil(threads).max(1);
            view_ids
                .chunks(chunk)
                .map(move |part| (rule_ids.as_slice(), part))
        })
        .collect();
    for (call, result) in calls
        .iter()
        .zip(run_calls(engine, rules, &inputs, &calls, threads))
    {
        let (rule_ids, view_ids) = *call;
        let fresh = result.map_err(|e| match e {
            guard::EngineError::Template(vi, m) => guard::EngineError::Template(template_of(vi), m),
            other => other,
        })?;
        for &vi in view_ids {
            for &ri in rule_ids {
                let pair: Vec<Outcome> = fresh
                    .iter()
                    .filter(|o| (o.rule, o.template) == (ri, vi))
                    .cloned()
                    .collect();
                cache.insert(key(ri, vi), pair);
            }
        }
        outcomes.extend(fresh.into_iter().map(|o| Outcome {
            template: template_of(o.template),
            ..o
        }));
    }
    let evaluated: BTreeSet<(usize, usize)> =
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
                    found: None,
                    wanted: None,
                });
            }
        }
    }
    // Pair by pair; within a pair the engine's order (the order of the rule's clauses) stays.
    outcomes.sort_by_key(|o| (o.rule, o.template));
    Ok((outcomes, calls.len()))
}

/// Runs each call (rule ids, view ids) on up to `threads` threads; the results in call order,
/// with the engine's indices mapped back to the caller's.
fn run_calls(
    engine: &dyn Engine,
    rules: &[&Rule],
    views: &BTreeMap<usize, TemplateInput<'_>>,
    calls: &[(&[usize], &[usize])],
    threads: usize,
) -> Vec<Result<Vec<Outcome>, guard::EngineError>> {
    let one = |(rule_ids, view_ids): (&[usize], &[usize])| {
        let ri: Vec<RuleInput<'_>> = rule_ids.iter().map(|&i| rules[i].input()).collect();
        let vi: Vec<TemplateInput<'_>> = view_ids.iter().map(|&i| views[&i]).collect();
        let result = engine.evaluate(&ri, &vi).map_err(|e| match e {
            guard::EngineError::Syntax(errors) => guard::EngineError::Syntax(
                errors.into_iter().map(|(r, m)| (rule_ids[r], m)).collect(),
            ),
            guard::EngineError::Template(t, m) => guard::EngineError::Template(view_ids[t], m),
            other => other,
        })?;
        Ok(result
            .into_iter()
            .map(|mut o| {
                o.rule = rule_ids[o.rule];
                o.template = view_ids[o.template];
                o
            })
            .collect())
    };
    crate::parallel::map(calls.to_vec(), threads, one)
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
                    Code::PolicyRuleSyntax,
                    rules.get(i).map_or("<rule>", |r| r.file.as_str()),
                    line,
                    format!("Guard syntax error: {message}"),
                )
            })
            .collect(),
        guard::EngineError::Template(i, message) => vec![PolicyError::new(
            Code::PolicyTemplate,
            templates.get(i).map_or("<template>", |t| t.file.as_str()),
            None,
            format!("cfn-guard cannot read the template: {message}"),
        )],
        guard::EngineError::Internal(message) => {
            vec![PolicyError::new(
                Code::PolicyEngine,
                "cfn-guard",
                None,
                message,
            )]
        }
    }
}

/// Splits a Guard message `Violation: ... Fix: ...` into its two parts.
pub(super) fn split_message(message: &str) -> (String, Option<String>) {
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
            found: o.found.clone(),
            wanted: o.wanted.clone(),
            fix: fix.unwrap_or_else(|| rule.fix.clone()),
            controls: controls_of(selection, &rule.name),
            exception: None,
            spec: None,
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

fn to_checks(
    selection: &Selection<'_>,
    templates: &[Template],
    outcomes: &[Outcome],
    findings: &[Finding],
) -> Vec<Check> {
    let mut checks = Vec::new();
    // Looked up once per pair: scanning every outcome per pair grows with rules² x templates².
    let skipped: BTreeSet<(usize, usize)> = outcomes
        .iter()
        .filter(|o| o.status == Status::NotApplicable)
        .map(|o| (o.rule, o.template))
        .collect();
    for (ri, rule) in selection.rules.iter().enumerate() {
        for (ti, template) in templates.iter().enumerate() {
            let not_applicable = skipped.contains(&(ri, ti));
            let in_template: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.rule == rule.name && f.template == template.file)
                .collect();
            let verdict = |found: &[&Finding]| -> (CheckStatus, Option<String>) {
                if found.iter().any(|f| f.is_open()) {
                    let detail = found
                        .iter()
                        .map(|f| f.problem())
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
            // A rule about something the template says the customer owns (their VPC), and
            // that finds nothing of it here: the customer's to meet, said with the reason.
            let judged = template
                .resources
                .iter()
                .any(|r| rule.resources.contains(&r.kind));
            if let Some((_, why)) = template
                .customer_controls
                .iter()
                .find(|(r, _)| *r == rule.name)
                .filter(|_| !judged && in_template.is_empty())
            {
                checks.push(Check {
                    rule: rule.name.clone(),
                    template: template.file.clone(),
                    resource: None,
                    resource_type: None,
                    line: 1,
                    status: CheckStatus::NotApplicable,
                    detail: Some(format!("{CUSTOMERS}{why}")),
                });
            }
        }
    }
    checks
}

/// How the detail of a check the customer answers for starts (the matrix quotes the rest).
pub const CUSTOMERS: &str = "the customer's responsibility: ";
