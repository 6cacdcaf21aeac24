"""AWS::CloudWatch::Alarm, emulated (see emulated.py).

`Ref` returns the alarm's name (`AlarmName`, else generated); `Fn::GetAtt Arn` returns
`arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME`. Not emulated: the alarm in moto's CloudWatch (it
is not listed by DescribeAlarms and never changes state).
"""

from .emulated import emulate

emulate(
    "AWS::CloudWatch::Alarm",
    name_property="AlarmName",
    attributes={"Arn": lambda a: f"arn:aws:cloudwatch:{a.region_name}:{a.account_id}:alarm:{a.name}"},
)
