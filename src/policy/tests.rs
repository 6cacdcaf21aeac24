//! Unit tests of the policy model: rule headers, profiles, the rule set, template lines,
//! exceptions (with a scripted engine and with cfn-guard), dates.

use super::check::split_message;
use super::date::civil_date;
use super::guard::{Engine, EngineError, Outcome, RuleInput, Status, TemplateInput};
use super::*;

const GOOD_RULE: &str = "# Rule: S3_BUCKET_VERSIONING_ENABLED
# Title: S3 buckets keep object versions
# Severity: medium
# Resources: AWS::S3::Bucket
# Fix: set VersioningConfiguration.Status: Enabled,
#   then keep it on
#
# Sample.

let buckets = Resources.*[ Type == 'AWS::S3::Bucket'
  Metadata.guard.SuppressedRules not exists or
  Metadata.guard.SuppressedRules.* != 'S3_BUCKET_VERSIONING_ENABLED' ]
rule S3_BUCKET_VERSIONING_ENABLED when %buckets !empty {
  %buckets.Properties.VersioningConfiguration.Status == 'Enabled'
  << Violation: versioning is off Fix: turn it on >>
}
";

fn rule_file(name: &str, header: &str, body: &str) -> (String, String) {
    (
        format!("policies/rules/{name}.guard"),
        format!("{header}\n{body}"),
    )
}

