//! Semantic validation: a schema-valid `Spec` for one environment -> `Model`, or every problem.
//!
//! Checks what a JSON Schema cannot say: CIDR arithmetic, regions and residency, zone names,
//! names usable in CloudFormation, Fargate sizes, routes. Every check appends to one list; the
//! model is built only when the list has no errors. Pointers name the field in the merged view,
//! which the environment's source map resolves to the line the value came from.

use std::collections::HashMap;

use ipnet::Ipv4Net;

use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::naming::{self, ServiceId};
use crate::spec::build;
use crate::spec::model::{Model, NetworkModel, OwnedVpc, Waiver, Zones};
use crate::spec::regions::{self, REGIONS};
use crate::spec::types::{Network, Service, Spec};
use crate::spec::{RuleCatalogue, Sealed};

/// Retention periods CloudWatch Logs accepts, in days.
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Smallest subnet AWS allows.
const MIN_SUBNET_PREFIX: u8 = 28;
/// An application load balancer needs at least a /27 in each of its subnets.
const MIN_ALB_SUBNET_PREFIX: u8 = 27;
/// Derived layouts reserve room for this many zones so adding a zone never moves a subnet.
const ZONE_SLOTS: usize = 8;
/// The account id AWS's documentation uses in its examples, and `byoa init`'s default.
pub const PLACEHOLDER_ACCOUNT: &str = "123456789012";
/// AWS allows this many user tags per resource; byoa uses five of them.
const MAX_USER_TAGS: usize = 45;

/// Validates `spec` as environment `environment` and builds the model, with the warnings
/// found (problems that stop nothing); every problem when any is an error. `catalogue` names
/// the controls behind each rule (for shift-left conflicts) and the resource types it judges.
pub fn validate(
    spec: &Spec,
    environment: &str,
    catalogue: &RuleCatalogue,
) -> Result<(Model, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut d = Vec::new();
    check_product(spec, &mut d);
    let region = check_region(spec, &mut d);
    let network = check_network(spec, region, &mut d);
    check_services(spec, &mut d);
    crate::spec::compute::check(spec, environment, &mut d);
    crate::spec::http_only::check(spec, environment, &mut d);
    crate::spec::secrets::check(spec, &mut d);
    check_database(spec, &mut d);
    crate::spec::identifier::check(spec, environment, &mut d);
    let services = build::services(spec, &mut d);
    let database = build::database(spec, &mut d);
    check_access(spec, &mut d);
    crate::spec::aws::check(spec, &mut d);
    crate::spec::combinations::check(spec, &mut d);
    let profiles: Vec<String> = spec
        .compliance
        .profiles
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    d.extend(crate::spec::compliance::check(spec, &|rule| {
        catalogue.controls(rule, &profiles)
    }));
    d.extend(crate::spec::compliance::unknown_rules(spec, catalogue));
    d.extend(crate::spec::compliance::hook_blind(spec));
    retention(
        spec.monitoring.log_retention_days,
        "/monitoring/log_retention_days",
        &mut d,
    );
    if d.iter().any(Diagnostic::is_error) {
        return Err(d);
    }
    let network = network.expect("no errors means the network was laid out");
    let model = Model {
        product: spec.product.name.clone(),
        environment: environment.to_owned(),
        vendor_account_id: spec.product.vendor_account_id.clone(),
        region: spec.region.clone(),
        residency: spec.residency,
        tags: tags(spec, environment),
        compliance: spec.compliance.clone(),
        waivers: waivers(spec, catalogue),
        network,
        database,
        services,
        access: spec.access.clone(),
        monitoring: spec.monitoring.clone(),
        cost: spec.cost.assume.clone(),
        _sealed: Sealed(()),
    };
    Ok((model, d))
}

/// The lasting exceptions for named resources, each with the resource types its rule judges.
/// Exceptions that expire stay out (baked into a deployed template they would outlive their
/// date, while `byoa check` reopens them on time), and so do exceptions naming no resource
/// (they would waive the rule for compliant resources too) and rules that judge no resource
/// type.
fn waivers(spec: &Spec, catalogue: &RuleCatalogue) -> Vec<Waiver> {
    spec.compliance
        .exceptions
        .iter()
        .filter(|e| e.expires.is_none())
        .filter_map(|e| {
            let types = catalogue.resource_types(&e.rule);
            Some(Waiver {
                rule: e.rule.clone(),
                resource: e.resource.clone()?,
                reason: e.reason.clone(),
                resource_types: types.to_vec(),
            })
            .filter(|_| !types.is_empty())
        })
        .collect()
}

