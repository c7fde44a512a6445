"""The sub-commands. Each module registers its parser and a typed handler returning an exit code."""

from __future__ import annotations

from orgtf.commands import (
    access_commands,
    catalog_commands,
    config_commands,
    demo_commands,
    profiles_commands,
    render_commands,
    run_commands,
    sandbox_commands,
)
from orgtf.commands.base import Command, Context

COMMANDS: tuple[Command, ...] = (
    *config_commands.COMMANDS,
    *access_commands.COMMANDS,
    *profiles_commands.COMMANDS,
    *render_commands.COMMANDS,
    *run_commands.COMMANDS,
    *catalog_commands.COMMANDS,
    *demo_commands.COMMANDS,
    *sandbox_commands.COMMANDS,
)

__all__ = ["COMMANDS", "Command", "Context"]
