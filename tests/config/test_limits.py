"""IAM quotas and size limits are checked before any Terraform runs, with the numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from orgtf.config import load_organization
from orgtf.config.policy import plan_group_grants, policy_size
from orgtf.errors import ConfigError


def org(accounts: int = 2, **sections: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organization": {"name": "big", "master_account": "master"},
        "accounts": {"master": {"id": "100000000000"}},
    }
    for i in range(1, accounts):
        data["accounts"][f"acct-{i:04d}"] = {"id": f"{100000000000 + i}"}
    data.update(sections)
    return data


def load(tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_organization(path)


def problems(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, data)
    return [p.message for p in info.value.problems]


def statement(n: int) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": [f"s3:GetObject{i}" for i in range(n)], "Resource": "*"}


def test_managed_policy_size(tmp_path: Path) -> None:
    document = {"Version": "2012-10-17", "Statement": [statement(400)]}
    assert policy_size(document) > 6144
    data = org(policies={"huge": {"document": document}})
    [message] = problems(tmp_path, data)
    assert message.startswith(f"policy 'huge' is {policy_size(document):,} characters")
    assert "IAM allows 6,144 for a managed policy" in message


def test_whitespace_does_not_count() -> None:
    assert policy_size({"Version": "2012-10-17", "Statement": [{"Sid": "a b  c"}]}) == len(
        '{"Version":"2012-10-17","Statement":[{"Sid":"abc"}]}'
    )


def test_role_inline_policy_size(tmp_path: Path) -> None:
    document = {"Version": "2012-10-17", "Statement": [statement(700)]}
    data = org(roles={"Big": {"accounts": ["acct-0001"], "inline_policy": document}})
    [message] = problems(tmp_path, data)
    assert "inline policy of role 'Big' is" in message
    assert "IAM allows 10,240 in total per role" in message


def test_managed_policies_per_role_and_override(tmp_path: Path) -> None:
    arns = [f"arn:aws:iam::aws:policy/P{i}" for i in range(11)]
    data = org(roles={"Many": {"accounts": ["acct-0001"], "managed_policy_arns": arns}})
    [message] = problems(tmp_path, data)
    assert "role 'Many' attaches 11 managed policies; the quota is 10 per role" in message
    data["limits"] = {"managed_policies_per_role": 20}
    assert load(tmp_path, data).config.limits.managed_policies_per_role == 20


def test_groups_per_user(tmp_path: Path) -> None:
    groups = {f"g{i}": {} for i in range(11)}
    data = org(groups=groups, users={"alice": {"groups": list(groups)}})
    [message] = problems(tmp_path, data)
    assert message == "user 'alice' is in 11 groups; IAM allows 10 per user"


def role_everywhere(accounts: int) -> dict[str, Any]:
    names = [f"acct-{i:04d}" for i in range(1, accounts)]
    return org(
        accounts,
        roles={"AlfieReadOnly": {"accounts": names, "require_mfa": True}},
        groups={"readers": {"roles": [f"{n}/AlfieReadOnly" for n in names]}},
    )


def test_group_in_300_accounts_is_split_within_quota(tmp_path: Path) -> None:
    organization = load(tmp_path, role_everywhere(301))
    group = organization.config.groups["readers"]
    assert len(organization.group_roles(group)) == 300
    from orgtf.config.policy import RoleGrant

    grants = [RoleGrant(organization.role_arn(r), True) for r in organization.group_roles(group)]
    plan = plan_group_grants(grants)
    assert not plan.inline
    assert 2 <= len(plan.chunks) <= 10
    assert all(policy_size(doc) <= 6144 for doc in plan.documents)
    assert sorted(a for doc in plan.documents for a in doc["Statement"][0]["Resource"]) == sorted(
        g.arn for g in grants
    )


def test_group_grant_over_quota(tmp_path: Path) -> None:
    [message] = problems(tmp_path, role_everywhere(1600))
    assert message.startswith("group 'readers' may assume 1599 roles; that needs ")
    assert "over the quota of 10 per group" in message


def test_small_group_grant_is_inline() -> None:
    from orgtf.config.policy import RoleGrant

    plan = plan_group_grants([RoleGrant("arn:aws:iam::123456789012:role/A", False)])
    assert plan.inline and not plan.chunks
