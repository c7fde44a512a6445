"""IAM's quotas on users, groups and roles per account, and the limits that adjust them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.config.validating import BASE, validate

USERS = "users:\n  alice: {groups: [devs]}\n"  # the users section, from line 14


def users(count: int) -> str:
    """BASE with ``count`` users (the section on line 14)."""
    return BASE.replace(USERS, "users:\n" + "".join(f"  u{i:05d}: {{}}\n" for i in range(count)))


def groups(count: int) -> str:
    """BASE with ``count`` more groups (the section on line 11)."""
    extra = "".join(f"  g{i:04d}: {{}}\n" for i in range(count - 1))
    return BASE.replace("groups:\n", "groups:\n" + extra)


def roles(count: int, account: str = "production") -> str:
    """BASE with ``count`` roles (the section on line 7): ReadOnly in production, the rest in
    ``account``."""
    extra = "".join(f"  R{i:05d}: {{accounts: [{account}]}}\n" for i in range(count - 1))
    return BASE.replace("roles:\n", "roles:\n" + extra, 1)


def limits(text: str, **values: int) -> str:
    return text + "limits:\n" + "".join(f"  {k}: {v}\n" for k, v in values.items())


def test_5001_users_are_refused_at_the_users_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(tmp_path, users(5001), capsys) == (
        3,
        [
            "org.yaml:14:1: error: 5,001 users, all in the master account 'master'; IAM allows "
            "5,000 users per account, a quota it does not raise"
        ],
    )


def test_5000_users_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate(tmp_path, users(5000), capsys) == (0, [])


def test_the_user_quota_cannot_be_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, errors = validate(tmp_path, limits(BASE, users_per_account=6000), capsys)
    assert (code, errors) == (
        3,
        ["org.yaml:17:22: error: Input should be less than or equal to 5000 (got 6000)"],
    )


def test_a_lowered_user_limit_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate(tmp_path, limits(users(11), users_per_account=10), capsys) == (
        3,
        [
            "org.yaml:14:1: error: 11 users, all in the master account 'master'; "
            "limits.users_per_account allows 10"
        ],
    )


def test_301_groups_are_refused_and_a_raised_limit_lets_them_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(tmp_path, groups(301), capsys) == (
        3,
        [
            "org.yaml:11:1: error: 301 groups, all in the master account 'master'; the quota is "
            "300 groups per account (raise limits.groups_per_account if your quota is higher)"
        ],
    )
    assert validate(tmp_path, limits(groups(301), groups_per_account=500), capsys) == (0, [])


def test_1000_roles_and_the_access_role_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(tmp_path, roles(1000), capsys) == (
        3,
        [
            "org.yaml:7:1: error: account 'production' would hold 1,001 roles (1,000 from "
            "org.yaml and the access role 'OrganizationAccountAccessRole'); the quota is 1,000 "
            "roles per account (raise limits.roles_per_account if your quota is higher)"
        ],
    )


def test_999_roles_and_the_access_role_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(tmp_path, roles(999), capsys) == (0, [])


def test_the_master_account_has_no_access_role_to_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(tmp_path, roles(1001, account="master"), capsys) == (0, [])


def test_a_raised_role_limit_lets_1200_roles_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(tmp_path, limits(roles(1200), roles_per_account=1500), capsys) == (0, [])
