"""Users' lifecycle settings: console, pgp_key and the self-service group, as validate reports
them (at the file's line), as render hands them to Terraform, and what the policy means."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from orgtf.cli import main
from orgtf.config import load_organization
from orgtf.config.self_service import SELF_SERVICE_GROUP, self_service_document
from orgtf.iam.evaluate import Decision, Principal, Request, evaluate
from orgtf.render.tfvars import VariableBuilder
from tests.config.validating import BASE, validate
from tests.support.pgp_keys import new_key, public_key_b64, secret_key_b64

MASTER = "012345678901"
ALICE = "  alice: {groups: [devs]}"


@pytest.fixture(scope="module")
def key() -> Any:
    return new_key()


def with_alice(settings: str) -> str:
    """BASE with alice's entry given ``settings`` (a YAML flow mapping's contents)."""
    return BASE.replace(ALICE, f"  alice: {{groups: [devs], {settings}}}")


def warnings_of(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["--config", str(path), "validate"]) == 0
    err = capsys.readouterr().err
    return [line[line.index("org.yaml:") :] for line in err.splitlines() if ": warning: " in line]


def test_a_public_key_in_base64_is_accepted(
    tmp_path: Path, key: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    text = with_alice(f"console: true, pgp_key: {public_key_b64(key)}")
    assert validate(tmp_path, text, capsys) == (0, [])


def test_a_key_wrapped_over_lines_is_accepted_and_rendered_on_one(
    tmp_path: Path, key: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    encoded = public_key_b64(key)
    folded = "\n".join(encoded[i : i + 64] for i in range(0, len(encoded), 64))
    block = "\n".join(f"      {line}" for line in folded.splitlines())
    text = BASE.replace(ALICE, f"  alice:\n    console: true\n    pgp_key: |\n{block}")
    assert validate(tmp_path, text, capsys) == (0, [])
    org = load_organization(tmp_path / "org.yaml")
    users = VariableBuilder(org).variables("master")["users"]
    assert users["alice"]["pgp_key"] == encoded


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not*base64", "pgp_key is not base64"),
        (
            base64.b64encode(b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQ\n").decode(),
            "pgp_key is an ASCII-armoured key",
        ),
        (base64.b64encode(b"hello world").decode(), "does not start with an OpenPGP packet"),
        (base64.b64encode(bytes([0xC2, 5, 4, 0, 0, 0, 0])).decode(), "of type 2, not a public"),
        ("keybase:alice", "keybase: keys are not supported"),
    ],
)
def test_a_pgp_key_that_is_not_a_public_key_is_an_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    code, errors = validate(tmp_path, with_alice(f"console: true, pgp_key: '{value}'"), capsys)
    assert code == 3
    [error] = errors
    line = BASE.splitlines().index(ALICE) + 1
    assert error.startswith(f"org.yaml:{line}:"), error
    assert message in error
    assert "gpg --export KEY | base64 -w0" in error


def test_a_secret_key_is_refused(
    tmp_path: Path, key: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    text = with_alice(f"console: true, pgp_key: {secret_key_b64(key)}")
    code, [error] = validate(tmp_path, text, capsys)
    assert code == 3
    assert "pgp_key is a secret key: never put it in org.yaml" in error


def test_a_pgp_key_without_console_is_a_warning(
    tmp_path: Path, key: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    text = with_alice(f"pgp_key: {public_key_b64(key)}")
    [warning] = warnings_of(tmp_path, text, capsys)
    assert "user 'alice' has a pgp_key but no console password" in warning


def test_a_group_named_like_the_self_service_group_is_refused_at_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE + f"  bob: {{groups: [{SELF_SERVICE_GROUP}]}}\n"
    text = text.replace("groups:\n  devs:", f"groups:\n  {SELF_SERVICE_GROUP}: {{}}\n  devs:")
    code, [error] = validate(tmp_path, text, capsys)
    line = text.splitlines().index(f"  {SELF_SERVICE_GROUP}: {{}}") + 1
    assert code == 3
    assert error.startswith(f"org.yaml:{line}:3: error: group name 'orgtf-self-service' is ")
    off = text.replace("master_account: master", "master_account: master\n  self_service: false")
    assert validate(tmp_path, off, capsys) == (0, [])


def test_the_self_service_group_counts_against_the_groups_per_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace("users:", "  ops: {}\nlimits: {groups_per_user: 2}\nusers:").replace(
        ALICE, "  alice: {groups: [devs, ops]}"
    )
    code, [error] = validate(tmp_path, text, capsys)
    assert code == 3
    assert "user 'alice' is in 2 groups and in 'orgtf-self-service'" in error
    off = text.replace("master_account: master", "master_account: master\n  self_service: false")
    assert validate(tmp_path, off, capsys) == (0, [])


def test_console_without_self_service_warns_about_the_password_reset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = with_alice("console: true").replace(
        "master_account: master", "master_account: master\n  self_service: false"
    )
    [warning] = warnings_of(tmp_path, text, capsys)
    assert "user 'alice' must change their password at first sign-in" in warning
    assert "IAMUserChangePassword" in warning
    granted = text.replace(
        "    roles: [production/ReadOnly]",
        "    roles: [production/ReadOnly]\n"
        "    managed_policy_arns: [arn:aws:iam::aws:policy/IAMUserChangePassword]",
    )
    assert warnings_of(tmp_path, granted, capsys) == []


def test_render_gives_the_module_console_settings_and_the_self_service_group(
    tmp_path: Path, key: Any
) -> None:
    text = with_alice(f"console: true, pgp_key: {public_key_b64(key)}")
    text += "  bob: {path: /staff/}\n"
    (tmp_path / "org.yaml").write_text(text)
    master = VariableBuilder(load_organization(tmp_path / "org.yaml")).variables("master")
    assert master["users"]["alice"]["console"] is True
    assert master["users"]["bob"] == {
        "path": "/staff/",
        "tags": {},
        "groups": [],
        "console": False,
        "pgp_key": None,
    }
    service = master["self_service"]
    assert (service["name"], service["policy_name"]) == (SELF_SERVICE_GROUP, SELF_SERVICE_GROUP)
    document = json.loads(service["document"])
    assert document == self_service_document(MASTER, ["/", "/staff/"])
    assert service["document"] == json.dumps(document, sort_keys=True, separators=(",", ":"))


def test_render_leaves_the_group_out_when_self_service_is_off(tmp_path: Path) -> None:
    text = BASE.replace("master_account: master", "master_account: master\n  self_service: false")
    (tmp_path / "org.yaml").write_text(text)
    master = VariableBuilder(load_organization(tmp_path / "org.yaml")).variables("master")
    assert master["self_service"] is None
    production = VariableBuilder(load_organization(tmp_path / "org.yaml")).variables("production")
    assert "self_service" not in production


def decide(action: str, resource: str, user: str = "alice", mfa: bool = False) -> Decision:
    """What the self-service policy alone says about ``user`` (path /staff/ for bob)."""
    document = self_service_document(MASTER, ["/", "/staff/"])
    path = "/staff/" if user == "bob" else "/"
    arn = f"arn:aws:iam::{MASTER}:user{path}{user}"
    context: dict[str, str] = {"aws:username": user, "aws:PrincipalArn": arn}
    if mfa:
        context |= {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "30"}
    return evaluate([document], Request(action, resource, Principal(MASTER, (arn,)), context))


def own(user: str = "alice") -> str:
    return f"arn:aws:iam::{MASTER}:user{'/staff/' if user == 'bob' else '/'}{user}"


def test_without_mfa_everything_is_denied_but_setting_up_mfa_password_and_assume_role() -> None:
    for action in ("iam:ListUsers", "s3:ListAllMyBuckets", "ec2:DescribeInstances"):
        assert decide(action, "*") is Decision.DENY, action
    assert decide("iam:CreateAccessKey", own()) is Decision.DENY  # keys need MFA first
    assert decide("iam:DeactivateMFADevice", own()) is Decision.DENY
    assert decide("iam:ChangePassword", own()) is Decision.ALLOW
    assert decide("iam:GetAccountPasswordPolicy", "*") is Decision.ALLOW
    assert decide("iam:CreateVirtualMFADevice", f"arn:aws:iam::{MASTER}:mfa/alice") is (
        Decision.ALLOW
    )
    assert decide("iam:EnableMFADevice", own()) is Decision.ALLOW
    # sts:AssumeRole: neither denied nor allowed here; the group grants and trust policies decide
    role = "arn:aws:iam::123456789012:role/ReadOnly"
    assert decide("sts:AssumeRole", role) is Decision.NONE
    assert decide("sts:GetSessionToken", "*") is Decision.NONE


def test_with_mfa_users_manage_their_own_credentials_and_nobody_elses() -> None:
    assert decide("iam:ListUsers", "*", mfa=True) is Decision.NONE  # not denied, not granted
    for action in ("iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:DeactivateMFADevice"):
        assert decide(action, own(), mfa=True) is Decision.ALLOW, action
        assert decide(action, own("bob"), mfa=True) is Decision.NONE, action
        assert decide(action, own("bob"), "bob", mfa=True) is Decision.ALLOW, action
    assert decide("iam:ChangePassword", own("bob"), "bob") is Decision.ALLOW  # a user's path
    assert decide("iam:ChangePassword", own("bob")) is Decision.NONE
