//! Names in one place: module ids, stack names, the logical ids built from user names, the
//! fixed ids they could meet, and the wire names the root passes between stacks.
//!
//! A leaf: it imports nothing from the crate, so spec validation (which must refuse a name
//! before synthesis would trip on it) and the module compilers (which build the ids) share one
//! definition. Invariants: an id built from a service name is `ServiceId` + a `ServicePart`
//! suffix, and no suffix ends another, so two distinct `ServiceId`s never give the same id;
//! every fixed id that ends with such a suffix is listed in `FIXED_WITH_SERVICE_TAILS`, which
//! validation consults (`collision`) so a service can never take a fixed id; a test over the
//! emitted templates keeps that list complete.

use std::fmt;

/// Module ids: template file names and the last part of stack names.
pub const NETWORK: &str = "network";
pub const CLUSTER: &str = "cluster";
pub const DATABASE: &str = "database";
pub const MONITORING: &str = "monitoring";
pub const ACCESS: &str = "access";
pub const ROOT: &str = "root";

/// Where, in the artifact bucket, the vendor uploads the combined Guard rule file that the
/// compliance hook evaluates (byoa writes and uploads it; the hook only reads it).
pub const RULE_FILE_KEY: &str = "guard/byoa-rules.guard";

/// The module id of a service's stack, e.g. `service-api`.
pub fn service_module(service: &str) -> String {
    format!("service-{service}")
}

/// `<product>-<environment>-`: the start of every stack name of one environment, and so of
/// every resource name CloudFormation generates in those stacks.
pub fn stack_prefix(product: &str, environment: &str) -> String {
    format!("{product}-{environment}-")
}

/// The `DBInstanceIdentifier` of the database's primary (`replica: None`) or of read replica
/// `n` (from 1): `<product>-<environment>-<database name>` and `...-replica-<n>`, the database
/// name lowercased with `_` as `-` (`billing_db` -> `acme-prod-billing-db`). Fixed so the log
/// groups RDS writes to (`rds_log_group`) can be declared before the instance exists; inside
/// the stack prefix, which the access stack scopes the vendor's RDS grants by. The database
/// name is in it because changing it replaces the instance, and CloudFormation cannot replace
/// an instance under the same identifier. Lowercase, as RDS stores it and names the log groups.
/// Validation checks the result (`is_rds_instance_identifier`).
pub fn database_instance(
    product: &str,
    environment: &str,
    database: &str,
    replica: Option<u8>,
) -> String {
    let primary = format!(
        "{}{}",
        stack_prefix(product, environment),
        database.replace('_', "-")
    )
    .to_ascii_lowercase();
    match replica {
        None => primary,
        Some(n) => format!("{primary}-replica-{n}"),
    }
}

/// Whether RDS takes `id` as a `DBInstanceIdentifier`: 1 to 63 letters, digits or hyphens,
/// starting with a letter, with no two hyphens in a row and no hyphen at the end.
pub fn is_rds_instance_identifier(id: &str) -> bool {
    (1..=63).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !id.contains("--")
        && !id.ends_with('-')
}

/// `/aws/rds/instance/<identifier>/<log>`: the CloudWatch Logs group RDS exports the `log`
/// log (`postgresql`, `upgrade`) of instance `identifier` to.
pub fn rds_log_group(identifier: &str, log: &str) -> String {
    format!("/aws/rds/instance/{identifier}/{log}")
}

/// The IAM path of the permissions boundary policy. A path of its own keeps the boundary out of
/// every name pattern the execution role is granted (`role/<product>-<environment>-*`).
pub const BOUNDARY_PATH: &str = "/byoa/";

/// `<product>-<environment>-boundary`: the name of the permissions boundary policy the access
/// stack creates, fixed so that product templates can name its ARN without a parameter. As
/// distinct as the stack names it follows; at most 56 characters (IAM allows 128).
pub fn boundary_policy(product: &str, environment: &str) -> String {
    format!("{}boundary", stack_prefix(product, environment))
}

/// `<product>-<environment>-deployer`: the name of the role the vendor assumes, fixed so the
/// vendor can name it in every customer's account from the account id alone (`customers.yaml`).
/// Under `BOUNDARY_PATH`, like the boundary, so no `role/<product>-<environment>-*` grant
/// reaches it. At most 58 characters (IAM allows 64).
pub fn deployer_role(product: &str, environment: &str) -> String {
    format!("{}deployer", stack_prefix(product, environment))
}

/// The deployer role's path and name as its ARN shows them: `byoa/acme-prod-deployer`.
pub fn deployer_role_path_name(product: &str, environment: &str) -> String {
    format!(
        "{}{}",
        BOUNDARY_PATH.trim_start_matches('/'),
        deployer_role(product, environment)
    )
}

