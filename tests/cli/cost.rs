//! `byoa cost`: the acme-api estimates as people read them (snapshots, checked against the
//! table by hand in `src/cost/tests.rs`), the JSON a launch page or CI reads, assumptions and
//! override files from the command line, and their errors.

use super::byoa;

const SPEC: &str = "examples/acme-api/byoa.yaml";

const ENVS: [&str; 2] = ["dev", "prod"];

/// The snapshot files this module writes.
pub fn snapshot_names() -> Vec<String> {
    ENVS.iter()
        .map(|e| format!("cli__cost__cost_acme_api_{e}.snap"))
        .collect()
}

#[test]
fn acme_api_estimates_read_per_module_with_ranges_and_assumptions() {
    for env in ENVS {
        let (code, out, err) = byoa(&["cost", SPEC, "--env", env]);
        assert_eq!(code, 0, "{err}");
        insta::assert_snapshot!(format!("cost_acme_api_{env}"), out);
    }
}

#[test]
fn json_and_markdown_carry_the_same_totals_and_the_table_date() {
    let (code, json, _) = byoa(&["cost", SPEC, "--env", "prod", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["prices_date"], "2026-11-30");
    assert_eq!(v["hours_per_month"], 730.0);
    let min = v["totals"]["monthly"]["min"].as_f64().unwrap();
    let max = v["totals"]["monthly"]["max"].as_f64().unwrap();
    assert!(min < max, "autoscaling gives a range");
    let summary = v["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!("${min:.2}..${max:.2} a month")),
        "{summary}"
    );
    let (code, md, _) = byoa(&["cost", SPEC, "--env", "prod", "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(md.contains(summary), "{md}");
    assert!(md.contains("| `nat_gb` | 100 GB/month |"), "{md}");
}

#[test]
fn assumptions_and_negotiated_rates_change_the_usage_lines() {
    let dir = tempfile::tempdir().unwrap();
    let rates = dir.path().join("rates.json");
    std::fs::write(
        &rates,
        r#"{"note": "2027 deal", "prices": {"nat.gb": {"us-east-1": 0.01}}}"#,
    )
    .unwrap();
    let (code, out, err) = byoa(&[
        "cost",
        SPEC,
        "--env",
        "prod",
        "--format",
        "json",
        "--assume",
        "nat_gb=900",
        "--prices",
        rates.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let nat: Vec<&serde_json::Value> = v["modules"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["price_key"] == "nat.gb")
        .collect();
    assert_eq!(nat.len(), 3, "one line per gateway");
    for l in nat {
        assert_eq!(l["quantity"]["min"], 300.0, "900 GB over 3 gateways");
        assert_eq!(l["overridden"], true);
        assert!((l["monthly"]["min"].as_f64().unwrap() - 3.0).abs() < 1e-9);
    }
    assert!(
        v["price_overrides"]
            .as_str()
            .unwrap()
            .ends_with("rates.json")
    );
}

#[test]
fn bad_assumptions_prices_and_regions_are_coded_errors() {
    let (code, _, err) = byoa(&[
        "cost",
        SPEC,
        "--env",
        "prod",
        "--assume",
        "nat_gbb=1",
        "--assume",
        "alb_lcu=x",
    ]);
    assert_eq!(code, 2);
    assert_eq!(err.matches("cost.assume").count(), 2, "{err}");
    assert!(err.contains("did you mean `nat_gb`?"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let rates = dir.path().join("rates.json");
    std::fs::write(&rates, r#"{"prices": {"nat.hours": {"us-east-1": 0.01}}}"#).unwrap();
    let (code, _, err) = byoa(&[
        "cost",
        SPEC,
        "--env",
        "prod",
        "--prices",
        rates.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cost.prices") && err.contains("did you mean `nat.hour`?"),
        "{err}"
    );
    let (code, _, err) = byoa(&["cost", SPEC, "--env", "prod", "--region", "mars-1"]);
    assert_eq!(code, 2);
    assert!(err.contains("region.unknown"), "{err}");
}

#[test]
fn a_region_without_figures_shows_unpriced_lines() {
    let (code, out, _) = byoa(&["cost", SPEC, "--env", "prod", "--region", "ap-southeast-2"]);
    assert_eq!(code, 0);
    assert!(out.contains("unpriced (cost.unpriced)"), "{out}");
    assert!(
        out.contains("why unpriced: `alb.hour` in ap-southeast-2"),
        "{out}"
    );
    assert!(
        out.lines().next().unwrap().contains("items unpriced"),
        "{out}"
    );
}

#[test]
fn diff_shows_the_monthly_change_and_enforces_a_ceiling() {
    let dev = crate::synth_to(std::path::Path::new(SPEC), Some("dev"), "yaml");
    let prod = crate::synth_to(std::path::Path::new(SPEC), Some("prod"), "yaml");
    let (d, p) = (dev.path().to_str().unwrap(), prod.path().to_str().unwrap());
    let (code, out, _) = byoa(&["diff", d, p, "--cost"]);
    assert_eq!(code, 1, "changes");
    // Prod's three NAT gateways and addresses against dev's one, its Multi-AZ database, its
    // api scaling 2..10 against 1..2.
    assert!(
        out.contains("monthly cost (us-east-1, AWS list prices of 2026-11-30):"),
        "{out}"
    );
    assert!(
        out.contains("network") && out.contains("+$79.95/month"),
        "{out}"
    );
    assert!(out.contains("total +$"), "{out}");
    let (code, _, err) = byoa(&["diff", d, p, "--max-cost-increase", "50"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("cost.increase"), "{err}");
    let (code, _, _) = byoa(&["diff", p, d, "--max-cost-increase", "0"]);
    assert_eq!(code, 1, "a cheaper change passes any ceiling");
    let (code, json, _) = byoa(&["diff", d, p, "--cost", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["format"], "byoa-diff/1");
    assert_eq!(v["cost"]["region"], "us-east-1");
    assert!(
        v["cost"]["change"]["max"].as_f64().unwrap() > v["cost"]["change"]["min"].as_f64().unwrap()
    );
    // Two template files have no manifest: a ceiling that cannot be checked fails.
    let (a, b) = (format!("{d}/network.yaml"), format!("{p}/network.yaml"));
    let (code, _, err) = byoa(&["diff", &a, &b, "--max-cost-increase", "10"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cost.manifest"), "{err}");
}

/// acme-api's spec in `dir` with `cost.assume` set: the base sets nat_gb to 300, dev's overlay
/// to 2, prod keeps the base's.
fn spec_with_assumptions(dir: &std::path::Path) -> std::path::PathBuf {
    let spec = std::fs::read_to_string(crate::root().join(SPEC))
        .unwrap()
        .replacen(
            "monitoring:\n",
            "cost:\n  assume: {nat_gb: 300}\n\nmonitoring:\n",
            1,
        )
        .replacen("  dev:\n", "  dev:\n    cost: {assume: {nat_gb: 2}}\n", 1);
    let path = dir.join("byoa.yaml");
    std::fs::write(&path, spec).unwrap();
    path
}

#[test]
fn the_spec_sets_assumptions_per_environment_and_assume_overrides_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = spec_with_assumptions(dir.path());
    let p = path.to_str().unwrap();
    let nat = |env: &str, extra: &[&str]| {
        let mut args = vec!["cost", p, "--env", env, "--format", "json"];
        args.extend(extra);
        let (code, out, err) = byoa(&args);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let a = v["assumptions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == "nat_gb")
            .unwrap()
            .clone();
        (
            a["value"].as_f64().unwrap(),
            a["origin"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(nat("prod", &[]), (300.0, "spec".to_owned()));
    assert_eq!(nat("dev", &[]), (2.0, "spec".to_owned()));
    assert_eq!(
        nat("dev", &["--assume", "nat_gb=9"]),
        (9.0, "given".to_owned())
    );
    let typo = std::fs::read_to_string(&path)
        .unwrap()
        .replacen("nat_gb: 300", "nat_gbs: 300", 1);
    std::fs::write(&path, typo).unwrap();
    let (code, _, err) = byoa(&["cost", p, "--env", "prod"]);
    assert_eq!(code, 2);
    assert!(err.contains("spec.unknown-field"), "{err}");
}

#[test]
fn diff_prices_with_the_assumptions_cost_uses_for_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = spec_with_assumptions(dir.path());
    let p = path.to_str().unwrap();
    let prod = crate::synth_to(&path, Some("prod"), "yaml");
    // OLD holds only the database: the network stack, whose NAT gateways process nat_gb, is
    // added whole, so its usage lines are part of the change.
    let old = tempfile::tempdir().unwrap();
    std::fs::copy(
        prod.path().join("database.yaml"),
        old.path().join("database.yaml"),
    )
    .unwrap();
    let (o, n) = (old.path().to_str().unwrap(), prod.path().to_str().unwrap());
    let network = |extra: &[&str]| {
        let mut args = vec!["diff", o, n, "--cost", "--format", "json"];
        args.extend(extra);
        let (code, out, err) = byoa(&args);
        assert_eq!(code, 1, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let stack = v["cost"]["stacks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stack"] == "network")
            .unwrap()
            .clone();
        assert!(stack["old"].is_null(), "{stack}");
        (stack["new"]["min"].as_f64().unwrap(), err)
    };
    // `byoa cost` for the same spec and environment.
    let (code, out, err) = byoa(&["cost", p, "--env", "prod", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let module = v["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "network")
        .unwrap();
    let by_cost = module["totals"]["monthly"]["min"].as_f64().unwrap();
    let (with_spec, err) = network(&["--spec", p]);
    assert_eq!(
        with_spec, by_cost,
        "diff and cost price prod's network alike"
    );
    assert!(
        err.is_empty(),
        "the spec is the one NEW was made from: {err}"
    );
    // Without the spec, prod's default nat_gb (100): 200 GB less through the NAT gateways.
    let (defaults, err) = network(&[]);
    assert!(err.contains("cost.spec"), "the defaults are said: {err}");
    let nat_gb = 0.045; // `nat.gb` in us-east-1
    assert!(
        (with_spec - defaults - 200.0 * nat_gb).abs() < 1e-9,
        "{with_spec} vs {defaults}"
    );
    // --assume wins over the spec, as with `byoa cost`.
    let (given, _) = network(&["--spec", p, "--assume", "nat_gb=100"]);
    assert!((given - defaults).abs() < 1e-9, "{given} vs {defaults}");
    let (code, text, _) = byoa(&["diff", o, n, "--cost", "--spec", p]);
    assert_eq!(code, 1);
    assert!(
        text.contains("assuming nat_gb=300 (the spec, --assume)"),
        "{text}"
    );
    // A bad --assume fails the diff rather than dropping the cost.
    let (code, _, err) = byoa(&["diff", o, n, "--cost", "--assume", "nat_gbb=1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cost.assume"), "{err}");
    // Another product's spec is refused.
    let other =
        std::fs::read_to_string(&path)
            .unwrap()
            .replacen("  name: acme-api", "  name: other", 1);
    let other_path = dir.path().join("other.yaml");
    std::fs::write(&other_path, other).unwrap();
    let (code, _, err) = byoa(&[
        "diff",
        o,
        n,
        "--cost",
        "--spec",
        other_path.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cost.spec"), "{err}");
}
