"""``orgtf validate`` and ``orgtf schema``: commands that need only org.yaml."""

from __future__ import annotations

import argparse
import json

from orgtf.commands.base import Command, Context
from orgtf.config.model import OrgConfig


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def validate(args: argparse.Namespace, ctx: Context) -> int:
    """Check org.yaml; print a one-line summary when it is valid."""
    del args
    org = ctx.load()
    cfg = org.config
    print(
        f"{ctx.config_path}: valid: organization {org.name!r}, {len(cfg.accounts)} accounts, "
        f"{len(cfg.roles)} roles, {len(cfg.groups)} groups, {len(cfg.users)} users"
    )
    return 0


def json_schema() -> dict[str, object]:
    """The JSON Schema of org.yaml, for editors."""
    schema = OrgConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "orgtf org.yaml (format version 1)"
    return schema


def schema(args: argparse.Namespace, ctx: Context) -> int:
    """Print the JSON Schema of org.yaml."""
    del args, ctx
    print(json.dumps(json_schema(), indent=2, sort_keys=True))
    return 0


COMMANDS = (
    Command(
        "validate",
        "check org.yaml and report every problem with file:line",
        _no_arguments,
        validate,
    ),
    Command(
        "schema", "print the JSON Schema of org.yaml (for editor completion)", _no_arguments, schema
    ),
)
