//! The choices about the VPC itself: byoa's own or the customer's (`network.existing`), VPC
//! endpoints, and the services' egress beyond HTTPS.
//!
//! Stage: validation. Input: the merged spec of one environment (and, for the fields written
//! under `network:`, its JSON value before serde fills defaults: a default cannot tell a
//! field the user wrote from one they left out). Output: coded diagnostics at the line a user
//! edits, the endpoints decision and the parsed egress rules. Invariants: in the customer's
//! VPC no field that only shapes byoa's own VPC is accepted (it would silently do nothing);
//! egress rules are TCP to one port in one IPv4 block, never all protocols.

use serde_json::Value;

use crate::diag::{Code, Diagnostic};
use crate::spec::model::EgressRule;
use crate::spec::types::{NatMode, Network};

/// Fields of `network:` that shape the VPC byoa creates and mean nothing in the customer's.
const OWN_VPC_FIELDS: &[&str] = &[
    "cidr",
    "az_count",
    "zones",
    "nat",
    "subnets",
    "flow_logs",
    "endpoints",
];

/// The port every service may reach anywhere (AWS APIs, registries); not an `egress` choice.
const HTTPS: u16 = 443;

/// Characters EC2 accepts in a security-group rule description.
fn description_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c)
}

/// Fields written under `network:` (in `value`, the merged spec) that do not apply when
/// `existing: true`: each is an error at its key.
pub fn not_for_existing(value: &Value) -> Vec<Diagnostic> {
    let Some(network) = value.get("network").and_then(Value::as_object) else {
        return Vec::new();
    };
    if network.get("existing") != Some(&Value::Bool(true)) {
        return Vec::new();
    }
    OWN_VPC_FIELDS
        .iter()
        .filter(|f| network.contains_key(**f))
        .map(|f| {
            let what = match *f {
                "flow_logs" => "the customer's VPC keeps its own flow logs (the control matrix names them the customer's)",
                "endpoints" => "the customer's private subnets reach AWS through their own routes or endpoints (byoa would collide with endpoints the VPC already has)",
                "nat" => "the customer's route tables decide how private subnets reach the internet",
                _ => "the customer's VPC and subnets are chosen at launch",
            };
            Diagnostic::error(
                Code::NetworkExistingField,
                format!("/network/{f}"),
                format!("`network.{f}` shapes a VPC byoa creates, but `existing: true` runs in the customer's VPC: {what}"),
            )
            .at_key()
            .with_help(format!("remove `{f}`, or remove `existing: true` to let byoa create the VPC"))
        })
        .collect()
}

/// Whether byoa creates VPC endpoints: as the spec says, else when there is no NAT gateway.
pub fn endpoints(n: &Network) -> bool {
    !n.existing && n.endpoints.unwrap_or(n.nat == NatMode::None)
}

/// Services in byoa's VPC with neither NAT nor endpoints cannot pull an image or write a log.
pub fn check_way_out(n: &Network, services: bool, d: &mut Vec<Diagnostic>) {
    if !services || n.existing || n.nat != NatMode::None || endpoints(n) {
        return;
    }
    d.push(
        Diagnostic::error(
            Code::NetworkNoEgress,
            "/network/endpoints",
            "with `nat: none` and `endpoints: false` the services' subnets have no way out: tasks cannot pull their images from ECR nor send logs, so no task starts",
        )
        .with_help("remove `endpoints: false` (byoa then creates VPC endpoints for ECR, S3, logs, Secrets Manager and STS), or use `nat: single`"),
    );
}

