"""The smallest emulation of a resource type moto 5.2.5 does not know at all.

moto skips a resource of an unknown type silently: the stack lists no such resource, `Ref` to it
drops the property that holds it, and `Fn::GetAtt` on it or an output naming it fails the whole
stack (HTTP 500). An emulated resource is recorded in its stack with a physical id of the form
AWS documents for `Ref`, and answers the `Fn::GetAtt` attributes AWS documents ("Return
values" of the type's resource reference). It is only a record: nothing is created in the
service's own API (no alarm evaluates, no trail logs, no policy is enforced), property values
are not validated, and an update keeps the physical id (no replacement).
"""

import uuid

from moto.core.common_models import CloudFormationModel


class Emulated:
    """Base of the emulated types (each also subclasses CloudFormationModel directly: moto finds
    its types among that class's direct subclasses)."""

    TYPE = ""
    # The property that names the resource, if the type has one; else CloudFormation generates
    # a name (`<stack>-<logical id>-<random>`, which moto hands over as `resource_name`).
    NAME_PROPERTY = ""
    # Attribute name -> function of the resource, for `Fn::GetAtt`.
    ATTRIBUTES: dict = {}

    def __init__(self, name, properties, account_id, region_name, uid=None):
        self.name = name
        self.properties = properties
        self.account_id = account_id
        self.region_name = region_name
        self.uid = uid or str(uuid.uuid4())

    def physical_id(self):
        return self.name

    @property
    def physical_resource_id(self):
        return self.physical_id()

    @classmethod
    def cloudformation_type(cls):
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls):
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name):
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return self.ATTRIBUTES[attribute_name](self)

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        return cls(resource_name, cloudformation_json.get("Properties", {}), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        properties = cloudformation_json.get("Properties", {})
        # A generated name stays; a name given in the template is the template's.
        name = properties.get(cls.NAME_PROPERTY) or original_resource.name
        return cls(name, properties, account_id, region_name, uid=original_resource.uid)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass

    def delete(self, account_id, region_name):
        pass


def emulate(type_name, name_property="", physical_id=None, attributes=None):
    """Registers an emulated CloudFormation type; `physical_id` maps the resource to its `Ref`
    value (default: its name)."""
    body = {"TYPE": type_name, "NAME_PROPERTY": name_property, "ATTRIBUTES": attributes or {}}
    if physical_id is not None:
        body["physical_id"] = physical_id
    class_name = type_name.replace("::", "")
    return type(class_name, (Emulated, CloudFormationModel), body)
