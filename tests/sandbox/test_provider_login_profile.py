"""aws_iam_user_login_profile in the stand-in, driven by real Terraform against moto.

Each test has its own IAM user (a unique name) and workspace, so the tests share the emulator,
not its state. The PGP key is made here with PGPy; its private half decrypts what was stored.
"""

from __future__ import annotations

import base64
import warnings
from typing import Any

import pytest
from botocore.exceptions import ClientError

from orgtf.sandbox.provider.passwords import CLASSES, generate_password, meets_policy
from tests.sandbox.test_provider_lifecycle import actions, assert_clean, resources
from tests.support.provider import InitializedMirror, MotoServer, Terraform, boto_client
from tests.support.provider import provider_block as provider

with warnings.catch_warnings():  # PGPy 0.6 imports imghdr, deprecated since Python 3.11
    warnings.simplefilter("ignore", DeprecationWarning)
    import pgpy
    from pgpy.constants import (
        CompressionAlgorithm,
        HashAlgorithm,
        KeyFlags,
        PubKeyAlgorithm,
        SymmetricKeyAlgorithm,
    )

# PGPy 0.6 uses ciphers that cryptography has moved to its "decrepit" module.
pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning"),
]

PROFILE = "aws_iam_user_login_profile.console"
IGNORE_CHANGES = """  lifecycle {
    ignore_changes = [
      password_length,
      password_reset_required,
      pgp_key,
    ]
  }
"""


@pytest.fixture(scope="module")
def pgp_key() -> Any:
    """A private key as ``gpg --gen-key`` makes one: a signing primary, an encryption subkey."""
    key = pgpy.PGPKey.new(PubKeyAlgorithm.RSAEncryptOrSign, 2048)
    uid = pgpy.PGPUID.new("Console User", email="console@example.com")
    key.add_uid(
        uid,
        usage={KeyFlags.Sign, KeyFlags.Certify},
        hashes=[HashAlgorithm.SHA256],
        ciphers=[SymmetricKeyAlgorithm.AES256],
        compression=[CompressionAlgorithm.Uncompressed],
    )
    subkey = pgpy.PGPKey.new(PubKeyAlgorithm.RSAEncryptOrSign, 2048)
    key.add_subkey(subkey, usage={KeyFlags.EncryptCommunications, KeyFlags.EncryptStorage})
    return key


def public_b64(key: Any) -> str:
    """What ``gpg --export KEY | base64 -w0`` prints."""
    return base64.b64encode(bytes(key.pubkey)).decode()


def decrypt(key: Any, encrypted_b64: str) -> str:
    message = key.decrypt(pgpy.PGPMessage.from_blob(base64.b64decode(encrypted_b64))).message
    return message if isinstance(message, str) else bytes(message).decode()


def config(moto: MotoServer, user: str, profile: str = "", user_args: str = "") -> str:
    """An IAM user and its login profile with the given extra arguments."""
    return provider(moto.url) + (
        f'resource "aws_iam_user" "person" {{\n  name = "{user}"\n{user_args}}}\n\n'
        f'resource "aws_iam_user_login_profile" "console" {{\n'
        f"  user = aws_iam_user.person.name\n{profile}}}\n"
    )


def profile_values(terraform: Terraform) -> dict[str, Any]:
    return resources(terraform.state())[PROFILE]


