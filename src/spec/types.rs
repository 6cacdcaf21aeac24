//! The raw spec: exactly what a user may write in `byoa.yaml`.
//!
//! Input: a YAML document already checked against the JSON Schema generated from these types.
//! Output: plain data with serde defaults filled in. Nothing here is trusted yet: semantic
//! checks (CIDRs, regions, names, limits) happen in `validate`, which alone builds the `Model`.
//! Doc comments on fields become descriptions in `schemas/byoa.schema.json`, which editors show.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A byoa product specification: one product, deployed into a customer's AWS account.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The product being deployed and the vendor that operates it.
    pub product: Product,
    /// AWS region the stacks are synthesized for, e.g. `us-east-1`.
    pub region: String,
    /// Where customer data may live. Limits the allowed regions.
    #[serde(default)]
    pub residency: Residency,
    /// Compliance profiles that harden defaults and are checked by `byoa check`.
    #[serde(default)]
    pub compliance: Compliance,
    /// Networking: VPC, subnets, NAT, load balancer, flow logs.
    #[serde(default)]
    pub network: Network,
    /// An RDS PostgreSQL database. Omit for products without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<Database>,
    /// Containers run on ECS Fargate, one entry per service.
    #[serde(default)]
    pub services: Vec<Service>,
    /// The cross-account role the vendor assumes in the customer's account.
    #[serde(default)]
    pub access: Access,
    /// Alarms, dashboard and audit trail.
    #[serde(default)]
    pub monitoring: Monitoring,
    /// What `byoa cost` assumes about usage. Changes no template.
    #[serde(default)]
    pub cost: Cost,
    /// Per-environment overrides, e.g. `dev:` or `prod:`. Each value has the shape of this
    /// document (any field may be given); maps merge, lists replace, and lists of named items
    /// (services) merge by `name`.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, serde_json::Value>")]
    pub environments: IndexMap<String, serde_json::Value>,
}

/// The product and its vendor.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Short name used in stack names and tags: lowercase letters, digits and hyphens.
    #[schemars(length(min = 2, max = 32))]
    pub name: String,
    /// The vendor's 12-digit AWS account id, trusted by the cross-account role.
    pub vendor_account_id: String,
    /// Team or e-mail address that owns the product; added as a tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Extra tags added to every resource.
    #[serde(default)]
    pub tags: IndexMap<String, String>,
}

/// Where customer data may be stored and processed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Residency {
    /// United States regions only.
    Us,
    /// European Union regions only.
    Eu,
    /// Asia-Pacific regions only.
    Apac,
    /// Any commercial region.
    #[default]
    Global,
}

impl Residency {
    /// The name as written in the spec, e.g. `eu`.
    pub fn as_str(self) -> &'static str {
        match self {
            Residency::Us => "us",
            Residency::Eu => "eu",
            Residency::Apac => "apac",
            Residency::Global => "global",
        }
    }
}

/// Compliance settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Compliance {
    /// Profiles to harden for and check against.
    #[serde(default)]
    pub profiles: Vec<Profile>,
    /// Accepted deviations from a rule, each with a reason.
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    /// Also enforce the rules in the customer's account with a CloudFormation Guard hook.
    #[serde(default)]
    pub enforce_in_account: bool,
}

/// A compliance profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// SOC 2 Trust Services Criteria.
    Soc2,
    /// HIPAA Security Rule.
    Hipaa,
    /// PCI DSS v4.0.
    PciDss,
    /// ISO/IEC 27001:2022 Annex A.
    Iso27001,
    /// GDPR.
    Gdpr,
}

impl Profile {
    pub const ALL: &'static [Profile] = &[
        Profile::Soc2,
        Profile::Hipaa,
        Profile::PciDss,
        Profile::Iso27001,
        Profile::Gdpr,
    ];

    /// The name as written in the spec and in `policies/profiles/`, e.g. `pci-dss`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Soc2 => "soc2",
            Profile::Hipaa => "hipaa",
            Profile::PciDss => "pci-dss",
            Profile::Iso27001 => "iso27001",
            Profile::Gdpr => "gdpr",
        }
    }
}

/// An accepted deviation from a compliance rule.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The rule name, e.g. `RDS_MULTI_AZ`.
    pub rule: String,
    /// Logical id of the resource the exception applies to; all resources when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Why the deviation is acceptable (shown to auditors).
    #[schemars(length(min = 10))]
    pub reason: String,
    /// Date (YYYY-MM-DD) after which the exception no longer applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub expires: Option<String>,
}

