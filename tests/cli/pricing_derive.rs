//! `scripts/pricing/derive.py`, the refresh of `pricing/aws.json` from AWS's price list files,
//! run offline on the small offer files in `tests/fixtures/pricing` (shaped like AWS's, with
//! decoys a naive selector picks: a Local Zone, another engine, Multi-AZ readable standbys,
//! Reserved terms, Fargate Spot, gp3 extra IOPS, tiers listed out of order, zero-priced free
//! tiers, per-request units, EU- and region-name prefixes). Every figure asserted below is
//! written out from those fixtures.

use std::path::Path;
use std::process::{Command, Output};

use byoa::cost::PriceTable;
use serde_json::Value;

use super::root;

const DATE: &str = "2026-12-01";

/// The `missing` text the script writes for a region without a matching SKU.
const MISSING: &str = "the AWS price list files this table was derived from have no on-demand SKU for it in this region";

/// Runs the script on `fixtures` (a directory of `<offer>/<region>/index.json`).
fn derive(fixtures: &str, date: &str) -> Output {
    run(&["--from", fixtures, "--date", date])
}

fn run(args: &[&str]) -> Output {
    let script = root().join("scripts/pricing/derive.py");
    match Command::new("python3")
        .current_dir(root())
        .arg(&script)
        .args(args)
        .output()
    {
        Ok(out) => out,
        Err(e) => panic!(
            "cannot run `python3 {}` ({e}): this test needs python3 on PATH \
             (scripts/test and CI have it)",
            script.display()
        ),
    }
}

fn derived() -> Value {
    let out = derive("tests/fixtures/pricing", DATE);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "derive.py failed:\n{stderr}");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    // byoa reads what the script writes: same schema, no unknown fields.
    PriceTable::parse(&text, Path::new("derived.json")).expect("a price table byoa reads");
    serde_json::from_str(&text).expect("JSON")
}

fn regions(table: &Value, key: &str) -> Vec<(String, f64)> {
    let regions = table["prices"][key]["regions"]
        .as_object()
        .unwrap_or_else(|| panic!("no entry `{key}`"));
    regions
        .iter()
        .map(|(r, v)| (r.clone(), v.as_f64().expect("a number")))
        .collect()
}

fn pairs(expected: &[(&str, f64)]) -> Vec<(String, f64)> {
    expected.iter().map(|(r, v)| (r.to_string(), *v)).collect()
}

#[test]
fn derive_picks_each_entrys_sku_tier_and_unit_from_the_offer_files() {
    let t = derived();
    let want: &[(&str, &[(&str, f64)])] = &[
        // us-east-1's EC2 usage type has no prefix, Ireland's is EU-; the Boston Local Zone
        // gateway (0.065) in us-east-1's file is not the region's.
        ("nat.hour", &[("us-east-1", 0.045), ("eu-west-1", 0.048)]),
        ("nat.gb", &[("us-east-1", 0.045), ("eu-west-1", 0.048)]),
        // PostgreSQL, not MySQL (0.215); Multi-AZ, not Multi-AZ readable standbys (0.526);
        // on-demand, not the Reserved term (0.144 / 0.011).
        (
            "rds.postgres.db.r6g.large.single-az",
            &[("us-east-1", 0.225)],
        ),
        ("rds.postgres.db.r6g.large.multi-az", &[("us-east-1", 0.45)]),
        (
            "rds.postgres.db.t4g.micro.single-az",
            &[("us-east-1", 0.016), ("eu-west-1", 0.017)],
        ),
        (
            "rds.postgres.db.t4g.micro.multi-az",
            &[("eu-west-1", 0.034)],
        ),
        // Storage, not gp3's extra IOPS (0.02 per IOPS-month, same volume type).
        ("rds.storage.gp3.single-az", &[("us-east-1", 0.115)]),
        ("rds.storage.gp3.multi-az", &[("us-east-1", 0.23)]),
        ("rds.backup-storage", &[("us-east-1", 0.095)]),
        // On-demand, not Fargate Spot (0.01291, whose usage type contains this one).
        ("fargate.vcpu-hour.x86_64", &[("us-east-1", 0.04048)]),
        ("fargate.gb-hour.x86_64", &[("us-east-1", 0.004445)]),
        ("fargate.vcpu-hour.arm64", &[("us-east-1", 0.03238)]),
        ("fargate.gb-hour.arm64", &[("us-east-1", 0.00356)]),
        // The first 50 TB tier, though the file lists the 500 TB tier (0.021) first.
        ("s3.standard-gb-month", &[("us-east-1", 0.023)]),
        // Paid rates: the zero-priced free tier (first 5 GB, first 10 alarms) is skipped, in
        // either order; vended logs' tiers are another usage type.
        ("logs.ingest-gb", &[("us-east-1", 0.5), ("eu-west-1", 0.57)]),
        ("logs.storage-gb-month", &[("us-east-1", 0.03)]),
        ("cloudwatch.alarm-month", &[("us-east-1", 0.1)]),
        // USD 0.000003 per request in the offer, 0.03 per 10,000 in the table; the
        // Global- free tier is not the region's rate.
        (
            "kms.10k-requests",
            &[("us-east-1", 0.03), ("eu-west-1", 0.03)],
        ),
        ("kms.key-month", &[("us-east-1", 1.0)]),
    ];
    for (key, expected) in want {
        assert_eq!(regions(&t, key), pairs(expected), "`{key}`");
        let e = &t["prices"][key];
        assert_eq!(e["missing"], MISSING, "`{key}`");
        let evidence = e["evidence"].as_str().unwrap();
        assert!(
            evidence.starts_with("AWS price list (") && evidence.contains(DATE),
            "`{key}`: {evidence}"
        );
    }
    assert!(
        t["prices"]["nat.hour"]["evidence"]
            .as_str()
            .unwrap()
            .ends_with("us-east-1: sku T2BNATHOURSUSE1X; eu-west-1: sku T2BNATHOURSEUW1X"),
        "the evidence names the SKU each figure came from"
    );
}

