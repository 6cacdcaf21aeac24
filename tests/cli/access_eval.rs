//! The access stack's promise as a table a real IAM policy evaluator checks: for acme-api and
//! acme-50, dev and prod, the vendor-facing policies of the emitted access template (the deployer
//! role, the execution role, and the permissions boundary every product role carries) are made
//! concrete (intrinsics resolved against a fake account) and evaluated, by
//! `@cloud-copilot/iam-simulate` through `tools/npm/simulate.mjs`, against calls the vendor must
//! be able to make to deploy and calls it must never be able to make.
//!
//! The evaluator is not ours and not home-made: `scripts/test` installs it (pinned) into the
//! git-ignored `.tools/npm` and exports `BYOA_IAM_SIMULATE`. Without that variable the test says
//! it is skipped; under `CI=true` it fails instead, so CI can never pass without running it.
//!
//! Who may assume the two roles is evaluated too (their trust policies as resource policies), and
//! KMS calls run against the key's key policy, as AWS requires.
//!
//! Rows marked `Gap` are calls the vendor should not be able to make but can today (issue 9):
//! they expect what the evaluator answers now, so the table stays green while it documents them,
//! and a fix that closes one turns its row red until the row says `Denied`. Rows marked
//! `Planted` run against deliberately broken copies of the policies and must come out allowed,
//! each watched by a `Denied` row asking the same of the real policies: the oracle is live and
//! the table would catch the old access stack.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

mod concrete;

use concrete::{ACCOUNT, Access, PolicySet, SUFFIX, named};

/// The AWS managed policy that must never reach a product role.
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// The runner script, or `None` when the test is to be skipped (never under `CI=true`).
fn simulator() -> Option<String> {
    if let Some(p) = std::env::var_os("BYOA_IAM_SIMULATE") {
        return Some(p.into_string().expect("UTF-8 path"));
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "BYOA_IAM_SIMULATE is not set: CI must run the IAM policy table (scripts/test sets it)"
    );
    skipped("BYOA_IAM_SIMULATE is not set; run `scripts/test` (it installs the evaluator)");
    None
}

// The one place this test prints: a skip must be visible in the test output.
#[allow(clippy::print_stderr)]
fn skipped(why: &str) {
    eprintln!("access_eval: SKIPPED: {why}");
}

// ------------------------------------------------------------------------------------------
// Who calls, with which policies.

/// The principals of the table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    /// `DeployerRole`, which the vendor assumes.
    Deployer,
    /// `ExecutionRole`, which CloudFormation uses for the product's stacks.
    Execution,
    /// A role a product template creates: the worst one the vendor can write (its own policy
    /// allows everything), bounded by `PermissionsBoundary` as the execution role requires.
    ProductRole,
    /// The vendor's deploy role in the vendor account (allowed to assume any role).
    Vendor,
    /// Any other principal of the vendor account (allowed to assume any role).
    VendorOther,
    /// CloudFormation, assuming the execution role.
    CloudFormation,
    /// PLANTED: the execution role as the old access stack had it, without any
    /// `iam:PermissionsBoundary` condition.
    ExecutionUnbounded,
    /// PLANTED: the deployer role without its `NeverChangeThisStack` deny.
    DeployerWithoutStackDeny,
    /// The task role of a service, with the grants the spec gives it, bounded by
    /// `PermissionsBoundary`.
    Task(&'static str),
}

impl Who {
    fn name(self) -> String {
        let fixed = match self {
            Who::Deployer => "deployer",
            Who::Execution => "execution",
            Who::ProductRole => "product-role",
            Who::Vendor => "vendor",
            Who::VendorOther => "vendor-other",
            Who::CloudFormation => "cloudformation",
            Who::ExecutionUnbounded => "PLANTED-execution-unbounded",
            Who::DeployerWithoutStackDeny => "PLANTED-deployer-no-stack-deny",
            Who::Task(service) => return format!("task-{service}"),
        };
        fixed.to_owned()
    }

    const ALL: [Who; 8] = [
        Who::Deployer,
        Who::Execution,
        Who::ProductRole,
        Who::Vendor,
        Who::VendorOther,
        Who::CloudFormation,
        Who::ExecutionUnbounded,
        Who::DeployerWithoutStackDeny,
    ];

    /// The principal's ARN (a service principal's name for CloudFormation).
    fn arn(self, a: &Access) -> String {
        match self {
            Who::Deployer | Who::DeployerWithoutStackDeny => a.physical("DeployerRole").1,
            Who::Execution | Who::ExecutionUnbounded => a.physical("ExecutionRole").1,
            Who::ProductRole => Arns { a }.product_role(),
            Who::Vendor => format!("arn:aws:iam::{}:role/byoa-deploy", a.vendor_account()),
            Who::VendorOther => format!("arn:aws:iam::{}:user/any-employee", a.vendor_account()),
            Who::CloudFormation => "cloudformation.amazonaws.com".to_owned(),
            Who::Task(service) => Arns { a }.task_role(service),
        }
    }

    /// The principal's policies, made from the access template.
    fn policies(self, a: &Access) -> PolicySet {
        let allow_all = |action: &str| {
            vec![named(
                "what-the-principal-may-call",
                json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": action, "Resource": "*"}
                ]}),
            )]
        };
        match self {
            Who::Deployer => a.role_policies("DeployerRole"),
            Who::Execution => a.role_policies("ExecutionRole"),
            Who::ProductRole => PolicySet {
                identity: allow_all("*"),
                boundary: vec![named(
                    "PermissionsBoundary",
                    a.document("PermissionsBoundary"),
                )],
            },
            Who::Vendor | Who::VendorOther => PolicySet {
                identity: allow_all("sts:AssumeRole"),
                boundary: Vec::new(),
            },
            Who::CloudFormation => PolicySet::default(),
            Who::ExecutionUnbounded => {
                let real = a.role_policies("ExecutionRole");
                let planted = without_boundary_condition(&real);
                assert_ne!(
                    planted.to_json(),
                    real.to_json(),
                    "{}: nothing to plant",
                    a.label()
                );
                planted
            }
            Who::DeployerWithoutStackDeny => {
                without_statement(&a.role_policies("DeployerRole"), "NeverChangeThisStack")
            }
            Who::Task(service) => a.task_role(service),
        }
    }
}

/// `set` as the old access stack had it: no statement mentions `iam:PermissionsBoundary`
/// (the allows lose that condition, the denies keyed on it go).
fn without_boundary_condition(set: &PolicySet) -> PolicySet {
    let mut out = set.clone();
    for p in &mut out.identity {
        let statements = p["policy"]["Statement"]
            .as_array_mut()
            .expect("Statement list");
        statements.retain(|s| {
            !(s["Effect"] == "Deny"
                && s["Condition"]
                    .to_string()
                    .contains("iam:PermissionsBoundary"))
        });
        for s in statements.iter_mut() {
            let Some(condition) = s.get_mut("Condition").and_then(Value::as_object_mut) else {
                continue;
            };
            for operator in condition.values_mut() {
                let keys = operator.as_object_mut().expect("operator map");
                keys.remove("iam:PermissionsBoundary");
            }
            condition.retain(|_, keys| keys.as_object().is_some_and(|k| !k.is_empty()));
            if condition.is_empty() {
                s.as_object_mut().expect("statement").remove("Condition");
            }
        }
    }
    out
}

/// `set` without the statement `sid`, which must exist.
fn without_statement(set: &PolicySet, sid: &str) -> PolicySet {
    let mut out = set.clone();
    let mut found = false;
    for p in &mut out.identity {
        let statements = p["policy"]["Statement"]
            .as_array_mut()
            .expect("Statement list");
        let before = statements.len();
        statements.retain(|s| s["Sid"] != sid);
        found |= statements.len() != before;
    }
    assert!(found, "no statement `{sid}` to remove");
    out
}

// ------------------------------------------------------------------------------------------
// The table.