/// How many NAT gateways to run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NatMode {
    /// One NAT gateway per availability zone (survives the loss of a zone).
    #[default]
    PerAz,
    /// One NAT gateway shared by all zones (cheaper; for dev).
    Single,
    /// No NAT gateway: private subnets have no route to the internet.
    None,
}

/// Networking.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Run in a VPC the customer already owns: its VPC id and subnet ids become launch
    /// parameters, and byoa creates no VPC, subnets, routes, NAT gateways, VPC endpoints or
    /// flow logs (those are the customer's), only the product's security groups and load
    /// balancer. `cidr`, `az_count`, `zones`, `nat`, `subnets`, `flow_logs` and `endpoints`
    /// do not apply then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub existing: bool,
    /// VPC CIDR block, /16 to /28.
    #[serde(default = "default_vpc_cidr")]
    pub cidr: String,
    /// Number of availability zones (2 to 6). The customer picks the zones at launch unless
    /// `zones` names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 2, max = 6))]
    pub az_count: Option<u8>,
    /// Availability zones by name, e.g. `[us-east-1a, us-east-1b]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
    /// NAT gateways for the private subnets.
    #[serde(default)]
    pub nat: NatMode,
    /// Subnet CIDRs per tier, one per zone. Derived from the VPC CIDR when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnets: Option<Subnets>,
    /// VPC flow logs.
    #[serde(default)]
    pub flow_logs: FlowLogs,
    /// VPC endpoints in the private subnets (ECR api and dkr, CloudWatch Logs, Secrets
    /// Manager and STS as interface endpoints, S3 as a gateway endpoint), so services reach
    /// AWS without a NAT gateway. On by default when `nat: none`, off otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<bool>,
    /// What the services may reach besides HTTPS (443 anywhere, always allowed): TCP to a
    /// port in a CIDR block, e.g. `[{port: 5432, cidr: 10.20.0.0/16}]`. All services share
    /// one security group, so every service gets these rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<Egress>,
    /// The internet-facing application load balancer.
    #[serde(default)]
    pub load_balancer: LoadBalancer,
}

/// Outbound TCP the services may open besides HTTPS.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Egress {
    /// Destination port.
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
    /// Destination IPv4 CIDR block, e.g. `10.20.0.0/16`.
    pub cidr: String,
    /// What the traffic is for, shown on the security-group rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn default_vpc_cidr() -> String {
    "10.0.0.0/16".to_owned()
}

impl Default for Network {
    fn default() -> Self {
        Network {
            existing: false,
            cidr: default_vpc_cidr(),
            az_count: None,
            zones: None,
            nat: NatMode::default(),
            subnets: None,
            flow_logs: FlowLogs::default(),
            endpoints: None,
            egress: Vec::new(),
            load_balancer: LoadBalancer::default(),
        }
    }
}

/// Explicit subnet CIDRs, one list per tier with one CIDR per zone.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subnets {
    /// Public subnets (load balancer, NAT gateways).
    pub public: Vec<String>,
    /// Private subnets with a route through NAT (services).
    pub private: Vec<String>,
    /// Isolated subnets without internet access (databases).
    pub isolated: Vec<String>,
}

/// Which traffic flow logs record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Traffic {
    /// Accepted and rejected traffic.
    #[default]
    All,
    /// Accepted traffic only.
    Accept,
    /// Rejected traffic only.
    Reject,
}

/// VPC flow logs to an encrypted CloudWatch log group.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowLogs {
    /// Record flow logs.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Days to keep flow logs (a value CloudWatch Logs accepts, e.g. 30, 90, 365).
    #[serde(default = "default_flow_log_retention")]
    pub retention_days: u32,
    /// Which traffic to record.
    #[serde(default)]
    pub traffic: Traffic,
}

fn default_flow_log_retention() -> u32 {
    365
}

impl Default for FlowLogs {
    fn default() -> Self {
        FlowLogs {
            enabled: true,
            retention_days: default_flow_log_retention(),
            traffic: Traffic::All,
        }
    }
}

