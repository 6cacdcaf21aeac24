//! The VPC byoa creates (`network.existing` off): subnets of three tiers per zone, the internet
//! gateway, NAT gateways, route tables and the VPC's flow logs to a KMS-encrypted log group.
//!
//! Input: the model's `OwnedVpc`. Output: those resources in the network template (the
//! security groups, endpoints and load balancer are added by the rest of the module). Subnet
//! CIDRs come from the model, computed in Rust, never from `Fn::Cidr`; every resource records
//! the spec fields behind it.

use serde_json::{Value, json};

use super::GROUP_NETWORK;
use crate::cfn::func::{get_att, r#ref, select, sub};
use crate::cfn::{Parameter, Policy, Resource, Template};
use crate::modules::{scanners, secure};
use crate::naming::console;
use crate::spec::model::{OwnedVpc, Zones};
use crate::spec::types::{NatMode, Traffic};

/// The VPC byoa creates: subnets, gateways, routes and flow logs.
pub(super) fn own_vpc(t: &mut Template, net: &OwnedVpc) {
    let name = |suffix: &str| sub(&format!("${{AWS::StackName}}-{suffix}"));

    if let Zones::AtLaunch(n) = net.zones {
        t.add_parameter(
            console::AVAILABILITY_ZONES,
            Parameter::new(
                "List<AWS::EC2::AvailabilityZone::Name>",
                GROUP_NETWORK,
                "Availability zones",
                &format!("Exactly {n} availability zones of this region for the VPC's subnets."),
            ),
        );
    }
    let zone = |i: usize| -> Value {
        match &net.zones {
            Zones::Named(z) => json!(z[i]),
            Zones::AtLaunch(_) => select(i, r#ref(console::AVAILABILITY_ZONES)),
        }
    };

    t.add_resource(
        "Vpc",
        Resource::new(
            "AWS::EC2::VPC",
            json!({
                "CidrBlock": net.cidr.to_string(),
                "EnableDnsHostnames": true,
                "EnableDnsSupport": true,
            }),
        ),
        Some(name("vpc")),
    );
    t.trace("Vpc", "CidrBlock", ["network.cidr"]);
    t.add_resource(
        "InternetGateway",
        Resource::new("AWS::EC2::InternetGateway", json!({})),
        Some(name("igw")),
    );
    t.add_resource(
        "VpcGatewayAttachment",
        Resource::new(
            "AWS::EC2::VPCGatewayAttachment",
            json!({"VpcId": r#ref("Vpc"), "InternetGatewayId": r#ref("InternetGateway")}),
        ),
        None,
    );

    // Subnets, one per zone and tier.
    let per_zone = t.resources.len();
    let tiers = [
        ("Public", &net.public),
        ("Private", &net.private),
        ("Isolated", &net.isolated),
    ];
    for (tier, cidrs) in tiers {
        for (i, cidr) in cidrs.iter().enumerate() {
            let id = format!("{tier}Subnet{}", i + 1);
            t.add_resource(
                &id,
                Resource::new(
                    "AWS::EC2::Subnet",
                    json!({
                        "VpcId": r#ref("Vpc"),
                        "CidrBlock": cidr.to_string(),
                        "AvailabilityZone": zone(i),
                        "MapPublicIpOnLaunch": false,
                    }),
                ),
                Some(name(&format!("{}-{}", tier.to_lowercase(), i + 1))),
            );
            // Listed in `network.subnets`, else computed from the VPC's range.
            let listed = format!("network.subnets.{}", tier.to_lowercase());
            t.trace(&id, "CidrBlock", ["network.cidr".to_owned(), listed]);
            if let Zones::Named(_) = net.zones {
                t.trace(&id, "AvailabilityZone", ["network.zones"]);
            }
        }
    }

    // Public routing: one table, default route to the internet gateway.
    route_table(t, "PublicRouteTable", name("public"));
    t.add_resource(
        "PublicDefaultRoute",
        Resource::new(
            "AWS::EC2::Route",
            json!({
                "RouteTableId": r#ref("PublicRouteTable"),
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": r#ref("InternetGateway"),
            }),
        )
        .depends_on("VpcGatewayAttachment"),
        None,
    );
    if let Some(route) = t.resources.get_mut("PublicDefaultRoute") {
        scanners::suppress(
            route,
            "NO_UNRESTRICTED_ROUTE_TO_IGW",
            scanners::Ids {
                guard: &["NO_UNRESTRICTED_ROUTE_TO_IGW"],
                checkov: &[],
                cfn_lint: &[],
            },
            "only the public (edge) subnets route to the internet gateway, for the load \
             balancer and NAT gateways; services and databases sit in private subnets \
             (VPC_IGW_ROUTES_ONLY_FROM_EDGE_SUBNETS)",
        );
    }
    for i in 1..=net.public.len() {
        associate(t, "Public", i, "PublicRouteTable");
    }

    // NAT: one per zone, one in all, or none.
    let nat_count = match net.nat {
        NatMode::PerAz => net.public.len(),
        NatMode::Single => 1,
        NatMode::None => 0,
    };
    let nat_since = t.resources.len();
    for i in 1..=nat_count {
        t.add_resource(
            &format!("NatEip{i}"),
            Resource::new("AWS::EC2::EIP", json!({"Domain": "vpc"}))
                .depends_on("VpcGatewayAttachment"),
            Some(name(&format!("nat-{i}"))),
        );
        t.add_resource(
            &format!("NatGateway{i}"),
            Resource::new(
                "AWS::EC2::NatGateway",
                json!({
                    "AllocationId": get_att(&format!("NatEip{i}"), "AllocationId"),
                    "SubnetId": r#ref(&format!("PublicSubnet{i}")),
                }),
            )
            .depends_on("VpcGatewayAttachment"),
            Some(name(&format!("nat-{i}"))),
        );
    }
    t.trace_resources_since(nat_since, &["network.nat"]);

    // Private routing: a table per zone so each zone uses its own NAT gateway.
    for i in 1..=net.private.len() {
        let table = format!("PrivateRouteTable{i}");
        route_table(t, &table, name(&format!("private-{i}")));
        if nat_count > 0 {
            let nat = if nat_count == 1 { 1 } else { i };
            t.add_resource(
                &format!("PrivateDefaultRoute{i}"),
                Resource::new(
                    "AWS::EC2::Route",
                    json!({
                        "RouteTableId": r#ref(&table),
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": r#ref(&format!("NatGateway{nat}")),
                    }),
                ),
                None,
            );
            let route = format!("PrivateDefaultRoute{i}");
            t.trace(&route, "NatGatewayId", ["network.nat"]);
            t.trace_resource(&route, ["network.nat"]);
        }
        associate(t, "Private", i, &table);
    }

    // Isolated routing: local traffic only.
    route_table(t, "IsolatedRouteTable", name("isolated"));
    for i in 1..=net.isolated.len() {
        associate(t, "Isolated", i, "IsolatedRouteTable");
    }
    // How many of each there are follows the zones (the first of each exists anyway).
    t.trace_resources_since(
        per_zone,
        &["network.az_count", "network.zones", "network.subnets"],
    );

    if let Some(flow) = &net.flow_logs {
        let since = t.resources.len();
        flow_logs(t, flow.retention_days, flow.traffic);
        t.trace_resources_since(since, &["network.flow_logs.enabled"]);
    }
}

fn route_table(t: &mut Template, id: &str, name: Value) {
    t.add_resource(
        id,
        Resource::new("AWS::EC2::RouteTable", json!({"VpcId": r#ref("Vpc")})),
        Some(name),
    );
}

fn associate(t: &mut Template, tier: &str, i: usize, table: &str) {
    t.add_resource(
        &format!("{tier}Subnet{i}RouteTableAssociation"),
        Resource::new(
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({"SubnetId": r#ref(&format!("{tier}Subnet{i}")), "RouteTableId": r#ref(table)}),
        ),
        None,
    );
}

/// What `FlowLogRole` may do (on the flow log group only); the permissions boundary allows it.
pub(super) const FLOW_LOG_ROLE_ACTIONS: &[&str] = &[
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "logs:DescribeLogStreams",
];

fn flow_logs(t: &mut Template, retention_days: u32, traffic: Traffic) {
    t.add_resource(
        "FlowLogKey",
        secure::customer_key(
            sub("Encrypts the VPC flow logs of ${AWS::StackName}"),
            vec![secure::logs_use_key()],
        ),
        None,
    );
    t.add_resource(
        "FlowLogGroup",
        Resource::new(
            "AWS::Logs::LogGroup",
            json!({
                "KmsKeyId": get_att("FlowLogKey", "Arn"),
                "RetentionInDays": retention_days,
            }),
        )
        .keep(Policy::Retain),
        None,
    );
    t.trace(
        "FlowLogGroup",
        "RetentionInDays",
        ["network.flow_logs.retention_days"],
    );
    t.add_resource(
        "FlowLogRole",
        Resource::new(
            "AWS::IAM::Role",
            json!({
                "Description": "Lets VPC Flow Logs write to the flow log group",
                "AssumeRolePolicyDocument": secure::service_trust(
                    "vpc-flow-logs.amazonaws.com",
                    "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*",
                ),
                "Policies": [{
                    "PolicyName": "write-flow-logs",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Action": FLOW_LOG_ROLE_ACTIONS,
                            "Resource": [get_att("FlowLogGroup", "Arn")],
                        }],
                    },
                }],
            }),
        ),
        None,
    );
    let traffic = match traffic {
        Traffic::All => "ALL",
        Traffic::Accept => "ACCEPT",
        Traffic::Reject => "REJECT",
    };
    t.add_resource(
        "FlowLog",
        Resource::new(
            "AWS::EC2::FlowLog",
            json!({
                "ResourceId": r#ref("Vpc"),
                "ResourceType": "VPC",
                "TrafficType": traffic,
                "LogDestinationType": "cloud-watch-logs",
                "LogGroupName": r#ref("FlowLogGroup"),
                "DeliverLogsPermissionArn": get_att("FlowLogRole", "Arn"),
                "MaxAggregationInterval": 60,
            }),
        ),
        None,
    );
    t.trace("FlowLog", "TrafficType", ["network.flow_logs.traffic"]);
}
