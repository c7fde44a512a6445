"""The ``Condition`` element of IAM policies: operators, ``...IfExists``, set qualifiers.

Pure functions, as AWS's condition operator reference describes them:

- a block holds when every operator holds; an operator when every key holds; a key when any
  one of its policy values matches (for a negated operator, ``StringNotEquals`` and the
  like: when none does);
- a key absent from the request: the operator is false, except that a negated operator is
  true; ``...IfExists`` is true; ``Null: true`` tests for absence;
- ``ForAnyValue:`` holds when any request value matches, ``ForAllValues:`` when every one
  does (and when the key is absent);
- ``String*`` and ``Arn*`` values may hold policy variables (``${aws:username}``).

An operator this module does not know (``BinaryEquals``) never grants: the caller says how an
unknown one counts with ``unknown`` (True in a Deny statement, so that it still denies).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

ContextValue = str | Sequence[str]
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


def conditions_hold(
    condition: Mapping[str, Any], context: Mapping[str, ContextValue], *, unknown: bool
) -> bool:
    """Whether every operator of a statement's ``Condition`` block holds for ``context``."""
    lowered = {key.lower(): value for key, value in context.items()}
    for operator, tests in condition.items():
        if not isinstance(tests, Mapping):
            return unknown
        for key, expected in tests.items():
            outcome = _holds(
                operator, _values(lowered.get(key.lower())), _policy(expected), lowered
            )
            if not (unknown if outcome is None else outcome):
                return False
    return True


def substitute(pattern: str, context: Mapping[str, ContextValue]) -> str | None:
    """``pattern`` with its policy variables replaced; None if one names an absent key."""
    if "${" not in pattern:
        return pattern  # the common case, and a hot one: every Resource of every statement
    lowered = {key.lower(): value for key, value in context.items()}
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        name = match[1].strip()
        value = _SPECIAL.get(name, lowered.get(name.lower()))
        if not isinstance(value, str):
            missing = True
            return ""
        return value

    result = _VARIABLE.sub(replace, pattern)
    return None if missing else result


def _holds(
    operator: str,
    actual: list[str] | None,
    expected: list[str],
    context: Mapping[str, ContextValue],
) -> bool | None:
    """One key of one operator; None when the operator is unknown."""
    qualifier, _, name = operator.rpartition(":")
    if_exists = name.endswith("IfExists")
    name = name.removesuffix("IfExists")
    if name == "Null":
        return (actual is None) == (expected[:1] == ["true"])
    found = _OPERATORS.get(name)
    if found is None:
        return None
    test, negated = found
    if actual is None:
        if if_exists or qualifier == "ForAllValues":
            return True
        return negated and qualifier != "ForAnyValue"
    if test in (_string, _string_like, _arn_like, _string_ignore_case):
        resolved = [substitute(value, context) for value in expected]
        expected = [value for value in resolved if value is not None]

    def one(value: str) -> bool:
        return any(test(value, wanted) for wanted in expected) != negated

    if qualifier == "ForAllValues":
        return all(one(value) for value in actual)
    return any(one(value) for value in actual)


def _string(actual: str, expected: str) -> bool:
    return actual == expected


def _string_ignore_case(actual: str, expected: str) -> bool:
    return actual.casefold() == expected.casefold()


def wildcard_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """``value`` against an IAM wildcard pattern: ``*`` any run of characters, ``?`` one."""
    if "*" not in pattern and "?" not in pattern:  # no wildcard: plain (ASCII) comparison
        return pattern == value if case_sensitive else pattern.lower() == value.lower()
    return _wildcards(pattern, case_sensitive).fullmatch(value) is not None


@functools.lru_cache(maxsize=1024)
def _wildcards(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)


def _string_like(actual: str, expected: str) -> bool:
    return wildcard_match(expected, actual)


def _arn_like(actual: str, expected: str) -> bool:
    """Each of the six colon-separated parts of the ARN is matched on its own."""
    have, want = actual.split(":", 5), expected.split(":", 5)
    return len(have) == len(want) == 6 and all(map(_string_like, have, want))


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def test(actual: str, expected: str) -> bool:
        try:
            return compare(float(actual), float(expected))
        except ValueError:
            return False

    return test


def _date(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def test(actual: str, expected: str) -> bool:
        a, e = _timestamp(actual), _timestamp(expected)
        return a is not None and e is not None and compare(a, e)

    return test


def _timestamp(text: str) -> float | None:
    try:
        return float(text)  # epoch seconds are allowed too
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _bool(actual: str, expected: str) -> bool:
    return actual.lower() == expected.lower()


def _ip(actual: str, expected: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
    except ValueError:
        return False


def _comparisons(
    wrap: Callable[[Callable[[float, float], bool]], Callable[[str, str], bool]], family: str
) -> dict[str, tuple[Callable[[str, str], bool], bool]]:
    return {
        f"{family}Equals": (wrap(lambda a, e: a == e), False),
        f"{family}NotEquals": (wrap(lambda a, e: a == e), True),
        f"{family}LessThan": (wrap(lambda a, e: a < e), False),
        f"{family}LessThanEquals": (wrap(lambda a, e: a <= e), False),
        f"{family}GreaterThan": (wrap(lambda a, e: a > e), False),
        f"{family}GreaterThanEquals": (wrap(lambda a, e: a >= e), False),
    }


# operator -> (the positive test of one request value against one policy value, negated)
_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (_string, False),
    "StringNotEquals": (_string, True),
    "StringEqualsIgnoreCase": (_string_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "ArnEquals": (_arn_like, False),  # AWS treats ArnEquals like ArnLike
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
    "Bool": (_bool, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    **_comparisons(_numeric, "Numeric"),
    **_comparisons(_date, "Date"),
}


def _values(value: ContextValue | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def _policy(value: Any) -> list[str]:
    """A condition's policy values as strings: ``true`` for True, ``900`` for 900."""
    items = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in items]
