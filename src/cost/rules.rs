//! Price rules: for each billable resource type byoa emits, what it is charged for, in which
//! quantity, against which price-table entry.
//!
//! Input: one resource of an emitted template (its JSON, as written to `out/`), the template
//! around it (a service's task size sits on its task definition, its task range on its
//! scalable target) and the usage assumptions. Output: `Charge`s, each a quantity a month in
//! the unit of a price-table entry (hourly prices are multiplied by the hours of a month
//! here), as a min..max range.
//! Invariants: every type byoa can emit has a rule here or a reason in `FREE` (a test walks
//! the emitted types); a rule never prices anything itself, so a missing figure stays visible.

use serde::Serialize;
use serde_json::Value;

use super::assume::Assumptions;

/// A quantity that may vary (autoscaling, storage autoscaling).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    pub fn one(v: f64) -> Range {
        Range { min: v, max: v }
    }

    pub fn scale(self, by: f64) -> Range {
        Range {
            min: self.min * by,
            max: self.max * by,
        }
    }

    pub fn plus(self, other: Range) -> Range {
        Range {
            min: self.min + other.min,
            max: self.max + other.max,
        }
    }
}

/// Charged for existing (fixed) or for what passes through (usage, from an assumption).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    Fixed,
    Usage,
}

/// One thing a resource is charged for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Charge {
    /// What, for people (`NAT gateway hours`).
    pub item: String,
    pub basis: Basis,
    /// A month's quantity in the unit of `key`'s entry.
    pub quantity: Range,
    pub price: Pricing,
    pub note: Option<String>,
}

/// How a charge is priced.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pricing {
    /// By this price-table entry.
    Entry(String),
    /// Included at no cost.
    Included,
    /// The rule could not tell the quantity from the template: why.
    Unknown(String),
}

/// What a rule sees.
pub struct Ctx<'a> {
    pub id: &'a str,
    pub properties: &'a Value,
    pub template: &'a Value,
    pub assume: &'a Assumptions,
    pub hours: f64,
}

type Rule = fn(&Ctx<'_>) -> Vec<Charge>;

/// The billable types and their rules.
pub const RULES: &[(&str, Rule)] = &[
    ("AWS::ECS::Cluster", cluster),
    ("AWS::ECS::Service", fargate_service),
    ("AWS::RDS::DBInstance", rds_instance),
    ("AWS::EC2::NatGateway", nat_gateway),
    ("AWS::EC2::EIP", elastic_ip),
    ("AWS::EC2::VPCEndpoint", vpc_endpoint),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", load_balancer),
    ("AWS::WAFv2::WebACL", web_acl),
    ("AWS::KMS::Key", kms_key),
    ("AWS::Logs::LogGroup", log_group),
    ("AWS::CloudWatch::Alarm", alarm),
    ("AWS::CloudWatch::Dashboard", dashboard),
    ("AWS::CloudTrail::Trail", trail),
    ("AWS::S3::Bucket", bucket),
    ("AWS::ECR::Repository", repository),
    ("AWS::SecretsManager::Secret", secret),
    ("AWS::ServiceDiscovery::PrivateDnsNamespace", namespace),
    ("AWS::ServiceDiscovery::Service", discovery_service),
    ("AWS::CloudFormation::GuardHook", guard_hook),
];

/// Types byoa emits that cost nothing by themselves, with the reason.
pub const FREE: &[(&str, &str)] = &[
    (
        "AWS::CloudFormation::Stack",
        "nested stacks of AWS resource types cost nothing",
    ),
    ("AWS::IAM::Role", "IAM is free"),
    ("AWS::IAM::ManagedPolicy", "IAM is free"),
    ("AWS::IAM::RolePolicy", "IAM is free"),
    ("AWS::EC2::VPC", "no charge for the VPC itself"),
    ("AWS::EC2::Subnet", "no charge"),
    ("AWS::EC2::RouteTable", "no charge"),
    ("AWS::EC2::Route", "no charge"),
    ("AWS::EC2::SubnetRouteTableAssociation", "no charge"),
    (
        "AWS::EC2::InternetGateway",
        "no charge; data transfer out is not estimated",
    ),
    ("AWS::EC2::VPCGatewayAttachment", "no charge"),
    ("AWS::EC2::SecurityGroup", "no charge"),
    ("AWS::EC2::SecurityGroupIngress", "no charge"),
    ("AWS::EC2::SecurityGroupEgress", "no charge"),
    (
        "AWS::EC2::FlowLog",
        "its records are priced as ingestion on the log group they go to",
    ),
    (
        "AWS::ECS::TaskDefinition",
        "priced on the service that runs it",
    ),
    (
        "AWS::ElasticLoadBalancingV2::Listener",
        "part of the load balancer's hours and LCUs",
    ),
    (
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        "part of the load balancer's hours and LCUs",
    ),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "part of the load balancer's hours and LCUs",
    ),
    (
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "no charge; its min..max is the service's task range",
    ),
    ("AWS::ApplicationAutoScaling::ScalingPolicy", "no charge"),
    ("AWS::RDS::DBSubnetGroup", "no charge"),
    ("AWS::RDS::DBParameterGroup", "no charge"),
    ("AWS::S3::BucketPolicy", "no charge"),
    ("AWS::KMS::Alias", "no charge"),
    (
        "AWS::WAFv2::WebACLAssociation",
        "no charge; the web ACL is priced",
    ),
    (
        "AWS::SNS::Topic",
        "charged per published message; a few alarm messages a month are not estimated",
    ),
    ("AWS::SNS::TopicPolicy", "no charge"),
    (
        "AWS::SNS::Subscription",
        "charged per delivered notification; a few alarm mails a month are not estimated",
    ),
    ("AWS::Events::Rule", "rules on AWS service events are free"),
];

