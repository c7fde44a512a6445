"""The one way orgtf runs Terraform: a clean environment per call, logged output, typed results.

Every command goes through ``Terraform._run`` and so through ``orgtf.process.run_logged``:
argv lists, no shell, each command's output appended to the account's log file, and a
``Supervisor`` through which another thread can interrupt the running command.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from orgtf.process import LoggedRun, Supervisor, run_logged
from orgtf.terraform import runs
from orgtf.terraform.errors import StateLockedError, TerraformError, failure
from orgtf.terraform.init_stamp import needs_init, record_init
from orgtf.terraform.plan import OutputValue, PlanSummary, parse_outputs, parse_plan
from orgtf.terraform.runs import wait_for_earlier_run
from orgtf.terraform.state import StateResource, parse_state
from orgtf.terraform.stream import parse_plan_stream

LOG_NAME = "terraform.log"
# Removed from every environment: debug logging, a preselected workspace, injected arguments
# (TF_CLI_ARGS*) and stray variables (TF_VAR_*), which orgtf passes through files only.
_DROPPED_PREFIXES = ("TF_LOG", "TF_CLI_ARGS", "TF_VAR_")
_DROPPED = frozenset({"TF_WORKSPACE", "TF_DATA_DIR"})


def terraform_env(
    base: Mapping[str, str],
    *,
    data_dir: Path | None = None,
    plugin_cache_dir: Path | None = None,
    cli_config_file: Path | None = None,
) -> dict[str, str]:
    """A new environment for one Terraform call, built from ``base`` (which is not changed)."""
    env = {
        key: value
        for key, value in base.items()
        if key not in _DROPPED and not key.startswith(_DROPPED_PREFIXES)
    }
    env.update(TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")
    optional = {
        "TF_DATA_DIR": data_dir,
        "TF_PLUGIN_CACHE_DIR": plugin_cache_dir,
        "TF_CLI_CONFIG_FILE": cli_config_file,
    }
    env.update({key: str(path.absolute()) for key, path in optional.items() if path is not None})
    return env


@dataclass(frozen=True)
class Terraform:
    """Terraform in one working directory, with one base environment and one log file."""

    binary: Path
    workdir: Path
    env: Mapping[str, str]
    log_dir: Path
    data_dir: Path | None = None
    plugin_cache_dir: Path | None = None
    cli_config_file: Path | None = None
    supervisor: Supervisor = field(default_factory=Supervisor, compare=False)
    lock_timeout: float = 0.0  # seconds to wait for a state lock or an earlier run here

    def __post_init__(self) -> None:
        object.__setattr__(self, "env", MappingProxyType(dict(self.env)))

    @property
    def log_path(self) -> Path:
        """The file every command's output is appended to."""
        return self.log_dir / LOG_NAME

    @property
    def effective_data_dir(self) -> Path:
        """Where Terraform keeps providers, modules and backend settings for this directory."""
        return self.data_dir or self.workdir / ".terraform"

    def environment(self) -> dict[str, str]:
        """The environment each command of this instance runs with."""
        return terraform_env(
            self.env,
            data_dir=self.data_dir,
            plugin_cache_dir=self.plugin_cache_dir,
            cli_config_file=self.cli_config_file,
        )

    def init(self, *, backend_file: Path | None = None) -> None:
        """``terraform init``; backend settings come from a file, never from argv values."""
        args = ["init", "-input=false", "-no-color"]
        args += [f"-backend-config={backend_file}"] if backend_file is not None else []
        self._run(args)
        record_init(self.workdir, self.effective_data_dir, backend_file, self.binary)

    def needs_init(self, *, backend_file: Path | None = None) -> bool:
        """True unless the last successful ``init`` here saw the same configuration."""
        return needs_init(
            self.workdir, self.effective_data_dir, backend_file=backend_file, binary=self.binary
        )

    def init_if_needed(self, *, backend_file: Path | None = None) -> bool:
        """Run ``init`` only when ``needs_init``; True if it ran."""
        if not self.needs_init(backend_file=backend_file):
            return False
        self.init(backend_file=backend_file)
        return True

    def plan_summary(self, plan_file: Path) -> tuple[bool, PlanSummary]:
        """``terraform plan -detailed-exitcode -out=PLAN``, summarised from its ``-json`` output.

        Returns (changes, summary). The log gets the messages as a person reads them.
        """
        args = ["plan", "-input=false", "-no-color", "-detailed-exitcode", self._lock_wait()]
        args.append(f"-out={plan_file}")
        args.append("-json")
        result = self._launch(args, capture=True, loggable=lambda out: parse_plan_stream(out).text)
        stream = parse_plan_stream(result.stdout)
        if result.returncode not in (0, 2):
            raise self._failure(args, result.returncode, stream.text + result.output)
        return result.returncode == 2, stream.summary

    def show_plan(self, plan_file: Path) -> PlanSummary:
        """The summary of a saved plan, from ``terraform show -json``."""
        result = self._run(["show", "-json", "-no-color", str(plan_file)], capture=True)
        return parse_plan(result.stdout, f"terraform show -json {plan_file}")

    def planned_state_serial(self, plan_file: Path) -> str:
        """``state_serial`` as it was when ``plan_file`` was made.

        Read from the plan file's copy of the prior state (a zip member Terraform has
        written since 0.12), which saves a ``state pull``; asks Terraform when it is absent.
        """
        try:
            with zipfile.ZipFile(plan_file) as plan:
                return _serial_of(plan.read("tfstate").decode())
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            return self.state_serial()

    def state_serial(self) -> str:
        """``lineage:serial`` of the current state, or ``none``: what a plan was made against."""
        try:
            return _serial_of(self._run(["state", "pull"], capture=True).stdout)
        except ValueError as exc:
            error = f"Error: unreadable state: {exc}"
            raise TerraformError(["state", "pull"], 0, error, self.log_path) from exc

    def apply_plan(self, plan_file: Path) -> None:
        """Apply a saved plan exactly; raises StalePlanError when the state moved on."""
        self._run(["apply", "-input=false", "-no-color", self._lock_wait(), str(plan_file)])

    def state_lock(self) -> StateLockedError | None:
        """Who holds the state lock right now, or None: a read-only plan probes it."""
        probe = self.effective_data_dir / "lock-probe.tfplan"
        args = ["plan", "-input=false", "-no-color", "-refresh=false", "-lock-timeout=0s"]
        try:
            self._run([*args, f"-out={probe}"])
        except StateLockedError as held:
            return held
        finally:
            probe.unlink(missing_ok=True)
        return None

    def import_object(self, address: str, object_id: str) -> bool:
        """``terraform import ADDRESS ID``; False when no such object exists in AWS."""
        args = ["import", "-input=false", "-no-color", self._lock_wait(), address, object_id]
        result = self._launch(args, capture=False)
        if result.returncode == 0:
            return True
        if "Cannot import non-existent remote object" in result.output:
            return False
        raise self._failure(args, result.returncode, result.output)

    def force_unlock(self, lock_id: str) -> None:
        """``terraform force-unlock``: release a lock whose holder is gone."""
        self._run(["force-unlock", "-force", "-no-color", lock_id])

    def _lock_wait(self) -> str:
        """How long Terraform waits for the state lock: ``lock_timeout``, in whole seconds."""
        return f"-lock-timeout={int(self.lock_timeout)}s"

    def output(self) -> dict[str, OutputValue]:
        """The root module outputs, each with its sensitive flag."""
        result = self._run(["output", "-json", "-no-color"], capture=True)
        return parse_outputs(result.stdout)

    def show_state(self) -> tuple[StateResource, ...]:
        """The managed resources of the current state, with their values.

        Captured, never logged: the state holds sensitive values in the clear.
        """
        result = self._run(["show", "-json", "-no-color"], capture=True)
        return parse_state(result.stdout)

    def _run(
        self, args: Sequence[str], *, ok: frozenset[int] = frozenset({0}), capture: bool = False
    ) -> LoggedRun:
        """Run ``terraform ARGS`` here; raise a TerraformError unless the exit code is in ``ok``."""
        result = self._launch(args, capture=capture)
        if result.returncode in ok:
            return result
        raise self._failure(args, result.returncode, result.output)

    def _launch(
        self, args: Sequence[str], *, capture: bool, loggable: Callable[[str], str] | None = None
    ) -> LoggedRun:
        """Run ``terraform ARGS`` here, logged and interruptible; any exit code returns.

        First waits (up to ``lock_timeout``) for a command an earlier orgtf run left running
        here; while this one runs, a marker in the data directory names it.
        """
        data_dir = self.effective_data_dir
        wait_for_earlier_run(data_dir, self.lock_timeout, lambda: self.supervisor.interrupted)
        argv = [str(self.binary), *args]
        started: list[int] = []

        def mark_run(pid: int) -> None:
            started.append(pid)
            runs.mark(data_dir, pid, argv, self.workdir, self.log_path)

        try:
            return run_logged(
                argv,
                env=self.environment(),
                cwd=self.workdir,
                log_path=self.log_path,
                supervisor=self.supervisor,
                capture_stdout=capture,
                loggable=loggable,
                on_start=mark_run,
            )
        finally:
            for pid in started:  # the command has exited: run_logged waits for it
                runs.clear(data_dir, pid)

    def _failure(self, args: Sequence[str], returncode: int, output: str) -> TerraformError:
        """The error for a failed command, by what Terraform said."""
        return failure(args, returncode, output, self.log_path, self.workdir)


def _serial_of(state_json: str) -> str:
    """``lineage:serial`` of a state document; ``none`` for no state or an empty one."""
    if not state_json.strip():
        return "none"
    state = json.loads(state_json)
    lineage = state.get("lineage") if isinstance(state, dict) else None
    return f"{lineage}:{state.get('serial', '')}" if lineage else "none"