/// What a row expects the evaluator to answer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    Allowed,
    /// Implicitly or explicitly denied.
    Denied,
    /// KNOWN GAP: should be denied, is allowed today. Names the statement that reaches it.
    Gap(&'static str),
    /// Allowed, against planted broken policies: proves the oracle and the table are live. A
    /// `Denied` row must ask the same call of the real policies.
    Planted,
}

struct Row {
    who: Who,
    action: &'static str,
    resource: String,
    context: Value,
    expect: Expect,
    /// What the call would do.
    why: &'static str,
}

fn row(who: Who, action: &'static str, resource: String, expect: Expect, why: &'static str) -> Row {
    Row {
        who,
        action,
        resource,
        context: json!({}),
        expect,
        why,
    }
}

impl Row {
    fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.context[key] = value.into();
        self
    }
}

/// The ARNs the rows name, for one product and environment.
struct Arns<'a> {
    a: &'a Access,
}

impl Arns<'_> {
    fn regional(&self, service: &str, rest: &str) -> String {
        format!("arn:aws:{service}:{}:{ACCOUNT}:{rest}", self.a.region)
    }
    fn stack(&self, name: &str) -> String {
        let id = "0a1b2c3d-1111-4000-8000-000000000001";
        self.regional("cloudformation", &format!("stack/{name}/{id}"))
    }
    fn role(&self, name: &str) -> String {
        format!("arn:aws:iam::{ACCOUNT}:role/{name}")
    }
    /// A role CloudFormation names in one of this environment's stacks.
    fn product_role(&self) -> String {
        self.role(&format!("{}service-api-TaskRole-{SUFFIX}", self.a.prefix()))
    }
    /// The task role CloudFormation names in a service's nested stack.
    fn task_role(&self, service: &str) -> String {
        self.role(&format!(
            "{}root-Service{service}-{SUFFIX}-TaskRole-{SUFFIX}",
            self.a.prefix()
        ))
    }
    fn boundary(&self) -> String {
        format!(
            "arn:aws:iam::{ACCOUNT}:policy/byoa/{}boundary",
            self.a.prefix()
        )
    }
    fn artifact(&self, key: &str) -> String {
        format!("{}/{key}", self.a.physical("ArtifactBucket").1)
    }
    fn key(&self, id: &str) -> String {
        self.regional(
            "kms",
            &format!("key/0a1b2c3d-0000-4000-8000-0000000000{id}"),
        )
    }
}

/// A region other than `region` (for calls the product's stacks never make there).
fn other_region(region: &str) -> &'static str {
    if region == "eu-west-1" {
        "ap-southeast-2"
    } else {
        "eu-west-1"
    }
}

