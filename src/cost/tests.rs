//! The acme-api estimates checked against sums written out here from the table's entries (so a
//! wrong multiplication in a rule is caught), and the rule coverage of every type byoa emits.

use std::collections::BTreeSet;

use super::*;
use crate::cfn;

fn model(example: &str, env: &str) -> Model {
    let path = format!(
        "{}/examples/{example}/byoa.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    crate::spec::load(
        std::path::Path::new(&path),
        Some(env),
        crate::policy::catalogue(),
    )
    .expect("the example loads")
    .model
}

fn acme(env: &str) -> Estimate {
    let m = model("acme-api", env);
    estimate(&m, &PriceTable::builtin(), &Assumptions::defaults(env)).expect("estimates")
}

/// The us-east-1 figure of a table entry.
fn p(key: &str) -> f64 {
    p_in(key, "us-east-1")
}

/// The figure of a table entry in `region`.
fn p_in(key: &str, region: &str) -> f64 {
    match PriceTable::builtin().price(key, region) {
        Price::Known { usd, .. } => usd,
        Price::Unpriced(why) => panic!("{why}"),
    }
}

/// `example`'s prod environment priced in `region`, with prod's default assumptions.
fn prod_in(example: &str, region: &str) -> Estimate {
    let m = model(example, "prod");
    estimate_in(
        &m,
        region,
        &PriceTable::builtin(),
        &Assumptions::defaults("prod"),
    )
    .expect("estimates")
}

/// The figures of `region`, 0 for the `lacking` entries (unpriced there, so out of the sums).
fn figures_in_but<'a>(region: &'a str, lacking: &'a [&str]) -> impl Fn(&str) -> f64 + 'a {
    move |key| {
        if lacking.contains(&key) {
            0.0
        } else {
            p_in(key, region)
        }
    }
}

/// The lines of `e` whose price key `keep` accepts.
fn lines_keyed(e: &Estimate, keep: impl Fn(&str) -> bool) -> Vec<&Line> {
    e.modules
        .iter()
        .flat_map(|m| &m.lines)
        .filter(|l| l.price_key.as_deref().is_some_and(&keep))
        .collect()
}

/// The price keys of `e`'s unpriced lines, each once.
fn unpriced_keys(e: &Estimate) -> BTreeSet<&str> {
    e.modules
        .iter()
        .flat_map(|m| &m.lines)
        .filter(|l| l.unpriced.is_some())
        .filter_map(|l| l.price_key.as_deref())
        .collect()
}

fn module(e: &Estimate, name: &str) -> Range {
    e.modules
        .iter()
        .find(|m| m.module == name)
        .unwrap_or_else(|| panic!("no module {name}"))
        .totals
        .monthly
}

fn close(got: Range, min: f64, max: f64, what: &str) {
    let ok = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(
        ok(got.min, min) && ok(got.max, max),
        "{what}: estimated {got:?}, computed {min}..{max}"
    );
}

const H: f64 = 730.0;

#[test]
fn acme_api_prod_matches_the_table_by_hand() {
    let e = acme("prod");
    assert_eq!(
        e.totals.unpriced, 0,
        "everything prod uses in us-east-1 is priced"
    );
    // Multi-AZ costs twice single-AZ (primary and standby).
    assert_eq!(
        p("rds.postgres.db.t4g.medium.multi-az"),
        2.0 * p("rds.postgres.db.t4g.medium.single-az")
    );
    prod_by_hand(&e, p);
}

