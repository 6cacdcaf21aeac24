//! The compliance hook of the access stack: a CloudFormation Guard hook that evaluates byoa's
//! rules against every create and update of the product's stacks, its role and its report
//! bucket, and the denies that keep both vendor roles away from it. Built only when the spec
//! sets `compliance.enforce_in_account`; the hook itself only when the customer switches it on.

use serde_json::{Value, json};

use super::{allow, allow_if, prefix, server_access_logs};
use crate::cfn::func::{equals, get_att, if_, no_value, not, r#ref, sub};
use crate::cfn::{Parameter, Resource, Template};
use crate::modules::secure::{self, document};
use crate::naming::{RULE_FILE_KEY, camel};
use crate::spec::Model;

pub(super) const GROUP_COMPLIANCE: &str = "Compliance enforcement";

/// Condition: the customer switched the compliance hook on (`EnforceCompliance` = `true`).
pub(super) const ENFORCED: &str = "ComplianceEnforced";

/// Condition: the customer pinned the rule file to one S3 object version.
pub(super) const PINNED: &str = "RuleFilePinned";

/// The CloudFormation registry calls that create, reconfigure, disable or remove a hook. Neither
/// vendor role needs any of them; both are explicitly denied them so no later grant can undo it.
pub(super) const HOOK_ADMIN_ACTIONS: &[&str] = &[
    "cloudformation:ActivateType",
    "cloudformation:DeactivateType",
    "cloudformation:DeregisterType",
    "cloudformation:RegisterType",
    "cloudformation:SetTypeConfiguration",
    "cloudformation:SetTypeDefaultVersion",
];

/// Deny statements that keep a vendor role away from the compliance hook: the registry calls
/// that would reconfigure or deactivate it (these take no hook-specific resource, so `*`), and
/// its report bucket (the reports are the customer's evidence).
pub(super) fn hook_denies() -> Vec<Value> {
    vec![
        json!({
            "Sid": "NeverChangeComplianceHook",
            "Effect": "Deny",
            "Action": HOOK_ADMIN_ACTIONS,
            "Resource": "*",
        }),
        json!({
            "Sid": "NeverTouchComplianceReports",
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": [
                get_att("GuardHookLogBucket", "Arn"),
                sub("${GuardHookLogBucket.Arn}/*"),
            ],
        }),
    ]
}

