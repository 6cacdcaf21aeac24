"""AWS::KMS::Key `Tags` in CloudFormation are `Key`/`Value` pairs.

The resource reference (AWS::KMS::Key, property Tags: "Key"/"Value") says so, but moto 5.2.5
hands them unchanged to its KMS tagger, which reads the KMS API's `TagKey`/`TagValue` and fails
with KeyError (HTTP 500): every stack holding a tagged key (byoa tags every resource) fails to
execute. Tags given in either shape are passed on in the KMS API's shape.
"""

from moto.kms import models as kms

_create_key = kms.KmsBackend.create_key


def create_key(self, *args, **kwargs):
    tags = kwargs.get("tags")
    if tags:
        kwargs["tags"] = [
            {"TagKey": t.get("TagKey", t.get("Key")), "TagValue": t.get("TagValue", t.get("Value"))}
            for t in tags
        ]
    return _create_key(self, *args, **kwargs)


kms.KmsBackend.create_key = create_key
