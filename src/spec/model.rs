//! The validated model: what the module compilers consume.
//!
//! Only `spec::validate` can build a `Model` (the `Sealed` field), so a compiler can never be
//! handed an unchecked spec. The model has one environment applied, every default filled and
//! every derived value computed (subnet CIDRs, tags, stack names), so compilers make no choices
//! of their own beyond CloudFormation shape. Where a spec string has an AWS shape (instance
//! class, engine version, listener policy, secret reference), the model holds it parsed
//! (`spec::values`): modules ask the value, never re-parse the string. Raw spec types remain
//! where a value is used verbatim.

use indexmap::IndexMap;
use ipnet::Ipv4Net;

use crate::naming::{self, ServiceId};
use crate::spec::Sealed;
pub use crate::spec::permissions::{GrantResource, TaskGrant};
use crate::spec::types::{
    Access, Architecture, Compliance, CostAssumptions, Expose, FlowLogs, Identifier, Monitoring,
    NatMode, Residency, Scaling, Sidecar, StorageType,
};
pub use crate::spec::values::{EngineVersion, InstanceClass, SecretSource, Size, TlsPolicy};

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
    /// Lasting exceptions for named resources, written into the templates.
    pub waivers: Vec<Waiver>,
    pub network: NetworkModel,
    pub database: Option<Database>,
    pub services: Vec<Service>,
    pub access: Access,
    pub monitoring: Monitoring,
    /// Usage assumptions for `byoa cost` (no template reads them).
    pub cost: CostAssumptions,
    pub(in crate::spec) _sealed: Sealed,
}

/// A spec exception that lasts, for one named resource, with the resource types its rule
/// judges: the modules write it into that resource's metadata, and only where the type
/// matches (the root's nested stack `Database` is not the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub rule: String,
    /// Logical id.
    pub resource: String,
    pub reason: String,
    pub resource_types: Vec<String>,
}

/// The network: the VPC byoa creates, or the customer's own, and what byoa puts in it.
#[derive(Debug, Clone)]
pub struct NetworkModel {
    /// The VPC byoa creates with its subnets laid out; `None` in the customer's own VPC
    /// (`network.existing`), whose ids arrive at launch.
    pub vpc: Option<OwnedVpc>,
    pub load_balancer: Option<LoadBalancer>,
    /// TCP the services may open besides HTTPS, in spec order.
    pub egress: Vec<EgressRule>,
}

/// A VPC byoa creates.
#[derive(Debug, Clone)]
pub struct OwnedVpc {
    pub cidr: Ipv4Net,
    pub zones: Zones,
    pub nat: NatMode,
    /// One subnet per zone in each tier, in zone order.
    pub public: Vec<Ipv4Net>,
    pub private: Vec<Ipv4Net>,
    pub isolated: Vec<Ipv4Net>,
    pub flow_logs: Option<FlowLogs>,
    /// VPC endpoints for the AWS services tasks call, in the private subnets.
    pub endpoints: bool,
}

/// One outbound rule of the services' security group beyond HTTPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressRule {
    pub port: u16,
    pub cidr: Ipv4Net,
    pub description: Option<String>,
}

/// The internet-facing application load balancer (present only when enabled).
#[derive(Debug, Clone)]
pub struct LoadBalancer {
    /// HTTPS on 443 with a redirect from 80; plain HTTP on 80 only when false (validation
    /// allows that only in a non-production environment without compliance profiles).
    pub https: bool,
    pub ssl_policy: TlsPolicy,
    pub idle_timeout_seconds: u32,
    pub access_logs: bool,
    pub access_log_retention_days: u32,
    pub deletion_protection: bool,
    pub waf: bool,
}

/// The RDS PostgreSQL database.
#[derive(Debug, Clone)]
pub struct Database {
    pub engine_version: EngineVersion,
    pub instance_class: InstanceClass,
    pub storage_gb: u32,
    pub max_storage_gb: Option<u32>,
    pub storage_type: StorageType,
    pub multi_az: bool,
    pub read_replicas: u8,
    pub name: String,
    pub backup_retention_days: u8,
    pub backup_window: Option<String>,
    pub maintenance_window: Option<String>,
    pub deletion_protection: bool,
    pub performance_insights: bool,
    pub iam_auth: bool,
    pub identifier: Identifier,
}

/// A container service on ECS Fargate.
#[derive(Debug, Clone)]
pub struct Service {
    /// The name's logical-id fragment (`billing-worker` -> `BillingWorker`).
    pub id: ServiceId,
    pub name: String,
    pub cpu: u32,
    pub memory: u32,
    pub architecture: Architecture,
    /// Tasks run on Fargate Spot (validation allows it outside production only).
    pub spot: bool,
    pub command: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub ephemeral_storage_gib: Option<u32>,
    /// In the order written; names unique in the task and their CPU and memory within it.
    pub sidecars: Vec<Sidecar>,
    pub port: Option<u16>,
    pub expose: Option<Expose>,
    pub scaling: Scaling,
    pub environment: IndexMap<String, String>,
    /// Environment variable -> the secret it is read from.
    pub secrets: IndexMap<String, SecretSource>,
    /// The task role's grants, checked against the IAM action catalogue.
    pub permissions: Vec<TaskGrant>,
    pub uses_database: bool,
    pub health_check_command: Option<Vec<String>>,
    pub read_only_root_fs: bool,
    pub user: String,
    pub discovery: bool,
}

impl Service {
    /// The spec path of one of the service's fields, the service named by its name
    /// (`services.api.scaling.min`): what the source map records.
    pub fn field(&self, field: &str) -> String {
        format!("{}.{field}", self.path())
    }

    /// The spec path of the service itself (`services.api`).
    pub fn path(&self) -> String {
        format!("services.{}", self.name)
    }
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
        naming::stack_name(&self.product, &self.environment, module)
    }

    /// The fixed `DBInstanceIdentifier` of the primary (`replica: None`) or of read replica
    /// `n`; `None` without a database or when CloudFormation generates it
    /// (`database.identifier: generated`).
    pub fn database_instance(&self, replica: Option<u8>) -> Option<String> {
        let db = self.database.as_ref()?;
        (db.identifier == Identifier::Fixed)
            .then(|| naming::database_instance(&self.product, &self.environment, &db.name, replica))
    }

    /// The tags for one module's resources.
    pub fn tags_for(&self, module: &str) -> Vec<(String, String)> {
        let mut tags = self.tags.clone();
        tags.insert(2, ("byoa:module".to_owned(), module.to_owned()));
        tags
    }
}
