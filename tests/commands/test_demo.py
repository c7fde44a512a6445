"""`orgtf demo` as a new user runs it: a copy of the example org.yaml, no AWS set-up at all."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orgtf.config import load_organization
from orgtf.demo import example_user
from orgtf.profiles.awsconfig import render_aws_config
from orgtf.profiles.build import build_profiles
from orgtf.sandbox.runtime import sandbox_status, stop_sandbox
from orgtf.sandbox.target import state_dir_of
from tests.support.sandbox import client_as_account

pytestmark = pytest.mark.sandbox

EXAMPLE = Path(__file__).parents[2] / "org.yaml"


def clean_env(home: Path) -> dict[str, str]:
    """This process's environment without anything pointing at AWS, Terraform or orgtf."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "TF_", "ORGTF_"))
    }
    env["HOME"] = str(home)  # no ~/.aws, no ~/.terraformrc
    return env


def orgtf(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "orgtf", *argv]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def shell(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``command`` as a user pastes it into a shell."""
    return subprocess.run(
        ["/bin/sh", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def path_without_orgtf(*first: Path) -> str:
    """$PATH with no directory holding an ``orgtf`` (as before a venv is activated)."""
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    return os.pathsep.join([*map(str, first), *(d for d in dirs if not Path(d, "orgtf").exists())])


def hints(out: str) -> dict[str, str]:
    """The commands the demo suggests, by what they do."""
    found = {}
    for line in out.splitlines():
        if line.startswith("Clean up"):
            found["down"] = line.split(": ", 1)[1]
        elif line.startswith("Done in"):
            found["plan"] = line.split("`")[1]
    return found


def test_demo_applies_the_example_and_cleans_up(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    config = project / "org.yaml"
    shutil.copy(EXAMPLE, config)
    env = clean_env(tmp_path)
    # As after `make demo`: the venv is not activated, and the `orgtf` on PATH (if any) is
    # another program. The venv is reached below the working directory, as .venv/bin is.
    other = tmp_path / "other-bin"
    other.mkdir()
    (other / "orgtf").write_text("#!/bin/sh\necho 'not this orgtf' >&2\nexit 9\n")
    (other / "orgtf").chmod(0o755)
    (tmp_path / "venv").symlink_to(Path(sys.executable).parent.parent)
    env["PATH"] = path_without_orgtf(other)
    org = load_organization(config)
    try:
        first = shell(f"venv/bin/orgtf --config {shlex.quote(str(config))} demo", tmp_path, env)
        assert first.returncode == 0, first.stderr
        assert "Traceback" not in first.stderr
        out = first.stdout
        counts = f"{len(org.config.accounts)} accounts, {len(org.config.roles)} roles"
        assert f"1. validate  org.yaml is valid: {counts}" in out
        assert "2. sandbox   started in" in out
        assert "5. apply     " in out and "applied" in out
        roles = [f"{a}/{r}" for a in org.account_names() for r in org.roles_in(a)]
        assert f"{len(roles)} of {len(roles)} roles deployed in organization {org.name}" in out
        for ref in roles:
            assert f"\n   {ref} " in out, ref

        user = example_user(org)
        assert user is not None
        block = render_aws_config(build_profiles(org, user, name_template=None))
        indented = "\n".join(f"   {line}" if line else "" for line in block.splitlines())
        assert indented in out
        # One role the user is granted, assumed for real, and one they are not, refused.
        assert f"8. assume    as {user}, with an access key (" in out
        assert "\n              allowed  development/AlfieFullAccess (granted)\n" in out
        refused = f"refused  production/FooMonitoring (AccessDenied: no group of {user} grants it)"
        assert f"\n              {refused}\n" in out

        target = sandbox_status(project)
        assert target is not None, "the demo leaves the sandbox running for exploring"
        for account in org.account_names():
            iam = client_as_account(target, "iam", org.account(account).id)
            for role in org.roles_in(account):
                assert iam.get_role(RoleName=role)["Role"]["RoleName"] == role

        config_option = f"--config {shlex.quote(str(config))}"
        assert hints(out) == {
            "down": f"venv/bin/orgtf {config_option} sandbox down",
            "plan": f"venv/bin/orgtf {config_option} --sandbox plan",
        }
        plan = shell(hints(out)["plan"], tmp_path, env)
        assert plan.returncode == 0, plan.stderr

        # With the venv's bin on PATH (activated), plain `orgtf` is this program.
        active = {**env, "PATH": path_without_orgtf(Path(sys.executable).parent)}
        again = shell(f"orgtf {config_option} demo", tmp_path, active)
        assert again.returncode == 0, again.stderr
        assert "2. sandbox   running at" in again.stdout
        assert "nothing to apply: the sandbox already matches org.yaml" in again.stdout
        assert hints(again.stdout)["down"] == f"orgtf {config_option} sandbox down"

        down = shell(hints(out)["down"], tmp_path, env)
        assert down.returncode == 0, down.stderr
        assert "sandbox stopped" in down.stdout
        assert sandbox_status(project) is None
        assert not state_dir_of(project).exists()
    finally:
        stop_sandbox(project)


def test_demo_with_an_invalid_org_yaml_starts_nothing(tmp_path: Path) -> None:
    config = tmp_path / "org.yaml"
    config.write_text(
        EXAMPLE.read_text().replace("master_account: master", "master_account: mastr")
    )
    result = orgtf(["demo"], tmp_path, clean_env(tmp_path))
    assert result.returncode == 3
    assert "org.yaml:" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not state_dir_of(tmp_path).exists()


def test_demo_outside_a_checkout_says_what_to_do(tmp_path: Path) -> None:
    result = orgtf(["demo"], tmp_path, clean_env(tmp_path))
    assert result.returncode == 4
    assert result.stderr == (
        f"orgtf: error: there is no org.yaml in {tmp_path}: run the demo in a checkout of "
        "orgtf, where the example org.yaml is (`make demo` there sets everything up), or pass "
        "--config PATH\n"
    )
    assert result.stdout == ""
    assert not state_dir_of(tmp_path).exists()
