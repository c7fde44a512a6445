"""One account's IAM as ``GetAccountAuthorizationDetails`` describes it, as typed records.

``parse_details`` turns the pages of that call (as boto3 returns them, or as JSON) into an
``AccountDetails``: the users with their groups, the groups, the roles with their trust
policies, and every policy's document, inline ones by owner and managed ones by ARN. Policy
documents may come decoded (boto3 decodes them) or as IAM sends them, URL-encoded JSON.
Pure functions: reading the pages from AWS is the caller's business.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orgtf.iam.evaluate import Document

SERVICE_LINKED_PATH = "/aws-service-role/"
Tags = tuple[tuple[str, str], ...]  # (key, value), sorted by key


@dataclass(frozen=True)
class PolicyInfo:
    """A customer managed policy's name, path and description (``Policies`` of the call)."""

    name: str
    path: str = "/"
    description: str = ""


@dataclass(frozen=True)
class InlinePolicy:
    """A policy embedded in a user, group or role, by its name there."""

    name: str
    document: Document = field(compare=False)


@dataclass(frozen=True)
class IamGroup:
    """A group: its inline policies and the ARNs of the managed policies attached to it."""

    name: str
    arn: str
    inline: tuple[InlinePolicy, ...] = ()
    attached: tuple[str, ...] = ()
    path: str = "/"


@dataclass(frozen=True)
class IamUser:
    """A user: its groups (by name), its own policies, its permissions boundary if any."""

    name: str
    arn: str
    user_id: str
    groups: tuple[str, ...] = ()
    inline: tuple[InlinePolicy, ...] = ()
    attached: tuple[str, ...] = ()
    boundary: str | None = None  # the ARN of the boundary's managed policy
    path: str = "/"
    tags: Tags = field(default=(), compare=False)


@dataclass(frozen=True)
class IamRole:
    """A role: its trust policy (None when IAM's text is no document), its own policies."""

    name: str
    arn: str
    role_id: str
    path: str = "/"
    trust: Document | None = field(default=None, compare=False)
    inline: tuple[InlinePolicy, ...] = ()
    attached: tuple[str, ...] = ()
    boundary: str | None = None
    tags: Tags = field(default=(), compare=False)

    @property
    def service_linked(self) -> bool:
        """A role AWS services create for themselves; only the service may assume it."""
        return self.path.startswith(SERVICE_LINKED_PATH)


@dataclass(frozen=True)
class AccountDetails:
    """What one account's IAM holds, sorted by name; ``policies`` maps managed policy ARNs
    to their default version's document (those read: a caller may add AWS managed ones)."""

    account_id: str
    users: tuple[IamUser, ...] = ()
    groups: tuple[IamGroup, ...] = ()
    roles: tuple[IamRole, ...] = ()
    policies: Mapping[str, Document] = field(default_factory=dict, compare=False)
    policy_info: Mapping[str, PolicyInfo] = field(default_factory=dict, compare=False)

    def group(self, name: str) -> IamGroup | None:
        """The group called ``name``, if the account has it."""
        return next((g for g in self.groups if g.name == name), None)

    def attached_arns(self) -> set[str]:
        """Every managed policy ARN attached to a user, group or role, or set as a boundary."""
        entities: list[IamUser | IamGroup | IamRole] = [*self.users, *self.groups, *self.roles]
        found = {arn for entity in entities for arn in entity.attached}
        bounded: list[IamUser | IamRole] = [*self.users, *self.roles]
        found |= {entity.boundary for entity in bounded if entity.boundary}
        return found


def parse_details(account_id: str, pages: Iterable[Mapping[str, Any]]) -> AccountDetails:
    """The records of ``account_id`` from every page of ``GetAccountAuthorizationDetails``."""
    users: list[IamUser] = []
    groups: list[IamGroup] = []
    roles: list[IamRole] = []
    policies: dict[str, Document] = {}
    info: dict[str, PolicyInfo] = {}
    for page in pages:
        users += [_user(item) for item in page.get("UserDetailList", [])]
        groups += [_group(item) for item in page.get("GroupDetailList", [])]
        roles += [_role(item) for item in page.get("RoleDetailList", [])]
        for item in page.get("Policies", []):
            document = _default_document(item)
            if document is not None:
                policies[str(item["Arn"])] = document
            info[str(item["Arn"])] = PolicyInfo(
                str(item.get("PolicyName") or str(item["Arn"]).rsplit("/", 1)[-1]),
                str(item.get("Path", "/")),
                str(item.get("Description", "")),
            )
    return AccountDetails(
        account_id=account_id,
        users=tuple(sorted(users, key=lambda u: u.name)),
        groups=tuple(sorted(groups, key=lambda g: g.name)),
        roles=tuple(sorted(roles, key=lambda r: r.arn)),
        policies=dict(sorted(policies.items())),
        policy_info=dict(sorted(info.items())),
    )


def parse_document(text: Any) -> Document | None:
    """A policy document from IAM's JSON (decoded, URL-encoded or not); None if it is none."""
    if isinstance(text, Mapping):
        return text
    if not isinstance(text, str):
        return None
    for candidate in (text, urllib.parse.unquote(text)):
        try:
            document = json.loads(candidate)
        except ValueError:
            continue
        return document if isinstance(document, Mapping) else None
    return None


def _user(item: Mapping[str, Any]) -> IamUser:
    return IamUser(
        name=str(item["UserName"]),
        arn=str(item["Arn"]),
        user_id=str(item.get("UserId", "")),
        groups=tuple(sorted(str(g) for g in item.get("GroupList", []))),
        inline=_inline(item.get("UserPolicyList", [])),
        attached=_attached(item),
        boundary=_boundary(item),
        path=str(item.get("Path", "/")),
        tags=_tags(item),
    )


def _group(item: Mapping[str, Any]) -> IamGroup:
    return IamGroup(
        name=str(item["GroupName"]),
        arn=str(item["Arn"]),
        inline=_inline(item.get("GroupPolicyList", [])),
        attached=_attached(item),
        path=str(item.get("Path", "/")),
    )


def _role(item: Mapping[str, Any]) -> IamRole:
    return IamRole(
        name=str(item["RoleName"]),
        arn=str(item["Arn"]),
        role_id=str(item.get("RoleId", "")),
        path=str(item.get("Path", "/")),
        trust=parse_document(item.get("AssumeRolePolicyDocument")),
        inline=_inline(item.get("RolePolicyList", [])),
        attached=_attached(item),
        boundary=_boundary(item),
        tags=_tags(item),
    )


def _tags(item: Mapping[str, Any]) -> Tags:
    return tuple(sorted((str(t["Key"]), str(t.get("Value", ""))) for t in item.get("Tags", [])))


def _inline(items: Iterable[Mapping[str, Any]]) -> tuple[InlinePolicy, ...]:
    found = []
    for item in items:
        document = parse_document(item.get("PolicyDocument"))
        if document is not None:
            found.append(InlinePolicy(str(item["PolicyName"]), document))
    return tuple(sorted(found, key=lambda p: p.name))


def _attached(item: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(str(p["PolicyArn"]) for p in item.get("AttachedManagedPolicies", [])))


def _boundary(item: Mapping[str, Any]) -> str | None:
    arn = (item.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    return str(arn) if arn else None


def _default_document(item: Mapping[str, Any]) -> Document | None:
    versions = item.get("PolicyVersionList", [])
    default = next((v for v in versions if v.get("IsDefaultVersion")), None)
    return parse_document(default.get("Document")) if default is not None else None
