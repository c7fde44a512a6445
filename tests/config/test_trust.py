"""MFA by account and narrowed trust: the effective values, the documents and validate's say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgtf.cli import main
from orgtf.config import RoleRef, load_organization
from orgtf.config.model import Trust
from orgtf.config.policy import policy_size, trust_policy
from orgtf.iam.evaluate import Principal, Request, authorize_assume_role

MASTER = "012345678901"
CI = f"arn:aws:iam::{MASTER}:role/ci/deployer"
MFA = {
    "Bool": {"aws:MultiFactorAuthPresent": "true"},
    "NumericLessThan": {"aws:MultiFactorAuthAge": "900"},
}
USERS = {
    "StringEquals": {"aws:PrincipalType": "User"},
    "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{MASTER}:user/*"},
}
ROOT = {"AWS": f"arn:aws:iam::{MASTER}:root"}


def organization(**changes: Any) -> dict[str, Any]:
    """An org whose production account requires MFA; ``changes`` replace top-level sections."""
    data: dict[str, Any] = {
        "organization": {"name": "example", "master_account": "master"},
        "accounts": {
            "master": {"id": MASTER},
            "production": {"id": "123456789012", "protected": True, "require_mfa": True},
            "qa": {"id": "234567890123"},
        },
        "roles": {
            "ReadOnly": {"accounts": ["production", "qa"]},
            "Deploy": {"accounts": ["qa"], "require_mfa": True},
        },
        "groups": {"devs": {"roles": ["production/ReadOnly", "qa/ReadOnly", "qa/Deploy"]}},
        "users": {"alice": {"groups": ["devs"]}},
    }
    data.update(changes)
    return data


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def validate(
    tmp_path: Path, data: dict[str, Any], capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    code = main(["--config", str(write(tmp_path, data)), "validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def findings(output: str, severity: str) -> list[str]:
    """The lines of ``severity``, with the file path cut down to its name."""
    marker = f": {severity}: "
    return [line[line.index("org.yaml:") :] for line in output.splitlines() if marker in line]


def test_an_unset_require_mfa_takes_the_accounts(tmp_path: Path) -> None:
    org = load_organization(write(tmp_path, organization()))
    assert org.requires_mfa(RoleRef("production", "ReadOnly")) is True
    assert org.requires_mfa(RoleRef("qa", "ReadOnly")) is False
    assert org.requires_mfa(RoleRef("qa", "Deploy")) is True  # the role's own true wins
    assert org.warnings == ()


def test_a_file_without_the_new_keys_means_what_it_did(tmp_path: Path) -> None:
    data = organization()
    del data["accounts"]["production"]["require_mfa"]
    org = load_organization(write(tmp_path, data))
    assert org.config.roles["ReadOnly"].require_mfa is None
    assert not org.requires_mfa(RoleRef("production", "ReadOnly"))
    assert org.trust("ReadOnly") == Trust(principals="any", extra_principals=())
    assert trust_policy(MASTER, False, 3600) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": ROOT, "Action": "sts:AssumeRole"}],
    }


def test_a_role_opting_out_in_a_protected_account_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = organization()
    data["roles"]["ReadOnly"]["require_mfa"] = False
    code, out, err = validate(tmp_path, data, capsys)
    assert code == 0
    assert "valid: organization 'example'" in out
    assert findings(err, "warning") == [
        "org.yaml:18:18: warning: role 'ReadOnly' opts out of MFA in protected account "
        "'production', whose roles require MFA (accounts.production.require_mfa); its users "
        "may assume it without MFA"
    ]
    org = load_organization(tmp_path / "org.yaml")
    assert not org.requires_mfa(RoleRef("production", "ReadOnly"))
    assert [w.severity for w in org.warnings] == ["warning"]


def test_warnings_in_json_leave_the_file_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = organization()
    data["roles"]["ReadOnly"]["require_mfa"] = False
    code, out, _ = validate(tmp_path, data, capsys, "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["valid"] is True
    assert [(f["severity"], f["line"]) for f in document["findings"]] == [("warning", 18)]


def test_a_warning_comes_with_the_errors_when_there_are_some(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = organization()
    data["roles"]["ReadOnly"]["require_mfa"] = False
    data["roles"]["Deploy"]["accounts"] = ["qa", "qa"]
    code, out, err = validate(tmp_path, data, capsys)
    assert code == 3
    assert len(findings(out + err, "warning")) == 1
    assert len(findings(out + err, "error")) == 1


@pytest.mark.parametrize(
    ("account", "role"),
    [
        ({"protected": True}, {"require_mfa": False}),  # the account requires nothing
        ({"require_mfa": True}, {"require_mfa": False}),  # not protected
        ({"protected": True, "require_mfa": True}, {}),  # no opt-out
    ],
)
def test_no_warning_without_an_opt_out_of_a_protected_accounts_mfa(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    account: dict[str, Any],
    role: dict[str, Any],
) -> None:
    data = organization()
    data["accounts"]["production"] = {"id": "123456789012", **account}
    data["roles"]["ReadOnly"].update(role)
    code, out, err = validate(tmp_path, data, capsys)
    assert code == 0
    assert findings(out + err, "warning") == []


def test_trust_policy_of_each_setting() -> None:
    assert trust_policy(MASTER, True, 900) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": ROOT, "Action": "sts:AssumeRole", "Condition": MFA}
        ],
    }
    assert trust_policy(MASTER, False, 900, principals="iam_users") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "MasterAccountUsers",
                "Effect": "Allow",
                "Principal": ROOT,
                "Action": "sts:AssumeRole",
                "Condition": USERS,
            }
        ],
    }
    narrowed = trust_policy(MASTER, True, 900, principals="iam_users", extra_principals=[CI])
    assert narrowed["Statement"] == [
        {
            "Sid": "MasterAccountUsers",
            "Effect": "Allow",
            "Principal": ROOT,
            "Action": "sts:AssumeRole",
            "Condition": {**MFA, **USERS},
        },
        {
            "Sid": "ExtraPrincipals",
            "Effect": "Allow",
            "Principal": {"AWS": [CI]},
            "Action": "sts:AssumeRole",
            "Condition": MFA,  # the CI role needs MFA too: require_mfa means what it says
        },
    ]
    extra_only = trust_policy(MASTER, False, 900, extra_principals=[CI])
    assert [s.get("Sid") for s in extra_only["Statement"]] == [None, "ExtraPrincipals"]
    assert "Condition" not in extra_only["Statement"][1]


def test_a_roles_trust_replaces_the_organizations(tmp_path: Path) -> None:
    data = organization()
    data["organization"]["trust"] = {"principals": "iam_users", "extra_principals": [CI]}
    data["roles"]["Deploy"]["trust"] = {"principals": "any"}
    org = load_organization(write(tmp_path, data))
    assert org.trust("ReadOnly") == Trust(principals="iam_users", extra_principals=(CI,))
    assert org.trust("Deploy") == Trust(principals="any", extra_principals=())


TRUST_MISTAKES = """\
organization:
  name: example
  master_account: master
  trust:
{trust}
accounts:
  master: {{id: "012345678901"}}
