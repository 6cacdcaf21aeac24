"""STS: AssumeRole evaluates the role's trust policy, external id included.

AWS (STS API reference, AssumeRole; IAM User Guide, "Policy evaluation logic" for cross-account
requests and "How to use an external ID when granting access to your AWS resources to a third
party") allows AssumeRole only when the role exists and its trust policy (the role's
AssumeRolePolicyDocument) has an `Allow` statement for `sts:AssumeRole` whose `Principal` is the
caller and whose conditions hold, and no `Deny` statement that matches. A role whose trust
requires `sts:ExternalId` is refused when the caller passes another id or none. Every refusal is
HTTP 403 `AccessDenied` with the message `User: <caller ARN> is not authorized to perform:
sts:AssumeRole on resource: <role ARN>` (AWS does not say which of the reasons applied).
moto 5.2.5 assumes any role ARN, existing or not, whatever its trust says.

Principals matched: `*`; an account id or `arn:aws:iam::<account>:root` (any principal of that
account: AWS then also requires the caller's own identity policy to allow the call, which moto
does not evaluate); a role ARN (the caller's session of that role); a user ARN. Service and
federated principals never match a caller here. Conditions evaluated: `StringEquals`,
`StringNotEquals` and `StringLike` on `sts:ExternalId`; `Bool` on `aws:MultiFactorAuthPresent`
(false: no caller of this emulator has MFA); `IpAddress` on `aws:SourceIp` (the request's
address). Any other condition operator or key is taken as not satisfied, so an emulated
assume is never easier than AWS's. Left out: session policies, permission boundaries and
SCPs, role chaining limits, `NotPrincipal`, `NotAction`, tags and source identity.
"""

import fnmatch
import ipaddress
import json
import re
from urllib.parse import unquote
from xml.sax.saxutils import escape

from werkzeug.exceptions import HTTPException
from moto.iam.models import iam_backends
from moto.sts import responses as sts_responses
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition

class AccessDenied(HTTPException):
    """STS's refusal, in the query protocol's error shape (`ErrorResponse/Error`, which the AWS
    SDKs parse; moto's own AccessDeniedError nests it in `Errors`, which they do not)."""

    code = 403

    def __init__(self, caller, role_arn):
        super().__init__()
        message = (
            f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        )
        self.description = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            "<Error><Type>Sender</Type><Code>AccessDenied</Code>"
            f"<Message>{escape(message)}</Message></Error>"
            "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"
        )

    def get_headers(self, *args, **kwargs):
        return [("X-Amzn-ErrorType", "AccessDenied"), ("Content-Type", "text/xml")]

    def get_body(self, *args, **kwargs):
        return self.description


ROLE_ARN = re.compile(r"^arn:([^:]+):iam::(\d{12}):role/(?:.*/)?([^/]+)$")

_assume_role = sts_responses.TokenResponse.assume_role


def caller_arn(response):
    """The ARN of the caller, as GetCallerIdentity reports it."""
    backend = sts_backends[response.current_account][response.partition]
    _, arn, _ = backend.get_caller_identity(response.get_access_key(), response.region)
    return arn


def principal_matches(principal, caller):
    """Whether a trust policy's `Principal` names the caller."""
    if principal == "*":
        return True
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    if aws is None:
        return False
    names = aws if isinstance(aws, list) else [aws]
    account = caller.split(":")[4]
    session_role = None
    m = re.match(r"^arn:[^:]+:sts::(\d{12}):assumed-role/([^/]+)/", caller)
    if m:
        session_role = m.group(2)
    for name in names:
        if name == "*" or name == account or name == f"arn:aws:iam::{account}:root":
            return True
        if name == caller:
            return True
        r = ROLE_ARN.match(name)
        if r and session_role and r.group(2) == account and r.group(3) == session_role:
            return True
    return False


def action_matches(action):
    actions = action if isinstance(action, list) else [action]
    return any(fnmatch.fnmatchcase("sts:assumerole", a.lower()) for a in actions)


def values(v):
    return [str(x) for x in (v if isinstance(v, list) else [v])]


def conditions_hold(conditions, context):
    for operator, tests in (conditions or {}).items():
        for key, expected in tests.items():
            key = key.lower()
            if key not in context:
                # A key absent from the request: only the negated string test can hold.
                if operator != "StringNotEquals":
                    return False
                continue
            actual = context[key]
            if operator == "StringEquals":
                ok = actual in values(expected)
            elif operator == "StringNotEquals":
                ok = actual not in values(expected)
            elif operator == "StringLike":
                ok = any(fnmatch.fnmatchcase(actual, p) for p in values(expected))
            elif operator == "Bool":
                ok = actual in [v.lower() for v in values(expected)]
            elif operator == "IpAddress":
                ok = any(
                    ipaddress.ip_address(actual) in ipaddress.ip_network(c, strict=False)
                    for c in values(expected)
                )
            else:
                ok = False
            if not ok:
                return False
    return True


def trusted(document, caller, context):
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    # moto renders `Fn::If [..., AWS::NoValue]` in a list as None; AWS drops the element.
    for s in (s for s in statements if isinstance(s, dict)):
        if not action_matches(s.get("Action", [])):
            continue
        if not principal_matches(s.get("Principal", {}), caller):
            continue
        if not conditions_hold(s.get("Condition"), context):
            continue
        if s.get("Effect") == "Deny":
            return False
        allowed = allowed or s.get("Effect") == "Allow"
    return allowed


def assume_role(self):
    role_arn = self._get_param("RoleArn")
    caller = caller_arn(self)
    refused = AccessDenied(caller, role_arn)
    m = ROLE_ARN.match(role_arn or "")
    if not m:
        raise refused
    account = m.group(2)
    iam = iam_backends[account][get_partition(self.region)]
    role = next((r for r in iam.roles.values() if r.arn == role_arn), None)
    if role is None:
        raise refused
    document = role.assume_role_policy_document
    if isinstance(document, str):
        document = json.loads(unquote(document))
    context = {"aws:multifactorauthpresent": "false"}
    external_id = self._get_param("ExternalId")
    if external_id is not None:
        context["sts:externalid"] = external_id
    address = getattr(getattr(self, "request", None), "remote_addr", None)
    if address:
        context["aws:sourceip"] = address
    if not trusted(document, caller, context):
        raise refused
    return _assume_role(self)


sts_responses.TokenResponse.assume_role = assume_role
