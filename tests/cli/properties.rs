//! Property tests: every spec the generator builds validates and synthesizes into templates
//! that keep the spec's promises (its subnets, one stack per service) and whose YAML and JSON
//! forms are fixed points of emit -> parse -> emit. Arbitrary text never panics the loader.
//!
//! The generator covers what users write: derived and explicit subnets, named and launch-time
//! zones, compliance profiles with the exceptions their deviations need, an environment overlay
//! selected at load, and names at their bounds or shaped like byoa's own module names.

use std::collections::BTreeSet;
use std::path::Path;

use ipnet::Ipv4Net;
use proptest::prelude::*;
use serde_json::{Value, json};

use byoa::cfn::emit::{Format, render};

/// Service names: one letter, byoa's own module words, digits and hyphens, and the 24-character
/// maximum. No two differ only in hyphens (validation rejects that).
const SERVICE_NAMES: &[&str] = &[
    "a",
    "api",
    "database",
    "flow",
    "network",
    "monitoring",
    "access",
    "cluster",
    "root",
    "service",
    "worker-2",
    "x1-y2-z3",
    "abcdefghijklmnopqrstuvwx",
];

/// Names whose ids would take one of byoa's fixed ids (`DatabaseCpuAlarm`, `FlowLogGroupName`):
/// validation refuses them with `service.reserved-name`. The generator still picks them, and the
/// property then expects exactly that refusal (before naming owned ids, `database` passed
/// `validate` and panicked `synth`).
const RESERVED_NAMES: &[&str] = &["database", "flow"];

/// Product names: the two-character minimum, digits and hyphens, the 32-character maximum.
const PRODUCT_NAMES: &[&str] = &["ab", "prop", "a1-b2", "abcdefghij-abcdefghij-abcdefghij"];

/// Environment names: short, with digits and hyphens, and the 16-character maximum.
const ENVIRONMENTS: &[&str] = &["dev", "prod", "e2", "qa-1", "abcdefghijklmnop"];

const PROFILES: &[&str] = &["soc2", "hipaa", "pci-dss", "iso27001", "gdpr"];

fn service(name: &'static str, lb: bool) -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec![(256u32, 512u32), (512, 1024), (1024, 2048), (2048, 8192)]),
        prop::option::of(1024u16..9000),
        any::<bool>(),
        any::<bool>(),
        1u32..4,
    )
        .prop_map(move |((cpu, memory), port, expose, uses_db, min)| {
            let mut s = json!({"name": name, "cpu": cpu, "memory": memory,
                "uses_database": uses_db, "scaling": {"min": min, "max": min + 2, "cpu_percent": 60}});
            if let Some(p) = port {
                s["port"] = json!(p);
                if expose && lb {
                    s["expose"] = json!({"paths": [format!("/{name}/*")]});
                }
            }
            s
        })
}

/// `count` CIDRs per tier for `vpc`, cut into 32 equal blocks and handed out in `order`.
fn explicit_subnets(vpc: Ipv4Net, count: usize, order: &[usize]) -> Value {
    let blocks: Vec<String> = vpc
        .subnets(vpc.prefix_len() + 5)
        .expect("the VPC is /22 or larger")
        .map(|n| n.to_string())
        .collect();
    let tier = |t: usize| -> Vec<&String> {
        order[t * count..(t + 1) * count]
            .iter()
            .map(|i| &blocks[*i])
            .collect()
    };
    json!({"public": tier(0), "private": tier(1), "isolated": tier(2)})
}