fn tags(spec: &Spec, environment: &str) -> Vec<(String, String)> {
    let mut tags = vec![
        ("byoa:product".to_owned(), spec.product.name.clone()),
        ("byoa:environment".to_owned(), environment.to_owned()),
        ("byoa:managed-by".to_owned(), "byoa".to_owned()),
    ];
    if let Some(owner) = &spec.product.owner {
        tags.push(("byoa:owner".to_owned(), owner.clone()));
    }
    tags.extend(
        spec.product
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    tags
}

/// Lowercase letters, digits and single hyphens, starting with a letter.
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn check_product(spec: &Spec, d: &mut Vec<Diagnostic>) {
    let p = &spec.product;
    if !is_dns_label(&p.name) {
        d.push(
            Diagnostic::error(
                Code::ProductName,
                "/product/name",
                format!("product name `{}` cannot be used in stack names", p.name),
            )
            .with_help(format!(
                "use lowercase letters, digits and single hyphens, starting with a letter, e.g. `{}`",
                suggest_label(&p.name)
            )),
        );
    }
    let id = &p.vendor_account_id;
    if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
        d.push(
            Diagnostic::error(
                Code::ProductAccountId,
                "/product/vendor_account_id",
                format!("vendor account id `{id}` is not 12 digits"),
            )
            .with_help("an AWS account id has exactly 12 digits, leading zeros included; quote it"),
        );
    } else if id == PLACEHOLDER_ACCOUNT {
        d.push(
            Diagnostic::error(
                Code::ProductPlaceholderAccount,
                "/product/vendor_account_id",
                format!("vendor account id `{id}` is the example AWS's documentation uses: the customer's deployer role would trust that account"),
            )
            .with_help("put your own account id here and in `access.vendor_role_arn` (`byoa init --vendor-account-id <id>` writes both)")
            .as_warning(),
        );
    }
    if p.tags.len() > MAX_USER_TAGS {
        d.push(Diagnostic::error(
            Code::ProductTag,
            "/product/tags",
            format!(
                "{} tags given; AWS allows {MAX_USER_TAGS} besides byoa's own",
                p.tags.len()
            ),
        ));
    }
    for (k, v) in &p.tags {
        let ptr = crate::diag::push_pointer("/product/tags", k);
        let bad_char = |s: &str| s.chars().find(|c| !crate::spec::aws::tags::tag_char(*c));
        let problem = if k.is_empty() || k.chars().count() > 128 {
            Some(format!("tag key `{k}` must be 1 to 128 characters"))
        } else if k.to_ascii_lowercase().starts_with("aws:") || k.starts_with("byoa:") {
            Some(format!(
                "tag key `{k}` uses a reserved prefix (`aws:` or `byoa:`)"
            ))
        } else if v.chars().count() > 256 {
            Some(format!(
                "the value of tag `{k}` is longer than 256 characters"
            ))
        } else {
            bad_char(k)
                .or_else(|| bad_char(v))
                .map(|c| format!("tag `{k}` contains `{c}`, which AWS tags do not allow"))
        };
        if let Some(message) = problem {
            d.push(
                Diagnostic::error(Code::ProductTag, ptr, message)
                    .at_key()
                    .with_help("tags allow letters, digits, spaces and `_ . : / = + - @`"),
            );
        }
    }
}

fn suggest_label(name: &str) -> String {
    let mut s: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s
        .trim_matches('-')
        .trim_start_matches(|c: char| c.is_ascii_digit());
    if s.is_empty() {
        "my-product".to_owned()
    } else {
        s.to_owned()
    }
}

fn check_region(spec: &Spec, d: &mut Vec<Diagnostic>) -> Option<&'static regions::Region> {
    let Some(region) = regions::find(&spec.region) else {
        let mut diag = Diagnostic::error(
            Code::RegionUnknown,
            "/region",
            format!(
                "`{}` is not a commercial AWS region byoa knows",
                spec.region
            ),
        );
        diag = match did_you_mean(&spec.region, REGIONS.iter().map(|r| r.code)) {
            Some(best) => diag.with_help(format!("did you mean `{best}`?")),
            None => diag.with_help("use a region code such as `us-east-1` or `eu-west-1`"),
        };
        d.push(diag);
        return None;
    };
    if !regions::allowed(spec.residency, region) {
        let allowed = regions::allowed_codes(spec.residency);
        d.push(
            Diagnostic::error(
                Code::ResidencyRegion,
                "/region",
                format!(
                    "region `{}` is outside residency `{}`",
                    spec.region,
                    spec.residency.as_str()
                ),
            )
            .with_help(format!("choose one of: {}", allowed.join(", "))),
        );
    }
    Some(region)
}

