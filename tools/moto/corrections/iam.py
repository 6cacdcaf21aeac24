"""IAM: deleting a managed policy detaches it first; AWS::IAM::RolePolicy emulated.

CloudFormation detaches a managed policy from the roles, users and groups it is attached to
before deleting it (the DeletePolicy API requires that, and a stack delete succeeds); moto 5.2.5
does neither, so the role it is attached to can never be deleted (DeleteConflict) and no stack
holding both can be.
"""

from moto.iam import models as iam
from moto.utilities.utils import get_partition

from .emulated import emulate


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

# AWS::IAM::RolePolicy, emulated (see emulated.py): `Ref` returns a generated id (the type
# documents no return value). Not emulated: the inline policy is not put on the role in moto's
# IAM (GetRolePolicy does not find it; moto does not evaluate policies anyway).
emulate("AWS::IAM::RolePolicy")
