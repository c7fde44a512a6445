"""The sub-commands. Each module registers its parser and a typed handler returning an exit code."""

from __future__ import annotations

from orgtf.commands import (
    access,
    catalog,
    config,
    demo,
    profiles,
    render,
    run,
    sandbox,
)
from orgtf.commands.base import Command, Context

COMMANDS: tuple[Command, ...] = (
    *config.COMMANDS,
    *access.COMMANDS,
    *profiles.COMMANDS,
    *render.COMMANDS,
    *run.COMMANDS,
    *catalog.COMMANDS,
    *demo.COMMANDS,
    *sandbox.COMMANDS,
)

__all__ = ["COMMANDS", "Command", "Context"]
