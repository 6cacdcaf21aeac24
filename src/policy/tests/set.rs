//! Profiles and the rule set: parsing, cross-references, the `custom` profile, the embedded set.

use super::*;

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

#[test]
fn the_catalogue_read_from_rule_headers_alone_knows_what_the_whole_set_knows() {
    let set = PolicySet::embedded();
    let catalogue = crate::policy::catalogue();
    let mut names: Vec<&str> = set.rules.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(catalogue.rules().collect::<Vec<_>>(), names);
    let profiles: Vec<String> = set.profiles.iter().map(|p| p.name.clone()).collect();
    let mut with_controls = 0;
    for rule in &set.rules {
        assert_eq!(catalogue.resource_types(&rule.name), rule.resources);
        let expected: Vec<String> = set
            .profiles
            .iter()
            .flat_map(|p| {
                p.controls
                    .iter()
                    .filter(|c| c.rules.contains(&rule.name))
                    .map(|c| format!("{} {}", p.name, c.id))
            })
            .collect();
        with_controls += usize::from(!expected.is_empty());
        assert_eq!(catalogue.controls(&rule.name, &profiles), expected);
    }
    assert!(with_controls > 50, "{with_controls} rules map to controls");
}