/// The calls of one product and environment: what byoa's deploy needs, and what the vendor
/// must never be able to do. One row a line, so the table reads as one.
#[rustfmt::skip]
fn rows(a: &Access) -> Vec<Row> {
    use Expect::{Allowed, Denied, Gap, Planted};
    use Who::*;
    let arn = Arns { a };
    let p = a.prefix();
    // Another environment whose name starts with this one's (`prod` and `prod-eu`): its
    // resources share this environment's name prefix.
    let overlap = format!("{p}eu-");
    // Within one spec `byoa validate` refuses such a pair (`env.overlap`); a separate spec
    // can still spell the same prefix.
    let overlap_gap = Gap("`<product>-<env>-*` also matches `<product>-<env>-eu-*` of another spec, where its resource carries no byoa tags");
    let other_env = format!("{}-eu", a.env);
    // What byoa tags the other environment's stacks and roles with.
    let theirs = |r: Row| {
        r.with("aws:ResourceTag/byoa:product", a.product.as_str())
            .with("aws:ResourceTag/byoa:environment", other_env.as_str())
    };
    let via_s3 = format!("s3.{}.amazonaws.com", a.region);
    let root = arn.stack(&format!("{p}root"));
    let access = arn.stack(&a.stack);
    let other_product = arn.stack("globex-prod-root");
    let execution = a.physical("ExecutionRole").1;
    let deployer = a.physical("DeployerRole").1;
    let task_role = arn.product_role();
    let other_env_role = arn.role(&format!("{overlap}service-api-TaskRole-{SUFFIX}"));
    let artifact_bucket = a.physical("ArtifactBucket").1;
    let access_logs = a.physical("ServerAccessLogBucket").1;
    let artifact_key = a.physical("ArtifactKey").1;
    let template = arn.artifact("templates/root.json");
    let customer_bucket = "arn:aws:s3:::customer-data".to_owned();
    let customer_object = "arn:aws:s3:::customer-data/report.csv".to_owned();
    let customer_db = arn.regional("rds", "db:customer-billing");
    let customer_secret = arn.regional("secretsmanager", "secret:customer/payments-AbCdEf");
    let customer_trail = arn.regional("cloudtrail", "trail/organization-trail");
    let product_logs = arn.regional("logs", &format!("log-group:{p}service-api-Logs-{SUFFIX}"));
    // The audit trail is the access stack's: CloudFormation names it, its bucket and its log
    // group after that stack, inside the product's name space (`<product>-<env>-access-...`).
    let trail = a.template["Resources"].get("Trail").is_some();
    let product_trail = if trail { a.physical("Trail").1 } else { customer_trail.clone() };
    let (trail_bucket, trail_key, trail_group) = if trail {
        (a.physical("TrailBucket").1, a.physical("TrailKey").1, a.physical("TrailLogGroup").0)
    } else {
        ("arn:aws:s3:::customer-trail".to_owned(), arn.key("dd"), "customer-trail".to_owned())
    };
    let trail_logs = arn.regional("logs", &format!("log-group:{trail_group}"));
    let trail_stream = arn.regional("logs", &format!("log-group:{trail_group}:log-stream:{ACCOUNT}_CloudTrail_{}", a.region));
    let bounded = |r: Row| r.with("iam:PermissionsBoundary", arn.boundary());
    let tagged = |r: Row| {
        r.with("aws:ResourceTag/byoa:product", a.product.as_str())
            .with("aws:ResourceTag/byoa:environment", a.env.as_str())
    };
    let external_id = a.reference("ExternalId");
    // The deployer trusts the vendor account's root (no `vendor_role_arn`): anyone there.
    let whole_account = a.resolve(&a.resource("DeployerRole")["Properties"]["AssumeRolePolicyDocument"])
        .to_string()
        .contains(":root\"");
    let mut t = vec![
        // --- who can become a vendor role ---------------------------------------------------
        row(Vendor, "sts:AssumeRole", deployer.clone(), Allowed, "the vendor, with the external id").with("sts:ExternalId", external_id.as_str()),
        row(Vendor, "sts:AssumeRole", deployer.clone(), Denied, "the vendor, without the external id"),
        row(Vendor, "sts:AssumeRole", deployer.clone(), Denied, "the vendor, with another customer's external id").with("sts:ExternalId", "another-customer"),
        row(Vendor, "sts:AssumeRole", execution.clone(), Denied, "the vendor, straight into the execution role").with("sts:ExternalId", external_id.as_str()),
        row(VendorOther, "sts:AssumeRole", deployer.clone(), if whole_account { Gap("the deployer trusts the vendor account root") } else { Denied }, "anyone else in the vendor account, with the external id").with("sts:ExternalId", external_id.as_str()),
        row(CloudFormation, "sts:AssumeRole", execution.clone(), Allowed, "CloudFormation in this account").with("aws:SourceAccount", ACCOUNT),
        row(CloudFormation, "sts:AssumeRole", execution.clone(), Denied, "CloudFormation for another account").with("aws:SourceAccount", "210987654321"),
        row(CloudFormation, "sts:AssumeRole", execution.clone(), Gap("no `aws:SourceArn` condition: AWS documents none for CloudFormation assuming a service role, and an unverified one could stop every deploy"), "CloudFormation for another product's stack").with("aws:SourceAccount", ACCOUNT).with("aws:SourceArn", other_product.as_str()),
        // --- the deployer: what `byoa deploy` calls -----------------------------------------
        row(Deployer, "cloudformation:CreateChangeSet", root.clone(), Allowed, "a change set on the product's root stack"),
        row(Deployer, "cloudformation:ExecuteChangeSet", root.clone(), Allowed, "execute it"),
        row(Deployer, "cloudformation:DescribeStackEvents", arn.stack(&format!("{p}network")), Allowed, "follow the deploy"),
        row(Deployer, "iam:PassRole", execution.clone(), Allowed, "hand the execution role to CloudFormation").with("iam:PassedToService", "cloudformation.amazonaws.com"),
        row(Deployer, "s3:PutObject", template.clone(), Allowed, "upload nested templates"),
        row(Deployer, "kms:GenerateDataKey", artifact_key.clone(), Allowed, "encrypt the upload").with("kms:ViaService", via_s3.as_str()),
        row(Deployer, "ecr:PutImage", arn.regional("ecr", &format!("repository/{p}service-api-repository-{SUFFIX}")), Allowed, "push the product's image"),
        // --- the deployer: never ------------------------------------------------------------
        row(Deployer, "cloudformation:CreateChangeSet", access.clone(), Denied, "change the access stack"),
        row(Deployer, "cloudformation:UpdateStack", access.clone(), Denied, "change the access stack"),
        row(Deployer, "cloudformation:DeleteStack", access.clone(), Denied, "delete the access stack"),
        row(Deployer, "cloudformation:CreateChangeSet", other_product.clone(), Denied, "another product's stack"),
        theirs(row(Deployer, "cloudformation:CreateChangeSet", arn.stack(&format!("{overlap}root")), Denied, "another spec's environment's stack, tagged by byoa")),
        theirs(row(Deployer, "cloudformation:ExecuteChangeSet", arn.stack(&format!("{overlap}root")), Denied, "execute a change set there")),
        row(Deployer, "cloudformation:CreateChangeSet", arn.stack(&format!("{overlap}root")), overlap_gap, "another spec's environment's stack, untagged"),
        row(Deployer, "cloudformation:CreateChangeSet", root.clone(), Allowed, "the product's root, tagged by byoa").with("aws:ResourceTag/byoa:product", a.product.as_str()).with("aws:ResourceTag/byoa:environment", a.env.as_str()),
        row(Deployer, "iam:PassRole", execution.clone(), Denied, "the execution role to another service").with("iam:PassedToService", "ec2.amazonaws.com"),
        row(Deployer, "iam:PassRole", task_role.clone(), Denied, "a product role, outside CloudFormation").with("iam:PassedToService", "ecs-tasks.amazonaws.com"),
        bounded(row(Deployer, "iam:CreateRole", task_role.clone(), Denied, "IAM outside CloudFormation")),
        row(Deployer, "iam:UpdateAssumeRolePolicy", deployer.clone(), Denied, "its own trust"),
        row(Deployer, "s3:DeleteObject", template.clone(), Denied, "delete templates"),
        row(Deployer, "s3:PutBucketPolicy", artifact_bucket.clone(), Denied, "open the artifact bucket"),
        row(Deployer, "s3:GetObject", format!("{access_logs}/ArtifactBucket/2026-11-30-00-00-00-0A1B2C3D"), Denied, "read the customer's bucket access logs"),
        row(Deployer, "s3:GetObject", customer_object.clone(), Denied, "the customer's data"),
        row(Deployer, "rds:DeleteDBInstance", customer_db.clone(), Denied, "an unrelated database"),
        row(Deployer, "cloudtrail:StopLogging", customer_trail.clone(), Denied, "the customer's trail"),
        row(Deployer, "cloudtrail:UpdateTrail", product_trail.clone(), Denied, "reconfigure the audit trail"),
        row(Deployer, "logs:GetLogEvents", trail_stream.clone(), Denied, "read the audit trail's copy in CloudWatch Logs (every API call of the account)"),
        row(Deployer, "logs:FilterLogEvents", trail_logs.clone(), Denied, "search the audit trail's log group"),
        row(Deployer, "s3:GetObject", format!("{trail_bucket}/AWSLogs/{ACCOUNT}/CloudTrail/x.json.gz"), Denied, "read the audit trail's files"),
        row(Deployer, "secretsmanager:GetSecretValue", customer_secret.clone(), Denied, "the customer's secrets"),
        // --- the execution role: what the product's stacks create ---------------------------
        bounded(row(Execution, "iam:CreateRole", task_role.clone(), Allowed, "a product role with the boundary")),
        bounded(row(Execution, "iam:PutRolePolicy", task_role.clone(), Allowed, "its inline policy")),
        bounded(row(Execution, "iam:PutRolePermissionsBoundary", task_role.clone(), Allowed, "(re)set the product's own boundary")),
        row(Execution, "iam:PassRole", task_role.clone(), Allowed, "a task role to ECS").with("iam:PassedToService", "ecs-tasks.amazonaws.com"),
        row(Execution, "iam:DeleteRole", task_role.clone(), Allowed, "remove a product role"),
        row(Execution, "cloudformation:CreateStack", arn.stack(&format!("{p}root-Network-{SUFFIX}")), Allowed, "nested stacks"),
        row(Execution, "s3:GetObject", arn.artifact("templates/network.json"), Allowed, "read nested templates"),
        row(Execution, "kms:Decrypt", artifact_key.clone(), Allowed, "decrypt them").with("kms:ViaService", via_s3.as_str()),
        row(Execution, "ec2:CreateVpc", arn.regional("ec2", "vpc/vpc-0123456789abcdef0"), Allowed, "the product's network"),
        row(Execution, "ec2:CreateSecurityGroup", arn.regional("ec2", "security-group/sg-0123456789abcdef0"), Allowed, "a security group (tagged after it exists)"),
        tagged(row(Execution, "ec2:AuthorizeSecurityGroupIngress", arn.regional("ec2", "security-group/sg-0123456789abcdef0"), Allowed, "open the product's security group")),
        row(Execution, "ec2:AuthorizeSecurityGroupIngress", arn.regional("ec2", "security-group-rule/sgr-0123456789abcdef0"), Allowed, "the rule that call creates"),
        tagged(row(Execution, "ec2:CreateRoute", arn.regional("ec2", "route-table/rtb-0123456789abcdef0"), Allowed, "route the product's subnets")),
        tagged(row(Execution, "ec2:AssociateRouteTable", arn.regional("ec2", "subnet/subnet-0123456789abcdef0"), Allowed, "associate the product's subnets")),
        tagged(row(Execution, "ec2:DeleteVpc", arn.regional("ec2", "vpc/vpc-0123456789abcdef0"), Allowed, "remove the product's network")),
        row(Execution, "kms:CreateKey", "*".to_owned(), Allowed, "the product's keys"),
        tagged(row(Execution, "kms:PutKeyPolicy", arn.key("bb"), Allowed, "a product key's policy")),
        row(Execution, "logs:CreateLogGroup", product_logs.clone(), Allowed, "log groups"),
        row(Execution, "ecs:CreateService", arn.regional("ecs", &format!("service/{p}cluster-Cluster-{SUFFIX}/api")), Allowed, "services"),
        row(Execution, "ecs:UpdateService", arn.regional("ecs", &format!("service/{p}root-Cluster-{SUFFIX}-Cluster-{SUFFIX}/{p}root-ServiceApi-{SUFFIX}-Service-{SUFFIX}")), Allowed, "a service of a nested stack"),
        row(Execution, "ecs:CreateCluster", arn.regional("ecs", &format!("cluster/{p}root-Cluster-{SUFFIX}-Cluster-{SUFFIX}")), Allowed, "the cluster"),
        row(Execution, "ecs:PutClusterCapacityProviders", arn.regional("ecs", &format!("cluster/{p}root-Cluster-{SUFFIX}-Cluster-{SUFFIX}")), Allowed, "give the cluster Fargate Spot (`spot: true`)"),
        row(Execution, "ecs:TagResource", arn.regional("ecs", &format!("task-definition/{p}root-ServiceApi-{SUFFIX}-TaskDefinition-{SUFFIX}:3")), Allowed, "tag a task definition as it is registered"),
        row(Execution, "cloudwatch:PutMetricAlarm", arn.regional("cloudwatch", &format!("alarm:{p}root-Monitoring-{SUFFIX}-ApiCpuAlarm-{SUFFIX}")), Allowed, "the product's alarms"),
        row(Execution, "cloudwatch:PutMetricAlarm", arn.regional("cloudwatch", &format!("alarm:TargetTracking-service/{p}root-Cluster-{SUFFIX}-Cluster-{SUFFIX}/api-AlarmHigh-0a1b")), Allowed, "a target-tracking alarm of a product service"),
        row(Execution, "events:PutRule", arn.regional("events", &format!("rule/{p}root-Monitoring-{SUFFIX}-TaskStopped-{SUFFIX}")), Allowed, "the product's event rules"),
        row(Execution, "application-autoscaling:RegisterScalableTarget", arn.regional("application-autoscaling", "scalable-target/0a1b2c3d4e5f60718293a4b5c6d7e8f9"), Allowed, "a service's scalable target (its ARN ends in an id AWS generates)"),
        row(Execution, "application-autoscaling:PutScalingPolicy", arn.regional("application-autoscaling", "scalable-target/0a1b2c3d4e5f60718293a4b5c6d7e8f9"), Allowed, "its scaling policy"),
        // --- the execution role: never ------------------------------------------------------
        row(Execution, "iam:CreateRole", task_role.clone(), Denied, "a role without a boundary"),
        row(Execution, "iam:CreateRole", task_role.clone(), Denied, "a role bounded by AdministratorAccess").with("iam:PermissionsBoundary", ADMIN),
        row(Execution, "iam:PutRolePolicy", task_role.clone(), Denied, "a policy on a role without the boundary"),
        bounded(row(Execution, "iam:AttachRolePolicy", task_role.clone(), Denied, "AdministratorAccess on a product role")).with("iam:PolicyARN", ADMIN),
        row(Execution, "iam:PutRolePermissionsBoundary", task_role.clone(), Denied, "swap a product role's boundary").with("iam:PermissionsBoundary", ADMIN),
        row(Execution, "iam:DeleteRolePermissionsBoundary", task_role.clone(), Denied, "remove a product role's boundary"),
        row(Execution, "iam:DeletePolicy", arn.boundary(), Denied, "delete the boundary"),
        row(Execution, "iam:CreatePolicyVersion", arn.boundary(), Denied, "rewrite the boundary"),
        row(Execution, "iam:SetDefaultPolicyVersion", arn.boundary(), Denied, "roll the boundary back"),
        row(Execution, "iam:CreatePolicyVersion", a.physical("ExecutionComputePolicy").0, Denied, "widen its own policy"),
        row(Execution, "iam:UpdateAssumeRolePolicy", execution.clone(), Denied, "its own trust"),
        row(Execution, "iam:PassRole", execution.clone(), Denied, "itself to a task (its name has the product's prefix)").with("iam:PassedToService", "ecs-tasks.amazonaws.com"),
        row(Execution, "iam:UpdateAssumeRolePolicy", deployer.clone(), Denied, "the deployer's trust"),
        row(Execution, "iam:CreateUser", format!("arn:aws:iam::{ACCOUNT}:user/{p}backdoor"), Denied, "an IAM user"),
        row(Execution, "iam:CreateAccessKey", format!("arn:aws:iam::{ACCOUNT}:user/admin"), Denied, "long-lived keys"),
        row(Execution, "iam:UpdateAssumeRolePolicy", arn.role("customer-admin"), Denied, "another role's trust"),
        bounded(row(Execution, "iam:PutRolePolicy", arn.role("globex-prod-root-TaskRole-X"), Denied, "another product's role")),
        row(Execution, "cloudformation:UpdateStack", access.clone(), Denied, "change the access stack"),
        row(Execution, "cloudformation:DeleteStack", access.clone(), Denied, "delete the access stack"),
        row(Execution, "cloudformation:DeleteStack", other_product.clone(), Denied, "another product's stack"),
        row(Execution, "s3:DeleteObject", template.clone(), Denied, "the vendor's templates"),
        row(Execution, "s3:PutBucketPolicy", artifact_bucket.clone(), Denied, "the artifact bucket's policy"),
        row(Execution, "s3:PutBucketPolicy", access_logs.clone(), Denied, "the access log bucket's policy"),
        row(Execution, "s3:PutLifecycleConfiguration", access_logs.clone(), Denied, "shorten the access logs' retention"),
        row(Execution, "s3:DeleteObject", format!("{access_logs}/ArtifactBucket/2026-11-30-00-00-00-0A1B2C3D"), Denied, "erase an access log"),
        row(Execution, "s3:PutBucketPolicy", customer_bucket.clone(), Denied, "a customer bucket's policy"),
        row(Execution, "kms:ScheduleKeyDeletion", artifact_key.clone(), Denied, "destroy the artifact key"),
        row(Execution, "kms:PutKeyPolicy", arn.key("cc"), Denied, "a customer key").with("aws:ResourceTag/byoa:product", "customer"),
        row(Execution, "cloudtrail:StopLogging", product_trail.clone(), Denied, "stop the product's trail"),
        row(Execution, "cloudtrail:DeleteTrail", product_trail.clone(), Denied, "delete the product's trail"),
        row(Execution, "cloudtrail:CreateTrail", arn.regional("cloudtrail", &format!("trail/{p}shadow")), Denied, "create a trail of its own"),
        row(Execution, "cloudtrail:UpdateTrail", product_trail.clone(), Denied, "reconfigure the audit trail"),
        row(Execution, "cloudtrail:PutEventSelectors", product_trail.clone(), Denied, "narrow what the audit trail logs"),
        row(Execution, "s3:PutBucketPolicy", trail_bucket.clone(), Denied, "rewrite the audit trail bucket's policy"),
        row(Execution, "s3:PutLifecycleConfiguration", trail_bucket.clone(), Denied, "shorten the audit logs' retention"),
        row(Execution, "s3:DeleteObject", format!("{trail_bucket}/AWSLogs/{ACCOUNT}/CloudTrail/x.json.gz"), Denied, "delete audit log files"),
        row(Execution, "logs:DeleteRetentionPolicy", trail_logs.clone(), Denied, "change the trail log group's retention"),
        row(Execution, "logs:PutRetentionPolicy", trail_logs.clone(), Denied, "shorten the trail log group's retention"),
        tagged(row(Execution, "kms:PutKeyPolicy", trail_key.clone(), Denied, "lock the customer out of the trail key")),
        tagged(row(Execution, "kms:DisableKey", trail_key.clone(), Denied, "make the audit files unreadable")),
        row(Execution, "cloudtrail:StopLogging", customer_trail.clone(), Denied, "stop the customer's trail"),
        row(Execution, "cloudtrail:UpdateTrail", customer_trail.clone(), Denied, "reconfigure the customer's trail"),
        row(Execution, "logs:DeleteLogGroup", trail_logs.clone(), Denied, "delete the audit trail's log group"),
        tagged(row(Execution, "ec2:DeleteTags", arn.regional("ec2", "security-group/sg-0123456789abcdef0"), Denied, "take a product security group out of the tag conditions")).with("aws:TagKeys", json!(["byoa:environment"])),
        tagged(row(Execution, "kms:UntagResource", arn.key("bb"), Denied, "take a product key out of the tag conditions")).with("aws:TagKeys", json!(["Name", "byoa:product"])),
        row(Execution, "iam:UntagRole", task_role.clone(), Denied, "untag a product role").with("aws:TagKeys", json!(["byoa:environment"])),
        row(Execution, "iam:UntagRole", task_role.clone(), Allowed, "remove a tag of the product's own (a spec's `tags:` edit)").with("aws:TagKeys", json!(["cost-center"])),
        row(Execution, "secretsmanager:GetSecretValue", customer_secret.clone(), Denied, "read the customer's secrets"),
        row(Execution, "secretsmanager:UpdateSecret", customer_secret.clone(), Denied, "overwrite a customer secret"),
        row(Execution, "ec2:AuthorizeSecurityGroupIngress", arn.regional("ec2", "security-group/sg-0c0ffee000000001"), Denied, "open a customer security group"),
        row(Execution, "ec2:RevokeSecurityGroupIngress", arn.regional("ec2", "security-group/sg-0c0ffee000000001"), Denied, "cut a customer security group's ingress"),
        row(Execution, "ec2:ReplaceRoute", arn.regional("ec2", "route-table/rtb-0c0ffee000000001"), Denied, "reroute a customer subnet"),
        row(Execution, "ec2:CreateRoute", arn.regional("ec2", "route-table/rtb-0c0ffee000000001"), Denied, "add a route to a customer route table"),
        row(Execution, "ec2:AssociateRouteTable", arn.regional("ec2", "subnet/subnet-0c0ffee000000001"), Denied, "swap a customer subnet's route table"),
        row(Execution, "ec2:DeleteSubnet", arn.regional("ec2", "subnet/subnet-0c0ffee000000001"), Denied, "delete a customer subnet"),
        row(Execution, "ec2:AssociateAddress", arn.regional("ec2", "instance/i-0c0ffee000000001"), Denied, "give a customer instance a public address"),
        row(Execution, "ec2:DeleteSecurityGroup", arn.regional("ec2", "security-group/sg-0c0ffee000000001"), Denied, "delete a customer security group").with("aws:ResourceTag/byoa:product", a.product.as_str()).with("aws:ResourceTag/byoa:environment", "staging"),
        row(Execution, "secretsmanager:TagResource", customer_secret.clone(), Denied, "retag a customer secret"),
        row(Execution, "ecs:UpdateService", arn.regional("ecs", "service/customer-cluster/billing"), Denied, "change a customer ECS service"),
        row(Execution, "ecs:DeleteCluster", arn.regional("ecs", "cluster/customer-cluster"), Denied, "delete a customer cluster"),
        row(Execution, "ecs:PutClusterCapacityProviders", arn.regional("ecs", "cluster/customer-cluster"), Denied, "change a customer cluster's capacity providers"),
        row(Execution, "cloudwatch:DeleteAlarms", arn.regional("cloudwatch", "alarm:customer-root-login"), Denied, "delete the customer's alarms"),
        row(Execution, "cloudwatch:PutMetricAlarm", arn.regional("cloudwatch", "alarm:TargetTracking-service/customer-cluster/billing-AlarmHigh-1"), Denied, "rewrite a customer service's scaling alarm"),
        row(Execution, "events:PutRule", arn.regional("events", "rule/customer-guardduty-alerts"), Denied, "change the customer's event rules"),
        row(Execution, "events:RemoveTargets", arn.regional("events", "rule/customer-guardduty-alerts"), Denied, "silence the customer's event rules"),
        row(Execution, "application-autoscaling:DeregisterScalableTarget", format!("arn:aws:application-autoscaling:{}:{ACCOUNT}:scalable-target/0c0ffee00000000000000000000000001", other_region(&a.region)), Denied, "stop a scalable target in another region from scaling"),
        row(Execution, "cloudformation:SetTypeConfiguration", "*".to_owned(), Denied, "reconfigure hooks (AWS scopes it to `*` only)"),
        // --- the execution role: known gaps (issue 9) ---------------------------------------
        row(Execution, "iam:UpdateAssumeRolePolicy", task_role.clone(), Gap("ManageProductRoles: IAM has no condition on a trust's content; IAM_PRODUCT_ROLE_TRUSTS_SERVICES refuses such a template in CI and in the in-account hook"), "make a product role trust the vendor directly"),
        theirs(row(Execution, "iam:DeleteRole", other_env_role.clone(), Denied, "another spec's environment's role, tagged by byoa")),
        theirs(row(Execution, "iam:PassRole", other_env_role.clone(), Denied, "pass it").with("iam:PassedToService", "ecs-tasks.amazonaws.com")),
        theirs(bounded(row(Execution, "iam:PutRolePolicy", other_env_role.clone(), Denied, "widen it within the boundary"))),
        theirs(row(Execution, "cloudformation:DeleteStack", arn.stack(&format!("{overlap}root")), Denied, "delete its stacks")),
        row(Execution, "iam:DeleteRole", other_env_role.clone(), overlap_gap, "another spec's environment's role, untagged"),
        row(Execution, "cloudformation:DeleteStack", arn.stack(&format!("{overlap}root")), overlap_gap, "its stacks, untagged"),
        row(Execution, "cloudformation:DeleteStack", arn.stack(&format!("{p}root")), Allowed, "the product's own root, tagged by byoa").with("aws:ResourceTag/byoa:product", a.product.as_str()).with("aws:ResourceTag/byoa:environment", a.env.as_str()),
        bounded(row(Execution, "iam:CreateRole", task_role.clone(), Allowed, "a role being created, with byoa's tags in the request")).with("aws:RequestTag/byoa:environment", a.env.as_str()),
        row(Execution, "s3:PutBucketPolicy", format!("arn:aws:s3:::{overlap}data-{SUFFIX}").to_lowercase(), Gap("`s3:::<product>-<env>-*` also matches another spec's `<env>-eu` buckets: byoa does not use S3's tag conditions on buckets"), "another spec's environment's bucket"),
        // --- a product role, bounded: never -------------------------------------------------
        row(ProductRole, "logs:PutLogEvents", format!("{product_logs}:log-stream:task"), Allowed, "write its logs"),
        row(ProductRole, "iam:CreateRole", arn.role("admin"), Denied, "any IAM"),
        row(ProductRole, "iam:PassRole", task_role.clone(), Denied, "pass a role").with("iam:PassedToService", "ec2.amazonaws.com"),
        row(ProductRole, "iam:DeleteRolePermissionsBoundary", task_role.clone(), Denied, "drop its own boundary"),
        row(ProductRole, "cloudtrail:StopLogging", customer_trail.clone(), Denied, "stop a trail"),
        row(ProductRole, "logs:PutLogEvents", trail_stream.clone(), Denied, "forge audit trail entries"),
        row(ProductRole, "logs:GetLogEvents", trail_stream.clone(), Denied, "read the audit trail"),
        tagged(row(ProductRole, "kms:Decrypt", trail_key.clone(), Denied, "decrypt the audit files")),
        row(ProductRole, "s3:PutObject", template.clone(), Denied, "the vendor's templates"),
        row(ProductRole, "s3:GetObject", customer_object.clone(), Denied, "the customer's data"),
        row(ProductRole, "rds:DeleteDBInstance", customer_db.clone(), Denied, "an unrelated database"),
        row(ProductRole, "cloudformation:UpdateStack", access.clone(), Denied, "the access stack"),
        row(ProductRole, "secretsmanager:GetSecretValue", customer_secret.clone(), Denied, "read a customer secret"),
        row(ProductRole, "kms:Decrypt", arn.key("cc"), Denied, "decrypt with a customer key"),
        row(ProductRole, "kms:Decrypt", arn.key("cc"), Denied, "decrypt with another environment's key").with("aws:ResourceTag/byoa:product", a.product.as_str()).with("aws:ResourceTag/byoa:environment", "staging"),
        row(ProductRole, "logs:GetLogEvents", arn.regional("logs", "log-group:customer-app:log-stream:x"), Denied, "read the customer's logs"),
        row(ProductRole, "ecr:BatchGetImage", arn.regional("ecr", "repository/customer-billing"), Denied, "pull the customer's images"),
        // --- a product role: what it is for -------------------------------------------------
        tagged(row(ProductRole, "kms:Decrypt", arn.key("bb"), Allowed, "decrypt with a product key")),
        row(ProductRole, "ecr:BatchGetImage", arn.regional("ecr", &format!("repository/{p}root-serviceapi-{SUFFIX}-repository-{SUFFIX}").to_lowercase()), Allowed, "pull the product's image"),
        row(ProductRole, "ecr:GetAuthorizationToken", "*".to_owned(), Allowed, "get a registry token"),
        // --- planted breakage: the oracle answers differently once a guard is gone ----------
        row(ExecutionUnbounded, "iam:CreateRole", task_role.clone(), Planted, "a role without a boundary"),
        row(DeployerWithoutStackDeny, "cloudformation:UpdateStack", access.clone(), Planted, "change the access stack"),
    ];
    if a.enforced {
        let hook_role = a.physical("GuardHookRole").1;
        let reports = a.physical("GuardHookLogBucket").1;
        t.extend([
            row(Deployer, "cloudformation:SetTypeConfiguration", "*".to_owned(), Denied, "reconfigure the compliance hook"),
            row(Execution, "cloudformation:DeactivateType", "*".to_owned(), Denied, "switch the compliance hook off"),
            row(Deployer, "s3:DeleteObject", format!("{reports}/report.json"), Denied, "delete the hook's reports"),
            row(Execution, "s3:PutBucketPolicy", reports, Denied, "the hook's report bucket"),
            row(Execution, "iam:PutRolePolicy", hook_role.clone(), Denied, "the hook's role").with("iam:PermissionsBoundary", arn.boundary()),
            row(Deployer, "iam:PassRole", hook_role, Denied, "the hook's role").with("iam:PassedToService", "hooks.cloudformation.amazonaws.com"),
        ]);
    }
    if a.database {
        let product_db = arn.regional("rds", &format!("db:{p}root-database-{SUFFIX}-database-{SUFFIX}").to_lowercase());
        t.extend([
            row(Execution, "rds:CreateDBInstance", product_db.clone(), Allowed, "the product's database"),
            bounded(row(Execution, "iam:AttachRolePolicy", task_role.clone(), Allowed, "RDS enhanced monitoring")).with("iam:PolicyARN", "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"),
            row(Execution, "rds:DeleteDBInstance", customer_db.clone(), Denied, "delete an unrelated database"),
            row(Execution, "rds:ModifyDBInstance", customer_db.clone(), Denied, "modify an unrelated database"),
            row(Execution, "rds:RebootDBInstance", customer_db.clone(), Denied, "reboot an unrelated database"),
            row(Execution, "rds:CreateDBSnapshot", customer_db, Denied, "snapshot an unrelated database (to copy its data)"),
            row(Execution, "rds:ModifyDBParameterGroup", arn.regional("rds", "pg:customer-billing-params"), Denied, "change a customer parameter group"),
            row(Execution, "rds:ModifyDBInstance", product_db.clone(), Allowed, "modify the product's database"),
            row(Execution, "rds:CreateDBInstance", arn.regional("rds", "og:default:postgres-16"), Allowed, "with the engine's default option group"),
            row(Execution, "rds:CreateDBInstance", arn.regional("rds", &format!("pg:{p}root-database-{SUFFIX}-parametergroup-{SUFFIX}").to_lowercase()), Allowed, "with the product's parameter group"),
            row(Execution, "rds:CreateDBInstance", arn.regional("rds", &format!("subgrp:{p}root-database-{SUFFIX}-subnetgroup-{SUFFIX}").to_lowercase()), Allowed, "in the product's subnet group"),
            row(Execution, "rds:CreateDBSnapshot", arn.regional("rds", &format!("snapshot:{p}root-database-{SUFFIX}-database-{SUFFIX}").to_lowercase()), Allowed, "the final snapshot"),
            row(Execution, "secretsmanager:CreateSecret", arn.regional("secretsmanager", "secret:rds!db-0a1b2c3d-0000-4000-8000-000000000001-AbCdEf"), Allowed, "the database's RDS-managed secret"),
            row(ProductRole, "secretsmanager:GetSecretValue", arn.regional("secretsmanager", "secret:rds!db-0a1b2c3d-0000-4000-8000-000000000001-AbCdEf"), Allowed, "read the database's secret"),
            row(ProductRole, "logs:PutLogEvents", arn.regional("logs", "log-group:RDSOSMetrics:log-stream:db-ABCDEF"), Allowed, "publish enhanced monitoring"),
        ]);
        // The log groups RDS exports to, named after the instance's fixed identifier
        // (`<product>-<env>-<database name>`; the examples' database is `app`).
        let rds_logs = |instance: &str| arn.regional("logs", &format!("log-group:/aws/rds/instance/{instance}/postgresql"));
        let ours = rds_logs(&format!("{p}app"));
        for action in ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey"] {
            t.extend([
                row(Execution, action, ours.clone(), Allowed, "the database's log group, with its key and retention"),
                row(Execution, action, rds_logs(&format!("{p}app-replica-1")), Allowed, "a read replica's log group"),
                row(Execution, action, rds_logs("globex-prod-app"), Denied, "another product's database log group"),
                row(Execution, action, rds_logs("customer-billing"), Denied, "the customer's own database log group"),
            ]);
        }
        t.extend([
            row(Execution, "logs:DeleteLogGroup", ours, Denied, "delete the database's logs (the groups are retained)"),
            row(Execution, "logs:CreateLogGroup", rds_logs(&format!("{overlap}app")), overlap_gap, "the database log group of an environment named inside this one"),
        ]);
    }
    t
}