pub(crate) fn parse_cidr(text: &str, pointer: &str, d: &mut Vec<Diagnostic>) -> Option<Ipv4Net> {
    match text.parse::<Ipv4Net>() {
        Ok(net) if net.network() == net.addr() => Some(net),
        Ok(net) => {
            d.push(
                Diagnostic::error(
                    Code::NetworkCidrSyntax,
                    pointer,
                    format!("`{text}` has host bits set"),
                )
                .with_help(format!("did you mean `{}`?", net.trunc())),
            );
            None
        }
        Err(_) => {
            d.push(
                Diagnostic::error(
                    Code::NetworkCidrSyntax,
                    pointer,
                    format!("`{text}` is not an IPv4 CIDR block"),
                )
                .with_help("write an address and prefix length, e.g. `10.0.0.0/16`"),
            );
            None
        }
    }
}

fn check_network(
    spec: &Spec,
    region: Option<&regions::Region>,
    d: &mut Vec<Diagnostic>,
) -> Option<NetworkModel> {
    let n = &spec.network;
    let load_balancer = build::load_balancer(n, d);
    let egress = crate::spec::vpc::egress(n, d);
    let exposed: Vec<(usize, &Service)> = spec
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| s.expose.is_some())
        .collect();
    if !n.load_balancer.enabled
        && let Some((i, s)) = exposed.first()
    {
        d.push(
            Diagnostic::error(
                Code::NetworkNoLoadBalancer,
                format!("/services/{i}/expose"),
                format!(
                    "service `{}` is exposed but the load balancer is disabled",
                    s.name
                ),
            )
            .with_help("set `network.load_balancer.enabled: true` or remove `expose`"),
        );
    }
    if n.existing {
        // The customer's VPC: its ids arrive at launch, nothing to lay out.
        return Some(NetworkModel {
            vpc: None,
            load_balancer,
            egress,
        });
    }
    // Zones with problems still lay the subnets out, so that their problems are reported too
    // (no model is built while any error is listed).
    let zones = check_zones(spec, region, d);
    retention(
        n.flow_logs.retention_days,
        "/network/flow_logs/retention_days",
        d,
    );
    let vpc = parse_cidr(&n.cidr, "/network/cidr", d)?;
    if !(16..=28).contains(&vpc.prefix_len()) {
        d.push(
            Diagnostic::error(
                Code::NetworkVpcSize,
                "/network/cidr",
                format!(
                    "a VPC must be between /16 and /28, `{}` is /{}",
                    n.cidr,
                    vpc.prefix_len()
                ),
            )
            .with_help("AWS allows VPC CIDR blocks from /16 (65,536 addresses) to /28 (16)"),
        );
        return None;
    }
    let alb = n.load_balancer.enabled;
    let (public, private, isolated) = match &n.subnets {
        None => derive_subnets(vpc, zones.count(), alb, d)?,
        Some(_) => explicit_subnets(n, vpc, zones.count(), alb, d)?,
    };
    Some(NetworkModel {
        vpc: Some(OwnedVpc {
            cidr: vpc,
            zones,
            nat: n.nat,
            public,
            private,
            isolated,
            flow_logs: n.flow_logs.enabled.then(|| n.flow_logs.clone()),
            // Endpoints serve the services' tasks: none without services.
            endpoints: crate::spec::vpc::endpoints(n) && !spec.services.is_empty(),
        }),
        load_balancer,
        egress,
    })
}

