use serde_json::json;

use super::*;
use crate::diff::{self, Stack};

fn db(properties: serde_json::Value, policy: &str) -> serde_json::Value {
    json!({"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": policy, "Properties": properties}}})
}

fn change(action: &str, replacement: Option<&str>, kind: &str) -> (String, ResourceChange) {
    (
        "database".into(),
        ResourceChange {
            action: action.into(),
            logical_id: "Db".into(),
            kind: kind.into(),
            replacement: replacement.map(str::to_owned),
            recreating: vec!["DBName".into()],
            ..Default::default()
        },
    )
}

#[test]
fn aws_alone_is_enough_to_stop_a_replacement() {
    for (replacement, reason) in [
        (Some("True"), "replaced"),
        (Some("Conditional"), "may be replaced"),
    ] {
        let h = hazards(
            None,
            &[change("Modify", replacement, "AWS::RDS::DBInstance")],
            &[],
        );
        assert_eq!(h.len(), 1);
        assert!(h[0].reason.starts_with(reason), "{:?}", h[0]);
        assert_eq!(
            (h[0].source, h[0].forcing.as_slice()),
            ("aws", &["DBName".to_owned()][..])
        );
    }
    // A plain modify, or a stateless type, stops nothing.
    assert!(
        hazards(
            None,
            &[change("Modify", Some("False"), "AWS::RDS::DBInstance")],
            &[]
        )
        .is_empty()
    );
    assert!(
        hazards(
            None,
            &[change("Modify", Some("True"), "AWS::ECS::Service")],
            &[]
        )
        .is_empty()
    );
}

#[test]
fn byoa_alone_sees_a_lost_deletion_policy_and_knows_a_retained_removal_keeps_data() {
    let old = [Stack::new(
        "database",
        "a",
        db(json!({"DBName": "a"}), "Snapshot"),
    )];
    let new = [Stack::new(
        "database",
        "b",
        db(json!({"DBName": "a"}), "Delete"),
    )];
    let d = diff::diff(&old, &new);
    let h = hazards(
        Some(&d),
        &[change("Modify", Some("False"), "AWS::RDS::DBInstance")],
        &[],
    );
    assert_eq!(h.len(), 1, "{h:?}");
    assert!(h[0].reason.contains("DeletionPolicy: Snapshot"), "{h:?}");
    // Removed but retained: AWS says Remove, byoa knows the data stays.
    let old = [Stack::new("database", "a", db(json!({}), "Retain"))];
    let new = [Stack::new("database", "b", json!({"Resources": {}}))];
    let d = diff::diff(&old, &new);
    assert!(
        hazards(
            Some(&d),
            &[change("Remove", None, "AWS::RDS::DBInstance")],
            &[]
        )
        .is_empty()
    );
}

#[test]
fn allowing_takes_the_logical_id_or_the_stack_and_the_id() {
    let rows = [change("Modify", Some("True"), "AWS::RDS::DBInstance")];
    for allowed in ["Db", "database/Db"] {
        assert!(
            hazards(None, &rows, &[allowed.to_owned()])[0].allowed,
            "{allowed}"
        );
    }
    for not in ["network/Db", "db", "Database"] {
        assert!(!hazards(None, &rows, &[not.to_owned()])[0].allowed, "{not}");
    }
}

#[test]
fn a_broader_vendor_grant_in_the_access_stack_stops_too() {
    let role = |actions: serde_json::Value| {
        json!({"Resources": {"DeployerRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": []},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}}]
        }}}})
    };
    let old = [Stack::new("access", "a", role(json!(["s3:GetObject"])))];
    let new = [Stack::new(
        "access",
        "b",
        role(json!(["s3:GetObject", "iam:PassRole"])),
    )];
    let d = diff::diff(&old, &new);
    let h = hazards(Some(&d), &[], &[]);
    assert_eq!(h.len(), 1, "{h:?}");
    assert!(
        h[0].reason.contains("broadens the vendor's access")
            && h[0].reason.contains("iam:PassRole"),
        "{h:?}"
    );
    // The same grant in a product stack is the product's business, not the vendor's access.
    let old = [Stack::new(
        "service-api",
        "a",
        role(json!(["s3:GetObject"])),
    )];
    let new = [Stack::new(
        "service-api",
        "b",
        role(json!(["s3:GetObject", "iam:PassRole"])),
    )];
    let d = diff::diff(&old, &new);
    assert!(hazards(Some(&d), &[], &[]).is_empty());
}

#[test]
fn only_the_properties_that_replace_are_named_as_forcing() {
    let old = [Stack::new(
        "database",
        "a",
        db(
            json!({"DBName": "a", "DBInstanceClass": "db.t4g.small"}),
            "Snapshot",
        ),
    )];
    let new = [Stack::new(
        "database",
        "b",
        db(
            json!({"DBName": "b", "DBInstanceClass": "db.t4g.large"}),
            "Snapshot",
        ),
    )];
    let d = diff::diff(&old, &new);
    let h = hazards(Some(&d), &[], &[]);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].forcing, ["DBName"]);
    assert_eq!(h[0].source, "byoa");
}

#[test]
fn aws_alone_is_enough_to_stop_a_removal() {
    let h = hazards(None, &[change("Remove", None, "AWS::S3::Bucket")], &[]);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].reason, "deleted with its data");
    // Adding or importing one stops nothing.
    assert!(hazards(None, &[change("Add", None, "AWS::S3::Bucket")], &[]).is_empty());
    assert!(hazards(None, &[change("Import", None, "AWS::S3::Bucket")], &[]).is_empty());
}