/// The task roles of the services the spec grants something (the names live as long as the
/// test: `Who` is `Copy`).
fn tasks(a: &Access) -> Vec<Who> {
    a.granting_services()
        .into_iter()
        .map(|s| Who::Task(String::leak(s.to_owned())))
        .collect()
}

/// The calls of the task-permissions fixture: each grant is allowed to its service's task role
/// within the boundary, and neither the same action on another resource, nor an action the spec
/// does not grant, nor a grant of the other service. The worst product role (its own policy
/// allows everything) reaches the grants' resources only: the boundary adds nothing else.
#[rustfmt::skip]
fn task_rows(a: &Access) -> Vec<Row> {
    use Expect::{Allowed, Denied};
    use Who::*;
    let arn = Arns { a };
    let uploads = format!("arn:aws:s3:::acme-tasks-uploads-{ACCOUNT}/2026/report.csv");
    let customer_object = "arn:aws:s3:::customer-data/report.csv".to_owned();
    let queue = arn.regional("sqs", "acme-tasks-jobs");
    let other_queue = arn.regional("sqs", "customer-orders");
    let model = |id: &str| format!("arn:aws:bedrock:{}::foundation-model/{id}", a.region);
    let secret = a.service_resource("worker", "DatabaseSecretArn");
    let key = a.service_resource("worker", "DatabaseKeyArn");
    let stream = a.service_resource("worker", "LogGroup").replace(":*", ":log-stream:audit");
    let customer_stream = arn.regional("logs", "log-group:customer-app:log-stream:audit");
    let customer_secret = arn.regional("secretsmanager", "secret:customer/payments-AbCdEf");
    let tagged = |r: Row| {
        r.with("aws:ResourceTag/byoa:product", a.product.as_str())
            .with("aws:ResourceTag/byoa:environment", a.env.as_str())
    };
    let via_secrets = format!("secretsmanager.{}.amazonaws.com", a.region);
    vec![
        row(Task("api"), "s3:GetObject", uploads.clone(), Allowed, "read an upload (ApiTask1)"),
        row(Task("api"), "s3:PutObject", uploads.clone(), Allowed, "store an upload"),
        row(Task("api"), "s3:GetObject", customer_object.clone(), Denied, "the same action on the customer's bucket"),
        row(Task("api"), "s3:DeleteObject", uploads.clone(), Denied, "an action the spec does not grant"),
        row(Task("api"), "sqs:SendMessage", queue.clone(), Allowed, "queue a job (ApiTask2)"),
        row(Task("api"), "sqs:SendMessage", other_queue.clone(), Denied, "the same action on the customer's queue"),
        row(Task("api"), "sqs:ReceiveMessage", queue.clone(), Denied, "the worker's grant, not the api's"),
        row(Task("api"), "bedrock:InvokeModel", model("anthropic.claude-v2"), Allowed, "a model of the granted family (ApiTask3)"),
        row(Task("api"), "bedrock:InvokeModel", model("amazon.titan-text-express-v1"), Denied, "another model"),
        row(Task("api"), "secretsmanager:GetSecretValue", secret.clone(), Denied, "the database secret: the worker's grant"),
        row(Task("worker"), "sqs:ReceiveMessage", queue.clone(), Allowed, "work the queue (WorkerTask1)"),
        row(Task("worker"), "sqs:DeleteMessage", other_queue.clone(), Denied, "the customer's queue"),
        row(Task("worker"), "sqs:SendMessage", queue.clone(), Denied, "the api's grant, not the worker's"),
        row(Task("worker"), "secretsmanager:GetSecretValue", secret.clone(), Allowed, "the database's secret (WorkerTask2)"),
        row(Task("worker"), "secretsmanager:GetSecretValue", customer_secret.clone(), Denied, "the customer's secret"),
        tagged(row(Task("worker"), "kms:Decrypt", key.clone(), Allowed, "decrypt that secret through Secrets Manager")).with("kms:ViaService", via_secrets.as_str()),
        tagged(row(Task("worker"), "kms:Decrypt", key.clone(), Denied, "decrypt with that key directly")),
        row(Task("worker"), "logs:PutLogEvents", stream.clone(), Allowed, "write its own log group (WorkerTask3)"),
        row(Task("worker"), "logs:PutLogEvents", customer_stream.clone(), Denied, "the customer's log group"),
        row(Task("worker"), "sts:GetCallerIdentity", "*".to_owned(), Allowed, "who am I (WorkerTask4)"),
        row(Task("worker"), "s3:GetObject", uploads.clone(), Denied, "the api's bucket"),
        row(Task("worker"), "iam:PassRole", arn.task_role("Api"), Denied, "IAM, whatever is granted"),
        row(ProductRole, "s3:PutObject", uploads.clone(), Allowed, "any product role, within the boundary's task grants"),
        row(ProductRole, "s3:PutObject", customer_object, Denied, "the boundary grants the same action nowhere else"),
        row(ProductRole, "sqs:SendMessage", other_queue, Denied, "nor on another queue"),
        row(ProductRole, "bedrock:InvokeModel", model("amazon.titan-text-express-v1"), Denied, "nor on another model"),
    ]
}

