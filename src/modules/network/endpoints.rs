//! VPC endpoints in byoa's own VPC (`network.endpoints`, on by default with `nat: none`): what a
//! Fargate task needs from AWS without a route to the internet.
//!
//! Input: the model (its VPC byoa creates) and the template holding the services' security
//! group and the private subnets and route tables. Output: interface endpoints with private DNS
//! for ECR (api and dkr), CloudWatch Logs, Secrets Manager and STS in the private subnets,
//! behind a security group that admits HTTPS from the services' group only; and the S3 gateway
//! endpoint (image layers live in S3) on the private route tables. Invariants: the endpoint
//! group opens nothing else and sends nothing; gateway endpoints cost nothing, interface
//! endpoints are billed per zone and hour (`cost` prices them).

use serde_json::{Value, json};

use crate::cfn::func::{get_att, r#ref, sub};
use crate::cfn::{Resource, Template};
use crate::spec::Model;

/// Interface endpoints: (logical id, service name after `com.amazonaws.<region>.`).
pub const INTERFACE: &[(&str, &str)] = &[
    ("EcrApiEndpoint", "ecr.api"),
    ("EcrDkrEndpoint", "ecr.dkr"),
    ("LogsEndpoint", "logs"),
    ("SecretsManagerEndpoint", "secretsmanager"),
    ("StsEndpoint", "sts"),
];

const GROUP: &str = "EndpointSecurityGroup";

/// Adds the endpoints, their security group and its one ingress rule. `vpc` is the VPC's id.
pub(super) fn build(t: &mut Template, model: &Model, vpc: &Value) {
    let Some(own) = &model.network.vpc else {
        return;
    };
    super::group(
        t,
        vpc,
        GROUP,
        "VPC endpoints: HTTPS from the services only",
        json!([]),
        super::no_egress(),
        sub("${AWS::StackName}-endpoints"),
    );
    t.add_resource(
        "ServiceToEndpointsIngress",
        Resource::new(
            "AWS::EC2::SecurityGroupIngress",
            json!({
                "GroupId": get_att(GROUP, "GroupId"),
                "SourceSecurityGroupId": get_att("ServiceSecurityGroup", "GroupId"),
                "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                "Description": "Services to the VPC endpoints on 443",
            }),
        ),
        None,
    );
    let subnets: Vec<Value> = (1..=own.private.len())
        .map(|i| r#ref(&format!("PrivateSubnet{i}")))
        .collect();
    for (id, service) in INTERFACE {
        t.add_resource(
            id,
            Resource::new(
                "AWS::EC2::VPCEndpoint",
                json!({
                    "VpcEndpointType": "Interface",
                    "ServiceName": sub(&format!("com.amazonaws.${{AWS::Region}}.{service}")),
                    "VpcId": vpc,
                    "SubnetIds": subnets,
                    "SecurityGroupIds": [get_att(GROUP, "GroupId")],
                    "PrivateDnsEnabled": true,
                }),
            ),
            Some(sub(&format!("${{AWS::StackName}}-{service}"))),
        );
    }
    let tables: Vec<Value> = (1..=own.private.len())
        .map(|i| r#ref(&format!("PrivateRouteTable{i}")))
        .collect();
    t.add_resource(
        "S3Endpoint",
        Resource::new(
            "AWS::EC2::VPCEndpoint",
            json!({
                "VpcEndpointType": "Gateway",
                "ServiceName": sub("com.amazonaws.${AWS::Region}.s3"),
                "VpcId": vpc,
                "RouteTableIds": tables,
            }),
        ),
        Some(sub("${AWS::StackName}-s3")),
    );
}
