//! The audit trail, in the access stack: a multi-region CloudTrail trail with log file
//! validation into a retained, KMS-encrypted bucket, with a copy in CloudWatch Logs. The key and
//! the bucket accept only CloudTrail of this account.
//!
//! It records what the vendor does, so it belongs to the customer: it is created by the stack
//! the customer launches and updates, and neither vendor role nor any product role may change,
//! read or stop it (`denies`). In a product stack the execution role would have to manage it,
//! and every grant that creates a trail also reconfigures it (`UpdateTrail`,
//! `PutEventSelectors`, the bucket's policy and lifecycle, the log group's retention).

use serde_json::{Value, json};

use crate::cfn::func::{get_att, r#ref, sub};
use crate::cfn::{Policy, Resource, Template};
use crate::modules::secure;

/// Days CloudTrail logs are kept. PCI DSS 10.5.1 asks for twelve months.
const AUDIT_LOG_DAYS: u32 = 365;

/// What `TrailLogRole` may do (on the trail's log group only).
const TRAIL_ROLE_ACTIONS: &[&str] = &["logs:CreateLogStream", "logs:PutLogEvents"];

/// The CloudTrail service of this account, the source of the trail's calls.
fn trail_condition() -> Value {
    json!({
        "StringEquals": {"aws:SourceAccount": r#ref("AWS::AccountId")},
        "ArnLike": {"aws:SourceArn": sub("arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/*")},
    })
}

pub(super) fn build(t: &mut Template) {
    let mut encrypt = trail_condition();
    encrypt["StringLike"] = json!({
        "kms:EncryptionContext:aws:cloudtrail:arn":
            sub("arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*"),
    });
    t.add_resource(
        "TrailKey",
        secure::customer_key(
            sub("Encrypts the CloudTrail log and digest files of ${AWS::StackName}"),
            vec![
                json!({
                    "Sid": "CloudTrailEncryptsLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "kms:GenerateDataKey*",
                    "Resource": "*",
                    "Condition": encrypt,
                }),
                json!({
                    "Sid": "CloudTrailDescribesKey",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "kms:DescribeKey",
                    "Resource": "*",
                    "Condition": trail_condition(),
                }),
                // The trail's copy in CloudWatch Logs is encrypted with the same key.
                secure::logs_use_key(),
            ],
        ),
        None,
    );
    t.add_resource(
        "TrailBucket",
        secure::private_bucket(
            secure::sse_kms("TrailKey"),
            json!({
                "Id": "expire-audit-logs",
                "Status": "Enabled",
                "ExpirationInDays": AUDIT_LOG_DAYS,
                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            }),
        ),
        None,
    );
    if let Some(bucket) = t.resources.get_mut("TrailBucket") {
        bucket.properties["LoggingConfiguration"] = super::server_access_logs("TrailBucket");
    }
    let mut write = trail_condition();
    write["StringEquals"]["s3:x-amz-acl"] = json!("bucket-owner-full-control");
    t.add_resource(
        "TrailBucketPolicy",
        Resource::new(
            "AWS::S3::BucketPolicy",
            json!({
                "Bucket": r#ref("TrailBucket"),
                "PolicyDocument": secure::document(vec![
                    json!({
                        "Sid": "CloudTrailChecksAcl",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "s3:GetBucketAcl",
                        "Resource": get_att("TrailBucket", "Arn"),
                        "Condition": trail_condition(),
                    }),
                    json!({
                        "Sid": "CloudTrailWrites",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": sub("${TrailBucket.Arn}/AWSLogs/${AWS::AccountId}/*"),
                        "Condition": write,
                    }),
                    secure::deny_insecure_transport("TrailBucket"),
                ]),
            }),
        ),
        None,
    );
    // CloudTrail checks the bucket policy when the trail is created. The trail is retained:
    // it records what the vendor does, so removing it is the customer's decision.
    // A copy of the trail in CloudWatch Logs, where alarms and queries can react to API calls
    // within minutes; the S3 files remain the record.
    t.add_resource(
        "TrailLogGroup",
        Resource::new(
            "AWS::Logs::LogGroup",
            json!({"KmsKeyId": get_att("TrailKey", "Arn"), "RetentionInDays": AUDIT_LOG_DAYS}),
        )
        .keep(Policy::Retain),
        None,
    );
    // Every statement of the access stack has a `Sid`: docs/access.md names each one.
    let mut trust = secure::service_trust(
        "cloudtrail.amazonaws.com",
        "arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/*",
    );
    trust["Statement"][0]["Sid"] = json!("CloudTrailOfThisAccount");
    t.add_resource(
        "TrailLogRole",
        Resource::new(
            "AWS::IAM::Role",
            json!({
                "Description": "Lets CloudTrail deliver the trail to its log group",
                "AssumeRolePolicyDocument": trust,
                "Policies": [{
                    "PolicyName": "deliver-trail",
                    "PolicyDocument": secure::document(vec![json!({
                        "Sid": "DeliverTrailToLogGroup",
                        "Effect": "Allow",
                        "Action": TRAIL_ROLE_ACTIONS,
                        "Resource": sub("${TrailLogGroup.Arn}"),
                    })]),
                }],
            }),
        ),
        None,
    );
    t.add_resource(
        "Trail",
        Resource::new(
            "AWS::CloudTrail::Trail",
            json!({
                "IsLogging": true,
                "IsMultiRegionTrail": true,
                "IncludeGlobalServiceEvents": true,
                "EnableLogFileValidation": true,
                "KMSKeyId": get_att("TrailKey", "Arn"),
                "S3BucketName": r#ref("TrailBucket"),
                "CloudWatchLogsLogGroupArn": get_att("TrailLogGroup", "Arn"),
                "CloudWatchLogsRoleArn": get_att("TrailLogRole", "Arn"),
            }),
        )
        .depends_on("TrailBucketPolicy")
        .keep(Policy::Retain),
        None,
    );
}

/// Denies the vendor roles and every product role any call on the trail and on what holds its
/// records: the trail itself, its bucket and objects, its key, its log group (the copy in
/// CloudWatch Logs lists every API call of the account, in every region, so reading it is
/// denied too) and the role that delivers to it. CloudFormation names the bucket and the log
/// group after this stack, which the customer may name with the product's prefix: without this
/// statement the grants on `<product>-<environment>-*` would reach them.
pub(super) fn deny() -> Value {
    json!({
        "Sid": "NeverTouchAuditTrail",
        "Effect": "Deny",
        "Action": ["cloudtrail:*", "iam:*", "kms:*", "logs:*", "s3:*"],
        "Resource": [
            get_att("Trail", "Arn"),
            get_att("TrailBucket", "Arn"),
            sub("${TrailBucket.Arn}/*"),
            get_att("TrailKey", "Arn"),
            // `Arn` ends with `:*` (the log streams); some calls name the group without it.
            get_att("TrailLogGroup", "Arn"),
            sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${TrailLogGroup}"),
            get_att("TrailLogRole", "Arn"),
        ],
    })
}
