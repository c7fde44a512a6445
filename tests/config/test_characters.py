"""Characters IAM's API refuses in descriptions, paths and policy documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.config.validating import BASE, validate

ROLE_DESCRIPTIONS = "(tab, line breaks and printable Latin-1: U+0020-U+007E, U+00A1-U+00FF)"
POLICY = """\
policies:
  mon:
    description: "Reads instances"
    path: /teams/
    document:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: ec2:DescribeInstances
          Resource: "*"
          Condition: {StringEquals: {"aws:PrincipalTag/team": "équipe"}}
"""


def role_line(line: str) -> str:
    """BASE with ``line`` on line 10, in role ReadOnly."""
    return BASE.replace("    accounts: [production]\n", f"    accounts: [production]\n    {line}\n")


def with_policy(old: str = "", new: str = "") -> str:
    """BASE with policy ``mon`` (lines 7-17, ``old`` replaced by ``new``) used by ReadOnly."""
    text = BASE.replace("roles:\n", POLICY.replace(old, new) + "roles:\n", 1)
    return text.replace(
        "managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]", "policies: [mon]"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'description: "Reads\\0 logs"',
            "org.yaml:10:18: error: description of role 'ReadOnly' has '\\x00' (U+0000) at "
            f"character 6, which IAM refuses in role descriptions {ROLE_DESCRIPTIONS}",
        ),
        (
            "description: Reads logs — all of them",
            "org.yaml:10:18: error: description of role 'ReadOnly' has '—' at character 12, "
            f"which IAM refuses in role descriptions {ROLE_DESCRIPTIONS}",
        ),
        (
            'description: "Reads\\u00a0logs"',
            "org.yaml:10:18: error: description of role 'ReadOnly' has '\\xa0' (U+00A0) at "
            f"character 6, which IAM refuses in role descriptions {ROLE_DESCRIPTIONS}",
        ),
        (
            'description: "Reads\\x7flogs"',
            "org.yaml:10:18: error: description of role 'ReadOnly' has '\\x7f' (U+007F) at "
            f"character 6, which IAM refuses in role descriptions {ROLE_DESCRIPTIONS}",
        ),
        (
            "path: //",
            "org.yaml:10:11: error: invalid value '//': a path starts and ends with / "
            "(e.g. /teams/alfie/)",
        ),
    ],
)
def test_role_text_iam_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    assert validate(tmp_path, role_line(line), capsys) == (3, [message])


@pytest.mark.parametrize(
    "line",
    [
        'description: "Lit les journaux de l\'équipe, données « clients »\\tet\\r\\nplus"',
        "path: /teams/alfie*/",
        "path: ///",
    ],
)
def test_role_text_iam_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str
) -> None:
    assert validate(tmp_path, role_line(line), capsys) == (0, [])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '"Reads instances"',
            '"Reads\\x1binstances"',
            "org.yaml:9:18: error: description of policy 'mon' has '\\x1b' (U+001B) at "
            "character 6, a control character IAM cannot keep in a policy description",
        ),
        (
            '"équipe"',
            '"équipe €"',
            "org.yaml:17:63: error: 'équipe €' has '€' at character 8; IAM accepts only "
            "Latin-1 characters (up to U+00FF) in policy documents",
        ),
        (
            "/teams/",
            "/team a/",
            "org.yaml:10:11: error: invalid value '/team a/': a policy path starts and ends "
            "with / and holds only letters, digits and +=,.@_- between slashes (e.g. /teams/alfie/)",
        ),
        (
            "/teams/",
            "/teams*/",
            "org.yaml:10:11: error: invalid value '/teams*/': a policy path starts and ends "
            "with / and holds only letters, digits and +=,.@_- between slashes (e.g. /teams/alfie/)",
        ),
    ],
)
def test_policy_text_iam_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    assert old in POLICY
    assert validate(tmp_path, with_policy(old, new), capsys) == (3, [message])


def test_policy_with_latin1_text_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = with_policy('"Reads instances"', '"Lit les instances de l\'équipe"')
    assert validate(tmp_path, text, capsys) == (0, [])
