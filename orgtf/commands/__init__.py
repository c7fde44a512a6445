"""The commands: one module per command family, each exposing ``COMMANDS``.

A command module parses its arguments into a frozen options record and hands it, with the
global ``Context``, to a handler that returns an ``ExitCode`` (``orgtf.commands.base``).
Handlers call the core and print; they hold no logic of their own. To add a command, write
a module here and list its ``COMMANDS`` below; ``orgtf.cli`` does the rest.
"""

from __future__ import annotations

from typing import Any

from orgtf.commands import (
    access,
    affected,
    catalog,
    config,
    demo,
    imports,
    init,
    profiles,
    recovery,
    render,
    report,
    run,
    sandbox,
    users,
)
from orgtf.commands.base import Command, Context

COMMANDS: tuple[Command[Any], ...] = (
    *init.COMMANDS,
    *config.COMMANDS,
    *access.COMMANDS,
    *profiles.COMMANDS,
    *users.COMMANDS,
    *render.COMMANDS,
    *run.COMMANDS,
    *affected.COMMANDS,
    *report.COMMANDS,
    *catalog.COMMANDS,
    *demo.COMMANDS,
    *sandbox.COMMANDS,
    *recovery.COMMANDS,
    *imports.COMMANDS,
)

__all__ = ["COMMANDS", "Command", "Context"]
