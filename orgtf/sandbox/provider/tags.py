"""Tags as the real provider keeps them: ``tags`` as configured, ``tags_all`` with default_tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orgtf.sandbox.provider.framework import Unknown

if TYPE_CHECKING:
    from mypy_boto3_iam.type_defs import TagTypeDef


def merged_tags(default_tags: Mapping[str, str], tags: Mapping[str, Any] | None) -> Any:
    """``tags_all``: provider default_tags overlaid by resource tags (Unknown if tags are)."""
    if tags is Unknown:
        return Unknown
    return {**default_tags, **(tags or {})}


def to_aws(tags: Mapping[str, str]) -> list[TagTypeDef]:
    """Tag list for IAM APIs, sorted by key for deterministic requests."""
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def from_aws(tag_list: Sequence[TagTypeDef] | None) -> dict[str, str]:
    """Tag map from an IAM API tag list."""
    return {t["Key"]: t["Value"] for t in tag_list or []}


def resource_tags(
    actual: Mapping[str, str], default_tags: Mapping[str, str], prior: Mapping[str, str] | None
) -> dict[str, str] | None:
    """``tags`` after a read: actual tags minus keys that come only from default_tags."""
    kept = {
        k: v
        for k, v in actual.items()
        if default_tags.get(k) != v or (prior is not None and prior.get(k) == v)
    }
    if not kept and not prior:
        return None if prior is None else {}
    return kept


def tag_changes(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Tags to set and tag keys to remove to turn ``old`` into ``new``."""
    upserts = {k: v for k, v in new.items() if old.get(k) != v}
    removals = sorted(k for k in old if k not in new)
    return upserts, removals
