//! What the cluster stack and each service stack need from the shared stacks: the execution
//! role's grants for ECS, ECR, autoscaling and Cloud Map, the roles passed to ECS tasks, the
//! traffic the load balancer forwards to an exposed service, the traffic other services send
//! to one they find by service discovery, and the service's alarms.

use serde_json::{Value, json};

use crate::cfn::func::r#ref;
use crate::modules::alarm::{
    Alarm, ERROR_RATE_PERCENT, Rule, error_rate, graph, metric, shortfall, stat,
};
use crate::modules::needs::{
    Decides, Grant, Group, Ingress, Input, Needs, On, Part, ResourceActions, extend_unique,
};
use crate::modules::network;
use crate::naming::{ServicePart, wire};
use crate::spec::Model;
use crate::spec::model::Service;

/// Alarm when the 99th percentile response time exceeds this many seconds.
const P99_SECONDS: f64 = 2.0;

/// The needs of one service stack.
pub(super) fn service(model: &Model, service: &Service) -> Needs {
    let mut needs = Needs {
        grants: vec![
            TASK_DEFINITIONS_AND_SCALING,
            SCALABLE_TARGETS,
            CLUSTERS_AND_SERVICES,
            PRODUCT_REPOSITORIES,
        ],
        passes_roles_to: vec!["ecs-tasks.amazonaws.com"],
        service_linked_roles: vec![
            "ecs.amazonaws.com",
            "ecs.application-autoscaling.amazonaws.com",
        ],
        // The repository is encrypted with the service's key.
        keys_used_through: vec!["ecr"],
        role_actions: super::EXECUTION_ROLE_ACTIONS.to_vec(),
        ..Needs::default()
    };
    // The spec's secrets, which the task execution role reads.
    for secret in service.secrets.values() {
        let (_, resource, store) = super::secret_source(secret);
        needs.role_resources.push(resource);
        if store == super::Store::ParameterStore {
            extend_unique(&mut needs.role_actions, super::PARAMETER_ACTIONS);
        }
    }
    needs.decided(Decides::Roles, service.field("secrets"));
    needs.task_statements = super::permissions::boundary_statements(model, service);
    if !needs.task_statements.is_empty() {
        needs.decided(Decides::Roles, service.field("permissions"));
    }
    needs.grant_if(
        service.discovery,
        service.field("discovery"),
        &[SERVICE_DISCOVERY],
    );
    // The target group and listener rule.
    needs.grant_if(
        service.expose.is_some(),
        service.field("expose"),
        &[
            network::DESCRIBE_LOAD_BALANCING,
            network::MANAGE_LOAD_BALANCING,
        ],
    );
    // Its port admits the load balancer when exposed, and other services when they find it
    // by its Cloud Map name (without that rule the name resolves and connections time out).
    let sources = [
        (service.expose.is_some(), Group::LoadBalancer, "HTTP"),
        (service.discovery, Group::Services, "TCP"),
    ];
    for (_, from, protocol) in sources.into_iter().filter(|(wanted, ..)| *wanted) {
        if let Some(port) = service.port {
            needs.ingress.push(Ingress {
                to: Group::Services,
                from,
                port,
                protocol,
            });
        }
    }
    (needs.alarms, needs.alarm_inputs) = alarms(model, service);
    needs.dashboard_rows.push(dashboard_row(service));
    // Its row, and its load-balancer alarms, follow whether it is exposed.
    needs.decided(Decides::Dashboard, service.field("expose"));
    needs
}

/// The service's CPU, memory and tasks, and its requests and response time when exposed.
fn dashboard_row(s: &Service) -> Vec<Value> {
    let svc = &s.id;
    let service = format!("${{{}}}", svc.id(ServicePart::ServiceName));
    let cluster = format!("${{{}}}", wire::CLUSTER_NAME);
    let ecs = |name: &str, namespace: &str| {
        json!([
            namespace,
            name,
            wire::CLUSTER_NAME,
            cluster,
            "ServiceName",
            service
        ])
    };
    let mut cells = vec![
        graph(
            &format!("{} CPU %", s.name),
            "Average",
            vec![ecs("CPUUtilization", "AWS/ECS")],
        ),
        graph(
            &format!("{} memory %", s.name),
            "Average",
            vec![ecs("MemoryUtilization", "AWS/ECS")],
        ),
    ];
    if s.expose.is_none() {
        cells.push(graph(
            &format!("{} running tasks", s.name),
            "Minimum",
            vec![ecs("RunningTaskCount", "ECS/ContainerInsights")],
        ));
        return cells;
    }
    // Four cells, not five (24 units do not divide by 5): no running-task graph here.
    let tg = format!("${{{}}}", svc.id(ServicePart::TargetGroupFullName));
    let lb = format!("${{{}}}", wire::LOAD_BALANCER_FULL_NAME);
    let alb = |name: &str| {
        json!([
            "AWS/ApplicationELB",
            name,
            "TargetGroup",
            tg,
            "LoadBalancer",
            lb
        ])
    };
    cells.push(graph(
        &format!("{} requests", s.name),
        "Sum",
        vec![alb("RequestCount"), alb("HTTPCode_Target_5XX_Count")],
    ));
    cells.push(graph(
        &format!("{} response time p99", s.name),
        "p99",
        vec![alb("TargetResponseTime")],
    ));
    cells
}

