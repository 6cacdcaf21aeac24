use std::path::Path;

use super::*;
use crate::cfn::emit::Format;
use crate::deploy::scripted::state;

fn output() -> Output {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-api/byoa.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let loaded = crate::spec::load_str(
        Path::new("byoa.yaml"),
        &text,
        Some("dev"),
        &Default::default(),
    )
    .unwrap();
    crate::synth::synthesize(&loaded, Format::Yaml, None).unwrap()
}

fn url(bucket: &str, key: &str) -> String {
    format!("https://{bucket}.s3.us-east-1.amazonaws.com/{key}")
}

fn given(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect()
}

fn root<'a>(
    output: &'a Output,
    given: &'a [(String, String)],
    existing: Option<&'a StackState>,
) -> Inputs<'a> {
    Inputs {
        output,
        target: Target::Root,
        existing,
        given,
        bucket: Some("b"),
        role_arn: Some("arn:aws:iam::123456789012:role/exec"),
    }
}

const NEEDED: &[(&str, &str)] = &[
    ("AvailabilityZones", "us-east-1a,us-east-1b"),
    (
        "CertificateArn",
        "arn:aws:acm:us-east-1:123456789012:certificate/x",
    ),
];

#[test]
fn a_first_create_needs_every_parameter_without_a_default() {
    let out = output();
    let err = plan(&root(&out, &[], None), &url).unwrap_err();
    let missing: Vec<&str> = err
        .iter()
        .map(|d| d.message.split('`').nth(1).unwrap())
        .collect();
    assert_eq!(missing, ["AvailabilityZones", "CertificateArn"]);
    assert!(err.iter().all(|d| d.code == Code::DeployParameter));
    assert_eq!(
        err[0].help.as_deref(),
        Some("pass `--parameter AvailabilityZones=VALUE`")
    );
    let g = given(NEEDED);
    let p = plan(&root(&out, &g, None), &url).unwrap();
    assert_eq!(p.request.kind, ChangeSetKind::Create);
    let keys: Vec<&str> = p
        .request
        .parameters
        .iter()
        .map(|p| p.key.as_str())
        .collect();
    // Defaults are left to CloudFormation; byoa sets where the templates are.
    assert_eq!(
        keys,
        ["ArtifactBaseUrl", "AvailabilityZones", "CertificateArn"]
    );
    let base = p.request.parameters[0].value.as_deref().unwrap();
    assert!(
        base.starts_with("https://b.s3.us-east-1.amazonaws.com/templates/"),
        "{base}"
    );
    // Every module template is uploaded under that prefix, nothing else but the rule file.
    let prefix = base.trim_start_matches("https://b.s3.us-east-1.amazonaws.com/");
    let modules = out.templates.len() - 2;
    assert_eq!(
        p.uploads
            .iter()
            .filter(|u| u.key.starts_with(prefix))
            .count(),
        modules
    );
    assert_eq!(p.uploads.len(), modules);
    assert_eq!(
        p.request.capabilities,
        ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    );
}

#[test]
fn an_update_keeps_previous_values_and_a_review_stack_is_created_again() {
    let out = output();
    let deployed = state(
        "acme-api-dev-root",
        "UPDATE_COMPLETE",
        &["AvailabilityZones", "CertificateArn"],
    );
    let p = plan(&root(&out, &[], Some(&deployed)), &url).unwrap();
    assert_eq!(p.request.kind, ChangeSetKind::Update);
    assert!(
        p.request
            .parameters
            .iter()
            .filter(|p| p.key != "ArtifactBaseUrl")
            .all(|p| p.value.is_none())
    );
    let review = state("acme-api-dev-root", "REVIEW_IN_PROGRESS", &[]);
    let g = given(NEEDED);
    let p = plan(&root(&out, &g, Some(&review)), &url).unwrap();
    assert_eq!(p.request.kind, ChangeSetKind::Create);
}

#[test]
fn unknown_twice_given_and_byoas_own_parameters_are_refused() {
    let out = output();
    let g = given(&[
        ("CertificateArm", "x"),
        ("ArtifactBaseUrl", "https://elsewhere"),
        ("AlarmEmail", "a@example.com"),
        ("AlarmEmail", "b@example.com"),
    ]);
    let err = plan(&root(&out, &g, None), &url).unwrap_err();
    let text: Vec<String> = err
        .iter()
        .map(|d| format!("{} | {}", d.message, d.help.clone().unwrap_or_default()))
        .collect();
    assert!(
        text[0].contains("no parameter `CertificateArm`")
            && text[0].contains("did you mean `CertificateArn`?"),
        "{text:?}"
    );
    assert!(
        text[1].contains("`ArtifactBaseUrl` is set by byoa"),
        "{text:?}"
    );
    assert!(text[2].contains("given twice"), "{text:?}");
}