/// The calls of acme-api-enterprise's grants (each service's own, nowhere else) and of the
/// SSM parameter its api reads at start: within the boundary exactly that parameter.
#[rustfmt::skip]
fn enterprise_rows(a: &Access) -> Vec<Row> {
    use Expect::{Allowed, Denied};
    use Who::*;
    let arn = Arns { a };
    let uploads = format!("arn:aws:s3:::acme-ent-uploads-{ACCOUNT}/2026/report.csv");
    let queue = arn.regional("sqs", "acme-ent-jobs");
    let parameter = arn.regional("ssm", "parameter/acme-ent/partner-api-key");
    vec![
        row(Task("api"), "s3:PutObject", uploads.clone(), Allowed, "store an upload"),
        row(Task("api"), "sqs:SendMessage", queue.clone(), Allowed, "queue a job"),
        row(Task("api"), "sqs:ReceiveMessage", queue.clone(), Denied, "the worker's grant, not the api's"),
        row(Task("worker"), "sqs:ReceiveMessage", queue.clone(), Allowed, "work the queue"),
        row(Task("worker"), "s3:GetObject", uploads.clone(), Allowed, "read an upload"),
        row(Task("worker"), "s3:PutObject", uploads.clone(), Denied, "the api's grant, not the worker's"),
        row(Task("worker"), "s3:GetObject", "arn:aws:s3:::customer-data/report.csv".to_owned(), Denied, "the customer's bucket"),
        row(ProductRole, "ssm:GetParameters", parameter, Allowed, "the parameter the api's tasks start with"),
        row(ProductRole, "ssm:GetParameters", arn.regional("ssm", "parameter/customer/db-password"), Denied, "any other parameter of the customer"),
        row(ProductRole, "sqs:SendMessage", arn.regional("sqs", "customer-orders"), Denied, "a queue no grant names"),
    ]
}

