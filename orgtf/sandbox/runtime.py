"""Bring the sandbox up, find it, tear it down: the entry points the rest of orgtf uses."""

from __future__ import annotations

import fcntl
import importlib.util
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from orgtf.config import Organization
from orgtf.errors import OrgtfError, UsageError
from orgtf.sandbox import emulator, records
from orgtf.sandbox.bootstrap import BootstrapResult, OperatorCredentials, bootstrap
from orgtf.sandbox.emulator import EmulatorProcess
from orgtf.sandbox.mirror import install_provider, write_cli_config
from orgtf.sandbox.target import (
    IamMode,
    ProviderMode,
    SandboxTarget,
    iam_mode,
    provider_mode,
    state_dir_of,
)
from orgtf.terraform.binary import TerraformBinary, resolve_terraform

# What the sandbox extra adds: the SDK for bootstrap, the emulator, the stand-in provider.
EXTRA_PACKAGES = ("boto3", "botocore", "moto", "tf")
Action = Literal["started", "restarted", "reused"]

__all__ = [
    "SandboxTarget",
    "SandboxUp",
    "TerraformBinary",
    "bring_up",
    "ensure_sandbox",
    "has_leftover_state",
    "require_sandbox_extra",
    "sandbox_status",
    "stop_sandbox",
]


@dataclass(frozen=True)
class SandboxUp:
    """What ``bring_up`` did: the target, whether it started a process, what it created."""

    target: SandboxTarget
    action: Action
    created: tuple[str, ...]
    seconds: float


def ensure_sandbox(
    org: Organization, project_dir: Path, *, env: Mapping[str, str]
) -> SandboxTarget:
    """The sandbox for ``project_dir``, started and bootstrapped from ``org`` if needed."""
    return bring_up(org, project_dir, env=env).target


def bring_up(
    org: Organization,
    project_dir: Path,
    *,
    port: int | None = None,
    env: Mapping[str, str],
) -> SandboxUp:
    """Start the emulator unless it runs (restart it if it died), then bootstrap from ``org``.

    Idempotent: a running sandbox is reused and bootstrap only adds what is missing.
    """
    require_sandbox_extra()
    clock = time.monotonic()
    state_dir = state_dir_of(project_dir)
    with _locked(project_dir):
        try:
            target, action, created = _bring_up_locked(org, state_dir, port, env)
        except OSError as exc:  # e.g. a full disk while writing the state files
            raise OrgtfError(_os_error_message(state_dir, exc)) from exc
    return SandboxUp(target, action, created, time.monotonic() - clock)


def _bring_up_locked(
    org: Organization, state_dir: Path, port: int | None, env: Mapping[str, str]
) -> tuple[SandboxTarget, Action, tuple[str, ...]]:
    # Not the sandbox's own bin/terraform link: that would become a link to itself.
    terraform = resolve_terraform(env, exclude=state_dir)
    mode = provider_mode(env)
    iam = iam_mode(env)
    process = _running_emulator(state_dir, port, iam)
    action: Action = "reused" if process is not None else "started"
    try:
        if process is None:
            action = "restarted" if state_dir.exists() else "started"
            # Whatever a dead emulator left (accounts, sandbox Terraform state) is void.
            _stop_and_clear(state_dir)
            state_dir.mkdir(mode=0o700, parents=True)
            process = emulator.start_emulator(state_dir, env, port, iam or "on")
        previous = _read_credentials(state_dir) if action == "reused" else None
        result = bootstrap(org, process.endpoint, previous)
        region = org.config.organization.region
        target = _target(state_dir, process, terraform, region, result, mode)
        _write_credentials(state_dir, result.operator)
        _prepare_terraform(target)
        _write_sandbox_file(target, result)
    except BaseException:
        if action != "reused":  # a half-made sandbox is no use to anyone
            _stop_and_clear(state_dir)
        raise
    return target, action, result.created


def _os_error_message(state_dir: Path, exc: OSError) -> str:
    where = exc.filename if exc.filename is not None else state_dir
    reason = exc.strerror or str(exc)
    return f"cannot set up the sandbox: {where}: {reason}"


def require_sandbox_extra() -> None:
    """Raise OrgtfError unless the packages of the ``sandbox`` extra are installed."""
    missing = [name for name in EXTRA_PACKAGES if not _installed(name)]
    if missing:
        raise OrgtfError(
            "the sandbox needs the sandbox extra: pip install 'orgtf[sandbox]' "
            f"(missing: {', '.join(missing)})"
        )


def _installed(package: str) -> bool:
    try:  # find_spec, not import: moto and tf only run in the sandbox's own processes
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def sandbox_status(project_dir: Path) -> SandboxTarget | None:
    """The running sandbox of ``project_dir``, or None if it is not running."""
    state_dir = state_dir_of(project_dir)
    process = emulator.read_process(state_dir)
    if process is None or not emulator.is_running(process):
        return None
    return _load_target(state_dir, process)


def has_leftover_state(project_dir: Path) -> bool:
    """Whether sandbox files exist although no sandbox runs (the emulator died)."""
    return state_dir_of(project_dir).exists() and sandbox_status(project_dir) is None


