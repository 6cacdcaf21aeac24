//! The services' security group's egress: HTTPS anywhere when the services have a way out
//! (a NAT gateway, VPC endpoints, or the customer's own routes), and the TCP rules of
//! `network.egress`; a rule that matches nothing when there is neither.
//!
//! Input: the network model. Output: the group's inline `SecurityGroupEgress` and the spec
//! fields behind it. Inline rules are allowed here: CloudFormation authorizes them before it
//! tags the group, and the execution role may authorize egress on untagged groups (see
//! `needs`). Invariants: TCP only, one port per rule, never all protocols.

use serde_json::{Value, json};

use crate::spec::model::NetworkModel;
use crate::spec::types::NatMode;

/// The egress rules of the services' security group.
pub(super) fn service_egress(net: &NetworkModel) -> Value {
    let way_out = net
        .vpc
        .as_ref()
        .is_none_or(|v| v.nat != NatMode::None || v.endpoints);
    let mut rules = Vec::new();
    if way_out {
        rules.push(json!({
            "CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "Description": "HTTPS to AWS APIs and image registries",
        }));
    }
    for r in &net.egress {
        let description = r
            .description
            .clone()
            .unwrap_or_else(|| format!("TCP {} to {}", r.port, r.cidr));
        rules.push(json!({
            "CidrIp": r.cidr.to_string(), "IpProtocol": "tcp", "FromPort": r.port, "ToPort": r.port,
            "Description": description,
        }));
    }
    if rules.is_empty() {
        return super::no_egress();
    }
    Value::Array(rules)
}

/// The spec fields the egress follows (those a spec without the feature does not use are
/// left out, so its source map stays as it was).
pub(super) fn decided_by(net: &NetworkModel) -> Vec<&'static str> {
    let mut fields = vec!["network.nat"];
    match &net.vpc {
        Some(v) if v.endpoints => fields.push("network.endpoints"),
        Some(_) => {}
        None => fields.push("network.existing"),
    }
    if !net.egress.is_empty() {
        fields.push("network.egress");
    }
    fields
}