/// The calls of a stack the customer updated with `VendorAccess` = `Disabled`: the vendor
/// starts no session, a session it already holds can do nothing, and CloudFormation still
/// works the product's stacks (nothing the customer runs breaks).
#[rustfmt::skip]
fn disabled_rows(a: &Access) -> Vec<Row> {
    use Expect::{Allowed, Denied};
    use Who::*;
    let arn = Arns { a };
    let root = arn.stack(&format!("{}root", a.prefix()));
    let execution = a.physical("ExecutionRole").1;
    let deployer = a.physical("DeployerRole").1;
    let external_id = a.reference("ExternalId");
    vec![
        row(Vendor, "sts:AssumeRole", deployer.clone(), Denied, "the vendor, with the external id").with("sts:ExternalId", external_id.as_str()),
        row(Deployer, "cloudformation:CreateChangeSet", root.clone(), Denied, "a session opened before: a change set on the root"),
        row(Deployer, "cloudformation:DescribeStacks", root.clone(), Denied, "a session opened before: read the root"),
        row(Deployer, "iam:PassRole", execution.clone(), Denied, "a session opened before: hand over the execution role").with("iam:PassedToService", "cloudformation.amazonaws.com"),
        row(Deployer, "s3:PutObject", arn.artifact("templates/root.json"), Denied, "a session opened before: upload a template"),
        row(CloudFormation, "sts:AssumeRole", execution.clone(), Allowed, "CloudFormation keeps the product's stacks running").with("aws:SourceAccount", ACCOUNT),
    ]
}

