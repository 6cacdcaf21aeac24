//! Property tests: every spec the generator builds validates and synthesizes into templates
//! whose references resolve, whose logical ids are unique, and whose YAML and JSON forms are
//! fixed points of emit -> parse -> emit. Arbitrary text never panics the loader.

use std::path::Path;

use proptest::prelude::*;
use serde_json::{Value, json};

use byoa::cfn::emit::{Format, render};

fn service(i: usize, lb: bool) -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec![(256u32, 512u32), (512, 1024), (1024, 2048), (2048, 8192)]),
        prop::option::of(1024u16..9000),
        any::<bool>(),
        any::<bool>(),
        1u32..4,
    )
        .prop_map(move |((cpu, memory), port, expose, uses_db, min)| {
            let mut s = json!({"name": format!("svc{i}"), "cpu": cpu, "memory": memory,
                "uses_database": uses_db, "scaling": {"min": min, "max": min + 2, "cpu_percent": 60}});
            if let Some(p) = port {
                s["port"] = json!(p);
                if expose && lb {
                    s["expose"] = json!({"paths": [format!("/svc{i}/*")]});
                }
            }
            s
        })
}

pub(crate) fn spec() -> impl Strategy<Value = Value> {
    (
        16u8..=22,
        0u8..=255,
        prop_oneof![(2u8..=6).prop_map(Some), Just(None)],
        any::<bool>(),
        prop::sample::select(vec!["per-az", "single", "none"]),
        (any::<bool>(), prop::sample::select(vec![1u32, 30, 365, 3653])),
        (any::<bool>(), any::<bool>()),
        prop::option::of((20u32..200, any::<bool>(), 0u8..=2)),
        0usize..4,
    )
        .prop_flat_map(|(prefix, second, azs, named, nat, flow, (lb, logs), db, n)| {
            let services: Vec<_> = (0..n).map(|i| service(i, lb)).collect();
            services.prop_map(move |services| {
                let mut network = json!({
                    "cidr": format!("10.{second}.0.0/{prefix}"),
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
                let mut spec = json!({
                    "product": {"name": "prop", "vendor_account_id": "123456789012"},
                    "region": "us-east-1",
                    "network": network,
                    "services": services,
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
                spec
            })
        })
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_generated_spec_synthesizes_cleanly(spec in spec()) {
        let text = render(&spec, Format::Yaml);
        let loaded = match byoa::spec::load_str(Path::new("gen.yaml"), &text, None) {
            Ok(l) => l,
            Err(d) => panic!("generated spec rejected: {d:#?}\n{text}"),
        };
        let output = byoa::synth::render(&loaded, Format::Yaml)
            .unwrap_or_else(|p| panic!("{p:#?}\n{text}"));
        for t in &output.templates {
            // References, logical ids and limits (`add_resource` already refuses duplicate ids).
            let value = t.stack.template.to_value();
            let problems = byoa::cfn::check::problems(&t.file, &t.stack.template, &value, t.body.len());
            prop_assert!(problems.is_empty(), "{problems:#?}");
            fixed_point(&value);
        }
    }

    #[test]
    fn arbitrary_text_never_panics_the_loader(text in "\\PC{0,400}") {
        let _ = byoa::spec::load_str(Path::new("any.yaml"), &text, None);
    }

    #[test]
    fn arbitrary_yaml_shaped_text_never_panics_the_loader(
        lines in prop::collection::vec("( {0,4})(product|region|network|cidr|az_count|nat|-|name|services|environments|dev)(: ?)(\\[|\\{|[a-z0-9./-]{0,12}|\"[a-z]*\"|&a|\\*a|~)?", 0..20)
    ) {
        let text = lines.join("\n");
        let _ = byoa::spec::load_str(Path::new("any.yaml"), &text, None);
        let _ = byoa::spec::load_str(Path::new("any.yaml"), &text, Some("dev"));
    }
}
