//! The execution role's permission statements: the foundation every product needs (keys, log
//! groups, templates, roles, nested stacks) and the statements built from the modules'
//! aggregated `Needs` (their grants, and the condition lists of the roles they pass, the
//! service-linked roles they need and the services that use their keys).

use serde_json::{Value, json};

use super::{allow, allow_if, arn, boundary_arn, prefix, read_artifacts};
use crate::cfn::func::sub;
use crate::modules::needs::{Grant, Needs, On, Part, ResourceActions};
use crate::spec::Model;

/// A module's grant as a statement of `model`'s execution role.
pub(super) fn statement(grant: &Grant, model: &Model) -> Value {
    let prefix = prefix(model);
    let named = |pattern: &str| {
        arn(&pattern
            .replace("{prefix}", &prefix)
            .replace("{bucket_prefix}", &prefix.to_ascii_lowercase()))
    };
    let all = |patterns: &[&str]| Value::Array(patterns.iter().map(|p| named(p)).collect());
    match grant.on {
        On::Any => allow(grant.sid, grant.actions, json!("*")),
        On::Arn(pattern) => allow(grant.sid, grant.actions, named(pattern)),
        On::Arns(patterns) => allow(grant.sid, grant.actions, all(patterns)),
        On::Tagged(patterns) => allow_if(
            grant.sid,
            grant.actions,
            all(patterns),
            json!({"StringEquals": product_tags(model)}),
        ),
    }
}

/// The statements of `part` that come before the modules' grants.
pub(super) fn foundation(model: &Model, needs: &Needs, part: Part) -> Vec<Value> {
    match part {
        Part::Data => data(model, needs),
        Part::Compute => compute(model, needs),
        Part::Network | Part::Monitoring => vec![],
    }
}

/// Statements of the execution policies that still fail a rule, and why (issue 9): a policy
/// holding one waives the rule the way a spec's lasting exception does
/// (`Metadata.guard.SuppressedRules`, the reason in `Metadata.byoa.Exceptions`), so the template
/// states what it waives and why. A test strips the waivers from the examples' access stacks and
/// checks each policy still fails each rule it waives: a waiver nothing needs any more goes.
const WAIVERS: [(&str, Part, &[&str], &str); 5] = [
    (
        MUTATING,
        Part::Network,
        &[
            "ManageNetwork",
            "ManageFlowLogs",
            "ManageLoadBalancing",
            "ManageWebAcl",
            "AttachWebAcl",
        ],
        "ManageNetwork: creating VPC resources, and the calls CloudFormation makes on them before \
         it tags them, cannot require the product's tags (CloudFormation coverage roadmap issue \
         714); flow logs, load balancers and web ACLs are not scoped to the product yet (issue 9)",
    ),
    (
        MUTATING,
        Part::Data,
        &["ManageDatabases"],
        "ManageDatabases: the engine's default option groups (og:default:*) and the final \
         snapshot, which CloudFormation names, are not named after the product (issue 9)",
    ),
    (
        MUTATING,
        Part::Compute,
        &[
            "ManageTaskDefinitionsAndScaling",
            "ManageClustersAndServices",
        ],
        "ecs:DeregisterTaskDefinition has no resource type; task definitions \
         (task-definition/*) are not scoped to the product yet (issue 9)",
    ),
    (
        MUTATING,
        Part::Monitoring,
        &["ManageDashboards", "ManageScalableTargets"],
        "ManageDashboards: dashboards are not named after the product yet (issue 9); \
         ManageScalableTargets: a scalable target's ARN ends in an id AWS generates and \
         CloudFormation cannot tag it, so the account and region are the narrowest scope",
    ),
    (
        "IAM_NO_PRIVILEGE_ESCALATION",
        Part::Compute,
        &["ManageProductRoles"],
        "ManageProductRoles: iam:UpdateAssumeRolePolicy on the product's roles has no condition \
         yet; the roles carry the permissions boundary (issue 9)",
    ),
];

const MUTATING: &str = "IAM_MUTATING_ACTIONS_SCOPED";

/// The metadata that waives, for `part`'s policy, the rules some of `statements` still fail.
pub(super) fn waivers(part: Part, statements: &[Value]) -> Option<Value> {
    let waived: Vec<(&str, &str)> = WAIVERS
        .iter()
        .filter(|(_, p, sids, _)| {
            *p == part
                && statements
                    .iter()
                    .any(|s| sids.iter().any(|sid| s["Sid"] == *sid))
        })
        .map(|(rule, _, _, reason)| (*rule, *reason))
        .collect();
    (!waived.is_empty()).then(|| {
        let rules: Vec<&str> = waived.iter().map(|(rule, _)| *rule).collect();
        let reasons: Vec<Value> = waived
            .iter()
            .map(|(rule, reason)| json!({"Rule": rule, "Reason": reason}))
            .collect();
        json!({"guard": {"SuppressedRules": rules}, "byoa": {"Exceptions": reasons}})
    })
}

