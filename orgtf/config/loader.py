"""Load org.yaml into a validated Organization, or raise ConfigError listing every problem."""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from orgtf.config import model
from orgtf.config.checks import check_all
from orgtf.config.findings import Finding, Silenced
from orgtf.config.model import OrgConfig
from orgtf.config.organization import Organization
from orgtf.config.references import check_references
from orgtf.config.source import (
    PathKey,
    SourceMap,
    cycle_collector_paused,
    load_yaml_file,
    load_yaml_text,
)
from orgtf.errors import ConfigError, Problem
from orgtf.text import did_you_mean

PATTERN_HINTS = {
    model.IAM_NAME: "use only letters, digits and +=,.@_-",
    model.IAM_PATH: "a path starts and ends with / (e.g. /teams/alfie/)",
    model.POLICY_PATH: "a policy path starts and ends with / and holds only letters, digits "
    "and +=,.@_- between slashes (e.g. /teams/alfie/)",
    model.ORG_NAME: "use lower-case letters, digits and -, starting with a letter",
    model.ACCOUNT_ID: "an account id is exactly 12 digits",
    model.ROLE_REF: "write roles as account/RoleName",
    model.ACCOUNT_NAME: "use lower-case letters, digits and -, starting with a letter, "
    "at most 58 characters",
    model.REGION: "an AWS region name such as us-east-1",
    model.LINT_REASON: "say why the finding is intended",
}


def load_organization(path: Path, *, lint: bool = False) -> Organization:
    """Read, parse and validate ``path``; with ``lint``, lint its policies against IAM's
    definitions too (``orgtf.config.lint``: warnings, and the findings org.yaml silences)."""
    with cycle_collector_paused():
        data, source = load_yaml_file(path)
        return _validate(data, source, path, lint=lint)


def load_organization_text(text: str, path: Path) -> Organization:
    """Validate org.yaml contents given as text (e.g. from a git revision)."""
    with cycle_collector_paused():
        data, source = load_yaml_text(text, str(path))
        return _validate(data, source, path)


def _validate(
    data: dict[str, Any], source: SourceMap, path: Path, *, lint: bool = False
) -> Organization:
    problems = list(source.problems)
    _empty_sections_as_mappings(data)
    problems.extend(_normalise_account_ids(data, source))
    problems.extend(_non_json_scalars(data, (), source))
    try:
        config = OrgConfig.model_validate(data)
    except ValidationError as exc:
        problems.extend(_field_problem(error, data, source) for error in exc.errors())
        problems.extend(_located(f, source) for f in check_references(data))
        raise ConfigError(problems) from None
    if problems:
        problems.extend(_located(f, source) for f in check_references(data))
        raise ConfigError(problems)
    problems = [_located(f, source) for f in check_all(config)]
    silenced: tuple[Silenced, ...] = ()
    if lint:
        # Imported here: only validate lints, and the other commands need not load it.
        from orgtf.config.lint import lint_config

        report = lint_config(config, source)
        problems.extend(report.warnings)
        silenced = report.silenced
    if any(p.severity == "error" for p in problems):
        raise ConfigError(problems)
    return Organization(
        config=config, path=path, warnings=tuple(sorted(problems)), silenced=silenced
    )


def _located(finding: Finding, source: SourceMap) -> Problem:
    problem = source.problem(finding.path, finding.message, key=finding.at_key)
    return replace(problem, severity=finding.severity)


def _empty_sections_as_mappings(data: dict[str, Any]) -> None:
    """``roles:`` with nothing after it means no roles; ``bob:`` a user with defaults."""
    for section in ("policies", "roles", "groups", "users", "limits"):
        if section in data and data[section] is None:
            data[section] = {}
    for section in ("groups", "users"):
        entries = data.get(section)
        if isinstance(entries, dict):
            for name, entry in entries.items():
                if entry is None:
                    entries[name] = {}


def _normalise_account_ids(data: dict[str, Any], source: SourceMap) -> list[Problem]:
    """Accept unquoted 12-digit ids as strings; refuse ones YAML reads as another number."""
    problems: list[Problem] = []
    accounts = data.get("accounts")
    if not isinstance(accounts, dict):
        return problems
    for name, account in accounts.items():
        if not isinstance(account, dict) or not isinstance(account.get("id"), int | float):
            continue
        where: PathKey = ("accounts", name, "id")
        text = source.scalars[where].text if where in source.scalars else str(account["id"])
        value = account["id"]
        if (
            text.isdigit()
            and len(text) == 12
            and not isinstance(value, bool)
            and value == int(text)
        ):
            account["id"] = text
            continue
        account.pop("id")  # reported here; keep pydantic from reporting it again
        account["id"] = "000000000000"
        problems.append(source.problem(where, _account_id_problem(text, value)))
    return problems


