"""Grants kept as found (groups.<g>.grant_policy), MFA without an age, and default tags."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from orgtf.config import load_organization
from orgtf.config.grants import granted_roles
from orgtf.config.policy import trust_policy
from orgtf.render.tree import render_tree
from tests.config.validating import BASE, validate

PROD_ROLE = "arn:aws:iam::123456789012:role/ReadOnly"


def assume(resource: Any, **extra: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource, **extra}
        ],
    }


MFA = {"Bool": {"aws:MultiFactorAuthPresent": True}}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (assume(PROD_ROLE), {PROD_ROLE: False}),
        (assume([PROD_ROLE], Sid="Anything", Condition=MFA), {PROD_ROLE: True}),
        (
            assume(
                PROD_ROLE, Condition={**MFA, "NumericLessThan": {"aws:MultiFactorAuthAge": "900"}}
            ),
            {PROD_ROLE: True},
        ),
        (assume(PROD_ROLE, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), None),
        (assume("*"), None),
        (assume(PROD_ROLE, Action=["sts:AssumeRole", "sts:TagSession"]), None),
        ({"Version": "2012-10-17", "Statement": []}, None),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": PROD_ROLE}
                ],
            },
            None,
        ),
    ],
)
def test_what_a_document_grants(document: dict[str, Any], expected: dict[str, bool] | None) -> None:
    assert granted_roles(document) == expected


def test_a_role_granted_with_and_without_mfa_needs_none() -> None:
    document = assume(PROD_ROLE)
    document["Statement"].append({**document["Statement"][0], "Condition": MFA})
    assert granted_roles(document) == {PROD_ROLE: False}


def kept(kind: str, document: dict[str, Any]) -> str:
    policy = {"name": "assume-prod", "kind": kind, "document": document}
    return BASE.replace(
        "    roles: [production/ReadOnly]\n",
        f"    roles: [production/ReadOnly]\n    grant_policy: {json.dumps(policy)}\n",
    )


@pytest.mark.parametrize("kind", ["inline", "managed"])
def test_a_kept_grant_is_rendered_under_its_own_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    text = kept(kind, assume(PROD_ROLE, Sid="Prod"))
    assert validate(tmp_path, text, capsys) == (0, [])
    tree = render_tree(load_organization(tmp_path / "org.yaml"))
    groups = json.loads(tree[PurePosixPath("environments/master/orgtf.auto.tfvars.json")])["groups"]
    grant = (
        groups["devs"]["inline_grant"] if kind == "inline" else groups["devs"]["managed_grants"][0]
    )
    assert grant["name"] == "assume-prod"
    assert json.loads(grant["document"]) == assume(PROD_ROLE, Sid="Prod")
    assert grant["role_arns"] == [PROD_ROLE]
    other = groups["devs"]["managed_grants"] if kind == "inline" else groups["devs"]["inline_grant"]
    assert not other


def test_a_kept_grant_must_grant_exactly_the_roles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = "arn:aws:iam::123456789012:role/Other"
    code, errors = validate(tmp_path, kept("inline", assume([other], Condition=MFA)), capsys)
    assert code == 3
    assert errors == [
        "org.yaml:14:19: error: grant_policy of group 'devs' no longer matches its roles: it does "
        f"not grant {PROD_ROLE}; it grants {other}, not in roles. Remove grant_policy to let "
        "orgtf write the grant itself"
    ]


def test_a_kept_grant_with_other_permissions_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = assume(PROD_ROLE)
    document["Statement"].append(
        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}
    )
    code, errors = validate(tmp_path, kept("managed", document), capsys)
    assert code == 3
    assert len(errors) == 1 and "allows more than sts:AssumeRole on roles" in errors[0]


def test_mfa_without_an_age_tests_only_presence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace(
        "    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
        "    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n    require_mfa: true\n    mfa_max_age: null\n",
    )
    assert validate(tmp_path, text, capsys) == (0, [])
    tree = render_tree(load_organization(tmp_path / "org.yaml"))
    role = json.loads(tree[PurePosixPath("environments/production/orgtf.auto.tfvars.json")])[
        "roles"
    ]["ReadOnly"]
    assert role["mfa_max_age"] is None and role["require_mfa"] is True
    document = trust_policy("012345678901", True, None)
    assert document["Statement"][0]["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_default_tags_can_be_changed_or_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for tags, expected in (("{}", {}), ("{owner: platform}", {"owner": "platform"})):
        text = BASE.replace(
            "  master_account: master\n", f"  master_account: master\n  default_tags: {tags}\n"
        )
        assert validate(tmp_path, text, capsys) == (0, [])
        tree = render_tree(load_organization(tmp_path / "org.yaml"))
        assert (
            json.loads(tree[PurePosixPath("environments/production/orgtf.auto.tfvars.json")])[
                "default_tags"
            ]
            == expected
        )


def test_a_bad_default_tag_is_refused_where_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace(
        "  master_account: master\n", '  master_account: master\n  default_tags: {"aws:owner": x}\n'
    )
    code, errors = validate(tmp_path, text, capsys)
    assert code == 3
    assert errors == [
        "org.yaml:4:18: error: tag key 'aws:owner': the aws: prefix is reserved by AWS"
    ]
