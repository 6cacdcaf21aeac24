"""AWS::SNS::Subscription and AWS::SNS::TopicPolicy, emulated (see emulated.py).

- Subscription: `Ref` and `Fn::GetAtt Arn` return `TOPIC_ARN:UUID`, the form of a subscription ARN.
- TopicPolicy: `Ref` and `Fn::GetAtt Id` return a generated id.
Not emulated: the subscription and the policy in moto's SNS (ListSubscriptions does not list it;
no confirmation e-mail; the policy is not set on the topic).
"""

from .emulated import emulate


def subscription_arn(s):
    return f"{s.properties.get('TopicArn')}:{s.uid}"


emulate("AWS::SNS::Subscription", physical_id=subscription_arn, attributes={"Arn": subscription_arn})
emulate("AWS::SNS::TopicPolicy", attributes={"Id": lambda p: p.name})