fn check_zones(spec: &Spec, region: Option<&regions::Region>, d: &mut Vec<Diagnostic>) -> Zones {
    let n = &spec.network;
    let zones = match (&n.zones, n.az_count) {
        (Some(names), count) => {
            if let Some(count) = count.filter(|c| usize::from(*c) != names.len()) {
                d.push(
                    Diagnostic::error(
                        Code::NetworkAzCount,
                        "/network/az_count",
                        format!("`az_count` is {count} but `zones` names {}", names.len()),
                    )
                    .with_help("remove `az_count`; the zone list decides the count"),
                );
            }
            if !(2..=6).contains(&names.len()) {
                d.push(
                    Diagnostic::error(
                        Code::NetworkAzCount,
                        "/network/zones",
                        format!("{} zones named; byoa needs 2 to 6", names.len()),
                    )
                    .with_help("a highly available VPC spans at least two zones"),
                );
            }
            let mut seen = HashMap::new();
            for (i, z) in names.iter().enumerate() {
                let ptr = format!("/network/zones/{i}");
                let suffix = z.strip_prefix(spec.region.as_str());
                if !matches!(suffix, Some(s) if s.len() == 1 && s.as_bytes()[0].is_ascii_lowercase())
                {
                    d.push(
                        Diagnostic::error(
                            Code::NetworkZone,
                            ptr.clone(),
                            format!("zone `{z}` is not in region `{}`", spec.region),
                        )
                        .with_help(format!(
                            "zones of `{0}` are named `{0}a`, `{0}b`, ...",
                            spec.region
                        )),
                    );
                }
                if let Some(first) = seen.insert(z.as_str(), i) {
                    d.push(Diagnostic::error(
                        Code::NetworkZone,
                        ptr,
                        format!(
                            "zone `{z}` is listed twice (also at position {})",
                            first + 1
                        ),
                    ));
                }
            }
            Zones::Named(names.clone())
        }
        (None, count) => Zones::AtLaunch(usize::from(count.unwrap_or(2))),
    };
    if let Some(region) = region
        && zones.count() > region.zones
    {
        let ptr = if n.zones.is_some() {
            "/network/zones"
        } else {
            "/network/az_count"
        };
        d.push(
            Diagnostic::error(
                Code::NetworkAzCount,
                ptr,
                format!(
                    "{} zones asked for, but `{}` offers {} to most accounts",
                    zones.count(),
                    region.code,
                    region.zones
                ),
            )
            .with_help(format!(
                "use at most {} zones in `{}`",
                region.zones, region.code
            )),
        );
    }
    zones
}

type Tiers = (Vec<Ipv4Net>, Vec<Ipv4Net>, Vec<Ipv4Net>);

/// Lays out subnets so that each tier keeps its place when zones are added: the first half of
/// the VPC holds eight private slots, the third quarter eight isolated slots, the last quarter
/// eight public slots.
pub fn derive_subnets(
    vpc: Ipv4Net,
    zones: usize,
    alb: bool,
    d: &mut Vec<Diagnostic>,
) -> Option<Tiers> {
    let small_prefix = vpc.prefix_len() + 5;
    let limit = if alb {
        MIN_ALB_SUBNET_PREFIX
    } else {
        MIN_SUBNET_PREFIX
    };
    if small_prefix > limit {
        let largest = limit - 5;
        d.push(
            Diagnostic::error(
                Code::NetworkSubnetTooSmall,
                "/network/cidr",
                format!(
                    "a /{} VPC leaves /{small_prefix} public and isolated subnets; {} need at least /{limit}",
                    vpc.prefix_len(),
                    if alb { "load balancer subnets" } else { "subnets" },
                ),
            )
            .with_help(format!(
                "use a /{largest} or larger VPC, or list `network.subnets` yourself"
            )),
        );
        return None;
    }
    let slots = |prefix: u8, first: usize| -> Vec<Ipv4Net> {
        vpc.subnets(prefix)
            .expect("prefix is longer than the VPC's")
            .skip(first)
            .take(zones.min(ZONE_SLOTS))
            .collect()
    };
    Some((
        slots(small_prefix, 24),
        slots(small_prefix - 1, 0),
        slots(small_prefix, 16),
    ))
}

