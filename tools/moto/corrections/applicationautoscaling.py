"""AWS::ApplicationAutoScaling::ScalableTarget and ScalingPolicy, emulated (see emulated.py).

- ScalableTarget: `Ref` and `Fn::GetAtt Id` return `ResourceId|ScalableDimension|ServiceNamespace`
  (e.g. `service/cluster/svc|ecs:service:DesiredCount|ecs`), the form CloudFormation uses.
- ScalingPolicy: `Ref` and `Fn::GetAtt Arn` return the policy's ARN
  (`arn:aws:autoscaling:REGION:ACCOUNT:scalingPolicy:UUID:resource/NAMESPACE/RESOURCE:policyName/NAME`).
Not emulated: registering the target and the policy with Application Auto Scaling (the service's
desired count is never changed by them).
"""

from .emulated import emulate


def target_id(t):
    p = t.properties
    return f"{p.get('ResourceId')}|{p.get('ScalableDimension')}|{p.get('ServiceNamespace')}"


emulate(
    "AWS::ApplicationAutoScaling::ScalableTarget",
    physical_id=target_id,
    attributes={"Id": target_id},
)


def policy_arn(policy):
    # ScalingTargetId is the target's `Ref`: RESOURCE|DIMENSION|NAMESPACE.
    parts = str(policy.properties.get("ScalingTargetId", "")).split("|")
    resource, namespace = parts[0], parts[-1]
    return (
        f"arn:aws:autoscaling:{policy.region_name}:{policy.account_id}:scalingPolicy:{policy.uid}:"
        f"resource/{namespace}/{resource}:policyName/{policy.name}"
    )


emulate(
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    name_property="PolicyName",
    physical_id=policy_arn,
    attributes={"Arn": policy_arn},
)
