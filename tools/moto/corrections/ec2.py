"""AWS::EC2::SecurityGroupEgress, emulated (see emulated.py).

`Ref` and `Fn::GetAtt Id` return a security group rule id (`sgr-` and 17 hex digits). Not
emulated: the rule is not added to the group in moto's EC2 (DescribeSecurityGroups keeps the
group's egress as it was).
"""

from .emulated import emulate


def rule_id(rule):
    return "sgr-" + rule.uid.replace("-", "")[:17]


emulate("AWS::EC2::SecurityGroupEgress", physical_id=rule_id, attributes={"Id": rule_id})