fn explicit_subnets(
    n: &Network,
    vpc: Ipv4Net,
    zones: usize,
    alb: bool,
    d: &mut Vec<Diagnostic>,
) -> Option<Tiers> {
    let s = n.subnets.as_ref()?;
    let before = d.len();
    let mut all: Vec<(Ipv4Net, String)> = Vec::new();
    let mut tier = |name: &str, list: &[String], min_prefix: u8| -> Vec<Ipv4Net> {
        let base = format!("/network/subnets/{name}");
        if list.len() != zones {
            d.push(
                Diagnostic::error(
                    Code::NetworkSubnetCount,
                    base.clone(),
                    format!("{} {name} subnets listed for {zones} zones", list.len()),
                )
                .with_help(format!("list exactly {zones} CIDRs, one per zone")),
            );
        }
        let mut nets = Vec::new();
        for (i, text) in list.iter().enumerate() {
            let ptr = format!("{base}/{i}");
            let Some(net) = parse_cidr(text, &ptr, d) else {
                continue;
            };
            if !vpc.contains(&net) {
                d.push(
                    Diagnostic::error(
                        Code::NetworkSubnetOutsideVpc,
                        ptr.clone(),
                        format!("subnet `{net}` is not inside the VPC `{vpc}`"),
                    )
                    .with_help(format!("pick a block within `{vpc}`")),
                );
            }
            if net.prefix_len() > min_prefix {
                d.push(
                    Diagnostic::error(
                        Code::NetworkSubnetTooSmall,
                        ptr.clone(),
                        format!(
                            "{name} subnet `{net}` is too small: at least /{min_prefix} is needed{}",
                            if min_prefix == MIN_ALB_SUBNET_PREFIX { " for the load balancer" } else { "" }
                        ),
                    )
                    .with_help(format!("use a /{min_prefix} or larger block")),
                );
            }
            if let Some((other, at)) = all
                .iter()
                .find(|(o, _)| o.contains(&net) || net.contains(o))
            {
                d.push(
                    Diagnostic::error(
                        Code::NetworkCidrOverlap,
                        ptr.clone(),
                        format!("subnet `{net}` overlaps `{other}` (at `{at}`)"),
                    )
                    .with_help("give every subnet its own block"),
                );
            }
            all.push((net, crate::diag::pointer_to_field(&ptr)));
            nets.push(net);
        }
        nets
    };
    let public = tier(
        "public",
        &s.public,
        if alb {
            MIN_ALB_SUBNET_PREFIX
        } else {
            MIN_SUBNET_PREFIX
        },
    );
    let private = tier("private", &s.private, MIN_SUBNET_PREFIX);
    let isolated = tier("isolated", &s.isolated, MIN_SUBNET_PREFIX);
    (d.len() == before).then_some((public, private, isolated))
}

fn retention(days: u32, pointer: &str, d: &mut Vec<Diagnostic>) {
    if LOG_RETENTION_DAYS.contains(&days) {
        return;
    }
    let nearest = LOG_RETENTION_DAYS
        .iter()
        .min_by_key(|v| v.abs_diff(days))
        .expect("the table is not empty");
    d.push(
        Diagnostic::error(
            Code::NetworkRetention,
            pointer,
            format!("CloudWatch Logs cannot keep logs for {days} days"),
        )
        .with_help(format!(
            "use a value CloudWatch Logs accepts, e.g. `{nearest}` (allowed: 1, 3, 5, 7, 14, 30, 60, 90, ..., 3653)"
        )),
    );
}

/// The Fargate task sizes: CPU units -> allowed memory in MiB (from the generated table).
pub fn fargate_memory(cpu: u32) -> Option<Vec<u32>> {
    crate::spec::aws::table::Table::get()
        .fargate_memory(cpu)
        .map(<[u32]>::to_vec)
}

/// The CPU sizes Fargate has, for a help line: `256, 512, ... or 16384`.
fn fargate_cpus() -> String {
    let sizes = &crate::spec::aws::table::Table::get().fargate;
    let cpus: Vec<String> = sizes.iter().map(|s| s.cpu.to_string()).collect();
    cpus.join(", ")
}

/// `1024 to 4096 (in steps of 1024)`, or the sizes listed when their steps differ.
fn memory_choices(allowed: &[u32]) -> String {
    let steps: Vec<u32> = allowed.windows(2).map(|w| w[1] - w[0]).collect();
    match (allowed, steps.first()) {
        ([first, .., last], Some(step)) if allowed.len() > 3 && steps.iter().all(|s| s == step) => {
            format!("{first} to {last} (in steps of {step})")
        }
        _ => {
            let sizes: Vec<String> = allowed.iter().map(u32::to_string).collect();
            sizes.join(", ")
        }
    }
}

