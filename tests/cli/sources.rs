//! The source map against the templates it describes: for single-field edits of acme-api
//! (overlays and explicit subnets among them), every resource property the edit changes is
//! traced to the edited field in the new side's map, and every resource it adds (removes) in
//! the new (old) side's map, as `diff::annotate` reports them; every traced resource exists
//! and every traced field is one the schema knows; `sources.json` is written, listed in the
//! manifest and the same bytes on every run; traced fields locate to the spec line (overlay
//! first) that sets them.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use byoa::cfn::emit::{Format, render};
use byoa::cfn::sources::SourceMap;
use byoa::diff::{self, Change, Stack};

use crate::{examples, synth_to};

/// One edit of acme-api: in `env`, with `given` applied to both sides, set `pointer` to
/// `value` (JSON text; `null` removes the field); every property it changes must be traced to
/// `field`.
struct Case {
    env: &'static str,
    given: &'static [(&'static str, &'static str)],
    pointer: &'static str,
    value: &'static str,
    field: &'static str,
}

const fn case(
    env: &'static str,
    pointer: &'static str,
    value: &'static str,
    field: &'static str,
) -> Case {
    Case {
        env,
        given: &[],
        pointer,
        value,
        field,
    }
}

/// Without compliance profiles, values the profiles forbid are valid (they still synthesize).
const NO_PROFILES: &[(&str, &str)] = &[("/compliance/profiles", "[]")];
/// Named zones instead of zones picked at launch (prod overlays the count).
const NAMED_ZONES: &[(&str, &str)] = &[
    ("/network/az_count", "null"),
    ("/environments/prod/network/az_count", "null"),
    (
        "/network/zones",
        r#"["us-east-1a", "us-east-1b", "us-east-1c"]"#,
    ),
];
/// Subnets listed in the spec instead of computed from the VPC's range.
const EXPLICIT_SUBNETS: &[(&str, &str)] = &[(
    "/network/subnets",
    r#"{"public": ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
        "private": ["10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"],
        "isolated": ["10.0.8.0/24", "10.0.9.0/24", "10.0.10.0/24"]}"#,
)];
/// No service behind the load balancer, and no profile asking for one.
const NOTHING_EXPOSED: &[(&str, &str)] = &[
    ("/compliance/profiles", "[]"),
    ("/services/0/expose", "null"),
];
/// io2 storage needs at least 100 GiB.
const BIG_STORAGE: &[(&str, &str)] = &[("/database/storage_gb", "100")];

