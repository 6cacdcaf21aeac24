//! Tests that hold the execution role against what the emitted templates need: every resource
//! type of every product stack has its actions granted, and nothing is granted that no emitted
//! resource type needs (beyond a named, checked list). They read the templates `build_all`
//! emits for both examples (dev and prod), for one spec with every feature on and for the
//! network fixture (the customer's VPC; endpoints without NAT).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::{Stack, access, build_all, resource_actions};

/// Every feature that adds resources or permissions: flow logs, load balancer with access logs
/// and WAF, a database with a replica, exposed and internal services with discovery, every
/// scaling metric and task permissions, dashboard and audit trail.
const EVERYTHING: &str = r#"
product: {name: full, vendor_account_id: "111111111111"}
access: {vendor_role_arn: "arn:aws:iam::111111111111:role/byoa-deploy"}
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
    permissions:
      - {actions: [secretsmanager:GetSecretValue], resources: [byoa:database-secret]}
      - {actions: [logs:PutLogEvents], resources: [byoa:log-group]}
  - {name: worker, discovery: true}
monitoring: {dashboard: true, audit_trail: true}
"#;

/// Granted although no emitted resource type needs them: no product template reads an SSM
/// parameter. The least-privilege work removes them (and this list with them).
const UNNEEDED: &[&str] = &["ssm:GetParameter", "ssm:GetParameters"];

fn specs() -> Vec<(String, Vec<Stack>)> {
    let mut out = vec![];
    for example in ["acme-api", "acme-50", "acme-api-enterprise"] {
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
    // The customer's own VPC (security groups only) and byoa's VPC with endpoints, no NAT.
    let network = format!(
        "{}/tests/fixtures/network/byoa.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&network).expect("the fixture exists");
    for env in ["customer-vpc", "endpoints"] {
        let loaded =
            crate::spec::load_str(Path::new(&network), &text, Some(env), &Default::default())
                .expect("valid");
        let stacks = build_all(&loaded.model, "yaml").expect("builds");
        out.push((format!("network fixture {env}"), stacks));
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

/// The access stack's template.
fn access_template(stacks: &[Stack]) -> Value {
    stacks
        .iter()
        .find(|s| s.module == access::MODULE)
        .expect("an access stack")
        .template
        .to_value()
}

/// The Allow statements of the execution role's managed policies.
fn execution_statements(stacks: &[Stack]) -> Vec<Value> {
    let access = access_template(stacks);
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

/// What CloudFormation calls for `r`: its type's actions, and `iam:AttachRolePolicy` for a role
/// that attaches managed policies (the only resources that need it).
fn needed_by<'t>(table: &BTreeMap<&str, &'t [&'t str]>, id: &str, r: &Value) -> Vec<&'t str> {
    let kind = r["Type"].as_str().expect("a type");
    let mut out = table
        .get(kind)
        .unwrap_or_else(|| panic!("{id} is a {kind}, which no module's table has"))
        .to_vec();
    if kind == "AWS::IAM::Role" && r["Properties"].get("ManagedPolicyArns").is_some() {
        out.push("iam:AttachRolePolicy");
    }
    out
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
            for action in needed_by(&table, &id, &r) {
                assert!(
                    granted.contains(action),
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
            .flat_map(|(id, r)| needed_by(&table, id, r))
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

fn strings(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

#[test]
fn every_role_of_a_product_template_carries_the_boundary_that_allows_its_actions() {
    for (spec, stacks) in specs() {
        let boundary =
            access_template(&stacks)["Resources"]["PermissionsBoundary"]["Properties"].clone();
        let arn = format!(
            "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy{}{}",
            boundary["Path"].as_str().expect("a path"),
            boundary["ManagedPolicyName"].as_str().expect("a name")
        );
        let statements = boundary["PolicyDocument"]["Statement"]
            .as_array()
            .expect("statements")
            .clone();
        let allowed: BTreeSet<String> = statements
            .iter()
            .filter(|s| s["Effect"] == "Allow")
            .flat_map(|s| strings(&s["Action"]))
            .map(|a| a.as_str().expect("an action").to_owned())
            .collect();
        let attach = execution_statements(&stacks)
            .into_iter()
            .find(|s| s["Sid"] == "AttachDeclaredPolicies");
        let mut roles = 0;
        for (id, r) in product_resources(&stacks) {
            if r["Type"] != "AWS::IAM::Role" {
                continue;
            }
            roles += 1;
            let p = &r["Properties"];
            assert_eq!(
                p["PermissionsBoundary"]["Fn::Sub"],
                arn.as_str(),
                "{spec}: {id}"
            );
            for inline in p["Policies"].as_array().into_iter().flatten() {
                for s in inline["PolicyDocument"]["Statement"]
                    .as_array()
                    .expect("statements")
                {
                    for a in strings(&s["Action"]) {
                        let a = a.as_str().expect("an action");
                        assert!(
                            allowed.contains(a),
                            "{spec}: {id} is granted {a}, which its boundary does not allow"
                        );
                    }
                }
            }
            for policy in p["ManagedPolicyArns"].as_array().into_iter().flatten() {
                let attach = attach.as_ref().unwrap_or_else(|| {
                    panic!("{spec}: {id} attaches {policy}, which the execution role may not")
                });
                assert!(
                    strings(&attach["Condition"]["ArnEquals"]["iam:PolicyARN"]).contains(policy),
                    "{spec}: {id} attaches {policy}, which is not on the allow-list"
                );
            }
        }
        assert!(
            roles > 0,
            "{spec} has no role: the test would prove nothing"
        );
    }
}