fn check_services(spec: &Spec, d: &mut Vec<Diagnostic>) {
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut ids: HashMap<ServiceId, &str> = HashMap::new();
    let mut routes: HashMap<(Option<&str>, Vec<&str>), &str> = HashMap::new();
    for (i, s) in spec.services.iter().enumerate() {
        let base = format!("/services/{i}");
        // Logical ids, parameters and outputs carry the name in CamelCase: `a-1` and `a1`
        // would collide there.
        let id = ServiceId::of(&s.name);
        if let Some(fixed) = naming::collision(&id) {
            d.push(
                Diagnostic::error(
                    Code::ServiceReservedName,
                    format!("{base}/name"),
                    format!(
                        "service name `{}` would give a template id byoa uses for something else (`{fixed}`)",
                        s.name
                    ),
                )
                .with_help(format!("rename the service, e.g. `{}-app`", s.name)),
            );
        }
        if let Some(other) = ids.insert(id, &s.name)
            && other != s.name
        {
            d.push(
                Diagnostic::error(
                    Code::ServiceName,
                    format!("{base}/name"),
                    format!(
                        "service names `{other}` and `{}` differ only in hyphens",
                        s.name
                    ),
                )
                .with_help("rename one: byoa derives template ids from the name without hyphens"),
            );
        }
        if s.uses_database && spec.database.is_none() {
            d.push(
                Diagnostic::error(
                    Code::ServiceDatabase,
                    format!("{base}/uses_database"),
                    format!(
                        "service `{}` uses a database, but the spec has none",
                        s.name
                    ),
                )
                .with_help("add a `database:` section or set `uses_database: false`"),
            );
        }
        let provided: &[&str] = if s.uses_database {
            &["DB_HOST", "DB_PORT", "DB_USERNAME", "DB_PASSWORD"]
        } else {
            &[]
        };
        let secret_only = s.secrets.keys().filter(|k| !s.environment.contains_key(*k));
        for name in s.environment.keys().chain(secret_only) {
            let twice = s.environment.contains_key(name) && s.secrets.contains_key(name);
            if !twice && !provided.contains(&name.as_str()) {
                continue;
            }
            let section = if s.environment.contains_key(name) {
                "environment"
            } else {
                "secrets"
            };
            let (message, help) = if twice {
                (
                    format!(
                        "`{name}` of service `{}` is both a plain variable and a secret",
                        s.name
                    ),
                    "keep one of the two",
                )
            } else {
                (
                    format!(
                        "`{name}` of service `{}` is set by byoa from the database",
                        s.name
                    ),
                    "remove it: with `uses_database: true` byoa sets DB_HOST, DB_PORT, DB_USERNAME and DB_PASSWORD",
                )
            };
            d.push(
                Diagnostic::error(
                    Code::ServiceEnvironment,
                    crate::diag::push_pointer(&format!("{base}/{section}"), name),
                    message,
                )
                .at_key()
                .with_help(help),
            );
        }
        if !is_dns_label(&s.name) || s.name.len() > 24 {
            d.push(
                Diagnostic::error(
                    Code::ServiceName,
                    format!("{base}/name"),
                    format!("service name `{}` is not valid", s.name),
                )
                .with_help(format!(
                    "use at most 24 lowercase letters, digits and single hyphens, e.g. `{}`",
                    suggest_label(&s.name)
                )),
            );
        }
        if let Some(first) = names.insert(s.name.as_str(), i) {
            d.push(
                Diagnostic::error(
                    Code::ServiceName,
                    format!("{base}/name"),
                    format!(
                        "service `{}` is defined twice (also `services[{first}]`)",
                        s.name
                    ),
                )
                .with_help("give each service its own name"),
            );
        }
        if runs_as_root(&s.user) {
            d.push(
                Diagnostic::error(
                    Code::ServiceUser,
                    format!("{base}/user"),
                    format!(
                        "service `{}` would run as root (`user: {}`)",
                        s.name, s.user
                    ),
                )
                .with_help(
                    "run as an unprivileged user id, e.g. `user: \"1000\"` or `\"1000:1000\"`",
                ),
            );
        }
        match fargate_memory(s.cpu) {
            None => d.push(
                Diagnostic::error(
                    Code::ServiceFargateSize,
                    format!("{base}/cpu"),
                    format!("Fargate has no task size with {} CPU units", s.cpu),
                )
                .with_help(format!("use one of {}", fargate_cpus())),
            ),
            Some(allowed) if !allowed.contains(&s.memory) => d.push(
                Diagnostic::error(
                    Code::ServiceFargateSize,
                    format!("{base}/memory"),
                    format!(
                        "Fargate does not run {} MiB with {} CPU units",
                        s.memory, s.cpu
                    ),
                )
                .with_help(format!(
                    "with cpu {} use memory {}",
                    s.cpu,
                    memory_choices(&allowed)
                )),
            ),
            Some(_) => {}
        }
        if s.scaling.min > s.scaling.max {
            d.push(
                Diagnostic::error(
                    Code::ServiceScaling,
                    format!("{base}/scaling/min"),
                    format!(
                        "`scaling.min` ({}) is larger than `scaling.max` ({})",
                        s.scaling.min, s.scaling.max
                    ),
                )
                .with_help("raise `max` or lower `min`"),
            );
        }
        if let Some(expose) = &s.expose {
            if s.port.is_none() {
                d.push(
                    Diagnostic::error(
                        Code::ServicePort,
                        format!("{base}/expose"),
                        format!("service `{}` is exposed but has no `port`", s.name),
                    )
                    .with_help("add the container port, e.g. `port: 8080`"),
                );
            }
            let mut paths: Vec<&str> = expose.paths.iter().map(String::as_str).collect();
            paths.sort_unstable();
            let key = (expose.host.as_deref(), paths);
            if let Some(other) = routes.insert(key, &s.name) {
                d.push(
                    Diagnostic::error(
                        Code::ServiceRoute,
                        format!("{base}/expose"),
                        format!(
                            "service `{}` has the same load balancer route as `{other}`",
                            s.name
                        ),
                    )
                    .with_help("give one of them other `paths` or a `host`"),
                );
            }
        } else if s.scaling.requests_per_target.is_some() {
            d.push(
                Diagnostic::error(
                    Code::ServiceScaling,
                    format!("{base}/scaling/requests_per_target"),
                    format!(
                        "service `{}` scales on requests but is not behind the load balancer",
                        s.name
                    ),
                )
                .with_help("add `expose` or scale on `cpu_percent` / `memory_percent`"),
            );
        }
    }
}

