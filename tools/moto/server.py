"""moto's server, with the one correction byoa's templates need to execute on it.

scripts/test starts this instead of `moto_server` (same arguments). Each correction makes
moto behave as AWS documents; none makes byoa's tests easier than AWS would. Delete a
correction when the pinned moto fixes it (tools/requirements.lock).

1. AWS::KMS::Key `Tags` in CloudFormation are `Key`/`Value` pairs (the resource reference),
   but moto 5.2.5 hands them unchanged to its KMS tagger, which reads the KMS API's
   `TagKey`/`TagValue` and fails with KeyError (HTTP 500): every stack holding a tagged key
   (byoa tags every resource) fails to execute.
"""

import sys

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

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
