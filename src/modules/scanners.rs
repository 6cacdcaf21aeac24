//! Scanner metadata: one accepted deviation -> the `Metadata` keys every common scanner honours.
//!
//! Input: a resource, the reason a deviation is accepted and the ids the deviation has in
//! each tool. Output: the resource's `Metadata.guard.SuppressedRules` (cfn-guard, byoa's own
//! rules and the in-account hook), `Metadata.checkov.skip` (`{id, comment}`) and
//! `Metadata.cfn-lint.config.ignore_checks`, so every scanner skips the same resource for the
//! same reason, and `Metadata.byoa.Exceptions` keeps the reason with the template. Invariant:
//! an id is written once per resource; nothing is written for a tool the deviation has no id in.

use serde_json::{Value, json};

use crate::cfn::Resource;

/// The ids one deviation has in the scanners byoa writes metadata for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ids<'a> {
    /// cfn-guard rule names (byoa's own, and the AWS Guard rules registry's, which share the
    /// `Metadata.guard.SuppressedRules` key).
    pub guard: &'a [&'a str],
    /// checkov check ids (`CKV_AWS_18`).
    pub checkov: &'a [&'a str],
    /// cfn-lint rule ids (`I3011`).
    pub cfn_lint: &'a [&'a str],
}

/// A bucket without server access logs: byoa's and the AWS Guard rules registry's rule, and
/// checkov's check.
pub const ACCESS_LOGGING: Ids<'static> = Ids {
    guard: &["S3_BUCKET_LOGGING_ENABLED"],
    checkov: &["CKV_AWS_18"],
    cfn_lint: &[],
};

/// What byoa's rules are in checkov and cfn-lint, where the other tool checks the same thing on
/// CloudFormation (ids from checkov's CloudFormation checks and cfn-lint's rule list). A rule
/// missing here has no counterpart known to byoa: its exception reaches Guard only. Every
/// checkov id was read in checkov's `checkov/cloudformation/checks/resource/aws/` (commit
/// 03d5fdad, 2026-08-20); ids checkov implements for Terraform only (RDS logging `CKV_AWS_129`,
/// load balancer deletion protection `150`, RDS minor upgrades `226`, RDS deletion protection
/// `293`) are left out, since checkov never reports them on a template.
const EQUIVALENTS: &[(&str, &[&str], &[&str])] = &[
    (
        "ALB_HTTP_DROP_INVALID_HEADER_ENABLED",
        &["CKV_AWS_131"],
        &[],
    ),
    ("CLOUDWATCH_LOG_GROUP_ENCRYPTED", &["CKV_AWS_158"], &[]),
    ("CLOUD_TRAIL_ENCRYPTION_ENABLED", &["CKV_AWS_35"], &[]),
    (
        "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
        &["CKV_AWS_36"],
        &[],
    ),
    ("CMK_BACKING_KEY_ROTATION_ENABLED", &["CKV_AWS_7"], &[]),
    ("CW_LOGGROUP_RETENTION_PERIOD_CHECK", &["CKV_AWS_66"], &[]),
    ("ECR_PRIVATE_IMAGE_SCANNING_ENABLED", &["CKV_AWS_163"], &[]),
    ("ECR_PRIVATE_TAG_IMMUTABILITY_ENABLED", &["CKV_AWS_51"], &[]),
    ("ECR_REPOSITORY_KMS_ENCRYPTED", &["CKV_AWS_136"], &[]),
    (
        "ECS_CLUSTER_CONTAINER_INSIGHTS_ENABLED",
        &["CKV_AWS_65"],
        &[],
    ),
    ("ELB_LOGGING_ENABLED", &["CKV_AWS_91"], &[]),
    ("IAM_MUTATING_ACTIONS_SCOPED", &["CKV_AWS_111"], &[]),
    ("IAM_NO_PRIVILEGE_ESCALATION", &["CKV_AWS_110"], &[]),
    ("MULTI_REGION_CLOUD_TRAIL_ENABLED", &["CKV_AWS_67"], &[]),
    ("RDS_ENHANCED_MONITORING_ENABLED", &["CKV_AWS_118"], &[]),
    (
        "RDS_INSTANCE_IAM_AUTHENTICATION_CONFIGURED",
        &["CKV_AWS_161"],
        &[],
    ),
    ("RDS_INSTANCE_PUBLIC_ACCESS_CHECK", &["CKV_AWS_17"], &[]),
    ("RDS_MULTI_AZ_SUPPORT", &["CKV_AWS_157"], &[]),
    ("RDS_STORAGE_ENCRYPTED", &["CKV_AWS_16"], &[]),
    ("S3_BUCKET_LOGGING_ENABLED", &["CKV_AWS_18"], &[]),
    ("S3_BUCKET_VERSIONING_ENABLED", &["CKV_AWS_21"], &[]),
    ("SNS_ENCRYPTED_KMS", &["CKV_AWS_26"], &[]),
    ("STATEFUL_RESOURCES_RETAINED", &[], &["I3011"]),
];

/// checkov and cfn-lint ids of byoa rule `rule` (empty when neither checks the same thing).
pub fn equivalents(rule: &str) -> (&'static [&'static str], &'static [&'static str]) {
    EQUIVALENTS
        .iter()
        .find(|(r, _, _)| *r == rule)
        .map_or((&[], &[]), |(_, checkov, cfn_lint)| (*checkov, *cfn_lint))
}

/// The byoa rules `equivalents` maps (a test keeps them names of byoa's rules).
pub fn mapped_rules() -> impl Iterator<Item = &'static str> {
    EQUIVALENTS.iter().map(|(rule, _, _)| *rule)
}