// ------------------------------------------------------------------------------------------
// Evaluation.

/// One request of a batch: a row of one access template.
struct Case<'a> {
    access: &'a Access,
    row: &'a Row,
}

impl Case<'_> {
    /// The policy set's name in the batch.
    fn set(&self) -> String {
        format!("{}/{}", self.access.label(), self.row.who.name())
    }

    /// The resource's own policy, by name in the batch: a KMS key answers only to the
    /// principals its key policy lets in, and a role only to those its trust policy names.
    fn resource_policy(&self) -> Option<String> {
        let a = self.access;
        let r = &self.row.resource;
        if *r == a.physical("ArtifactKey").1 {
            return Some(format!("{}/ArtifactKey", a.label()));
        }
        for role in ["DeployerRole", "ExecutionRole"] {
            if *r == a.physical(role).1 && self.row.action.starts_with("sts:") {
                return Some(format!("{}/{role}", a.label()));
            }
        }
        r.starts_with("arn:aws:kms:")
            .then(|| DEFAULT_KEY_POLICY.to_owned())
    }
}

/// The key policy AWS gives a key created without one (the account's IAM policies decide):
/// the one the rows' product and customer keys carry.
const DEFAULT_KEY_POLICY: &str = "default-key-policy";

/// The resource policies cases name: each access template's artifact key policy and role
/// trust policies, and AWS's default key policy.
fn resource_policies(accesses: &[Access]) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for a in accesses {
        let props = |id: &str| &a.resource(id)["Properties"];
        let key = a.resolve(&props("ArtifactKey")["KeyPolicy"]);
        out.insert(format!("{}/ArtifactKey", a.label()), key);
        for role in ["DeployerRole", "ExecutionRole"] {
            let trust = a.resolve(&props(role)["AssumeRolePolicyDocument"]);
            out.insert(format!("{}/{role}", a.label()), trust);
        }
    }
    out.insert(
        DEFAULT_KEY_POLICY.to_owned(),
        json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "EnableIamPolicies", "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
            "Action": "kms:*", "Resource": "*"
        }]}),
    );
    out
}

