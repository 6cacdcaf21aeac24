//! Secure building blocks shared by the module compilers: a customer-managed key, a private
//! bucket, the TLS-only bucket statement and a service trust policy limited to this account.
//!
//! Each is the one place its shape is decided, so a hardening (a new condition, a lifecycle
//! default) reaches every stack at once and the compliance rules see one pattern.

use serde_json::{Value, json};

use crate::cfn::func::{get_att, r#ref, sub};
use crate::cfn::{Policy, Resource};
use crate::modules::needs::{Grant, On, Part, ResourceActions};

/// An IAM or resource policy document.
pub fn document(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A customer-managed KMS key with rotation, administered by the account (the AWS default key
/// policy statement, which lets IAM policies grant its use) and used by `users` (key policy
/// statements for services). Kept when removed or replaced: data encrypted with it would
/// otherwise become unreadable.
pub fn customer_key(description: Value, users: Vec<Value>) -> Resource {
    let mut statements = vec![json!({
        "Sid": "AccountAdministers",
        "Effect": "Allow",
        "Principal": {"AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
        "Action": "kms:*",
        "Resource": "*",
    })];
    statements.extend(users);
    Resource::new(
        "AWS::KMS::Key",
        json!({
            "Description": description,
            "EnableKeyRotation": true,
            "KeyPolicy": document(statements),
        }),
    )
    .keep(Policy::Retain)
}

/// Key policy statement: CloudWatch Logs of this region may use the key for this account's log
/// groups only.
pub fn logs_use_key() -> Value {
    logs_use_key_for(sub(
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*",
    ))
}

/// Key policy statement: CloudWatch Logs of this region may use the key for the log groups
/// whose ARNs match `groups` (one pattern or a list); CloudWatch Logs names the group's ARN in
/// the encryption context of every call.
pub fn logs_use_key_for(groups: Value) -> Value {
    json!({
        "Sid": "CloudWatchLogsEncrypts",
        "Effect": "Allow",
        "Principal": {"Service": sub("logs.${AWS::Region}.amazonaws.com")},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {"ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": groups,
        }},
    })
}

/// Bucket encryption with the customer-managed key `key` (a logical id).
pub fn sse_kms(key: &str) -> Value {
    json!({"ServerSideEncryptionConfiguration": [{
        "ServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms",
            "KMSMasterKeyID": get_att(key, "Arn"),
        },
        "BucketKeyEnabled": true,
    }]})
}

/// Bucket encryption with S3-managed keys (for writers that cannot use KMS, such as load
/// balancer access logs).
pub fn sse_s3() -> Value {
    json!({"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}},
    ]})
}

/// What CloudFormation calls to manage a log group with a key, a retention and tags (no
/// `DeleteLogGroup`: log groups are retained).
pub const LOG_GROUP_ACTIONS: &[&str] = &[
    "logs:AssociateKmsKey",
    "logs:CreateLogGroup",
    "logs:DeleteRetentionPolicy",
    "logs:DescribeIndexPolicies",
    "logs:DisassociateKmsKey",
    "logs:GetDataProtectionPolicy",
    "logs:ListTagsForResource",
    "logs:ListTagsLogGroup",
    "logs:PutRetentionPolicy",
    "logs:TagLogGroup",
    "logs:TagResource",
    "logs:UntagLogGroup",
    "logs:UntagResource",
];

/// What CloudFormation needs to manage `private_bucket`s: bucket names CloudFormation generates
/// are the lowercased stack name plus a suffix. No DeleteBucket (buckets are retained) and no
/// object access.
pub const PRODUCT_BUCKETS: Grant = Grant {
    part: Part::Data,
    sid: "ManageProductBuckets",
    actions: &[
        "s3:CreateBucket",
        "s3:DeleteBucketPolicy",
        "s3:GetAccelerateConfiguration",
        "s3:GetAnalyticsConfiguration",
        "s3:GetBucketAcl",
        "s3:GetBucketCORS",
        "s3:GetBucketLogging",
        "s3:GetBucketNotification",
        "s3:GetBucketObjectLockConfiguration",
        "s3:GetBucketOwnershipControls",
        "s3:GetBucketPolicy",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketTagging",
        "s3:GetBucketVersioning",
        "s3:GetBucketWebsite",
        "s3:GetEncryptionConfiguration",
        "s3:GetIntelligentTieringConfiguration",
        "s3:GetInventoryConfiguration",
        "s3:GetLifecycleConfiguration",
        "s3:GetMetricsConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:ListBucket",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketPolicy",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketTagging",
        "s3:PutBucketVersioning",
        "s3:PutEncryptionConfiguration",
        "s3:PutLifecycleConfiguration",
    ],
    on: On::Arn("s3:::{bucket_prefix}*"),
};

/// The actions CloudFormation calls for the bucket types `private_bucket` and its policies use.
pub const RESOURCE_ACTIONS: &[ResourceActions] = &[
    (
        "AWS::S3::Bucket",
        &[
            "s3:CreateBucket",
            "s3:ListBucket",
            "s3:GetAccelerateConfiguration",
            "s3:GetAnalyticsConfiguration",
            "s3:GetBucketAcl",
            "s3:GetBucketCORS",
            "s3:GetBucketLogging",
            "s3:GetBucketNotification",
            "s3:GetBucketObjectLockConfiguration",
            "s3:GetBucketOwnershipControls",
            "s3:PutBucketOwnershipControls",
            "s3:GetBucketPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
            "s3:GetBucketTagging",
            "s3:PutBucketTagging",
            "s3:GetBucketVersioning",
            "s3:PutBucketVersioning",
            "s3:GetBucketWebsite",
            "s3:GetEncryptionConfiguration",
            "s3:PutEncryptionConfiguration",
            "s3:GetIntelligentTieringConfiguration",
            "s3:GetInventoryConfiguration",
            "s3:GetLifecycleConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:GetMetricsConfiguration",
            "s3:GetReplicationConfiguration",
        ],
    ),
    (
        "AWS::S3::BucketPolicy",
        &[
            "s3:PutBucketPolicy",
            "s3:GetBucketPolicy",
            "s3:DeleteBucketPolicy",
        ],
    ),
];

/// A private bucket: encrypted, all public access blocked, ACLs disabled, versioned, expiring
/// by `lifecycle` (one lifecycle rule), kept when removed or replaced.
pub fn private_bucket(encryption: Value, lifecycle: Value) -> Resource {
    Resource::new(
        "AWS::S3::Bucket",
        json!({
            "BucketEncryption": encryption,
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": true, "BlockPublicPolicy": true,
                "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": {"Rules": [lifecycle]},
        }),
    )
    .keep(Policy::Retain)
}

/// Bucket policy statement refusing any request to `bucket` (a logical id) not made over TLS.
pub fn deny_insecure_transport(bucket: &str) -> Value {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [get_att(bucket, "Arn"), sub(&format!("${{{bucket}.Arn}}/*"))],
        "Condition": {"Bool": {"aws:SecureTransport": false}},
    })
}

/// Trust policy for a role that `service` assumes on behalf of this account only, for the
/// resources matching `source_arn` (the confused-deputy guard AWS documents).
pub fn service_trust(service: &str, source_arn: &str) -> Value {
    document(vec![json!({
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": r#ref("AWS::AccountId")},
            "ArnLike": {"aws:SourceArn": sub(source_arn)},
        },
    })])
}
