"""Inside the emulator: who signed a request, and the policies IAM holds for them.

Used by ``iam_enforcement`` in the emulator's own process, so moto is imported freely. moto's
authorization mode (``moto.iam.access_control``) does the parts it does well: it finds the
secret behind the request's access key (an IAM user's key, or a role session's, whose token
must match) and checks the SigV4 signature. The rest is read from moto's backends of the
caller's account: the user, its groups and their policies, or the role behind a session.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

from moto.core.utils import utcnow
from moto.iam.access_control import IAMRequest
from moto.iam.exceptions import NotFoundException
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from orgtf.iam.details import parse_document
from orgtf.iam.evaluate import Document

CallerKind = Literal["User", "AssumedRole"]


class StsError(Exception):
    """An error STS answers with: its code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Caller:
    """The IAM user or role session behind a request, with its identity policies."""

    kind: CallerKind
    account: str
    arn: str  # as errors name it: the user's ARN, or the session's (…:assumed-role/ROLE/S)
    principal_arn: str  # aws:PrincipalArn: the user's ARN, or the role's
    user_id: str  # aws:userid
    name: str  # the user's or the role's name
    access_key_id: str
    identity: tuple[Document, ...]
    boundary: tuple[Document, ...] | None  # None: no permissions boundary


def find_caller(response: Any) -> Caller:
    """The signer of the request moto's ``response`` (a ``BaseResponse``) is handling.

    Raises StsError as STS would for a missing, unknown, inactive or expired key, or a wrong
    signature.
    """
    headers = response.headers
    if "AWS4-HMAC-SHA256" not in headers.get("Authorization", ""):
        raise StsError("MissingAuthenticationToken", "Request is missing Authentication Token")
    request = _SignedRequest(
        account_id=response.current_account,
        method=response.method,
        path=_path(response),
        data=response.data,
        body=response.raw_body,
        headers=headers,
        action=response._get_action(),
    )
    request.check_signature()
    key = response.get_access_key()
    partition = response.partition
    if "X-Amz-Security-Token" in headers:
        return _session(response.current_account, partition, key)
    return _user(response.current_account, partition, key)


class _SignedRequest(IAMRequest):
    """moto's request check, answering with STS's errors."""

    def _raise_signature_does_not_match(self) -> NoReturn:
        raise StsError(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. "
            "Consult the service documentation for details.",
        )

    def _raise_invalid_access_key(self, reason: str) -> NoReturn:
        raise _invalid_token()

    def _raise_access_denied(self) -> NoReturn:
        raise AssertionError("not used: the sandbox decides access itself")


def _invalid_token() -> StsError:
    return StsError(
        "InvalidClientTokenId", "The security token included in the request is invalid."
    )


def _path(response: Any) -> str:
    path = str(response.raw_path)
    query = urllib.parse.urlparse(response.uri).query
    return f"{path}?{query}" if query else path


def _user(account: str, partition: str, key_id: str) -> Caller:
    backend = iam_backends[account][partition]
    user = backend.get_user_from_access_key_id(key_id)
    if user is None:
        raise _invalid_token()
    key = next(k for k in user.access_keys if k.access_key_id == key_id)
    if key.status != "Active":
        raise _invalid_token()
    documents = [*user.policies.values(), *user.managed_policies.values()]
    for group in backend.get_groups_for_user(user.name):
        documents += [*group.policies.values(), *group.managed_policies.values()]
    return Caller(
        kind="User",
        account=account,
        arn=user.arn,
        principal_arn=user.arn,
        user_id=user.id,
        name=user.name,
        access_key_id=key_id,
        identity=tuple(_documents(documents)),
        boundary=None,  # moto keeps no permissions boundary for users
    )


def _session(account: str, partition: str, key_id: str) -> Caller:
    session = sts_backends[account][partition].get_assumed_role_from_access_key(key_id)
    if session is None:
        raise _invalid_token()
    if session.expiration <= utcnow():
        raise StsError("ExpiredToken", "The security token included in the request is expired")
    backend = iam_backends[account][partition]
    try:
        role = backend.get_role_by_arn(session.role_arn)
    except NotFoundException:  # deleted since: a session of nothing may do nothing
        role = None
    documents = [*role.policies.values(), *role.managed_policies.values()] if role else []
    boundary = role.permissions_boundary_arn if role else None
    return Caller(
        kind="AssumedRole",
        account=account,
        arn=session.arn,
        principal_arn=session.role_arn,
        user_id=session.user_id,
        name=session.role_arn.rpartition("/")[2],
        access_key_id=key_id,
        identity=tuple(_documents(documents)),
        boundary=_boundary(backend, boundary) if boundary else None,
    )


def _boundary(backend: Any, arn: str) -> tuple[Document, ...]:
    try:
        return tuple(_documents([backend.get_policy(arn)]))
    except NotFoundException:
        return ()  # a boundary that allows nothing


def role_trust(account: str, partition: str, role_arn: str) -> tuple[Any, Document | None]:
    """The role ``role_arn`` in ``account`` and its trust policy; (None, None) if it is absent.

    An account the emulator has never seen holds no role: its backend is not created (that
    would load every AWS managed policy into it).
    """
    if role_arn.split(":")[4:5] != [account] or account not in iam_backends:
        return None, None
    try:
        role = iam_backends[account][partition].get_role_by_arn(role_arn)
    except NotFoundException:
        return None, None
    return role, parse_document(role.assume_role_policy_document)


def _documents(sources: list[Any]) -> Iterator[Document]:
    """Policy documents from inline JSON strings and managed policies (their default version)."""
    for source in sources:
        text = source
        if hasattr(source, "versions"):
            text = next((v.document for v in source.versions if v.is_default), None)
        document = parse_document(text)
        if document is not None:
            yield document