#[test]
fn byoa_and_aws_on_one_resource_merge_into_one_hazard_with_every_forcing_property() {
    let old = [Stack::new(
        "database",
        "a",
        db(json!({"DBName": "a"}), "Delete"),
    )];
    let new = [Stack::new(
        "database",
        "b",
        db(json!({"DBName": "b"}), "Delete"),
    )];
    let d = diff::diff(&old, &new);
    let mut row = change("Modify", Some("True"), "AWS::RDS::DBInstance");
    row.1.recreating = vec!["DBName".into(), "StorageEncrypted".into()];
    let h = hazards(Some(&d), &[row], &[]);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].source, "byoa and aws");
    assert_eq!(h[0].forcing, ["DBName", "StorageEncrypted"]);
    // Removed with `Delete`: both say so, one hazard.
    let gone = [Stack::new("database", "b", json!({"Resources": {}}))];
    let d = diff::diff(&old, &gone);
    let h = hazards(
        Some(&d),
        &[change("Remove", None, "AWS::RDS::DBInstance")],
        &[],
    );
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(
        (h[0].source, h[0].reason.as_str()),
        ("byoa and aws", "deleted with its data")
    );
}

#[test]
fn the_same_logical_id_in_two_stacks_is_two_hazards() {
    let old = [Stack::new(
        "database",
        "a",
        db(json!({"DBName": "a"}), "Delete"),
    )];
    let new = [Stack::new(
        "database",
        "b",
        db(json!({"DBName": "b"}), "Delete"),
    )];
    let d = diff::diff(&old, &new);
    let mut elsewhere = change("Modify", Some("True"), "AWS::RDS::DBInstance");
    elsewhere.0 = "reporting".into();
    let h = hazards(Some(&d), &[elsewhere], &[]);
    let ids: Vec<String> = h.iter().map(Hazard::id).collect();
    assert_eq!(ids, ["database/Db", "reporting/Db"]);
}

/// acme-api's database stack in `env`, its instances named by CloudFormation when `generated`
/// (a deployment made before fixed identifiers) or by byoa.
fn acme_database(env: &str, generated: bool) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme-api/byoa.yaml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    if generated {
        text = text.replacen("\ndatabase:\n", "\ndatabase:\n  identifier: generated\n", 1);
    }
    let loaded = crate::spec::load_str(&path, &text, Some(env), &Default::default())
        .expect("acme-api is valid");
    let output = crate::synth::synthesize(&loaded, crate::cfn::emit::Format::Yaml, None).unwrap();
    let database = output
        .templates
        .iter()
        .find(|r| r.stack.module == "database");
    database
        .expect("a database stack")
        .stack
        .template
        .to_value()
}

#[test]
fn a_deployed_database_with_a_generated_identifier_is_stopped_with_the_way_to_keep_it() {
    for env in ["dev", "prod"] {
        let old = [Stack::new("database", "a", acme_database(env, true))];
        let new = [Stack::new("database", "b", acme_database(env, false))];
        assert!(
            old[0].template()["Resources"]["Database"]["Properties"]
                .get("DBInstanceIdentifier")
                .is_none()
        );
        let d = diff::diff(&old, &new);
        // `byoa diff` sees the replacement the identifier forces, and the new log groups.
        let rows = &d.stacks[0].resources;
        let db = rows.iter().find(|r| r.logical_id == "Database").unwrap();
        assert_eq!(db.impact, Impact::Replace, "{env}");
        let identifier = db
            .properties
            .iter()
            .find(|p| p.path == "DBInstanceIdentifier")
            .expect("the identifier changes");
        assert_eq!(identifier.replacement, Replacement::Always);
        let groups = rows
            .iter()
            .filter(|r| r.kind == "AWS::Logs::LogGroup")
            .map(|r| r.impact);
        assert_eq!(groups.collect::<Vec<_>>(), [Impact::Create, Impact::Create]);
        // The guard stops, naming the database, the identifier and how to keep the database.
        let h = hazards(Some(&d), &[], &[]);
        assert_eq!(h.len(), 1, "{env}: {h:?}");
        assert_eq!(h[0].id(), "database/Database");
        assert_eq!(h[0].reason, "replaced: the new resource starts empty");
        assert_eq!(h[0].forcing, ["DBInstanceIdentifier"]);
        let hint = h[0].hint.as_deref().expect("a hint");
        assert!(hint.contains("`identifier: generated`"), "{hint}");
        // Kept generated: nothing to stop (only the suppression's wording may differ).
        let kept = [Stack::new("database", "b", acme_database(env, true))];
        assert!(hazards(Some(&diff::diff(&old, &kept)), &[], &[]).is_empty());
    }
}

#[test]
fn renaming_a_database_with_a_fixed_identifier_gives_no_identifier_hint() {
    let named = |id: &str, name: &str| {
        db(
            json!({"DBInstanceIdentifier": id, "DBName": name}),
            "Snapshot",
        )
    };
    let old = [Stack::new("database", "a", named("acme-prod-app", "app"))];
    let new = [Stack::new(
        "database",
        "b",
        named("acme-prod-orders", "orders"),
    )];
    let h = hazards(Some(&diff::diff(&old, &new)), &[], &[]);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].forcing, ["DBInstanceIdentifier", "DBName"]);
    assert_eq!(h[0].hint, None);
}
