"""A generated AWS::ECR::Repository name is lower case.

CloudFormation generates a name for a repository without `RepositoryName`, and repository names
must be lower case (ECR API reference, CreateRepository `repositoryName` pattern
`(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`); moto 5.2.5 generates it from
the stack name and logical id unchanged, so a stack with a capitalised logical id fails to create
its repository. Generated names of every other type are left as moto makes them.
"""

from moto.cloudformation import parsing

_generate_resource_name = parsing.generate_resource_name


def generate_resource_name(resource_type, stack_name, logical_id):
    name = _generate_resource_name(resource_type, stack_name, logical_id)
    return name.lower() if resource_type == "AWS::ECR::Repository" else name


parsing.generate_resource_name = generate_resource_name