/// The rule for `kind`, if it is billable.
pub fn rule(kind: &str) -> Option<Rule> {
    RULES.iter().find(|(k, _)| *k == kind).map(|(_, r)| *r)
}

/// Why `kind` costs nothing, if it is free.
pub fn free(kind: &str) -> Option<&'static str> {
    FREE.iter().find(|(k, _)| *k == kind).map(|(_, why)| *why)
}

fn charge(item: impl Into<String>, basis: Basis, quantity: Range, key: &str) -> Charge {
    Charge {
        item: item.into(),
        basis,
        quantity,
        price: Pricing::Entry(key.to_owned()),
        note: None,
    }
}

fn with_note(mut c: Charge, note: impl Into<String>) -> Charge {
    c.note = Some(note.into());
    c
}

/// A number written as a JSON number or a numeric string (CloudFormation takes both).
fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        // `Fn::If [condition, then, else]`: the estimate assumes the condition holds (a
        // service's image given, for instance).
        Value::Object(o) => o
            .get("Fn::If")
            .and_then(|f| f.get(1))
            .and_then(|v| number(Some(v))),
        _ => None,
    }
}

fn resources(template: &Value) -> impl Iterator<Item = (&String, &Value)> {
    template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

fn of_type<'a>(
    template: &'a Value,
    kind: &'a str,
) -> impl Iterator<Item = (&'a String, &'a Value)> {
    resources(template).filter(move |(_, r)| r["Type"] == kind)
}

/// Whether `value` holds `{"Ref": id}` or `{"Fn::GetAtt": [id, ...]}` anywhere.
fn refers_to(value: &Value, id: &str) -> bool {
    match value {
        Value::Object(o) => {
            o.get("Ref").and_then(Value::as_str) == Some(id)
                || o.get("Fn::GetAtt")
                    .and_then(|g| g.get(0))
                    .and_then(Value::as_str)
                    == Some(id)
                || o.values().any(|v| refers_to(v, id))
        }
        Value::Array(a) => a.iter().any(|v| refers_to(v, id)),
        _ => false,
    }
}