/// CPU or memory alarm threshold: above the scaling target, so it fires when scaling is not
/// keeping up (or is at its maximum).
fn utilization_threshold(target: Option<u8>) -> u32 {
    target.map_or(85, |p| (u32::from(p) + 20).min(95))
}

/// A monitoring parameter of the services group: name, label, description, pattern and the
/// message shown when a value breaks it.
fn input(
    name: String,
    label: String,
    description: String,
    (pattern, pattern_help): (&'static str, &'static str),
) -> Input {
    Input {
        name,
        group: "Services",
        label,
        description,
        pattern,
        pattern_help,
    }
}

const ECS_NAME_PATTERN: &str = r"^[A-Za-z0-9_-]{1,255}$";

/// The service's alarms, and the monitoring parameters their dimensions name.
fn alarms(model: &Model, s: &Service) -> (Vec<Alarm>, Vec<Input>) {
    let svc = &s.id;
    let mut inputs = vec![
        input(
            wire::CLUSTER_NAME.into(),
            "Cluster name".into(),
            "Name of the ECS cluster (output ClusterName of the cluster stack).".into(),
            (ECS_NAME_PATTERN, "must be an ECS cluster name"),
        ),
        input(
            svc.id(ServicePart::ServiceName),
            format!("{} service name", s.name),
            format!(
                "Name of the ECS service `{}` (output {} of its service stack).",
                s.name,
                svc.id(ServicePart::ServiceName)
            ),
            (ECS_NAME_PATTERN, "must be an ECS service name"),
        ),
    ];
    let mut alarms = vec![];
    let alarm = |id: String, description: String, watch: Value, rule: Rule, from: &[&str]| Alarm {
        id,
        description,
        watch,
        rule,
        from: from.iter().map(|f| s.field(f)).collect(),
        when: vec![],
    };
    let ecs = [
        (wire::CLUSTER_NAME, r#ref(wire::CLUSTER_NAME)),
        ("ServiceName", r#ref(&svc.id(ServicePart::ServiceName))),
    ];
    let cpu = utilization_threshold(s.scaling.cpu_percent);
    alarms.push(alarm(
        svc.id(ServicePart::CpuAlarm),
        format!(
            "{}: service `{}` CPU above {cpu}% on average. Raise its CPU or its maximum task count.",
            model.product, s.name
        ),
        stat(metric("AWS/ECS", "CPUUtilization", &ecs), "Average"),
        Rule::above(cpu, "missing"),
        &["scaling.cpu_percent"],
    ));
    let memory = utilization_threshold(s.scaling.memory_percent);
    alarms.push(alarm(
        svc.id(ServicePart::MemoryAlarm),
        format!(
            "{}: service `{}` memory above {memory}% on average; tasks may be killed when they run out. Raise its memory.",
            model.product, s.name
        ),
        stat(metric("AWS/ECS", "MemoryUtilization", &ecs), "Average"),
        Rule::above(memory, "missing"),
        &["scaling.memory_percent"],
    ));
    alarms.push(alarm(
        svc.id(ServicePart::RunningTasksAlarm),
        format!(
            "{}: service `{}` has run fewer tasks than ECS wants for five minutes. Check its events and stopped tasks.",
            model.product, s.name
        ),
        shortfall(
            metric("ECS/ContainerInsights", "RunningTaskCount", &ecs),
            metric("ECS/ContainerInsights", "DesiredTaskCount", &ecs),
        ),
        // Every minute of five: a rolling deployment or a scale-out is shorter than that.
        Rule {
            datapoints: 5,
            ..Rule::above(0, "notBreaching")
        },
        &[],
    ));
    if s.expose.is_none() {
        return (alarms, inputs);
    }
    // The alarms below watch the service's target group: they exist because it is exposed.
    let exposed = alarms.len();
    inputs.push(network::load_balancer_full_name());
    inputs.push(input(
        svc.id(ServicePart::TargetGroupFullName),
        format!("{} target group full name", s.name),
        format!(
            "Full name of the target group of `{}` (output {} of its service stack).",
            s.name,
            svc.id(ServicePart::TargetGroupFullName)
        ),
        (
            r"^targetgroup/[A-Za-z0-9-]+/[0-9a-f]+$",
            "must look like targetgroup/<name>/<id>",
        ),
    ));
    let tg = [
        (
            "TargetGroup",
            r#ref(&svc.id(ServicePart::TargetGroupFullName)),
        ),
        ("LoadBalancer", r#ref(wire::LOAD_BALANCER_FULL_NAME)),
    ];
    alarms.push(alarm(
        svc.id(ServicePart::Target5xxAlarm),
        format!(
            "{}: more than {ERROR_RATE_PERCENT}% of requests to `{}` returned a 5xx. Check its logs.",
            model.product, s.name
        ),
        error_rate(
            metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", &tg),
            metric("AWS/ApplicationELB", "RequestCount", &tg),
        ),
        Rule::above(ERROR_RATE_PERCENT, "notBreaching"),
        &[],
    ));
    alarms.push(alarm(
        svc.id(ServicePart::ResponseTimeAlarm),
        format!(
            "{}: 99th percentile response time of `{}` above {P99_SECONDS} s.",
            model.product, s.name
        ),
        stat(
            metric("AWS/ApplicationELB", "TargetResponseTime", &tg),
            "p99",
        ),
        Rule::above(P99_SECONDS, "notBreaching"),
        &[],
    ));
    alarms.push(alarm(
        svc.id(ServicePart::UnhealthyHostsAlarm),
        format!(
            "{}: `{}` has targets failing the load balancer's health check.",
            model.product, s.name
        ),
        stat(
            metric("AWS/ApplicationELB", "UnHealthyHostCount", &tg),
            "Maximum",
        ),
        Rule::above(0, "notBreaching"),
        &[],
    ));
    for a in &mut alarms[exposed..] {
        a.when.push(s.field("expose"));
    }
    (alarms, inputs)
}

/// The needs of the cluster stack; `discovery` when it holds the Cloud Map namespace.
pub(super) fn cluster(discovery: bool) -> Needs {
    let mut needs = Needs {
        grants: vec![CLUSTERS_AND_SERVICES],
        service_linked_roles: vec!["ecs.amazonaws.com"],
        ..Needs::default()
    };
    if discovery {
        needs.grants.extend([SERVICE_DISCOVERY, NAMESPACE_ZONES]);
    }
    needs
}

// Task definitions do not support resource-level permissions, nor do the autoscaling reads:
// exact actions, resource `*`.
const TASK_DEFINITIONS_AND_SCALING: Grant = Grant {
    part: Part::Compute,
    sid: "ManageTaskDefinitionsAndScaling",
    actions: &[
        "ecs:DeregisterTaskDefinition",
        "ecs:DescribeCapacityProviders",
        "ecs:DescribeTaskDefinition",
        "ecs:ListClusters",
        "ecs:ListServices",
        "ecs:ListTaskDefinitions",
        "ecs:RegisterTaskDefinition",
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DescribeScalingPolicies",
        "application-autoscaling:DescribeScheduledActions",
    ],
    on: On::Any,
};

// The autoscaling writes (and tag reads) act on a scalable target, whose ARN ends in an id AWS
// generates (`scalable-target/<id>`) and which CloudFormation cannot tag: scoped to the
// account and region, not by name or tag. In the monitoring policy, beside the alarms scaling
// acts on, because the compute policy is near IAM's 6,144-character limit.
const SCALABLE_TARGETS: Grant = Grant {
    part: Part::Monitoring,
    sid: "ManageScalableTargets",
    actions: &[
        "application-autoscaling:DeleteScalingPolicy",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:ListTagsForResource",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:TagResource",
        "application-autoscaling:UntagResource",
    ],
    on: On::Arn("application-autoscaling:${AWS::Region}:${AWS::AccountId}:scalable-target/*"),
};

const CLUSTERS_AND_SERVICES: Grant = Grant {
    part: Part::Compute,
    sid: "ManageClustersAndServices",
    actions: &[
        "ecs:CreateCluster",
        "ecs:CreateService",
        "ecs:DeleteCluster",
        "ecs:DeleteService",
        "ecs:DescribeClusters",
        "ecs:DescribeServiceDeployments",
        "ecs:DescribeServices",
        "ecs:ListServiceDeployments",
        "ecs:ListTagsForResource",
        "ecs:PutClusterCapacityProviders",
        "ecs:TagResource",
        "ecs:UntagResource",
        "ecs:UpdateCluster",
        "ecs:UpdateClusterSettings",
        "ecs:UpdateService",
    ],
    // CloudFormation names the cluster after the stack; a service's ARN holds its cluster's
    // name. Task definitions are tagged when registered (`ecs:TagResource`), on any family.
    on: On::Arns(&[
        "ecs:${AWS::Region}:${AWS::AccountId}:cluster/{prefix}*",
        "ecs:${AWS::Region}:${AWS::AccountId}:service/{prefix}*/*",
        "ecs:${AWS::Region}:${AWS::AccountId}:service-deployment/{prefix}*/*",
        "ecs:${AWS::Region}:${AWS::AccountId}:task-definition/*",
    ]),
};

// No DeleteRepository: repositories are retained.
const PRODUCT_REPOSITORIES: Grant = Grant {
    part: Part::Compute,
    sid: "ManageProductRepositories",
    actions: &[
        "ecr:CreateRepository",
        "ecr:DeleteLifecyclePolicy",
        "ecr:DeleteRepositoryPolicy",
        "ecr:DescribeRepositories",
        "ecr:GetLifecyclePolicy",
        "ecr:GetRepositoryPolicy",
        "ecr:ListTagsForResource",
        "ecr:PutImageScanningConfiguration",
        "ecr:PutImageTagMutability",
        "ecr:PutLifecyclePolicy",
        "ecr:SetRepositoryPolicy",
        "ecr:TagResource",
        "ecr:UntagResource",
    ],
    on: On::Arn("ecr:${AWS::Region}:${AWS::AccountId}:repository/{prefix}*"),
};

// Cloud Map creates the namespace's private hosted zone with the caller's permissions. Record
// changes are made by ECS and Cloud Map themselves, so no ChangeResourceRecordSets: the role
// cannot edit the customer's DNS.
const SERVICE_DISCOVERY: Grant = Grant {
    part: Part::Compute,
    sid: "ManageServiceDiscovery",
    actions: &[
        "servicediscovery:CreatePrivateDnsNamespace",
        "servicediscovery:CreateService",
        "servicediscovery:DeleteNamespace",
        "servicediscovery:DeleteService",
        "servicediscovery:GetNamespace",
        "servicediscovery:GetOperation",
        "servicediscovery:GetService",
        "servicediscovery:ListNamespaces",
        "servicediscovery:ListServices",
        "servicediscovery:ListTagsForResource",
        "servicediscovery:TagResource",
        "servicediscovery:UntagResource",
        "servicediscovery:UpdatePrivateDnsNamespace",
        "servicediscovery:UpdateService",
        "route53:CreateHostedZone",
        "route53:ListHostedZonesByName",
    ],
    on: On::Any,
};

const NAMESPACE_ZONES: Grant = Grant {
    part: Part::Compute,
    sid: "ManageNamespaceZones",
    actions: &["route53:GetHostedZone", "route53:DeleteHostedZone"],
    on: On::Arn("route53:::hostedzone/*"),
};

/// The actions CloudFormation calls for each resource type the cluster and service stacks emit.
pub const RESOURCE_ACTIONS: &[ResourceActions] = &[
    (
        "AWS::ECS::Cluster",
        &[
            "ecs:CreateCluster",
            "ecs:UpdateCluster",
            "ecs:UpdateClusterSettings",
            "ecs:PutClusterCapacityProviders",
            "ecs:DescribeCapacityProviders",
            "ecs:DeleteCluster",
            "ecs:DescribeClusters",
            "ecs:ListClusters",
            "ecs:TagResource",
            "ecs:UntagResource",
            "ecs:ListTagsForResource",
            "iam:CreateServiceLinkedRole",
        ],
    ),
    (
        "AWS::ServiceDiscovery::PrivateDnsNamespace",
        &[
            "servicediscovery:CreatePrivateDnsNamespace",
            "servicediscovery:UpdatePrivateDnsNamespace",
            "servicediscovery:DeleteNamespace",
            "servicediscovery:GetNamespace",
            "servicediscovery:ListNamespaces",
            "servicediscovery:GetOperation",
            "servicediscovery:TagResource",
            "servicediscovery:UntagResource",
            "servicediscovery:ListTagsForResource",
            // Cloud Map makes the namespace's private hosted zone with the caller's rights.
            "route53:CreateHostedZone",
            "route53:GetHostedZone",
            "route53:DeleteHostedZone",
            "route53:ListHostedZonesByName",
            // A private hosted zone names its VPC, which the caller must be able to see.
            "ec2:DescribeVpcs",
            "ec2:DescribeRegions",
        ],
    ),
    (
        "AWS::ECR::Repository",
        &[
            "ecr:CreateRepository",
            "ecr:DescribeRepositories",
            "ecr:PutImageScanningConfiguration",
            "ecr:PutImageTagMutability",
            "ecr:PutLifecyclePolicy",
            "ecr:GetLifecyclePolicy",
            "ecr:DeleteLifecyclePolicy",
            "ecr:SetRepositoryPolicy",
            "ecr:GetRepositoryPolicy",
            "ecr:DeleteRepositoryPolicy",
            "ecr:TagResource",
            "ecr:UntagResource",
            "ecr:ListTagsForResource",
            // ECR encrypts through a grant on the service's key.
            "kms:CreateGrant",
            "kms:RetireGrant",
            "kms:DescribeKey",
        ],
    ),
    (
        "AWS::ECS::TaskDefinition",
        &[
            "ecs:RegisterTaskDefinition",
            "ecs:DeregisterTaskDefinition",
            "ecs:DescribeTaskDefinition",
            "ecs:ListTaskDefinitions",
            "ecs:TagResource",
            "ecs:UntagResource",
            "iam:PassRole",
        ],
    ),
    (
        "AWS::ECS::Service",
        &[
            "ecs:CreateService",
            "ecs:UpdateService",
            "ecs:DeleteService",
            "ecs:DescribeServices",
            "ecs:ListServices",
            "ecs:DescribeServiceDeployments",
            "ecs:ListServiceDeployments",
            "ecs:TagResource",
            "ecs:UntagResource",
            "ecs:ListTagsForResource",
            "iam:CreateServiceLinkedRole",
        ],
    ),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        &[
            "elasticloadbalancing:CreateTargetGroup",
            "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes",
            "elasticloadbalancing:DeleteTargetGroup",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTargetHealth",
            "elasticloadbalancing:RegisterTargets",
            "elasticloadbalancing:DeregisterTargets",
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
            "elasticloadbalancing:DescribeTags",
            // The target group's VPC.
            "ec2:DescribeVpcs",
        ],
    ),
    (
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        &[
            "elasticloadbalancing:CreateRule",
            "elasticloadbalancing:ModifyRule",
            "elasticloadbalancing:SetRulePriorities",
            "elasticloadbalancing:DeleteRule",
            "elasticloadbalancing:DescribeRules",
        ],
    ),
    (
        "AWS::ServiceDiscovery::Service",
        &[
            "servicediscovery:CreateService",
            "servicediscovery:UpdateService",
            "servicediscovery:DeleteService",
            "servicediscovery:GetService",
            "servicediscovery:ListServices",
            "servicediscovery:TagResource",
            "servicediscovery:UntagResource",
            "servicediscovery:ListTagsForResource",
        ],
    ),
    (
        "AWS::ApplicationAutoScaling::ScalableTarget",
        &[
            "application-autoscaling:RegisterScalableTarget",
            "application-autoscaling:DeregisterScalableTarget",
            "application-autoscaling:DescribeScalableTargets",
            "application-autoscaling:DescribeScheduledActions",
            "application-autoscaling:TagResource",
            "application-autoscaling:UntagResource",
            "application-autoscaling:ListTagsForResource",
            "iam:CreateServiceLinkedRole",
        ],
    ),
    (
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        &[
            "application-autoscaling:PutScalingPolicy",
            "application-autoscaling:DeleteScalingPolicy",
            "application-autoscaling:DescribeScalingPolicies",
            // Target tracking creates its alarms with the caller's permissions.
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DeleteAlarms",
            "cloudwatch:DescribeAlarms",
        ],
    ),
];