/// The application load balancer in the public subnets.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// Create the load balancer. Needed by services with `expose`.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Serve HTTPS on 443 (and redirect port 80 to it). `false` serves plain HTTP on port 80
    /// only, with no certificate to provide: for a development environment, set in its
    /// overlay; refused in the base document, in production environments and with any
    /// compliance profile.
    #[serde(default = "yes")]
    pub https: bool,
    /// TLS policy of the HTTPS listener.
    #[serde(default = "default_ssl_policy")]
    pub ssl_policy: String,
    /// Idle timeout in seconds (1 to 4000).
    #[serde(default = "default_idle_timeout")]
    #[schemars(range(min = 1, max = 4000))]
    pub idle_timeout_seconds: u32,
    /// Write access logs to an encrypted S3 bucket created for them.
    #[serde(default = "yes")]
    pub access_logs: bool,
    /// Days to keep access logs when `access_logs` is on.
    #[serde(default = "default_access_log_retention")]
    #[schemars(range(min = 1))]
    pub access_log_retention_days: u32,
    /// Protect the load balancer from deletion.
    #[serde(default = "yes")]
    pub deletion_protection: bool,
    /// Put an AWS WAF web ACL with AWS managed rule groups (common exploits, known bad
    /// inputs, IP reputation) in front of the load balancer.
    #[serde(default = "yes")]
    pub waf: bool,
}

fn default_ssl_policy() -> String {
    "ELBSecurityPolicy-TLS13-1-2-2021-06".to_owned()
}

fn default_idle_timeout() -> u32 {
    60
}

fn default_access_log_retention() -> u32 {
    90
}

impl Default for LoadBalancer {
    fn default() -> Self {
        LoadBalancer {
            enabled: true,
            https: true,
            ssl_policy: default_ssl_policy(),
            idle_timeout_seconds: default_idle_timeout(),
            access_logs: true,
            access_log_retention_days: default_access_log_retention(),
            deletion_protection: true,
            waf: true,
        }
    }
}

/// An RDS PostgreSQL database.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// PostgreSQL engine version, e.g. `16.15`.
    #[serde(default = "default_engine_version")]
    pub engine_version: String,
    /// DB instance class, e.g. `db.t4g.medium`.
    #[serde(default = "default_instance_class")]
    pub instance_class: String,
    /// Allocated storage in GiB (20 to 65536).
    #[serde(default = "default_storage_gb")]
    #[schemars(range(min = 20, max = 65536))]
    pub storage_gb: u32,
    /// Upper bound for storage autoscaling in GiB; no autoscaling when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 21, max = 65536))]
    pub max_storage_gb: Option<u32>,
    /// Storage type.
    #[serde(default)]
    pub storage_type: StorageType,
    /// Keep a synchronous standby in another zone.
    #[serde(default = "yes")]
    pub multi_az: bool,
    /// Number of read replicas (0 to 5).
    #[serde(default)]
    #[schemars(range(max = 5))]
    pub read_replicas: u8,
    /// Name of the initial database.
    #[serde(default = "default_db_name")]
    pub name: String,
    /// Days to keep automated backups (1 to 35).
    #[serde(default = "default_backup_retention")]
    #[schemars(range(min = 1, max = 35))]
    pub backup_retention_days: u8,
    /// Daily backup window in UTC, `hh:mm-hh:mm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^\d{2}:\d{2}-\d{2}:\d{2}$"))]
    pub backup_window: Option<String>,
    /// Weekly maintenance window in UTC, `ddd:hh:mm-ddd:hh:mm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z]{3}:\d{2}:\d{2}-[a-z]{3}:\d{2}:\d{2}$"))]
    pub maintenance_window: Option<String>,
    /// Refuse deletion of the database instance.
    #[serde(default = "yes")]
    pub deletion_protection: bool,
    /// Performance Insights, encrypted with the database key.
    #[serde(default = "yes")]
    pub performance_insights: bool,
    /// Allow IAM database authentication (short-lived tokens instead of passwords for
    /// people and tools; the application keeps its managed password).
    #[serde(default = "yes")]
    pub iam_auth: bool,
    /// How the instances are named. `fixed` (the default): `<product>-<environment>-<name>`
    /// (lowercase, `_` as `-`) and `...-replica-<n>`, so byoa declares the log groups RDS
    /// writes the database logs to, encrypted with the database key and kept
    /// `monitoring.log_retention_days`. `generated`: CloudFormation names them, as byoa did
    /// before; set it in the overlay of an environment deployed before, whose database a new
    /// identifier would replace (a new, empty instance). RDS then creates those log groups
    /// itself: not encrypted with the database key, and kept forever.
    #[serde(default)]
    pub identifier: Identifier,
}