def stop_sandbox(project_dir: Path) -> list[int]:
    """Stop the emulator and remove all sandbox state; the pids of the emulators stopped."""
    if not state_dir_of(project_dir).exists():
        return []  # nothing to stop; and `down` must not create .orgtf/ either
    with _locked(project_dir):
        return _stop_and_clear(state_dir_of(project_dir))


def _stop_and_clear(state_dir: Path) -> list[int]:
    stopped = emulator.stop_all(state_dir)
    if state_dir.exists():
        shutil.rmtree(state_dir)
    return stopped


def _running_emulator(
    state_dir: Path, port: int | None, iam: IamMode | None
) -> EmulatorProcess | None:
    """The recorded emulator if it runs and suits ``port`` and ``iam``; None if it must start."""
    process = emulator.read_process(state_dir)
    if process is None or not emulator.is_running(process):
        return None
    if port is not None and port != process.port:
        raise UsageError(
            f"the sandbox already runs on port {process.port} (pid {process.pid}); "
            "run `orgtf sandbox down` first to move it to another port"
        )
    if iam is not None and iam != process.iam:
        raise UsageError(
            f"the sandbox already runs with ORGTF_SANDBOX_IAM={process.iam} (pid {process.pid}); "
            f"run `orgtf sandbox down` first to start it with ORGTF_SANDBOX_IAM={iam}"
        )
    return process


def _prepare_terraform(target: SandboxTarget) -> None:
    """The sandbox-only CLI config, provider mirror, plugin cache and ``bin/terraform`` link."""
    target.work_dir.mkdir(exist_ok=True)
    if target.provider_mode == "registry":
        target.plugin_cache_dir.mkdir(exist_ok=True)
        # The real hashicorp/aws from the registry; an empty config keeps ~/.terraformrc out.
        target.cli_config_file.write_text("# orgtf sandbox: registry provider mode\n")
    else:
        install_provider(target.mirror_dir)
        write_cli_config(target.cli_config_file, target.mirror_dir)
    target.bin_dir.mkdir(exist_ok=True)
    names = ["terraform", "tofu"] if target.terraform.flavour == "tofu" else ["terraform"]
    for name in names:
        link = target.bin_dir / name
        tmp = link.with_name(f".{name}.tmp")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target.terraform.path)
        tmp.replace(link)


def _target(
    state_dir: Path,
    process: EmulatorProcess,
    terraform: TerraformBinary,
    region: str,
    result: BootstrapResult,
    mode: ProviderMode,
) -> SandboxTarget:
    return SandboxTarget(
        endpoint=process.endpoint,
        pid=process.pid,
        state_dir=state_dir,
        accounts=dict(result.accounts),
        terraform=terraform,
        region=region,
        organization_id=result.organization_id,
        operator=result.operator,
        provider_mode=mode,
        iam=process.iam,
    )


def _write_sandbox_file(target: SandboxTarget, result: BootstrapResult) -> None:
    tf = target.terraform
    record = records.SandboxRecord(
        accounts=[records.AccountRecord(name=n, id=i) for n, i in target.accounts.items()],
        organization_id=target.organization_id,
        organization_member_ids=dict(result.member_ids),
        provider_mode=target.provider_mode,
        region=target.region,
        terraform=records.TerraformRecord(
            path=str(tf.path), version=tf.version, flavour=tf.flavour, source=tf.source
        ),
    )
    records.write_sandbox(target.state_dir, record)


def _load_target(state_dir: Path, process: EmulatorProcess) -> SandboxTarget | None:
    """The running sandbox, or None while bootstrap has not recorded it yet."""
    data = records.read_sandbox(state_dir)
    operator = _read_credentials(state_dir)
    if data is None or operator is None:
        return None  # not bootstrapped (yet): `sandbox up` finishes it
    tf = data.terraform
    return SandboxTarget(
        endpoint=process.endpoint,
        pid=process.pid,
        state_dir=state_dir,
        accounts={a.name: a.id for a in data.accounts},
        terraform=TerraformBinary(Path(tf.path), tf.version, tf.flavour, tf.source),
        region=data.region,
        organization_id=data.organization_id,
        operator=operator,
        provider_mode=data.provider_mode,
        iam=process.iam,
    )


def _read_credentials(state_dir: Path) -> OperatorCredentials | None:
    record = records.read_credentials(state_dir)
    if record is None:
        return None
    return OperatorCredentials(record.access_key_id, record.secret_access_key)


def _write_credentials(state_dir: Path, operator: OperatorCredentials) -> None:
    record = records.CredentialsRecord(
        access_key_id=operator.access_key_id, secret_access_key=operator.secret_access_key
    )
    records.write_credentials(state_dir, record)


@contextmanager
def _locked(project_dir: Path) -> Iterator[None]:
    """One sandbox change at a time per project (parallel `orgtf --sandbox` runs, tests)."""
    lock_path = project_dir / ".orgtf" / "sandbox.lock"
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("a")
    except OSError as exc:
        raise OrgtfError(f"cannot write sandbox state under {lock_path.parent}: {exc}") from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
