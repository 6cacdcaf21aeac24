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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::model::EgressRule;
    use std::path::Path;

    fn network(spec_network: &str) -> NetworkModel {
        let spec = format!(
            "product: {{name: acme, vendor_account_id: \"111111111111\"}}\naccess: {{vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}}\nregion: us-east-1\nnetwork: {{{spec_network}}}\nservices:\n  - {{name: api, port: 8080}}\n"
        );
        crate::spec::load_str(Path::new("byoa.yaml"), &spec, None, &Default::default())
            .expect("valid")
            .model
            .network
    }

    #[test]
    fn https_leaves_only_where_there_is_a_way_out_and_spec_rules_follow_it() {
        let https = |v: &Value| v[0]["FromPort"] == 443;
        // NAT, endpoints and the customer's own routes are each a way out.
        for way_out in ["nat: single", "nat: none", "existing: true"] {
            assert!(https(&service_egress(&network(way_out))), "{way_out}");
        }
        let mut closed = network("nat: none");
        // Refused by validation with services; the group is still closed when asked.
        closed.vpc.as_mut().unwrap().endpoints = false;
        assert_eq!(service_egress(&closed), super::super::no_egress());
        closed.egress.push(EgressRule {
            port: 5432,
            cidr: "10.0.8.0/24".parse().unwrap(),
            description: None,
        });
        let rules = service_egress(&closed);
        assert_eq!(rules.as_array().unwrap().len(), 1);
        assert_eq!(rules[0]["Description"], "TCP 5432 to 10.0.8.0/24");
    }
}
