"""AWS::RDS::DBInstance, DBSubnetGroup and DBParameterGroup as CloudFormation documents them.

1. `Ref` to an AWS::RDS::DBSubnetGroup or AWS::RDS::DBParameterGroup returns its name (resource
   reference, "Return values"); moto 5.2.5 returns its Python object, which the DB instance it is
   handed to cannot use (a parameter group breaks the instance's creation).
2. An AWS::RDS::DBInstance is created with the properties CloudFormation passes on: moto 5.2.5
   ignores `ManageMasterUserPassword` and `MasterUserSecret.KmsKeyId` (so RDS makes no master user
   secret) and `VPCSecurityGroups`, and reads the group names above as objects.
3. `Fn::GetAtt` on a DB instance returns `MasterUserSecret.SecretArn`, `DBInstanceArn` and
   `DbiResourceId` besides moto's `Endpoint.Address`/`Endpoint.Port` ("Return values").
4. Updating a DB instance modifies it in place unless a create-only property changes (the
   resource's provider schema, `createOnlyProperties`: DBName, DBInstanceIdentifier, MasterUsername,
   KmsKeyId, StorageEncrypted, DBSubnetGroupName, ...): then CloudFormation creates a new instance
   (a new generated identifier), and deletes the old one. moto 5.2.5 has no update at all (the
   resource is lost from the stack). Updating a subnet or parameter group keeps it (its changes
   are not applied).
5. A generated DB instance or cluster identifier is at most 63 characters (RDS's limit;
   CloudFormation shortens what it generates from a long stack name, such as a stack set
   instance's `StackSet-<name>-<id>` nested stacks); moto 5.2.5 does not shorten it and then
   refuses its own identifier.
Not emulated: the final snapshot of `DeletionPolicy`/`UpdateReplacePolicy: Snapshot`, the
conditional replacements (e.g. a `MultiAZ` or `Engine` change), storage and monitoring settings.
"""

from moto.cloudformation import parsing
from moto.rds import models as rds

_generate_resource_name = parsing.generate_resource_name


def generate_resource_name(resource_type, stack_name, logical_id):
    name = _generate_resource_name(resource_type, stack_name, logical_id)
    if resource_type in ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster") and len(name) > 63:
        head, _, tail = name.rpartition("-")
        name = f"{head[: 62 - len(tail)].rstrip('-')}-{tail}"
    return name


parsing.generate_resource_name = generate_resource_name

# The instance's `createOnlyProperties` (AWS::RDS::DBInstance provider schema, as bundled with
# the pinned cfn-lint): changing one replaces the instance.
CREATE_ONLY = (
    "BackupTarget",
    "CharacterSetName",
    "CustomIAMInstanceProfile",
    "DBClusterIdentifier",
    "DBInstanceIdentifier",
    "DBName",
    "DBSubnetGroupName",
    "DBSystemId",
    "KmsKeyId",
    "MasterUsername",
    "NcharCharacterSetName",
    "SourceRegion",
    "StorageEncrypted",
    "Timezone",
)

rds.DBSubnetGroup.physical_resource_id = property(lambda self: self.name)
rds.DBParameterGroup.physical_resource_id = property(lambda self: self.name)


def _name(value):
    return getattr(value, "name", value)


