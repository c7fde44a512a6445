"""What changed inside a resource: each changed attribute's before and after, and its lines.

Built from one ``resource_changes[].change`` of ``terraform show -json``. Sensitive values are
shown as ``(sensitive)`` and values unknown until apply as ``(known after apply)``; unchanged
attributes are left out. Attributes that hold an IAM policy document as a JSON string
(``policy``, ``assume_role_policy``) are decoded and compared value by value
(``orgtf.terraform.policy_diff``); other maps and lists (tags) key by key.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

from orgtf.terraform.policy_diff import PolicyDocument, decode_policy, policy_leaves

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
Sign: TypeAlias = Literal["-", "+"]

SENSITIVE = "(sensitive)"
UNKNOWN = "(known after apply)"


class Placeholder(str):
    """Stands for a value that is not shown: ``(sensitive)`` or ``(known after apply)``.

    It compares and prints as its placeholder text. Only a digest of the hidden value is kept,
    to tell whether a sensitive value changed.
    """

    digest: str

    def __new__(cls, text: str, hidden: JsonValue = None) -> Placeholder:
        placeholder = super().__new__(cls, text)
        encoded = json.dumps(hidden, sort_keys=True).encode()
        placeholder.digest = hashlib.sha256(encoded).hexdigest()
        return placeholder


@dataclass(frozen=True)
class DiffLine:
    """One removed (``-``) or added (``+``) value; ``path`` is inside the attribute."""

    sign: Sign
    path: str
    value: str

    @property
    def text(self) -> str:
        """``Statement[AssumeRoles].Resource: arn:...``, or ``"old"`` for a plain value."""
        return f"{self.path}: {self.value}" if self.path else self.value

    def __str__(self) -> str:
        return f"{self.sign} {self.text}"


@dataclass(frozen=True)
class AttributeChange:
    """One changed attribute: its values as shown (masked, policies decoded) and its lines."""

    name: str
    before: JsonValue
    after: JsonValue
    lines: tuple[DiffLine, ...]
    forces_replacement: bool = False  # a change Terraform cannot make in place


def attribute_changes(change: Mapping[str, object]) -> tuple[AttributeChange, ...]:
    """The changed attributes of one ``change`` object of ``terraform show -json``, by name."""
    before, after = _object(change.get("before")), _object(change.get("after"))
    unknown = change.get("after_unknown")
    names = set(before) | set(after) | (set(unknown) if isinstance(unknown, dict) else set())
    forcing = _replacing(change.get("replace_paths"))
    changed = []
    for name in sorted(names):
        unknown_here = _mark(unknown, name)
        if before.get(name) == after.get(name) and not _any_mark(unknown_here):
            continue
        old = _shown(before.get(name), _mark(change.get("before_sensitive"), name), None)
        new = _shown(after.get(name), _mark(change.get("after_sensitive"), name), unknown_here)
        changed.append(AttributeChange(name, old, new, _lines(old, new), name in forcing))
    return tuple(changed)


def _replacing(replace_paths: object) -> set[str]:
    """The attributes whose change forces a replacement (``replace_paths``, Terraform 1.0+)."""
    paths = replace_paths if isinstance(replace_paths, list) else []
    return {str(path[0]) for path in paths if isinstance(path, list) and path}


# --- values as shown ---------------------------------------------------------------------------


def _object(value: object) -> dict[str, JsonValue]:
    return value if isinstance(value, dict) else {}


def _mark(marks: object, key: str | int) -> object:
    """The part of a ``*_sensitive`` or ``after_unknown`` structure for ``key``; ``true``
    covers everything below it."""
    if marks is True:
        return True
    if isinstance(marks, dict) and isinstance(key, str):
        return marks.get(key)
    if isinstance(marks, list) and isinstance(key, int) and key < len(marks):
        return marks[key]
    return None


def _any_mark(marks: object) -> bool:
    if isinstance(marks, dict):
        return any(_any_mark(m) for m in marks.values())
    if isinstance(marks, list):
        return any(_any_mark(m) for m in marks)
    return marks is True


def _shown(value: JsonValue, sensitive: object, unknown: object) -> JsonValue:
    """``value`` with unknown and sensitive parts replaced by placeholders, policies decoded."""
    if unknown is True:
        return Placeholder(UNKNOWN)
    if sensitive is True:
        return Placeholder(SENSITIVE, value)
    if isinstance(value, str):
        return decode_policy(value) or value
    if isinstance(value, dict) or isinstance(unknown, dict):
        items = value if isinstance(value, dict) else {}
        keys = set(items) | (set(unknown) if isinstance(unknown, dict) else set())
        return {
            key: _shown(items.get(key), _mark(sensitive, key), _mark(unknown, key))
            for key in sorted(keys)
        }
    if isinstance(value, list):
        return [_shown(v, _mark(sensitive, i), _mark(unknown, i)) for i, v in enumerate(value)]
    return value


# --- lines -------------------------------------------------------------------------------------


def _lines(before: JsonValue, after: JsonValue) -> tuple[DiffLine, ...]:
    """Removed leaves, then added ones, by path. Nothing for two policy documents that differ
    only in order or form; the whole values when no leaf differs otherwise (an empty map that
    became null)."""
    if isinstance(before, PolicyDocument) and isinstance(after, PolicyDocument):
        old_leaves, new_leaves = policy_leaves(before, after)
        old, new = _plain(old_leaves), _plain(new_leaves)
    else:
        old, new = _leaves("", before), _leaves("", after)
    shown = {leaf: text for leaves in (old, new) for leaf, text in leaves}
    removed = Counter(leaf for leaf, _ in old) - Counter(leaf for leaf, _ in new)
    added = Counter(leaf for leaf, _ in new) - Counter(leaf for leaf, _ in old)
    lines = [DiffLine("-", leaf[0], shown[leaf]) for leaf in removed.elements()]
    lines += [DiffLine("+", leaf[0], shown[leaf]) for leaf in added.elements()]
    if not lines and not isinstance(before, PolicyDocument):
        lines = [DiffLine("-", "", _scalar(before)), DiffLine("+", "", _scalar(after))]
    return tuple(sorted(lines, key=lambda line: (line.path, line.sign == "+", line.value)))


# A leaf: ((path, identity), text). The identity tells values apart; it is the text, except
# for a sensitive value, which is told apart by the value it hides.
_Leaf: TypeAlias = tuple[tuple[str, str], str]


def _leaves(path: str, value: JsonValue) -> list[_Leaf]:
    """Every scalar of ``value``; lists of scalars are sets, lists of objects are indexed."""
    if isinstance(value, PolicyDocument):
        return _plain(policy_leaves(value, None, path)[0])
    if isinstance(value, dict):
        return [
            leaf for key, item in sorted(value.items()) for leaf in _leaves(_join(path, key), item)
        ]
    if isinstance(value, list):
        nested = any(isinstance(item, dict | list) for item in value)
        return [
            leaf
            for index, item in enumerate(value)
            for leaf in _leaves(f"{path}[{index}]" if nested else path, item)
        ]
    if value is None:
        return []
    text = _scalar(value)
    identity = f"{text}\0{value.digest}" if isinstance(value, Placeholder) else text
    return [((path, identity), text)]


def _plain(leaves: list[tuple[str, str]]) -> list[_Leaf]:
    """Leaves of a policy, whose values are never sensitive."""
    return [((path, text), text) for path, text in leaves]


def _scalar(value: JsonValue) -> str:
    """Placeholders as they are, any other value as JSON (strings quoted, null as null)."""
    if isinstance(value, Placeholder):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
