//! Denies of the execution role's guardrail that keep it on this product and environment: the
//! stacks and roles of another spec's environment that shares the name prefix, and the tags
//! every tag condition of the access stack relies on.

use serde_json::{Value, json};

use super::{arn, prefix};
use crate::spec::Model;

/// Another spec's environment can share this one's prefix (`prod` of one spec and `prod-eu` of
/// another; within one spec `env.overlap` refuses it), and so the execution role's grants on
/// `<prefix>*` names. Its stacks and roles carry its own `byoa:` tags: deny every call on a
/// stack or role whose tag is present and says another product or environment. (A negated
/// operator alone would also match a role being created, which has no tags yet: hence `Null`.)
pub(super) fn never_touch_other_environments(model: &Model) -> Vec<Value> {
    let p = prefix(model);
    let resources = json!([
        arn(&format!("iam::${{AWS::AccountId}}:role/{p}*")),
        arn(&format!(
            "cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{p}*/*"
        )),
    ]);
    [
        ("NeverTouchOtherProducts", "byoa:product", &model.product),
        (
            "NeverTouchOtherEnvironments",
            "byoa:environment",
            &model.environment,
        ),
    ]
    .into_iter()
    .map(|(sid, tag, ours)| {
        let key = format!("aws:ResourceTag/{tag}");
        json!({
            "Sid": sid,
            "Effect": "Deny",
            "Action": ["cloudformation:*", "iam:*"],
            "Resource": resources,
            "Condition": {"Null": {&key: "false"}, "StringNotEquals": {&key: ours}},
        })
    })
    .collect()
}

/// The calls that remove tags, for every service whose resources the product's stacks tag.
const UNTAG_ACTIONS: &[&str] = &[
    "application-autoscaling:UntagResource",
    "cloudformation:UntagResource",
    "cloudwatch:UntagResource",
    "ec2:DeleteTags",
    "ecr:UntagResource",
    "ecs:UntagResource",
    "elasticloadbalancing:RemoveTags",
    "events:UntagResource",
    "iam:UntagPolicy",
    "iam:UntagRole",
    "kms:UntagResource",
    "logs:UntagResource",
    "rds:RemoveTagsFromResource",
    "secretsmanager:UntagResource",
    "servicediscovery:UntagResource",
    "sns:UntagResource",
    "wafv2:UntagResource",
];

/// byoa's product and environment tags decide what the execution role may change (keys,
/// network resources, other environments' stacks and roles): removing one would take a
/// resource out of those conditions, so no call may remove them. Other tags come and go.
pub(super) fn never_untag_the_product() -> Value {
    json!({
        "Sid": "NeverUntagTheProduct",
        "Effect": "Deny",
        "Action": UNTAG_ACTIONS,
        "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["byoa:product", "byoa:environment"]}},
    })
}
