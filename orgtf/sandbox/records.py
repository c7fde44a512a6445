"""The files the sandbox keeps in its state dir, read and written as typed records.

``emulator.json`` (the emulator's pid, port and token), ``sandbox.json`` (what bootstrap made
and which Terraform runs there), ``credentials.json`` (the operator's key, mode 0600) and
``user-keys.json`` (the keys ``sandbox credentials`` made for users, mode 0600).
A missing file reads as None; a damaged one raises DamagedFileError naming the fix.
"""

from __future__ import annotations

from pathlib import Path

from orgtf.files import Record, read_record, write_atomic
from orgtf.sandbox.target import IamMode, ProviderMode
from orgtf.terraform.binary import Flavour

EMULATOR_FILE = "emulator.json"
SANDBOX_FILE = "sandbox.json"
CREDENTIALS_FILE = "credentials.json"
USER_KEYS_FILE = "user-keys.json"
FIX = "run `orgtf sandbox down` to stop the sandbox and remove its state, then `orgtf sandbox up`"


class EmulatorRecord(Record):
    """The emulator process orgtf started for this state dir."""

    pid: int
    port: int
    endpoint: str
    token: str
    iam: IamMode = "on"  # whether it checks sts:AssumeRole against IAM


class AccountRecord(Record):
    """One account the sandbox made."""

    name: str
    id: str


class TerraformRecord(Record):
    """The Terraform binary sandbox runs use."""

    path: str
    version: str
    flavour: Flavour
    source: str


class SandboxRecord(Record):
    """What bootstrap made (accounts master first) and how Terraform runs there."""

    accounts: list[AccountRecord]
    organization_id: str
    organization_member_ids: dict[str, str]
    provider_mode: ProviderMode
    region: str
    terraform: TerraformRecord


class CredentialsRecord(Record):
    """The operator user's access key in the master account."""

    access_key_id: str
    secret_access_key: str


class UserKeysRecord(Record):
    """The access keys ``sandbox credentials`` created, by IAM user name."""

    keys: dict[str, CredentialsRecord]


def read_emulator(state_dir: Path) -> EmulatorRecord | None:
    """The recorded emulator of ``state_dir``, or None when none was recorded."""
    return read_record(state_dir / EMULATOR_FILE, EmulatorRecord, "the emulator record", FIX)


def write_emulator(state_dir: Path, record: EmulatorRecord) -> None:
    """Record the emulator so later runs find it."""
    write_atomic(state_dir / EMULATOR_FILE, record.to_json())


def read_sandbox(state_dir: Path) -> SandboxRecord | None:
    """What bootstrap recorded, or None when it has not finished yet."""
    return read_record(state_dir / SANDBOX_FILE, SandboxRecord, "the sandbox record", FIX)


def write_sandbox(state_dir: Path, record: SandboxRecord) -> None:
    """Record what bootstrap made; readable by others, like the rest of the state dir."""
    write_atomic(state_dir / SANDBOX_FILE, record.to_json(), mode=0o644, umask=True)


def read_credentials(state_dir: Path) -> CredentialsRecord | None:
    """The operator's key, or None when bootstrap has not made one yet."""
    return read_record(state_dir / CREDENTIALS_FILE, CredentialsRecord, "the operator's key", FIX)


def write_credentials(state_dir: Path, record: CredentialsRecord) -> None:
    """Keep the operator's key readable by its owner only."""
    write_atomic(state_dir / CREDENTIALS_FILE, record.to_json(), mode=0o600, umask=True)


def read_user_keys(state_dir: Path) -> UserKeysRecord | None:
    """The users' keys made so far, or None when none was."""
    return read_record(state_dir / USER_KEYS_FILE, UserKeysRecord, "the users' keys", FIX)


def write_user_keys(state_dir: Path, record: UserKeysRecord) -> None:
    """Keep the users' keys readable by their owner only."""
    write_atomic(state_dir / USER_KEYS_FILE, record.to_json(), mode=0o600, umask=True)
