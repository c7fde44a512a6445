"""A user's initial console password, read from the master account's Terraform state.

The provider generates the password when it creates the user's login profile and keeps it in
the state: in the clear (``password``), or with a PGP key only encrypted to it
(``encrypted_password`` and ``key_fingerprint``). Nothing else holds it: no module output, no
report, no log (``Terraform.show_state`` captures the state and never logs it). Reading it
runs ``terraform show -json`` in the master account's root, as reading outputs does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orgtf.config import Organization
from orgtf.errors import OrgtfError, UsageError
from orgtf.process import Supervisor
from orgtf.run.engine import Engine
from orgtf.run.targets import Target
from orgtf.terraform.state import StateResource
from orgtf.text import did_you_mean

LOGIN_PROFILE = "aws_iam_user_login_profile"
MODULE = "module.identity_groups"


@dataclass(frozen=True)
class ConsolePassword:
    """A user's initial console password, in the clear or encrypted to their PGP key."""

    user: str
    password: str | None = field(default=None, repr=False)
    encrypted_password: str | None = field(default=None, repr=False)
    key_fingerprint: str | None = None

    @property
    def encrypted(self) -> bool:
        """True when only the encryption to the user's PGP key is known."""
        return self.password is None


def read_console_password(org: Organization, target: Target, user: str) -> ConsolePassword:
    """The initial console password of ``user`` from the master account's state.

    UsageError (exit 4) for a user org.yaml does not have or gives no console password;
    OrgtfError when the state has no password for them (not applied yet, or imported).
    """
    _check_user(org, user)
    engine = Engine(org=org, target=target, parallelism=1, supervisor=Supervisor())
    [ws] = engine.workspaces([org.master_name])
    if not ws.workdir.is_dir():
        raise OrgtfError(
            f"the master account {org.master_name!r} is not rendered yet (no root at "
            f"{ws.workdir}); run `orgtf apply --account {org.master_name}` first"
        )
    engine.install_providers([ws])
    tf = engine.terraform(ws)
    tf.init_if_needed(backend_file=target.backend_file())
    profile = _profile(tf.show_state(), user)
    if profile is None:
        raise OrgtfError(
            f"user {user!r} has no console password in the state of the master account "
            f"{org.master_name!r} yet; run `orgtf apply --account {org.master_name}` first"
        )
    return _password(user, profile)


def _check_user(org: Organization, user: str) -> None:
    users = org.config.users
    if user not in users:
        raise UsageError(f"unknown user {user!r}{did_you_mean(user, users)}")
    if not users[user].console:
        raise UsageError(
            f"user {user!r} has no console password: set users.{user}.console to true "
            "in org.yaml, then plan and apply"
        )


def _profile(resources: tuple[StateResource, ...], user: str) -> StateResource | None:
    return next(
        (
            r
            for r in resources
            if r.type == LOGIN_PROFILE and r.index == user and r.address.startswith(MODULE)
        ),
        None,
    )


def _password(user: str, profile: StateResource) -> ConsolePassword:
    values = profile.values
    password = values.get("password")
    encrypted = values.get("encrypted_password")
    fingerprint = values.get("key_fingerprint")
    if isinstance(password, str) and password:
        return ConsolePassword(user, password=password)
    if isinstance(encrypted, str) and encrypted:
        shown = fingerprint if isinstance(fingerprint, str) and fingerprint else None
        return ConsolePassword(user, encrypted_password=encrypted, key_fingerprint=shown)
    raise OrgtfError(
        f"the state holds no password for user {user!r}: their login profile was imported or "
        "made outside orgtf, so its password was never known to Terraform; reset it with "
        f"`aws iam update-login-profile --user-name {user} --password-reset-required "
        "--password ...`, or remove console from org.yaml, apply, and add it back"
    )
