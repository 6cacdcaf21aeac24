"""AWS::WAFv2::WebACL and AWS::WAFv2::WebACLAssociation, emulated (see emulated.py).

- WebACL: `Ref` returns `NAME|ID|SCOPE`; `Fn::GetAtt` answers `Arn`
  (`arn:aws:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID`, `global` for CLOUDFRONT), `Id` and
  `LabelNamespace` (`awswaf:ACCOUNT:webacl:NAME:`).
- WebACLAssociation: `Ref` returns a generated id (the type documents no return value).
Not emulated: the web ACL in moto's WAFv2 and its association with the load balancer (no rule is
evaluated); `Capacity` is not answered.
"""

from .emulated import emulate


def acl_arn(acl):
    scope = "global" if acl.properties.get("Scope") == "CLOUDFRONT" else "regional"
    return f"arn:aws:wafv2:{acl.region_name}:{acl.account_id}:{scope}/webacl/{acl.name}/{acl.uid}"


emulate(
    "AWS::WAFv2::WebACL",
    name_property="Name",
    physical_id=lambda acl: f"{acl.name}|{acl.uid}|{acl.properties.get('Scope')}",
    attributes={
        "Arn": acl_arn,
        "Id": lambda acl: acl.uid,
        "LabelNamespace": lambda acl: f"awswaf:{acl.account_id}:webacl:{acl.name}:",
    },
)
emulate("AWS::WAFv2::WebACLAssociation")