/// acme-api prod's estimate `e` against the sums written out from the figures `p` gives: the
/// same arithmetic in every region (an entry a region lacks is unpriced, out of the sums:
/// `p` answers 0 for it).
fn prod_by_hand(e: &Estimate, p: impl Fn(&str) -> f64) {
    let key = p("kms.key-month") + p("kms.10k-requests"); // 1 key, 10,000 requests
    // Three zones: a NAT gateway and its address in each; 100 GB through them all together.
    let network = 3.0 * H * p("ipv4.hour")
        + 3.0 * H * p("nat.hour")
        + 100.0 * p("nat.gb")
        + key
        + 10.0 * p("logs.ingest-gb")
        + 10.0 * 12.0 * p("logs.storage-gb-month") // 365 days of flow logs kept
        + 10.0 * p("s3.standard-gb-month")
        + H * p("alb.hour")
        + H * p("alb.lcu-hour") // 1 LCU on average
        + 3.0 * H * p("ipv4.hour") // the load balancer's address in each zone
        + p("waf.web-acl-month")
        + 3.0 * p("waf.rule-month")
        + 10.0 * p("waf.million-requests");
    close(module(e, "network"), network, network, "network");
    // Multi-AZ: the multi-az instance-hour and storage; 50 GB growing to 200.
    let db = key
        + H * p("rds.postgres.db.t4g.medium.multi-az")
        + p("secretsmanager.secret-month")
        + 1.0 * p("logs.ingest-gb")
        // The database logs kept 90 days, priced once on the primary's `postgresql` group.
        + 1.0 * 90.0 * 12.0 / 365.0 * p("logs.storage-gb-month");
    close(
        module(e, "database"),
        db + 50.0 * p("rds.storage.gp3.multi-az"),
        db + 200.0 * p("rds.storage.gp3.multi-az"),
        "database",
    );
    let service = |tasks: f64, vcpu: f64, gb: f64| {
        key + 2.0 * p("ecr.gb-month")
            + 5.0 * p("logs.ingest-gb")
            + 5.0 * 90.0 * 12.0 / 365.0 * p("logs.storage-gb-month")
            + tasks * H * (vcpu * p("fargate.vcpu-hour.x86_64") + gb * p("fargate.gb-hour.x86_64"))
    };
    // api: 512 CPU units, 1024 MB, 2..10 tasks; worker: 256, 512, 1..4.
    close(
        module(e, "service-api"),
        service(2.0, 0.5, 1.0),
        service(10.0, 0.5, 1.0),
        "api",
    );
    close(
        module(e, "service-worker"),
        service(1.0, 0.25, 0.5),
        service(4.0, 0.25, 0.5),
        "worker",
    );
    // Container Insights: 50 metrics, 2 GB of performance events.
    let cluster = 50.0 * p("cloudwatch.metric-month") + 2.0 * p("logs.ingest-gb");
    close(module(e, "cluster"), cluster, cluster, "cluster");
    // 13 alarms, 4 of them reading two metrics; one dashboard.
    let monitoring = key + 17.0 * p("cloudwatch.alarm-month") + p("cloudwatch.dashboard-month");
    close(
        module(e, "monitoring"),
        monitoring,
        monitoring,
        "monitoring",
    );
    let access = 2.0 * key
        + 3.0 * 10.0 * p("s3.standard-gb-month")
        + p("logs.ingest-gb")
        + 12.0 * p("logs.storage-gb-month");
    close(module(e, "access"), access, access, "access");
    let sum = |f: fn(Range) -> f64| e.modules.iter().map(|m| f(m.totals.monthly)).sum::<f64>();
    close(e.totals.monthly, sum(|r| r.min), sum(|r| r.max), "total");
    close(
        e.totals.fixed.plus(e.totals.usage),
        e.totals.monthly.min,
        e.totals.monthly.max,
        "fixed + usage",
    );
}

#[test]
fn acme_api_dev_matches_the_table_by_hand() {
    let e = acme("dev");
    assert_eq!(e.totals.unpriced, 0);
    let key = p("kms.key-month") + 0.2 * p("kms.10k-requests");
    // One NAT gateway (`nat: single`), two zones for the load balancer, 30 days of flow logs.
    let network = H * p("ipv4.hour")
        + H * p("nat.hour")
        + 10.0 * p("nat.gb")
        + key
        + 1.0 * p("logs.ingest-gb")
        + 1.0 * 30.0 * 12.0 / 365.0 * p("logs.storage-gb-month")
        + 1.0 * p("s3.standard-gb-month")
        + H * p("alb.hour")
        + 0.1 * H * p("alb.lcu-hour")
        + 2.0 * H * p("ipv4.hour")
        + p("waf.web-acl-month")
        + 3.0 * p("waf.rule-month")
        + 1.0 * p("waf.million-requests");
    close(module(&e, "network"), network, network, "network");
    // Single-AZ: the single-az prices, half the Multi-AZ ones.
    let db = key
        + H * p("rds.postgres.db.t4g.medium.single-az")
        + p("secretsmanager.secret-month")
        + 0.2 * p("logs.ingest-gb")
        + 0.2 * 90.0 * 12.0 / 365.0 * p("logs.storage-gb-month");
    close(
        module(&e, "database"),
        db + 50.0 * p("rds.storage.gp3.single-az"),
        db + 200.0 * p("rds.storage.gp3.single-az"),
        "database",
    );
    let service = |tasks: f64, vcpu: f64, gb: f64| {
        key + 1.0 * p("ecr.gb-month")
            + 0.5 * p("logs.ingest-gb")
            + 0.5 * 90.0 * 12.0 / 365.0 * p("logs.storage-gb-month")
            + tasks * H * (vcpu * p("fargate.vcpu-hour.x86_64") + gb * p("fargate.gb-hour.x86_64"))
    };
    let cluster = 50.0 * p("cloudwatch.metric-month") + 0.5 * p("logs.ingest-gb");
    close(module(&e, "cluster"), cluster, cluster, "cluster");
    // dev scales api 1..2.
    close(
        module(&e, "service-api"),
        service(1.0, 0.5, 1.0),
        service(2.0, 0.5, 1.0),
        "api",
    );
    close(
        module(&e, "service-worker"),
        service(1.0, 0.25, 0.5),
        service(4.0, 0.25, 0.5),
        "worker",
    );
}

