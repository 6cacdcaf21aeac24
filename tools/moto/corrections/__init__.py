"""Corrections to moto 5.2.5, one module per AWS service; importing this package applies them.

Each module's docstring names what it corrects or emulates, the AWS behaviour it follows (with
the CloudFormation or API reference page) and what it leaves out. emulated.py is the shared
emulation of resource types moto does not know at all.
"""

from . import (  # noqa: F401
    applicationautoscaling,
    cloudformation,
    cloudtrail,
    cloudwatch,
    ec2,
    ecr,
    elbv2,
    iam,
    kms,
    rds,
    s3,
    sns,
    sts,
    wafv2,
)