def _instance_kwargs(identifier, p):
    secret = p.get("MasterUserSecret") or {}
    return {
        "db_instance_identifier": identifier.replace("_", "-").lower(),
        "engine": p.get("Engine"),
        "engine_version": p.get("EngineVersion"),
        "db_instance_class": p.get("DBInstanceClass"),
        "allocated_storage": p.get("AllocatedStorage"),
        "storage_type": p.get("StorageType"),
        "iops": p.get("Iops"),
        "db_name": p.get("DBName"),
        "master_username": p.get("MasterUsername"),
        "master_user_password": p.get("MasterUserPassword"),
        "manage_master_user_password": bool(p.get("ManageMasterUserPassword")),
        "master_user_secret_kms_key_id": secret.get("KmsKeyId"),
        "port": int(p.get("Port", rds.DBInstance.default_port(p.get("Engine", "")))),
        "db_subnet_group_name": _name(p.get("DBSubnetGroupName")),
        "db_parameter_group_name": _name(p.get("DBParameterGroupName")),
        "vpc_security_group_ids": p.get("VPCSecurityGroups", []),
        "publicly_accessible": p.get("PubliclyAccessible"),
        "multi_az": p.get("MultiAZ"),
        "storage_encrypted": p.get("StorageEncrypted"),
        "kms_key_id": p.get("KmsKeyId"),
        "backup_retention_period": p.get("BackupRetentionPeriod"),
        "auto_minor_version_upgrade": p.get("AutoMinorVersionUpgrade"),
        "copy_tags_to_snapshot": p.get("CopyTagsToSnapshot"),
        "deletion_protection": p.get("DeletionProtection", False),
        "enable_iam_database_authentication": p.get("EnableIAMDatabaseAuthentication"),
        "tags": p.get("Tags"),
    }


def create_instance(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    backend = rds.rds_backends[account_id][region_name]
    instance = backend.create_db_instance(_instance_kwargs(resource_name, properties))
    instance.cfn_properties = properties
    # Where CloudFormation would take a replacement's generated name from.
    instance.cfn_stack_name = kwargs["StackId"].split("/")[1]
    instance.cfn_logical_id = kwargs["LogicalId"]
    return instance


def update_instance(
    cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
):
    new = cloudformation_json["Properties"]
    old = getattr(original_resource, "cfn_properties", {})
    backend = rds.rds_backends[account_id][region_name]
    if any(_name(old.get(p)) != _name(new.get(p)) for p in CREATE_ONLY):
        # Replacement: the new instance first, under a new name unless the template names it.
        stack, logical_id = original_resource.cfn_stack_name, original_resource.cfn_logical_id
        name = new.get("DBInstanceIdentifier") or generate_resource_name(
            "AWS::RDS::DBInstance", stack, logical_id
        )
        replacement = create_instance(
            cls, name, cloudformation_json, account_id, region_name,
            StackId=f"stack/{stack}/", LogicalId=logical_id,
        )
        backend.delete_db_instance(original_resource.db_instance_identifier)
        return replacement
    # In place: only the settings that changed, as ModifyDBInstance takes them.
    identifier = original_resource.db_instance_identifier
    before, after = _instance_kwargs(identifier, old), _instance_kwargs(identifier, new)
    changed = {k: v for k, v in after.items() if v != before[k] and k != "tags"}
    instance = backend.modify_db_instance(identifier, changed)
    instance.cfn_properties = new
    return instance


rds.DBInstance.create_from_cloudformation_json = classmethod(create_instance)
rds.DBInstance.update_from_cloudformation_json = classmethod(update_instance)


def _keep(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    return original_resource


rds.DBSubnetGroup.update_from_cloudformation_json = classmethod(_keep)
rds.DBParameterGroup.update_from_cloudformation_json = classmethod(_keep)

_get_attribute = rds.DBInstance.get_cfn_attribute


def get_instance_attribute(self, attribute_name):
    if attribute_name == "MasterUserSecret.SecretArn" and self.manage_master_user_password:
        return self.master_user_secret.secret_arn
    if attribute_name == "DBInstanceArn":
        return self.arn
    if attribute_name == "DbiResourceId":
        return self.dbi_resource_id
    return _get_attribute(self, attribute_name)


rds.DBInstance.get_cfn_attribute = get_instance_attribute
rds.DBInstance.has_cfn_attr = classmethod(
    lambda cls, attr: attr
    in ("Endpoint.Address", "Endpoint.Port", "MasterUserSecret.SecretArn", "DBInstanceArn", "DbiResourceId")
)