def login_profile(iam: Any, user: str) -> dict[str, Any] | None:
    """The user's login profile in moto, or None when there is none."""
    try:
        return dict(iam.get_login_profile(UserName=user)["LoginProfile"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchEntity":
            raise
        return None


def user_exists(iam: Any, user: str) -> bool:
    return any(u["UserName"] == user for u in iam.list_users()["Users"])


def test_create_without_pgp_key_stores_the_password(
    moto: MotoServer, mirror: InitializedMirror
) -> None:
    iam = boto_client("iam", moto.url)
    terraform = mirror.workspace(
        "login-plain", config(moto, "lp-plain", "  password_reset_required = true\n"), {}
    )
    terraform.apply()

    values = profile_values(terraform)
    assert values["id"] == values["user"] == "lp-plain"
    assert len(values["password"]) == 20 and meets_policy(values["password"])
    assert (values["password_length"], values["password_reset_required"]) == (20, True)
    assert [values[k] for k in ("encrypted_password", "key_fingerprint", "pgp_key")] == [None] * 3
    made = login_profile(iam, "lp-plain")
    assert made is not None and made["PasswordResetRequired"] is True
    assert_clean(terraform)

    terraform.write(config(moto, "lp-plain", "  password_reset_required = false\n"))
    code, plan = terraform.plan_json()
    assert (code, actions(plan)) == (2, {PROFILE: ["delete", "create"]})
    change = next(rc["change"] for rc in plan["resource_changes"] if rc["address"] == PROFILE)
    assert change["before_sensitive"] == {"password": True}
    assert change["after_unknown"]["password"] is True  # Terraform planned the create afresh
    shown = terraform.run("show", "-no-color", "tf.plan").stdout
    assert "password                = (sensitive value)" in shown
    assert values["password"] not in shown

    terraform.run("destroy", "-auto-approve", "-no-color")
    assert login_profile(iam, "lp-plain") is None
    assert not user_exists(iam, "lp-plain")


def test_create_with_pgp_key_stores_only_the_encrypted_password(
    moto: MotoServer, mirror: InitializedMirror, pgp_key: Any
) -> None:
    iam = boto_client("iam", moto.url)
    body = f'  pgp_key         = "{public_b64(pgp_key)}"\n  password_length = 32\n'
    terraform = mirror.workspace("login-pgp", config(moto, "lp-pgp", body), {})
    terraform.apply()

    values = profile_values(terraform)
    assert values["id"] == "lp-pgp"
    assert values["password"] is None
    assert values["key_fingerprint"] == str(pgp_key.fingerprint).replace(" ", "").lower()
    password = decrypt(pgp_key, values["encrypted_password"])
    assert len(password) == 32 and meets_policy(password)
    assert values["password_reset_required"] is None  # not configured, and read never sets it
    made = login_profile(iam, "lp-pgp")
    assert made is not None and made["PasswordResetRequired"] is False
    assert_clean(terraform)

    iam.delete_login_profile(UserName="lp-pgp")
    code, plan = terraform.plan_json()
    assert (code, actions(plan)) == (2, {PROFILE: ["create"]})
    terraform.run("destroy", "-auto-approve", "-no-color")
    assert not user_exists(iam, "lp-pgp")


def test_import_by_user_name_is_clean_with_the_documented_ignore_changes(
    moto: MotoServer, mirror: InitializedMirror, pgp_key: Any
) -> None:
    iam = boto_client("iam", moto.url)
    iam.create_user(UserName="lp-imported")
    iam.create_login_profile(UserName="lp-imported", Password="Made-Outside-1!")
    body = f'  password_reset_required = true\n  pgp_key = "{public_b64(pgp_key)}"\n'
    profile = f'resource "aws_iam_user_login_profile" "console" {{\n  user = "lp-imported"\n{body}'
    terraform = mirror.workspace("login-import", provider(moto.url) + profile + "}\n", {})
    terraform.run("import", "-no-color", "-input=false", PROFILE, "lp-imported")

    values = profile_values(terraform)
    assert (values["id"], values["user"]) == ("lp-imported", "lp-imported")
    assert (values["encrypted_password"], values["key_fingerprint"]) == ("", "")
    unset = ("password", "password_length", "password_reset_required", "pgp_key")
    assert {k: values[k] for k in unset} == dict.fromkeys(unset)
    code, plan = terraform.plan_json()
    assert (code, actions(plan)) == (2, {PROFILE: ["delete", "create"]})

    terraform.write(provider(moto.url) + profile + IGNORE_CHANGES + "}\n")
    assert_clean(terraform)
    terraform.run("destroy", "-auto-approve", "-no-color")
    assert login_profile(iam, "lp-imported") is None
    assert user_exists(iam, "lp-imported")


def test_force_destroy_deletes_a_user_whose_login_profile_was_made_outside_terraform(
    moto: MotoServer, mirror: InitializedMirror
) -> None:
    iam = boto_client("iam", moto.url)
    user = provider(moto.url) + (
        'resource "aws_iam_user" "person" {\n  name = "lp-outside"\n  force_destroy = true\n}\n'
    )
    terraform = mirror.workspace("login-outside", user, {})
    terraform.apply()
    iam.create_login_profile(UserName="lp-outside", Password="Made-Outside-2!")

    terraform.run("destroy", "-auto-approve", "-no-color")
    assert not user_exists(iam, "lp-outside")


def test_an_unusable_pgp_key_leaves_a_tainted_profile_as_the_real_provider_does(
    moto: MotoServer, mirror: InitializedMirror
) -> None:
    iam = boto_client("iam", moto.url)
    not_a_key = base64.b64encode(b"-----BEGIN PGP PUBLIC KEY BLOCK-----").decode()
    terraform = mirror.workspace(
        "login-bad-key", config(moto, "lp-bad-key", f'  pgp_key = "{not_a_key}"\n'), {}
    )
    failed = terraform.run("apply", "-auto-approve", "-input=false", "-no-color", ok=(1,))
    assert (
        'creating IAM User Login Profile for "lp-bad-key": Error encrypting Password: '
        "parsing given PGP key: openpgp: invalid data: tag byte does not have MSB set"
    ) in failed.output
    assert login_profile(iam, "lp-bad-key") is not None
    tainted = {r["address"]: r.get("tainted", False) for r in state_resources(terraform)}
    assert tainted[PROFILE] is True
    assert profile_values(terraform)["password"] is None
    terraform.run("destroy", "-auto-approve", "-no-color")
    assert not user_exists(iam, "lp-bad-key")


def state_resources(terraform: Terraform) -> list[dict[str, Any]]:
    return list(terraform.state()["values"]["root_module"]["resources"])


@pytest.mark.parametrize(
    ("case", "argument", "message"),
    [
        ("keybase", '  pgp_key = "keybase:someone"\n', "stand-in cannot reach keybase.io"),
        ("short", "  password_length = 4\n", "in the range (5 - 128), got 4"),
        ("long", "  password_length = 129\n", "in the range (5 - 128), got 129"),
    ],
)
def test_unusable_arguments_are_refused_at_plan(
    moto: MotoServer, mirror: InitializedMirror, case: str, argument: str, message: str
) -> None:
    terraform = mirror.workspace(f"login-refused-{case}", config(moto, "lp-refused", argument), {})
    result = terraform.run("plan", "-input=false", "-no-color", ok=(1,))
    assert message in " ".join(result.output.split())


@pytest.mark.parametrize("length", [5, 6, 20, 128])
def test_generated_passwords_have_every_character_class(length: int) -> None:
    allowed = set("".join(CLASSES))
    for _ in range(200):
        password = generate_password(length)
        assert len(password) == length and set(password) <= allowed and meets_policy(password)
