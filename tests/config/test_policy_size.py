"""Policy size as IAM counts it: characters without whitespace, an accent counting once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.config.validating import BASE, validate

# The document as IAM receives it, whitespace removed, around the accented condition value.
HEAD = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances",'
    '"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"'
)
TAIL = '"}}}]}'


def accented(size: int) -> str:
    """A condition value making the document exactly ``size`` characters long."""
    count = size - len(HEAD) - len(TAIL)
    return ("éèêàçôü" * count)[:count]


def with_policy(value: str) -> str:
    """BASE whose role uses policy ``mon`` (document on line 9) with ``value`` in a condition."""
    policy = f"""\
policies:
  mon:
    document:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: ec2:DescribeInstances
          Resource: "*"
          Condition: {{StringEquals: {{"aws:PrincipalTag/team": "{value}"}}}}
"""
    text = BASE.replace("roles:\n", policy + "roles:\n", 1)
    return text.replace(
        "managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]", "policies: [mon]"
    )


def test_a_1240_character_policy_with_accents_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value = accented(1240)
    assert len(HEAD + value + TAIL) == 1240
    escaped = len(json.dumps(json.loads(HEAD + value + TAIL), separators=(",", ":")))
    assert escaped > 6144  # counted as \u00e9 escapes, as before, it was refused
    assert validate(tmp_path, with_policy(value), capsys) == (0, [])


def test_exactly_6144_characters_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate(tmp_path, with_policy(accented(6144)), capsys) == (0, [])


def test_one_over_the_limit_is_refused_with_its_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(tmp_path, with_policy(accented(6145)), capsys) == (
        3,
        [
            "org.yaml:10:7: error: policy 'mon' is 6,145 characters (whitespace excluded); "
            "IAM allows 6,144 for a managed policy"
        ],
    )
