"""The moto server process: start it detached on 127.0.0.1, check its health, stop it.

The process is recorded in ``<state_dir>/emulator.json`` (pid, port, endpoint, token) so that
later orgtf invocations find it. Nothing here trusts a record blindly: a pid counts as this
project's emulator only while it is alive, not a zombie, and its command line is this module's
with this state dir and the record's random token. A record copied from another project, or
left behind after the project moved, therefore names a process that is not ours: it reads as
"not running" and that process is never signalled.

Run as ``python -m orgtf.sandbox.emulator --state-dir DIR --token T -H HOST -p PORT --iam on``,
this module is the server itself: moto's app served one request at a time (``emulator_server``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orgtf.errors import OrgtfError
from orgtf.files import DamagedFileError
from orgtf.process import run, spawn_detached
from orgtf.sandbox import records
from orgtf.sandbox.emulator_server import HEALTH_PATH
from orgtf.sandbox.target import IamMode

HOST = "127.0.0.1"
LOG_FILE = "emulator.log"
START_TIMEOUT = 30.0
_STOP_GRACE = 5.0
# Variables that would change which account moto acts as, or point it elsewhere.
_SERVER_ENV_DROP = ("MOTO_ACCOUNT_ID", "MOTO_PORT", "MOTO_CALL_RESET_API")
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
_STATE_DIR_FLAG = "--state-dir"
_TOKEN_FLAG = "--token"


@dataclass(frozen=True)
class EmulatorProcess:
    """A moto server started by orgtf for the project whose state dir is ``state_dir``."""

    pid: int
    port: int
    state_dir: Path
    token: str  # random, also in the server's argv: tells our process from a reused pid
    iam: IamMode = "on"  # whether it checks sts:AssumeRole against IAM

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"


def start_emulator(
    state_dir: Path, env: Mapping[str, str], port: int | None = None, iam: IamMode = "on"
) -> EmulatorProcess:
    """Start moto on ``port`` (default: a free one), wait until healthy, record it, return it."""
    chosen = port if port is not None else free_port()
    if port is not None:
        ensure_port_free(port)
    token = secrets.token_hex(16)
    argv = [sys.executable, "-m", __name__, *_identity_args(state_dir, token)]
    argv += ["-H", HOST, "-p", str(chosen), "--iam", iam]
    log_path = state_dir / LOG_FILE
    log_offset = log_path.stat().st_size if log_path.exists() else 0
    pid = spawn_detached(argv, env=server_env(env), log_path=log_path, cwd=state_dir)
    process = EmulatorProcess(pid=pid, port=chosen, state_dir=state_dir, token=token, iam=iam)
    try:
        record = records.EmulatorRecord(
            pid=pid, port=chosen, endpoint=process.endpoint, token=token, iam=iam
        )
        records.write_emulator(state_dir, record)
        _wait_healthy(process, log_path, log_offset, START_TIMEOUT)
    except BaseException:
        _terminate(pid)  # our own child: no need to recognise it by its command line
        (state_dir / records.EMULATOR_FILE).unlink(missing_ok=True)
        raise
    return process


def server_env(env: Mapping[str, str]) -> dict[str, str]:
    """The emulator's environment: no AWS credentials, AWS managed policies available."""
    kept = {k: v for k, v in env.items() if not k.startswith("AWS_") and k not in _SERVER_ENV_DROP}
    # org.yaml roles attach AWS managed policies (AdministratorAccess, ...) by ARN.
    kept["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    # The server imports this module: keep orgtf importable even from a source checkout.
    paths = [p for p in kept.get("PYTHONPATH", "").split(os.pathsep) if p]
    kept["PYTHONPATH"] = os.pathsep.join([*paths, str(_PACKAGE_ROOT)])
    return kept


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def ensure_port_free(port: int) -> None:
    """Raise a clear error when ``port`` on 127.0.0.1 is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the server does: sockets in TIME_WAIT from a stopped sandbox do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            raise OrgtfError(
                f"cannot start the sandbox emulator: port {port} on {HOST} is already in use "
                f"({exc.strerror}); choose another with --port, or omit --port to use a free one"
            ) from exc


def is_running(process: EmulatorProcess) -> bool:
    """Whether the recorded process is alive, is our moto, and answers its health check."""
    return is_ours(process) and healthy(process.endpoint)


def is_ours(process: EmulatorProcess) -> bool:
    """Whether ``process`` is alive (not a zombie) and runs this module for its state dir."""
    if not _exists(process.pid):
        return False
    # Contiguous in the argv: python -m MODULE --state-dir DIR --token TOKEN -H ... -p ...
    expected = ["-m", __name__, *_identity_args(process.state_dir, process.token)]
    return _runs(process.pid, expected)


def healthy(endpoint: str, timeout: float = 2.0) -> bool:
    """Whether moto at ``endpoint`` answers ``GET /moto-api/config`` (``HEALTH_PATH``)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{endpoint}{HEALTH_PATH}", timeout=timeout) as response:
            return int(response.status) in (200, 201)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def stop_emulator(process: EmulatorProcess) -> bool:
    """Stop the emulator's whole process group; True if it was ours and alive.

    A process that is not ours (see ``is_ours``) is left alone, whatever the record says.
    """
    if not is_ours(process):
        return False
    _terminate(process.pid)
    return True


def read_process(state_dir: Path) -> EmulatorProcess | None:
    """The recorded emulator, or None when there is no record; DamagedFileError when the
    record cannot be read. The state dir is ``state_dir`` itself, never a path from the file."""
    record = records.read_emulator(state_dir)
    if record is None:
        return None
    return EmulatorProcess(record.pid, record.port, state_dir, record.token, record.iam)


def emulators_of(state_dir: Path) -> list[int]:
    """The pids of every emulator serving ``state_dir``, found by their command line (Linux:
    /proc); with a damaged or missing record this is the only way to find them."""
    expected = ["-m", __name__, _STATE_DIR_FLAG, str(state_dir.resolve())]
    pids = (int(p.name) for p in Path("/proc").glob("[0-9]*"))
    return sorted(pid for pid in pids if pid != os.getpid() and _runs(pid, expected))


def stop_all(state_dir: Path) -> list[int]:
    """Stop every emulator serving ``state_dir``, recorded or not; the pids that were stopped.

    A damaged record does not stop this: on Linux the emulators are found by command line.
    """
    pids = set(emulators_of(state_dir))
    with contextlib.suppress(DamagedFileError):
        recorded = read_process(state_dir)
        if recorded is not None and is_ours(recorded):
            pids.add(recorded.pid)
    for pid in sorted(pids):
        _terminate(pid)
    return sorted(pids)


def _wait_healthy(
    process: EmulatorProcess, log_path: Path, log_offset: int, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Not is_ours: right after exec, /proc/PID/cmdline can still read empty.
        if not _exists(process.pid):
            raise OrgtfError(
                f"the sandbox emulator (moto, pid {process.pid}) exited during start-up; "
                f"its log ({log_path}) says:\n{_log_tail(log_path, log_offset)}"
            )
        if healthy(process.endpoint, timeout=1.0):
            return
        time.sleep(0.1)
    raise OrgtfError(
        f"the sandbox emulator (moto, pid {process.pid}) did not answer on {process.endpoint} "
        f"within {timeout:.0f}s; it was stopped. Log ({log_path}):\n"
        f"{_log_tail(log_path, log_offset)}"
    )


def _log_tail(log_path: Path, offset: int, lines: int = 15) -> str:
    try:
        with log_path.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return "    (no log)"
    tail = text.rstrip().splitlines()[-lines:]
    return "\n".join(f"    {line}" for line in tail) or "    (empty)"


def _exists(pid: int) -> bool:
    """Whether ``pid`` is alive and not a zombie (reaping it if it is our dead child)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process reusing the pid
    return _proc_state(pid) != "Z"


def _terminate(pid: int) -> None:
    """SIGTERM the process group of ``pid``; SIGKILL it if it outlives the grace period."""
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_GRACE
    while time.monotonic() < deadline:
        if not _exists(pid):
            return
        time.sleep(0.05)
    _signal_group(pid, signal.SIGKILL)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    # The emulator leads its own session (spawn_detached), so its group id is its pid.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _proc_state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return "?"
    # Format: "pid (comm) S ..."; comm may contain spaces or parentheses.
    return stat.rpartition(")")[2].strip()[:1]


def _identity_args(state_dir: Path, token: str) -> list[str]:
    return [_STATE_DIR_FLAG, str(state_dir.resolve()), _TOKEN_FLAG, token]


def _runs(pid: int, expected: list[str]) -> bool:
    """Whether the argv of ``pid`` contains ``expected`` in a row: /proc on Linux, else ``ps``."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        if Path("/proc/self/cmdline").exists():
            return False  # Linux, and the process is gone
        return _ps_runs(pid, expected)
    except OSError:
        return False
    args = [arg.decode("utf-8", "surrogateescape") for arg in raw.split(b"\0")[:-1]]
    size = len(expected)
    return any(args[i : i + size] == expected for i in range(len(args) - size + 1))


def _ps_runs(pid: int, expected: list[str]) -> bool:
    """``ps`` (no /proc, e.g. macOS) only shows the argv joined with spaces: compare that."""
    try:
        argv = ["ps", "-ww", "-o", "command=", "-p", str(pid)]
        out = run(argv, env={"PATH": os.defpath}, timeout=10)
    except OrgtfError:  # includes CommandError: no such process, or no ps
        return False
    return f" {' '.join(expected)} " in f" {out.output.strip()} "


def _serve() -> None:
    """The emulator process: ``emulator_server.serve`` without the identity arguments."""
    from orgtf.sandbox.emulator_server import serve

    # The identity arguments are only there to be seen in the process's command line.
    args = sys.argv[1:]
    if args[:1] == [_STATE_DIR_FLAG] and args[2:3] == [_TOKEN_FLAG]:
        args = args[4:]
    serve(args)


if __name__ == "__main__":
    _serve()