#[test]
fn a_region_the_table_lacks_gives_unpriced_lines_not_zeros() {
    let e = prod_in("acme-api", "ap-southeast-2");
    // Sydney has no confirmed load balancer figure.
    let alb = lines_keyed(&e, |k| k == "alb.hour");
    assert_eq!(alb.len(), 1);
    assert!(
        alb.iter()
            .all(|l| l.monthly.is_none() && l.unpriced.is_some())
    );
    assert!(e.totals.unpriced >= 2);
    // WAF has one price everywhere: still priced.
    assert!(
        e.modules
            .iter()
            .flat_map(|m| &m.lines)
            .any(|l| l.price_key.as_deref() == Some("waf.web-acl-month")
                && l.monthly == Some(Range::one(5.0)))
    );
    assert!(summary(&e).contains("unpriced"), "{}", summary(&e));
}

#[test]
fn read_replicas_are_priced_as_single_az_instances_with_their_source_storage() {
    let m = model("acme-50", "prod");
    let mut table = PriceTable::builtin();
    table
        .apply_overrides(
            r#"{"prices": {"rds.storage.gp3.single-az": {"eu-west-1": 0.1}}}"#,
            std::path::Path::new("rates.json"),
        )
        .unwrap();
    let e = estimate(&m, &table, &Assumptions::defaults("prod")).unwrap();
    let lines: Vec<&Line> = e
        .modules
        .iter()
        .flat_map(|m| &m.lines)
        .filter(|l| l.resource == "DatabaseReplica1")
        .collect();
    let instance = lines
        .iter()
        .find(|l| l.item.contains("read replica"))
        .unwrap();
    assert_eq!(
        instance.price_key.as_deref(),
        Some("rds.postgres.db.r6g.large.single-az")
    );
    assert!(instance.unpriced.is_some(), "r6g.large is not in the table");
    let storage = lines.iter().find(|l| l.item.contains("storage")).unwrap();
    assert_eq!(
        storage.quantity,
        Range {
            min: 200.0,
            max: 1000.0
        }
    );
    assert!(storage.overridden);
    close(storage.monthly.unwrap(), 20.0, 100.0, "replica storage");
}

/// Every type byoa can emit (the tagging lists, which a test keeps complete) and every type in
/// the examples' templates has a price rule or a reason to be free: a new billable type cannot
/// slip into the templates unpriced.
#[test]
fn every_emitted_type_has_a_price_rule_or_is_free() {
    let mut types: BTreeSet<String> = cfn::TAGGABLE
        .iter()
        .chain(cfn::UNTAGGABLE)
        .map(|t| (*t).to_owned())
        .collect();
    for (example, env) in [
        ("acme-api", "dev"),
        ("acme-api", "prod"),
        ("acme-50", "dev"),
        ("acme-50", "prod"),
    ] {
        for stack in modules::build_all(&model(example, env), "yaml").unwrap() {
            types.extend(stack.template.resources.values().map(|r| r.kind.clone()));
        }
    }
    let missing: Vec<&String> = types
        .iter()
        .filter(|t| rules::rule(t).is_none() && rules::free(t).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "types without a price rule or a reason to be free: {missing:?}"
    );
    let both: Vec<&str> = rules::RULES
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| rules::free(t).is_some())
        .collect();
    assert!(both.is_empty(), "priced and free at once: {both:?}");
}