/// The rules a spec's deviations break, so that a spec with profiles can carry the exceptions
/// that accept them (thresholds as in `spec::compliance`).
fn deviations(spec: &Value) -> Vec<&'static str> {
    let n = &spec["network"];
    let flow = &n["flow_logs"];
    let days = flow["retention_days"].as_u64().expect("generated");
    let mut rules = Vec::new();
    if flow["enabled"] == json!(false) {
        rules.push("VPC_FLOW_LOGS_ENABLED");
    } else {
        if days < 90 {
            rules.push("CW_LOGGROUP_RETENTION_PERIOD_CHECK");
        }
        if days < 365 {
            rules.push("AUDIT_LOG_RETENTION_ONE_YEAR");
        }
    }
    if n["load_balancer"]["enabled"] == json!(true)
        && n["load_balancer"]["access_logs"] == json!(false)
    {
        rules.push("ELB_LOGGING_ENABLED");
    }
    if spec["database"]["multi_az"] == json!(false) {
        rules.push("RDS_MULTI_AZ_SUPPORT");
    }
    if spec["monitoring"]["audit_trail"] == json!(false) {
        rules.push("CLOUDTRAIL_IS_LOGGING");
    }
    rules
}

/// A generated spec and the environment to load it for.
#[derive(Debug, Clone)]
pub(crate) struct Generated {
    pub(crate) spec: Value,
    pub(crate) env: Option<&'static str>,
}

pub(crate) fn spec() -> impl Strategy<Value = Generated> {
    let names: Vec<&'static str> = SERVICE_NAMES.to_vec();
    let network = (
        (16u8..=22, 0u8..=255),
        prop_oneof![(2u8..=6).prop_map(Some), Just(None)],
        any::<bool>(),
        prop::sample::select(vec!["per-az", "single", "none"]),
        (
            any::<bool>(),
            prop::sample::select(vec![1u32, 30, 90, 365, 3653]),
        ),
        (any::<bool>(), any::<bool>()),
        prop::option::of(Just((0..32).collect::<Vec<usize>>()).prop_shuffle()),
    );
    let product = (
        prop::sample::select(PRODUCT_NAMES),
        prop::option::of((20u32..200, any::<bool>(), 0u8..=2)),
        prop::sample::subsequence(names, 0..=4),
        (prop::sample::subsequence(PROFILES, 0..=2), any::<bool>()),
        any::<bool>(),
        prop::option::of((
            prop::sample::select(ENVIRONMENTS),
            prop::sample::select(vec!["per-az", "single", "none"]),
            any::<bool>(),
        )),
        // The deployer trusts one named vendor role, or (with a warning) the whole account.
        any::<bool>(),
    );
    (network, product).prop_flat_map(
        |(
            ((prefix, second), azs, named, nat, flow, (lb, logs), order),
            (product, db, names, (profiles, enforce), audit_trail, overlay, whole_account),
        )| {
            let services: Vec<_> = names.iter().map(|n| service(n, lb)).collect();
            services.prop_map(move |services| {
                let vpc: Ipv4Net = format!("10.{second}.0.0/{prefix}").parse().expect("CIDR");
                // Services need a way out (`nat: none` with services is refused).
                let nat = if nat == "none" && !names.is_empty() { "single" } else { nat };
                let mut network = json!({
                    "cidr": vpc.to_string(),
                    "nat": nat,
                    "flow_logs": {"enabled": flow.0, "retention_days": flow.1},
                    "load_balancer": {"enabled": lb, "access_logs": logs},
                });
                let count = azs.unwrap_or(2);
                if named {
                    let zones: Vec<String> =
                        "abcdef".chars().take(count.into()).map(|c| format!("us-east-1{c}")).collect();
                    network["zones"] = json!(zones);
                } else if let Some(c) = azs {
                    network["az_count"] = json!(c);
                }
                if let Some(order) = &order {
                    network["subnets"] = explicit_subnets(vpc, count.into(), order);
                }
                let mut spec = json!({
                    "product": {"name": product, "vendor_account_id": "210987654321"},
                    "region": "us-east-1",
                    "network": network,
                    "services": services,
                    "monitoring": {"audit_trail": audit_trail},
                    "access": if whole_account {
                        json!({"trust_whole_account": true})
                    } else {
                        json!({"vendor_role_arn": "arn:aws:iam::210987654321:role/byoa-deploy"})
                    },
                });
                if let Some((storage, multi_az, replicas)) = db {
                    spec["database"] =
                        json!({"storage_gb": storage, "multi_az": multi_az, "read_replicas": replicas});
                } else if let Some(services) = spec["services"].as_array_mut() {
                    // A service can only use a database the product has.
                    for s in services {
                        s["uses_database"] = json!(false);
                    }
                }
                if !profiles.is_empty() {
                    // Every deviation needs an exception once a profile is selected.
                    let mut exceptions: Vec<Value> = deviations(&spec)
                        .into_iter()
                        .map(|rule| json!({"rule": rule, "reason": "accepted by the property test"}))
                        .collect();
                    exceptions.push(json!({"rule": "S3_BUCKET_VERSIONING_ENABLED",
                        "resource": "UploadsBucket", "reason": "a resource this spec may not have",
                        "expires": "2999-12-31"}));
                    spec["compliance"] = json!({"profiles": profiles,
                        "enforce_in_account": enforce, "exceptions": exceptions});
                }
                let env = overlay.map(|(env, nat, dashboard)| {
                    // Compliance-neutral changes; a service is merged by its name.
                    let nat = if nat == "none" && !names.is_empty() { "single" } else { nat };
                    let mut o = json!({"network": {"nat": nat}, "monitoring": {"dashboard": dashboard}});
                    if let Some(first) = names.first() {
                        o["services"] = json!([{"name": first, "scaling": {"min": 1, "max": 5}}]);
                    }
                    spec["environments"] = json!({env: o});
                    env
                });
                Generated { spec, env }
            })
        },
    )
}

