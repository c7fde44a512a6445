"""aws_iam_user_login_profile: id = user name; every argument forces a replacement.

As the real provider: create generates a password (``passwords``), calls CreateLoginProfile and
then either stores the password (sensitive) or, with ``pgp_key``, only its encryption to that
key and the key's fingerprint (``pgp``). Read calls GetLoginProfile and sets ``user`` only, so
``password_reset_required``, ``password_length`` and ``pgp_key`` keep what create was given;
import sets ``encrypted_password`` and ``key_fingerprint`` to "" and leaves the rest null.
"""

from __future__ import annotations

from typing import Any

from tf.schema import Attribute

from orgtf.sandbox.provider import framework as fw
from orgtf.sandbox.provider.errors import AwsError, add_error, is_not_found
from orgtf.sandbox.provider.passwords import PasswordError, generate_password
from orgtf.sandbox.provider.pgp import PgpKeyError, encrypt_value, keybase_refusal
from orgtf.sandbox.provider.resource_base import SdkResource

State = fw.State
MIN_LENGTH, MAX_LENGTH = 5, 128


class IamUserLoginProfile(SdkResource):
    """A console password for an IAM user, generated once on create."""

    type_name = "aws_iam_user_login_profile"

    @classmethod
    def build_schema(cls) -> Any:
        return fw.resource_schema(
            [
                Attribute("encrypted_password", fw.string(), computed=True),
                fw.id_attribute(),
                Attribute("key_fingerprint", fw.string(), computed=True),
                # Sensitive since hashicorp/aws 5.75.0.
                Attribute("password", fw.string(), computed=True, sensitive=True),
                Attribute(
                    "password_length",
                    fw.number(),
                    optional=True,
                    default=20,
                    requires_replace=True,
                ),
                Attribute(
                    "password_reset_required",
                    fw.boolean(),
                    optional=True,
                    computed=True,
                    requires_replace=True,
                ),
                Attribute("pgp_key", fw.string(), optional=True, requires_replace=True),
                Attribute("user", fw.string(), required=True, requires_replace=True),
            ]
        )

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        super().validate(diags, type_name, config)
        length = config.get("password_length")
        if isinstance(length, int | float) and not MIN_LENGTH <= length <= MAX_LENGTH:
            diags.add_error(
                "Invalid password_length",
                f"expected password_length to be in the range ({MIN_LENGTH} - {MAX_LENGTH}), "
                f"got {length:g}",
                path=["password_length"],
            )
        pgp_key = config.get("pgp_key")
        refusal = keybase_refusal(pgp_key) if isinstance(pgp_key, str) else None
        if refusal is not None:
            diags.add_error("Unsupported pgp_key", refusal, path=["pgp_key"])

    def create(self, ctx: Any, planned: State) -> State | None:
        user, pgp_key = planned["user"], planned.get("pgp_key")
        action = f'creating IAM User Login Profile for "{user}"'
        reset_required = planned["password_reset_required"] is True
        try:
            _refuse_keybase(pgp_key)
            password = generate_password(int(planned["password_length"]))
            profile = self.aws.iam.create_login_profile(
                UserName=user, Password=password, PasswordResetRequired=reset_required
            )["LoginProfile"]
        except (*AwsError, PgpKeyError, PasswordError) as exc:
            add_error(ctx.diagnostics, action, exc)
            return None
        created = {**planned, "id": profile["UserName"]}
        if planned["password_reset_required"] is fw.Unknown:
            created["password_reset_required"] = None  # unset, as SDKv2 leaves it
        try:
            self._match_reset_flag(profile, password, reset_required)
            created.update(_secret_values(password, pgp_key))
        except (*AwsError, PgpKeyError) as exc:
            # As the real provider: the profile exists, so a partial (tainted) state.
            add_error(ctx.diagnostics, action, exc)
            return created
        return self.read_back(ctx, _reading(created["id"]), lambda: self._fetch(created), created)

    def _match_reset_flag(self, profile: Any, password: str, reset_required: bool) -> None:
        """moto ignores PasswordResetRequired on create: set it as AWS would have."""
        if bool(profile.get("PasswordResetRequired")) != reset_required:
            self.aws.iam.update_login_profile(
                UserName=profile["UserName"],
                Password=password,
                PasswordResetRequired=reset_required,
            )

    def read(self, ctx: Any, current: State) -> State | None:
        return self.refresh(ctx, _reading(current["id"]), lambda: self._fetch(current), current)

    def _fetch(self, current: State) -> State:
        profile = self.aws.iam.get_login_profile(UserName=current["id"])["LoginProfile"]
        return {**current, "user": profile["UserName"]}

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        # Every argument forces a replacement, so only computed values can differ here.
        return {**current, **{k: v for k, v in planned.items() if v is not fw.Unknown}}

    def delete(self, ctx: Any, current: State) -> State | None:
        user = current["id"]
        try:
            self.aws.iam.delete_login_profile(UserName=user)
        except AwsError as exc:
            if not is_not_found(exc):
                add_error(ctx.diagnostics, f"deleting IAM User Login Profile ({user})", exc)
                return current
        return None

    def import_(self, ctx: Any, id: str) -> State | None:
        return self.new_state(id=id, encrypted_password="", key_fingerprint="")


def _refuse_keybase(pgp_key: str | None) -> None:
    refusal = keybase_refusal(pgp_key) if pgp_key else None
    if refusal is not None:
        raise PgpKeyError(refusal)


def _secret_values(password: str, pgp_key: str | None) -> State:
    """``password`` in clear without a key; else only its encryption and the key's fingerprint."""
    if not pgp_key:
        return {"password": password, "encrypted_password": None, "key_fingerprint": None}
    encrypted = encrypt_value(pgp_key, password, "Password")
    return {
        "password": None,
        "encrypted_password": encrypted.ciphertext_b64,
        "key_fingerprint": encrypted.fingerprint,
    }


def _reading(user: str) -> str:
    return f"reading IAM User Login Profile ({user})"
