//! Tests that hold the execution role against what the emitted templates need: every resource
//! type of every product stack has its actions granted, and nothing is granted that no emitted
//! resource type needs (beyond a named, checked list). They read the templates `build_all`
//! emits for both examples (dev and prod) and for one spec with every feature on.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::{Stack, access, build_all, resource_actions};

/// Every feature that adds resources or permissions: flow logs, load balancer with access logs
/// and WAF, a database with a replica, exposed and internal services with discovery and every
/// scaling metric, dashboard and audit trail.
const EVERYTHING: &str = r#"
product: {name: full, vendor_account_id: "111111111111"}
region: eu-west-1
network: {az_count: 2, load_balancer: {access_logs: true, waf: true}}
database: {read_replicas: 1}
services:
  - name: web
    port: 8080
    expose: {paths: ["/*"]}
    discovery: true
    uses_database: true
    scaling: {min: 1, max: 4, cpu_percent: 50, memory_percent: 70, requests_per_target: 100}
  - {name: worker, discovery: true}
monitoring: {dashboard: true, audit_trail: true}
"#;

/// Granted although no emitted resource type needs them: no product template holds an IAM
/// managed policy or reads an SSM parameter. Kept because this change leaves the permissions
/// as they were; the least-privilege work removes them (and this list with them).
const UNNEEDED: &[&str] = &[
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListEntitiesForPolicy",
    "iam:ListPolicyVersions",
    "ssm:GetParameter",
    "ssm:GetParameters",
];

fn specs() -> Vec<(String, Vec<Stack>)> {
    let mut out = vec![];
    for example in ["acme-api", "acme-50"] {
        let path = format!(
            "{}/examples/{example}/byoa.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).expect("the example exists");
        for env in ["dev", "prod"] {
            let loaded =
                crate::spec::load_str(Path::new(&path), &text, Some(env), &Default::default())
                    .expect("valid");
            let stacks = build_all(&loaded.model, "yaml").expect("builds");
            out.push((format!("{example} {env}"), stacks));
        }
    }
    let loaded = crate::spec::load_str(
        Path::new("byoa.yaml"),
        EVERYTHING,
        None,
        &Default::default(),
    )
    .expect("valid");
    out.push((
        "everything".into(),
        build_all(&loaded.model, "yaml").expect("builds"),
    ));
    out
}

/// The Allow statements of the execution role's managed policies.
fn execution_statements(stacks: &[Stack]) -> Vec<Value> {
    let access = stacks
        .iter()
        .find(|s| s.module == access::MODULE)
        .expect("an access stack")
        .template
        .to_value();
    let mut out = vec![];
    for (id, r) in access["Resources"].as_object().expect("resources") {
        if id.starts_with("Execution") && r["Type"] == "AWS::IAM::ManagedPolicy" {
            let statements = r["Properties"]["PolicyDocument"]["Statement"].as_array();
            out.extend(statements.into_iter().flatten().cloned());
        }
    }
    assert!(out.iter().all(|s| s["Effect"] == "Allow"));
    out
}

fn granted(stacks: &[Stack]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in execution_statements(stacks) {
        for a in s["Action"].as_array().expect("an action list") {
            out.insert(a.as_str().expect("an action").to_owned());
        }
    }
    out
}

/// The resources of every product stack (all but the access stack, which the customer
/// launches with their own permissions): logical id and resource.
fn product_resources(stacks: &[Stack]) -> Vec<(String, Value)> {
    let mut out = vec![];
    for stack in stacks.iter().filter(|s| s.module != access::MODULE) {
        let t = stack.template.to_value();
        for (id, r) in t["Resources"].as_object().expect("resources") {
            out.push((format!("{}/{id}", stack.module), r.clone()));
        }
    }
    out
}

fn table() -> BTreeMap<&'static str, &'static [&'static str]> {
    let mut table = BTreeMap::new();
    for (kind, actions) in resource_actions() {
        assert!(
            table.insert(*kind, *actions).is_none(),
            "{kind} is in two modules' tables: one module owns each type"
        );
    }
    table
}

#[test]
fn every_emitted_resource_type_has_its_actions_in_the_execution_role() {
    let table = table();
    let mut emitted = BTreeSet::new();
    for (spec, stacks) in specs() {
        let granted = granted(&stacks);
        for (id, r) in product_resources(&stacks) {
            let kind = r["Type"].as_str().expect("a type");
            emitted.insert(kind.to_owned());
            let actions = table
                .get(kind)
                .unwrap_or_else(|| panic!("{spec}: {id} is a {kind}, which no module's table has"));
            for action in *actions {
                assert!(
                    granted.contains(*action),
                    "{spec}: {id} ({kind}) needs {action}, which the execution role does not grant"
                );
            }
        }
    }
    // Every table entry is exercised: the specs emit every type a module may emit.
    let owned: BTreeSet<String> = table.keys().map(|k| (*k).to_owned()).collect();
    assert_eq!(emitted, owned);
}

#[test]
fn the_execution_role_grants_nothing_no_emitted_resource_type_needs() {
    let table = table();
    let mut unneeded = BTreeSet::new();
    for (spec, stacks) in specs() {
        let needed: BTreeSet<&str> = product_resources(&stacks)
            .iter()
            .flat_map(|(_, r)| table[r["Type"].as_str().expect("a type")].iter().copied())
            .collect();
        for action in granted(&stacks) {
            if !needed.contains(action.as_str()) {
                assert!(
                    UNNEEDED.contains(&action.as_str()),
                    "{spec}: the execution role grants {action}, which no emitted resource type needs"
                );
                unneeded.insert(action);
            }
        }
    }
    // The list cannot outlive the grants it excuses.
    let listed: BTreeSet<String> = UNNEEDED.iter().map(|a| (*a).to_owned()).collect();
    assert_eq!(unneeded, listed);
}

#[test]
fn every_role_a_template_creates_may_be_passed_to_its_service() {
    let mut gaps = BTreeSet::new();
    for (spec, stacks) in specs() {
        let pass = execution_statements(&stacks)
            .into_iter()
            .find(|s| s["Sid"] == "PassProductRoles")
            .expect("a PassRole statement");
        let passable = &pass["Condition"]["StringEquals"]["iam:PassedToService"];
        for (id, r) in product_resources(&stacks) {
            if r["Type"] != "AWS::IAM::Role" {
                continue;
            }
            let trust = &r["Properties"]["AssumeRolePolicyDocument"]["Statement"];
            for s in trust.as_array().expect("trust statements") {
                let service = s["Principal"]["Service"].as_str().expect("a service");
                let allowed = passable
                    .as_array()
                    .expect("a list")
                    .iter()
                    .any(|p| p == service);
                if !allowed {
                    gaps.insert(format!("{spec}: {id} trusts {service}"));
                }
            }
        }
    }
    assert!(
        gaps.is_empty(),
        "roles the execution role cannot pass: {gaps:#?}"
    );
}