fn fixed_point(value: &Value) {
    let yaml = render(value, Format::Yaml);
    let back: Value = serde_saphyr::from_str(&yaml).expect("emitted YAML parses");
    assert_eq!(&back, value, "YAML round trip changed the template");
    assert_eq!(render(&back, Format::Yaml), yaml);
    let json = render(value, Format::Json);
    let back: Value = serde_json::from_str(&json).expect("emitted JSON parses");
    assert_eq!(render(&back, Format::Json), json);
}

/// The CIDR blocks of the subnets in `template`.
fn subnets(template: &Value) -> Vec<Ipv4Net> {
    template["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, r)| r["Type"] == "AWS::EC2::Subnet")
        .map(|(id, r)| {
            r["Properties"]["CidrBlock"]
                .as_str()
                .and_then(|c| c.parse().ok())
                .unwrap_or_else(|| panic!("{id} has no literal CIDR block"))
        })
        .collect()
}

/// The subnets the spec asks for, or those byoa derives: one per zone and tier, inside the VPC,
/// none overlapping another.
fn assert_subnets_kept(spec: &Value, got: &[Ipv4Net]) {
    let n = &spec["network"];
    if let Some(listed) = n.get("subnets") {
        let want: BTreeSet<Ipv4Net> = ["public", "private", "isolated"]
            .iter()
            .flat_map(|t| listed[t].as_array().expect("generated"))
            .map(|c| c.as_str().and_then(|c| c.parse().ok()).expect("generated"))
            .collect();
        let got: BTreeSet<Ipv4Net> = got.iter().copied().collect();
        assert_eq!(got, want, "the network template changed the listed subnets");
        return;
    }
    let vpc: Ipv4Net = n["cidr"]
        .as_str()
        .and_then(|c| c.parse().ok())
        .expect("generated");
    let zones = n["zones"]
        .as_array()
        .map(Vec::len)
        .or(n["az_count"].as_u64().map(|c| c as usize))
        .unwrap_or(2);
    assert_eq!(got.len(), 3 * zones, "{got:?}");
    for (i, a) in got.iter().enumerate() {
        assert!(vpc.contains(a), "{a} is outside {vpc}");
        for b in &got[i + 1..] {
            assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}");
        }
    }
}