fn referenced<'a>(ctx: &Ctx<'a>, value: &Value) -> Option<&'a Value> {
    let id = value.get("Ref")?.as_str()?;
    ctx.template.get("Resources")?.get(id)?.get("Properties")
}

/// The cluster costs nothing itself (its tasks are priced on their services), but Container
/// Insights publishes metrics and performance events to CloudWatch.
fn cluster(ctx: &Ctx<'_>) -> Vec<Charge> {
    let insights = ctx.properties["ClusterSettings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| s["Name"] == "containerInsights" && s["Value"] != "disabled");
    if !insights {
        return Vec::new();
    }
    vec![
        charge(
            "Container Insights metrics",
            Basis::Usage,
            Range::one(ctx.assume.get("insights_metrics")),
            "cloudwatch.metric-month",
        ),
        charge(
            "Container Insights performance events ingested",
            Basis::Usage,
            Range::one(ctx.assume.get("insights_gb")),
            "logs.ingest-gb",
        ),
    ]
}

fn fargate_service(ctx: &Ctx<'_>) -> Vec<Charge> {
    let task = ctx
        .properties
        .get("TaskDefinition")
        .and_then(|t| referenced(ctx, t));
    let (Some(cpu), Some(memory)) = (
        task.and_then(|t| number(t.get("Cpu"))),
        task.and_then(|t| number(t.get("Memory"))),
    ) else {
        return vec![unpriced_shape(
            "Fargate tasks",
            "the task definition's size is not in this template",
        )];
    };
    let arch = match task.and_then(|t| t["RuntimePlatform"]["CpuArchitecture"].as_str()) {
        Some("ARM64") => "arm64",
        _ => "x86_64",
    };
    let (vcpu, gb) = (cpu / 1024.0, memory / 1024.0);
    let target = of_type(ctx.template, "AWS::ApplicationAutoScaling::ScalableTarget")
        .find(|(_, t)| refers_to(&t["Properties"]["ResourceId"], ctx.id))
        .map(|(_, t)| &t["Properties"]);
    let tasks = match target {
        Some(t) => Range {
            min: number(t.get("MinCapacity")).unwrap_or(0.0),
            max: number(t.get("MaxCapacity")).unwrap_or(0.0),
        },
        None => Range::one(number(ctx.properties.get("DesiredCount")).unwrap_or(1.0)),
    };
    let tasks_text = if tasks.min == tasks.max {
        format!("{}", tasks.min)
    } else {
        format!("{}..{}", tasks.min, tasks.max)
    };
    let spot = ctx.properties["CapacityProviderStrategy"]
        .as_array()
        .is_some_and(|s| s.iter().any(|p| p["CapacityProvider"] == "FARGATE_SPOT"));
    let (kind, key) = if spot {
        ("Fargate Spot", "fargate-spot")
    } else {
        ("Fargate", "fargate")
    };
    let mut charges = vec![
        charge(
            format!("{kind} vCPU ({arch}): {tasks_text} tasks x {vcpu} vCPU"),
            Basis::Fixed,
            tasks.scale(vcpu * ctx.hours),
            &format!("{key}.vcpu-hour.{arch}"),
        ),
        charge(
            format!("{kind} memory ({arch}): {tasks_text} tasks x {gb} GB"),
            Basis::Fixed,
            tasks.scale(gb * ctx.hours),
            &format!("{key}.gb-hour.{arch}"),
        ),
    ];
    // The first 20 GB of a task's ephemeral storage are included; the rest is billed.
    let storage = task.and_then(|t| number(t["EphemeralStorage"].get("SizeInGiB")));
    if let Some(extra) = storage
        .map(|gib| gib - FARGATE_INCLUDED_STORAGE_GB)
        .filter(|e| *e > 0.0)
    {
        charges.push(charge(
            format!("Fargate ephemeral storage beyond 20 GB: {tasks_text} tasks x {extra} GB"),
            Basis::Fixed,
            tasks.scale(extra * ctx.hours),
            "fargate.ephemeral-gb-hour",
        ));
    }
    charges
}

/// GB of ephemeral storage a Fargate task has without charge.
const FARGATE_INCLUDED_STORAGE_GB: f64 = 20.0;

fn unpriced_shape(item: &str, why: &str) -> Charge {
    Charge {
        item: item.to_owned(),
        basis: Basis::Fixed,
        quantity: Range::one(0.0),
        price: Pricing::Unknown(why.to_owned()),
        note: None,
    }
}

fn rds_instance(ctx: &Ctx<'_>) -> Vec<Charge> {
    let p = ctx.properties;
    let source = p
        .get("SourceDBInstanceIdentifier")
        .and_then(|s| referenced(ctx, s));
    let class = p["DBInstanceClass"].as_str().unwrap_or("unknown");
    let multi = p["MultiAZ"].as_bool() == Some(true);
    let az = if multi { "multi-az" } else { "single-az" };
    let copies = if multi {
        "primary and standby"
    } else {
        "one instance"
    };
    let role = if source.is_some() {
        "read replica"
    } else {
        "instance"
    };
    let storage_type = p["StorageType"].as_str().unwrap_or("gp3");
    // A replica has the size of its source.
    let allocated = number(p.get("AllocatedStorage"))
        .or_else(|| source.and_then(|s| number(s.get("AllocatedStorage"))))
        .unwrap_or(0.0);
    let storage = Range {
        min: allocated,
        max: number(p.get("MaxAllocatedStorage"))
            .unwrap_or(allocated)
            .max(allocated),
    };
    let mut out = vec![
        charge(
            format!("PostgreSQL {role} {class}, {az} ({copies})"),
            Basis::Fixed,
            Range::one(ctx.hours),
            &format!("rds.postgres.{class}.{az}"),
        ),
        with_note(
            charge(
                format!("{storage_type} storage, {az}"),
                Basis::Fixed,
                storage,
                &format!("rds.storage.{storage_type}.{az}"),
            ),
            if storage.min == storage.max {
                format!("{allocated} GB allocated")
            } else {
                format!(
                    "{allocated} GB allocated, storage autoscaling up to {} GB",
                    storage.max
                )
            },
        ),
    ];
    if let Some(iops) = number(p.get("Iops")) {
        out.push(charge(
            format!("provisioned IOPS ({storage_type}), {az}"),
            Basis::Fixed,
            Range::one(iops),
            &format!("rds.iops.{storage_type}.{az}"),
        ));
    }
    if source.is_none() {
        out.push(with_note(
            charge(
                "backup storage beyond the free amount",
                Basis::Usage,
                Range::one(ctx.assume.get("backup_extra_gb")),
                "rds.backup-storage",
            ),
            "backups up to the provisioned storage are free (assumption backup_extra_gb)",
        ));
    }
    if p["ManageMasterUserPassword"].as_bool() == Some(true) {
        out.push(with_note(
            charge(
                "master password secret (managed by RDS)",
                Basis::Fixed,
                Range::one(1.0),
                "secretsmanager.secret-month",
            ),
            "RDS creates it in Secrets Manager; it is not a resource of the template",
        ));
    }
    if p["EnablePerformanceInsights"].as_bool() == Some(true) {
        let days = number(p.get("PerformanceInsightsRetentionPeriod")).unwrap_or(7.0);
        if days <= 7.0 {
            out.push(Charge {
                item: "Performance Insights, 7 days of history".to_owned(),
                basis: Basis::Fixed,
                quantity: Range::one(1.0),
                price: Pricing::Included,
                note: None,
            });
        } else {
            out.extend(performance_insights(class, multi, days));
        }
    }
    if p["EnableCloudwatchLogsExports"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
        && source.is_none()
    {
        out.push(charge(
            "database logs exported to CloudWatch Logs",
            Basis::Usage,
            Range::one(ctx.assume.get("db_log_gb")),
            "logs.ingest-gb",
        ));
    }
    out
}

/// Paid Performance Insights history: a retention of 1 to 24 months (31 days each; 731 is
/// 24), priced per vCPU-month, the first month at one rate and each further month at
/// another; a Multi-AZ instance's standby counts its vCPUs too.
fn performance_insights(class: &str, multi: bool, days: f64) -> Vec<Charge> {
    let Some(vcpus) = vcpus(class) else {
        return vec![unpriced_shape(
            &format!("Performance Insights, {days} days of history"),
            &format!("the vCPUs of `{class}` are not known to byoa"),
        )];
    };
    let vcpus = if multi { 2.0 * vcpus } else { vcpus };
    let months = (days / 31.0).round().clamp(1.0, 24.0);
    let mut out = vec![with_note(
        charge(
            format!("Performance Insights, {days} days of history: the first month"),
            Basis::Fixed,
            Range::one(vcpus),
            "rds.performance-insights.long-term",
        ),
        format!("{vcpus} vCPUs"),
    )];
    if months > 1.0 {
        out.push(with_note(
            charge(
                format!("Performance Insights: {} further months", months - 1.0),
                Basis::Fixed,
                Range::one(vcpus * (months - 1.0)),
                "rds.performance-insights.further-month",
            ),
            format!("{vcpus} vCPUs for each further month"),
        ));
    }
    out
}

/// The vCPUs of a Graviton or Intel RDS class (`db.r6g.xlarge`: 4): micro to large have 2,
/// `xlarge` 4, `Nxlarge` 4N.
fn vcpus(class: &str) -> Option<f64> {
    let size = class.rsplit('.').next()?;
    match size {
        "micro" | "small" | "medium" | "large" => Some(2.0),
        "xlarge" => Some(4.0),
        _ => size
            .strip_suffix("xlarge")?
            .parse::<f64>()
            .ok()
            .map(|n| 4.0 * n),
    }
}

fn nat_gateway(ctx: &Ctx<'_>) -> Vec<Charge> {
    let gateways = of_type(ctx.template, "AWS::EC2::NatGateway").count().max(1) as f64;
    vec![
        charge(
            "NAT gateway hours",
            Basis::Fixed,
            Range::one(ctx.hours),
            "nat.hour",
        ),
        with_note(
            charge(
                "data processed",
                Basis::Usage,
                Range::one(ctx.assume.get("nat_gb") / gateways),
                "nat.gb",
            ),
            format!("nat_gb shared by {gateways} gateway(s)"),
        ),
    ]
}

/// Interface endpoints are billed per zone they sit in (one subnet each) and hour, and per GB
/// processed; gateway endpoints (S3) cost nothing. The traffic is the AWS traffic `nat_gb`
/// assumes, which endpoints carry in place of NAT gateways, shared by the interface endpoints.
fn vpc_endpoint(ctx: &Ctx<'_>) -> Vec<Charge> {
    if ctx.properties["VpcEndpointType"] != "Interface" {
        return vec![Charge {
            item: "gateway endpoint".into(),
            basis: Basis::Fixed,
            quantity: Range::one(1.0),
            price: Pricing::Included,
            note: Some("gateway endpoints cost nothing".into()),
        }];
    }
    let zones = ctx.properties["SubnetIds"]
        .as_array()
        .map_or(1, Vec::len)
        .max(1) as f64;
    let interfaces = of_type(ctx.template, "AWS::EC2::VPCEndpoint")
        .filter(|(_, r)| r["Properties"]["VpcEndpointType"] == "Interface")
        .count()
        .max(1) as f64;
    vec![
        with_note(
            charge(
                "endpoint hours, per zone",
                Basis::Fixed,
                Range::one(ctx.hours * zones),
                "vpce.interface.az-hour",
            ),
            format!("{zones} zone(s)"),
        ),
        with_note(
            charge(
                "data processed",
                Basis::Usage,
                Range::one(ctx.assume.get("nat_gb") / interfaces),
                "vpce.interface.gb",
            ),
            format!(
                "nat_gb (AWS traffic through the endpoints instead of NAT) shared by {interfaces} endpoint(s)"
            ),
        ),
    ]
}

fn elastic_ip(ctx: &Ctx<'_>) -> Vec<Charge> {
    vec![charge(
        "public IPv4 address",
        Basis::Fixed,
        Range::one(ctx.hours),
        "ipv4.hour",
    )]
}

fn load_balancer(ctx: &Ctx<'_>) -> Vec<Charge> {
    let mut out = vec![
        charge(
            "load balancer hours",
            Basis::Fixed,
            Range::one(ctx.hours),
            "alb.hour",
        ),
        charge(
            "load balancer capacity units",
            Basis::Usage,
            Range::one(ctx.assume.get("alb_lcu") * ctx.hours),
            "alb.lcu-hour",
        ),
    ];
    if ctx.properties["Scheme"] == "internet-facing" {
        let zones = ctx.properties["Subnets"].as_array().map_or(1, Vec::len) as f64;
        out.push(with_note(
            charge(
                format!("public IPv4 addresses, one per zone ({zones})"),
                Basis::Fixed,
                Range::one(zones * ctx.hours),
                "ipv4.hour",
            ),
            "at least one per zone; the load balancer adds more as it scales",
        ));
    }
    out
}

fn web_acl(ctx: &Ctx<'_>) -> Vec<Charge> {
    let rules = ctx.properties["Rules"].as_array().map_or(0, Vec::len) as f64;
    vec![
        charge(
            "web ACL",
            Basis::Fixed,
            Range::one(1.0),
            "waf.web-acl-month",
        ),
        charge(
            format!("rules and rule groups ({rules})"),
            Basis::Fixed,
            Range::one(rules),
            "waf.rule-month",
        ),
        charge(
            "requests inspected",
            Basis::Usage,
            Range::one(ctx.assume.get("waf_requests_m")),
            "waf.million-requests",
        ),
    ]
}

fn kms_key(ctx: &Ctx<'_>) -> Vec<Charge> {
    let key = charge(
        "customer managed key",
        Basis::Fixed,
        Range::one(1.0),
        "kms.key-month",
    );
    let key = if ctx.properties["EnableKeyRotation"].as_bool() == Some(true) {
        with_note(
            key,
            "automatic rotation: rotated key versions add to the monthly charge as the key \
             ages (AWS lowered that charge in April 2024); a first year's key shown",
        )
    } else {
        key
    };
    vec![
        key,
        charge(
            "key requests",
            Basis::Usage,
            Range::one(ctx.assume.get("kms_requests_10k")),
            "kms.10k-requests",
        ),
    ]
}

fn log_group(ctx: &Ctx<'_>) -> Vec<Charge> {
    if let Some(name) = ctx.properties["LogGroupName"].as_str()
        && name.starts_with("/aws/rds/instance/")
    {
        return database_log_group(ctx, name);
    }
    // Who writes to the group decides its volume.
    let writer = resources(ctx.template)
        .find(|(_, r)| {
            matches!(
                r["Type"].as_str(),
                Some("AWS::EC2::FlowLog" | "AWS::CloudTrail::Trail")
            ) && refers_to(&r["Properties"], ctx.id)
        })
        .and_then(|(_, r)| r["Type"].as_str());
    let (what, key) = match writer {
        Some("AWS::EC2::FlowLog") => ("VPC flow logs", "flow_log_gb"),
        Some(_) => ("CloudTrail events", "trail_log_gb"),
        None => ("application logs", "service_log_gb"),
    };
    let gb = ctx.assume.get(key);
    vec![
        with_note(
            charge(
                format!("{what} ingested"),
                Basis::Usage,
                Range::one(gb),
                "logs.ingest-gb",
            ),
            format!("assumption {key}"),
        ),
        stored(ctx, what, gb),
    ]
}

/// A group RDS exports an instance's log to (`/aws/rds/instance/<id>/<log>`). The primary's
/// rule charges the ingestion of every instance's logs together (`db_log_gb`), so the groups
/// add what keeping them costs, once: on the group of the primary's `postgresql` log (the
/// `upgrade` log holds a few lines per engine upgrade).
fn database_log_group(ctx: &Ctx<'_>, name: &str) -> Vec<Charge> {
    let primary = resources(ctx.template)
        .map(|(_, r)| &r["Properties"])
        .find(|p| p.get("Engine").is_some() && p.get("SourceDBInstanceIdentifier").is_none())
        .and_then(|p| p["DBInstanceIdentifier"].as_str());
    match primary {
        Some(id) if name == crate::naming::rds_log_group(id, "postgresql") => {
            vec![stored(ctx, "database logs", ctx.assume.get("db_log_gb"))]
        }
        _ => Vec::new(),
    }
}

/// What keeping `gb` a month of `what` costs at the group's retention: steady state, a
/// month's ingestion kept for the retention period.
fn stored(ctx: &Ctx<'_>, what: &str, gb: f64) -> Charge {
    let days = number(ctx.properties.get("RetentionInDays"));
    with_note(
        charge(
            format!("{what} stored"),
            Basis::Usage,
            Range::one(gb * days.map_or(12.0, |d| d * 12.0 / 365.0)),
            "logs.storage-gb-month",
        ),
        match days {
            Some(d) => format!("{d} days of retention"),
            None => "no retention set: grows every month; a year shown".to_owned(),
        },
    )
}

fn alarm(ctx: &Ctx<'_>) -> Vec<Charge> {
    // A metric-math alarm is charged per metric it reads.
    let metrics = ctx.properties["Metrics"].as_array().map_or(1, |m| {
        m.iter()
            .filter(|x| x.get("MetricStat").is_some())
            .count()
            .max(1)
    }) as f64;
    vec![charge(
        "standard-resolution alarm",
        Basis::Fixed,
        Range::one(metrics),
        "cloudwatch.alarm-month",
    )]
}

fn dashboard(_: &Ctx<'_>) -> Vec<Charge> {
    vec![charge(
        "dashboard",
        Basis::Fixed,
        Range::one(1.0),
        "cloudwatch.dashboard-month",
    )]
}

fn trail(_: &Ctx<'_>) -> Vec<Charge> {
    vec![Charge {
        item: "management events".to_owned(),
        basis: Basis::Fixed,
        quantity: Range::one(1.0),
        price: Pricing::Included,
        note: Some(
            "the account's first copy of management events is free; a second trail's copy is \
             charged per event and is not estimated"
                .to_owned(),
        ),
    }]
}

fn bucket(ctx: &Ctx<'_>) -> Vec<Charge> {
    vec![with_note(
        charge(
            "S3 Standard storage",
            Basis::Usage,
            Range::one(ctx.assume.get("s3_gb")),
            "s3.standard-gb-month",
        ),
        "requests are not estimated",
    )]
}

fn repository(ctx: &Ctx<'_>) -> Vec<Charge> {
    vec![charge(
        "image storage",
        Basis::Usage,
        Range::one(ctx.assume.get("ecr_gb")),
        "ecr.gb-month",
    )]
}

fn secret(_: &Ctx<'_>) -> Vec<Charge> {
    vec![charge(
        "secret",
        Basis::Fixed,
        Range::one(1.0),
        "secretsmanager.secret-month",
    )]
}

fn namespace(_: &Ctx<'_>) -> Vec<Charge> {
    vec![charge(
        "private DNS namespace (hosted zone)",
        Basis::Fixed,
        Range::one(1.0),
        "cloudmap.namespace-month",
    )]
}

fn discovery_service(_: &Ctx<'_>) -> Vec<Charge> {
    vec![with_note(
        charge(
            "registered task instances",
            Basis::Fixed,
            Range::one(1.0),
            "cloudmap.instance-month",
        ),
        "one per running task",
    )]
}

fn guard_hook(_: &Ctx<'_>) -> Vec<Charge> {
    vec![with_note(
        charge(
            "hook invocations",
            Basis::Usage,
            Range::one(1.0),
            "cloudformation.hook-invocation",
        ),
        "one per stack operation it checks",
    )]
}