/// Whether a container `user` (`user`, `uid`, `user:group` or `uid:gid`) is root. An empty user
/// means the image's own user, which is root unless the image says otherwise.
pub(crate) fn runs_as_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default().trim();
    name.is_empty() || name == "root" || name.parse::<u64>() == Ok(0)
}

fn check_database(spec: &Spec, d: &mut Vec<Diagnostic>) {
    let Some(db) = &spec.database else { return };
    if let Some(max) = db.max_storage_gb
        && max <= db.storage_gb
    {
        d.push(
            Diagnostic::error(
                Code::DatabaseStorage,
                "/database/max_storage_gb",
                format!(
                    "`max_storage_gb` ({max}) must be larger than `storage_gb` ({})",
                    db.storage_gb
                ),
            )
            .with_help("raise `max_storage_gb`, or remove it to turn storage autoscaling off"),
        );
    }
    if db.storage_type == crate::spec::types::StorageType::Io2 && db.storage_gb < 100 {
        d.push(
            Diagnostic::error(
                Code::DatabaseStorage,
                "/database/storage_gb",
                format!(
                    "io2 storage starts at 100 GiB, `storage_gb` is {}",
                    db.storage_gb
                ),
            )
            .with_help("raise `storage_gb` to 100 or more, or use `storage_type: gp3`"),
        );
    }
    let ok = db.name.len() <= 63
        && db.name.starts_with(|c: char| c.is_ascii_alphabetic())
        && db
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        d.push(
            Diagnostic::error(
                Code::DatabaseName,
                "/database/name",
                format!("`{}` is not a valid PostgreSQL database name", db.name),
            )
            .with_help("start with a letter; use letters, digits and `_` (at most 63)"),
        );
    }
}