/// The evaluator's answer to one request.
struct Verdict {
    verdict: String,
    ignored: Vec<String>,
    error: Option<String>,
}

/// Runs one batch in one node process: every case, and `actions` looked up in the IAM data.
/// Returns a verdict per case and the actions the data does not know.
fn evaluate(
    runner: &str,
    accesses: &[Access],
    cases: &[Case<'_>],
    actions: &[String],
) -> (Vec<Verdict>, Vec<String>) {
    let mut principals = serde_json::Map::new();
    for a in accesses {
        for who in Who::ALL.into_iter().chain(tasks(a)) {
            let name = format!("{}/{}", a.label(), who.name());
            principals.insert(name, who.policies(a).to_json());
        }
    }
    let requests: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "principal": c.set(), "arn": c.row.who.arn(c.access), "action": c.row.action,
                "resource": c.row.resource, "account": ACCOUNT, "context": c.row.context,
                "resource_policy": c.resource_policy(),
            })
        })
        .collect();
    let batch = json!({
        "principals": principals, "resource_policies": resource_policies(accesses),
        "requests": requests, "actions": actions,
    });
    let mut child = Command::new("node")
        .arg(runner)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `node {runner}`: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(batch.to_string().as_bytes())
        .expect("batch written");
    let out = child.wait_with_output().expect("node finishes");
    assert!(
        out.status.success(),
        "`node {runner}` failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).expect("runner answers JSON");
    let strings = |v: &Value| -> Vec<String> {
        let list = v.as_array().into_iter().flatten();
        list.filter_map(Value::as_str).map(str::to_owned).collect()
    };
    let verdicts: Vec<Verdict> = answer["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .map(|v| Verdict {
            verdict: v["verdict"].as_str().expect("verdict").to_owned(),
            ignored: strings(&v["ignored_context_keys"]),
            error: v["error"].as_str().map(str::to_owned),
        })
        .collect();
    assert_eq!(verdicts.len(), cases.len(), "one verdict per request");
    (verdicts, strings(&answer["unknown_actions"]))
}

/// Whether `verdict` is what `expect` asks. A request the evaluator could not run, or one whose
/// context keys it ignored (they do not apply to the action: the row tests nothing), never is.
fn meets(expect: Expect, verdict: &Verdict) -> bool {
    if verdict.error.is_some() || !verdict.ignored.is_empty() {
        return false;
    }
    match expect {
        Expect::Allowed | Expect::Gap(_) | Expect::Planted => verdict.verdict == "Allowed",
        Expect::Denied => verdict.verdict.ends_with("Denied"),
    }
}

/// The table as text: one line per call, `!!` before each line that does not meet its row.
fn table(cases: &[Case<'_>], verdicts: &[Verdict]) -> String {
    let mut out = String::new();
    for (c, v) in cases.iter().zip(verdicts) {
        let expect = match c.row.expect {
            Expect::Allowed => "must allow".to_owned(),
            Expect::Denied => "must deny".to_owned(),
            Expect::Gap(how) => format!("KNOWN GAP: {how}"),
            Expect::Planted => "planted: must allow".to_owned(),
        };
        let mark = if meets(c.row.expect, v) { "  " } else { "!!" };
        out.push_str(&format!(
            "{mark} {:<42} {:<38} {:<16} {} {} -- {} [{expect}]\n",
            c.set(),
            c.row.action,
            v.verdict,
            c.row.resource,
            c.row.context,
            c.row.why
        ));
        if let Some(e) = &v.error {
            out.push_str(&format!("     error: {e}\n"));
        }
        if !v.ignored.is_empty() {
            out.push_str(&format!(
                "     context keys that do not apply: {:?}\n",
                v.ignored
            ));
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// The test.

#[test]
fn vendor_roles_can_deploy_the_product_and_nothing_else() {
    let Some(runner) = simulator() else { return };
    let example = |name: &str| crate::root().join("examples").join(name).join("byoa.yaml");
    // acme-api prod with the in-account compliance hook, which only that flag adds.
    let enforced = crate::lint::enforced_acme_api();
    let accesses = vec![
        Access::synth(&example("acme-api"), "dev", false),
        Access::synth(&example("acme-api"), "prod", false),
        Access::synth(&example("acme-50"), "dev", false),
        Access::synth(&example("acme-50"), "prod", false),
        Access::synth(&enforced.path().join("byoa.yaml"), "prod", true),
        Access::synth(&example("acme-api"), "prod", false).disabled(),
        Access::synth(
            &crate::root().join("tests/fixtures/task-permissions/byoa.yaml"),
            "prod",
            false,
        ),
        // The customer's VPC, arm64, task grants and an SSM parameter in one product.
        Access::synth(&example("acme-api-enterprise"), "prod", false),
    ];
    let tables: Vec<Vec<Row>> = accesses
        .iter()
        .map(|a| {
            if a.disabled {
                disabled_rows(a)
            } else if a.product == "acme-ent" {
                // In the customer's VPC byoa builds no network: what builds one is denied.
                let builds_a_vpc = [
                    "the product's network",
                    "route the product's subnets",
                    "associate the product's subnets",
                    "remove the product's network",
                ];
                let mut all: Vec<Row> = rows(a)
                    .into_iter()
                    .map(|mut r| {
                        if builds_a_vpc.contains(&r.why) {
                            r.expect = Expect::Denied;
                        }
                        r
                    })
                    .collect();
                all.extend(enterprise_rows(a));
                all
            } else if a.granting_services().is_empty() {
                rows(a)
            } else {
                task_rows(a)
            }
        })
        .collect();
    let cases: Vec<Case<'_>> = accesses
        .iter()
        .zip(&tables)
        .flat_map(|(access, rows)| rows.iter().map(move |row| Case { access, row }))
        .collect();
    // Every action the vendor roles and the boundary name must exist (wildcards aside).
    let mut actions: Vec<String> = accesses
        .iter()
        .flat_map(|a| {
            let whos = [Who::Deployer, Who::Execution, Who::ProductRole].into_iter();
            whos.chain(tasks(a))
                .map(|w| w.policies(a))
                .collect::<Vec<_>>()
        })
        .flat_map(|set| set.actions())
        .filter(|action| !action.contains('*'))
        .collect();
    actions.sort();
    actions.dedup();

    let (verdicts, unknown) = evaluate(&runner, &accesses, &cases, &actions);
    // `BYOA_ACCESS_TABLE=<file>` keeps the whole table for a reviewer (and a closing note).
    if let Some(path) = std::env::var_os("BYOA_ACCESS_TABLE") {
        std::fs::write(path, table(&cases, &verdicts)).expect("writes the table");
    }
    let failed = cases
        .iter()
        .zip(&verdicts)
        .filter(|(c, v)| !meets(c.row.expect, v))
        .count();
    assert!(
        failed == 0 && unknown.is_empty(),
        "{failed} of {} calls are not as the table expects (marked !!); \
         actions the IAM data does not know: {unknown:?}\n{}",
        cases.len(),
        table(&cases, &verdicts)
    );
    // Each planted breakage must be watched: a row asks the same call of the real policies and
    // expects a deny, so a real access stack without that guard would fail the table.
    for planted in cases.iter().filter(|c| c.row.expect == Expect::Planted) {
        let watched = cases.iter().any(|c| {
            c.row.expect == Expect::Denied
                && std::ptr::eq(c.access, planted.access)
                && (c.row.action, &c.row.resource, &c.row.context)
                    == (
                        planted.row.action,
                        &planted.row.resource,
                        &planted.row.context,
                    )
        });
        assert!(
            watched,
            "{}: no row expects `{}` on {} to be denied",
            planted.set(),
            planted.row.action,
            planted.row.resource
        );
    }
}