/// Whether any service of the spec has a name validation refuses.
pub(crate) fn reserved(spec: &Value) -> bool {
    spec["services"].as_array().is_some_and(|services| {
        services
            .iter()
            .any(|s| RESERVED_NAMES.iter().any(|n| s["name"] == *n))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_generated_spec_synthesizes_cleanly(g in spec()) {
        let text = render(&g.spec, Format::Yaml);
        let result = byoa::spec::load_str(Path::new("gen.yaml"), &text, g.env, byoa::policy::catalogue());
        if reserved(&g.spec) {
            let diags = result.err().unwrap_or_else(|| panic!("a reserved service name passed\n{text}"));
            let codes: BTreeSet<&str> = diags.iter().map(|d| d.code.as_str()).collect();
            let mut expected = BTreeSet::from(["service.reserved-name"]);
            if g.spec["access"]["trust_whole_account"] == true {
                expected.insert("access.whole-account");
            }
            // With the hook on, exceptions that expire or name no resource never reach it.
            let compliance = &g.spec["compliance"];
            if compliance["enforce_in_account"] == true
                && compliance["exceptions"].as_array().is_some_and(|list| {
                    list.iter().any(|e| e.get("resource").is_none() || e.get("expires").is_some())
                })
            {
                expected.insert("compliance.hook-exception");
            }
            prop_assert_eq!(codes, expected, "{}", text);
            return Ok(());
        }
        let loaded = match result {
            Ok(l) => l,
            Err(d) => panic!("generated spec rejected: {d:#?}\n{text}"),
        };
        // `synthesize` refuses templates with dangling references, duplicate or malformed logical
        // ids, or over CloudFormation's limits; what it does not check is asserted below.
        let output = byoa::commands::synth::synthesize(&loaded, Format::Yaml)
            .unwrap_or_else(|p| panic!("{p:#?}\n{text}"));
        let services = g.spec["services"].as_array().map_or(0, Vec::len);
        let shared = 3 + usize::from(services > 0) + usize::from(g.spec.get("database").is_some());
        prop_assert_eq!(output.templates.len(), shared + 1 + services, "{}", text);
        let stack_names: BTreeSet<&str> =
            output.templates.iter().map(|t| t.stack.stack_name.as_str()).collect();
        let files: BTreeSet<&str> = output.templates.iter().map(|t| t.file.as_str()).collect();
        prop_assert_eq!(stack_names.len(), output.templates.len(), "stack names collide");
        prop_assert_eq!(files.len(), output.templates.len(), "template files collide");
        // The deployer trusts the whole vendor account only when the spec says so.
        let access = output.templates.iter().find(|t| t.stack.module == "access").expect("access");
        let trusted = access.stack.template.to_value()["Resources"]["DeployerRole"]["Properties"]
            ["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"].to_string();
        prop_assert_eq!(trusted.contains(":root"), g.spec["access"]["trust_whole_account"] == true, "{}", trusted);
        for t in &output.templates {
            let value = t.stack.template.to_value();
            if t.stack.module == "network" {
                assert_subnets_kept(&g.spec, &subnets(&value));
            } else {
                prop_assert!(subnets(&value).is_empty(), "{} declares subnets", t.file);
            }
            fixed_point(&value);
            // The source map names only resources the template has.
            let sources = &output.sources.stacks[&t.stack.module];
            let traced = sources.entries().map(|(id, _, _)| id).chain(sources.traced_resources());
            for id in traced {
                prop_assert!(
                    value["Resources"].get(id).is_some(),
                    "{} traces {id}, which it does not hold\n{}", t.file, text
                );
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics_the_loader(text in "\\PC{0,400}") {
        let _ = byoa::spec::load_str(Path::new("any.yaml"), &text, None, byoa::policy::catalogue());
    }

    #[test]
    fn arbitrary_yaml_shaped_text_never_panics_the_loader(
        lines in prop::collection::vec("( {0,4})(product|region|network|cidr|az_count|nat|-|name|services|environments|dev)(: ?)(\\[|\\{|[a-z0-9./-]{0,12}|\"[a-z]*\"|&a|\\*a|~)?", 0..20)
    ) {
        let text = lines.join("\n");
        let _ = byoa::spec::load_str(Path::new("any.yaml"), &text, None, byoa::policy::catalogue());
        let _ = byoa::spec::load_str(Path::new("any.yaml"), &text, Some("dev"), byoa::policy::catalogue());
    }
}
