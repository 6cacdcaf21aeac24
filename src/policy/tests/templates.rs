//! Templates: the lines of resources and keys, error codes, and where spec exceptions are.

use super::*;

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
        \x20       - {rule: B_RULE, reason: production says otherwise}\n\
        access: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\n";
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