/// Writes the deviation `ids`, accepted for `reason`, into `resource`'s metadata; `label` is
/// the name `Metadata.byoa.Exceptions` records it under (a byoa rule or a design choice).
pub fn suppress(resource: &mut Resource, label: &str, ids: Ids<'_>, reason: &str) {
    let meta = resource.metadata.get_or_insert_with(|| json!({}));
    for id in ids.guard {
        push_once(&mut meta["guard"]["SuppressedRules"], json!(id));
    }
    for id in ids.checkov {
        push_once(
            &mut meta["checkov"]["skip"],
            json!({"id": id, "comment": reason}),
        );
    }
    for id in ids.cfn_lint {
        push_once(&mut meta["cfn-lint"]["config"]["ignore_checks"], json!(id));
    }
    push_once(
        &mut meta["byoa"]["Exceptions"],
        json!({"Rule": label, "Reason": reason}),
    );
}

/// Inline role policies: flagged by the AWS Guard rules registry (IAM_NO_INLINE_POLICY_CHECK).
const INLINE_POLICIES: Ids<'static> = Ids {
    guard: &["IAM_NO_INLINE_POLICY_CHECK"],
    checkov: &[],
    cfn_lint: &[],
};

/// Buckets without cross-region replication: flagged by the AWS Guard rules registry
/// (S3_BUCKET_REPLICATION_ENABLED).
const NO_REPLICATION: Ids<'static> = Ids {
    guard: &["S3_BUCKET_REPLICATION_ENABLED"],
    checkov: &[],
    cfn_lint: &[],
};

/// Writes byoa's deliberate deviations from other rule sets into every resource of `template`
/// that has one: each role's inline policies, each bucket without replication. The network's
/// public route and port 80 say theirs where they are built (`network`).
pub fn design_choices(template: &mut crate::cfn::Template) {
    for resource in template.resources.values_mut() {
        match resource.kind.as_str() {
            "AWS::IAM::Role" if resource.properties.get("Policies").is_some() => suppress(
                resource,
                "IAM_NO_INLINE_POLICY_CHECK",
                INLINE_POLICIES,
                "a role's permissions are written inline so they exist only with that role and \
                 no other principal can attach them; the permissions boundary caps them",
            ),
            "AWS::S3::Bucket"
                if resource
                    .properties
                    .get("ReplicationConfiguration")
                    .is_none() =>
            {
                suppress(
                    resource,
                    "S3_BUCKET_REPLICATION_ENABLED",
                    NO_REPLICATION,
                    "single-region by design: the product's data stays in the region the \
                     customer chose (residency); versioning and retention protect it there",
                )
            }
            _ => {}
        }
    }
}

/// Appends `item` to the list at `slot` (made when absent) unless it is there already.
fn push_once(slot: &mut Value, item: Value) {
    if slot.is_null() {
        *slot = json!([]);
    }
    if let Some(list) = slot.as_array_mut()
        && !list.contains(&item)
    {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_deviation_reaches_every_scanner_once_with_its_reason() {
        let mut r = Resource::new("AWS::S3::Bucket", json!({}));
        let ids = Ids {
            guard: &["S3_BUCKET_LOGGING_ENABLED"],
            checkov: &["CKV_AWS_18"],
            cfn_lint: &["I3011"],
        };
        suppress(
            &mut r,
            "S3_BUCKET_LOGGING_ENABLED",
            ids,
            "the log bucket itself",
        );
        suppress(
            &mut r,
            "S3_BUCKET_LOGGING_ENABLED",
            ids,
            "the log bucket itself",
        );
        let m = r.metadata.unwrap();
        assert_eq!(
            m["guard"]["SuppressedRules"],
            json!(["S3_BUCKET_LOGGING_ENABLED"])
        );
        assert_eq!(
            m["checkov"]["skip"],
            json!([{"id": "CKV_AWS_18", "comment": "the log bucket itself"}])
        );
        assert_eq!(m["cfn-lint"]["config"]["ignore_checks"], json!(["I3011"]));
        assert_eq!(m["byoa"]["Exceptions"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn design_choices_mark_inline_policies_and_unreplicated_buckets_only() {
        let mut t = crate::cfn::Template::new("t".to_owned(), vec![]);
        t.add_resource(
            "Role",
            Resource::new("AWS::IAM::Role", json!({"Policies": []})),
            None,
        );
        t.add_resource("Bare", Resource::new("AWS::IAM::Role", json!({})), None);
        t.add_resource("Bucket", Resource::new("AWS::S3::Bucket", json!({})), None);
        let replicated = json!({"ReplicationConfiguration": {}});
        t.add_resource("Copy", Resource::new("AWS::S3::Bucket", replicated), None);
        design_choices(&mut t);
        let guard = |id: &str| {
            t.resources[id]
                .metadata
                .as_ref()
                .map(|m| m["guard"]["SuppressedRules"].clone())
        };
        assert_eq!(guard("Role"), Some(json!(["IAM_NO_INLINE_POLICY_CHECK"])));
        assert_eq!(
            guard("Bucket"),
            Some(json!(["S3_BUCKET_REPLICATION_ENABLED"]))
        );
        assert_eq!(guard("Bare"), None);
        assert_eq!(guard("Copy"), None);
    }

    #[test]
    fn byoa_rules_map_to_the_other_tools_ids() {
        assert_eq!(equivalents("RDS_MULTI_AZ_SUPPORT").0, ["CKV_AWS_157"]);
        assert_eq!(equivalents("STATEFUL_RESOURCES_RETAINED").1, ["I3011"]);
        assert!(equivalents("NO_SUCH_RULE").0.is_empty());
    }
}
