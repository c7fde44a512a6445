"""Tags of roles and users as IAM receives them: with the provider's default tags merged in.

The AWS provider adds its ``default_tags`` (``organization.default_tags``, by default
``model.DEFAULT_TAGS``) to every resource it tags, so IAM sees a role's or user's own tags
plus those. Policies get only the default tags and groups cannot be tagged, so roles and
users are the resources checked here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping

from orgtf.config.findings import Finding, PathKey
from orgtf.config.model import TAGS_PER_RESOURCE, OrgConfig
from orgtf.text import plural

# Tag.Key and Tag.Value of IAM's API (tagKeyType, tagValueType) follow the pattern
# [\p{L}\p{Z}\p{N}_.:/=+\-@]*: Unicode letters, separators and numbers, and _.:/=+-@.
TAG_SYMBOLS = frozenset("_.:/=+-@")
TAG_CATEGORIES = ("L", "Z", "N")  # the first letter of unicodedata.category


def check_tags(config: OrgConfig) -> Iterator[Finding]:
    """Tags IAM would refuse on a role or user, or that would clash with the default tags."""
    defaults = config.organization.default_tags
    yield from _default_tags(defaults)
    tagged = [("roles", "role", n, r.tags) for n, r in config.roles.items()]
    tagged += [("users", "user", n, u.tags) for n, u in config.users.items()]
    for section, kind, name, tags in tagged:
        base: PathKey = (section, name, "tags")
        for key, value in tags.items():
            yield from _check_tag(base, key, value)
        yield from _same_keys(base, kind, tags, defaults)
        total = len(tags.keys() | defaults.keys())
        if total > TAGS_PER_RESOURCE:
            yield Finding(
                base,
                f"{kind} {name!r} has {plural(len(tags), 'tag')} and the provider adds "
                f"{plural(len(defaults), 'default tag')} ({_listed(defaults)}): {total} in "
                f"all; IAM allows {TAGS_PER_RESOURCE} per {kind}",
                True,
            )


def _default_tags(defaults: Mapping[str, str]) -> Iterator[Finding]:
    base: PathKey = ("organization", "default_tags")
    for key, value in defaults.items():
        yield from _check_tag(base, key, value)
    yield from _same_keys(base, "resource", defaults, {})


def _listed(tags: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in tags.items())


def _check_tag(base: PathKey, key: str, value: str) -> Iterator[Finding]:
    where = (*base, key)
    # IAM reserves the aws: prefix, in any case, for keys and values alike.
    if key.lower().startswith("aws:"):
        yield Finding(where, f"tag key {key!r}: the aws: prefix is reserved by AWS", True)
    elif value.lower().startswith("aws:"):
        yield Finding(where, f"tag {key!r}: the aws: prefix is reserved by AWS, in values too")
    for text, at_key in ((key, True), (value, False)):
        bad = refused_in_tags(text)
        if bad is not None:
            yield Finding(
                where,
                f"tag {key!r}: {text!r} has {describe(bad)}, which IAM refuses in tags "
                "(letters, numbers, spaces and _.:/=+-@ only)",
                at_key,
            )


def _same_keys(
    base: PathKey, kind: str, tags: Mapping[str, str], default_tags: Mapping[str, str]
) -> Iterator[Finding]:
    """Keys equal to another's but for case: IAM keeps one (roles' and users' keys ignore case)."""
    defaults = {k.lower(): k for k in default_tags}
    seen: dict[str, str] = {}
    for key in tags:
        folded = key.lower()
        if folded in defaults:
            yield Finding(
                (*base, key),
                f"tag key {key!r} clashes with {defaults[folded]!r}, a default tag orgtf adds "
                f"to every {kind} ({_listed(default_tags)}); pick another key",
                True,
            )
            continue
        first = seen.setdefault(folded, key)
        if first != key:
            yield Finding(
                (*base, key),
                f"tag keys {key!r} and {first!r} differ only in case; IAM treats a {kind}'s "
                "tag keys as one key regardless of case",
                True,
            )


def refused_in_tags(text: str) -> str | None:
    """The first character of ``text`` that IAM's tag key and value pattern refuses."""
    for char in text:
        if char not in TAG_SYMBOLS and unicodedata.category(char)[0] not in TAG_CATEGORIES:
            return char
    return None


def describe(char: str) -> str:
    """``'$'``, or ``'\\x00' (U+0000)`` for characters that do not show."""
    return repr(char) if char.isprintable() else f"{char!r} (U+{ord(char):04X})"
