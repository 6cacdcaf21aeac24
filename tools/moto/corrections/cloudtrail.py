"""AWS::CloudTrail::Trail through CloudFormation, created in moto's own CloudTrail.

moto 5.2.5 emulates the CloudTrail API but has no CloudFormation model for a trail: a stack
holding one skips it, and any `Fn::GetAtt` on it fails the whole stack. This model creates the
trail through moto's own CloudTrail backend, as CloudFormation's handler calls CreateTrail,
StartLogging (`IsLogging`), UpdateTrail and DeleteTrail. `Ref` is the trail's name and
`Fn::GetAtt Trail.Arn` its ARN (the resource reference). Not emulated: event and insight
selectors, `SnsTopicArn`, and CloudTrail's checks of the bucket and key policies (moto checks
only that the bucket exists).
"""

from typing import Any

from moto.cloudtrail.models import cloudtrail_backends
from moto.core.common_models import CloudFormationModel


class TrailModel(CloudFormationModel):
    # moto files every model under the service its module names (`moto.<service>.models`).
    __module__ = "moto.cloudtrail.models"

    def __init__(self, trail: Any) -> None:
        self.trail = trail

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudTrail::Trail"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "TrailName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    @property
    def physical_resource_id(self) -> str:
        return self.trail.trail_name

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Arn":
            return self.trail.arn
        raise UnformattedGetAttTemplateException()

    @staticmethod
    def _settings(p: dict[str, Any]) -> dict[str, Any]:
        return {
            "s3_key_prefix": p.get("S3KeyPrefix"),
            "sns_topic_name": p.get("SnsTopicName"),
            "cw_log_group_arn": p.get("CloudWatchLogsLogGroupArn"),
            "cw_role_arn": p.get("CloudWatchLogsRoleArn"),
            "kms_key_id": p.get("KMSKeyId"),
        }

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "TrailModel":
        p = cloudformation_json.get("Properties", {})
        backend = cloudtrail_backends[account_id][region_name]
        trail = backend.create_trail(
            name=p.get("TrailName", resource_name),
            bucket_name=p["S3BucketName"],
            is_global=p.get("IncludeGlobalServiceEvents", True),
            is_multi_region=p.get("IsMultiRegionTrail", False),
            log_validation=p.get("EnableLogFileValidation", False),
            is_org_trail=p.get("IsOrganizationTrail", False),
            tags_list=p.get("Tags", []),
            **cls._settings(p),
        )
        cls._log(backend, trail, p)
        return cls(trail)

    @staticmethod
    def _log(backend: Any, trail: Any, p: dict[str, Any]) -> None:
        if p.get("IsLogging"):
            backend.start_logging(trail.trail_name)
        else:
            backend.stop_logging(trail.trail_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "TrailModel",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "TrailModel":
        p = cloudformation_json.get("Properties", {})
        backend = cloudtrail_backends[account_id][region_name]
        trail = backend.update_trail(
            name=original_resource.trail.trail_name,
            s3_bucket_name=p["S3BucketName"],
            include_global_service_events=p.get("IncludeGlobalServiceEvents", True),
            is_multi_region_trail=p.get("IsMultiRegionTrail", False),
            enable_log_file_validation=p.get("EnableLogFileValidation", False),
            is_organization_trail=p.get("IsOrganizationTrail", False),
            **cls._settings(p),
        )
        cls._log(backend, trail, p)
        return cls(trail)

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        cloudtrail_backends[account_id][region_name].delete_trail(resource_name)