/// The egress rules, parsed; problems go to `d`.
pub fn egress(n: &Network, d: &mut Vec<Diagnostic>) -> Vec<EgressRule> {
    let mut out: Vec<EgressRule> = Vec::new();
    for (i, e) in n.egress.iter().enumerate() {
        let base = format!("/network/egress/{i}");
        let Some(cidr) = crate::spec::validate::parse_cidr(&e.cidr, &format!("{base}/cidr"), d)
        else {
            continue;
        };
        if e.port == HTTPS {
            d.push(
                Diagnostic::error(
                    Code::NetworkEgress,
                    format!("{base}/port"),
                    "services may always reach port 443 anywhere: this rule adds nothing",
                )
                .with_help("remove this rule; `egress` is for ports other than 443"),
            );
            continue;
        }
        if let Some(text) = &e.description
            && (text.chars().count() > 255 || !text.chars().all(description_char))
        {
            d.push(
                Diagnostic::error(
                    Code::NetworkEgress,
                    format!("{base}/description"),
                    "a security-group rule description has at most 255 of the characters EC2 accepts",
                )
                .with_help("use letters, digits, spaces and `._-:/()#,@[]+=&;{}!$*`"),
            );
        }
        if out.iter().any(|r| (r.port, r.cidr) == (e.port, cidr)) {
            d.push(
                Diagnostic::error(
                    Code::NetworkEgress,
                    base.clone(),
                    format!("port {} to `{cidr}` is listed twice", e.port),
                )
                .with_help("remove the repeated rule"),
            );
            continue;
        }
        if cidr.prefix_len() == 0 {
            d.push(
                Diagnostic::error(
                    Code::NetworkEgress,
                    format!("{base}/cidr"),
                    format!("port {} to `0.0.0.0/0` lets a compromised task send data to any address on the internet", e.port),
                )
                .with_help("name the destination's block, e.g. the partner's `203.0.113.0/24`")
                .as_warning(),
            );
        }
        let vpc = n.cidr.parse::<ipnet::Ipv4Net>().ok();
        let leaves_vpc = vpc.is_none_or(|v| !v.contains(&cidr));
        if !n.existing && n.nat == NatMode::None && leaves_vpc {
            d.push(
                Diagnostic::error(
                    Code::NetworkEgress,
                    format!("{base}/cidr"),
                    format!("port {} to `{cidr}` leaves the VPC, which has no route out with `nat: none`: the rule opens a way nothing can take", e.port),
                )
                .with_help("use `nat: single` for a way out, or name a block inside the VPC")
                .as_warning(),
            );
        }
        out.push(EgressRule {
            port: e.port,
            cidr,
            description: e.description.clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_fields_written_for_an_existing_vpc_are_refused() {
        let value = json!({"network": {"existing": true, "nat": "single", "load_balancer": {}}});
        let d = not_for_existing(&value);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].pointer.as_deref(), Some("/network/nat"));
        // byoa's own VPC takes them all.
        let own = json!({"network": {"existing": false, "nat": "single", "cidr": "10.0.0.0/16"}});
        assert!(not_for_existing(&own).is_empty());
    }

    #[test]
    fn endpoints_default_to_on_without_nat_and_never_in_the_customers_vpc() {
        let mut n = Network::default();
        assert!(!endpoints(&n));
        n.nat = NatMode::None;
        assert!(endpoints(&n));
        n.endpoints = Some(false);
        assert!(!endpoints(&n));
        let mut d = Vec::new();
        check_way_out(&n, true, &mut d);
        assert_eq!(d[0].code, Code::NetworkNoEgress);
        n.existing = true;
        n.endpoints = Some(true);
        assert!(!endpoints(&n));
    }

    #[test]
    fn egress_out_of_a_vpc_without_nat_is_a_warning() {
        let mut n = Network {
            nat: NatMode::None,
            ..Network::default()
        };
        n.egress = vec![
            crate::spec::types::Egress {
                port: 5432,
                cidr: "10.0.8.0/24".into(),
                description: None,
            },
            crate::spec::types::Egress {
                port: 5432,
                cidr: "192.168.0.0/24".into(),
                description: None,
            },
        ];
        let mut d = Vec::new();
        assert_eq!(egress(&n, &mut d).len(), 2);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].pointer.as_deref(), Some("/network/egress/1/cidr"));
        assert!(!d[0].is_error());
        // A NAT gateway is a way out.
        n.nat = NatMode::Single;
        d.clear();
        egress(&n, &mut d);
        assert!(d.is_empty());
    }

    #[test]
    fn egress_rules_are_parsed_and_bad_ones_reported() {
        let mut n = Network::default();
        let rule = |port, cidr: &str| crate::spec::types::Egress {
            port,
            cidr: cidr.into(),
            description: None,
        };
        n.egress = vec![
            rule(5432, "10.20.0.0/16"),
            rule(5432, "10.20.0.0/16"),
            rule(443, "10.0.0.0/8"),
            rule(25, "0.0.0.0/0"),
            rule(22, "10.1.2.3/16"),
        ];
        let mut d = Vec::new();
        let rules = egress(&n, &mut d);
        assert_eq!(rules.iter().map(|r| r.port).collect::<Vec<_>>(), [5432, 25]);
        let found: Vec<(&str, bool)> = d
            .iter()
            .map(|d| (d.pointer.as_deref().unwrap(), d.is_error()))
            .collect();
        assert_eq!(
            found,
            [
                ("/network/egress/1", true),
                ("/network/egress/2/port", true),
                ("/network/egress/3/cidr", false),
                ("/network/egress/4/cidr", true),
            ]
        );
    }
}
