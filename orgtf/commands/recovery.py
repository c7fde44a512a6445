"""Recovery commands: ``orgtf unlock`` releases a state lock whose holder is gone, and
``orgtf adopt`` brings objects that exist in AWS but not in the state into it."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from orgtf.commands.base import Command, Context
from orgtf.commands.common import duration
from orgtf.errors import ExitCode
from orgtf.process import Supervisor
from orgtf.run.adopt import adopt
from orgtf.run.engine import Engine
from orgtf.run.project_lock import project_lock
from orgtf.run.targets import select_target
from orgtf.run.unlock import unlock
from orgtf.run.workspace import Workspace
from orgtf.terraform.driver import Terraform
from orgtf.text import plural


@dataclass(frozen=True)
class AccountOptions:
    """``unlock|adopt --account NAME [--lock-timeout DURATION]``."""

    account: str
    lock_timeout: float

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> AccountOptions:
        return cls(account=args.account, lock_timeout=args.lock_timeout)


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--account", required=True, metavar="NAME", help="the account to work on")
    parser.add_argument(
        "--lock-timeout",
        type=duration,
        default=0.0,
        metavar="DURATION",
        help="wait this long for another orgtf run on the project (default: do not wait)",
    )


@contextmanager
def _one_account(
    options: AccountOptions, ctx: Context, command: str
) -> Iterator[tuple[Workspace, Terraform, Path | None]]:
    """The workspace and driver of ``--account``, under the project lock."""
    org = ctx.load()
    account = org.select_accounts([options.account])[0]
    target = select_target(org, ctx.sandbox, os.environ)
    engine = Engine(org, target, parallelism=1, supervisor=Supervisor())
    with project_lock(target.state_dir, command, options.lock_timeout):
        ws = engine.workspaces([account])[0]
        yield ws, engine.terraform(ws), target.backend_file()


def unlock_handler(options: AccountOptions, ctx: Context) -> ExitCode:
    """Release the account's state lock unless a run of orgtf's still holds it."""
    with _one_account(options, ctx, "orgtf unlock") as (ws, tf, backend_file):
        done = unlock(ws, tf, backend_file)
    account = ws.account
    if done.released is None:
        print(f"account {account}: the state is not locked; nothing to release")
    else:
        held = done.released
        print(f"account {account}: released state lock {held.lock_id} (held by {held.holder})")
    return ExitCode.OK


def adopt_handler(options: AccountOptions, ctx: Context) -> ExitCode:
    """Import the account's planned objects that already exist in AWS; change nothing there."""
    with _one_account(options, ctx, "orgtf adopt") as (ws, tf, backend_file):
        adopted = adopt(ws, tf, backend_file)
    for item in adopted:
        print(f"adopted {item.address} (import ID {item.object_id})")
    print(
        f"account {ws.account}: {plural(len(adopted), 'object')} adopted into the state; "
        "nothing was changed in AWS. Run orgtf plan to see what differs from org.yaml"
    )
    return ExitCode.OK


COMMANDS = (
    Command(
        "unlock",
        "release the state lock of --account NAME when its holder is gone (a killed run)",
        _configure,
        AccountOptions.from_args,
        unlock_handler,
    ),
    Command(
        "adopt",
        "bring objects of --account NAME that exist in AWS but not in its Terraform state "
        "into the state (after a killed apply, or for roles made by hand)",
        _configure,
        AccountOptions.from_args,
        adopt_handler,
    ),
)
