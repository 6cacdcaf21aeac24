//! Evaluation: findings, exceptions and their expiry, warnings, the control matrix (with a
//! scripted engine and with cfn-guard), message splitting and dates.

use super::*;
use crate::policy::check::split_message;
use crate::policy::date::civil_date;
use crate::policy::guard::{Engine, EngineError, Outcome, RuleInput, Status, TemplateInput};

/// An engine that answers from a script: the real wall is tested in `guard`.
struct Scripted(Vec<Outcome>);

impl Engine for Scripted {
    fn evaluate(
        &self,
        _rules: &[RuleInput<'_>],
        _templates: &[TemplateInput<'_>],
    ) -> Result<Vec<Outcome>, EngineError> {
        Ok(self.0.clone())
    }
}

fn fail(resource: &str) -> Outcome {
    Outcome {
        rule: 0,
        template: 0,
        status: Status::Fail,
        resource: Some(resource.to_owned()),
        path: Some(format!(
            "/Resources/{resource}/Properties/VersioningConfiguration/Status"
        )),
        message: Some("\n Violation: versioning is off\n Fix: turn it on\n".to_owned()),
        found: Some("`Suspended`".to_owned()),
        wanted: Some("`Enabled`".to_owned()),
    }
}

fn exception(resource: Option<&str>, expires: Option<&str>) -> Exception {
    Exception {
        rule: "S3_BUCKET_VERSIONING_ENABLED".to_owned(),
        resource: resource.map(str::to_owned),
        reason: "logs are rebuilt from source".to_owned(),
        expires: expires.map(str::to_owned),
        location: None,
    }
}

const BUCKETS: &str = "Resources:\n  A:\n    Type: AWS::S3::Bucket\n  B:\n    Type: AWS::S3::Bucket\n  C:\n    Type: AWS::S3::Bucket\n    Metadata:\n      guard:\n        SuppressedRules: [S3_BUCKET_VERSIONING_ENABLED]\n";

fn run(engine: &dyn Engine, exceptions: Vec<Exception>, today: &str) -> Report {
    let s = set(&good_rules(), &[("policies/profiles/soc2.yaml", PROFILE)]).unwrap();
    let selection = s.select(&[]).unwrap();
    let templates = vec![Template::parse("out/storage.yaml", BUCKETS.to_owned()).unwrap()];
    check(
        engine,
        CheckInput {
            selection,
            templates,
            exceptions,
            today: today.to_owned(),
        },
    )
    .unwrap()
}

#[test]
fn findings_carry_rule_location_message_fix_and_controls() {
    let report = run(&Scripted(vec![fail("A")]), vec![], "2026-01-01");
    let f = &report.findings[0];
    assert_eq!(
        (
            f.rule.as_str(),
            f.template.as_str(),
            f.line,
            f.resource.as_deref()
        ),
        (
            "S3_BUCKET_VERSIONING_ENABLED",
            "out/storage.yaml",
            2,
            Some("A")
        )
    );
    assert_eq!(f.message, "versioning is off");
    assert_eq!(f.fix, "turn it on");
    assert_eq!(
        f.property().as_deref(),
        Some("Properties.VersioningConfiguration.Status")
    );
    assert_eq!(
        f.controls,
        [ControlRef {
            profile: "soc2".into(),
            id: "CC6.1".into()
        }]
    );
    assert_eq!(report.exit_code(), crate::exit::FINDINGS);
    let statuses: Vec<(Option<&str>, CheckStatus)> = report
        .checks
        .iter()
        .map(|c| (c.resource.as_deref(), c.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (Some("A"), CheckStatus::Fail),
            (Some("B"), CheckStatus::Pass),
            (Some("C"), CheckStatus::Suppressed)
        ]
    );
}

#[test]
fn an_exception_suppresses_until_it_expires() {
    let report = run(
        &Scripted(vec![fail("A")]),
        vec![exception(Some("A"), Some("2026-03-31"))],
        "2026-03-31",
    );
    assert!(!report.findings[0].is_open());
    assert_eq!(report.exit_code(), crate::exit::OK);
    assert!(report.warnings.is_empty());
    assert_eq!(report.checks[0].status, CheckStatus::Suppressed);
    assert_eq!(
        report.checks[0].detail.as_deref(),
        Some("logs are rebuilt from source (expires 2026-03-31)")
    );

    let report = run(
        &Scripted(vec![fail("A")]),
        vec![exception(Some("A"), Some("2026-03-31"))],
        "2026-04-01",
    );
    let f = &report.findings[0];
    assert!(f.is_open());
    assert_eq!(
        f.message,
        "versioning is off (the exception for it expired on 2026-03-31: logs are rebuilt from source)"
    );
    assert_eq!(report.exit_code(), crate::exit::FINDINGS);
    assert!(report.exceptions[0].expired);
}

#[test]
fn an_exception_that_matches_nothing_is_a_warning() {
    let report = run(
        &Scripted(vec![fail("A")]),
        vec![exception(Some("B"), None), exception(None, None)],
        "2026-01-01",
    );
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(
        report.warnings[0].message,
        "the exception for `S3_BUCKET_VERSIONING_ENABLED` on `B` matches no finding: nothing fails it: remove the exception"
    );
    // The resource-less exception covers A.
    assert!(!report.findings[0].is_open());
    let mut other = exception(None, None);
    other.rule = "NOT_A_RULE".into();
    let report = run(&Scripted(vec![]), vec![other], "2026-01-01");
    assert!(
        report.warnings[0]
            .message
            .contains("is not among the rules checked")
    );
}

#[test]
fn the_matrix_takes_the_worst_status_of_a_controls_rules() {
    let report = run(&Scripted(vec![fail("A")]), vec![], "2026-01-01");
    let m = report.matrix();
    assert_eq!(m[0].controls[0].status, CheckStatus::Fail);
    assert_eq!(m[0].controls[0].rules[0].failed, ["storage.yaml A"]);
    assert_eq!(m[0].controls[0].rules[0].passed, ["storage.yaml B"]);
    let report = run(
        &Scripted(vec![fail("A")]),
        vec![exception(None, Some("2999-01-01"))],
        "2026-01-01",
    );
    let m = report.matrix();
    assert_eq!(m[0].controls[0].status, CheckStatus::Suppressed);
}

#[test]
fn cfn_guard_and_the_model_agree_end_to_end() {
    let report = run(&guard::Guard, vec![], "2026-01-01");
    let failing: Vec<&str> = report
        .findings
        .iter()
        .filter_map(|f| f.resource.as_deref())
        .collect();
    // A and B have no versioning; C is waived in its Metadata, so Guard skips it.
    assert_eq!(failing, ["A", "B"]);
    assert_eq!(report.engine_calls, 1);
    assert_eq!(report.findings[0].message, "versioning is off");
}

#[test]
fn guard_syntax_errors_name_the_rule_file() {
    let broken = rule_file(
        "BROKEN_RULE",
        "# Rule: BROKEN_RULE\n# Title: broken\n# Severity: low\n# Resources: AWS::S3::Bucket\n# Fix: none",
        "rule BROKEN_RULE {\n  Resources.*.Type ==\n",
    );
    let s = set(&[broken], &[]).unwrap();
    let selection = s.select(&[]).unwrap();
    let templates = vec![Template::parse("t.yaml", BUCKETS.to_owned()).unwrap()];
    let errors = check(
        &guard::Guard,
        CheckInput {
            selection,
            templates,
            exceptions: vec![],
            today: "2026-01-01".into(),
        },
    )
    .unwrap_err();
    assert_eq!(errors[0].file, "policies/rules/BROKEN_RULE.guard");
    assert!(errors[0].line.is_some(), "{errors:?}");
    assert!(
        errors[0].message.starts_with("Guard syntax error: line "),
        "{errors:?}"
    );
}

#[test]
fn a_broken_rule_about_a_type_no_template_has_is_still_reported() {
    let broken = rule_file(
        "BROKEN_RULE",
        "# Rule: BROKEN_RULE\n# Title: broken\n# Severity: low\n# Resources: AWS::SQS::Queue\n# Fix: none",
        "rule BROKEN_RULE {\n  Resources.*.Type ==\n",
    );
    let s = set(&[broken], &[]).unwrap();
    let templates = vec![Template::parse("t.yaml", BUCKETS.to_owned()).unwrap()];
    let errors = check(
        &guard::Guard,
        CheckInput {
            selection: s.select(&[]).unwrap(),
            templates,
            exceptions: vec![],
            today: "2026-01-01".into(),
        },
    )
    .unwrap_err();
    assert_eq!(errors[0].file, "policies/rules/BROKEN_RULE.guard");
    assert!(
        errors[0].message.starts_with("Guard syntax error: line "),
        "{errors:?}"
    );
}

#[test]
fn violation_and_fix_are_split() {
    assert_eq!(
        split_message("\n  Violation: a b\n   c.\n  Fix: d\n"),
        ("a b c".to_owned(), Some("d".to_owned()))
    );
    assert_eq!(split_message("plain"), ("plain".to_owned(), None));
}

#[test]
fn dates() {
    assert_eq!(civil_date(0), "1970-01-01");
    assert_eq!(civil_date(20_454), "2026-01-01");
    assert_eq!(civil_date(11_016), "2000-02-29");
    assert!(is_date("2024-02-29"));
    assert!(!is_date("2023-02-29"));
    assert!(!is_date("2026-13-01"));
    assert!(!is_date("2026-1-01"));
    assert!(is_date(&today_utc()));
}

#[test]
fn deviations_from_other_rule_sets_are_design_choices_and_byoa_rules_are_not() {
    let stated =
        |entries: &str| format!("    Metadata:\n      byoa:\n        Exceptions:\n{entries}");
    let entry =
        |rule: &str, reason: &str| format!("          - {{Rule: {rule}, Reason: \"{reason}\"}}\n");
    let text = format!(
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n{}  B:\n    Type: AWS::S3::Bucket\n{}  C:\n    Type: AWS::S3::Bucket\n{}",
        stated(
            &(entry("S3_BUCKET_REPLICATION_ENABLED", "single region")
                + &entry(
                    "S3_BUCKET_VERSIONING_ENABLED",
                    "a byoa rule: a waiver, not a choice"
                ))
        ),
        stated(
            &(entry("S3_BUCKET_REPLICATION_ENABLED", "single region")
                + &entry("CKV_AWS_18", "the log destination"))
        ),
        stated(&entry("S3_BUCKET_REPLICATION_ENABLED", "another reason")),
    );
    let s = set(&good_rules(), &[("policies/profiles/soc2.yaml", PROFILE)]).unwrap();
    let report = check(
        &Scripted(vec![]),
        CheckInput {
            selection: s.select(&[]).unwrap(),
            templates: vec![Template::parse("out/storage.yaml", text).unwrap()],
            exceptions: vec![],
            today: "2026-01-01".to_owned(),
        },
    )
    .unwrap();
    let choices: Vec<(&str, &str, Vec<&str>)> = report
        .design_choices
        .iter()
        .map(|c| {
            let at = c.resources.iter().map(String::as_str).collect();
            (c.rule.as_str(), c.reason.as_str(), at)
        })
        .collect();
    assert_eq!(
        choices,
        [
            (
                "S3_BUCKET_REPLICATION_ENABLED",
                "single region",
                vec!["out/storage.yaml: A", "out/storage.yaml: B"]
            ),
            (
                "CKV_AWS_18",
                "the log destination",
                vec!["out/storage.yaml: B"]
            ),
            (
                "S3_BUCKET_REPLICATION_ENABLED",
                "another reason",
                vec!["out/storage.yaml: C"]
            ),
        ]
    );
    let md = crate::policy::report::markdown(&report);
    assert!(md.contains("## Design choices"), "{md}");
    assert!(md.contains(
        "| `S3_BUCKET_REPLICATION_ENABLED` | single region | `out/storage.yaml: A`<br>`out/storage.yaml: B` |"
    ));
    assert!(!md.contains("a byoa rule: a waiver"));
    let text = crate::policy::report::text(&report, true);
    assert!(
        text.contains("  CKV_AWS_18 (1 resource): the log destination"),
        "{text}"
    );
    assert!(!crate::policy::report::text(&report, false).contains("design choices"));
}

#[test]
fn a_rule_about_what_the_customer_owns_is_theirs_in_the_matrix() {
    let s = set(&good_rules(), &[("policies/profiles/soc2.yaml", PROFILE)]).unwrap();
    let selection = s.select(&[]).unwrap();
    // A template with no bucket, naming the rule as the customer's.
    let text = "Metadata:\n  byoa:\n    CustomerControls:\n      - {Rule: S3_BUCKET_VERSIONING_ENABLED, Reason: the buckets are the customer's}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n";
    let templates = vec![Template::parse("out/network.yaml", text.to_owned()).unwrap()];
    let not_applicable = Outcome {
        rule: 0,
        template: 0,
        status: Status::NotApplicable,
        resource: None,
        path: None,
        message: None,
        found: None,
        wanted: None,
    };
    let input = CheckInput {
        selection,
        templates,
        exceptions: vec![],
        today: "2026-01-01".to_owned(),
    };
    let report = check(&Scripted(vec![not_applicable]), input).unwrap();
    let rule = &report.matrix()[0].controls[0].rules[0];
    assert_eq!(rule.status, CheckStatus::NotApplicable);
    assert_eq!(rule.customer, ["the buckets are the customer's"]);
    let page = crate::policy::report::markdown(&report);
    assert!(
        page.contains("the customer's responsibility (the buckets are the customer's)"),
        "{page}"
    );
}