def _account_id_problem(text: str, value: object) -> str:
    digits = text.replace("_", "")
    if digits.isdigit() and len(digits) != 12:
        return f"account id {text} has {len(digits)} digits; account ids are exactly 12 digits"
    if isinstance(value, bool):
        return f"account id {text} is read by YAML as {value!r}; account ids are 12 digits"
    return f'account id {text} is read by YAML as the number {value}; quote it: id: "{text}"'


def _non_json_scalars(value: Any, path: PathKey, source: SourceMap) -> Iterator[Problem]:
    """Dates and other YAML-only values: org.yaml holds JSON data, so they must be quoted.

    Each offending value is replaced by its source text so later checks see a string.
    """
    children = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in list(children) if isinstance(value, dict | list) else ():
        where = (*path, key)
        if isinstance(child, dict | list):
            yield from _non_json_scalars(child, where, source)
        elif not _is_scalar(child) or (isinstance(child, float) and not math.isfinite(child)):
            text = source.scalars[where].text if where in source.scalars else str(child)
            yield source.problem(where, f"YAML reads {text} as {_kind(child)}; quote it")
            value[key] = text


def _kind(value: object) -> str:
    if isinstance(value, float):
        return "a number JSON cannot hold"
    return "a date" if isinstance(value, date) else f"a {type(value).__name__}"


def _field_problem(error: ErrorDetails, data: Any, source: SourceMap) -> Problem:
    where, at_key = _data_path(error["loc"], data)
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(where[-1])
        allowed = _allowed_keys(where[:-1])
        return source.problem(where, f"unknown key {key!r}{did_you_mean(key, allowed)}", key=True)
    if kind == "missing":
        return source.problem(where[:-1], f"missing required key {where[-1]!r}", key=True)
    if kind == "union_tag_not_found":
        return source.problem(where, "missing required key 'backend' (local or s3)")
    return source.problem(where, _message(error), key=at_key)


def _message(error: ErrorDetails) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        return (
            f"invalid value {_short(value)}: {PATTERN_HINTS.get(pattern, 'must match ' + pattern)}"
        )
    if kind == "string_type" and isinstance(value, int | float | bool):
        return f"expected a string, got {value!r}; quote it"
    if value is None and kind.endswith("_type"):
        return "expected a value here, found nothing"
    if kind == "too_short" and isinstance(value, dict | list):
        least = (error.get("ctx") or {}).get("min_length", 1)
        return f"needs at least {least} {'entry' if least == 1 else 'entries'}"
    if kind == "too_long" and isinstance(value, dict | list):
        most = (error.get("ctx") or {}).get("max_length")
        return f"has {len(value)} entries; at most {most} are allowed"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {value!r}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got {value!r}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping, got {_describe(value)}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, got {_describe(value)}"
    return f"{error['msg']}" + (f" (got {_short(value)})" if _is_scalar(value) else "")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _data_path(loc: tuple[int | str, ...], data: Any) -> tuple[PathKey, bool]:
    """Map a pydantic location onto the data's own path, dropping union tags."""
    path: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        if part == "[key]":
            return tuple(path), True
        last = index == len(loc) - 1
        if _has(current, part):
            current = current[part]
        elif not last:
            continue  # a union member's tag, not a key of the file
        path.append(part)
    return tuple(path), False


def _has(container: Any, part: str | int) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _allowed_keys(path: PathKey) -> list[str]:
    """The keys the schema allows in the mapping at ``path``."""
    annotations: list[Any] = [OrgConfig]
    for part in path:
        annotations = [child for a in annotations for child in _children(a, part)]
    return sorted({name for a in annotations for name in _fields(a)})


def _children(annotation: Any, part: str | int) -> list[Any]:
    """The annotation(s) of the value found at ``part`` below a value of ``annotation``."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return [
            c
            for arg in args[: 1 if origin is typing.Annotated else None]
            for c in _children(arg, part)
        ]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return [field.annotation] if field is not None else []
    if origin is dict:
        return [args[1]]
    if origin in (tuple, list):
        return [args[0]]
    return []


def _fields(annotation: Any) -> list[str]:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        return [
            f for arg in args[: 1 if origin is typing.Annotated else None] for f in _fields(arg)
        ]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []
