"""Access keys of the sandbox's IAM users, so people can try their profiles with real tools.

orgtf creates org.yaml's users in the master account when it applies; it never gives them
keys. ``user_access_key`` does, in the sandbox only: it creates a key for the user the first
time, keeps its secret in ``user-keys.json`` (mode 0600) and hands out the same key as long
as IAM still has it. One caller at a time, through a lock beside the file.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from orgtf.errors import OrgtfError
from orgtf.sandbox import records
from orgtf.sandbox.bootstrap import account_client
from orgtf.sandbox.target import SandboxTarget

# boto3 comes with the sandbox extra: imported where used.
if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

_LOCK_FILE = "user-keys.lock"


class NoSuchSandboxUser(OrgtfError):
    """The IAM user is not in the sandbox's master account (orgtf has not applied it yet)."""


@dataclass(frozen=True)
class UserKey:
    """An IAM user's access key in the sandbox; ``created`` if this call made it."""

    user: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    created: bool


def user_access_key(target: SandboxTarget, user: str) -> UserKey:
    """An access key of IAM user ``user`` of the master account: the kept one, else a new one."""
    from botocore.exceptions import BotoCoreError, ClientError

    master_id = next(iter(target.accounts.values()))  # master first
    iam: IAMClient = account_client("iam", target.endpoint, target.region, master_id)
    with _locked(target.state_dir):
        try:
            return _ensure_key(target.state_dir, iam, user)
        except iam.exceptions.NoSuchEntityException as exc:
            raise NoSuchSandboxUser(
                f"user {user!r} does not exist in the sandbox's master account ({master_id}): "
                "orgtf creates org.yaml's users when it applies; "
                "run `orgtf --sandbox apply --all` first"
            ) from exc
        except iam.exceptions.LimitExceededException as exc:
            raise OrgtfError(
                f"user {user!r} already has two access keys in the sandbox that orgtf did not "
                f"create; delete one (aws iam delete-access-key --user-name {user} "
                "--access-key-id ...) and try again"
            ) from exc
        except (ClientError, BotoCoreError) as exc:
            raise OrgtfError(f"cannot make an access key in the sandbox: {exc}") from exc


def _ensure_key(state_dir: Path, iam: IAMClient, user: str) -> UserKey:
    listed = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    existing = {meta.get("AccessKeyId") for meta in listed}
    kept = records.read_user_keys(state_dir) or records.UserKeysRecord(keys={})
    known = kept.keys.get(user)
    if known is not None and known.access_key_id in existing:
        return UserKey(user, known.access_key_id, known.secret_access_key, created=False)
    new = iam.create_access_key(UserName=user)["AccessKey"]
    record = records.CredentialsRecord(
        access_key_id=new["AccessKeyId"], secret_access_key=new["SecretAccessKey"]
    )
    records.write_user_keys(state_dir, records.UserKeysRecord(keys={**kept.keys, user: record}))
    return UserKey(user, record.access_key_id, record.secret_access_key, created=True)


@contextmanager
def _locked(state_dir: Path) -> Iterator[None]:
    with (state_dir / _LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