/// The condition of a grant on what byoa names with the product prefix, which another spec's
/// environment can share (`prod` and `prod-eu` of two specs): a resource tagged by byoa belongs
/// to this product and environment. A resource being created, whose tags are not yet its own,
/// passes, and so does one byoa never tagged.
pub(super) fn owned(model: &Model) -> Value {
    json!({"StringEqualsIfExists": product_tags(model)})
}

/// `aws:ResourceTag` conditions matching resources that byoa tagged for this product and
/// environment.
pub(super) fn product_tags(model: &Model) -> Value {
    json!({
        "aws:ResourceTag/byoa:product": model.product,
        "aws:ResourceTag/byoa:environment": model.environment,
    })
}

// CreateKey and the list calls have no resource. A new key harms nothing; every call on an
// existing key requires byoa's product and environment tags (`data`), so the execution role
// cannot touch the customer's other keys. No ScheduleKeyDeletion, DisableKey or
// DisableKeyRotation: keys are retained and stay usable.
const CREATE_KEYS: Grant = Grant {
    part: Part::Data,
    sid: "CreateKeys",
    actions: &["kms:CreateKey", "kms:ListAliases", "kms:ListKeys"],
    on: On::Any,
};

const MANAGE_PRODUCT_KEYS: &[&str] = &[
    "kms:DescribeKey",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateKeyDescription",
];

const DESCRIBE_LOG_GROUPS: Grant = Grant {
    part: Part::Data,
    sid: "DescribeLogGroups",
    actions: &["logs:DescribeLogGroups", "logs:DescribeResourcePolicies"],
    on: On::Any,
};

const PRODUCT_LOG_GROUPS: Grant = Grant {
    part: Part::Data,
    sid: "ManageProductLogGroups",
    actions: crate::modules::secure::LOG_GROUP_ACTIONS,
    on: On::Arn("logs:${AWS::Region}:${AWS::AccountId}:log-group:{prefix}*"),
};

fn data(model: &Model, needs: &Needs) -> Vec<Value> {
    let tags = product_tags(model);
    let keys = arn("kms:${AWS::Region}:${AWS::AccountId}:key/*");
    let mut s = vec![
        statement(&CREATE_KEYS, model),
        allow_if(
            "ManageProductKeys",
            MANAGE_PRODUCT_KEYS,
            keys.clone(),
            json!({"StringEquals": tags.clone()}),
        ),
        statement(&DESCRIBE_LOG_GROUPS, model),
        statement(&PRODUCT_LOG_GROUPS, model),
    ];
    s.extend(read_artifacts());
    if !needs.keys_used_through.is_empty() {
        // Services that encrypt with a product key on CloudFormation's behalf (RDS storage and
        // its managed master secret, ECR repositories, ...).
        let via: Vec<Value> = needs
            .keys_used_through
            .iter()
            .map(|service| sub(&format!("{service}.${{AWS::Region}}.amazonaws.com")))
            .collect();
        let mut condition = tags;
        condition["kms:ViaService"] = Value::Array(via);
        s.push(allow_if(
            "ProductKeysThroughServices",
            &[
                "kms:CreateGrant",
                "kms:Decrypt",
                "kms:GenerateDataKey",
                "kms:RetireGrant",
            ],
            keys,
            json!({"StringEquals": condition}),
        ));
    }
    s
}

// Roles CloudFormation creates for the product are named `<stack name>-<id>-<suffix>`. These
// calls neither create a role nor add to what one may do. `UpdateAssumeRolePolicy` takes no
// `iam:PermissionsBoundary` condition (AWS's service authorization reference lists none for it),
// so it stays here: a role whose trust it changes is still held by its boundary.
const PRODUCT_ROLES: Grant = Grant {
    part: Part::Compute,
    sid: "ManageProductRoles",
    actions: &[
        "iam:DeleteRole",
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:ListRolePolicies",
        "iam:ListRoleTags",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
    ],
    on: On::Arn(PRODUCT_ROLE_ARNS),
};

const PRODUCT_ROLE_ARNS: &str = "iam::${AWS::AccountId}:role/{prefix}*";

/// The calls that create a role or add to what a role may do: allowed only on roles that carry
/// the access stack's permissions boundary (`iam:PermissionsBoundary`), and denied on any other
/// role by the guardrail.
pub(super) const BOUNDED_ROLE_GROWTH: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
];

// Nested stacks of a root stack are created by CloudFormation with this role.
const NESTED_STACKS: Grant = Grant {
    part: Part::Compute,
    sid: "ManageNestedProductStacks",
    actions: &[
        "cloudformation:CreateStack",
        "cloudformation:DeleteStack",
        "cloudformation:DescribeStacks",
        "cloudformation:GetStackPolicy",
        "cloudformation:GetTemplate",
        "cloudformation:SetStackPolicy",
        "cloudformation:UpdateStack",
    ],
    on: On::Arn("cloudformation:${AWS::Region}:${AWS::AccountId}:stack/{prefix}*/*"),
};