fn check_access(spec: &Spec, d: &mut Vec<Diagnostic>) {
    for (i, cidr) in spec.access.source_cidrs.iter().enumerate() {
        parse_cidr(cidr, &format!("/access/source_cidrs/{i}"), d);
    }
    let prefix = format!("arn:aws:iam::{}:role/", spec.product.vendor_account_id);
    let Some(arn) = &spec.access.vendor_role_arn else {
        let whole_account = Diagnostic::error(
            Code::AccessWholeAccount,
            "/access/trust_whole_account",
            format!(
                "any principal of the vendor account `{}` that learns the external id can assume the deployer role",
                spec.product.vendor_account_id
            ),
        )
        .with_help(format!(
            "name the role that deploys instead: `access.vendor_role_arn: {prefix}ROLE_NAME`"
        ));
        d.push(if spec.access.trust_whole_account {
            whole_account.as_warning()
        } else {
            Diagnostic::error(
                Code::AccessVendorRole,
                "/access",
                "the spec names no vendor role for the deployer role to trust",
            )
            .at_key()
            .with_help(format!(
                "set `access.vendor_role_arn: {prefix}ROLE_NAME` (the vendor's deploy role), or `access.trust_whole_account: true` to trust the whole vendor account"
            ))
        });
        return;
    };
    if spec.access.trust_whole_account {
        d.push(
            Diagnostic::error(
                Code::AccessWholeAccount,
                "/access/trust_whole_account",
                "`trust_whole_account: true` contradicts `vendor_role_arn`, which trusts one role",
            )
            .with_help("remove `trust_whole_account`"),
        );
    }
    let ok = arn
        .strip_prefix(&prefix)
        .is_some_and(|name| !name.is_empty() && name.len() <= 512);
    if !ok {
        d.push(
            Diagnostic::error(
                Code::AccessArn,
                "/access/vendor_role_arn",
                format!("`{arn}` is not a role in the vendor account"),
            )
            .with_help(format!("write `{prefix}ROLE_NAME`")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    #[test]
    fn derived_subnets_are_disjoint_and_inside_the_vpc() {
        for prefix in 16..=22u8 {
            let vpc = Ipv4Net::new("10.0.0.0".parse().unwrap(), prefix).unwrap();
            for zones in 2..=6 {
                let (a, b, c) = derive_subnets(vpc, zones, true, &mut Vec::new()).unwrap();
                let all: Vec<_> = a.iter().chain(&b).chain(&c).collect();
                assert_eq!(all.len(), 3 * zones);
                for (i, x) in all.iter().enumerate() {
                    assert!(vpc.contains(*x));
                    for y in &all[i + 1..] {
                        assert!(!x.contains(*y) && !y.contains(*x), "{x} overlaps {y}");
                    }
                }
            }
        }
    }

    #[test]
    fn adding_a_zone_keeps_existing_subnets() {
        let vpc = net("10.0.0.0/16");
        let two = derive_subnets(vpc, 2, true, &mut Vec::new()).unwrap();
        let three = derive_subnets(vpc, 3, true, &mut Vec::new()).unwrap();
        assert_eq!(two.0[..], three.0[..2]);
        assert_eq!(two.1[..], three.1[..2]);
        assert_eq!(two.2[..], three.2[..2]);
        assert_eq!(two.1[0], net("10.0.0.0/20"));
        assert_eq!(two.2[0], net("10.0.128.0/21"));
        assert_eq!(two.0[0], net("10.0.192.0/21"));
    }

    #[test]
    fn rejects_a_vpc_too_small_to_derive_alb_subnets() {
        let mut d = Vec::new();
        assert!(derive_subnets(net("10.0.0.0/23"), 2, true, &mut d).is_none());
        assert_eq!(d[0].code, Code::NetworkSubnetTooSmall);
        assert!(derive_subnets(net("10.0.0.0/23"), 2, false, &mut Vec::new()).is_some());
    }

    #[test]
    fn fargate_sizes_follow_the_published_table() {
        assert_eq!(fargate_memory(256), Some(vec![512, 1024, 2048]));
        assert!(fargate_memory(512).unwrap().contains(&1024));
        assert!(!fargate_memory(1024).unwrap().contains(&1024));
        assert_eq!(fargate_memory(16384).unwrap().last(), Some(&122880));
        assert_eq!(fargate_memory(300), None);
    }

    #[test]
    fn root_users_are_recognised_in_every_form() {
        for root in ["root", "0", "00", "root:root", "0:1000", "", ":1000"] {
            assert!(runs_as_root(root), "{root:?}");
        }
        for user in ["1000", "1000:1000", "1000:0", "app", "nobody:nogroup", "10"] {
            assert!(!runs_as_root(user), "{user:?}");
        }
    }

    #[test]
    fn labels() {
        assert!(is_dns_label("acme-api2"));
        for bad in ["Acme", "1acme", "acme-", "ac--me", "", "ac_me"] {
            assert!(!is_dns_label(bad), "{bad}");
        }
        assert_eq!(suggest_label("Acme_API"), "acme-api");
    }
}
