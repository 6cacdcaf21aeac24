"""AWS::CloudTrail::Trail, emulated (see emulated.py).

`Ref` returns the trail's name (`TrailName`, else generated); `Fn::GetAtt Arn` returns
`arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME`. Not emulated: the trail itself in moto's CloudTrail
(no logging, `SnsTopicArn` not answered).
"""

from .emulated import emulate

emulate(
    "AWS::CloudTrail::Trail",
    name_property="TrailName",
    attributes={"Arn": lambda t: f"arn:aws:cloudtrail:{t.region_name}:{t.account_id}:trail/{t.name}"},
)
