"""Tags as IAM receives them: the provider's default tags count, keys ignore case."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

import pytest

from orgtf.config import load_organization
from orgtf.config.model import DEFAULT_TAGS
from orgtf.render.tree import render_tree
from tests.config.validating import BASE, validate

LIMIT = "(letters, numbers, spaces and _.:/=+-@ only)"


def role_tags(*lines: str) -> str:
    """BASE with ``tags:`` on line 10 of role ReadOnly and its entries from line 11."""
    block = "    tags:\n" + "".join(f"      {line}\n" for line in lines)
    return BASE.replace("    accounts: [production]\n", "    accounts: [production]\n" + block)


def numbered(count: int) -> list[str]:
    return [f"tag{i:02d}: v" for i in range(count)]


def test_fifty_tags_and_the_default_tag_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(tmp_path, role_tags(*numbered(50)), capsys) == (
        3,
        [
            "org.yaml:10:5: error: role 'ReadOnly' has 50 tags and the provider adds 1 default "
            "tag (ManagedBy=orgtf): 51 in all; IAM allows 50 per role"
        ],
    )


def test_fifty_tags_with_the_default_tag_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(tmp_path, role_tags(*numbered(49)), capsys) == (0, [])


def test_user_tags_count_the_default_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tags = "".join(f"      {line}\n" for line in numbered(50))
    text = BASE.replace("  alice: {groups: [devs]}\n", f"  alice:\n    tags:\n{tags}")
    assert validate(tmp_path, text, capsys) == (
        3,
        [
            "org.yaml:16:5: error: user 'alice' has 50 tags and the provider adds 1 default "
            "tag (ManagedBy=orgtf): 51 in all; IAM allows 50 per user"
        ],
    )


def test_keys_equal_but_for_case_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(tmp_path, role_tags("Team: a", "owner: b", "team: c"), capsys) == (
        3,
        [
            "org.yaml:13:7: error: tag keys 'team' and 'Team' differ only in case; IAM treats "
            "a role's tag keys as one key regardless of case"
        ],
    )


@pytest.mark.parametrize("key", ["ManagedBy", "managedby", "MANAGEDBY"])
def test_a_key_of_the_default_tags_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    assert validate(tmp_path, role_tags("team: a", f"{key}: me"), capsys) == (
        3,
        [
            f"org.yaml:12:7: error: tag key {key!r} clashes with 'ManagedBy', a default tag "
            "orgtf adds to every role (ManagedBy=orgtf); pick another key"
        ],
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'team: "a\\0b"',
            "org.yaml:11:13: error: tag 'team': 'a\\x00b' has '\\x00' (U+0000), which IAM "
            f"refuses in tags {LIMIT}",
        ),
        (
            'team: "a\\tb"',
            "org.yaml:11:13: error: tag 'team': 'a\\tb' has '\\t' (U+0009), which IAM refuses "
            f"in tags {LIMIT}",
        ),
        (
            'te#am: "x"',
            f"org.yaml:11:7: error: tag 'te#am': 'te#am' has '#', which IAM refuses in tags {LIMIT}",
        ),
        (
            "team: aws:x",
            "org.yaml:11:13: error: tag 'team': the aws: prefix is reserved by AWS, in values too",
        ),
        (
            "AWS:team: x",
            "org.yaml:11:7: error: tag key 'AWS:team': the aws: prefix is reserved by AWS",
        ),
    ],
)
def test_characters_iam_refuses_in_tags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    assert validate(tmp_path, role_tags(line), capsys) == (3, [message])


def test_letters_numbers_and_spaces_of_any_script_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = role_tags("équipe: données clients", "チーム: 開発 2", "cost-center: 12/a=b+c@d.e_f:g")
    assert validate(tmp_path, text, capsys) == (0, [])


def test_default_tags_are_the_ones_the_provider_block_sets() -> None:
    org = load_organization(Path(__file__).parents[2] / "org.yaml")
    tree = render_tree(org)
    provider = tree[PurePosixPath("environments/master/provider.tf")]
    assert re.search(r"default_tags \{\s*tags = var.default_tags\s*\}", provider)
    tfvars = json.loads(tree[PurePosixPath("environments/master/orgtf.auto.tfvars.json")])
    assert tfvars["default_tags"] == DEFAULT_TAGS
