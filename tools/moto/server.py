"""moto's server, with the corrections byoa's templates need to execute on it.

scripts/test starts this instead of `moto_server` (same arguments). Each correction makes
moto behave as AWS documents; none makes byoa's tests easier than AWS would. Delete a
correction when the pinned moto fixes it (tools/requirements.lock).

1. AWS::KMS::Key `Tags` in CloudFormation are `Key`/`Value` pairs (the resource reference),
   but moto 5.2.5 hands them unchanged to its KMS tagger, which reads the KMS API's
   `TagKey`/`TagValue` and fails with KeyError (HTTP 500): every stack holding a tagged key
   (byoa tags every resource) fails to execute.
2. Deleting an AWS::IAM::ManagedPolicy detaches it from the roles, users and groups it is
   attached to and deletes it, as CloudFormation does; moto 5.2.5 does neither, so the role
   it is attached to can never be deleted (DeleteConflict) and no stack holding both can be.
3. AWS::CloudTrail::Trail is created through CloudFormation (cloudtrail.py).
"""

import sys

from moto.iam import models as iam
from moto.kms import models as kms
from moto.utilities.utils import get_partition

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


def delete_managed_policy(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = iam.iam_backends[account_id][get_partition(region_name)]
    policy = backend.managed_policies.get(resource_name)
    if policy is None:
        return
    holders = [*backend.roles.values(), *backend.users.values(), *backend.groups.values()]
    for holder in holders:
        if policy.arn in holder.managed_policies:
            policy.detach_from(holder)
    backend.delete_policy(policy.arn)


iam.ManagedPolicy.delete_from_cloudformation_json = classmethod(delete_managed_policy)

# Defining the model registers it with moto's CloudFormation (`CloudFormationModel` subclasses).
sys.path.insert(0, __import__("os").path.dirname(__file__))
import cloudtrail  # noqa: E402,F401

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
