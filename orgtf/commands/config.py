"""``orgtf validate`` and ``orgtf schema``: commands that need only org.yaml."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Literal

from orgtf.commands.base import Command, Context, no_arguments, no_options
from orgtf.config import Organization
from orgtf.config.model import OrgConfig
from orgtf.errors import ConfigError, ExitCode, Problem
from orgtf.text import plural

ValidateFormat = Literal["text", "json"]


@dataclass(frozen=True)
class ValidateOptions:
    """``validate [--format text|json]``."""

    format: ValidateFormat

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ValidateOptions:
        return cls(format=args.format)


def _configure_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default), or json: every finding with file, line, column and severity",
    )


def validate(options: ValidateOptions, ctx: Context) -> ExitCode:
    """Check org.yaml; print a one-line summary when it is valid (exit 3 when it is not).

    Warnings go to stderr, one ``FILE:LINE:COL: warning: ...`` line each; they leave exit 0.
    """
    if options.format == "text":
        org = ctx.load()
        for warning in org.warnings:
            print(warning, file=sys.stderr)
        print(f"{ctx.config_path}: valid: {_summary_text(org)}")
        return ExitCode.OK
    try:
        org = ctx.load()
    except ConfigError as exc:
        _print_json(ctx, None, exc.problems)
        return exc.exit_code
    _print_json(ctx, org, org.warnings)
    return ExitCode.OK


def _summary_text(org: Organization) -> str:
    cfg = org.config
    return (
        f"organization {org.name!r}, {plural(len(cfg.accounts), 'account')}, "
        f"{plural(len(cfg.roles), 'role')}, {plural(len(cfg.groups), 'group')}, "
        f"{plural(len(cfg.users), 'user')}"
    )


def _print_json(ctx: Context, org: Organization | None, problems: tuple[Problem, ...]) -> None:
    counts = None
    if org is not None:
        cfg = org.config
        counts = {
            "organization": org.name,
            "accounts": len(cfg.accounts),
            "roles": len(cfg.roles),
            "groups": len(cfg.groups),
            "users": len(cfg.users),
        }
    document = {
        "config": str(ctx.config_path),
        "valid": not any(p.severity == "error" for p in problems),
        "findings": [p.as_json() for p in problems],
        "summary": counts,
    }
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def json_schema() -> dict[str, object]:
    """The JSON Schema of org.yaml, for editors."""
    schema = OrgConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "orgtf org.yaml (format version 1)"
    return schema


def schema(options: object, ctx: Context) -> ExitCode:
    """Print the JSON Schema of org.yaml."""
    del options, ctx
    print(json.dumps(json_schema(), indent=2, sort_keys=True))
    return ExitCode.OK


COMMANDS = (
    Command(
        "validate",
        "check org.yaml and report every problem with file:line",
        _configure_validate,
        ValidateOptions.from_args,
        validate,
    ),
    Command(
        "schema",
        "print the JSON Schema of org.yaml (for editor completion)",
        no_arguments,
        no_options,
        schema,
    ),
)
