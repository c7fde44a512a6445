"""The one place orgtf starts subprocesses: argv lists, no shell, an explicit environment."""

from __future__ import annotations

import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from orgtf.errors import CommandError, Interrupted, OrgtfError


def start_error(argv: Sequence[str], cwd: Path | None, exc: OSError) -> OrgtfError:
    """Why a command could not start: a missing working directory, or the program itself."""
    if cwd is not None and not Path(cwd).is_dir():
        return OrgtfError(f"cannot run {argv[0]}: working directory {cwd} does not exist")
    reason = "not found" if isinstance(exc, FileNotFoundError) else exc.strerror
    return OrgtfError(f"cannot run {argv[0]}: {reason}")


@dataclass(frozen=True)
class Completed:
    """A finished command: its argv, exit code and combined output."""

    argv: tuple[str, ...]
    returncode: int
    output: str


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    ok_codes: frozenset[int] = frozenset({0}),
    timeout: float | None = None,
    stdin_text: str | None = None,
) -> Completed:
    """Run ``argv`` to completion; raise CommandError unless its code is in ``ok_codes``."""
    try:
        proc = subprocess.run(
            list(argv),
            env=dict(env),
            cwd=cwd,
            input=stdin_text,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
    except OSError as exc:  # missing, not executable, wrong format, no working directory
        raise start_error(argv, cwd, exc) from exc
    except subprocess.TimeoutExpired as exc:
        raise OrgtfError(f"command timed out after {timeout}s: {' '.join(argv)}") from exc
    result = Completed(tuple(argv), proc.returncode, proc.stdout or "")
    if result.returncode not in ok_codes:
        raise CommandError(result.argv, result.returncode, result.output)
    return result


def spawn_detached(
    argv: Sequence[str], *, env: Mapping[str, str], log_path: Path, cwd: Path | None = None
) -> int:
    """Start a long-lived background process in its own session; return its pid."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        try:
            proc = subprocess.Popen(
                list(argv),
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            raise start_error(argv, cwd, exc) from exc
    return proc.pid


@dataclass(frozen=True)
class LoggedRun:
    """A command run by ``run_logged``: what was logged, and stdout when it was captured."""

    argv: tuple[str, ...]
    returncode: int
    output: str
    stdout: str
    seconds: float


class Supervisor:
    """The live children started through ``run_logged``, so another thread can interrupt them.

    Children run in their own session, so a Ctrl-C at the terminal reaches only orgtf; orgtf
    then forwards one signal per child with ``interrupt`` (a second one makes Terraform exit at
    once, without releasing its lock). The default is SIGTERM: Terraform 1.0 runs as two
    processes (panicwrap) whose parent ignores SIGINT sent to it alone but forwards SIGTERM to
    the child, which stops as gracefully as after Ctrl-C; later Terraform versions handle
    SIGTERM the same way.
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._live: dict[subprocess.Popen[bytes], bool] = {}
        self._signal: int | None = None
        self._intervals: list[tuple[float, float]] = []

    @property
    def interrupted(self) -> bool:
        """True once ``interrupt`` was called; no new child starts after that."""
        with self._lock:
            return self._signal is not None

    def interrupt(self, sig: int = signal.SIGTERM) -> None:
        """Send ``sig`` once to every live child; later calls only reach children not yet sent."""
        with self._lock:
            self._signal = sig
            for proc in self._live:
                self._send(proc)

    def kill(self) -> None:
        """Kill every live child at once (a last resort: Terraform cannot release its lock)."""
        with self._lock:
            for proc in self._live:
                proc.kill()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no child is running; False if ``timeout`` seconds passed first."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._live, timeout)

    def intervals(self) -> tuple[tuple[float, float], ...]:
        """(start, end) ``time.monotonic`` pairs of every finished child, in finishing order."""
        with self._lock:
            return tuple(self._intervals)

    def _send(self, proc: subprocess.Popen[bytes]) -> None:
        if self._signal is None or self._live[proc]:
            return
        self._live[proc] = True
        proc.send_signal(self._signal)  # a no-op once the child has exited

    def _start(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        stdout: IO[bytes],
        stderr: IO[bytes],
    ) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._signal is not None:
                raise Interrupted(f"interrupted before starting: {_shown(argv)}")
            proc = subprocess.Popen(
                list(argv),
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
            self._live[proc] = False
            return proc

    def _finish(self, proc: subprocess.Popen[bytes], started: float) -> bool:
        """Forget a finished child; True if it had been sent a signal."""
        with self._lock:
            signalled = self._live.pop(proc)
            self._intervals.append((started, time.monotonic()))
            self._lock.notify_all()
            return signalled

    def _stop_one(self, proc: subprocess.Popen[bytes]) -> None:
        """Interrupt one child whose caller is unwinding (e.g. KeyboardInterrupt in its thread)."""
        with self._lock:
            if not self._live.get(proc, True):
                self._live[proc] = True
                proc.send_signal(signal.SIGTERM)


def run_logged(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    log_path: Path,
    supervisor: Supervisor,
    capture_stdout: bool = False,
    loggable: Callable[[str], str] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> LoggedRun:
    """Run ``argv``, its output appended to ``log_path``; the caller interprets the exit code.

    The child writes to the log file itself, never through a pipe, and runs in its own
    session: if orgtf dies, the child finishes its work undisturbed (no SIGPIPE, no signal
    from orgtf's terminal or process group). With ``capture_stdout`` stdout goes to an
    unnamed temporary file instead and is returned; only its size is logged (machine output
    such as ``terraform show -json`` holds variable values), or what ``loggable`` makes of it,
    which is logged even when the run is interrupted. ``on_start`` gets the child's pid.
    Raises Interrupted, after the child exited, if ``supervisor`` signalled it.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log_path.open("ab") as log, tempfile.TemporaryFile() as captured:
        _log_line(log, f"==> {_now()} $ {' '.join(argv)}  (in {cwd})")
        offset = log.tell()
        try:
            proc = supervisor._start(
                argv, env=env, cwd=cwd, stdout=captured if capture_stdout else log, stderr=log
            )
        except OSError as exc:
            _log_line(log, f"<== cannot start: {exc}")
            raise start_error(argv, cwd, exc) from exc
        try:
            if on_start is not None:
                on_start(proc.pid)
            proc.wait()
        except BaseException:
            # Our thread is unwinding (e.g. KeyboardInterrupt): stop the child cleanly first.
            supervisor._stop_one(proc)
            proc.wait()
            raise
        finally:
            signalled = supervisor._finish(proc, started)
            stdout = _read_from(captured, 0) if capture_stdout else ""
            if capture_stdout:
                _log_line(log, f"(stdout: {len(stdout)} characters captured, not logged)")
            if loggable is not None:
                log.write(loggable(stdout).encode("utf-8"))
                log.flush()
            output = _read_from(log_path, offset)
        seconds = time.monotonic() - started
        _log_line(log, f"<== exit {proc.returncode} after {seconds:.2f}s")
    if signalled:
        raise Interrupted(
            f"interrupted: {_shown(argv)} stopped with exit {proc.returncode} (log: {log_path})"
        )
    return LoggedRun(tuple(argv), proc.returncode, output, stdout, seconds)


def _read_from(source: Path | IO[bytes], offset: int) -> str:
    """Text of ``source`` (a path or an open binary file) from byte ``offset`` on."""
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return _read_from(handle, offset)
    source.seek(offset)
    return source.read().decode("utf-8", "replace")


def _log_line(log: IO[bytes], text: str) -> None:
    log.write((text + "\n").encode("utf-8"))
    log.flush()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _shown(argv: Sequence[str]) -> str:
    """A command for messages: the program's name rather than its full path."""
    return " ".join([Path(argv[0]).name, *argv[1:]])