/// Whether `environment` is a production one: named `prod`, `production` or `prod-<x>`. The
/// name is the only mark of production a spec has; `byoa cost` picks its default usage by it
/// and validation refuses Fargate Spot by it.
pub fn is_production(environment: &str) -> bool {
    environment == "prod" || environment == "production" || environment.starts_with("prod-")
}

/// The stack name of `module`, e.g. `acme-prod-network`.
pub fn stack_name(product: &str, environment: &str, module: &str) -> String {
    format!("{}{module}", stack_prefix(product, environment))
}

/// `service-api` -> `ServiceApi`, `billing_worker` -> `BillingWorker`: a name as a logical-id
/// fragment.
pub fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The root's logical id of a nested stack: its module id in CamelCase (`service-api` ->
/// `ServiceApi`). Service stacks all start with `Service`, which no fixed module id does.
pub fn child_id(module: &str) -> String {
    camel(module)
}

/// A service's logical-id fragment: its name in CamelCase (`billing-worker` ->
/// `BillingWorker`). Every id built from a service name is this plus a `ServicePart`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId(String);

impl ServiceId {
    pub fn of(service_name: &str) -> Self {
        ServiceId(camel(service_name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The statement id of the service's grant `number` in the permissions boundary, e.g.
    /// `ApiTask1`: it ends with a digit, which no fixed statement id of the boundary does.
    pub fn task_grant_sid(&self, number: usize) -> String {
        format!("{}Task{number}", self.0)
    }

    /// The id of one of the service's parameters, outputs or resources, e.g. `ApiCpuAlarm`.
    pub fn id(&self, part: ServicePart) -> String {
        format!("{}{}", self.0, part.suffix())
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What follows a `ServiceId` in an id: the closed list of ids a service name produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServicePart {
    /// The service stack's image tag parameter, which surfaces at the root.
    ImageTag,
    // Outputs of the service stack.
    ServiceName,
    ServiceArn,
    RepositoryUri,
    RepositoryArn,
    LogGroupName,
    TargetGroupFullName,
    TaskRoleArn,
    ExecutionRoleArn,
    // Alarms in the monitoring stack.
    CpuAlarm,
    MemoryAlarm,
    RunningTasksAlarm,
    Target5xxAlarm,
    ResponseTimeAlarm,
    UnhealthyHostsAlarm,
}

impl ServicePart {
    pub const ALL: &'static [ServicePart] = &[
        ServicePart::ImageTag,
        ServicePart::ServiceName,
        ServicePart::ServiceArn,
        ServicePart::RepositoryUri,
        ServicePart::RepositoryArn,
        ServicePart::LogGroupName,
        ServicePart::TargetGroupFullName,
        ServicePart::TaskRoleArn,
        ServicePart::ExecutionRoleArn,
        ServicePart::CpuAlarm,
        ServicePart::MemoryAlarm,
        ServicePart::RunningTasksAlarm,
        ServicePart::Target5xxAlarm,
        ServicePart::ResponseTimeAlarm,
        ServicePart::UnhealthyHostsAlarm,
    ];

    pub fn suffix(self) -> &'static str {
        match self {
            ServicePart::ImageTag => "ImageTag",
            ServicePart::ServiceName => "ServiceName",
            ServicePart::ServiceArn => "ServiceArn",
            ServicePart::RepositoryUri => "RepositoryUri",
            ServicePart::RepositoryArn => "RepositoryArn",
            ServicePart::LogGroupName => "LogGroupName",
            ServicePart::TargetGroupFullName => "TargetGroupFullName",
            ServicePart::TaskRoleArn => "TaskRoleArn",
            ServicePart::ExecutionRoleArn => "ExecutionRoleArn",
            ServicePart::CpuAlarm => "CpuAlarm",
            ServicePart::MemoryAlarm => "MemoryAlarm",
            ServicePart::RunningTasksAlarm => "RunningTasksAlarm",
            ServicePart::Target5xxAlarm => "Target5xxAlarm",
            ServicePart::ResponseTimeAlarm => "ResponseTimeAlarm",
            ServicePart::UnhealthyHostsAlarm => "UnhealthyHostsAlarm",
        }
    }
}

/// The monitoring stack's database CPU alarm.
pub const DATABASE_CPU_ALARM: &str = "DatabaseCpuAlarm";
/// The network stack's output naming the flow log group.
pub const FLOW_LOG_GROUP_NAME: &str = "FlowLogGroupName";

/// Fixed ids (in any template, the root's union of wires included) that end like an id built
/// from a service name: the service whose `ServiceId` is the rest would take them.
pub const FIXED_WITH_SERVICE_TAILS: &[&str] = &[DATABASE_CPU_ALARM, FLOW_LOG_GROUP_NAME];

/// The fixed id that a service of this id would produce too, if any.
pub fn collision(service: &ServiceId) -> Option<&'static str> {
    FIXED_WITH_SERVICE_TAILS
        .iter()
        .copied()
        .find(|fixed| ServicePart::ALL.iter().any(|p| service.id(*p) == *fixed))
}

/// Wire names: the outputs one stack passes to another's parameter of the same name, through
/// the root (`Fn::GetAtt Child.Outputs.<name>`). A child parameter of any other name must be a
/// console parameter.
pub mod wire {
    use super::{ServiceId, ServicePart};

    // The network stack's.
    pub const VPC_ID: &str = "VpcId";
    pub const PRIVATE_SUBNET_IDS: &str = "PrivateSubnetIds";
    pub const ISOLATED_SUBNET_IDS: &str = "IsolatedSubnetIds";
    pub const SERVICE_SECURITY_GROUP_ID: &str = "ServiceSecurityGroupId";
    pub const DATABASE_SECURITY_GROUP_ID: &str = "DatabaseSecurityGroupId";
    pub const HTTPS_LISTENER_ARN: &str = "HttpsListenerArn";
    /// A plain-HTTP environment's listener (`network.load_balancer.https: false`).
    pub const HTTP_LISTENER_ARN: &str = "HttpListenerArn";
    pub const LOAD_BALANCER_FULL_NAME: &str = "LoadBalancerFullName";
    // The cluster stack's.
    pub const CLUSTER_NAME: &str = "ClusterName";
    pub const NAMESPACE_ID: &str = "NamespaceId";
    // The database stack's.
    pub const DATABASE_ENDPOINT_ADDRESS: &str = "DatabaseEndpointAddress";
    pub const DATABASE_ENDPOINT_PORT: &str = "DatabaseEndpointPort";
    pub const DATABASE_SECRET_ARN: &str = "DatabaseSecretArn";
    pub const DATABASE_KEY_ARN: &str = "DatabaseKeyArn";
    pub const DATABASE_INSTANCE_ID: &str = "DatabaseInstanceId";

    /// Every fixed wire name.
    pub const FIXED: &[&str] = &[
        VPC_ID,
        PRIVATE_SUBNET_IDS,
        ISOLATED_SUBNET_IDS,
        SERVICE_SECURITY_GROUP_ID,
        DATABASE_SECURITY_GROUP_ID,
        HTTPS_LISTENER_ARN,
        HTTP_LISTENER_ARN,
        LOAD_BALANCER_FULL_NAME,
        CLUSTER_NAME,
        NAMESPACE_ID,
        DATABASE_ENDPOINT_ADDRESS,
        DATABASE_ENDPOINT_PORT,
        DATABASE_SECRET_ARN,
        DATABASE_KEY_ARN,
        DATABASE_INSTANCE_ID,
    ];

    /// The database stack's output (and the monitoring stack's parameter) naming read
    /// replica `n` (from 1).
    pub fn database_replica_id(n: u8) -> String {
        format!("DatabaseReplica{n}Id")
    }

    /// The service outputs the monitoring stack takes.
    pub const SERVICE_PARTS: &[ServicePart] =
        &[ServicePart::ServiceName, ServicePart::TargetGroupFullName];

    /// Whether `name` is a wire of a product with these services and read replicas.
    pub fn is_wire(name: &str, services: &[ServiceId], replicas: u8) -> bool {
        FIXED.contains(&name)
            || (1..=replicas).any(|n| database_replica_id(n) == name)
            || services
                .iter()
                .any(|s| SERVICE_PARTS.iter().any(|p| s.id(*p) == name))
    }
}

/// Console parameters: what the customer fills in when launching the root stack. Every other
/// parameter of a nested stack is fed by a wire.
pub mod console {
    use super::{ServiceId, ServicePart};

    /// Where the deployer uploaded the module templates (the root's own parameter).
    pub const ARTIFACT_BASE_URL: &str = "ArtifactBaseUrl";
    /// The zones, when the spec leaves the choice to the customer.
    pub const AVAILABILITY_ZONES: &str = "AvailabilityZones";
    /// The certificate of the load balancer's HTTPS listener.
    pub const CERTIFICATE_ARN: &str = "CertificateArn";
    /// Who receives alarm e-mails.
    pub const ALARM_EMAIL: &str = "AlarmEmail";
    /// The customer's own VPC and its subnets per tier (`network.existing`).
    pub const EXISTING_VPC_ID: &str = "ExistingVpcId";
    pub const EXISTING_PUBLIC_SUBNET_IDS: &str = "ExistingPublicSubnetIds";
    pub const EXISTING_PRIVATE_SUBNET_IDS: &str = "ExistingPrivateSubnetIds";
    pub const EXISTING_ISOLATED_SUBNET_IDS: &str = "ExistingIsolatedSubnetIds";

    const FIXED: &[&str] = &[
        ARTIFACT_BASE_URL,
        AVAILABILITY_ZONES,
        CERTIFICATE_ARN,
        ALARM_EMAIL,
        EXISTING_VPC_ID,
        EXISTING_PUBLIC_SUBNET_IDS,
        EXISTING_PRIVATE_SUBNET_IDS,
        EXISTING_ISOLATED_SUBNET_IDS,
    ];

    /// Whether `name` may be a root parameter of a product with these services (each has its
    /// image tag).
    pub fn allows(name: &str, services: &[ServiceId]) -> bool {
        FIXED.contains(&name) || services.iter().any(|s| s.id(ServicePart::ImageTag) == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_names() {
        assert_eq!(camel("service-api"), "ServiceApi");
        assert_eq!(camel("billing-worker2"), "BillingWorker2");
        assert_eq!(camel("api"), "Api");
    }

    #[test]
    fn stack_names_join_product_environment_and_module() {
        assert_eq!(stack_name("acme", "prod", NETWORK), "acme-prod-network");
        assert_eq!(
            stack_name("acme", "prod", &service_module("api")),
            "acme-prod-service-api"
        );
    }

    #[test]
    fn database_instances_are_named_inside_the_stack_prefix_in_lowercase() {
        assert_eq!(
            database_instance("acme-api", "prod", "app", None),
            "acme-api-prod-app"
        );
        assert_eq!(
            database_instance("acme-api", "prod", "Billing_DB", Some(2)),
            "acme-api-prod-billing-db-replica-2"
        );
        assert!(
            database_instance("acme", "prod", "app", Some(1))
                .starts_with(&stack_prefix("acme", "prod"))
        );
        assert_eq!(
            rds_log_group("acme-api-prod-app", "postgresql"),
            "/aws/rds/instance/acme-api-prod-app/postgresql"
        );
    }

    #[test]
    fn rds_instance_identifiers_follow_rds_rules() {
        for ok in ["a", "acme-prod-app", "A1-b2", &"a".repeat(63)] {
            assert!(is_rds_instance_identifier(ok), "{ok}");
        }
        for bad in [
            "",
            "1acme",
            "-acme",
            "acme--db",
            "acme-",
            "acme_db",
            "acme.db",
            &"a".repeat(64),
        ] {
            assert!(!is_rds_instance_identifier(bad), "{bad}");
        }
    }

    #[test]
    fn no_service_suffix_ends_another() {
        // Otherwise `Ab` + `CdEf` and `AbCd` + `Ef` would be one id for two services.
        for a in ServicePart::ALL {
            for b in ServicePart::ALL {
                if a != b {
                    assert!(!a.suffix().ends_with(b.suffix()), "{a:?} ends with {b:?}");
                }
            }
        }
    }

    #[test]
    fn service_stacks_never_take_a_fixed_child_id() {
        for fixed in [NETWORK, CLUSTER, DATABASE, MONITORING, ACCESS, ROOT] {
            assert!(!child_id(fixed).starts_with("Service"), "{fixed}");
        }
        assert_eq!(child_id(&service_module("network")), "ServiceNetwork");
    }

    #[test]
    fn services_named_like_a_fixed_id_collide_and_others_do_not() {
        assert_eq!(
            collision(&ServiceId::of("database")),
            Some(DATABASE_CPU_ALARM)
        );
        assert_eq!(collision(&ServiceId::of("flow")), Some(FLOW_LOG_GROUP_NAME));
        for free in [
            "api",
            "database-api",
            "db",
            "network",
            "flow-api",
            "cluster",
        ] {
            assert_eq!(collision(&ServiceId::of(free)), None, "{free}");
        }
    }

    #[test]
    fn wires_and_console_parameters_are_disjoint() {
        let services = [ServiceId::of("api")];
        for w in wire::FIXED {
            assert!(!console::allows(w, &services), "{w}");
        }
        assert!(console::allows("ApiImageTag", &services));
        assert!(!wire::is_wire("ApiImageTag", &services, 1));
        assert!(wire::is_wire("ApiServiceName", &services, 0));
        assert!(wire::is_wire("DatabaseReplica1Id", &services, 1));
        assert!(!wire::is_wire("DatabaseReplica2Id", &services, 1));
    }
}
