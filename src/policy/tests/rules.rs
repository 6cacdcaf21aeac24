//! Rule files: headers, names, blocks, and the rule test files under `policies/tests/`.

use super::*;
use crate::policy::guard;

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
