//! Access module: `Model` -> the access stack's template, the one the customer launches first.
//!
//! Like the CDK bootstrap stack, it is launched by hand from the CloudFormation console (a
//! quick-create link prefills `ExternalId`) and takes no input from other stacks. It creates:
//! - `DeployerRole`, which the vendor assumes: the one vendor role the spec names
//!   (`access.vendor_role_arn`; the whole vendor account only when the spec says
//!   `trust_whole_account`, with a warning), `sts:ExternalId` always, MFA and source CIDRs when
//!   the spec asks. It can drive
//!   CloudFormation change sets on the product's stacks only, pass `ExecutionRole` to
//!   CloudFormation and nothing else, upload templates to `ArtifactBucket`, push images to the
//!   product's repositories, restart the product's services and read the product's logs.
//! - `ExecutionRole`, which only CloudFormation can assume: it creates the product's resources.
//!   Its permissions are a foundation every product needs (`execution`) plus what the other
//!   modules declare in their `Needs` (no RDS actions for a product without a database, ...);
//!   this module lists no other module's resources. They use exact action lists (never `*` or
//!   `service:*`), name-scope what CloudFormation names with the stack name
//!   (`<product>-<environment>-...`: roles, buckets, log groups, repositories, stacks, topics,
//!   trails, databases, clusters and services, alarms, rules), tag-scope what AWS names by id
//!   (keys; routes, associations, ingress and deletions of network resources), and leave out
//!   the calls that would
//!   destroy retained data or the audit trail (`DeleteBucket`, `ScheduleKeyDeletion`,
//!   `DeleteLogGroup`, `DeleteRepository`, `StopLogging`, `DeleteTrail`). It creates a role, or
//!   adds a policy to one, only when the role carries `PermissionsBoundary`
//!   (`iam:PermissionsBoundary`), attaches only the AWS managed policies the modules declare
//!   (`iam:PolicyARN`), and manages no IAM policy.
//! - `PermissionsBoundary`, a managed policy at a fixed ARN (`policy/byoa/<product>-<env>-boundary`)
//!   that every role of the product's stacks carries: it allows only the actions the modules
//!   declare their roles use, on the product's own resources (and keys with its tags), and
//!   denies all of IAM, this stack's bucket and key, and stopping, deleting or reconfiguring a
//!   trail, so no product role can be made an administrator or read the customer's data.
//! - `ArtifactBucket` (KMS-encrypted with `ArtifactKey`, versioned, private, TLS only) for the
//!   nested and large templates the vendor uploads.
//! - When the spec sets `monitoring.audit_trail`: the audit trail (`trail`), which records what
//!   the vendor does and so is the customer's. No vendor role and no product role may change,
//!   stop, read or delete it, its bucket, key or log group (`NeverTouchAuditTrail`).
//! - When the spec sets `compliance.enforce_in_account`: a CloudFormation Guard hook
//!   (`GuardHook`) that evaluates byoa's compliance rules against every create and update of the
//!   product's stacks and blocks the non-compliant ones, its role (`GuardHookRole`: reads the one
//!   rule file, writes reports) and its report bucket (`GuardHookLogBucket`). The customer
//!   switches it on with the `EnforceCompliance` parameter once the rule file is in place.
//!
//! Invariant: the vendor can act on the account only through CloudFormation on the product's
//! stacks, with `ExecutionRole`; a guardrail policy stops `ExecutionRole` from changing this
//! stack's roles, policies (the boundary included), bucket or key, from removing a boundary and
//! from adding to a role without one, so no product template can widen the vendor's access or
//! create a role that does more than the boundary allows. What still reaches past the
//! product's own resources is listed, with the reason, by the evaluator table
//! (`tests/cli/access_eval.rs`, rows marked `Gap`): creating resources (AWS cannot scope a
//! create by tags CloudFormation adds later), what another spec's environment whose name starts
//! with this one's did not tag (its byoa-tagged stacks and roles are denied:
//! `NeverTouchOtherEnvironments`) and its buckets, and a product role's trust (IAM has no
//! condition on a trust policy's content).
//! Neither role can change, deactivate or reconfigure the compliance hook, its role or its
//! reports: the hook is the customer's control.

mod denies;
mod execution;
mod hook;
pub mod revoke;
mod trail;

pub use execution::RESOURCE_ACTIONS;

use denies::{never_touch_other_environments, never_untag_the_product};
use hook::{ENFORCED, compliance_hook, hook_denies, rule_file_uri};
#[cfg(test)]
use hook::{HOOK_ADMIN_ACTIONS, PINNED};

use serde_json::{Value, json};