"""


@pytest.mark.parametrize(
    ("trust", "expected"),
    [
        (
            "    extra_principals: ['arn:aws:iam::*:role/ci']",
            "org.yaml:5:24: error: 'arn:aws:iam::*:role/ci' is not the ARN of an IAM role or "
            "user (arn:aws:iam::ACCOUNT:role/NAME or arn:aws:iam::ACCOUNT:user/NAME)",
        ),
        (
            f"    extra_principals: [arn:aws:iam::{MASTER}:root]",
            f"org.yaml:5:24: error: 'arn:aws:iam::{MASTER}:root' is not the ARN of an IAM role",
        ),
        (
            f"    extra_principals: ['arn:aws:iam::{MASTER}:role/ci-*']",
            f"org.yaml:5:24: error: 'arn:aws:iam::{MASTER}:role/ci-*' is not the ARN",
        ),
        (
            f"    extra_principals:\n      - {CI}\n      - {CI}",
            f"org.yaml:7:9: error: '{CI}' is listed twice",
        ),
        ("    principals: everyone", "org.yaml:5:17: error: Input should be 'any' or 'iam_users'"),
        (
            "    principal: iam_users",
            "org.yaml:5:5: error: unknown key 'principal' (did you mean 'principals'?)",
        ),
    ],
)
def test_trust_mistakes_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], trust: str, expected: str
) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(TRUST_MISTAKES.format(trust=trust))
    code = main(["--config", str(path), "validate"])
    out, err = capsys.readouterr()
    assert code == 3
    [line] = findings(out + err, "error")
    assert line.startswith(expected)


def test_a_trust_policy_over_the_quota_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    many = [f"arn:aws:iam::{MASTER}:role/ci-{n:02}" for n in range(40)]
    data = organization()
    data["roles"]["Deploy"]["trust"] = {"principals": "iam_users", "extra_principals": many}
    size = policy_size(
        trust_policy(MASTER, True, 3600, principals="iam_users", extra_principals=many)
    )
    code, out, err = validate(tmp_path, data, capsys)
    assert code == 3
    [line] = findings(out + err, "error")
    assert line.endswith(
        f"error: trust policy of role 'Deploy' is {size:,} characters; the quota is 2,048"
    )
    data["limits"] = {"role_trust_policy_size": 4096}
    assert validate(tmp_path, data, capsys)[0] == 0


def test_the_size_checked_is_the_longer_one_when_only_one_account_requires_mfa(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ReadOnly needs MFA in production only; enough extra principals that only the document
    # with MFA (the one production gets) is over the quota.
    def size(mfa: bool, count: int) -> int:
        extras = [f"arn:aws:iam::{MASTER}:role/ci-{n:02}" for n in range(count)]
        return policy_size(trust_policy(MASTER, mfa, 3600, extra_principals=extras))

    count = next(n for n in range(60) if size(True, n) > 2048)
    assert size(False, count) <= 2048
    data = organization()
    data["roles"]["ReadOnly"]["trust"] = {
        "extra_principals": [f"arn:aws:iam::{MASTER}:role/ci-{n:02}" for n in range(count)]
    }
    code, out, err = validate(tmp_path, data, capsys)
    assert code == 3
    assert findings(out + err, "error") == [
        f"org.yaml:18:5: error: trust policy of role 'ReadOnly' is {size(True, count):,} "
        "characters; the quota is 2,048"
    ]


# --- what the documents mean, by the sandbox's IAM policy evaluator --------------------------

ROLE_ARN = "arn:aws:iam::123456789012:role/Deploy"
ASSUME_ANY = {  # the caller's own policy: sts:AssumeRole on *, as AdministratorAccess allows
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}
CALLERS = {
    # name: (principal, the context keys AWS puts in its requests)
    "user": (
        Principal(MASTER, (f"arn:aws:iam::{MASTER}:user/alice",)),
        {"aws:PrincipalType": "User", "aws:PrincipalArn": f"arn:aws:iam::{MASTER}:user/alice"},
    ),
    "admin role": (
        Principal(
            MASTER,
            (f"arn:aws:iam::{MASTER}:role/Admin", f"arn:aws:sts::{MASTER}:assumed-role/Admin/x"),
        ),
        {
            "aws:PrincipalType": "AssumedRole",
            "aws:PrincipalArn": f"arn:aws:iam::{MASTER}:role/Admin",
        },
    ),
    "ci": (
        Principal(MASTER, (CI, f"arn:aws:sts::{MASTER}:assumed-role/deployer/build-1")),
        {"aws:PrincipalType": "AssumedRole", "aws:PrincipalArn": CI},
    ),
}
WITH_MFA = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60"}


def may_assume(document: dict[str, Any], caller: str, mfa: bool = False) -> bool:
    """Whether ``caller``, whose own policy allows sts:AssumeRole on *, may assume the role."""
    principal, context = CALLERS[caller]
    request = Request(
        "sts:AssumeRole", ROLE_ARN, principal, {**context, **(WITH_MFA if mfa else {})}
    )
    return authorize_assume_role(request, [ASSUME_ANY], document).allowed


def test_by_default_every_master_principal_allowed_assume_role_on_star_gets_in() -> None:
    document = trust_policy(MASTER, False, 3600)
    assert [may_assume(document, c) for c in CALLERS] == [True, True, True]


def test_iam_users_leaves_out_the_masters_roles_but_not_the_extra_principals() -> None:
    narrowed = trust_policy(MASTER, False, 3600, principals="iam_users")
    assert [may_assume(narrowed, c) for c in CALLERS] == [True, False, False]
    with_ci = trust_policy(MASTER, False, 3600, principals="iam_users", extra_principals=[CI])
    assert [may_assume(with_ci, c) for c in CALLERS] == [True, False, True]


def test_mfa_is_required_of_everyone_the_policy_admits() -> None:
    document = trust_policy(MASTER, True, 900, principals="iam_users", extra_principals=[CI])
    assert [may_assume(document, c) for c in CALLERS] == [False, False, False]
    assert [may_assume(document, c, mfa=True) for c in CALLERS] == [True, False, True]