#[test]
fn a_type_without_a_rule_is_an_unpriced_line() {
    let t =
        serde_json::json!({"Resources": {"Thing": {"Type": "AWS::New::Thing", "Properties": {}}}});
    let m = price_templates(
        &[("x".into(), t)],
        "us-east-1",
        &PriceTable::builtin(),
        &Assumptions::defaults("dev"),
    );
    assert_eq!(m[0].totals.unpriced, 1);
    assert!(
        m[0].lines[0]
            .unpriced
            .as_deref()
            .unwrap()
            .contains("AWS::New::Thing")
    );
}

#[test]
fn the_summary_line_and_the_launch_pages_headline_agree() {
    let e = acme("prod");
    let line = summary(&e);
    assert!(
        line.starts_with("$358.23..$563.92 a month for acme-api prod in us-east-1"),
        "{line}"
    );
    assert!(line.ends_with("AWS list prices of 2026-11-30)"), "{line}");
    let (figure, basis) = headline(&e);
    assert_eq!(figure, "$358.23..$563.92 a month");
    assert!(
        basis.starts_with("fixed $308.43..$514.12, usage $49.81;"),
        "{basis}"
    );
}

/// acme-api prod in Frankfurt, the region (besides us-east-1) whose entries the table holds but
/// four: the load balancer's hour and LCU-hour, the dashboard and KMS requests, which stay
/// unpriced and out of the sums.
#[test]
fn acme_api_prod_in_frankfurt_prices_all_but_four_entries_by_hand() {
    let r = "eu-central-1";
    // Frankfurt's figures differ from us-east-1's: a sum with the wrong region's would fail.
    assert!(p_in("nat.hour", r) > p("nat.hour"));
    assert!(
        p_in("rds.postgres.db.t4g.medium.multi-az", r) > p("rds.postgres.db.t4g.medium.multi-az")
    );
    // The requests of the 7 keys, the load balancer's two lines and the dashboard.
    let lacking = [
        "alb.hour",
        "alb.lcu-hour",
        "cloudwatch.dashboard-month",
        "kms.10k-requests",
    ];
    prod_in_region_by_hand(r, &lacking, 10);
}

/// acme-api prod in `region` against the sums written out from its figures: exactly the
/// `lacking` entries are unpriced, on `unpriced` lines, and out of the sums.
fn prod_in_region_by_hand(region: &str, lacking: &[&str], unpriced: usize) {
    let e = prod_in("acme-api", region);
    assert_eq!(
        unpriced_keys(&e),
        lacking.iter().copied().collect::<BTreeSet<_>>()
    );
    assert_eq!(e.totals.unpriced, unpriced);
    prod_by_hand(&e, figures_in_but(region, lacking));
}

/// acme-api prod in eu-west-1: every line priced from eu-west-1's figures but those the table
/// lacks there (no citable Irish figure for NAT, the Multi-AZ db.t4g.medium hour, Secrets
/// Manager, CloudWatch alarms, metrics and dashboards, KMS requests), which stay unpriced and out
/// of the sums.
#[test]
fn acme_api_prod_in_ireland_prices_what_the_table_holds_by_hand() {
    let lacking = [
        "cloudwatch.alarm-month",
        "cloudwatch.dashboard-month",
        "cloudwatch.metric-month",
        "kms.10k-requests",
        "nat.gb",
        "nat.hour",
        "rds.postgres.db.t4g.medium.multi-az",
        "secretsmanager.secret-month",
    ];
    // 7 keys' requests, 3 gateways' hours and GB, 13 alarms, the database instance, its secret,
    // the Container Insights metrics and the dashboard.
    prod_in_region_by_hand("eu-west-1", &lacking, 30);
}

