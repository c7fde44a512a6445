"""What is deployed: each account's Terraform root outputs, read from state, as typed records.

Nothing is planned or applied here: the run layer reads each account's outputs
(``orgtf.run.outputs``) and this module checks their shape once, through typed models. An
account whose state cannot be read becomes an ``AccountState`` with status "unreadable" and
the reason, so one bad account never hides the others. ``group_access`` turns the master
account's state (or org.yaml, when it cannot be read) into the group grants and memberships
the catalog lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import pydantic

from orgtf.config import Organization
from orgtf.config.organization import iam_arn
from orgtf.errors import OrgtfError
from orgtf.run.outputs import AccountOutputs, read_outputs
from orgtf.run.targets import Target
from orgtf.terraform.plan import OutputValue

StateStatus: TypeAlias = Literal["deployed", "not-applied", "unreadable"]


class OutputShapeError(OrgtfError):
    """An account's outputs are not what orgtf's rendered roots produce."""


@dataclass(frozen=True)
class DeployedRole:
    """A role as the account-roles module reports it."""

    name: str
    arn: str
    max_session_duration: int
    require_mfa: bool


@dataclass(frozen=True)
class DeployedGroup:
    """A group of the master account and the role ARNs its members may assume."""

    name: str
    arn: str
    assumable_role_arns: tuple[str, ...]


@dataclass(frozen=True)
class DeployedUser:
    """A user of the master account and its groups."""

    name: str
    arn: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class AccountState:
    """One account's deployed roles (and, for the master account, groups and users)."""

    account: str
    status: StateStatus
    account_id: str | None = None
    roles: Mapping[str, DeployedRole] = field(default_factory=dict)
    groups: Mapping[str, DeployedGroup] = field(default_factory=dict)
    users: Mapping[str, DeployedUser] = field(default_factory=dict)
    reason: str | None = None


@dataclass(frozen=True)
class GroupAccess:
    """Group grants (role ARNs per group) and memberships, from one source: the master
    account's state (``deployed``) or, when it cannot be read, org.yaml."""

    grants: Mapping[str, frozenset[str]]
    members: Mapping[str, tuple[str, ...]]
    user_arns: Mapping[str, str]
    deployed: bool


def group_access(org: Organization, master: AccountState) -> GroupAccess:
    """Who may assume what, from the master account's state when deployed, else org.yaml."""
    if master.status == "deployed":
        return GroupAccess(
            grants={n: frozenset(g.assumable_role_arns) for n, g in master.groups.items()},
            members={n: u.groups for n, u in master.users.items()},
            user_arns={n: u.arn for n, u in master.users.items()},
            deployed=True,
        )
    return GroupAccess(
        grants=config_grants(org),
        members={n: tuple(sorted(set(u.groups))) for n, u in sorted(org.config.users.items())},
        user_arns={
            n: iam_arn(org.master.id, "user", u.path, n) for n, u in org.config.users.items()
        },
        deployed=False,
    )


def config_grants(org: Organization) -> dict[str, frozenset[str]]:
    """The role ARNs each group of org.yaml grants, by group."""
    return {
        name: frozenset(org.role_arn(ref) for ref in org.group_roles(group))
        for name, group in sorted(org.config.groups.items())
    }


def parse_account_outputs(account: str, outputs: Mapping[str, OutputValue]) -> AccountState:
    """The state of ``account`` from its root outputs; no outputs means nothing was applied.

    Raises OutputShapeError when outputs exist but lack what orgtf's roots define.
    """
    if not outputs:
        return AccountState(
            account, "not-applied", reason="nothing applied yet (no Terraform outputs)"
        )
    shape = _shape(account, outputs)
    return AccountState(
        account=account,
        status="deployed",
        account_id=shape.account.id,
        roles={
            name: DeployedRole(r.name, r.arn, r.max_session_duration, r.require_mfa)
            for name, r in sorted(shape.roles.items())
        },
        groups={
            name: DeployedGroup(g.name, g.arn, tuple(sorted(g.assumable_role_arns)))
            for name, g in sorted(shape.groups.items())
        },
        users={
            name: DeployedUser(u.name, u.arn, tuple(sorted(u.groups)))
            for name, u in sorted(shape.users.items())
        },
    )


def read_account_states(
    org: Organization, target: Target, parallelism: int | None = None
) -> list[AccountState]:
    """The state of every account of ``org``, in ``org.account_names()`` order.

    Raises OutputShapeError when an account's outputs are not what orgtf's roots produce.
    """
    return [_state_of(read) for read in read_outputs(org, target, parallelism=parallelism)]


def _state_of(read: AccountOutputs) -> AccountState:
    if read.status == "read":
        return parse_account_outputs(read.account, read.outputs)
    status: StateStatus = "not-applied" if read.status == "not-rendered" else "unreadable"
    return AccountState(read.account, status, reason=read.reason)


# --- shape checks: Terraform's JSON becomes records here and nowhere else -----------------


class _Shape(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore", frozen=True, strict=True)


class _AccountOutput(_Shape):
    id: str


class _RoleOutput(_Shape):
    name: str
    arn: str
    max_session_duration: int
    require_mfa: bool


class _GroupOutput(_Shape):
    name: str
    arn: str
    assumable_role_arns: list[str]


class _UserOutput(_Shape):
    name: str
    arn: str
    groups: list[str]


class _RootOutputs(_Shape):
    """The outputs orgtf's rendered roots define (groups and users in the master only)."""

    account: _AccountOutput
    roles: dict[str, _RoleOutput]
    groups: dict[str, _GroupOutput] = {}
    users: dict[str, _UserOutput] = {}


def _shape(account: str, outputs: Mapping[str, OutputValue]) -> _RootOutputs:
    values = {name: output.value for name, output in outputs.items()}
    try:
        return _RootOutputs.model_validate(values)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise OutputShapeError(
            f"account {account}: output {where}: {first['msg']}; the root was applied by "
            "another version of orgtf (run orgtf plan and apply)"
        ) from None
