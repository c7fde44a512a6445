"""``orgtf validate`` and ``orgtf schema``: commands that need only org.yaml."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from typing import Literal

from orgtf.commands.base import Command, Context, no_arguments, no_options
from orgtf.config import Organization, load_organization
from orgtf.config.findings import Silenced
from orgtf.config.model import OrgConfig
from orgtf.errors import ConfigError, ExitCode, Problem
from orgtf.text import plural

ValidateFormat = Literal["text", "json"]


@dataclass(frozen=True)
class ValidateOptions:
    """``validate [--format text|json] [--strict]``."""

    format: ValidateFormat
    strict: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ValidateOptions:
        return cls(format=args.format, strict=args.strict)


def _configure_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default), or json: every finding with file, line, column and severity",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (such as the IAM lint's) as errors: exit 3 when there are any",
    )


def validate(options: ValidateOptions, ctx: Context) -> ExitCode:
    """Check org.yaml and lint its policies; print a one-line summary when it is valid.

    Warnings go to stderr, one ``FILE:LINE:COL: warning: ...`` line each, with a ``note:``
    line for each lint finding org.yaml silences; they leave exit 0, unless ``--strict``
    makes the warnings errors (exit 3, as for any error).
    """
    if options.format == "text":
        org = _load_linted(ctx)
        if options.strict and org.warnings:
            _print_findings((), org.silenced)
            raise ConfigError(_as_errors(org.warnings))
        _print_findings(org.warnings, org.silenced)
        print(f"{ctx.config_path}: valid: {_summary_text(org)}{_lint_counts(org)}")
        return ExitCode.OK
    try:
        org = _load_linted(ctx)
    except ConfigError as exc:
        _print_json(ctx, None, exc.problems)
        return exc.exit_code
    if options.strict and org.warnings:
        _print_json(ctx, None, _as_errors(org.warnings), org.silenced)
        return ExitCode.INVALID_CONFIG
    _print_json(ctx, org, org.warnings, org.silenced)
    return ExitCode.OK


def _load_linted(ctx: Context) -> Organization:
    """As ``ctx.load()``, with the policies linted against IAM's definitions."""
    if not ctx.config_path.exists():
        return ctx.load()  # raises the usage error that says where org.yaml was looked for
    return load_organization(ctx.config_path, lint=True)


def _print_findings(warnings: tuple[Problem, ...], silenced: tuple[Silenced, ...]) -> None:
    """Warnings and notes to stderr, in the order of the file."""
    lines = [(w, str(w)) for w in warnings] + [(s.problem, str(s)) for s in silenced]
    for _, line in sorted(lines):
        print(line, file=sys.stderr)


def _lint_counts(org: Organization) -> str:
    counts = [plural(len(org.warnings), "warning")] if org.warnings else []
    counts += [f"{len(org.silenced)} silenced"] if org.silenced else []
    return f" ({', '.join(counts)})" if counts else ""


def _as_errors(problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
    return tuple(replace(p, severity="error") for p in problems)


def _summary_text(org: Organization) -> str:
    cfg = org.config
    return (
        f"organization {org.name!r}, {plural(len(cfg.accounts), 'account')}, "
        f"{plural(len(cfg.roles), 'role')}, {plural(len(cfg.groups), 'group')}, "
        f"{plural(len(cfg.users), 'user')}"
    )


def _position(finding: Problem | Silenced) -> Problem:
    return finding.problem if isinstance(finding, Silenced) else finding


def _print_json(
    ctx: Context,
    org: Organization | None,
    problems: tuple[Problem, ...],
    silenced: tuple[Silenced, ...] = (),
) -> None:
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
    listed: list[Problem | Silenced] = sorted([*problems, *silenced], key=_position)
    document = {
        "config": str(ctx.config_path),
        "valid": not any(p.severity == "error" for p in problems),
        # silenced lint findings are listed too, with severity "note" and their reason
        "findings": [f.as_json() for f in listed],
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
