"""``orgtf unlock --account NAME``: release a state lock whose holder is gone."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

from orgtf.commands.base import Command, Context
from orgtf.commands.common import duration
from orgtf.errors import ExitCode
from orgtf.process import Supervisor
from orgtf.run.engine import Engine
from orgtf.run.project_lock import project_lock
from orgtf.run.targets import select_target
from orgtf.run.unlock import unlock


@dataclass(frozen=True)
class UnlockOptions:
    """``unlock --account NAME [--lock-timeout DURATION]``."""

    account: str
    lock_timeout: float

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> UnlockOptions:
        return cls(account=args.account, lock_timeout=args.lock_timeout)


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--account", required=True, metavar="NAME", help="the account whose state lock to release"
    )
    parser.add_argument(
        "--lock-timeout",
        type=duration,
        default=0.0,
        metavar="DURATION",
        help="wait this long for another orgtf run on the project (default: do not wait)",
    )


def unlock_handler(options: UnlockOptions, ctx: Context) -> ExitCode:
    """Release the account's state lock unless a run of orgtf's still holds it."""
    org = ctx.load()
    account = org.select_accounts([options.account])[0]
    target = select_target(org, ctx.sandbox, os.environ)
    engine = Engine(org, target, parallelism=1, supervisor=Supervisor())
    with project_lock(target.state_dir, "orgtf unlock", options.lock_timeout):
        ws = engine.workspaces([account])[0]
        done = unlock(ws, engine.terraform(ws), target.backend_file())
    if done.released is None:
        print(f"account {account}: the state is not locked; nothing to release")
    else:
        held = done.released
        print(f"account {account}: released state lock {held.lock_id} (held by {held.holder})")
    return ExitCode.OK


COMMANDS = (
    Command(
        "unlock",
        "release the state lock of --account NAME when its holder is gone (a killed run)",
        _configure,
        UnlockOptions.from_args,
        unlock_handler,
    ),
)