/// acme-50 prod's db.r6g.large, Multi-AZ primary and a single-AZ read replica, priced from
/// their entries. eu-west-1, its region, has no confirmed r6g figure yet: us-east-1 has both.
#[test]
fn acme_50_prod_prices_its_r6g_primary_and_replica() {
    let e = prod_in("acme-50", "us-east-1");
    let lines = lines_keyed(&e, |k| k.starts_with("rds.postgres."));
    let monthly = |key: &str| -> Vec<Range> {
        lines
            .iter()
            .filter(|l| l.price_key.as_deref() == Some(key))
            .map(|l| l.monthly.expect("priced"))
            .collect()
    };
    let primary = H * p("rds.postgres.db.r6g.large.multi-az");
    let replica = H * p("rds.postgres.db.r6g.large.single-az");
    assert_eq!(
        monthly("rds.postgres.db.r6g.large.multi-az"),
        [Range::one(primary)]
    );
    assert_eq!(
        monthly("rds.postgres.db.r6g.large.single-az"),
        [Range::one(replica)]
    );
    assert_eq!(lines.len(), 2, "one primary, one replica");
    close(Range::one(primary), 328.5, 328.5, "0.45 x 730");
    assert!(
        !unpriced_keys(&e).iter().any(|k| k.starts_with("rds.")),
        "{:?}",
        unpriced_keys(&e)
    );
}

/// Paid Performance Insights history: the vCPUs (a Multi-AZ standby's too) times the first
/// month's rate, and times the further months at the further-month rate; 731 days is 24 months.
#[test]
fn performance_insights_beyond_seven_days_is_priced_per_vcpu_and_month() {
    let db = |class: &str, multi: bool, days: u32| {
        serde_json::json!({"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
            "DBInstanceClass": class, "MultiAZ": multi, "AllocatedStorage": "20",
            "EnablePerformanceInsights": true, "PerformanceInsightsRetentionPeriod": days}}}})
    };
    let r = "ap-northeast-1";
    let pi = |class: &str, multi: bool, days: u32| -> Vec<(String, Range)> {
        let m = price_templates(
            &[("database".into(), db(class, multi, days))],
            r,
            &PriceTable::builtin(),
            &Assumptions::defaults("prod"),
        );
        m[0].lines
            .iter()
            .filter(|l| l.item.starts_with("Performance Insights"))
            .map(|l| (l.price_key.clone().unwrap_or_default(), l.quantity))
            .collect()
    };
    let (first, further) = (
        "rds.performance-insights.long-term".to_owned(),
        "rds.performance-insights.further-month".to_owned(),
    );
    // db.r6g.xlarge: 4 vCPUs, 8 with the standby; 62 days is 2 months.
    assert_eq!(
        pi("db.r6g.xlarge", true, 62),
        [
            (first.clone(), Range::one(8.0)),
            (further.clone(), Range::one(8.0))
        ]
    );
    assert_eq!(
        pi("db.t4g.medium", false, 731),
        [
            (first.clone(), Range::one(2.0)),
            (further, Range::one(2.0 * 23.0))
        ]
    );
    assert_eq!(pi("db.m6g.2xlarge", false, 31), [(first, Range::one(8.0))]);
    // Priced from Tokyo's two rates.
    let m = price_templates(
        &[("database".into(), db("db.r6g.xlarge", true, 62))],
        r,
        &PriceTable::builtin(),
        &Assumptions::defaults("prod"),
    );
    let cost: f64 = m[0]
        .lines
        .iter()
        .filter(|l| l.item.starts_with("Performance Insights"))
        .map(|l| l.monthly.unwrap().min)
        .sum();
    let want = 8.0 * p_in("rds.performance-insights.long-term", r)
        + 8.0 * p_in("rds.performance-insights.further-month", r);
    close(Range::one(cost), want, want, "Performance Insights");
}