#[test]
fn the_change_set_name_is_stable_and_follows_every_input() {
    let out = output();
    let g = given(NEEDED);
    let a = plan(&root(&out, &g, None), &url).unwrap();
    let b = plan(&root(&out, &g, None), &url).unwrap();
    assert_eq!(a.request.name, b.request.name);
    assert!(a.request.name.starts_with("byoa-") && a.request.name.len() <= 128);
    let mut other = g.clone();
    other.push(("AlarmEmail".into(), "ops@example.com".into()));
    let c = plan(&root(&out, &other, None), &url).unwrap();
    assert_ne!(a.request.name, c.request.name);
}

#[test]
fn a_root_template_over_the_body_limit_goes_by_url() {
    let mut out = output();
    let root_t = out
        .templates
        .iter_mut()
        .find(|r| r.stack.module == "root")
        .unwrap();
    root_t
        .body
        .push_str(&format!("\n# {}\n", "x".repeat(MAX_BODY)));
    let g = given(NEEDED);
    let p = plan(&root(&out, &g, None), &url).unwrap();
    let TemplateSource::Url(u) = &p.request.template else {
        panic!("sent inline")
    };
    assert!(u.ends_with("/root.yaml"));
    assert!(p.uploads.iter().any(|x| u.ends_with(&x.key)));
}

fn access<'a>(output: &'a Output, given: &'a [(String, String)]) -> Inputs<'a> {
    Inputs {
        output,
        target: Target::Access,
        existing: None,
        given,
        bucket: None,
        role_arn: None,
    }
}

fn access_template(out: &mut Output) -> &mut Rendered {
    out.templates
        .iter_mut()
        .find(|r| r.stack.module == "access")
        .unwrap()
}

#[test]
fn the_access_stack_needs_no_bucket_and_uploads_nothing() {
    let out = output();
    let g = given(&[("ExternalId", "abcd-1234-efgh-5678")]);
    let p = plan(&access(&out, &g), &url).unwrap();
    assert!(p.uploads.is_empty());
    assert_eq!(p.request.stack_name, "acme-api-dev-access");
    assert_eq!(p.request.capabilities, ["CAPABILITY_NAMED_IAM"]);
}

#[test]
fn an_access_template_over_the_body_limit_goes_inline_as_compact_json() {
    let mut out = output();
    let g = given(&[("ExternalId", "abcd-1234-efgh-5678")]);
    let a = access_template(&mut out);
    a.body.push_str(&format!("\n# {}\n", "x".repeat(MAX_BODY)));
    let want = a.stack.template.to_value();
    let p = plan(&access(&out, &g), &url).unwrap();
    let TemplateSource::Body(body) = &p.request.template else {
        panic!("sent by URL")
    };
    assert!(body.len() <= MAX_BODY, "{}", body.len());
    assert!(!body.contains('\n'));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(body).unwrap(),
        want
    );

    // Exactly the limit as compact JSON still goes inline.
    let a = access_template(&mut out);
    let len = a.stack.template.to_value().to_string().len();
    a.stack
        .template
        .description
        .push_str(&"x".repeat(MAX_BODY - len));
    let p = plan(&access(&out, &g), &url).unwrap();
    assert!(matches!(&p.request.template, TemplateSource::Body(b) if b.len() == MAX_BODY));

    // Too large even as compact JSON: refused, naming both sizes.
    let a = access_template(&mut out);
    a.stack.template.description = "x".repeat(MAX_BODY);
    let e = plan(&access(&out, &g), &url).unwrap_err();
    assert!(e[0].message.contains("as compact JSON"), "{}", e[0].message);
}

#[test]
fn a_root_template_of_exactly_the_body_limit_is_still_sent_inline() {
    let g = given(NEEDED);
    for (extra, inline) in [(0, true), (1, false)] {
        let mut out = output();
        let root_t = out
            .templates
            .iter_mut()
            .find(|r| r.stack.module == "root")
            .unwrap();
        let pad = MAX_BODY + extra - root_t.body.len() - 3;
        root_t.body.push_str(&format!("\n# {}", "x".repeat(pad)));
        assert_eq!(root_t.body.len(), MAX_BODY + extra);
        let p = plan(&root(&out, &g, None), &url).unwrap();
        assert_eq!(
            matches!(p.request.template, TemplateSource::Body(_)),
            inline,
            "{extra}"
        );
    }
}

#[test]
fn the_upload_prefix_follows_the_module_templates_bytes() {
    let g = given(NEEDED);
    let base = |out: &Output| {
        let p = plan(&root(out, &g, None), &url).unwrap();
        p.request.parameters[0].value.clone().unwrap()
    };
    let out = output();
    let same = base(&out);
    assert_eq!(same, base(&output()));
    let mut changed = output();
    let db = changed
        .templates
        .iter_mut()
        .find(|r| r.stack.module == "database")
        .unwrap();
    db.body.push_str("\n# edited\n");
    assert_ne!(same, base(&changed));
    assert!(same.rsplit('/').next().unwrap().len() == 16, "{same}");
}