#[test]
fn derive_leaves_entries_without_offer_files_unpriced_and_others_untouched() {
    let t = derived();
    let committed: Value =
        serde_json::from_str(byoa::cost::table::BUILTIN).expect("the committed table");
    assert_eq!(t["date"], DATE);
    for field in ["schema", "currency", "hours_per_month", "about"] {
        assert_eq!(t[field], committed[field], "`{field}` kept");
    }
    let keys =
        |v: &Value| -> Vec<String> { v["prices"].as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&t), keys(&committed), "every entry kept, in order");
    for (key, entry) in t["prices"].as_object().unwrap() {
        let old = &committed["prices"][key];
        assert_eq!(entry["unit"], old["unit"], "`{key}`");
        assert_eq!(entry["source"], old["source"], "`{key}`");
    }
    // No selector: kept exactly as committed.
    for key in [
        "rds.performance-insights.long-term",
        "rds.performance-insights.further-month",
        "fargate-spot.vcpu-hour.x86_64",
        "fargate.ephemeral-gb-hour",
        "rds.iops.io2.single-az",
        "vpce.interface.az-hour",
        "cloudwatch.metric-month",
        "cloudmap.namespace-month",
        "cloudformation.hook-invocation",
    ] {
        assert_eq!(t["prices"][key], committed["prices"][key], "`{key}`");
    }
    // A selector but no offer file (or no matching SKU): unpriced everywhere, with the reason.
    for key in [
        "alb.hour",
        "ipv4.hour",
        "secretsmanager.secret-month",
        "ecr.gb-month",
        "waf.web-acl-month",
        "cloudwatch.dashboard-month",
        "rds.storage.io2.single-az",
        "rds.postgres.db.m7g.large.single-az",
    ] {
        assert!(regions(&t, key).is_empty(), "`{key}`");
        assert_eq!(t["prices"][key]["missing"], MISSING, "`{key}`");
    }
}

#[test]
fn derive_refuses_two_skus_with_different_prices_for_one_entry() {
    let out = derive("tests/fixtures/pricing-ambiguous", DATE);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "no table on a refusal");
    assert!(
        stderr.contains(
            "`nat.hour` in us-east-1: SKUs with different prices match its selector \
             (AMBNATHOURSONEXX: 0.045; AMBNATHOURSTWOXX: 0.052)"
        ),
        "{stderr}"
    );
}

#[test]
fn derive_refuses_a_date_that_is_not_yyyy_mm_dd() {
    let out = derive("tests/fixtures/pricing", "1 Dec 2026");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--date `1 Dec 2026` is not YYYY-MM-DD"),
        "{stderr}"
    );
}

#[test]
fn derive_refuses_an_offer_unit_the_entry_does_not_expect() {
    let out = derive("tests/fixtures/pricing-unit-mismatch", DATE);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "`kms.10k-requests` in us-east-1: sku UNITKMSREQUSE1XX is priced per `10K Requests`, \
             the table per `10,000 requests`"
        ),
        "{stderr}"
    );
}

#[test]
fn derive_writes_its_out_file_only_once_the_whole_table_is_derived() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("aws.json");
    let path = out.to_str().expect("UTF-8 path");
    std::fs::write(&out, "the table before").unwrap();
    let refused = run(&[
        "--from",
        "tests/fixtures/pricing-ambiguous",
        "--date",
        DATE,
        "--out",
        path,
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the table before");

    let written = run(&[
        "--from",
        "tests/fixtures/pricing",
        "--date",
        DATE,
        "--out",
        path,
    ]);
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    assert!(written.stdout.is_empty());
    let stdout = derive("tests/fixtures/pricing", DATE).stdout;
    assert_eq!(
        std::fs::read(&out).unwrap(),
        stdout,
        "the same table as on stdout"
    );
}