/// io2 storage: its GB-month and the 3,000 IOPS byoa provisions, each at the io2 entry of its
/// deployment (Multi-AZ here, so the multi-az entries). The table has no citable io2 figure yet:
/// the built-in table shows both lines unpriced with the reason, and a rates file priced by hand
/// checks the arithmetic from the entries' figures.
#[test]
fn io2_storage_and_its_iops_are_priced_from_their_entries() {
    const SPEC: &str = r#"
product: {name: acme-api, vendor_account_id: "111111111111"}
access: {vendor_role_arn: "arn:aws:iam::111111111111:role/byoa-deploy"}
region: us-east-1
database: {engine_version: "16.9", storage_gb: 100, max_storage_gb: 200, storage_type: io2, multi_az: true}
"#;
    let m = crate::spec::load_str(
        std::path::Path::new("byoa.yaml"),
        SPEC,
        None,
        &Default::default(),
    )
    .expect("the io2 spec is valid")
    .model;
    let (storage, iops) = ("rds.storage.io2.multi-az", "rds.iops.io2.multi-az");
    let io2_lines = |e: &Estimate| -> Vec<Line> {
        lines_keyed(e, |k| k == storage || k == iops)
            .into_iter()
            .cloned()
            .collect()
    };
    let builtin = estimate(&m, &PriceTable::builtin(), &Assumptions::defaults("prod")).unwrap();
    let lines = io2_lines(&builtin);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines.iter().all(
            |l| l.monthly.is_none() && l.unpriced.as_deref().is_some_and(|w| w.contains("io2"))
        ),
        "{lines:?}"
    );

    let mut table = PriceTable::builtin();
    table
        .apply_overrides(
            &format!(r#"{{"prices": {{"{storage}": {{"us-east-1": 0.3}}, "{iops}": {{"us-east-1": 0.2}}}}}}"#),
            std::path::Path::new("rates.json"),
        )
        .unwrap();
    let rate = |key: &str| match table.price(key, "us-east-1") {
        Price::Known { usd, .. } => usd,
        Price::Unpriced(why) => panic!("{why}"),
    };
    let e = estimate(&m, &table, &Assumptions::defaults("prod")).unwrap();
    let line = |key: &str| {
        io2_lines(&e)
            .into_iter()
            .find(|l| l.price_key.as_deref() == Some(key))
            .unwrap_or_else(|| panic!("no {key} line"))
    };
    // 100 GB allocated, autoscaling to 200; a fixed 3,000 IOPS.
    let s = line(storage);
    assert_eq!(
        s.quantity,
        Range {
            min: 100.0,
            max: 200.0
        }
    );
    close(
        s.monthly.unwrap(),
        100.0 * rate(storage),
        200.0 * rate(storage),
        "io2 storage",
    );
    let i = line(iops);
    assert_eq!(i.quantity, Range::one(3000.0));
    close(
        i.monthly.unwrap(),
        3000.0 * rate(iops),
        3000.0 * rate(iops),
        "io2 IOPS",
    );
}

#[test]
fn database_log_groups_add_their_storage_once_on_the_primarys_postgresql_log() {
    let instance = |id: &str, source: bool| {
        let mut p = serde_json::json!({"DBInstanceIdentifier": id, "DBInstanceClass": "db.t4g.medium", "EnableCloudwatchLogsExports": ["postgresql", "upgrade"]});
        if source {
            p["SourceDBInstanceIdentifier"] = serde_json::json!({"Ref": "Database"});
        } else {
            p["Engine"] = serde_json::json!("postgres");
        }
        serde_json::json!({"Type": "AWS::RDS::DBInstance", "Properties": p})
    };
    let group = |name: &str| serde_json::json!({"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": name, "RetentionInDays": 365}});
    let t = serde_json::json!({"Resources": {
        "Database": instance("acme-prod-app", false),
        "DatabaseReplica1": instance("acme-prod-app-replica-1", true),
        "DatabasePostgresqlLogGroup": group("/aws/rds/instance/acme-prod-app/postgresql"),
        "DatabaseUpgradeLogGroup": group("/aws/rds/instance/acme-prod-app/upgrade"),
        "DatabaseReplica1PostgresqlLogGroup": group("/aws/rds/instance/acme-prod-app-replica-1/postgresql"),
    }});
    let m = price_templates(
        &[("database".into(), t)],
        "us-east-1",
        &PriceTable::builtin(),
        &Assumptions::defaults("prod"),
    );
    let groups: Vec<(&str, &str)> = m[0]
        .lines
        .iter()
        .filter(|l| l.resource.ends_with("LogGroup"))
        .map(|l| (l.resource.as_str(), l.item.as_str()))
        .collect();
    assert_eq!(
        groups,
        [("DatabasePostgresqlLogGroup", "database logs stored")]
    );
    let stored = m[0]
        .lines
        .iter()
        .find(|l| l.resource == "DatabasePostgresqlLogGroup")
        .unwrap();
    // A year of the production default (1 GB a month) kept.
    assert!((stored.quantity.min - 12.0).abs() < 1e-9, "{stored:?}");
}
