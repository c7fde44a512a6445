"""Inside the emulator: ``sts:AssumeRole`` succeeds only when AWS would let the caller in.

``enforce_assume_role`` wraps moto's AssumeRole handler (``TokenResponse.assume_role``) in the
emulator's own process; the installed moto is not changed, and every other action is served
as before. Before moto hands out credentials, the guard

1. finds the caller and checks its signature (``iam_caller``);
2. checks an MFA code sent with ``SerialNumber`` and ``TokenCode``: the sandbox cannot check a
   TOTP code, so any six digits are accepted for the caller's own ``arn:aws:iam::ACCOUNT:mfa/
   USER``; any other serial or code fails as AWS fails a wrong code;
3. builds the request context: ``aws:PrincipalArn``, ``aws:PrincipalAccount``,
   ``aws:PrincipalType``, ``aws:userid``, ``aws:username``, ``aws:MultiFactorAuthPresent`` and
   ``aws:MultiFactorAuthAge`` (absent for a user's keys without MFA, as on AWS; ``false`` for
   a role session opened without it), ``sts:ExternalId``, ``sts:RoleSessionName``,
   ``sts:SourceIdentity``;
4. lets ``orgtf.iam.evaluate`` decide from the caller's identity policies (in its own account) and
   the role's trust policy (in the role's account), and answers a refusal with STS's
   ``AccessDenied``; a role that does not exist is refused the same way;
5. checks ``DurationSeconds`` against the role's maximum, and the one hour of role chaining.

moto's own authorization mode is not used: it checks every action, looks the role up in the
caller's account (so across accounts it skips the trust policy) and matches no principal
other than ``*``.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast
from xml.sax.saxutils import escape

from werkzeug.exceptions import HTTPException

from orgtf.iam.conditions import ContextValue
from orgtf.iam.evaluate import Principal, Request, authorize_assume_role
from orgtf.sandbox.iam_caller import Caller, StsError, find_caller, role_trust

ACTION = "sts:AssumeRole"
CHAINED_MAX_SECONDS = 3600
_TOKEN_CODE = re.compile(r"^[0-9]{6}$")
_MFA_FAILED = "MultiFactorAuthentication failed with invalid MFA one time pass code."
_STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"


def enforce_assume_role() -> None:
    """Make moto's AssumeRole handler check IAM first (once, in the emulator process)."""
    from moto.sts.responses import TokenResponse

    guard = AssumeRoleGuard()
    moto_assume_role = TokenResponse.assume_role

    def assume_role(self: Any) -> Any:
        try:
            mfa_at = guard.check(self)
        except StsError as exc:
            raise StsErrorResponse(exc) from exc
        result = moto_assume_role(self)
        if mfa_at is not None:
            credentials = cast(dict[str, Any], result.result)["Credentials"]
            guard.remember_mfa(credentials.access_key_id, mfa_at)
        return result

    TokenResponse.assume_role = assume_role  # type: ignore[method-assign]


@dataclass
class AssumeRoleGuard:
    """Decides AssumeRole calls; remembers which role sessions were opened with MFA."""

    mfa_sessions: dict[str, float] = field(default_factory=dict)  # access key -> MFA time

    def check(self, response: Any) -> float | None:
        """Raise StsError unless AWS would allow the call; when MFA was given, its time."""
        caller = find_caller(response)
        role_arn = str(response._get_param("RoleArn") or "")
        given = _given_mfa(response, caller)
        mfa_at = given if given is not None else self.mfa_sessions.get(caller.access_key_id)
        context = request_context(caller, _parameters(response), mfa_at)
        principal = Principal(caller.account, _caller_arns(caller))
        role, trust = role_trust(_account_of(role_arn), response.partition, role_arn)
        request = Request(ACTION, role_arn, principal, context)
        if not authorize_assume_role(request, caller.identity, trust, caller.boundary).allowed:
            raise StsError(
                "AccessDenied",
                f"User: {caller.arn} is not authorized to perform: {ACTION} "
                f"on resource: {role_arn}",
            )
        _check_duration(response._get_int_param("DurationSeconds", 3600), role, caller)
        return given

    def remember_mfa(self, access_key_id: str, mfa_at: float) -> None:
        """The session with ``access_key_id`` was opened with MFA at ``mfa_at``."""
        self.mfa_sessions[access_key_id] = mfa_at


