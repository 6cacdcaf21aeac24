"""Nested stacks (AWS::CloudFormation::Stack) and stack outputs after a change set.

1. `Fn::GetAtt Child.Outputs.Name` returns the nested stack's output `Name` (resource reference,
   AWS::CloudFormation::Stack, "Return values": `Outputs.NestedStackOutputName`); moto 5.2.5 has
   no attribute lookup on a stack (HTTP 500). A missing output fails the parent, as in AWS.
2. Updating a nested stack's `TemplateURL` or `Parameters` updates the child stack in place
   ("Update requires: No interruption" for both properties); moto 5.2.5 deletes the child and
   creates a new one, which loses its resources and its physical id.
3. After a change set executes, the stack's Outputs are those of its new template
   (DescribeStacks); moto 5.2.5 keeps the outputs of the template the stack was created with,
   which for a stack created by a change set is none.
4. Parameters are compared by value, defaults applied, as CloudFormation compares them: an
   update that passes `UsePreviousValue` for a parameter that took its default, or a list
   parameter again as the same `a,b` text, changes nothing (CreateChangeSet: "The submitted
   information didn't contain changes"), and a nested stack is updated only when a parameter it
   references changes value. moto 5.2.5 compares the raw inputs, so such an update counts as a
   change and updates every nested stack referencing the parameter. DescribeStacks reports a list
   parameter as the comma-separated text it was given (moto 5.2.5: a Python list's repr), and
   a NoEcho parameter as `****` (moto 5.2.5 compares values with the parameter names).
5. A change set lists as `Modify` every resource whose properties reference a parameter whose
   value changes, by `Ref` or by `${Name}` in `Fn::Sub` (CloudFormation User Guide, "Change
   sets": such a row has `ChangeSource: ParameterReference`), and executing it updates them;
   moto 5.2.5 lists only resources whose template text changed and follows `Ref` only, so a
   nested stack whose `TemplateURL` is `Fn::Sub` of a changed parameter is never updated.
6. CreateStackInstances' `ParameterOverrides` override the stack set's parameters for those
   instances, the others keeping the stack set's values (API reference, CreateStackInstances:
   "A list of stack set parameters whose values you want to override in the selected stack
   instances"); moto 5.2.5 gives the instances the overrides only, so a stack set with one
   override and a required parameter fails with "Missing parameter".
7. A self-managed stack instance's stack is named `StackSet-<stack set name>-<id>` (StackSets
   User Guide, "Stack instances"); moto 5.2.5 names it `StackSet:<name>`, and the colon reaches
   the physical names CloudFormation generates from the stack name (an RDS identifier with a
   colon is refused).
Not emulated: per-resource events of the child, rollback of the parent when a child fails.
"""

import re
import uuid

from moto.cloudformation import models as cfn
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.utilities.utils import get_partition


def get_cfn_attribute(self, attribute_name):
    prefix = "Outputs."
    if not attribute_name.startswith(prefix):
        raise ValidationError(
            message=f"Template error: resource {self.name} does not support attribute type "
            f"{attribute_name} in Fn::GetAtt"
        )
    key = attribute_name[len(prefix):]
    output = self.output_map[key] if key in self.output_map else None
    if output is None:
        raise ValidationError(
            message=f"Template error: stack {self.name} has no output {key} for Fn::GetAtt"
        )
    return output.value


cfn.Stack.get_cfn_attribute = get_cfn_attribute


def update_nested_stack(
    cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
):
    properties = cloudformation_json["Properties"]
    template = cfn.get_stack_from_s3_url(
        properties["TemplateURL"], account_id=account_id, partition=get_partition(region_name)
    )
    original_resource.update(template, parameters=properties.get("Parameters", {}))
    return original_resource


cfn.Stack.update_from_cloudformation_json = classmethod(update_nested_stack)

_execute_change_set = cfn.CloudFormationBackend.execute_change_set


def execute_change_set(self, change_set_name, stack_name=None):
    stack = self.stacks[self.describe_change_set(change_set_name).stack_id]
    _execute_change_set(self, change_set_name, stack_name)
    # moto sets the executed template's text only: parse it and take its outputs.
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()


cfn.CloudFormationBackend.execute_change_set = execute_change_set


def _text(value):
    """A parameter value as CloudFormation holds it: text, a list as `a,b`."""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def _changed(resolved, declared, incoming):
    """The incoming parameters whose value, defaults applied, differs from the resolved ones."""
    changed = {}
    for key, spec in declared.items():
        value = incoming.get(key, spec.get("Default"))
        if _text(value) != _text(resolved.get(key)):
            changed[key] = value
    return changed


def has_parameters(self, other_parameters):
    declared = self.template_dict.get("Parameters") or {}
    return not _changed(self.resource_map.resolved_parameters, declared, other_parameters)


cfn.Stack.has_parameters = has_parameters

_build_resource_diff = cfn.ResourceMap.build_resource_diff


def build_resource_diff(self, other_template, parameters=None):
    if parameters:
        declared = other_template.get("Parameters") or {}
        parameters = _changed(self.resolved_parameters, declared, parameters)
    return _build_resource_diff(self, other_template, parameters)


cfn.ResourceMap.build_resource_diff = build_resource_diff


def parameter_list(self):
    hidden = self.resource_map.no_echo_parameter_keys
    return [
        {"ParameterKey": k, "ParameterValue": "****" if k in hidden else _text(v)}
        for k, v in self.resource_map.resolved_parameters.items()
    ]


cfn.Stack.parameter_list = property(parameter_list)

_references = parsing.get_references_from_template


def get_references_from_template(template):
    """`Ref` targets and `${Name}` / `${Name.Attribute}` of `Fn::Sub` strings (not `${!Literal}`)."""
    found = _references(template)
    subs = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Fn::Sub":
                    text = value[0] if isinstance(value, list) else value
                    if isinstance(text, str):
                        subs.extend(re.findall(r"\$\{([^!}][^}.]*)", text))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(template)
    return found + subs


parsing.get_references_from_template = get_references_from_template


def change_set_diff(self):
    actions = self.stack.resource_map.build_resource_diff(self.template_dict, self.parameters)
    old = self.stack.resource_map._resource_json_map
    new = self.template_dict.get("Resources", {})
    return [
        cfn.Change(
            action=action,
            logical_resource_id=name,
            resource_type=(new.get(name) or old.get(name))["Type"],
        )
        for action, names in actions.items()
        for name in names
    ]


cfn.ChangeSet.diff = change_set_diff


_create_stack_instances = cfn.StackSet.create_stack_instances


def create_stack_instances(self, accounts, regions, deployment_targets, parameters):
    if parameters:
        given = {p["ParameterKey"]: p.get("ParameterValue") for p in parameters}
        merged = dict(self.parameters or {})
        merged.update(given)
        parameters = [{"ParameterKey": k, "ParameterValue": v} for k, v in merged.items()]
    return _create_stack_instances(self, accounts, regions, deployment_targets, parameters)


cfn.StackSet.create_stack_instances = create_stack_instances


_create_stack = cfn.CloudFormationBackend.create_stack


def create_stack(self, name, *args, **kwargs):
    if name.startswith("StackSet:"):
        name = f"StackSet-{name[len('StackSet:'):]}-{uuid.uuid4()}"
    return _create_stack(self, name, *args, **kwargs)


cfn.CloudFormationBackend.create_stack = create_stack

