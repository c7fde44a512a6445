"""The base every stand-in resource builds on: schema caching, validation, plan customisation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from orgtf.sandbox.provider.errors import AwsError, add_error, is_not_found
from orgtf.sandbox.provider.framework import PolicyDocument, State, Unknown, empty_state
from orgtf.sandbox.provider.policy_json import PolicyError, normalize_json, parse_policy
from orgtf.sandbox.provider.session import AwsSession
from orgtf.sandbox.provider.tags import merged_tags


class SessionSource(Protocol):
    """The configured provider, as resources see it."""

    def aws(self) -> AwsSession: ...


class SdkResource:
    """A resource with SDKv2-like planning; subclasses implement CRUD and ``build_schema``."""

    type_name: ClassVar[str]
    conflicting: ClassVar[tuple[tuple[str, str], ...]] = ()
    _schemas: ClassVar[dict[str, Any]] = {}

    def __init__(self, provider: SessionSource) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return cls.type_name.removeprefix("aws_")

    @classmethod
    def get_schema(cls) -> Any:
        if cls.type_name not in SdkResource._schemas:
            SdkResource._schemas[cls.type_name] = cls.build_schema()
        return SdkResource._schemas[cls.type_name]

    @classmethod
    def build_schema(cls) -> Any:
        raise NotImplementedError

    @property
    def aws(self) -> AwsSession:
        return self.provider.aws()

    def refresh(
        self, ctx: Any, action: str, fetch: Callable[[], State], current: State
    ) -> State | None:
        """Read: the object; None when it is gone; ``current`` and an error when reading fails."""
        try:
            return fetch()
        except AwsError as exc:
            if is_not_found(exc):
                return None
            add_error(ctx.diagnostics, action, exc)
            return current

    def read_back(
        self, ctx: Any, action: str, fetch: Callable[[], State], fallback: State
    ) -> State:
        """The object just written, read back; ``fallback`` and an error when that fails.

        Unlike a refresh, not finding it is an error too: it was not deleted, the emulator lost
        it. The fallback is a create's partial state or an update's prior state.
        """
        try:
            return fetch()
        except AwsError as exc:
            add_error(ctx.diagnostics, action, exc)
            return fallback

    def new_state(self, **values: Any) -> State:
        """A full state: every attribute present, unset ones null."""
        state = empty_state(self.get_schema())
        state.update(values)
        return state

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        """Reject unknown fields, conflicting arguments and malformed policy JSON."""
        validate_config(self.get_schema(), diags, type_name, config, self.conflicting)

    def customize_plan(self, prior: State | None, planned: State, config: State) -> None:
        """Normalise policy JSON and recompute ``tags_all`` as the real provider does."""
        for attr in self.get_schema().attributes:
            value = planned.get(attr.name)
            if not isinstance(attr.type, PolicyDocument) or not isinstance(value, str):
                continue
            if prior is None or value != prior.get(attr.name):
                planned[attr.name] = _normalized_or_raw(value)
        if "tags_all" in planned:
            planned["tags_all"] = merged_tags(self.aws_default_tags(), planned.get("tags"))

    def aws_default_tags(self) -> dict[str, str]:
        """Provider default_tags (empty before the provider is configured)."""
        try:
            return self.aws.default_tags
        except NotConfiguredError:
            return {}


class NotConfiguredError(RuntimeError):
    """A resource operation ran before ConfigureProvider succeeded."""


def validate_config(
    schema: Any,
    diags: Any,
    type_name: str,
    config: dict[str, Any],
    conflicting: tuple[tuple[str, str], ...] = (),
) -> None:
    """Schema-level checks shared by resources and data sources."""
    known = {a.name for a in schema.attributes} | {b.type_name for b in schema.block_types}
    for key in sorted(set(config) - known):
        diags.add_error(f"Unsupported argument {type_name}.{key}", path=[key])
    for left, right in conflicting:
        if _is_set(config.get(left)) and _is_set(config.get(right)):
            diags.add_error(
                "Conflicting configuration arguments",
                f'"{left}": conflicts with {right}',
                path=[left],
            )
    for attr in schema.attributes:
        value = config.get(attr.name)
        if isinstance(attr.type, PolicyDocument) and isinstance(value, str):
            _check_policy(diags, attr.name, value)


def _check_policy(diags: Any, name: str, value: str) -> None:
    try:
        parse_policy(value)
    except PolicyError as exc:
        diags.add_error(
            "Invalid policy JSON",
            f'"{name}" contains an invalid JSON policy: {exc}',
            path=[name],
        )


def _is_set(value: object) -> bool:
    return value is not None and value is not Unknown


def _normalized_or_raw(text: str) -> str:
    try:
        return normalize_json(text)
    except json.JSONDecodeError:
        return text