const PUBLIC_PARAMETERS: Grant = Grant {
    part: Part::Compute,
    sid: "ReadPublicParameters",
    actions: &["ssm:GetParameter", "ssm:GetParameters"],
    on: On::Arn("ssm:${AWS::Region}::parameter/aws/service/*"),
};

fn compute(model: &Model, needs: &Needs) -> Vec<Value> {
    let p = prefix(model);
    let mut s: Vec<Value> = [PRODUCT_ROLES, NESTED_STACKS, PUBLIC_PARAMETERS]
        .iter()
        .map(|g| statement(g, model))
        .collect();
    let roles = arn(&PRODUCT_ROLE_ARNS.replace("{prefix}", &p));
    let bounded = json!({"iam:PermissionsBoundary": boundary_arn(model)});
    // Removing a policy takes nothing away from the boundary's protection, but it is held to the
    // same condition, so no call on an unbounded role is left that changes its policies.
    s.push(allow_if(
        "ChangeBoundedProductRoles",
        &[
            "iam:CreateRole",
            "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy",
            "iam:PutRolePermissionsBoundary",
            "iam:PutRolePolicy",
        ],
        roles.clone(),
        json!({"StringEquals": bounded.clone()}),
    ));
    if !needs.attached_policies.is_empty() {
        // Only the AWS managed policies the modules declare, never an administrator policy.
        let attachable: Vec<Value> = needs
            .attached_policies
            .iter()
            .map(|policy| arn(policy))
            .collect();
        s.push(allow_if(
            "AttachDeclaredPolicies",
            &["iam:AttachRolePolicy"],
            roles.clone(),
            json!({"StringEquals": bounded, "ArnEquals": {"iam:PolicyARN": attachable}}),
        ));
    }
    if !needs.passes_roles_to.is_empty() {
        s.push(allow_if(
            "PassProductRoles",
            &["iam:PassRole"],
            roles,
            json!({"StringEquals": {"iam:PassedToService": needs.passes_roles_to}}),
        ));
    }
    if !needs.service_linked_roles.is_empty() {
        s.push(allow_if(
            "CreateServiceLinkedRoles",
            &["iam:CreateServiceLinkedRole"],
            arn("iam::${AWS::AccountId}:role/aws-service-role/*"),
            json!({"StringEquals": {"iam:AWSServiceName": needs.service_linked_roles}}),
        ));
    }
    s
}

/// The actions CloudFormation calls for the resource types every product stack uses (keys, log
/// groups and roles in several modules, nested stacks in the root); the foundation grants them.
pub const RESOURCE_ACTIONS: &[ResourceActions] = &[
    (
        "AWS::KMS::Key",
        &[
            "kms:CreateKey",
            "kms:ListAliases",
            "kms:ListKeys",
            "kms:DescribeKey",
            "kms:EnableKey",
            "kms:EnableKeyRotation",
            "kms:GetKeyRotationStatus",
            "kms:GetKeyPolicy",
            "kms:PutKeyPolicy",
            "kms:UpdateKeyDescription",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:ListResourceTags",
        ],
    ),
    (
        "AWS::Logs::LogGroup",
        &[
            "logs:CreateLogGroup",
            "logs:DescribeLogGroups",
            "logs:DescribeResourcePolicies",
            "logs:DescribeIndexPolicies",
            "logs:GetDataProtectionPolicy",
            "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:TagLogGroup",
            "logs:UntagLogGroup",
            "logs:ListTagsLogGroup",
            "logs:TagResource",
            "logs:UntagResource",
            "logs:ListTagsForResource",
        ],
    ),
    (
        "AWS::IAM::Role",
        &[
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:GetRole",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateAssumeRolePolicy",
            "iam:PutRolePolicy",
            "iam:GetRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:ListRolePolicies",
            // `iam:AttachRolePolicy` only for a role with `ManagedPolicyArns` (the coverage tests
            // ask for it there), granted only for the policies the modules declare.
            "iam:DetachRolePolicy",
            // Every product role carries the boundary; an update that sets it on an existing
            // role (every stack deployed before it existed) calls this.
            "iam:PutRolePermissionsBoundary",
            "iam:ListAttachedRolePolicies",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:ListRoleTags",
        ],
    ),
    (
        "AWS::CloudFormation::Stack",
        &[
            "cloudformation:CreateStack",
            "cloudformation:UpdateStack",
            "cloudformation:DeleteStack",
            "cloudformation:DescribeStacks",
            "cloudformation:GetTemplate",
            "cloudformation:GetStackPolicy",
            "cloudformation:SetStackPolicy",
            // The nested templates, read from the artifact bucket.
            "s3:GetObject",
            "s3:GetObjectVersion",
            "kms:Decrypt",
        ],
    ),
];
