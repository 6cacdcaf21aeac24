//! What the network stack needs from the shared stacks: the execution role's grants for the
//! VPC, its routing and security groups, flow logs, the load balancer and its web ACL; and the
//! load balancer's alarm.

use serde_json::json;

use crate::cfn::func::r#ref;
use crate::modules::alarm::{Alarm, ERROR_RATE_PERCENT, Rule, error_rate, graph, metric};
use crate::modules::needs::{Decides, Grant, Input, Needs, On, Part, ResourceActions};
use crate::modules::secure;
use crate::naming::wire;
use crate::spec::Model;
use crate::spec::types::NatMode;

/// What the network stack needs from the access and monitoring stacks.
pub(super) fn needs(model: &Model) -> Needs {
    let net = &model.network;
    let grants = match &net.vpc {
        Some(vpc) if vpc.nat != NatMode::None => vec![
            DESCRIBE_NETWORK,
            MANAGE_NETWORK,
            MANAGE_PRODUCT_NETWORK,
            NEW_SECURITY_GROUP_RULES,
        ],
        // No NAT gateway: no addresses and no gateways to create, attach or delete.
        Some(_) => vec![
            DESCRIBE_NETWORK_WITHOUT_NAT,
            MANAGE_NETWORK_WITHOUT_NAT,
            MANAGE_PRODUCT_NETWORK_WITHOUT_NAT,
            NEW_SECURITY_GROUP_RULES,
        ],
        // In the customer's VPC byoa creates security groups and nothing else of EC2's.
        None => vec![
            DESCRIBE_SECURITY_GROUPS,
            MANAGE_SECURITY_GROUPS,
            MANAGE_PRODUCT_SECURITY_GROUPS,
            NEW_SECURITY_GROUP_RULES,
        ],
    };
    // What the other stacks' resources read of the customer's VPC (byoa's own VPC needs all
    // of it and more, in `DESCRIBE_NETWORK`).
    let database = model.database.is_some();
    let discovery = model.services.iter().any(|s| s.discovery);
    let existing = net.vpc.is_none();
    let mut needs = Needs {
        grants,
        ..Needs::default()
    };
    if existing {
        needs.grant_if(
            database,
            "database",
            &[DESCRIBE_CUSTOMER_NETWORK_FOR_DATABASE],
        );
        for s in model.services.iter().filter(|s| s.discovery) {
            needs.decided(Decides::Grants(Part::Network), s.field("discovery"));
        }
        if discovery {
            needs.grants.push(DESCRIBE_REGIONS);
        }
    }
    // Whose VPC it is, and whether it has NAT gateways and endpoints, decide the grants.
    for field in ["network.existing", "network.nat", "network.endpoints"] {
        needs.decided(Decides::Grants(Part::Network), field);
    }
    if net.vpc.as_ref().is_some_and(|v| v.endpoints) {
        needs.grants.extend_from_slice(&[
            DESCRIBE_ENDPOINTS,
            MANAGE_ENDPOINTS,
            MANAGE_PRODUCT_ENDPOINTS,
        ]);
    }
    let flow = net.vpc.as_ref().is_some_and(|v| v.flow_logs.is_some());
    let flow_logs = "network.flow_logs.enabled";
    needs.grant_if(flow, flow_logs, &[MANAGE_FLOW_LOGS]);
    needs.decided(Decides::Roles, flow_logs);
    if flow {
        needs.passes_roles_to.push("vpc-flow-logs.amazonaws.com");
        needs.role_actions.extend(super::vpc::FLOW_LOG_ROLE_ACTIONS);
    }
    let enabled = "network.load_balancer.enabled";
    needs.grant_if(
        net.load_balancer.is_some(),
        enabled,
        &[DESCRIBE_LOAD_BALANCING, MANAGE_LOAD_BALANCING],
    );
    needs.decided(Decides::Roles, enabled);
    needs.decided(Decides::Dashboard, enabled);
    // The access-log bucket is the only bucket a product stack creates.
    let access_logs = net.load_balancer.as_ref().is_some_and(|lb| lb.access_logs);
    needs.grant_if(
        access_logs,
        "network.load_balancer.access_logs",
        &[secure::PRODUCT_BUCKETS],
    );
    needs.decided(Decides::Grants(secure::PRODUCT_BUCKETS.part), enabled);
    if let Some(lb) = &net.load_balancer {
        needs
            .service_linked_roles
            .push("elasticloadbalancing.amazonaws.com");
        needs.grant_if(
            lb.waf,
            "network.load_balancer.waf",
            &[MANAGE_WEB_ACL, ATTACH_WEB_ACL],
        );
        needs.alarm_inputs.push(load_balancer_full_name());
        let lb = [("LoadBalancer", r#ref(wire::LOAD_BALANCER_FULL_NAME))];
        needs.alarms.push(Alarm {
            id: "LoadBalancer5xxAlarm".into(),
            description: format!(
                "{}: more than {ERROR_RATE_PERCENT}% of requests got a 5xx from the load balancer itself (no healthy target, timeouts). Check target health and the services' logs.",
                model.product
            ),
            watch: error_rate(
                metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", &lb),
                metric("AWS/ApplicationELB", "RequestCount", &lb),
            ),
            rule: Rule::above(ERROR_RATE_PERCENT, "notBreaching"),
            from: vec![],
            when: vec![enabled.into()],
        });
        needs.dashboard_rows.push(dashboard_row());
    }
    needs
}

/// The load balancer's requests, errors and response time.
fn dashboard_row() -> Vec<serde_json::Value> {
    let full_name = format!("${{{}}}", wire::LOAD_BALANCER_FULL_NAME);
    let lb = |name: &str| json!(["AWS/ApplicationELB", name, "LoadBalancer", full_name]);
    vec![
        graph("Load balancer requests", "Sum", vec![lb("RequestCount")]),
        graph(
            "Load balancer 5xx",
            "Sum",
            vec![
                lb("HTTPCode_ELB_5XX_Count"),
                lb("HTTPCode_Target_5XX_Count"),
            ],
        ),
        graph(
            "Load balancer response time p99",
            "p99",
            vec![lb("TargetResponseTime")],
        ),
    ]
}

/// The monitoring stack's parameter for the load balancer's metrics (the services' target
/// group metrics name the load balancer too).
pub fn load_balancer_full_name() -> Input {
    Input {
        name: wire::LOAD_BALANCER_FULL_NAME.into(),
        group: "Load balancer",
        label: "Load balancer full name".into(),
        description:
            "Full name of the load balancer (output LoadBalancerFullName of the network stack)."
                .into(),
        pattern: r"^app/[A-Za-z0-9-]+/[0-9a-f]+$",
        pattern_help: "must look like app/<name>/<id>",
    }
}

// Describe calls do not support resource-level permissions.
const DESCRIBE_NETWORK: Grant = Grant {
    part: Part::Network,
    sid: "DescribeNetwork",
    actions: &[
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAddressesAttribute",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeFlowLogs",
        "ec2:DescribeInstances",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeNatGateways",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeRegions",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroupRules",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeTags",
        "ec2:DescribeVpcAttribute",
        "ec2:DescribeVpcs",
    ],
    on: On::Any,
};

const EC2: &str = "ec2:${AWS::Region}:${AWS::AccountId}:*";

// Creating a resource, and the calls CloudFormation makes on it before it carries its tags,
// cannot require the product's tags: CloudFormation tags a security group only after creating
// it and authorizing its inline rules (CloudFormation coverage roadmap issue 714, aws-cdk issue
// 13204), so byoa's groups have inline egress rules only (the one that closes the default
// egress) and their ingress rules are resources of their own. None of these changes what an
// existing resource admits or where its traffic goes, except egress: a new resource stays inert
// until a tagged call below attaches it. EC2 ids are generated, so the resources are the
// account and region's.
const MANAGE_NETWORK: Grant = Grant {
    part: Part::Network,
    sid: "ManageNetwork",
    actions: &[
        "ec2:AllocateAddress",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:CreateInternetGateway",
        "ec2:CreateNatGateway",
        "ec2:CreateRouteTable",
        "ec2:CreateSecurityGroup",
        "ec2:CreateSubnet",
        "ec2:CreateTags",
        "ec2:CreateVpc",
        "ec2:DeleteTags",
        "ec2:ModifySubnetAttribute",
        "ec2:ModifyVpcAttribute",
        "ec2:RevokeSecurityGroupEgress",
    ],
    on: On::Arn(EC2),
};

// What opens a security group, routes traffic, attaches or deletes: only on the resources
// that carry the product's tags (byoa tags every VPC, subnet, route table, gateway, address and
// security group it creates), so no customer security group, route table or subnet is reachable.
const MANAGE_PRODUCT_NETWORK: Grant = Grant {
    part: Part::Network,
    sid: "ManageProductNetwork",
    actions: &[
        "ec2:AssociateAddress",
        "ec2:AssociateRouteTable",
        "ec2:AttachInternetGateway",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:CreateRoute",
        "ec2:DeleteInternetGateway",
        "ec2:DeleteNatGateway",
        "ec2:DeleteRoute",
        "ec2:DeleteRouteTable",
        "ec2:DeleteSecurityGroup",
        "ec2:DeleteSubnet",
        "ec2:DeleteVpc",
        "ec2:DetachInternetGateway",
        "ec2:DisassociateAddress",
        "ec2:DisassociateRouteTable",
        "ec2:ReleaseAddress",
        "ec2:ReplaceRoute",
        "ec2:ReplaceRouteTableAssociation",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
        "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ],
    on: On::Tagged(&[
        "ec2:${AWS::Region}:${AWS::AccountId}:elastic-ip/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:internet-gateway/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:natgateway/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:route-table/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:security-group/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:subnet/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:vpc/*",
    ]),
};

// An ingress rule is a resource of its own, created by the call (the group it opens must be
// the product's, above).
const NEW_SECURITY_GROUP_RULES: Grant = Grant {
    part: Part::Network,
    sid: "CreateSecurityGroupRules",
    actions: &["ec2:AuthorizeSecurityGroupIngress"],
    on: On::Arn("ec2:${AWS::Region}:${AWS::AccountId}:security-group-rule/*"),
};

// As the three grants above, less what only NAT gateways and their addresses need.
const DESCRIBE_NETWORK_WITHOUT_NAT: Grant = Grant {
    part: Part::Network,
    sid: "DescribeNetworkWithoutNat",
    actions: &[
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeFlowLogs",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeRegions",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroupRules",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeTags",
        "ec2:DescribeVpcAttribute",
        "ec2:DescribeVpcs",
    ],
    on: On::Any,
};

const MANAGE_NETWORK_WITHOUT_NAT: Grant = Grant {
    part: Part::Network,
    sid: "ManageNetworkWithoutNat",
    actions: &[
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:CreateInternetGateway",
        "ec2:CreateRouteTable",
        "ec2:CreateSecurityGroup",
        "ec2:CreateSubnet",
        "ec2:CreateTags",
        "ec2:CreateVpc",
        "ec2:DeleteTags",
        "ec2:ModifySubnetAttribute",
        "ec2:ModifyVpcAttribute",
        "ec2:RevokeSecurityGroupEgress",
    ],
    on: On::Arn(EC2),
};

const MANAGE_PRODUCT_NETWORK_WITHOUT_NAT: Grant = Grant {
    part: Part::Network,
    sid: "ManageProductNetworkWithoutNat",
    actions: &[
        "ec2:AssociateRouteTable",
        "ec2:AttachInternetGateway",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:CreateRoute",
        "ec2:DeleteInternetGateway",
        "ec2:DeleteRoute",
        "ec2:DeleteRouteTable",
        "ec2:DeleteSecurityGroup",
        "ec2:DeleteSubnet",
        "ec2:DeleteVpc",
        "ec2:DetachInternetGateway",
        "ec2:DisassociateRouteTable",
        "ec2:ReplaceRoute",
        "ec2:ReplaceRouteTableAssociation",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
        "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ],
    on: On::Tagged(&[
        "ec2:${AWS::Region}:${AWS::AccountId}:internet-gateway/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:route-table/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:security-group/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:subnet/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:vpc/*",
    ]),
};

// The customer's VPC: security groups only, created in it and tagged; what opens, closes or
// deletes one needs the product's tags, so no group of the customer's is reachable.
const DESCRIBE_SECURITY_GROUPS: Grant = Grant {
    part: Part::Network,
    sid: "DescribeSecurityGroups",
    actions: &[
        "ec2:DescribeSecurityGroupRules",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcs",
    ],
    on: On::Any,
};

const DESCRIBE_CUSTOMER_NETWORK_FOR_DATABASE: Grant = Grant {
    part: Part::Network,
    sid: "DescribeNetworkForDatabase",
    actions: &[
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcAttribute",
    ],
    on: On::Any,
};

const DESCRIBE_REGIONS: Grant = Grant {
    part: Part::Network,
    sid: "DescribeRegions",
    actions: &["ec2:DescribeRegions"],
    on: On::Any,
};

const MANAGE_SECURITY_GROUPS: Grant = Grant {
    part: Part::Network,
    sid: "ManageSecurityGroups",
    actions: &[
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:CreateSecurityGroup",
        "ec2:CreateTags",
        "ec2:DeleteTags",
        "ec2:RevokeSecurityGroupEgress",
    ],
    on: On::Arn(EC2),
};

const MANAGE_PRODUCT_SECURITY_GROUPS: Grant = Grant {
    part: Part::Network,
    sid: "ManageProductSecurityGroups",
    actions: &[
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:DeleteSecurityGroup",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
        "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ],
    on: On::Tagged(&["ec2:${AWS::Region}:${AWS::AccountId}:security-group/*"]),
};

// VPC endpoints (`network.endpoints`): created in the product's VPC, then changed or deleted
// only while they, and the subnets, route tables and groups they touch, carry its tags.
const DESCRIBE_ENDPOINTS: Grant = Grant {
    part: Part::Network,
    sid: "DescribeEndpoints",
    actions: &["ec2:DescribeVpcEndpoints"],
    on: On::Any,
};

const MANAGE_ENDPOINTS: Grant = Grant {
    part: Part::Network,
    sid: "CreateEndpoints",
    actions: &["ec2:CreateVpcEndpoint"],
    on: On::Arn(EC2),
};

const MANAGE_PRODUCT_ENDPOINTS: Grant = Grant {
    part: Part::Network,
    sid: "ManageProductEndpoints",
    actions: &["ec2:DeleteVpcEndpoints", "ec2:ModifyVpcEndpoint"],
    on: On::Tagged(&[
        "ec2:${AWS::Region}:${AWS::AccountId}:route-table/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:security-group/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:subnet/*",
        "ec2:${AWS::Region}:${AWS::AccountId}:vpc-endpoint/*",
    ]),
};

const MANAGE_FLOW_LOGS: Grant = Grant {
    part: Part::Network,
    sid: "ManageFlowLogs",
    actions: &["ec2:CreateFlowLogs", "ec2:DeleteFlowLogs"],
    on: On::Arn(EC2),
};

pub const DESCRIBE_LOAD_BALANCING: Grant = Grant {
    part: Part::Network,
    sid: "DescribeLoadBalancing",
    actions: &[
        "elasticloadbalancing:DescribeCapacityReservation",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
    ],
    on: On::Any,
};

/// Listeners, rules and target groups too: the services' routes are theirs (so the service
/// stacks declare this grant as well).
pub const MANAGE_LOAD_BALANCING: Grant = Grant {
    part: Part::Network,
    sid: "ManageLoadBalancing",
    actions: &[
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:DeregisterTargets",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:RemoveTags",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetRulePriorities",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
    ],
    on: On::Arn("elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:*"),
};

const APP_LOAD_BALANCERS: &str =
    "elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:loadbalancer/app/*";

// The web ACL in front of the load balancer and the AWS managed rule groups it uses.
const MANAGE_WEB_ACL: Grant = Grant {
    part: Part::Network,
    sid: "ManageWebAcl",
    actions: &[
        "wafv2:AssociateWebACL",
        "wafv2:CreateWebACL",
        "wafv2:DeleteWebACL",
        "wafv2:DisassociateWebACL",
        "wafv2:GetWebACL",
        "wafv2:GetWebACLForResource",
        "wafv2:ListTagsForResource",
        "wafv2:TagResource",
        "wafv2:UntagResource",
        "wafv2:UpdateWebACL",
    ],
    on: On::Arns(&[
        "wafv2:${AWS::Region}:${AWS::AccountId}:regional/webacl/*",
        "wafv2:${AWS::Region}:${AWS::AccountId}:regional/managedruleset/*",
        APP_LOAD_BALANCERS,
    ]),
};

const ATTACH_WEB_ACL: Grant = Grant {
    part: Part::Network,
    sid: "AttachWebAcl",
    actions: &["elasticloadbalancing:SetWebAcl"],
    on: On::Arn(APP_LOAD_BALANCERS),
};

/// The actions CloudFormation calls for each resource type the network stack emits.
pub const RESOURCE_ACTIONS: &[ResourceActions] = &[
    (
        "AWS::EC2::VPC",
        &[
            "ec2:CreateVpc",
            "ec2:DeleteVpc",
            "ec2:DescribeVpcs",
            "ec2:DescribeVpcAttribute",
            "ec2:ModifyVpcAttribute",
            // Read when CloudFormation returns the VPC's default network ACL.
            "ec2:DescribeNetworkAcls",
            "ec2:CreateTags",
            "ec2:DeleteTags",
            "ec2:DescribeTags",
        ],
    ),
    (
        "AWS::EC2::Subnet",
        &[
            "ec2:CreateSubnet",
            "ec2:DeleteSubnet",
            "ec2:DescribeSubnets",
            "ec2:ModifySubnetAttribute",
            "ec2:DescribeAvailabilityZones",
            "ec2:DescribeRegions",
            "ec2:CreateTags",
            "ec2:DeleteTags",
        ],
    ),
    (
        "AWS::EC2::InternetGateway",
        &[
            "ec2:CreateInternetGateway",
            "ec2:DeleteInternetGateway",
            "ec2:DescribeInternetGateways",
            "ec2:CreateTags",
            "ec2:DeleteTags",
        ],
    ),
    (
        "AWS::EC2::VPCGatewayAttachment",
        &[
            "ec2:AttachInternetGateway",
            "ec2:DetachInternetGateway",
            "ec2:DescribeInternetGateways",
        ],
    ),
    (
        "AWS::EC2::EIP",
        &[
            "ec2:AllocateAddress",
            "ec2:ReleaseAddress",
            "ec2:DescribeAddresses",
            "ec2:DescribeAddressesAttribute",
            "ec2:DescribeAccountAttributes",
            "ec2:DescribeInstances",
            "ec2:CreateTags",
            "ec2:DeleteTags",
        ],
    ),
    (
        "AWS::EC2::NatGateway",
        &[
            "ec2:CreateNatGateway",
            "ec2:DeleteNatGateway",
            "ec2:DescribeNatGateways",
            "ec2:AssociateAddress",
            "ec2:DisassociateAddress",
            "ec2:DescribeNetworkInterfaces",
            "ec2:CreateTags",
            "ec2:DeleteTags",
        ],
    ),
    (
        "AWS::EC2::RouteTable",
        &[
            "ec2:CreateRouteTable",
            "ec2:DeleteRouteTable",
            "ec2:DescribeRouteTables",
            "ec2:CreateTags",
            "ec2:DeleteTags",
        ],
    ),
    (
        "AWS::EC2::Route",
        &[
            "ec2:CreateRoute",
            "ec2:ReplaceRoute",
            "ec2:DeleteRoute",
            "ec2:DescribeRouteTables",
        ],
    ),
    (
        "AWS::EC2::SubnetRouteTableAssociation",
        &[
            "ec2:AssociateRouteTable",
            "ec2:ReplaceRouteTableAssociation",
            "ec2:DisassociateRouteTable",
            "ec2:DescribeRouteTables",
        ],
    ),
    (
        "AWS::EC2::SecurityGroup",
        &[
            "ec2:CreateSecurityGroup",
            "ec2:DeleteSecurityGroup",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSecurityGroupRules",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupEgress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:CreateTags",
            "ec2:DeleteTags",
        ],
    ),
    (
        "AWS::EC2::SecurityGroupIngress",
        &[
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
            "ec2:DescribeSecurityGroupRules",
        ],
    ),
    (
        "AWS::EC2::SecurityGroupEgress",
        &[
            "ec2:AuthorizeSecurityGroupEgress",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
            "ec2:DescribeSecurityGroupRules",
        ],
    ),
    (
        "AWS::EC2::VPCEndpoint",
        &[
            "ec2:CreateVpcEndpoint",
            "ec2:ModifyVpcEndpoint",
            "ec2:DeleteVpcEndpoints",
            "ec2:DescribeVpcEndpoints",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeVpcs",
            "ec2:CreateTags",
            "ec2:DeleteTags",
        ],
    ),
    (
        "AWS::EC2::FlowLog",
        &[
            "ec2:CreateFlowLogs",
            "ec2:DeleteFlowLogs",
            "ec2:DescribeFlowLogs",
            "iam:PassRole",
        ],
    ),
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        &[
            "elasticloadbalancing:CreateLoadBalancer",
            "elasticloadbalancing:DeleteLoadBalancer",
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
            "elasticloadbalancing:DescribeCapacityReservation",
            "elasticloadbalancing:SetIpAddressType",
            "elasticloadbalancing:SetSecurityGroups",
            "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
            "elasticloadbalancing:DescribeTags",
            "iam:CreateServiceLinkedRole",
        ],
    ),
    (
        "AWS::ElasticLoadBalancingV2::Listener",
        &[
            "elasticloadbalancing:CreateListener",
            "elasticloadbalancing:DeleteListener",
            "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeListenerAttributes",
            "elasticloadbalancing:ModifyListenerAttributes",
            "elasticloadbalancing:AddListenerCertificates",
            "elasticloadbalancing:RemoveListenerCertificates",
            "elasticloadbalancing:DescribeListenerCertificates",
            "elasticloadbalancing:DescribeSSLPolicies",
        ],
    ),
    (
        "AWS::WAFv2::WebACL",
        &[
            "wafv2:CreateWebACL",
            "wafv2:UpdateWebACL",
            "wafv2:DeleteWebACL",
            "wafv2:GetWebACL",
            "wafv2:ListTagsForResource",
            "wafv2:TagResource",
            "wafv2:UntagResource",
        ],
    ),
    (
        "AWS::WAFv2::WebACLAssociation",
        &[
            "wafv2:AssociateWebACL",
            "wafv2:DisassociateWebACL",
            "wafv2:GetWebACLForResource",
            "elasticloadbalancing:SetWebAcl",
        ],
    ),
];