fn messages(errors: &[PolicyError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn a_rule_header_parses_with_continuation_lines() {
    let rule = parse_rule(
        "policies/rules/S3_BUCKET_VERSIONING_ENABLED.guard",
        GOOD_RULE,
    )
    .unwrap();
    assert_eq!(rule.name, "S3_BUCKET_VERSIONING_ENABLED");
    assert_eq!(rule.severity, Severity::Medium);
    assert_eq!(rule.resources, ["AWS::S3::Bucket"]);
    assert_eq!(
        rule.fix,
        "set VersioningConfiguration.Status: Enabled, then keep it on"
    );
}

#[test]
fn header_errors_name_file_line_and_what_is_wrong() {
    let text = GOOD_RULE
        .replace("# Severity: medium", "# Severity: urgent")
        .replace(
            "# Fix: set VersioningConfiguration.Status: Enabled,\n#   then keep it on\n",
            "",
        );
    let errors = parse_rule("x/S3_BUCKET_VERSIONING_ENABLED.guard", &text).unwrap_err();
    let m = messages(&errors);
    assert!(
        m.contains(&"x/S3_BUCKET_VERSIONING_ENABLED.guard:3: severity `urgent` is not one of critical, high, medium, low".to_owned()),
        "{m:#?}"
    );
    assert!(
        m.iter()
            .any(|e| e.contains("the header has no `# Fix:` line")),
        "{m:#?}"
    );
}

#[test]
fn a_misspelled_header_key_gets_a_suggestion() {
    let text = GOOD_RULE.replace("# Severity:", "# Severty:");
    let errors = parse_rule("r/S3_BUCKET_VERSIONING_ENABLED.guard", &text).unwrap_err();
    assert_eq!(
        messages(&errors),
        [
            "r/S3_BUCKET_VERSIONING_ENABLED.guard:3: unknown header key `Severty`: did you mean `Severity`?"
        ]
    );
}

#[test]
fn the_file_stem_must_be_the_rule_name() {
    let errors = parse_rule("policies/rules/OTHER.guard", GOOD_RULE).unwrap_err();
    assert!(
        messages(&errors)[0].contains("the file stem must be the rule name"),
        "{errors:?}"
    );
}

#[test]
fn a_file_without_its_rule_block_is_refused() {
    let text = GOOD_RULE.replace(
        "rule S3_BUCKET_VERSIONING_ENABLED when",
        "rule SOMETHING_ELSE when",
    );
    let errors = parse_rule("p/S3_BUCKET_VERSIONING_ENABLED.guard", &text).unwrap_err();
    let m = messages(&errors).join("\n");
    assert!(
        m.contains("defines no `rule S3_BUCKET_VERSIONING_ENABLED` block"),
        "{m}"
    );
    assert!(m.contains("defines `rule SOMETHING_ELSE` besides"), "{m}");
}

#[test]
fn resources_must_be_types_or_template() {
    let text = GOOD_RULE.replace("# Resources: AWS::S3::Bucket", "# Resources: S3 buckets");
    let errors = parse_rule("p/S3_BUCKET_VERSIONING_ENABLED.guard", &text).unwrap_err();
    assert!(messages(&errors)[0].contains("`S3` in `# Resources:` is not a resource type"));
    let text = GOOD_RULE.replace("# Resources: AWS::S3::Bucket", "# Resources: template");
    let rule = parse_rule("p/S3_BUCKET_VERSIONING_ENABLED.guard", &text).unwrap();
    assert!(rule.resources.is_empty());
}

const PROFILE: &str = "# Source: test controls, 2026
#   second line
profile: soc2
title: SOC 2
controls:
  - id: CC6.1
    title: Encryption
    rules: [S3_BUCKET_VERSIONING_ENABLED]
";

fn set(
    rules: &[(String, String)],
    profiles: &[(&str, &str)],
) -> Result<PolicySet, Vec<PolicyError>> {
    let profiles: Vec<(String, String)> = profiles
        .iter()
        .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
        .collect();
    PolicySet::from_sources(rules, &profiles)
}

fn good_rules() -> Vec<(String, String)> {
    vec![(
        "policies/rules/S3_BUCKET_VERSIONING_ENABLED.guard".to_owned(),
        GOOD_RULE.to_owned(),
    )]
}

#[test]
fn a_profile_parses_with_its_source() {
    let s = set(&good_rules(), &[("policies/profiles/soc2.yaml", PROFILE)]).unwrap();
    assert_eq!(s.profiles.len(), 1);
    assert_eq!(
        s.profiles[0].source.as_deref(),
        Some("test controls, 2026 second line")
    );
}

#[test]
fn a_control_naming_a_missing_rule_is_an_error_with_a_suggestion() {
    let profile = PROFILE.replace(
        "[S3_BUCKET_VERSIONING_ENABLED]",
        "[S3_BUCKET_VERSIONING_ENABLD]",
    );
    let errors = set(&good_rules(), &[("policies/profiles/soc2.yaml", &profile)]).unwrap_err();
    assert_eq!(
        messages(&errors),
        [
            "policies/profiles/soc2.yaml:8: control `CC6.1` names rule `S3_BUCKET_VERSIONING_ENABLD`, \
          which does not exist (did you mean `S3_BUCKET_VERSIONING_ENABLED`?)"
        ]
    );
}

#[test]
fn a_control_without_rules_and_unknown_fields_are_errors() {
    let profile = PROFILE.replace("[S3_BUCKET_VERSIONING_ENABLED]", "[]");
    let errors = set(&good_rules(), &[("policies/profiles/soc2.yaml", &profile)]).unwrap_err();
    assert!(
        messages(&errors)[0].contains("control `CC6.1` names no rule"),
        "{errors:?}"
    );
    let profile = PROFILE.replace("title: SOC 2", "title: SOC 2\nowner: me");
    let errors = set(&good_rules(), &[("policies/profiles/soc2.yaml", &profile)]).unwrap_err();
    assert!(
        messages(&errors)[0].starts_with("policies/profiles/soc2.yaml:"),
        "{errors:?}"
    );
    assert!(messages(&errors)[0].contains("owner"), "{errors:?}");
}

#[test]
fn unmapped_rules_form_the_custom_profile_which_is_always_selected() {
    let mut rules = good_rules();
    rules.push(rule_file(
        "MY_RULE",
        "# Rule: MY_RULE\n# Title: mine\n# Severity: low\n# Resources: AWS::SNS::Topic\n# Fix: do it",
        "rule MY_RULE { Resources exists }",
    ));
    let s = set(&rules, &[("policies/profiles/soc2.yaml", PROFILE)]).unwrap();
    let custom = s
        .profiles
        .iter()
        .find(|p| p.name == CUSTOM_PROFILE)
        .unwrap();
    assert_eq!(custom.controls[0].rules, ["MY_RULE"]);
    let selection = s.select(&["soc2".to_owned()]).unwrap();
    let names: Vec<&str> = selection.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["soc2", "custom"]);
    assert_eq!(selection.rules.len(), 2);
    let err = s.select(&["sco2".to_owned()]).unwrap_err();
    assert_eq!(err, "profile `sco2` does not exist; did you mean `soc2`?");
}

#[test]
fn the_embedded_set_loads() {
    let s = PolicySet::load(&[]).unwrap();
    assert!(!s.rules.is_empty());
    assert!(
        s.rules
            .iter()
            .all(|r| r.file.starts_with("policies/rules/"))
    );
    for p in &s.profiles {
        for c in &p.controls {
            assert!(!c.rules.is_empty(), "{} {}", p.name, c.id);
        }
    }
}

fn resource_lines(t: &Template) -> Vec<(&str, usize)> {
    t.resources
        .iter()
        .map(|r| (r.id.as_str(), r.line))
        .collect()
}

#[test]
fn resource_lines_are_found_in_yaml_and_json() {
    let yaml = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  # a comment\n  Bucket:\n    \
        Type: AWS::S3::Bucket\n    Properties:\n      Name: x\n  \"Quoted\":\n    Type: AWS::SNS::Topic\n\
        Outputs:\n  Out:\n    Value: 1\n";
    let t = Template::parse("t.yaml", yaml.to_owned()).unwrap();
    assert_eq!(resource_lines(&t), [("Bucket", 4), ("Quoted", 8)]);
    assert_eq!(t.line_of(None, Some("/Outputs/Out")), 10);

    let json = "{\n  \"Resources\": {\n    \"A\": {\"Type\": \"AWS::S3::Bucket\",\n      \"Properties\": {\"Tags\": [{\"Key\": \"Resources\"}]}},\n    \"B\": {\n      \"Type\": \"AWS::SNS::Topic\"\n    }\n  }\n}\n";
    let t = Template::parse("t.json", json.to_owned()).unwrap();
    assert_eq!(resource_lines(&t), [("A", 3), ("B", 5)]);

    // Flow style and a top-level key the path names but the template lacks.
    let flow = "Resources: {A: {Type: AWS::S3::Bucket},\n  B: {Type: AWS::SNS::Topic}}\n";
    let t = Template::parse("f.yaml", flow.to_owned()).unwrap();
    assert_eq!(resource_lines(&t), [("A", 1), ("B", 2)]);
    assert_eq!(t.line_of(None, Some("/Outputs/X")), 1);
}

#[test]
fn exceptions_are_positioned_where_the_environment_writes_them() {
    let spec = "product: {name: acme, vendor_account_id: \"111111111111\"}\nregion: us-east-1\n\
        compliance:\n  exceptions:\n    - {rule: A_RULE, reason: the base document says so}\n\
        environments:\n  dev: {}\n  prod:\n    compliance:\n      exceptions:\n\
        \x20       - {rule: B_RULE, reason: production says otherwise}\n";
    for (env, rule, line) in [("dev", "A_RULE", 5), ("prod", "B_RULE", 11)] {
        let path = std::path::Path::new("byoa.yaml");
        let loaded = crate::spec::load_str(path, spec, Some(env), &Default::default()).unwrap();
        let p = input::spec_policy(&loaded.model.compliance, &loaded.map);
        let found: Vec<(&str, Option<usize>)> = p
            .exceptions
            .iter()
            .map(|e| (e.rule.as_str(), e.location.as_ref().map(|l| l.line)))
            .collect();
        assert_eq!(found, [(rule, Some(line))], "{env}");
    }
}

#[test]
fn errors_carry_the_code_of_what_is_wrong() {
    use crate::diag::Code;
    let rule = parse_rule("policies/rules/X_RULE.guard", "# Rule: X_RULE\n").unwrap_err();
    assert!(rule.iter().all(|e| e.code == Code::PolicyRule), "{rule:?}");
    let profile = parse_profile("p.yaml", "profile: p\ntitle: P\ncontrols: []\n").unwrap_err();
    assert!(
        profile.iter().all(|e| e.code == Code::PolicyProfile),
        "{profile:?}"
    );
    let missing = input::templates_from_paths(&["no/such.yaml".into()], &|_| None).unwrap_err();
    assert_eq!(missing[0].code, Code::PolicyInput);
    let template = Template::parse("t.yaml", "a: [1\nb: 2\n".to_owned()).unwrap_err();
    assert_eq!(template.code, Code::PolicyTemplate);
    let d = template.to_diagnostic();
    assert_eq!(
        (d.code, d.message.starts_with("`t.yaml`: invalid YAML")),
        (Code::PolicyTemplate, true),
        "{d:?}"
    );
    assert_eq!(
        d.location.map(|l| (l.file, l.line)),
        Some(("t.yaml".into(), 2))
    );
}

#[test]
fn a_file_without_resources_is_not_a_template() {
    let err = Template::parse("m.json", "{\"templates\": []}".to_owned()).unwrap_err();
    assert!(err.message.contains("no `Resources`"), "{err}");
}

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
fn every_rule_test_file_holds() {
    let set = PolicySet::load(&[]).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/tests");
    let mut failures = Vec::new();
    let mut tested = 0;
    for rule in &set.rules {
        let file = format!("policies/tests/{}_tests.yml", rule.name);
        let Ok(text) = std::fs::read_to_string(dir.join(format!("{}_tests.yml", rule.name))) else {
            failures.push(format!(
                "{file}: missing (every rule needs PASS, FAIL and SKIP cases)"
            ));
            continue;
        };
        match run_rule_tests(&guard::Guard, rule, &file, &text) {
            Ok(f) => failures.extend(f),
            Err(e) => failures.push(e.to_string()),
        }
        tested += 1;
    }
    assert!(tested > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_wrong_expectation_in_a_rule_test_is_reported() {
    let rule = parse_rule(
        "policies/rules/S3_BUCKET_VERSIONING_ENABLED.guard",
        GOOD_RULE,
    )
    .unwrap();
    let tests = "- name: off\n  input:\n    Resources:\n      B: {Type: AWS::S3::Bucket}\n  expectations:\n    rules:\n      S3_BUCKET_VERSIONING_ENABLED: PASS\n";
    let failures = run_rule_tests(&guard::Guard, &rule, "t.yml", tests).unwrap();
    assert_eq!(failures, ["t.yml: `off`: expected PASS, got FAIL"]);
}