/// Who names the database instances (`database.identifier`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Identifier {
    /// byoa: `<product>-<environment>-<name>` (and `-replica-<n>`), with the log groups
    /// declared.
    #[default]
    Fixed,
    /// CloudFormation, as before fixed identifiers: keeps an existing database, leaves its
    /// log groups to RDS (unencrypted, kept forever).
    Generated,
}

fn default_engine_version() -> String {
    "16.15".to_owned()
}

fn default_instance_class() -> String {
    "db.t4g.medium".to_owned()
}

fn default_storage_gb() -> u32 {
    50
}

fn default_db_name() -> String {
    "app".to_owned()
}

fn default_backup_retention() -> u8 {
    7
}

/// EBS storage type of the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StorageType {
    /// General purpose SSD, gp3.
    #[default]
    Gp3,
    /// Provisioned IOPS SSD, io2.
    Io2,
}

impl StorageType {
    /// Provisioned IOPS byoa gives `io2` storage. 3,000 matches gp3's baseline, so moving
    /// between the two storage types never loses throughput. RDS allows 0.5 to 1,000 IOPS per
    /// GiB on io2, so it fits 100 GiB (where io2 starts) to 6,000 GiB.
    pub const IO2_IOPS: u32 = 3000;

    /// The most storage (GiB) `io2` takes at `IO2_IOPS`: 0.5 IOPS per GiB at least.
    pub const IO2_MAX_GB: u32 = Self::IO2_IOPS * 2;
}

/// A container service on ECS Fargate.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Service name: lowercase letters, digits and hyphens.
    pub name: String,
    /// CPU units, a Fargate task size (256, 512, 1024, 2048, 4096, 8192, 16384, 32768).
    #[serde(default = "default_cpu")]
    pub cpu: u32,
    /// Memory in MiB, within what Fargate allows for the CPU.
    #[serde(default = "default_memory")]
    pub memory: u32,
    /// CPU architecture of the tasks: `x86_64`, or `arm64` (AWS Graviton, priced lower per
    /// vCPU and GB). Every image of the task, sidecars included, must be built for it.
    #[serde(default)]
    pub architecture: Architecture,
    /// Run the tasks on Fargate Spot: spare capacity at a lower, varying price, interrupted
    /// with two minutes' warning when AWS needs it back; while Spot capacity is short, tasks
    /// wait (there is no fall-back to on-demand). Refused in production environments (named
    /// `prod`, `production` or `prod-*`) and in a spec without `environments:`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spot: bool,
    /// The container's command, replacing the image's `CMD`, e.g. `["serve", "--port", "8080"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub command: Option<Vec<String>>,
    /// The container's entry point, replacing the image's `ENTRYPOINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub entrypoint: Option<Vec<String>>,
    /// Ephemeral storage of each task in GiB (21 to 200); Fargate's 20 GiB when omitted. Storage
    /// beyond 20 GiB is billed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 21, max = 200))]
    pub ephemeral_storage_gib: Option<u32>,
    /// Containers that run beside the service's own in every task (a log router, an agent, a
    /// proxy), each with its own image and a share of the task's CPU and memory.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sidecars: Vec<Sidecar>,
    /// Container port. Required when the service is exposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u16>,
    /// Route requests from the load balancer to this service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expose: Option<Expose>,
    /// Number of tasks and how it scales.
    #[serde(default)]
    pub scaling: Scaling,
    /// Plain environment variables, written into the template as is. A value that looks like
    /// a secret (a provider's token, a password in a URL, a variable named like `DB_PASSWORD`)
    /// is an error: list it under `secrets` instead.
    #[serde(default)]
    pub environment: IndexMap<String, String>,
    /// Environment variables read when a task starts: from Secrets Manager by secret name or
    /// ARN (`acme/stripe-key`, with `:<json key>::` to pick one key), or from SSM Parameter
    /// Store by `ssm:<name>` or parameter ARN (`ssm:/acme/prod/stripe-key`). The task's
    /// execution role may read exactly these.
    #[serde(default)]
    pub secrets: IndexMap<String, String>,
    /// What the application in the tasks may call in AWS: least-privilege grants on the task
    /// role (which has none without them), each IAM actions on resources. The permissions
    /// boundary allows exactly these, and the customer's access page lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<Permission>,
    /// Give the service the database endpoint and credentials.
    #[serde(default)]
    pub uses_database: bool,
    /// Container health check command, e.g. `["CMD-SHELL", "curl -f localhost:8080/health"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_command: Option<Vec<String>>,
    /// Mount the root file system read-only.
    #[serde(default = "yes")]
    pub read_only_root_fs: bool,
    /// User the container runs as (never root).
    #[serde(default = "default_user")]
    pub user: String,
    /// Register the service in Cloud Map for service discovery: the other services find it
    /// by name and reach it on its `port` (a security-group rule from the services' group, on
    /// that port only; no rule opens the VPC's range).
    #[serde(default)]
    pub discovery: bool,
}

