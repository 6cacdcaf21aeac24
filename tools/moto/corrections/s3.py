"""AWS::S3::BucketPolicy, emulated (see emulated.py).

`Ref` returns a generated id (the type documents no return value). Not emulated: the policy is
not set on the bucket in moto's S3 (moto neither reads nor enforces it).
"""

from .emulated import emulate

emulate("AWS::S3::BucketPolicy")