const CASES: &[Case] = &[
    case(
        "prod",
        "/database/instance_class",
        r#""db.r6g.large""#,
        "database.instance_class",
    ),
    case(
        "prod",
        "/database/engine_version",
        r#""17.11""#,
        "database.engine_version",
    ),
    case("prod", "/database/storage_gb", "100", "database.storage_gb"),
    case(
        "prod",
        "/database/max_storage_gb",
        "300",
        "database.max_storage_gb",
    ),
    Case {
        given: BIG_STORAGE,
        ..case(
            "prod",
            "/database/storage_type",
            r#""io2""#,
            "database.storage_type",
        )
    },
    case("prod", "/database/name", r#""shop""#, "database.name"),
    case(
        "prod",
        "/database/backup_retention_days",
        "21",
        "database.backup_retention_days",
    ),
    case(
        "prod",
        "/database/backup_window",
        r#""03:00-04:00""#,
        "database.backup_window",
    ),
    case(
        "prod",
        "/database/maintenance_window",
        r#""sun:05:00-sun:06:00""#,
        "database.maintenance_window",
    ),
    case(
        "prod",
        "/database/performance_insights",
        "false",
        "database.performance_insights",
    ),
    Case {
        given: NO_PROFILES,
        ..case("prod", "/database/iam_auth", "false", "database.iam_auth")
    },
    Case {
        given: NO_PROFILES,
        ..case("prod", "/database/multi_az", "false", "database.multi_az")
    },
    Case {
        given: NO_PROFILES,
        ..case(
            "prod",
            "/database/deletion_protection",
            "false",
            "database.deletion_protection",
        )
    },
    // Overlays: the field's logical path, whichever document set it.
    case(
        "dev",
        "/environments/dev/database/multi_az",
        "true",
        "database.multi_az",
    ),
    case(
        "dev",
        "/environments/dev/database/backup_retention_days",
        "10",
        "database.backup_retention_days",
    ),
    case("prod", "/services/0/cpu", "256", "services.api.cpu"),
    case("prod", "/services/0/memory", "2048", "services.api.memory"),
    case("prod", "/services/0/port", "9090", "services.api.port"),
    case(
        "prod",
        "/services/0/expose/paths",
        r#"["/v1/*"]"#,
        "services.api.expose.paths",
    ),
    case(
        "prod",
        "/services/0/expose/host",
        r#""api.example.com""#,
        "services.api.expose.host",
    ),
    case(
        "prod",
        "/services/0/expose/health_check_path",
        r#""/ready""#,
        "services.api.expose.health_check_path",
    ),
    case(
        "prod",
        "/services/0/scaling/min",
        "3",
        "services.api.scaling.min",
    ),
    case(
        "prod",
        "/services/0/scaling/max",
        "12",
        "services.api.scaling.max",
    ),
    case(
        "prod",
        "/services/0/scaling/cpu_percent",
        "50",
        "services.api.scaling.cpu_percent",
    ),
    case(
        "prod",
        "/services/1/scaling/memory_percent",
        "70",
        "services.worker.scaling.memory_percent",
    ),
    case(
        "prod",
        "/services/0/scaling/requests_per_target",
        "500",
        "services.api.scaling.requests_per_target",
    ),
    case(
        "prod",
        "/services/1/environment",
        r#"{"MODE": "batch"}"#,
        "services.worker.environment",
    ),
    case(
        "prod",
        "/services/1/secrets",
        r#"{"TOKEN": "shared/token"}"#,
        "services.worker.secrets",
    ),
    case(
        "prod",
        "/services/1/uses_database",
        "false",
        "services.worker.uses_database",
    ),
    case(
        "prod",
        "/services/0/health_check_command",
        r#"["CMD-SHELL", "curl -f localhost"]"#,
        "services.api.health_check_command",
    ),
    case("prod", "/services/0/user", r#""2000""#, "services.api.user"),
    case(
        "prod",
        "/services/0/discovery",
        "true",
        "services.api.discovery",
    ),
    Case {
        given: NO_PROFILES,
        ..case(
            "prod",
            "/services/0/read_only_root_fs",
            "false",
            "services.api.read_only_root_fs",
        )
    },
    case(
        "dev",
        "/environments/dev/services/0/scaling/max",
        "3",
        "services.api.scaling.max",
    ),
    case("prod", "/network/cidr", r#""10.1.0.0/16""#, "network.cidr"),
    case("dev", "/network/az_count", "3", "network.az_count"),
    case("prod", "/network/nat", r#""single""#, "network.nat"),
    Case {
        // Services need a way out: `nat: none` is for a product without them.
        given: &[("/services", "[]"), ("/environments/dev/services", "[]")],
        ..case("prod", "/network/nat", r#""none""#, "network.nat")
    },
    case(
        "dev",
        "/environments/dev/network/nat",
        r#""per-az""#,
        "network.nat",
    ),
    Case {
        given: NAMED_ZONES,
        ..case(
            "prod",
            "/network/zones",
            r#"["us-east-1a", "us-east-1b", "us-east-1d"]"#,
            "network.zones",
        )
    },
    case(
        "prod",
        "/network/subnets",
        r#"{"public": ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
            "private": ["10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"],
            "isolated": ["10.0.8.0/24", "10.0.9.0/24", "10.0.10.0/24"]}"#,
        "network.subnets",
    ),
    Case {
        given: EXPLICIT_SUBNETS,
        ..case(
            "prod",
            "/network/subnets/public/2",
            r#""10.0.3.0/24""#,
            "network.subnets.public",
        )
    },
    case(
        "prod",
        "/network/flow_logs/traffic",
        r#""reject""#,
        "network.flow_logs.traffic",
    ),
    Case {
        given: NO_PROFILES,
        ..case(
            "prod",
            "/network/flow_logs/retention_days",
            "180",
            "network.flow_logs.retention_days",
        )
    },
    case(
        "prod",
        "/network/load_balancer/ssl_policy",
        r#""ELBSecurityPolicy-TLS13-1-2-Res-2021-06""#,
        "network.load_balancer.ssl_policy",
    ),
    case(
        "prod",
        "/network/load_balancer/idle_timeout_seconds",
        "120",
        "network.load_balancer.idle_timeout_seconds",
    ),
    case(
        "prod",
        "/network/load_balancer/access_log_retention_days",
        "30",
        "network.load_balancer.access_log_retention_days",
    ),
    Case {
        given: NO_PROFILES,
        ..case(
            "prod",
            "/network/load_balancer/deletion_protection",
            "false",
            "network.load_balancer.deletion_protection",
        )
    },
    case(
        "prod",
        "/access/vendor_role_arn",
        r#""arn:aws:iam::111111111111:role/ops""#,
        "access.vendor_role_arn",
    ),
    case("prod", "/access/require_mfa", "true", "access.require_mfa"),
    case(
        "prod",
        "/access/source_cidrs",
        r#"["203.0.113.0/24"]"#,
        "access.source_cidrs",
    ),
    case(
        "prod",
        "/access/max_session_hours",
        "4",
        "access.max_session_hours",
    ),
    case(
        "prod",
        "/access/vendor_role_arn",
        r#""arn:aws:iam::111111111111:role/other-deploy""#,
        "access.vendor_role_arn",
    ),
    case("prod", "/product/owner", r#""ops""#, "product.owner"),
    case(
        "prod",
        "/product/tags",
        r#"{"cost-center": "shared"}"#,
        "product.tags",
    ),
    case(
        "prod",
        "/monitoring/dashboard",
        "false",
        "monitoring.dashboard",
    ),
    Case {
        given: NO_PROFILES,
        ..case(
            "prod",
            "/monitoring/log_retention_days",
            "30",
            "monitoring.log_retention_days",
        )
    },
    case(
        "prod",
        "/compliance/enforce_in_account",
        "true",
        "compliance.enforce_in_account",
    ),
    case(
        "prod",
        "/database/read_replicas",
        "2",
        "database.read_replicas",
    ),
    Case {
        given: NOTHING_EXPOSED,
        ..case(
            "prod",
            "/network/load_balancer/enabled",
            "false",
            "network.load_balancer.enabled",
        )
    },
    case(
        "prod",
        "/database/max_storage_gb",
        "null",
        "database.max_storage_gb",
    ),
    Case {
        // Another metric stays: a `max` above `min` with no metric is refused.
        given: &[("/services/0/scaling/memory_percent", "70")],
        ..case(
            "prod",
            "/services/0/scaling/cpu_percent",
            "null",
            "services.api.scaling.cpu_percent",
        )
    },
    case("prod", "/services/1/port", "9000", "services.worker.port"),
    case("prod", "/services/0/expose", "null", "services.api.expose"),
    case("prod", "/product/name", r#""acme-web""#, "product.name"),
    case(
        "dev",
        "/environments/dev/network/az_count",
        "3",
        "network.az_count",
    ),
    Case {
        given: NO_PROFILES,
        ..case(
            "prod",
            "/monitoring/audit_trail",
            "false",
            "monitoring.audit_trail",
        )
    },
    Case {
        given: NO_PROFILES,
        ..case(
            "prod",
            "/network/load_balancer/waf",
            "false",
            "network.load_balancer.waf",
        )
    },
    Case {
        given: NO_PROFILES,
        ..case(
            "prod",
            "/network/load_balancer/access_logs",
            "false",
            "network.load_balancer.access_logs",
        )
    },
    Case {
        given: NO_PROFILES,
        ..case(
            "prod",
            "/network/flow_logs/enabled",
            "false",
            "network.flow_logs.enabled",
        )
    },
    // The region itself changes no template: they launch in any region the residency allows.
    case("prod", "/residency", r#""us""#, "residency"),
];

fn acme_api() -> Value {
    let path = crate::root().join("examples/acme-api/byoa.yaml");
    let text = std::fs::read_to_string(&path).expect("acme-api spec");
    byoa::spec::source::parse(&path, &text)
        .expect("acme-api parses")
        .value
}

/// Sets (or, for `null`, removes) the value at `pointer`, creating parent mappings.
fn set(doc: &mut Value, pointer: &str, value: &Value) {
    let (parent, last) = pointer.rsplit_once('/').expect("a pointer");
    if doc.pointer(parent).is_none() {
        set(doc, parent, &serde_json::json!({}));
    }
    match doc.pointer_mut(parent) {
        Some(Value::Object(m)) if value.is_null() => {
            m.shift_remove(last);
        }
        Some(Value::Object(m)) => {
            m.insert(last.to_owned(), value.clone());
        }
        Some(Value::Array(a)) => a[last.parse::<usize>().expect("an index")] = value.clone(),
        _ => panic!("`{pointer}` is inside a scalar"),
    }
}

fn edited(doc: &Value, edits: &[(&str, &str)]) -> Value {
    let mut doc = doc.clone();
    for (pointer, value) in edits {
        let value: Value = serde_json::from_str(value).expect("JSON value");
        set(&mut doc, pointer, &value);
    }
    doc
}

/// The templates and source map of `doc` in `env`.
fn synthesize(doc: &Value, env: &str) -> Result<(Vec<Stack>, SourceMap), String> {
    let text = render(doc, Format::Yaml);
    let loaded = byoa::spec::load_str(
        Path::new("byoa.yaml"),
        &text,
        Some(env),
        byoa::policy::catalogue(),
    )
    .map_err(|d| format!("{:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>()))?;
    let output =
        byoa::commands::synth::synthesize(&loaded, Format::Yaml).map_err(|d| format!("{d:?}"))?;
    let stacks = output
        .templates
        .iter()
        .map(|t| Stack::new(&t.stack.module, &t.file, t.stack.template.to_value()))
        .collect();
    Ok((stacks, output.sources))
}

#[test]
fn every_property_a_spec_edit_changes_is_traced_to_the_edited_field() {
    let base = acme_api();
    let mut problems = Vec::new();
    for c in CASES {
        let what = format!("{} {} = {}", c.env, c.pointer, c.value);
        let before_doc = edited(&base, c.given);
        let after_doc = edited(&before_doc, &[(c.pointer, c.value)]);
        let (before, old_map) =
            synthesize(&before_doc, c.env).unwrap_or_else(|e| panic!("{what}: {e}"));
        let (after, new_map) =
            synthesize(&after_doc, c.env).unwrap_or_else(|e| panic!("{what}: {e}"));
        let mut d = diff::diff(&before, &after);
        diff::annotate(&mut d, Some(&old_map), &new_map);
        // A field traced inside the edited one (`network.subnets.public` for an edit of
        // `network.subnets`) counts.
        let inside = format!("{}.", c.field);
        let traced = |spec: &[String]| spec.iter().any(|f| *f == c.field || f.starts_with(&inside));
        let mut rows = 0;
        for s in &d.stacks {
            for r in &s.resources {
                if r.change != Change::Modified {
                    // Added (removed): the new (old) map says why it exists.
                    rows += 1;
                    if !traced(&r.spec) {
                        problems.push(format!(
                            "{what}: {} {} ({:?}) exists by {:?}, not `{}`",
                            s.stack, r.logical_id, r.change, r.spec, c.field
                        ));
                    }
                    continue;
                }
                for p in r.properties.iter().filter(|p| !p.propagated) {
                    // The root passes each nested stack the parameters its template declares:
                    // those follow the child's template, whose own rows name the field.
                    if r.kind == "AWS::CloudFormation::Stack" && p.path == "Parameters" {
                        continue;
                    }
                    rows += 1;
                    if !traced(&p.spec) {
                        problems.push(format!(
                            "{what}: {} {} {} is traced to {:?}, not `{}`",
                            s.stack, r.logical_id, p.path, p.spec, c.field
                        ));
                    }
                }
            }
        }
        // An edit that changes no resource proves nothing: the table must not rot.
        if rows == 0 {
            problems.push(format!("{what}: changes no resource"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The schema's definition at a dotted field path (`services.api.scaling.min`), services
/// named by name.
fn schema_field<'a>(schema: &'a Value, path: &str) -> Option<&'a Value> {
    let resolve = |v: &'a Value| -> &'a Value {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => schema
                .pointer(r.trim_start_matches('#'))
                .expect("a resolvable $ref"),
            None => v,
        }
    };
    let mut here = schema;
    let mut parts = path.split('.');
    while let Some(part) = parts.next() {
        // `Option<T>` fields are `anyOf: [T, null]` or `type: [.., null]`.
        let node = resolve(here);
        let node = node
            .get("anyOf")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|v| v.get("type") != Some(&"null".into())))
            .map_or(node, resolve);
        here = node.get("properties")?.get(part)?;
        if part == "services" {
            parts.next()?; // the service's name
            here = here.get("items")?;
        }
    }
    Some(here)
}

#[test]
fn every_traced_resource_exists_and_every_traced_field_is_in_the_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::root().join("schemas/byoa.schema.json")).expect("schema"),
    )
    .expect("schema JSON");
    let mut seen = BTreeSet::new();
    for (spec, envs) in examples() {
        for env in envs.iter().map(String::as_str) {
            let text = std::fs::read_to_string(&spec).expect("example");
            let doc = byoa::spec::source::parse(&spec, &text)
                .expect("parses")
                .value;
            let (stacks, map) = synthesize(&doc, env).expect("example synthesizes");
            for (stack, sources) in &map.stacks {
                let template = stacks
                    .iter()
                    .find(|s| &s.name == stack)
                    .unwrap_or_else(|| panic!("the map names stack `{stack}`"))
                    .template();
                for id in sources.traced_resources() {
                    assert!(
                        template["Resources"].get(id).is_some(),
                        "{stack}: `{id}` is traced but not a resource"
                    );
                    for f in sources.resource_fields(id) {
                        assert!(
                            schema_field(&schema, f).is_some(),
                            "{stack} {id}: `{f}` is not a spec field"
                        );
                        seen.insert(f.to_owned());
                    }
                }
                for (id, property, fields) in sources.entries() {
                    assert!(
                        template["Resources"].get(id).is_some(),
                        "{stack}: `{id}` is traced but not a resource"
                    );
                    for f in fields {
                        assert!(
                            schema_field(&schema, f).is_some(),
                            "{stack} {id} {property}: `{f}` is not a spec field"
                        );
                        seen.insert(f.clone());
                    }
                }
            }
        }
    }
    assert!(
        seen.len() > 40,
        "only {} fields traced: {seen:?}",
        seen.len()
    );
    assert!(schema_field(&schema, "database.instance_klass").is_none());
}

#[test]
fn sources_json_is_written_listed_and_deterministic() {
    let spec = crate::root().join("examples/acme-api/byoa.yaml");
    let a = synth_to(&spec, Some("prod"), "yaml");
    let b = synth_to(&spec, Some("prod"), "json");
    let read = |d: &tempfile::TempDir| {
        std::fs::read_to_string(d.path().join(byoa::cfn::sources::FILE)).expect("sources.json")
    };
    assert_eq!(read(&a), read(&b), "the map does not depend on the format");
    let manifest = byoa::synth::read_manifest(a.path()).expect("manifest");
    assert_eq!(manifest.sources.as_deref(), Some("sources.json"));
    let map = SourceMap::from_json(&read(&a)).expect("reads back");
    assert_eq!(
        map.fields("database", "Database", "DBInstanceClass"),
        ["database.instance_class"]
    );
    // A manifest written before the map existed still reads.
    let mut old: Value = serde_json::from_str(&manifest.to_json()).expect("JSON");
    old.as_object_mut().expect("object").shift_remove("sources");
    let old: byoa::synth::Manifest = serde_json::from_value(old).expect("old manifest reads");
    assert!(old.sources.is_none());
}

#[test]
fn traced_fields_of_acme_api_locate_to_the_lines_that_set_them() {
    let spec = crate::root().join("examples/acme-api/byoa.yaml");
    let text = std::fs::read_to_string(&spec).expect("acme-api");
    // The line of the `nth` occurrence (1-based) of `needle`.
    let line_of = |needle: &str, nth: usize| {
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .nth(nth - 1)
            .map(|(i, _)| i + 1)
            .unwrap_or_else(|| panic!("acme-api has no `{needle}` #{nth}"))
    };
    let cases = [
        (
            "prod",
            "database.instance_class",
            line_of("instance_class:", 1),
        ),
        ("prod", "database.multi_az", line_of("multi_az:", 1)),
        ("dev", "database.multi_az", line_of("multi_az:", 2)),
        ("prod", "network.az_count", line_of("az_count:", 2)),
        ("dev", "network.az_count", line_of("az_count:", 1)),
        (
            "prod",
            "services.worker.scaling.max",
            line_of("scaling:", 2),
        ),
        ("dev", "services.api.scaling.max", line_of("scaling:", 3)),
    ];
    for (env, field, line) in cases {
        let loaded = byoa::spec::load(&spec, Some(env), byoa::policy::catalogue()).expect("valid");
        let (_, map) = synthesize(&acme_api(), env).expect("synthesizes");
        let traced = map
            .stacks
            .values()
            .flat_map(|s| s.entries())
            .any(|(_, _, fields)| fields.contains(field));
        assert!(traced, "{env}: `{field}` is in no trace");
        assert_eq!(loaded.locate_field(field).line, line, "{env} {field}");
    }
}