/// One grant of a service's task role: `actions` on `resources`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Permission {
    /// IAM actions, `service:Action` (`s3:GetObject`), checked against AWS's catalogue of
    /// actions (any case; written in AWS's spelling). A pattern inside a name (`s3:Get*`) is
    /// expanded into the actions it matches today. Whole services (`s3:*`) need an exception for
    /// `IAM_NO_WILDCARD_ACTION`; IAM actions, `*` and `*:*` are refused.
    #[schemars(length(min = 1))]
    pub actions: Vec<String>,
    /// Resources the actions may act on: ARNs naming the customer's account as
    /// `${AWS::Partition}`, `${AWS::Region}` and `${AWS::AccountId}`, or what byoa creates:
    /// `byoa:log-group` (the service's log group), `byoa:database-secret` (the database's
    /// credentials; needs `uses_database`). `*` only for actions AWS grants on no resource type
    /// (`sts:GetCallerIdentity`); account-wide resources (`arn:aws:s3:::*`) need an exception
    /// for `IAM_MUTATING_ACTIONS_SCOPED`.
    #[schemars(length(min = 1))]
    pub resources: Vec<String>,
    /// Why the product needs it, shown to the customer's security reviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The CPU architecture of a service's tasks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// Intel or AMD (x86-64).
    #[default]
    X86_64,
    /// AWS Graviton (ARM64).
    Arm64,
}

impl Architecture {
    /// The name as written in the spec and in price-table keys, e.g. `arm64`.
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// A container beside the service's own in each of its tasks.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// Container name, unique in the task: lowercase letters, digits and hyphens.
    pub name: String,
    /// A public image, e.g. `public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0`,
    /// pulled through the NAT gateway (the execution role reads only the service's own
    /// repository, so private registries are not supported). Pin a version or a digest;
    /// `latest` is refused.
    pub image: String,
    /// CPU units reserved for the sidecar out of the task's.
    #[serde(default)]
    pub cpu: u32,
    /// Memory in MiB the sidecar may use at most (its hard limit), out of the task's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 6))]
    pub memory: Option<u32>,
    /// Stop the whole task when the sidecar stops. Off by default: a sidecar that exits does
    /// not take the service down.
    #[serde(default)]
    pub essential: bool,
    /// Start the sidecar before the service's container and wait until it is healthy (needs
    /// `health_check_command`), or started when it has none.
    #[serde(default)]
    pub start_first: bool,
    /// Container port the sidecar listens on inside the task (reached as `localhost`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1024, max = 65535))]
    pub port: Option<u16>,
    /// The sidecar's command, replacing its image's `CMD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub command: Option<Vec<String>>,
    /// Plain environment variables (a value that looks like a secret is an error, as for
    /// services).
    #[serde(default)]
    pub environment: IndexMap<String, String>,
    /// Container health check command, e.g. `["CMD-SHELL", "curl -f localhost:2020/health"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_command: Option<Vec<String>>,
    /// Mount the root file system read-only (a writable /tmp is mounted).
    #[serde(default = "yes")]
    pub read_only_root_fs: bool,
    /// User the sidecar runs as (never root).
    #[serde(default = "default_user")]
    pub user: String,
}

fn default_cpu() -> u32 {
    256
}

fn default_memory() -> u32 {
    512
}

fn default_user() -> String {
    "1000".to_owned()
}

/// How the load balancer routes to a service.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expose {
    /// Path patterns, e.g. `["/api/*"]`.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Host header, e.g. `api.example.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Health check path of the target group.
    #[serde(default = "default_health_path")]
    pub health_check_path: String,
}

fn default_health_path() -> String {
    "/health".to_owned()
}

