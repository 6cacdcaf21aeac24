"""`Fn::GetAtt` on Elastic Load Balancing v2 load balancers and target groups.

The resource reference ("Return values") documents, and moto 5.2.5 lacks:
- AWS::ElasticLoadBalancingV2::LoadBalancer `LoadBalancerFullName` (the ARN after
  `loadbalancer/`, e.g. `app/name/50dc6c495c0c9188`), `CanonicalHostedZoneID` (the value moto's
  DescribeLoadBalancers reports) and `SecurityGroups`;
- AWS::ElasticLoadBalancingV2::TargetGroup `TargetGroupFullName` (the ARN after the last `:`,
  e.g. `targetgroup/name/cbf133c568e0d028`), `TargetGroupArn`, `TargetGroupName` and
  `LoadBalancerArns` (moto 5.2.5 has no attribute lookup on a target group at all: HTTP 500).
An attribute AWS does not document fails the stack, as in AWS.
"""

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.elbv2 import models as elbv2

_lb_attribute = elbv2.FakeLoadBalancer.get_cfn_attribute


def load_balancer_attribute(self, attribute_name):
    if attribute_name == "LoadBalancerFullName":
        return self.arn.split(":loadbalancer/", 1)[1]
    if attribute_name == "CanonicalHostedZoneID":
        return self.canonical_hosted_zone_id
    if attribute_name == "SecurityGroups":
        return list(self.security_groups)
    return _lb_attribute(self, attribute_name)


elbv2.FakeLoadBalancer.get_cfn_attribute = load_balancer_attribute

TARGET_GROUP_ATTRIBUTES = {
    "TargetGroupFullName": lambda tg: tg.arn.rsplit(":", 1)[1],
    "TargetGroupArn": lambda tg: tg.arn,
    "TargetGroupName": lambda tg: tg.name,
    "LoadBalancerArns": lambda tg: list(tg.load_balancer_arns),
}


def target_group_attribute(self, attribute_name):
    if attribute_name not in TARGET_GROUP_ATTRIBUTES:
        raise UnformattedGetAttTemplateException()
    return TARGET_GROUP_ATTRIBUTES[attribute_name](self)


elbv2.FakeTargetGroup.get_cfn_attribute = target_group_attribute
elbv2.FakeTargetGroup.has_cfn_attr = classmethod(lambda cls, attr: attr in TARGET_GROUP_ATTRIBUTES)
