//! The customer's own VPC (`network.existing`): its ids as the network stack's launch
//! parameters.
//!
//! Input: the model of a product whose VPC the customer owns. Output: the network template's
//! parameters for the VPC and the subnet tiers the product uses (public for the load balancer,
//! private for the services, isolated for the database), a rule that every subnet lies in that
//! VPC, and the values the rest of the network stack uses in place of its own VPC and subnets.
//! Invariants: byoa creates nothing here; each parameter's description tells the customer's
//! admin what the subnets must offer, because byoa no longer controls their routes. The other
//! stacks receive the ids through the network stack's usual outputs, so none of them knows
//! whose VPC it is.

use serde_json::{Value, json};

use crate::cfn::Parameter;
use crate::cfn::Template;
use crate::cfn::func::r#ref;
use crate::naming::console;
use crate::spec::Model;

const GROUP: &str = "Your VPC";

/// What private subnets must reach, said once for the parameter and the launch page.
pub const PRIVATE_NEEDS: &str = "a route to the internet (a NAT gateway) or VPC endpoints for ECR (api and dkr), S3 (gateway), CloudWatch Logs, Secrets Manager and STS, so tasks can pull images, write logs and read secrets";

/// A subnet tier the product uses, with the parameter that names its subnets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Public,
    Private,
    Isolated,
}

impl Tier {
    fn parameter(self) -> &'static str {
        match self {
            Tier::Public => console::EXISTING_PUBLIC_SUBNET_IDS,
            Tier::Private => console::EXISTING_PRIVATE_SUBNET_IDS,
            Tier::Isolated => console::EXISTING_ISOLATED_SUBNET_IDS,
        }
    }
}

/// The tiers the product puts something in: the load balancer, the services, the database.
pub fn tiers(model: &Model) -> Vec<Tier> {
    let mut out = Vec::new();
    if model.network.load_balancer.is_some() {
        out.push(Tier::Public);
    }
    if !model.services.is_empty() {
        out.push(Tier::Private);
    }
    if model.database.is_some() {
        out.push(Tier::Isolated);
    }
    out
}

/// Declares the VPC and subnet parameters and the rule that holds them together.
pub fn parameters(t: &mut Template, model: &Model) {
    t.add_parameter(
        console::EXISTING_VPC_ID,
        Parameter::new(
            "AWS::EC2::VPC::Id",
            GROUP,
            "VPC",
            "The VPC the product runs in. DNS resolution and DNS hostnames must be on (service discovery and interface endpoints resolve private names). The product adds its own security groups to it and changes nothing else.",
        ),
    );
    let tiers = tiers(model);
    for tier in &tiers {
        let (label, description) = match tier {
            Tier::Public => (
                "Public subnets",
                "Subnets for the internet-facing load balancer: at least two, in different zones, each at least a /27 with a route to an internet gateway.".to_owned(),
            ),
            Tier::Private => (
                "Private subnets",
                format!(
                    "Subnets for the product's tasks (no public IPs): at least two, in different zones, with {PRIVATE_NEEDS}."
                ),
            ),
            Tier::Isolated => (
                "Database subnets",
                "Subnets for the database: at least two, in different zones; they need no route out of the VPC. The private subnets may be given again here.".to_owned(),
            ),
        };
        t.add_parameter(
            tier.parameter(),
            Parameter::new("List<AWS::EC2::Subnet::Id>", GROUP, label, &description),
        );
    }
    if !tiers.is_empty() {
        // `Fn::ValueOfAll` reads every subnet parameter of the template at once.
        t.add_rule(
            "SubnetsInVpc",
            json!({"Assertions": [{
                "Assert": {"Fn::EachMemberEquals": [
                    {"Fn::ValueOfAll": ["AWS::EC2::Subnet::Id", "VpcId"]},
                    r#ref(console::EXISTING_VPC_ID),
                ]},
                "AssertDescription": "every subnet must be in the VPC chosen above",
            }]}),
        );
    }
}

/// Rules about the VPC itself, which byoa no longer creates: the customer's to meet, said so in
/// the template (and so in `byoa check`'s control matrix).
const CUSTOMER_CONTROLS: &[(&str, &str)] = &[
    (
        "VPC_FLOW_LOGS_ENABLED",
        "the VPC is the customer's (network.existing): its flow logs are theirs to record and keep",
    ),
    (
        "SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED",
        "the subnets are the customer's (network.existing); the product's tasks never ask for a public IP",
    ),
    (
        "VPC_IGW_ROUTES_ONLY_FROM_EDGE_SUBNETS",
        "the route tables are the customer's (network.existing)",
    ),
];

/// Records the rules the customer answers for.
pub fn customer_controls(t: &mut Template) {
    t.customer_controls.extend(
        CUSTOMER_CONTROLS
            .iter()
            .map(|(rule, why)| ((*rule).to_owned(), (*why).to_owned())),
    );
}

/// The VPC id, as the template's other resources reference it.
pub fn vpc_id() -> Value {
    r#ref(console::EXISTING_VPC_ID)
}

/// The subnets of `tier`, a list.
pub fn subnets(tier: Tier) -> Value {
    r#ref(tier.parameter())
}