/// The compliance hook: byoa's Guard rules, evaluated by CloudFormation itself before every
/// create and update of the product's stacks, so a non-compliant change is refused even when
/// someone edits a stack by hand (console, CLI) instead of deploying with byoa.
///
/// First launch. A Guard hook needs its rule file to exist, and the vendor can upload it only
/// once this stack has created the artifact bucket (and the deployer role allowed to write it).
/// So the hook itself is created only when the customer sets `EnforceCompliance` to `true`
/// (default `false`): launch the stack, let the vendor upload the rules (byoa does it with every
/// deployment, to `RuleFileS3Uri`), then update this stack with `EnforceCompliance=true`. That
/// is how a cloud admin expects a blocking control to arrive: created by the admin, when the
/// admin decides, and switched off the same way if it ever has to be (the vendor cannot: the
/// deployer role may not change this stack). The role and the report bucket exist from the first
/// launch, so the roles' guardrails can name them and switching the hook off and on again
/// neither orphans a retained bucket nor changes the role the hook uses.
///
/// Which rules. By default the hook reads the newest version of the rule file, so the vendor's
/// rule updates apply at once; that also means the vendor decides what the rules say. A customer
/// who wants to review the rules first pins one version with `RuleFileVersion` (S3 versions are
/// immutable and neither vendor role can delete one); an unpinned hook still cannot be switched
/// off by the vendor.
///
/// What it checks. `TargetOperations: [STACK]`: the hook then receives the whole proposed
/// template, which is exactly what byoa's rules are written against (`Resources.*[Type == ...]`,
/// with cross-resource checks such as "every bucket has a TLS-only bucket policy") and what
/// `byoa check` evaluates. Resource-level targets receive one resource at a time, with resolved
/// properties, where those rules would either select nothing or fail every bucket. Deletions are
/// not evaluated (there is no template to check; removing a product stack is not a compliance
/// change). Stacks are filtered by name: only `<product>-<environment>-*`, which is every stack
/// the deployer role may create (nested stacks included), never this stack itself (the
/// customer's control plane, launched by the customer) nor the customer's other stacks.
pub(super) fn compliance_hook(t: &mut Template, model: &Model) {
    let p = prefix(model);
    t.add_parameter(
        "EnforceCompliance",
        Parameter::new(
            "String",
            GROUP_COMPLIANCE,
            "Enforce compliance rules",
            "true creates the CloudFormation Guard hook that refuses any create or update of the product's stacks that breaks its compliance rules. Leave false on the first launch: set true (update this stack) once the vendor has uploaded the rule file to the location in the RuleFileS3Uri output.",
        )
        .allowed_values(["false", "true"])
        .default("false"),
    );
    t.add_parameter(
        "RuleFileVersion",
        Parameter::new(
            "String",
            GROUP_COMPLIANCE,
            "Rule file version (optional)",
            "Empty: the hook always uses the newest rule file the vendor uploaded. An S3 version ID of the rule file: the hook uses exactly that version, which the vendor cannot change; pin again after reviewing a newer one (replaced versions expire from the bucket after 90 days).",
        )
        .default("")
        .pattern(
            "[A-Za-z0-9._+/=~-]*",
            "an S3 object version ID, or empty",
        )
        .length(0, 1024),
    );
    t.add_condition(ENFORCED, equals(r#ref("EnforceCompliance"), json!("true")));
    t.add_condition(PINNED, not(equals(r#ref("RuleFileVersion"), json!(""))));

    // Reports are the customer's audit evidence: their own bucket, which no vendor role may
    // read or write (a prefix of the artifact bucket would be writable by the deployer role).
    // Encrypted with the artifact key the hook already decrypts the rules with.
    t.add_resource(
        "GuardHookLogBucket",
        secure::private_bucket(
            secure::sse_kms("ArtifactKey"),
            json!({
                "Id": "expire-hook-reports",
                "Status": "Enabled",
                "ExpirationInDays": 365,
                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            }),
        ),
        None,
    );
    if let Some(bucket) = t.resources.get_mut("GuardHookLogBucket") {
        bucket.properties["LoggingConfiguration"] = server_access_logs("GuardHookLogBucket");
    }
    t.add_resource(
        "GuardHookLogBucketPolicy",
        Resource::new(
            "AWS::S3::BucketPolicy",
            json!({
                "Bucket": r#ref("GuardHookLogBucket"),
                "PolicyDocument": document(vec![secure::deny_insecure_transport("GuardHookLogBucket")]),
            }),
        ),
        None,
    );

    let via_s3 =
        json!({"StringEquals": {"kms:ViaService": sub("s3.${AWS::Region}.amazonaws.com")}});
    // Only `aws:SourceAccount`: AWS documents no `aws:SourceArn` for hooks, and a condition on a
    // key the service does not send would stop the hook from assuming the role.
    t.add_resource(
        "GuardHookRole",
        Resource::new(
            "AWS::IAM::Role",
            json!({
                "Description": format!("Used by the CloudFormation Guard hook of {} ({}) to read its rule file and write its reports", model.product, model.environment),
                "AssumeRolePolicyDocument": document(vec![json!({
                    "Sid": "CloudFormationHooksOfThisAccount",
                    "Effect": "Allow",
                    "Principal": {"Service": "hooks.cloudformation.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": r#ref("AWS::AccountId")}},
                })]),
                "Policies": [{
                    "PolicyName": "read-rules-write-reports",
                    "PolicyDocument": document(vec![
                        allow(
                            "ReadRuleFile",
                            &["s3:GetObject", "s3:GetObjectVersion"],
                            sub(&format!("${{ArtifactBucket.Arn}}/{RULE_FILE_KEY}")),
                        ),
                        // AWS's minimum policy for a Guard hook lists the rule bucket; limited
                        // to the rule file's own key, so no other object name is revealed.
                        allow_if(
                            "FindRuleFile",
                            &["s3:ListBucket"],
                            get_att("ArtifactBucket", "Arn"),
                            json!({"StringEquals": {"s3:prefix": RULE_FILE_KEY}}),
                        ),
                        allow(
                            "WriteReports",
                            &["s3:PutObject"],
                            sub("${GuardHookLogBucket.Arn}/*"),
                        ),
                        allow_if(
                            "UseArtifactKeyThroughS3",
                            &["kms:Decrypt", "kms:GenerateDataKey"],
                            get_att("ArtifactKey", "Arn"),
                            via_s3,
                        ),
                    ]),
                }],
            }),
        ),
        None,
    );

    t.add_resource(
        "GuardHook",
        Resource::new(
            "AWS::CloudFormation::GuardHook",
            json!({
                "Alias": hook_alias(model),
                "ExecutionRole": get_att("GuardHookRole", "Arn"),
                "FailureMode": "FAIL",
                "HookStatus": "ENABLED",
                "LogBucket": r#ref("GuardHookLogBucket"),
                "RuleLocation": {
                    "Uri": rule_file_uri(),
                    "VersionId": if_(PINNED, r#ref("RuleFileVersion"), no_value()),
                },
                "StackFilters": {
                    "FilteringCriteria": "ALL",
                    "StackNames": {
                        "Include": [format!("{p}*")],
                        "Exclude": [r#ref("AWS::StackName")],
                    },
                },
                "TargetFilters": {"Actions": ["CREATE", "UPDATE"]},
                "TargetOperations": ["STACK"],
            }),
        )
        .condition(ENFORCED),
        None,
    );
}

/// The hook's type alias: three segments of 2 to 64 letters and digits, not starting with `AWS`,
/// unique per account and region, so it names the environment too (a customer may run several
/// environments of one product in one account): `Byoa::AcmeApiProd::Compliance`. Product (at
/// most 32 characters) and environment (at most 16) keep the middle segment within 64.
pub(super) fn hook_alias(model: &Model) -> String {
    format!(
        "Byoa::{}{}::Compliance",
        camel(&model.product),
        camel(&model.environment)
    )
}

/// `s3://<artifact bucket>/guard/byoa-rules.guard`.
pub(super) fn rule_file_uri() -> Value {
    sub(&format!("s3://${{ArtifactBucket}}/{RULE_FILE_KEY}"))
}
