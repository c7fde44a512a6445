"""What is deployed: each account's Terraform root outputs, read from state, as typed records.

Nothing is planned or applied here: each account's root is initialised if needed and
``terraform output -json`` reads its state. An account whose state cannot be read becomes an
``AccountState`` with status "unreadable" and the reason, so one bad account never hides the
others. ``group_access`` turns the master account's state (or org.yaml, when it cannot be
read) into the group grants and memberships the catalog lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Literal, TypeAlias

from orgtf.config import Organization
from orgtf.config.organization import iam_arn
from orgtf.errors import Interrupted, OrgtfError
from orgtf.process import Supervisor
from orgtf.run.engine import Engine, default_parallelism
from orgtf.run.workspace import Target
from orgtf.terraform.plan import JsonValue, OutputValue

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
    where = f"account {account}"
    info = _object(_value(outputs, "account", where), f"{where}: output account")
    roles = _object(_value(outputs, "roles", where), f"{where}: output roles")
    groups = (
        _object(outputs["groups"].value, f"{where}: output groups") if "groups" in outputs else {}
    )
    users = _object(outputs["users"].value, f"{where}: output users") if "users" in outputs else {}
    return AccountState(
        account=account,
        status="deployed",
        account_id=_str(info, "id", f"{where}: output account"),
        roles={
            name: _role(value, f"{where}: role {name}") for name, value in sorted(roles.items())
        },
        groups={n: _group(v, f"{where}: group {n}") for n, v in sorted(groups.items())},
        users={n: _user(v, f"{where}: user {n}") for n, v in sorted(users.items())},
    )


def read_account_state(
    org: Organization, target: Target, account: str, supervisor: Supervisor | None = None
) -> AccountState:
    """Initialise ``account``'s root if needed and read its outputs from state."""
    ws = target.workspace(org, account)
    if not ws.workdir.is_dir():
        return AccountState(
            account, "not-applied", reason=f"not rendered yet (no root at {ws.workdir})"
        )
    tf = target.terraform_for(ws)
    if supervisor is not None:
        tf = replace(tf, supervisor=supervisor)
    try:
        tf.init_if_needed(backend_config=target.backend_files())
        return parse_account_outputs(account, tf.output())
    except Interrupted:
        raise
    except OrgtfError as exc:
        reason = f"cannot read its Terraform state: {_gist(exc.message)} (log: {tf.log_path})"
        return AccountState(account, "unreadable", reason=reason)


def _gist(message: str) -> str:
    """The first line of an error, with Terraform's own first ``Error:`` line when there is one."""
    lines = [line.strip(" │╷╵") for line in message.splitlines()]
    first = lines[0] if lines else "unknown error"
    cause = next((line for line in lines[1:] if line.startswith("Error")), None)
    return f"{first}: {cause}" if cause else first


def read_account_states(
    org: Organization, target: Target, parallelism: int | None = None
) -> list[AccountState]:
    """The state of every account of ``org``, in ``org.account_names()`` order.

    Accounts are read ``parallelism`` at a time (default: as the engine runs them), after
    the engine installed the providers once; Ctrl-C stops the running Terraform commands
    cleanly and raises Interrupted.
    """
    accounts = org.account_names()
    workers = parallelism or default_parallelism(len(accounts))
    engine = Engine(org=org, target=target, parallelism=workers, supervisor=Supervisor())
    engine.install_providers([ws for ws in engine.workspaces(accounts) if ws.workdir.is_dir()])
    read = partial(read_account_state, org, target, supervisor=engine.supervisor)
    return engine.run_each(accounts, read, label=str)


# --- shape checks: Terraform's JSON becomes records here and nowhere else -----------------


def _value(outputs: Mapping[str, OutputValue], name: str, where: str) -> JsonValue:
    if name not in outputs:
        raise OutputShapeError(
            f"{where}: no output {name!r}; the root was applied by another version of orgtf "
            "(run orgtf plan and apply)"
        )
    return outputs[name].value


def _object(value: JsonValue, where: str) -> dict[str, JsonValue]:
    if not isinstance(value, dict):
        raise OutputShapeError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _str(data: Mapping[str, JsonValue], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise OutputShapeError(f"{where}: {key} is missing or not a string")
    return value


def _strings(data: Mapping[str, JsonValue], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise OutputShapeError(f"{where}: {key} is missing or not a list of strings")
    return tuple(sorted(str(item) for item in value))


def _role(value: JsonValue, where: str) -> DeployedRole:
    data = _object(value, where)
    duration = data.get("max_session_duration")
    mfa = data.get("require_mfa")
    if not isinstance(duration, int) or isinstance(duration, bool) or not isinstance(mfa, bool):
        raise OutputShapeError(f"{where}: max_session_duration or require_mfa has a wrong type")
    return DeployedRole(_str(data, "name", where), _str(data, "arn", where), duration, mfa)


def _group(value: JsonValue, where: str) -> DeployedGroup:
    data = _object(value, where)
    arns = _strings(data, "assumable_role_arns", where)
    return DeployedGroup(_str(data, "name", where), _str(data, "arn", where), arns)


def _user(value: JsonValue, where: str) -> DeployedUser:
    data = _object(value, where)
    groups = _strings(data, "groups", where)
    return DeployedUser(_str(data, "name", where), _str(data, "arn", where), groups)
