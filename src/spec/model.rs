//! The validated model: what the module compilers consume.
//!
//! Only `spec::validate` can build a `Model` (the `Sealed` field), so a compiler can never be
//! handed an unchecked spec. The model has one environment applied, every default filled and
//! every derived value computed (subnet CIDRs, tags, stack names), so compilers make no choices
//! of their own beyond CloudFormation shape.

use ipnet::Ipv4Net;

use crate::spec::Sealed;
use crate::spec::types::{
    Access, Compliance, Database, FlowLogs, LoadBalancer, Monitoring, NatMode, Residency, Service,
};

/// A validated product for one environment.
#[derive(Debug, Clone)]
pub struct Model {
    pub product: String,
    pub environment: String,
    pub vendor_account_id: String,
    pub region: String,
    pub residency: Residency,
    /// Tags every resource carries (byoa's own first, then the user's), in a stable order.
    pub tags: Vec<(String, String)>,
    pub compliance: Compliance,
    pub network: NetworkModel,
    pub database: Option<Database>,
    pub services: Vec<Service>,
    pub access: Access,
    pub monitoring: Monitoring,
    pub(in crate::spec) _sealed: Sealed,
}

/// The network with its subnets laid out.
#[derive(Debug, Clone)]
pub struct NetworkModel {
    pub vpc_cidr: Ipv4Net,
    pub zones: Zones,
    pub nat: NatMode,
    /// One subnet per zone in each tier, in zone order.
    pub public: Vec<Ipv4Net>,
    pub private: Vec<Ipv4Net>,
    pub isolated: Vec<Ipv4Net>,
    pub flow_logs: Option<FlowLogs>,
    pub load_balancer: Option<LoadBalancer>,
}

/// How availability zones are chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zones {
    /// Named in the spec.
    Named(Vec<String>),
    /// Chosen by the customer at launch: a parameter with exactly this many zones.
    AtLaunch(usize),
}

impl Zones {
    pub fn count(&self) -> usize {
        match self {
            Zones::Named(z) => z.len(),
            Zones::AtLaunch(n) => *n,
        }
    }
}

impl Model {
    /// The stack name for a module in this environment, e.g. `acme-prod-network`.
    pub fn stack_name(&self, module: &str) -> String {
        format!("{}-{}-{}", self.product, self.environment, module)
    }

    /// The tags for one module's resources.
    pub fn tags_for(&self, module: &str) -> Vec<(String, String)> {
        let mut tags = self.tags.clone();
        tags.insert(2, ("byoa:module".to_owned(), module.to_owned()));
        tags
    }
}