def request_context(
    caller: Caller, parameters: dict[str, str], mfa_at: float | None
) -> dict[str, ContextValue]:
    """The condition keys of an AssumeRole call by ``caller``, as AWS fills them in."""
    context: dict[str, ContextValue] = {
        "aws:PrincipalArn": caller.principal_arn,
        "aws:PrincipalAccount": caller.account,
        "aws:PrincipalType": caller.kind,
        "aws:userid": caller.user_id,
    }
    if caller.kind == "User":
        context["aws:username"] = caller.name
    if mfa_at is not None:
        context["aws:MultiFactorAuthPresent"] = "true"
        context["aws:MultiFactorAuthAge"] = str(max(int(time.time() - mfa_at), 0))
    elif caller.kind == "AssumedRole":  # temporary credentials: present, and false
        context["aws:MultiFactorAuthPresent"] = "false"
    keys = {"ExternalId": "sts:ExternalId", "RoleSessionName": "sts:RoleSessionName"}
    keys["SourceIdentity"] = "sts:SourceIdentity"
    context.update({keys[name]: value for name, value in parameters.items() if name in keys})
    return context


class StsErrorResponse(HTTPException):
    """An StsError as STS sends it: its XML error document and status."""

    def __init__(self, error: StsError) -> None:
        super().__init__()
        self.code = error.status
        self.description = sts_error_xml(error)

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [("Content-Type", "text/xml"), ("x-amzn-ErrorType", "")]


def sts_error_xml(error: StsError) -> str:
    """STS's error document (``ErrorResponse``/``Error`` with ``Type``, ``Code``, ``Message``)."""
    kind = "Sender" if error.status < 500 else "Receiver"
    return (
        f'<ErrorResponse xmlns="{_STS_NAMESPACE}">\n'
        f"  <Error>\n    <Type>{kind}</Type>\n    <Code>{escape(error.code)}</Code>\n"
        f"    <Message>{escape(error.message)}</Message>\n  </Error>\n"
        f"  <RequestId>{uuid.uuid4()}</RequestId>\n</ErrorResponse>\n"
    )


def _given_mfa(response: Any, caller: Caller) -> float | None:
    """When MFA was given with this call (now), None without; StsError for a bad one."""
    serial, code = response._get_param("SerialNumber"), response._get_param("TokenCode")
    if serial is None and code is None:
        return None
    device = f"arn:aws:iam::{caller.account}:mfa/{caller.name}"
    if caller.kind != "User" or serial != device or not _TOKEN_CODE.fullmatch(str(code or "")):
        raise StsError("AccessDenied", _MFA_FAILED)
    return time.time()


def _parameters(response: Any) -> dict[str, str]:
    names = ("ExternalId", "RoleSessionName", "SourceIdentity")
    found = {name: response._get_param(name) for name in names}
    return {name: str(value) for name, value in found.items() if value is not None}


def _caller_arns(caller: Caller) -> tuple[str, ...]:
    """The ARNs a trust policy may name the caller by: a session also by its role's."""
    arns: Iterable[str] = (caller.arn, caller.principal_arn)
    return tuple(dict.fromkeys(arns))


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _check_duration(seconds: int, role: Any, caller: Caller) -> None:
    if caller.kind == "AssumedRole" and seconds > CHAINED_MAX_SECONDS:
        raise StsError(
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles "
            "assumed by role chaining.",
            400,
        )
    if role is not None and seconds > int(role.max_session_duration or 3600):
        raise StsError(
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            400,
        )