use crate::cfn::func::{get_att, r#ref, sub};
use crate::cfn::{Parameter, Resource, Template};
use crate::modules::needs::{Decides, Needs, Part};
use crate::modules::scanners;
use crate::modules::secure::{self, document};
use crate::naming;
use crate::spec::Model;

pub const MODULE: &str = crate::naming::ACCESS;

const GROUP_ACCESS: &str = "Vendor access";

/// AWS's constraint on `sts:ExternalId` (length 2 to 1224).
const EXTERNAL_ID_PATTERN: &str = r"[\w+=,.@:/-]*";

/// Compiles the access stack; `needs` are the aggregated needs of every other module.
pub fn build(model: &Model, needs: &Needs) -> Template {
    let mut t = Template::new(
        format!(
            "{} ({}) vendor access: the deployer role the vendor assumes, the execution role CloudFormation uses, the template bucket and the audit trail. Launch this stack first. Generated by byoa.",
            model.product, model.environment
        ),
        model.tags_for(MODULE),
    );
    let mut external_id = Parameter::new(
        "String",
        GROUP_ACCESS,
        "External ID",
        "The external ID the vendor gave you. The vendor must present it to assume the deployer role. It is not a secret (AWS does not treat external IDs as secrets), which is why it is shown and can be prefilled by a quick-create link.",
    )
    .pattern(
        EXTERNAL_ID_PATTERN,
        "2 to 1224 characters: letters, digits, _ + = , . @ : / -",
    );
    external_id.min_length = Some(2);
    external_id.max_length = Some(1224);
    t.add_parameter("ExternalId", external_id);
    revoke::switch(&mut t, GROUP_ACCESS);

    artifact_store(&mut t);
    if model.monitoring.audit_trail {
        let since = t.resources.len();
        trail::build(&mut t);
        t.trace_resources_since(since, &["monitoring.audit_trail"]);
    }
    permissions_boundary(&mut t, model, needs);
    execution_role(&mut t, model, needs);
    deployer_role(&mut t, model);
    if model.compliance.enforce_in_account {
        let since = t.resources.len();
        compliance_hook(&mut t, model);
        t.trace_resources_since(since, &["compliance.enforce_in_account"]);
    }
    access_log_delivery(&mut t);
    // The trail's bucket is one of the buckets whose logs the policy admits.
    t.trace(
        "ServerAccessLogBucketPolicy",
        "PolicyDocument",
        ["monitoring.audit_trail"],
    );
    if model.compliance.enforce_in_account {
        // The hook's report bucket is one of the buckets whose logs the policy admits.
        t.trace(
            "ServerAccessLogBucketPolicy",
            "PolicyDocument",
            ["compliance.enforce_in_account"],
        );
    }
    outputs(&mut t, model);
    t
}

/// `<product>-<environment>-`: every stack byoa deploys is named `<prefix><module>`, and every
/// resource name CloudFormation generates starts with its stack name.
fn prefix(model: &Model) -> String {
    naming::stack_prefix(&model.product, &model.environment)
}

/// The ARN of the permissions boundary every role of the product's stacks carries (see
/// `permissions_boundary`). Its path and name are fixed, so a product template names it with
/// `Fn::Sub` instead of taking it from this stack: no parameter to wire, and a product template
/// that names any other boundary cannot create its role (the execution role requires this one).
pub fn boundary_arn(model: &Model) -> Value {
    arn(&format!(
        "iam::${{AWS::AccountId}}:policy{}{}",
        naming::BOUNDARY_PATH,
        naming::boundary_policy(&model.product, &model.environment)
    ))
}

/// `arn:${AWS::Partition}:<rest>` as a `Fn::Sub`.
fn arn(rest: &str) -> Value {
    sub(&format!("arn:${{AWS::Partition}}:{rest}"))
}

/// An `Allow` statement.
fn allow(sid: &str, actions: &[&str], resource: Value) -> Value {
    json!({"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource})
}

/// An `Allow` statement with a condition.
fn allow_if(sid: &str, actions: &[&str], resource: Value, condition: Value) -> Value {
    json!({"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource, "Condition": condition})
}

fn artifact_store(t: &mut Template) {
    // Only the account administers the key; the roles get `Decrypt`/`GenerateDataKey` through
    // their IAM policies, through S3 only (`kms:ViaService`). Granting them in the key policy
    // would make the key depend on the roles and the roles on the key.
    t.add_resource(
        "ArtifactKey",
        secure::customer_key(
            sub("Encrypts the templates in the artifact bucket of ${AWS::StackName}"),
            vec![],
        ),
        None,
    );
    t.add_resource(
        "ArtifactBucket",
        secure::private_bucket(
            secure::sse_kms("ArtifactKey"),
            json!({
                "Id": "expire-old-template-versions",
                "Status": "Enabled",
                "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            }),
        ),
        None,
    );
    t.add_resource(
        ACCESS_LOG_BUCKET,
        secure::private_bucket(
            // S3 server access log delivery writes only to a destination bucket whose default
            // encryption is SSE-S3: the S3 User Guide ("Enabling Amazon S3 server access
            // logging") states SSE-KMS default encryption is not supported there.
            secure::sse_s3(),
            json!({
                "Id": "expire-access-logs",
                "Status": "Enabled",
                "ExpirationInDays": 365,
                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            }),
        ),
        None,
    );
    if let Some(bucket) = t.resources.get_mut(ACCESS_LOG_BUCKET) {
        // byoa's S3_BUCKET_LOGGING_ENABLED exempts a bucket the template's buckets log into;
        // checkov's check knows no such exemption.
        scanners::suppress(
            bucket,
            "S3_BUCKET_LOGGING_ENABLED",
            scanners::Ids {
                guard: &[],
                ..scanners::ACCESS_LOGGING
            },
            "the server access log destination: logging its own requests into itself would loop",
        );
        scanners::suppress(
            bucket,
            "S3_DEFAULT_ENCRYPTION_KMS",
            scanners::Ids {
                guard: &["S3_DEFAULT_ENCRYPTION_KMS"],
                checkov: &[],
                cfn_lint: &[],
            },
            "S3 server access log delivery supports only SSE-S3 (AES256) on the destination bucket",
        );
    }
    if let Some(bucket) = t.resources.get_mut("ArtifactBucket") {
        bucket.properties["LoggingConfiguration"] = server_access_logs("ArtifactBucket");
    }
    t.add_resource(
        "ArtifactBucketPolicy",
        Resource::new(
            "AWS::S3::BucketPolicy",
            json!({
                "Bucket": r#ref("ArtifactBucket"),
                "PolicyDocument": document(vec![secure::deny_insecure_transport("ArtifactBucket")]),
            }),
        ),
        None,
    );
}

/// The access stack's bucket for S3 server access logs (customer-owned, retained).
pub const ACCESS_LOG_BUCKET: &str = "ServerAccessLogBucket";

/// `LoggingConfiguration` of an access-stack bucket `bucket` (a logical id): its server access
/// logs go to `ACCESS_LOG_BUCKET` under `<bucket>/`. The log bucket's policy admits S3 log
/// delivery for every bucket of the stack configured so (`access_log_delivery`).
pub fn server_access_logs(bucket: &str) -> Value {
    json!({"DestinationBucketName": r#ref(ACCESS_LOG_BUCKET), "LogFilePrefix": format!("{bucket}/")})
}

/// The log bucket's policy: S3 log delivery (`logging.s3.amazonaws.com`) may put objects for
/// this account's buckets that log there (`aws:SourceAccount`, `aws:SourceArn`, the confused
/// deputy guard S3 documents), and nothing reaches it without TLS. Built last, from the
/// buckets' own `LoggingConfiguration`, so a bucket pointed at the log bucket is admitted.
fn access_log_delivery(t: &mut Template) {
    let sources: Vec<Value> = t
        .resources
        .iter()
        .filter(|(_, r)| {
            r.kind == "AWS::S3::Bucket"
                && r.properties["LoggingConfiguration"]["DestinationBucketName"]
                    == r#ref(ACCESS_LOG_BUCKET)
        })
        .map(|(id, _)| get_att(id, "Arn"))
        .collect();
    t.add_resource(
        "ServerAccessLogBucketPolicy",
        Resource::new(
            "AWS::S3::BucketPolicy",
            json!({
                "Bucket": r#ref(ACCESS_LOG_BUCKET),
                "PolicyDocument": document(vec![
                    json!({
                        "Sid": "S3ServerAccessLogDelivery",
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": sub(&format!("${{{ACCESS_LOG_BUCKET}.Arn}}/*")),
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": r#ref("AWS::AccountId")},
                            "ArnEquals": {"aws:SourceArn": sources},
                        },
                    }),
                    secure::deny_insecure_transport(ACCESS_LOG_BUCKET),
                ]),
            }),
        ),
        None,
    );
}

/// The permissions boundary of every role the product's stacks create: the most those roles can
/// ever do, whatever a product template grants them. It allows the actions the modules declare
/// their roles need (`Needs::role_actions`; each role's own policy scopes them to its
/// resources) and denies, whatever is allowed: all of IAM (no product role manages identities,
/// so none can create a role, a user, a group or a policy, pass a role, or change or remove a
/// permissions boundary), this stack's bucket and key (its roles are IAM, denied already), and
/// stopping, deleting or reconfiguring a CloudTrail trail.
fn permissions_boundary(t: &mut Template, model: &Model, needs: &Needs) {
    let mut statements = what_product_roles_do(model, needs);
    // The spec's task grants, each as its own statement: exactly what those grants need.
    statements.extend(needs.task_statements.iter().map(|t| t.statement.clone()));
    let mut vendor_access = vec![
        get_att("ArtifactBucket", "Arn"),
        sub("${ArtifactBucket.Arn}/*"),
        get_att("ArtifactKey", "Arn"),
        get_att(ACCESS_LOG_BUCKET, "Arn"),
        sub(&format!("${{{ACCESS_LOG_BUCKET}.Arn}}/*")),
    ];
    if model.compliance.enforce_in_account {
        vendor_access.extend([
            get_att("GuardHookLogBucket", "Arn"),
            sub("${GuardHookLogBucket.Arn}/*"),
        ]);
    }
    statements.extend([
        json!({
            "Sid": "NeverUseIam",
            "Effect": "Deny",
            "Action": "iam:*",
            "Resource": "*",
        }),
        json!({
            "Sid": "NeverTouchVendorAccess",
            "Effect": "Deny",
            "Action": ["s3:*", "kms:*"],
            "Resource": vendor_access,
        }),
        never_change_trails(),
    ]);
    if model.monitoring.audit_trail {
        statements.push(trail::deny());
    }
    t.add_resource(
        "PermissionsBoundary",
        Resource::new(
            "AWS::IAM::ManagedPolicy",
            json!({
                "ManagedPolicyName": naming::boundary_policy(&model.product, &model.environment),
                "Path": naming::BOUNDARY_PATH,
                "Description": format!("Permissions boundary of every role the stacks of {} ({}) create", model.product, model.environment),
                "PolicyDocument": document(statements),
            }),
        ),
        None,
    );
    if !needs.task_statements.is_empty() {
        // Why each task grant exists, beside its statement id: the access page shows it.
        let reasons: Vec<Value> = needs
            .task_statements
            .iter()
            .map(|t| {
                let mut note = json!({"Sid": t.statement["Sid"], "Service": t.service});
                if let Some(reason) = &t.reason {
                    note["Reason"] = json!(reason);
                }
                note
            })
            .collect();
        let boundary = t
            .resources
            .get_mut("PermissionsBoundary")
            .expect("added above");
        boundary.metadata = Some(json!({"byoa": {"TaskPermissions": reasons}}));
    }
    t.trace(
        "PermissionsBoundary",
        "PolicyDocument",
        [
            "compliance.enforce_in_account",
            "monitoring.audit_trail",
            "product.name",
        ],
    );
    t.trace(
        "PermissionsBoundary",
        "PolicyDocument",
        needs.fields_deciding(Decides::Roles),
    );
    t.trace("PermissionsBoundary", "ManagedPolicyName", ["product.name"]);
    t.trace("PermissionsBoundary", "Description", ["product.name"]);
}

/// What the boundary allows: the actions the modules declare their roles use, on the product's
/// resources only, so a role a product template creates (whatever its own policy says, whoever
/// its trust names) reads no customer secret, log or image and decrypts with no customer key:
/// the product's log groups, repositories and RDS-managed secrets (named after the product's
/// stacks), the resources the modules declare (`Needs::role_resources`), keys that carry the
/// product's tags, and `ecr:GetAuthorizationToken`, which has no resource.
fn what_product_roles_do(model: &Model, needs: &Needs) -> Vec<Value> {
    let p = prefix(model);
    let (mut token, mut decrypt, mut rest) = (vec![], vec![], vec![]);
    for action in &needs.role_actions {
        match *action {
            "ecr:GetAuthorizationToken" => token.push(*action),
            "kms:Decrypt" => decrypt.push(*action),
            _ => rest.push(*action),
        }
    }
    let mut statements = vec![];
    if !rest.is_empty() {
        rest.sort_unstable();
        // One list for every action: an action applies only to its own service's resources.
        let mut resources: Vec<Value> = [
            "logs:${AWS::Region}:${AWS::AccountId}:log-group:{prefix}*",
            "logs:${AWS::Region}:${AWS::AccountId}:log-group:{prefix}*:log-stream:*",
            "ecr:${AWS::Region}:${AWS::AccountId}:repository/{prefix}*",
            "secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:rds!*",
        ]
        .iter()
        .map(|pattern| arn(&pattern.replace("{prefix}", &p)))
        .collect();
        resources.extend(needs.role_resources.iter().cloned());
        statements.push(allow("WhatProductRolesDo", &rest, Value::Array(resources)));
    }
    if !token.is_empty() {
        // No resource-level permission exists for it; the token alone reads nothing.
        statements.push(allow("GetRegistryToken", &token, json!("*")));
    }
    if !decrypt.is_empty() {
        statements.push(allow_if(
            "DecryptWithProductKeys",
            &decrypt,
            arn("kms:${AWS::Region}:${AWS::AccountId}:key/*"),
            json!({"StringEquals": execution::product_tags(model)}),
        ));
    }
    statements
}

/// Denies stopping, removing or reconfiguring any trail: the product's (see `trail::deny`) and
/// the customer's own. Creating one stays possible only where a policy allows it (none does).
fn never_change_trails() -> Value {
    json!({
        "Sid": "NeverChangeAuditTrails",
        "Effect": "Deny",
        "Action": TRAIL_CHANGES,
        "Resource": "*",
    })
}

/// The CloudTrail calls that stop, remove or reconfigure a trail.
const TRAIL_CHANGES: &[&str] = &[
    "cloudtrail:DeleteTrail",
    "cloudtrail:PutEventSelectors",
    "cloudtrail:PutInsightSelectors",
    "cloudtrail:RemoveTags",
    "cloudtrail:StopLogging",
    "cloudtrail:UpdateTrail",
];

/// Reading templates from the artifact bucket: the deployer when it creates change sets,
/// CloudFormation (as the execution role) when it creates nested stacks.
fn read_artifacts() -> Vec<Value> {
    vec![
        allow(
            "ReadTemplates",
            &["s3:GetObject", "s3:GetObjectVersion"],
            sub("${ArtifactBucket.Arn}/*"),
        ),
        allow_if(
            "DecryptTemplates",
            &["kms:Decrypt"],
            get_att("ArtifactKey", "Arn"),
            json!({"StringEquals": {"kms:ViaService": sub("s3.${AWS::Region}.amazonaws.com")}}),
        ),
    ]
}

fn deployer_role(t: &mut Template, model: &Model) {
    let p = prefix(model);
    let access = &model.access;
    let principal = match &access.vendor_role_arn {
        Some(role) => json!(role),
        None => arn(&format!("iam::{}:root", model.vendor_account_id)),
    };
    let mut condition = json!({"StringEquals": {"sts:ExternalId": r#ref("ExternalId")}});
    if access.require_mfa {
        condition["Bool"] = json!({"aws:MultiFactorAuthPresent": "true"});
    }
    if !access.source_cidrs.is_empty() {
        condition["IpAddress"] = json!({"aws:SourceIp": access.source_cidrs});
    }
    let product_stacks = arn(&format!(
        "cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{p}*/*"
    ));
    let mut statements = vec![
        // Another spec's environment can share the prefix (`prod` and `prod-eu`): its stacks
        // carry its own environment tag.
        allow_if(
            "DriveProductStacks",
            &[
                "cloudformation:CreateChangeSet",
                "cloudformation:DescribeChangeSet",
                "cloudformation:ExecuteChangeSet",
                "cloudformation:DeleteChangeSet",
                "cloudformation:ListChangeSets",
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
                "cloudformation:ContinueUpdateRollback",
                "cloudformation:RollbackStack",
                "cloudformation:CancelUpdateStack",
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeStackEvents",
                "cloudformation:DescribeStackResource",
                "cloudformation:DescribeStackResources",
                "cloudformation:ListStackResources",
                "cloudformation:GetTemplate",
                "cloudformation:DetectStackDrift",
                "cloudformation:DescribeStackResourceDrifts",
                "cloudformation:TagResource",
                "cloudformation:UntagResource",
            ],
            product_stacks,
            execution::owned(model),
        ),
        // These CloudFormation calls do not support resource-level permissions, so their
        // resource must be `*`. All of them only read or validate: none changes a stack.
        allow(
            "ValidateAndList",
            &[
                "cloudformation:ValidateTemplate",
                "cloudformation:GetTemplateSummary",
                "cloudformation:ListStacks",
                "cloudformation:DescribeStackDriftDetectionStatus",
            ],
            json!("*"),
        ),
        // The vendor may only pass the execution role, and only to CloudFormation: every
        // resource change in the account is made by CloudFormation with that role.
        allow_if(
            "PassExecutionRoleToCloudFormation",
            &["iam:PassRole"],
            get_att("ExecutionRole", "Arn"),
            json!({"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}),
        ),
        allow(
            "ListArtifacts",
            &["s3:ListBucket", "s3:GetBucketLocation"],
            get_att("ArtifactBucket", "Arn"),
        ),
        allow(
            "UploadTemplates",
            &["s3:PutObject"],
            sub("${ArtifactBucket.Arn}/*"),
        ),
        allow_if(
            "EncryptTemplates",
            &["kms:GenerateDataKey"],
            get_att("ArtifactKey", "Arn"),
            json!({"StringEquals": {"kms:ViaService": sub("s3.${AWS::Region}.amazonaws.com")}}),
        ),
    ];
    statements.extend(read_artifacts());
    if !model.services.is_empty() {
        statements.extend([
            allow(
                "RestartProductServices",
                &["ecs:UpdateService", "ecs:DescribeServices"],
                arn(&format!(
                    "ecs:${{AWS::Region}}:${{AWS::AccountId}}:service/{p}*/*"
                )),
            ),
            // `byoa deploy` shows why a rollout's tasks stopped. DescribeTasks takes the
            // product's task ARNs; ListTasks has no task resource (the service authorization
            // reference lists `container-instance` only) and is limited by `ecs:cluster`.
            allow(
                "ReadProductTasks",
                &["ecs:DescribeTasks"],
                arn(&format!(
                    "ecs:${{AWS::Region}}:${{AWS::AccountId}}:task/{p}*/*"
                )),
            ),
            allow_if(
                "ListProductTasks",
                &["ecs:ListTasks"],
                json!("*"),
                json!({"ArnLike": {"ecs:cluster": arn(&format!(
                    "ecs:${{AWS::Region}}:${{AWS::AccountId}}:cluster/{p}*"
                ))}}),
            ),
            // Documented exception: GetAuthorizationToken has no resource; the token alone
            // grants nothing, the repository statements below decide what may be pushed.
            allow("EcrLogin", &["ecr:GetAuthorizationToken"], json!("*")),
            allow(
                "PushProductImages",
                &[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:InitiateLayerUpload",
                    "ecr:UploadLayerPart",
                    "ecr:CompleteLayerUpload",
                    "ecr:PutImage",
                    "ecr:DescribeImages",
                    "ecr:DescribeRepositories",
                ],
                arn(&format!(
                    "ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{p}*"
                )),
            ),
        ]);
    }
    statements.push(allow(
        "ReadProductLogs",
        &[
            "logs:FilterLogEvents",
            "logs:GetLogEvents",
            "logs:DescribeLogStreams",
        ],
        arn(&format!(
            "logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{p}*"
        )),
    ));
    // When the customer names this stack with the product prefix, the statements above would
    // cover it too: the vendor must never change the stack that defines its own access.
    statements.push(json!({
        "Sid": "NeverChangeThisStack",
        "Effect": "Deny",
        "Action": [
            "cloudformation:CreateChangeSet",
            "cloudformation:ExecuteChangeSet",
            "cloudformation:UpdateStack",
            "cloudformation:ContinueUpdateRollback",
            "cloudformation:RollbackStack",
            "cloudformation:CancelUpdateStack",
            "cloudformation:TagResource",
            "cloudformation:UntagResource",
        ],
        "Resource": sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*"),
    }));
    if model.monitoring.audit_trail {
        // `ReadProductLogs` names `<prefix>*`, which the trail's log group matches when the
        // customer names this stack with the product's prefix.
        statements.push(trail::deny());
    }
    if model.compliance.enforce_in_account {
        // Nothing above grants these; the explicit denies keep it so if the customer ever
        // attaches a broader policy to this role.
        statements.extend(hook_denies());
        statements.push(json!({
            "Sid": "NeverUseComplianceHookRole",
            "Effect": "Deny",
            "Action": "iam:*",
            "Resource": get_att("GuardHookRole", "Arn"),
        }));
    }

    t.add_resource(
        "DeployerRole",
        Resource::new(
            "AWS::IAM::Role",
            json!({
                "Description": format!("Assumed by the vendor of {} to deploy it with CloudFormation change sets", model.product),
                "RoleName": naming::deployer_role(&model.product, &model.environment),
                "Path": naming::BOUNDARY_PATH,
                "MaxSessionDuration": u32::from(access.max_session_hours) * 3600,
                "AssumeRolePolicyDocument": document(revoke::trust(json!({
                    "Sid": "VendorAssumesWithExternalId",
                    "Effect": "Allow",
                    "Principal": {"AWS": principal},
                    "Action": "sts:AssumeRole",
                    "Condition": condition,
                }))),
                "Policies": [{
                    "PolicyName": "deploy-with-cloudformation",
                    "PolicyDocument": document(statements),
                }],
            }),
        ),
        None,
    );
    revoke::deny_all(t, "DeployerRole");
    // Who may assume the role, and from where: the vendor's account or role, MFA, addresses.
    t.trace(
        "DeployerRole",
        "AssumeRolePolicyDocument",
        [
            "product.vendor_account_id",
            "access.vendor_role_arn",
            "access.trust_whole_account",
            "access.require_mfa",
            "access.source_cidrs",
        ],
    );
    t.trace(
        "DeployerRole",
        "MaxSessionDuration",
        ["access.max_session_hours"],
    );
    t.trace(
        "DeployerRole",
        "Policies",
        [
            "compliance.enforce_in_account",
            "monitoring.audit_trail",
            "product.name",
        ],
    );
    t.trace("DeployerRole", "Description", ["product.name"]);
    t.trace("DeployerRole", "RoleName", ["product.name"]);
}

fn execution_role(t: &mut Template, model: &Model, needs: &Needs) {
    // The split: the vendor (DeployerRole) can only drive CloudFormation on the product's
    // stacks; CloudFormation acts with this role, which nobody else can assume. Its policies
    // are managed policies (each at most 6,144 characters; a role's inline policies share
    // 10,240) attached from the policy side, so the guardrail can name this role's own ARN.
    t.add_resource(
        "ExecutionRole",
        Resource::new(
            "AWS::IAM::Role",
            json!({
                "Description": format!("Used by CloudFormation to create the resources of {} ({})", model.product, model.environment),
                "AssumeRolePolicyDocument": document(vec![json!({
                    "Sid": "CloudFormationOfThisAccount",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudformation.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": r#ref("AWS::AccountId")}},
                })]),
            }),
        ),
        None,
    );
    for (part, id, description) in [
        (
            Part::Network,
            "ExecutionNetworkPolicy",
            "Network resources of the product: VPC, subnets, routes, security groups, load balancer",
        ),
        (
            Part::Data,
            "ExecutionDataPolicy",
            "Data resources of the product: keys, log groups, buckets, database, secrets",
        ),
        (
            Part::Compute,
            "ExecutionComputePolicy",
            "Compute and identity resources of the product: roles, containers, scaling, discovery, nested stacks",
        ),
        (
            Part::Monitoring,
            "ExecutionMonitoringPolicy",
            "Monitoring resources of the product: alarms, topic, dashboard, rules",
        ),
    ] {
        // What every product needs first, then what its modules declared, in aggregation order.
        let mut statements = execution::foundation(model, needs, part);
        statements.extend(
            needs
                .grants_of(part)
                .map(|g| execution::statement(g, model)),
        );
        if statements.is_empty() {
            continue;
        }
        let waiver = execution::waivers(part, &statements);
        let mut policy = Resource::new(
            "AWS::IAM::ManagedPolicy",
            json!({
                "Description": description,
                "Roles": [r#ref("ExecutionRole")],
                "PolicyDocument": document(statements),
            }),
        );
        policy.metadata = waiver;
        t.add_resource(id, policy, None);
        t.trace(
            id,
            "PolicyDocument",
            needs.fields_deciding(Decides::Grants(part)),
        );
        if part == Part::Compute {
            t.trace(id, "PolicyDocument", needs.fields_deciding(Decides::Roles));
        }
        // Names the policy's resources with the product prefix.
        t.trace(id, "PolicyDocument", ["product.name"]);
    }
    guardrail(t, model);
    t.trace(
        "ExecutionGuardrailPolicy",
        "PolicyDocument",
        [
            "compliance.enforce_in_account",
            "monitoring.audit_trail",
            "product.name",
        ],
    );
    t.trace("ExecutionRole", "Description", ["product.name"]);
}

/// Stops the execution role from changing what this stack set up: its roles and policies, its
/// bucket and key, the audit trail, the compliance hook (when enforced) and the stack itself. Without it, a product
/// template could give the vendor any permission of the execution role through a role named with
/// the product prefix (the access stack's own roles and buckets carry that prefix too when the
/// customer names the stack `<product>-<environment>-access`).
fn guardrail(t: &mut Template, model: &Model) {
    let hook = model.compliance.enforce_in_account;
    let boundary = boundary_arn(model);
    let mut policies = vec![];
    for id in [
        "ExecutionNetworkPolicy",
        "ExecutionDataPolicy",
        "ExecutionComputePolicy",
        "ExecutionMonitoringPolicy",
    ] {
        if t.resources.contains_key(id) {
            policies.push(r#ref(id));
        }
    }
    let mut iam_resources = vec![
        get_att("DeployerRole", "Arn"),
        get_att("ExecutionRole", "Arn"),
        r#ref("PermissionsBoundary"),
    ];
    iam_resources.extend(policies);
    if hook {
        iam_resources.push(get_att("GuardHookRole", "Arn"));
    }
    let mut statements = vec![
        json!({
            "Sid": "NeverChangeAccessRoles",
            "Effect": "Deny",
            "Action": "iam:*",
            "Resource": iam_resources,
        }),
        // A bounded role stays bounded: nothing may remove a boundary, and whatever else the
        // customer attaches to this role, it cannot add permissions to a role without this
        // stack's boundary.
        json!({
            "Sid": "NeverRemoveBoundaries",
            "Effect": "Deny",
            "Action": "iam:DeleteRolePermissionsBoundary",
            "Resource": "*",
        }),
        json!({
            "Sid": "NeverGrowUnboundedRoles",
            "Effect": "Deny",
            "Action": execution::BOUNDED_ROLE_GROWTH,
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": boundary}},
        }),
        json!({
            "Sid": "NeverChangeArtifactStore",
            "Effect": "Deny",
            "NotAction": ["s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt"],
            "Resource": [
                get_att("ArtifactBucket", "Arn"),
                sub("${ArtifactBucket.Arn}/*"),
                get_att("ArtifactKey", "Arn"),
            ],
        }),
        // The server access logs are the customer's record of who touched the buckets.
        json!({
            "Sid": "NeverChangeAccessLogs",
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": [
                get_att(ACCESS_LOG_BUCKET, "Arn"),
                sub(&format!("${{{ACCESS_LOG_BUCKET}.Arn}}/*")),
            ],
        }),
        json!({
            "Sid": "NeverChangeAccessStack",
            "Effect": "Deny",
            "Action": [
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
                "cloudformation:DeleteStack",
                "cloudformation:SetStackPolicy",
            ],
            "Resource": sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*"),
        }),
    ];
    statements.push(never_change_trails());
    statements.extend(never_touch_other_environments(model));
    statements.push(never_untag_the_product());
    if model.monitoring.audit_trail {
        statements.push(trail::deny());
    }
    if hook {
        statements.extend(hook_denies());
    }
    t.add_resource(
        "ExecutionGuardrailPolicy",
        Resource::new(
            "AWS::IAM::RolePolicy",
            json!({
                "RoleName": r#ref("ExecutionRole"),
                "PolicyName": "never-change-vendor-access",
                "PolicyDocument": document(statements),
            }),
        ),
        None,
    );
}

fn outputs(t: &mut Template, model: &Model) {
    t.add_output(
        "DeployerRoleArn",
        "ARN of the role the vendor assumes (with the external ID) to deploy the product",
        get_att("DeployerRole", "Arn"),
    );
    t.add_output(
        "ExecutionRoleArn",
        "ARN of the role CloudFormation uses to create the product's resources; pass it as the change sets' role",
        get_att("ExecutionRole", "Arn"),
    );
    t.add_output(
        "PermissionsBoundaryArn",
        "ARN of the permissions boundary every role of the product's stacks must carry",
        r#ref("PermissionsBoundary"),
    );
    t.add_output(
        "ArtifactBucketName",
        "Bucket the vendor uploads nested and large templates to",
        r#ref("ArtifactBucket"),
    );
    t.add_output(
        "ProductStackPrefix",
        "The vendor may deploy only stacks whose names start with this prefix",
        json!(prefix(model)),
    );
    if model.monitoring.audit_trail {
        t.add_output(
            "TrailArn",
            "ARN of the multi-region CloudTrail trail that records what the vendor does",
            get_att("Trail", "Arn"),
        );
        t.add_output(
            "TrailBucketName",
            "Bucket holding the CloudTrail log and digest files",
            r#ref("TrailBucket"),
        );
    }
    if model.compliance.enforce_in_account {
        t.add_output(
            "RuleFileS3Uri",
            "Where the vendor uploads the compliance rule file the Guard hook evaluates (byoa uploads it with every deployment); set EnforceCompliance to true once it exists",
            rule_file_uri(),
        );
        t.add_output(
            "GuardHookArn",
            "ARN of the CloudFormation Guard hook that refuses non-compliant changes to the product's stacks",
            get_att("GuardHook", "HookArn"),
        );
        if let Some(o) = t.outputs.get_mut("GuardHookArn") {
            o.condition = Some(ENFORCED.to_owned());
        }
        t.add_output(
            "GuardHookLogBucketName",
            "Bucket the Guard hook writes its evaluation reports to",
            r#ref("GuardHookLogBucket"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfn::check::dangling_references;
    use crate::cfn::func::{equals, if_, no_value};
    use crate::naming::RULE_FILE_KEY;
    use std::path::Path;

    const SPEC: &str = r#"
product: {name: acme-api, vendor_account_id: "111111111111"}
region: us-east-1
network: {az_count: 2, load_balancer: {access_logs: true}}
database: {read_replicas: 1}
services:
  - {name: api, port: 8080, expose: {paths: ["/*"]}, discovery: true}
  - {name: worker}
access:
  vendor_role_arn: arn:aws:iam::111111111111:role/byoa-deploy
  require_mfa: true
  source_cidrs: [203.0.113.0/24, 198.51.100.7/32]
  max_session_hours: 4
environments: {prod: {}}
"#;

    const PLAIN: &str = r#"
product: {name: acme-api, vendor_account_id: "111111111111"}
region: us-east-1
network: {az_count: 2, load_balancer: {enabled: false}, flow_logs: {enabled: false}}
access:
  vendor_role_arn: arn:aws:iam::111111111111:role/deployer
monitoring: {audit_trail: false, dashboard: false}
"#;

    fn build_from(text: &str, env: Option<&str>) -> Value {
        let loaded = crate::spec::load_str(Path::new("byoa.yaml"), text, env, &Default::default())
            .expect("valid spec");
        // With the needs of the spec's modules, as `byoa synth` builds it.
        let t = crate::modules::build_all(&loaded.model, "yaml")
            .expect("builds")
            .into_iter()
            .find(|s| s.module == MODULE)
            .expect("an access stack")
            .template;
        assert!(
            dangling_references(&t).is_empty(),
            "{:?}",
            dangling_references(&t)
        );
        t.to_value()
    }

    fn prod() -> Value {
        build_from(SPEC, Some("prod"))
    }

    /// What a spec adds to ask for the compliance hook.
    /// Enforcement on a spec whose flow logs and trail are off: accepted deviations.
    const ENFORCE: &str = "compliance:\n  profiles: [hipaa]\n  enforce_in_account: true\n  exceptions:\n    - {rule: VPC_FLOW_LOGS_ENABLED, reason: the account's flow logs are collected centrally}\n    - {rule: CLOUDTRAIL_IS_LOGGING, reason: the organization trail covers this account}\n";

    fn enforced() -> Value {
        build_from(&format!("{SPEC}{ENFORCE}"), Some("prod"))
    }

    fn hook_role_statements(t: &Value) -> Vec<Value> {
        statements(&t["Resources"]["GuardHookRole"]["Properties"]["Policies"][0]["PolicyDocument"])
    }

    fn guardrail_statements(t: &Value) -> Vec<Value> {
        statements(&t["Resources"]["ExecutionGuardrailPolicy"]["Properties"]["PolicyDocument"])
    }

    fn by_sid(all: &[Value], sid: &str) -> Value {
        all.iter()
            .find(|s| s["Sid"] == sid)
            .unwrap_or_else(|| panic!("no statement {sid}"))
            .clone()
    }

    /// AWS's alias pattern: `^(?!(?i)aws)[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$`.
    fn valid_hook_alias(alias: &str) -> bool {
        let parts: Vec<&str> = alias.split("::").collect();
        parts.len() == 3
            && parts.iter().all(|p| {
                (2..=64).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            && !alias.to_ascii_lowercase().starts_with("aws")
    }

    /// Every policy document in the template: role trust and inline policies, managed and
    /// role policies, bucket and key policies.
    fn documents(t: &Value) -> Vec<(String, Value)> {
        let mut out = vec![];
        for (id, r) in t["Resources"].as_object().unwrap() {
            let p = &r["Properties"];
            for key in ["AssumeRolePolicyDocument", "PolicyDocument", "KeyPolicy"] {
                if !p[key].is_null() {
                    out.push((format!("{id}.{key}"), p[key].clone()));
                }
            }
            for (i, inline) in p["Policies"].as_array().into_iter().flatten().enumerate() {
                out.push((
                    format!("{id}.Policies[{i}]"),
                    inline["PolicyDocument"].clone(),
                ));
            }
        }
        out
    }

    fn statements(doc: &Value) -> Vec<Value> {
        doc["Statement"].as_array().cloned().unwrap_or_default()
    }

    fn list(v: &Value) -> Vec<Value> {
        match v {
            Value::Array(a) => a.clone(),
            Value::Null => vec![],
            other => vec![other.clone()],
        }
    }

    fn deployer_statements(t: &Value) -> Vec<Value> {
        statements(&t["Resources"]["DeployerRole"]["Properties"]["Policies"][0]["PolicyDocument"])
    }

    #[test]
    fn trust_requires_external_id() {
        for t in [prod(), build_from(PLAIN, None)] {
            let trust = &t["Resources"]["DeployerRole"]["Properties"]["AssumeRolePolicyDocument"];
            let all = statements(trust);
            assert_eq!(all.len(), 2, "the allow, and the kill switch's deny");
            let s = &all[0];
            assert_eq!(s["Action"], "sts:AssumeRole");
            assert_eq!(
                s["Condition"]["StringEquals"]["sts:ExternalId"],
                json!({"Ref": "ExternalId"})
            );
            let p = &t["Parameters"]["ExternalId"];
            assert_eq!(p["MinLength"], 2);
            assert_eq!(p["MaxLength"], 1224);
            assert_eq!(p["AllowedPattern"], EXTERNAL_ID_PATTERN);
            assert!(
                p.get("NoEcho").is_none(),
                "quick-create links cannot prefill NoEcho"
            );
        }
    }

    #[test]
    fn the_customer_can_disable_the_vendor_at_once() {
        let t = prod();
        let p = &t["Parameters"][revoke::PARAMETER];
        assert_eq!(p["AllowedValues"], json!(["Enabled", "Disabled"]));
        assert_eq!(p["Default"], "Enabled");
        assert_eq!(
            t["Conditions"][revoke::DISABLED],
            json!({"Fn::Equals": [{"Ref": "VendorAccess"}, "Disabled"]})
        );
        let role = &t["Resources"]["DeployerRole"]["Properties"];
        // No new session: a deny for the very principal the allow names.
        let trust = statements(&role["AssumeRolePolicyDocument"]);
        let [then, otherwise] = &trust[1]["Fn::If"].as_array().unwrap()[1..] else {
            panic!("{}", trust[1])
        };
        assert_eq!(trust[1]["Fn::If"][0], revoke::DISABLED);
        assert_eq!(then["Effect"], "Deny");
        assert_eq!(then["Principal"], trust[0]["Principal"]);
        assert_eq!(then["Action"], "sts:AssumeRole");
        assert!(
            then.get("Condition").is_none(),
            "the deny holds with any external id"
        );
        assert_eq!(*otherwise, json!({"Ref": "AWS::NoValue"}));
        // No open session keeps a permission.
        let deny_all = &t["Resources"]["VendorAccessRevoked"];
        assert_eq!(deny_all["Condition"], revoke::DISABLED);
        assert_eq!(
            deny_all["Properties"]["RoleName"],
            json!({"Ref": "DeployerRole"})
        );
        let s = &deny_all["Properties"]["PolicyDocument"]["Statement"][0];
        assert_eq!(
            (&s["Effect"], &s["Action"], &s["Resource"]),
            (&json!("Deny"), &json!("*"), &json!("*"))
        );
        // The vendor names the role from the account id alone.
        assert_eq!(role["RoleName"], "acme-api-prod-deployer");
        assert_eq!(role["Path"], "/byoa/");
    }

    #[test]
    fn trust_names_the_vendor_root_or_exactly_the_vendor_role() {
        let whole = SPEC.replace(
            "vendor_role_arn: arn:aws:iam::111111111111:role/byoa-deploy",
            "trust_whole_account: true",
        );
        let t = build_from(&whole, Some("prod"));
        let principal = &t["Resources"]["DeployerRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            [0]["Principal"]["AWS"];
        assert_eq!(
            principal,
            &sub("arn:${AWS::Partition}:iam::111111111111:root")
        );
        let t = build_from(PLAIN, None);
        let principal = &t["Resources"]["DeployerRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            [0]["Principal"]["AWS"];
        assert_eq!(principal, "arn:aws:iam::111111111111:role/deployer");
    }

    #[test]
    fn mfa_and_source_ip_conditions_follow_spec() {
        let t = prod();
        let role = &t["Resources"]["DeployerRole"]["Properties"];
        let c = &role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"];
        assert_eq!(c["Bool"]["aws:MultiFactorAuthPresent"], "true");
        assert_eq!(
            c["IpAddress"]["aws:SourceIp"],
            json!(["203.0.113.0/24", "198.51.100.7/32"])
        );
        assert_eq!(role["MaxSessionDuration"], 4 * 3600);

        let t = build_from(PLAIN, None);
        let role = &t["Resources"]["DeployerRole"]["Properties"];
        let c = &role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"];
        assert!(c.get("Bool").is_none(), "{c}");
        assert!(c.get("IpAddress").is_none(), "{c}");
        assert_eq!(role["MaxSessionDuration"], 3600);
    }

    #[test]
    fn no_statement_has_star_action() {
        for t in [prod(), build_from(PLAIN, None), enforced()] {
            for (name, doc) in documents(&t) {
                for s in statements(&doc) {
                    let actions: Vec<String> = list(&s["Action"])
                        .iter()
                        .map(|a| a.as_str().unwrap().to_owned())
                        .collect();
                    // Only a deny may name every action: the kill switch's.
                    for a in &actions {
                        assert!(
                            s["Effect"] == "Deny" || (a != "*" && a != "*:*"),
                            "{name}: {s}"
                        );
                    }
                    if s["Effect"] != "Allow" {
                        continue;
                    }
                    assert!(
                        s.get("NotAction").is_none(),
                        "{name}: Allow with NotAction: {s}"
                    );
                    let star_resource = list(&s["Resource"]).iter().any(|r| r == "*");
                    // In a key policy, `Resource: "*"` is the key itself, and the account
                    // root must hold `kms:*` so that IAM policies can grant its use.
                    let root = sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root");
                    let key_admin = name.ends_with("KeyPolicy") && s["Principal"]["AWS"] == root;
                    // A service's use of a key (the trail's, CloudWatch Logs') is bounded by
                    // its conditions on the calling account and resource.
                    let service_use = name.ends_with("KeyPolicy")
                        && s["Principal"].get("Service").is_some()
                        && s.get("Condition").is_some();
                    if star_resource && !key_admin && !service_use {
                        for a in &actions {
                            assert!(
                                !a.ends_with(":*") && !a.ends_with('*'),
                                "{name}: wildcard action {a} on resource *: {s}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn star_resource_only_for_reads_and_documented_exceptions() {
        let t = prod();
        let reads = ["Describe", "List", "Get", "Validate"];
        let allowed_writes = [
            "ecr:GetAuthorizationToken",
            "kms:CreateKey",
            "ecs:RegisterTaskDefinition",
            "ecs:DeregisterTaskDefinition",
            "application-autoscaling:",
            "servicediscovery:",
            "route53:CreateHostedZone",
        ];
        for (name, doc) in documents(&t) {
            // The boundary grants nothing: it caps the product roles (its own test).
            if name.ends_with("KeyPolicy") || name.starts_with("PermissionsBoundary") {
                continue;
            }
            for s in statements(&doc) {
                if s["Effect"] != "Allow" || !list(&s["Resource"]).iter().any(|r| r == "*") {
                    continue;
                }
                for a in list(&s["Action"]) {
                    let a = a.as_str().unwrap();
                    let verb = a.split(':').nth(1).unwrap();
                    assert!(
                        reads.iter().any(|r| verb.starts_with(r))
                            || allowed_writes.iter().any(|w| a.starts_with(w)),
                        "{name}: {a} on *"
                    );
                }
            }
        }
    }

    #[test]
    fn cloudformation_scoped_to_product_stacks() {
        let t = prod();
        let stacks = sub(
            "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/acme-api-prod-*/*",
        );
        for s in deployer_statements(&t) {
            if s["Effect"] != "Allow" {
                continue;
            }
            let actions = list(&s["Action"]);
            if !actions
                .iter()
                .any(|a| a.as_str().unwrap().starts_with("cloudformation:"))
            {
                continue;
            }
            if s["Resource"] == "*" {
                for a in actions {
                    let a = a.as_str().unwrap();
                    assert!(
                        [
                            "cloudformation:ValidateTemplate",
                            "cloudformation:GetTemplateSummary",
                            "cloudformation:ListStacks",
                            "cloudformation:DescribeStackDriftDetectionStatus"
                        ]
                        .contains(&a),
                        "{a} is not read-only but has resource *"
                    );
                }
            } else {
                assert_eq!(s["Resource"], stacks, "{s}");
                assert!(actions.contains(&json!("cloudformation:ExecuteChangeSet")));
            }
        }
        let deny = deployer_statements(&t)
            .into_iter()
            .find(|s| s["Effect"] == "Deny")
            .expect("a deny on the access stack itself");
        assert_eq!(
            deny["Resource"],
            sub(
                "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*"
            )
        );
        assert!(list(&deny["Action"]).contains(&json!("cloudformation:ExecuteChangeSet")));
    }

    #[test]
    fn passrole_only_to_execution_role() {
        let t = prod();
        let pass: Vec<Value> = deployer_statements(&t)
            .into_iter()
            .filter(|s| {
                s["Effect"] == "Allow"
                    && list(&s["Action"])
                        .iter()
                        .any(|a| a.as_str().unwrap().starts_with("iam:"))
            })
            .collect();
        assert_eq!(pass.len(), 1, "{pass:?}");
        let s = &pass[0];
        assert_eq!(s["Action"], json!(["iam:PassRole"]));
        assert_eq!(s["Resource"], get_att("ExecutionRole", "Arn"));
        assert_eq!(
            s["Condition"]["StringEquals"]["iam:PassedToService"],
            "cloudformation.amazonaws.com"
        );
        let trust = &t["Resources"]["ExecutionRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            [0];
        assert_eq!(
            trust["Principal"]["Service"],
            "cloudformation.amazonaws.com"
        );
        assert_eq!(
            trust["Condition"]["StringEquals"]["aws:SourceAccount"],
            json!({"Ref": "AWS::AccountId"})
        );
    }

    #[test]
    fn execution_role_cannot_touch_the_access_stack() {
        let t = prod();
        let guard = &t["Resources"]["ExecutionGuardrailPolicy"]["Properties"];
        assert_eq!(guard["RoleName"], json!({"Ref": "ExecutionRole"}));
        let s = statements(&guard["PolicyDocument"]);
        assert!(s.iter().all(|s| s["Effect"] == "Deny"));
        let iam = list(&by_sid(&s, "NeverChangeAccessRoles")["Resource"]);
        for must in [
            get_att("DeployerRole", "Arn"),
            get_att("ExecutionRole", "Arn"),
            r#ref("ExecutionComputePolicy"),
            r#ref("PermissionsBoundary"),
        ] {
            assert!(iam.contains(&must), "{must} not protected");
        }
        let store = by_sid(&s, "NeverChangeArtifactStore");
        assert!(list(&store["Resource"]).contains(&get_att("ArtifactKey", "Arn")));
    }

    /// The boundary's ARN as product templates name it.
    fn boundary() -> Value {
        sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/byoa/acme-api-prod-boundary")
    }

    #[test]
    fn boundary_is_a_named_policy_at_the_arn_product_templates_name() {
        let t = prod();
        let b = &t["Resources"]["PermissionsBoundary"];
        assert_eq!(b["Type"], "AWS::IAM::ManagedPolicy");
        let p = &b["Properties"];
        // `arn:<partition>:iam::<account>:policy<Path><ManagedPolicyName>`.
        assert_eq!(p["Path"], "/byoa/");
        assert_eq!(p["ManagedPolicyName"], "acme-api-prod-boundary");
        assert!(
            p.get("Roles").is_none(),
            "a boundary is attached as a boundary, never as a policy"
        );
        assert_eq!(
            t["Outputs"]["PermissionsBoundaryArn"]["Value"],
            r#ref("PermissionsBoundary")
        );
        let model = crate::spec::load_str(
            Path::new("byoa.yaml"),
            SPEC,
            Some("prod"),
            &Default::default(),
        )
        .expect("valid")
        .model;
        assert_eq!(boundary_arn(&model), boundary());
    }

    #[test]
    fn boundary_denies_iam_the_vendor_access_and_trail_changes() {
        for t in [prod(), enforced()] {
            let doc = &t["Resources"]["PermissionsBoundary"]["Properties"]["PolicyDocument"];
            let all = statements(doc);
            let iam = by_sid(&all, "NeverUseIam");
            assert_eq!(
                (&iam["Effect"], &iam["Action"], &iam["Resource"]),
                (&json!("Deny"), &json!("iam:*"), &json!("*"))
            );
            let access = by_sid(&all, "NeverTouchVendorAccess");
            assert_eq!(access["Effect"], "Deny");
            for r in [
                get_att("ArtifactBucket", "Arn"),
                sub("${ArtifactBucket.Arn}/*"),
                get_att("ArtifactKey", "Arn"),
            ] {
                assert!(list(&access["Resource"]).contains(&r), "{r}");
            }
            let trail = by_sid(&all, "NeverChangeAuditTrails");
            assert_eq!(trail["Effect"], "Deny");
            for a in [
                "cloudtrail:StopLogging",
                "cloudtrail:DeleteTrail",
                "cloudtrail:UpdateTrail",
                "cloudtrail:PutEventSelectors",
            ] {
                assert!(list(&trail["Action"]).contains(&json!(a)), "{a}");
            }
            // The only Allow: exact, non-IAM actions (each product role's policy scopes them).
            for s in all.iter().filter(|s| s["Effect"] == "Allow") {
                for a in list(&s["Action"]) {
                    let a = a.as_str().unwrap();
                    assert!(!a.contains('*') && !a.starts_with("iam:"), "{a}");
                }
            }
        }
        let hook = enforced();
        let all =
            statements(&hook["Resources"]["PermissionsBoundary"]["Properties"]["PolicyDocument"]);
        assert!(
            list(&by_sid(&all, "NeverTouchVendorAccess")["Resource"])
                .contains(&get_att("GuardHookLogBucket", "Arn"))
        );
    }

    #[test]
    fn boundary_allows_only_the_products_resources_and_the_secrets_the_spec_names() {
        let with_secret = SPEC.replace(
            "{name: worker}",
            "{name: worker, secrets: {API_TOKEN: shared/token}}",
        );
        let t = build_from(&with_secret, Some("prod"));
        let all =
            statements(&t["Resources"]["PermissionsBoundary"]["Properties"]["PolicyDocument"]);
        let allowed: Vec<&Value> = all.iter().filter(|s| s["Effect"] == "Allow").collect();
        let on_star: Vec<Value> = allowed
            .iter()
            .filter(|s| s["Resource"] == "*")
            .flat_map(|s| list(&s["Action"]))
            .collect();
        assert_eq!(on_star, [json!("ecr:GetAuthorizationToken")]);
        let resources = list(&by_sid(&all, "WhatProductRolesDo")["Resource"]);
        let secret = sub(
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:shared/token-??????",
        );
        assert!(resources.contains(&secret), "{resources:?}");
        for r in &resources {
            let text = r.to_string();
            assert!(
                text.contains("acme-api-prod-")
                    || text.contains("RDSOSMetrics")
                    || text.contains("rds!")
                    || *r == secret,
                "{text}"
            );
        }
        let decrypt = by_sid(&all, "DecryptWithProductKeys");
        assert_eq!(
            decrypt["Condition"]["StringEquals"]["aws:ResourceTag/byoa:product"],
            "acme-api"
        );
        // Without the secret, the boundary does not name it.
        let plain =
            statements(&prod()["Resources"]["PermissionsBoundary"]["Properties"]["PolicyDocument"]);
        assert!(!list(&by_sid(&plain, "WhatProductRolesDo")["Resource"]).contains(&secret));
    }

    #[test]
    fn roles_grow_only_with_the_boundary() {
        let t = prod();
        let doc = &t["Resources"]["ExecutionComputePolicy"]["Properties"]["PolicyDocument"];
        let all = statements(doc);
        let growth = [
            "iam:CreateRole",
            "iam:PutRolePolicy",
            "iam:AttachRolePolicy",
            "iam:PutRolePermissionsBoundary",
        ];
        let mut granted = vec![];
        for s in &all {
            for a in list(&s["Action"]) {
                let a = a.as_str().unwrap();
                if growth.contains(&a) || a == "iam:DeleteRolePolicy" || a == "iam:DetachRolePolicy"
                {
                    assert_eq!(
                        s["Condition"]["StringEquals"]["iam:PermissionsBoundary"],
                        boundary(),
                        "{s}"
                    );
                    granted.push(a.to_owned());
                }
                assert!(
                    !a.starts_with("iam:") || !a.contains("Policy") || a.contains("Role"),
                    "{a}: no managed-policy management"
                );
                assert_ne!(a, "iam:DeleteRolePermissionsBoundary");
            }
        }
        assert_eq!(granted.len(), 6, "{granted:?}");
        // Attachable: exactly the declared AWS managed policy, never an administrator policy.
        let attach = by_sid(&all, "AttachDeclaredPolicies");
        assert_eq!(
            attach["Condition"]["ArnEquals"]["iam:PolicyARN"],
            json!([sub(
                "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
            )])
        );
        // Without a database nothing may be attached.
        let plain = build_from(PLAIN, None);
        let compute = &plain["Resources"]["ExecutionComputePolicy"]["Properties"]["PolicyDocument"];
        assert!(
            !compute.to_string().contains("iam:AttachRolePolicy"),
            "{compute}"
        );
        // And the guardrail keeps it so whatever else the customer attaches to the role.
        let guard = guardrail_statements(&t);
        let remove = by_sid(&guard, "NeverRemoveBoundaries");
        assert_eq!(
            (&remove["Effect"], &remove["Action"]),
            (&json!("Deny"), &json!("iam:DeleteRolePermissionsBoundary"))
        );
        let unbounded = by_sid(&guard, "NeverGrowUnboundedRoles");
        assert_eq!(unbounded["Effect"], "Deny");
        for a in growth {
            assert!(list(&unbounded["Action"]).contains(&json!(a)), "{a}");
        }
        assert_eq!(
            unbounded["Condition"]["StringNotEquals"]["iam:PermissionsBoundary"],
            boundary()
        );
    }

    #[test]
    fn iam_and_s3_scoped_to_product_names() {
        let t = prod();
        for (name, doc) in documents(&t) {
            if !name.starts_with("Execution") || name.starts_with("ExecutionGuardrail") {
                continue;
            }
            for s in statements(&doc) {
                let actions = list(&s["Action"]);
                let is = |svc: &str| actions.iter().any(|a| a.as_str().unwrap().starts_with(svc));
                let text = s["Resource"].to_string();
                if is("iam:") && s["Sid"] != "CreateServiceLinkedRoles" {
                    assert!(
                        text.contains(":role/acme-api-prod-*")
                            || text.contains(":policy/acme-api-prod-*"),
                        "{name}: {s}"
                    );
                }
                if is("s3:Put") || is("s3:CreateBucket") {
                    assert!(text.contains(":s3:::acme-api-prod-*"), "{name}: {s}");
                }
            }
        }
    }

    #[test]
    fn permissions_follow_the_spec() {
        // What the vendor roles are allowed (the boundary names product roles' actions; the
        // denies name the calls nobody gets).
        let vendor = |mut t: Value| {
            t["Resources"]
                .as_object_mut()
                .unwrap()
                .remove("PermissionsBoundary");
            let allowed: Vec<Value> = documents(&t)
                .iter()
                .flat_map(|(_, doc)| statements(doc))
                .filter(|s| s["Effect"] == "Allow")
                .collect();
            serde_json::to_string(&allowed).unwrap()
        };
        let full = vendor(prod());
        let plain = vendor(build_from(PLAIN, None));
        for action in [
            "rds:CreateDBInstance",
            "ecs:CreateService",
            "elasticloadbalancing:CreateLoadBalancer",
            "servicediscovery:CreatePrivateDnsNamespace",
            "ecr:PutImage",
        ] {
            assert!(full.contains(action), "{action} missing");
            assert!(!plain.contains(action), "{action} granted without need");
        }
        for never in [
            "s3:DeleteBucket",
            "kms:ScheduleKeyDeletion",
            "kms:DisableKey",
            "logs:DeleteLogGroup",
            "ecr:DeleteRepository",
            "cloudtrail:StopLogging",
            "cloudtrail:DeleteTrail",
            "cloudtrail:CreateTrail",
            "cloudtrail:UpdateTrail",
            "cloudtrail:PutEventSelectors",
            "secretsmanager:GetSecretValue",
            "route53:ChangeResourceRecordSets",
        ] {
            // Quoted, so that `ecr:DeleteRepositoryPolicy` does not match `ecr:DeleteRepository`.
            assert!(!full.contains(&format!("\"{never}\"")), "{never} granted");
        }
    }

    #[test]
    fn the_audit_trail_is_the_customers() {
        let t = prod();
        let by_sid = |doc: &Value| {
            statements(doc)
                .into_iter()
                .find(|s| s["Sid"] == "NeverTouchAuditTrail")
        };
        let r = &t["Resources"];
        for (who, doc) in [
            (
                "deployer",
                &r["DeployerRole"]["Properties"]["Policies"][0]["PolicyDocument"],
            ),
            (
                "execution role",
                &r["ExecutionGuardrailPolicy"]["Properties"]["PolicyDocument"],
            ),
            (
                "product roles",
                &r["PermissionsBoundary"]["Properties"]["PolicyDocument"],
            ),
        ] {
            let deny = by_sid(doc).unwrap_or_else(|| panic!("{who}: no trail deny"));
            assert_eq!(deny["Effect"], "Deny", "{who}");
            for service in ["cloudtrail", "s3", "kms", "logs", "iam"] {
                assert!(
                    list(&deny["Action"]).contains(&json!(format!("{service}:*"))),
                    "{who}: {service}"
                );
            }
            let text = deny["Resource"].to_string();
            for id in [
                "Trail",
                "TrailBucket",
                "TrailKey",
                "TrailLogGroup",
                "TrailLogRole",
            ] {
                assert!(text.contains(&format!("\"{id}\"")), "{who}: {id}");
            }
            assert!(text.contains("${TrailBucket.Arn}/*"), "{who}: the objects");
        }
        // No vendor role is allowed any trail call.
        for (name, doc) in documents(&t) {
            if name.ends_with("KeyPolicy") || name.starts_with("TrailLogRole") {
                continue;
            }
            for s in statements(&doc).iter().filter(|s| s["Effect"] == "Allow") {
                assert!(
                    !s["Action"].to_string().contains("cloudtrail:"),
                    "{name}: {s}"
                );
            }
        }
        assert_eq!(t["Outputs"]["TrailArn"]["Value"], get_att("Trail", "Arn"));
        // A spec without the trail has neither the trail nor its denies.
        let plain = build_from(PLAIN, None);
        assert!(plain["Resources"].get("Trail").is_none());
        assert!(!plain.to_string().contains("NeverTouchAuditTrail"));
    }

    #[test]
    fn trail_validates_log_files() {
        let t = prod();
        let trail = &t["Resources"]["Trail"];
        let p = &trail["Properties"];
        for flag in [
            "IsLogging",
            "IsMultiRegionTrail",
            "IncludeGlobalServiceEvents",
            "EnableLogFileValidation",
        ] {
            assert_eq!(p[flag], true, "{flag}");
        }
        assert_eq!(p["KMSKeyId"], get_att("TrailKey", "Arn"));
        assert_eq!(p["S3BucketName"], json!({"Ref": "TrailBucket"}));
        assert_eq!(trail["DependsOn"], "TrailBucketPolicy");
        let bucket = &t["Resources"]["TrailBucket"];
        assert_eq!(bucket["DeletionPolicy"], "Retain");
        assert_eq!(bucket["UpdateReplacePolicy"], "Retain");
        let b = &bucket["Properties"];
        assert_eq!(
            b["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
                ["SSEAlgorithm"],
            "aws:kms"
        );
        assert_eq!(b["VersioningConfiguration"]["Status"], "Enabled");
        assert_eq!(
            b["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
            "BucketOwnerEnforced"
        );
        let statements =
            t["Resources"]["TrailBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
                .clone();
        let by_sid = |sid: &str| statements.iter().find(|s| s["Sid"] == sid).unwrap().clone();
        assert_eq!(by_sid("CloudTrailChecksAcl")["Action"], "s3:GetBucketAcl");
        let write = by_sid("CloudTrailWrites");
        assert_eq!(write["Action"], "s3:PutObject");
        assert!(write["Condition"]["ArnLike"]["aws:SourceArn"].is_object());
        assert_eq!(
            write["Condition"]["StringEquals"]["s3:x-amz-acl"],
            "bucket-owner-full-control"
        );
        assert_eq!(by_sid("DenyInsecureTransport")["Effect"], "Deny");
        let key = &t["Resources"]["TrailKey"]["Properties"]["KeyPolicy"]["Statement"][1];
        assert_eq!(key["Principal"]["Service"], "cloudtrail.amazonaws.com");
        assert!(
            key["Condition"]["StringLike"]["kms:EncryptionContext:aws:cloudtrail:arn"].is_object()
        );
    }

    #[test]
    fn managed_policies_fit_iam_size_limits() {
        // IAM counts policy characters without whitespace: 6,144 per managed policy, 10,240 for
        // all inline policies of a role. Intrinsics are longer than the ARNs they resolve to,
        // except GetAtt, so leave a margin.
        for (name, doc) in documents(&prod()).into_iter().chain(documents(&enforced())) {
            let size = serde_json::to_string(&doc).unwrap().len();
            let limit = if name.contains(".Policies[") {
                10_240
            } else {
                6_144
            };
            assert!(size + 600 < limit, "{name} is {size} characters");
        }
    }

    #[test]
    fn access_stack_buckets_log_to_the_server_access_log_bucket() {
        for (t, sources) in [
            (prod(), vec!["ArtifactBucket", "TrailBucket"]),
            (
                enforced(),
                vec!["ArtifactBucket", "TrailBucket", "GuardHookLogBucket"],
            ),
        ] {
            for bucket in &sources {
                let logging = &t["Resources"][bucket]["Properties"]["LoggingConfiguration"];
                assert_eq!(logging["DestinationBucketName"], r#ref(ACCESS_LOG_BUCKET));
                assert_eq!(logging["LogFilePrefix"], format!("{bucket}/"));
            }
            let logs = &t["Resources"][ACCESS_LOG_BUCKET];
            assert_eq!(logs["DeletionPolicy"], "Retain");
            // S3 log delivery writes only into SSE-S3 destinations.
            let enc =
                &logs["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
            assert_eq!(
                enc["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
                "AES256"
            );
            let rule = &logs["Properties"]["LifecycleConfiguration"]["Rules"][0];
            assert!(rule["ExpirationInDays"].as_u64().unwrap() >= 365);
            assert!(logs["Properties"]["LoggingConfiguration"].is_null());
            let skip = &logs["Metadata"]["checkov"]["skip"];
            assert!(
                skip.as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["id"] == "CKV_AWS_18")
            );
            let policy =
                &t["Resources"]["ServerAccessLogBucketPolicy"]["Properties"]["PolicyDocument"];
            let delivery = by_sid(&statements(policy), "S3ServerAccessLogDelivery");
            assert_eq!(delivery["Principal"]["Service"], "logging.s3.amazonaws.com");
            assert_eq!(delivery["Action"], "s3:PutObject");
            let arns: Vec<Value> = sources.iter().map(|b| get_att(b, "Arn")).collect();
            assert_eq!(
                delivery["Condition"]["ArnEquals"]["aws:SourceArn"],
                json!(arns)
            );
            assert_eq!(
                delivery["Condition"]["StringEquals"]["aws:SourceAccount"],
                r#ref("AWS::AccountId")
            );
            let deny = by_sid(&statements(policy), "DenyInsecureTransport");
            assert_eq!(deny["Condition"]["Bool"]["aws:SecureTransport"], false);
        }
    }

    #[test]
    fn artifact_bucket_is_encrypted_private_and_retained() {
        let t = prod();
        let b = &t["Resources"]["ArtifactBucket"];
        assert_eq!(b["DeletionPolicy"], "Retain");
        assert_eq!(b["UpdateReplacePolicy"], "Retain");
        let enc = &b["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
        assert_eq!(
            enc["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
            "aws:kms"
        );
        assert_eq!(
            enc["ServerSideEncryptionByDefault"]["KMSMasterKeyID"],
            get_att("ArtifactKey", "Arn")
        );
        assert_eq!(
            b["Properties"]["VersioningConfiguration"]["Status"],
            "Enabled"
        );
        assert_eq!(
            b["Properties"]["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"],
            true
        );
        let key = &t["Resources"]["ArtifactKey"];
        assert_eq!(key["Properties"]["EnableKeyRotation"], true);
        assert_eq!(key["DeletionPolicy"], "Retain");
        let policy = &t["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"];
        let deny = &policy["Statement"][0];
        assert_eq!(deny["Effect"], "Deny");
        // A boolean, as checkov and cfn-lint expect (not the string "false").
        assert_eq!(deny["Condition"]["Bool"]["aws:SecureTransport"], false);
    }

    #[test]
    fn key_management_requires_product_tags() {
        let t = prod();
        let doc = &t["Resources"]["ExecutionDataPolicy"]["Properties"]["PolicyDocument"];
        let s = statements(doc)
            .into_iter()
            .find(|s| s["Sid"] == "ManageProductKeys")
            .unwrap();
        assert_eq!(
            s["Condition"]["StringEquals"]["aws:ResourceTag/byoa:product"],
            "acme-api"
        );
        assert_eq!(
            s["Condition"]["StringEquals"]["aws:ResourceTag/byoa:environment"],
            "prod"
        );
    }

    #[test]
    fn hook_only_when_enforced() {
        for t in [prod(), build_from(PLAIN, None)] {
            let text = serde_json::to_string(&t).unwrap();
            for absent in [
                "GuardHook",
                "EnforceCompliance",
                "RuleFileVersion",
                "RuleFileS3Uri",
                ENFORCED,
                "cloudformation:DeactivateType",
            ] {
                assert!(
                    !text.contains(absent),
                    "{absent} without enforce_in_account"
                );
            }
        }
        let t = enforced();
        let hook = &t["Resources"]["GuardHook"];
        assert_eq!(hook["Type"], "AWS::CloudFormation::GuardHook");
        // Created only once the customer switches it on (the rule file must exist first).
        assert_eq!(hook["Condition"], ENFORCED);
        assert_eq!(
            t["Conditions"][ENFORCED],
            equals(r#ref("EnforceCompliance"), json!("true"))
        );
        let p = &t["Parameters"]["EnforceCompliance"];
        assert_eq!(p["Default"], "false");
        assert_eq!(p["AllowedValues"], json!(["false", "true"]));
        let props = &hook["Properties"];
        assert_eq!(props["FailureMode"], "FAIL");
        assert_eq!(props["HookStatus"], "ENABLED");
        assert_eq!(props["ExecutionRole"], get_att("GuardHookRole", "Arn"));
        assert_eq!(props["LogBucket"], r#ref("GuardHookLogBucket"));
        let uri = sub("s3://${ArtifactBucket}/guard/byoa-rules.guard");
        assert_eq!(props["RuleLocation"]["Uri"], uri);
        assert_eq!(
            props["RuleLocation"]["VersionId"],
            if_(PINNED, r#ref("RuleFileVersion"), no_value())
        );
        assert_eq!(t["Parameters"]["RuleFileVersion"]["Default"], "");
        assert_eq!(t["Outputs"]["RuleFileS3Uri"]["Value"], uri);
        assert!(t["Outputs"]["RuleFileS3Uri"].get("Condition").is_none());
        assert_eq!(t["Outputs"]["GuardHookArn"]["Condition"], ENFORCED);
        assert_eq!(
            t["Outputs"]["GuardHookArn"]["Value"],
            get_att("GuardHook", "HookArn")
        );
        // The role and the report bucket do not depend on the switch: the guardrails name them.
        for id in [
            "GuardHookRole",
            "GuardHookLogBucket",
            "GuardHookLogBucketPolicy",
        ] {
            assert!(t["Resources"][id].get("Condition").is_none(), "{id}");
        }
    }

    #[test]
    fn hook_targets_only_product_stacks() {
        let t = enforced();
        let props = &t["Resources"]["GuardHook"]["Properties"];
        // Whole templates, the input byoa's rules are written for.
        assert_eq!(props["TargetOperations"], json!(["STACK"]));
        let filters = &props["StackFilters"];
        assert_eq!(filters["FilteringCriteria"], "ALL");
        assert_eq!(filters["StackNames"]["Include"], json!(["acme-api-prod-*"]));
        assert_eq!(
            filters["StackNames"]["Exclude"],
            json!([{"Ref": "AWS::StackName"}])
        );
        assert!(filters.get("StackRoles").is_none());
        let actions = list(&props["TargetFilters"]["Actions"]);
        assert!(actions.contains(&json!("CREATE")) && actions.contains(&json!("UPDATE")));
        assert!(!actions.contains(&json!("DELETE")));
        // Every stack the vendor may create falls under the filter.
        let drive = by_sid(&deployer_statements(&t), "DriveProductStacks");
        assert_eq!(
            drive["Resource"],
            sub(
                "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/acme-api-prod-*/*"
            )
        );
        // Unique per account and region: one hook per product environment.
        assert_eq!(props["Alias"], "Byoa::AcmeApiProd::Compliance");

        let t = build_from(&format!("{PLAIN}{ENFORCE}"), None);
        let props = &t["Resources"]["GuardHook"]["Properties"];
        assert_eq!(props["Alias"], "Byoa::AcmeApiDefault::Compliance");
        assert_eq!(
            props["StackFilters"]["StackNames"]["Include"],
            json!(["acme-api-default-*"])
        );
    }

    #[test]
    fn hook_alias_fits_aws_pattern_for_the_longest_names() {
        let long = format!(
            "product: {{name: abcdefghij-abcdefghij-abcdefghij, vendor_account_id: \"111111111111\"}}\naccess: {{vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}}\nregion: us-east-1\n{ENFORCE}environments: {{abcdefgh-abcdefg: {{}}}}\n"
        );
        let t = build_from(&long, Some("abcdefgh-abcdefg"));
        let alias = t["Resources"]["GuardHook"]["Properties"]["Alias"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            alias,
            "Byoa::AbcdefghijAbcdefghijAbcdefghijAbcdefghAbcdefg::Compliance"
        );
        assert!(valid_hook_alias(&alias), "{alias}");
        assert!(valid_hook_alias(
            enforced()["Resources"]["GuardHook"]["Properties"]["Alias"]
                .as_str()
                .unwrap()
        ));
        assert!(!valid_hook_alias("Byoa::acme-api::Compliance"));
        assert!(!valid_hook_alias("AwsThing::AcmeApi::Compliance"));
    }

    #[test]
    fn hook_role_reads_only_the_rule_file() {
        let t = enforced();
        let role = &t["Resources"]["GuardHookRole"]["Properties"];
        let trust = statements(&role["AssumeRolePolicyDocument"]);
        assert_eq!(trust.len(), 1);
        assert_eq!(
            trust[0]["Principal"],
            json!({"Service": "hooks.cloudformation.amazonaws.com"})
        );
        assert_eq!(trust[0]["Action"], "sts:AssumeRole");
        assert_eq!(
            trust[0]["Condition"]["StringEquals"]["aws:SourceAccount"],
            r#ref("AWS::AccountId")
        );
        assert_eq!(RULE_FILE_KEY, "guard/byoa-rules.guard");
        let rule_file = sub("${ArtifactBucket.Arn}/guard/byoa-rules.guard");
        let via_s3 = sub("s3.${AWS::Region}.amazonaws.com");
        let all = hook_role_statements(&t);
        let mut granted = vec![];
        for s in &all {
            assert_eq!(s["Effect"], "Allow", "{s}");
            for a in list(&s["Action"]) {
                let a = a.as_str().unwrap().to_owned();
                match a.as_str() {
                    "s3:GetObject" | "s3:GetObjectVersion" => {
                        assert_eq!(s["Resource"], rule_file, "{s}")
                    }
                    "s3:ListBucket" => {
                        assert_eq!(s["Resource"], get_att("ArtifactBucket", "Arn"));
                        assert_eq!(s["Condition"]["StringEquals"]["s3:prefix"], RULE_FILE_KEY);
                    }
                    "s3:PutObject" => {
                        assert_eq!(s["Resource"], sub("${GuardHookLogBucket.Arn}/*"), "{s}")
                    }
                    "kms:Decrypt" | "kms:GenerateDataKey" => {
                        assert_eq!(s["Resource"], get_att("ArtifactKey", "Arn"));
                        assert_eq!(s["Condition"]["StringEquals"]["kms:ViaService"], via_s3);
                    }
                    other => panic!("the hook role may not {other}: {s}"),
                }
                granted.push(a);
            }
        }
        for need in [
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:PutObject",
            "kms:Decrypt",
            "kms:GenerateDataKey",
        ] {
            assert!(granted.iter().any(|a| a == need), "{need} missing");
        }
    }

    #[test]
    fn deployer_cannot_disable_the_hook() {
        let t = enforced();
        let deployer = deployer_statements(&t);
        // No grant reaches the registry, the hook's role or its reports.
        for s in deployer.iter().filter(|s| s["Effect"] == "Allow") {
            for a in list(&s["Action"]) {
                let a = a.as_str().unwrap();
                assert!(!HOOK_ADMIN_ACTIONS.contains(&a), "{s}");
                assert!(!a.starts_with("s3:Delete"), "{s}");
            }
            assert!(!s["Resource"].to_string().contains("GuardHook"), "{s}");
        }
        // And explicit denies keep it so whatever else is attached to the role later.
        let hook = by_sid(&deployer, "NeverChangeComplianceHook");
        assert_eq!(hook["Effect"], "Deny");
        assert_eq!(hook["Resource"], "*");
        for a in [
            "cloudformation:DeactivateType",
            "cloudformation:SetTypeConfiguration",
            "cloudformation:ActivateType",
        ] {
            assert!(list(&hook["Action"]).contains(&json!(a)), "{a}");
        }
        let reports = by_sid(&deployer, "NeverTouchComplianceReports");
        assert_eq!(reports["Effect"], "Deny");
        assert_eq!(
            reports["Resource"],
            json!([
                get_att("GuardHookLogBucket", "Arn"),
                sub("${GuardHookLogBucket.Arn}/*")
            ])
        );
        let role = by_sid(&deployer, "NeverUseComplianceHookRole");
        assert_eq!(role["Effect"], "Deny");
        assert_eq!(role["Resource"], get_att("GuardHookRole", "Arn"));
        // The hook is defined by this stack, which the deployer may not change.
        let this = by_sid(&deployer, "NeverChangeThisStack");
        assert!(list(&this["Action"]).contains(&json!("cloudformation:UpdateStack")));
        assert!(list(&this["Action"]).contains(&json!("cloudformation:ExecuteChangeSet")));
    }

    #[test]
    fn execution_role_cannot_touch_the_hook() {
        let t = enforced();
        let guard = guardrail_statements(&t);
        assert!(guard.iter().all(|s| s["Effect"] == "Deny"));
        // The hook role's name starts with the product prefix when the customer names this
        // stack `<product>-<environment>-access`: the prefix-scoped IAM grants would reach it.
        let roles = by_sid(&guard, "NeverChangeAccessRoles");
        assert!(list(&roles["Resource"]).contains(&get_att("GuardHookRole", "Arn")));
        let hook = by_sid(&guard, "NeverChangeComplianceHook");
        assert_eq!(hook["Resource"], "*");
        for a in HOOK_ADMIN_ACTIONS {
            assert!(list(&hook["Action"]).contains(&json!(a)), "{a}");
        }
        let reports = by_sid(&guard, "NeverTouchComplianceReports");
        assert_eq!(reports["Action"], "s3:*");
        // The rule file lives in the artifact bucket, where the execution role may only read.
        let store = by_sid(&guard, "NeverChangeArtifactStore");
        assert!(list(&store["Resource"]).contains(&sub("${ArtifactBucket.Arn}/*")));
        assert!(!list(&store["NotAction"]).contains(&json!("s3:PutObject")));
        for (name, doc) in documents(&t) {
            if !name.starts_with("Execution") {
                continue;
            }
            for s in statements(&doc).iter().filter(|s| s["Effect"] == "Allow") {
                for a in list(&s["Action"]) {
                    assert!(
                        !HOOK_ADMIN_ACTIONS.contains(&a.as_str().unwrap()),
                        "{name}: {s}"
                    );
                }
            }
        }
    }

    #[test]
    fn hook_reports_are_private_encrypted_and_retained() {
        let t = enforced();
        let b = &t["Resources"]["GuardHookLogBucket"];
        assert_eq!(b["DeletionPolicy"], "Retain");
        assert_eq!(b["UpdateReplacePolicy"], "Retain");
        let enc = &b["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
        assert_eq!(
            enc["ServerSideEncryptionByDefault"]["KMSMasterKeyID"],
            get_att("ArtifactKey", "Arn")
        );
        assert_eq!(
            b["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"],
            true
        );
        let rule = &b["Properties"]["LifecycleConfiguration"]["Rules"][0];
        assert!(rule["ExpirationInDays"].as_u64().unwrap() >= 365);
        let policy = &t["Resources"]["GuardHookLogBucketPolicy"]["Properties"];
        assert_eq!(policy["Bucket"], r#ref("GuardHookLogBucket"));
        assert_eq!(
            policy["PolicyDocument"]["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"],
            false
        );
        let tags = b["Properties"]["Tags"].as_array().unwrap();
        assert!(
            tags.iter()
                .any(|t| t["Key"] == "byoa:product" && t["Value"] == "acme-api")
        );
    }
}