/// Task count and autoscaling.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scaling {
    /// Minimum number of tasks.
    #[serde(default = "default_min_tasks")]
    #[schemars(range(min = 1, max = 1000))]
    pub min: u32,
    /// Maximum number of tasks.
    #[serde(default = "default_max_tasks")]
    #[schemars(range(min = 1, max = 1000))]
    pub max: u32,
    /// Target average CPU utilisation in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 10, max = 90))]
    pub cpu_percent: Option<u8>,
    /// Target average memory utilisation in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 10, max = 90))]
    pub memory_percent: Option<u8>,
    /// Target requests per task per minute (exposed services only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub requests_per_target: Option<u32>,
}

fn default_min_tasks() -> u32 {
    2
}

fn default_max_tasks() -> u32 {
    2
}

impl Default for Scaling {
    fn default() -> Self {
        Scaling {
            min: default_min_tasks(),
            max: default_max_tasks(),
            cpu_percent: None,
            memory_percent: None,
            requests_per_target: None,
        }
    }
}

/// The cross-account role the vendor assumes.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Access {
    /// The vendor's role that deploys (`arn:aws:iam::<vendor account>:role/NAME`): the only
    /// principal the deployer role trusts. Required unless `trust_whole_account` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_role_arn: Option<String>,
    /// Trust every principal of the vendor account that knows the external id, instead of one
    /// named role. Allowed, with a warning, for vendors that cannot name their deploy role.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trust_whole_account: bool,
    /// Require MFA when the vendor assumes the role.
    #[serde(default)]
    pub require_mfa: bool,
    /// Only allow assuming the role from these CIDRs.
    #[serde(default)]
    pub source_cidrs: Vec<String>,
    /// Maximum session length in hours (1 to 12).
    #[serde(default = "default_session_hours")]
    #[schemars(range(min = 1, max = 12))]
    pub max_session_hours: u8,
}

fn default_session_hours() -> u8 {
    1
}

impl Default for Access {
    fn default() -> Self {
        Access {
            vendor_role_arn: None,
            trust_whole_account: false,
            require_mfa: false,
            source_cidrs: Vec::new(),
            max_session_hours: default_session_hours(),
        }
    }
}

/// What `byoa cost` assumes about usage (`byoa cost` prints every assumption with its
/// meaning). A value given here replaces the environment's default; `--assume` replaces both.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    #[serde(default)]
    pub assume: CostAssumptions,
}

/// Usage quantities a month (defaults: larger for environments named `prod`, `production` or
/// `prod-*`, smaller for the others).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostAssumptions {
    /// GB a month processed by the NAT gateways, all of them together.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nat_gb: Option<f64>,
    /// Load balancer capacity units used in an average hour.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alb_lcu: Option<f64>,
    /// Million requests a month the web ACL inspects.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waf_requests_m: Option<f64>,
    /// GB a month of application logs each service writes.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_log_gb: Option<f64>,
    /// GB a month of VPC flow-log records.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_log_gb: Option<f64>,
    /// GB a month of CloudTrail events copied to CloudWatch Logs.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trail_log_gb: Option<f64>,
    /// GB a month of database logs exported to CloudWatch Logs.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_log_gb: Option<f64>,
    /// GB each bucket holds.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_gb: Option<f64>,
    /// GB of images each repository holds.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecr_gb: Option<f64>,
    /// GB of database backups beyond the free amount (the provisioned storage).
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_extra_gb: Option<f64>,
    /// CloudWatch metrics Container Insights publishes for the cluster and its services.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insights_metrics: Option<f64>,
    /// GB a month of Container Insights performance events.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insights_gb: Option<f64>,
    /// Requests a month each KMS key serves, in units of 10,000.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_requests_10k: Option<f64>,
}

/// Alarms, dashboard and audit trail.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    /// Create a CloudWatch dashboard.
    #[serde(default = "yes")]
    pub dashboard: bool,
    /// Create a CloudTrail trail; turn off when the customer has an organization trail.
    #[serde(default = "yes")]
    pub audit_trail: bool,
    /// Days to keep application logs.
    #[serde(default = "default_log_retention")]
    pub log_retention_days: u32,
}

fn default_log_retention() -> u32 {
    90
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring {
            dashboard: true,
            audit_trail: true,
            log_retention_days: default_log_retention(),
        }
    }
}

fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_are_the_spelling_users_write() {
        for p in Profile::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        for r in [
            Residency::Us,
            Residency::Eu,
            Residency::Apac,
            Residency::Global,
        ] {
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
    }
}
