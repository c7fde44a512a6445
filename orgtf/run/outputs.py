"""Reading what is deployed: each account's root module outputs, from its state.

The one entry the catalog, the demo and commands use to read outputs: nothing is planned or
applied. Each account's root is initialised if needed (providers installed once first) and
``terraform output -json`` reads its state, in the engine's bounded, interruptible pool. An
account that is not rendered, or whose state cannot be read, says so with the reason, so one
bad account never hides the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from orgtf.config import Organization
from orgtf.errors import Interrupted, OrgtfError
from orgtf.process import Supervisor
from orgtf.run.engine import Engine, default_parallelism
from orgtf.run.targets import Target
from orgtf.run.workspace import Workspace
from orgtf.terraform.plan import OutputValue

OutputsStatus: TypeAlias = Literal["read", "not-rendered", "unreadable"]


@dataclass(frozen=True)
class AccountOutputs:
    """One account's root outputs (empty when nothing was applied), or why there are none."""

    account: str
    status: OutputsStatus
    outputs: Mapping[str, OutputValue] = field(default_factory=dict)
    reason: str | None = None


def read_outputs(
    org: Organization,
    target: Target,
    accounts: Sequence[str] | None = None,
    parallelism: int | None = None,
) -> list[AccountOutputs]:
    """The outputs of ``accounts`` (default: every account), in that order.

    Ctrl-C stops the running Terraform commands cleanly and raises Interrupted.
    """
    names = list(org.account_names() if accounts is None else accounts)
    workers = parallelism or default_parallelism(len(names))
    engine = Engine(org=org, target=target, parallelism=workers, supervisor=Supervisor())
    workspaces = engine.workspaces(names)
    engine.install_providers([ws for ws in workspaces if ws.workdir.is_dir()])
    return engine.run_each(workspaces, lambda ws: _read_one(engine, ws), lambda ws: ws.account)


def _read_one(engine: Engine, ws: Workspace) -> AccountOutputs:
    if not ws.workdir.is_dir():
        reason = f"not rendered yet (no root at {ws.workdir})"
        return AccountOutputs(ws.account, "not-rendered", reason=reason)
    tf = engine.terraform(ws)
    try:
        tf.init_if_needed(backend_file=engine.target.backend_file())
        return AccountOutputs(ws.account, "read", tf.output())
    except Interrupted:
        raise
    except OrgtfError as exc:
        reason = f"cannot read its Terraform state: {_gist(exc.message)} (log: {tf.log_path})"
        return AccountOutputs(ws.account, "unreadable", reason=reason)


def _gist(message: str) -> str:
    """The first line of an error, with Terraform's own first ``Error:`` line when there is one."""
    lines = [line.strip(" │╷╵") for line in message.splitlines()]
    first = lines[0] if lines else "unknown error"
    cause = next((line for line in lines[1:] if line.startswith("Error")), None)
    return f"{first}: {cause}" if cause else first
