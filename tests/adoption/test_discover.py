"""Expressing roles, grants and accounts found in AWS as org.yaml, without AWS."""

from __future__ import annotations

from typing import Any

import pytest

from orgtf.adoption.discover import account_names
from orgtf.adoption.found import Unmanaged
from orgtf.adoption.groups import GrantTarget, express_groups
from orgtf.adoption.roles import FoundRole, express_role
from orgtf.config.policy import RoleGrant, grant_document, trust_policy
from orgtf.iam.details import AccountDetails, IamGroup, IamRole, InlinePolicy
from orgtf.live.inventory import LiveAccount, RoleFacts

MASTER = "111111111111"
ROOT = f"arn:aws:iam::{MASTER}:root"


def role(trust: dict[str, Any], **fields: Any) -> FoundRole | Unmanaged:
    found = IamRole("R", "arn:aws:iam::222222222222:role/R", "AROA", trust=trust, **fields)
    details = AccountDetails("222222222222", roles=(found,))
    return express_role("prod", details, found, RoleFacts("", 3600), MASTER)


def statement(principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    }
    return {**body, "Condition": condition} if condition else body


@pytest.mark.parametrize(
    ("trust", "settings"),
    [
        (trust_policy(MASTER, False, 3600), {}),
        (trust_policy(MASTER, True, 900), {"require_mfa": True, "mfa_max_age": 900}),
        (trust_policy(MASTER, True, None), {"require_mfa": True, "mfa_max_age": None}),
        ({"Version": "2012-10-17", "Statement": statement(MASTER)}, {}),  # a bare account id
        (
            trust_policy(MASTER, False, None, principals="iam_users"),
            {"trust": {"principals": "iam_users"}},
        ),
    ],
)
def test_trust_policies_orgtf_writes_are_expressed(
    trust: dict[str, Any], settings: dict[str, Any]
) -> None:
    found = role(trust)
    assert isinstance(found, FoundRole)
    assert {
        k: v for k, v in found.data.items() if k in ("require_mfa", "mfa_max_age", "trust")
    } == settings


@pytest.mark.parametrize(
    ("trust", "reason"),
    [
        (
            {"Version": "2012-10-17", "Statement": [statement("arn:aws:iam::999999999999:root")]},
            "it trusts arn:aws:iam::999999999999:root, outside the master account",
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [statement(ROOT, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})],
            },
            "its trust policy has statements or conditions orgtf does not write",
        ),
        (
            {"Version": "2012-10-17", "Statement": [{**statement(ROOT), "Sid": "Mine"}]},
            "its trust policy has statements or conditions orgtf does not write",
        ),
    ],
)
def test_other_trust_policies_are_left_unmanaged(trust: dict[str, Any], reason: str) -> None:
    assert role(trust) == Unmanaged("prod", "role", "R", reason)


def test_inline_policies_other_than_orgtf_s_are_left_unmanaged() -> None:
    inline = (InlinePolicy("custom", {"Version": "2012-10-17", "Statement": []}),)
    found = role(trust_policy(MASTER, False, 3600), inline=inline)
    assert isinstance(found, Unmanaged)
    assert found.reason == "its inline policies (custom): orgtf writes one, named orgtf-inline"


def test_account_names_become_org_yaml_names() -> None:
    accounts = (
        LiveAccount("111111111111", "Master"),
        LiveAccount("222222222222", "Production Workloads"),
        LiveAccount("333333333333", "production workloads"),
        LiveAccount("444444444444", "42"),
    )
    assert account_names(accounts) == {
        "111111111111": "master",
        "222222222222": "production-workloads",
        "333333333333": "production-workloads-3333",
        "444444444444": "account-42",
    }


def test_orgtf_s_own_grant_is_not_kept_and_a_hand_made_one_is() -> None:
    arn = "arn:aws:iam::222222222222:role/R"
    targets = {arn: GrantTarget("prod/R", True)}
    ours = grant_document([RoleGrant(arn, True)])
    hand_made = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn}],
    }
    for name, document, kept in (("orgtf-assume-roles", ours, False), ("assume", hand_made, True)):
        group = IamGroup(
            "devs", "arn:aws:iam::111111111111:group/devs", inline=(InlinePolicy(name, document),)
        )
        groups, left = express_groups("master", AccountDetails(MASTER, groups=(group,)), targets)
        assert groups["devs"]["roles"] == ["prod/R"] and left == []
        assert ("grant_policy" in groups["devs"]) is kept
