//! What the monitoring stack needs from the access stack: alarms, the topic, the dashboard and
//! the deployment events rule. (The audit trail is in the access stack: the execution role
//! needs nothing for it.)

use crate::modules::needs::{Grant, Needs, On, Part, ResourceActions};
use crate::spec::Model;

pub(super) fn needs(model: &Model) -> Needs {
    let mut needs = Needs {
        grants: vec![DESCRIBE_MONITORING, MANAGE_ALARMS, PRODUCT_TOPICS],
        ..Needs::default()
    };
    needs.grant_if(
        model.monitoring.dashboard,
        "monitoring.dashboard",
        &[DASHBOARDS],
    );
    if !model.services.is_empty() {
        needs.grants.push(EVENT_RULES);
    }
    needs
}

const DESCRIBE_MONITORING: Grant = Grant {
    part: Part::Monitoring,
    sid: "DescribeMonitoring",
    actions: &[
        "cloudwatch:DescribeAlarms",
        "cloudwatch:GetMetricData",
        "sns:ListSubscriptions",
        "sns:ListTopics",
    ],
    on: On::Any,
};

// CloudFormation names the alarms after the stack; Application Auto Scaling creates the
// target-tracking alarms with the caller's permissions, named after the scaled service
// (`TargetTracking-service/<cluster>/<service>-...`, the cluster named after its stack).
const MANAGE_ALARMS: Grant = Grant {
    part: Part::Monitoring,
    sid: "ManageAlarms",
    actions: &[
        "cloudwatch:DeleteAlarms",
        "cloudwatch:ListTagsForResource",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:TagResource",
        "cloudwatch:UntagResource",
    ],
    on: On::Arns(&[
        "cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:{prefix}*",
        "cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:TargetTracking-service/{prefix}*",
    ]),
};

const PRODUCT_TOPICS: Grant = Grant {
    part: Part::Monitoring,
    sid: "ManageProductTopics",
    actions: &[
        "sns:CreateTopic",
        "sns:DeleteTopic",
        "sns:GetDataProtectionPolicy",
        "sns:GetSubscriptionAttributes",
        "sns:GetTopicAttributes",
        "sns:ListSubscriptionsByTopic",
        "sns:ListTagsForResource",
        "sns:SetSubscriptionAttributes",
        "sns:SetTopicAttributes",
        "sns:Subscribe",
        "sns:TagResource",
        "sns:Unsubscribe",
        "sns:UntagResource",
    ],
    on: On::Arn("sns:${AWS::Region}:${AWS::AccountId}:{prefix}*"),
};

const DASHBOARDS: Grant = Grant {
    part: Part::Monitoring,
    sid: "ManageDashboards",
    actions: &[
        "cloudwatch:DeleteDashboards",
        "cloudwatch:GetDashboard",
        "cloudwatch:ListDashboards",
        "cloudwatch:PutDashboard",
    ],
    on: On::Arn("cloudwatch::${AWS::AccountId}:dashboard/*"),
};

const EVENT_RULES: Grant = Grant {
    part: Part::Monitoring,
    sid: "ManageEventRules",
    actions: &[
        "events:DeleteRule",
        "events:DescribeRule",
        "events:ListTagsForResource",
        "events:ListTargetsByRule",
        "events:PutRule",
        "events:PutTargets",
        "events:RemoveTargets",
        "events:TagResource",
        "events:UntagResource",
    ],
    // CloudFormation names the rules after the stack.
    on: On::Arn("events:${AWS::Region}:${AWS::AccountId}:rule/{prefix}*"),
};

/// The actions CloudFormation calls for each resource type the monitoring stack emits.
pub const RESOURCE_ACTIONS: &[ResourceActions] = &[
    (
        "AWS::SNS::Topic",
        &[
            "sns:CreateTopic",
            "sns:DeleteTopic",
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:GetDataProtectionPolicy",
            "sns:ListTopics",
            "sns:ListSubscriptionsByTopic",
            "sns:TagResource",
            "sns:UntagResource",
            "sns:ListTagsForResource",
        ],
    ),
    (
        "AWS::SNS::TopicPolicy",
        &["sns:SetTopicAttributes", "sns:GetTopicAttributes"],
    ),
    (
        "AWS::SNS::Subscription",
        &[
            "sns:Subscribe",
            "sns:Unsubscribe",
            "sns:GetSubscriptionAttributes",
            "sns:SetSubscriptionAttributes",
            "sns:ListSubscriptions",
            "sns:ListSubscriptionsByTopic",
        ],
    ),
    (
        "AWS::CloudWatch::Alarm",
        &[
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DeleteAlarms",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:GetMetricData",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
            "cloudwatch:ListTagsForResource",
        ],
    ),
    (
        "AWS::CloudWatch::Dashboard",
        &[
            "cloudwatch:PutDashboard",
            "cloudwatch:GetDashboard",
            "cloudwatch:DeleteDashboards",
            "cloudwatch:ListDashboards",
        ],
    ),
    (
        "AWS::Events::Rule",
        &[
            "events:PutRule",
            "events:DeleteRule",
            "events:DescribeRule",
            "events:PutTargets",
            "events:RemoveTargets",
            "events:ListTargetsByRule",
            "events:TagResource",
            "events:UntagResource",
            "events:ListTagsForResource",
        ],
    ),
];
