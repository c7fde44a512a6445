"""S3 state through the sandbox: state lands in S3, locks are exclusive. The lock is the
DynamoDB table's before Terraform 1.10 and the S3 lock file from 1.10 on."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from orgtf.config.model import S3State
from orgtf.sandbox.runtime import SandboxTarget
from orgtf.terraform.backend import backend_file_text, s3_lock_settings
from orgtf.terraform.driver import Terraform
from orgtf.terraform.errors import StateLockedError
from tests.support.engine import Project, orgtf, spawn_orgtf
from tests.support.sandbox import SMALL_ORG, operator_client, with_s3_state
from tests.support.waiting import wait_until

pytestmark = pytest.mark.sandbox

MANY = "\n".join(f"  Slow{i:02d}:\n    accounts: [dev]" for i in range(40))
ORG = with_s3_state(SMALL_ORG.replace("roles:\n", "roles:\n" + MANY + "\n", 1))


@pytest.fixture(scope="module")
def org_yaml() -> str:
    return ORG


def test_state_is_kept_in_s3_per_account(project: Project) -> None:
    directory, target = project
    assert orgtf(directory, "apply", "--account", "prod", "--yes") == 0
    s3 = operator_client(target, "s3")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="testorg-tf-state").get("Contents", [])}
    assert "orgtf/prod/terraform.tfstate" in keys
    assert keys <= {f"orgtf/{account}/terraform.tfstate" for account in ("master", "prod", "dev")}
    assert not (target.work_dir / "environments" / "prod" / "terraform.tfstate").exists()
    assert orgtf(directory, "plan", "--account", "prod", "--detailed-exitcode") == 0


def test_concurrent_runs_fail_fast_naming_the_holder(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory, target = project
    # Only this test applies dev: its 40 roles keep the first apply, and its lock, busy.
    assert orgtf(directory, "plan", "--account", "dev", "--detailed-exitcode") == 2
    first = spawn_orgtf(directory, "apply", "--account", "dev")
    try:
        wait_until(lambda: _state_lock_held(target), "the first apply to take the lock", 60)
        capsys.readouterr()
        # A second orgtf on this project waits for the project lock, or names its holder.
        assert orgtf(directory, "plan", "--account", "dev") == 1
        err = capsys.readouterr().err
        assert f"`orgtf apply` (pid {first.pid} on " in err
        assert "is running on this project" in err and "--lock-timeout" in err
        # A run from elsewhere (another checkout, another CI runner) meets the state lock.
        with pytest.raises(StateLockedError) as caught:
            _elsewhere(target, tmp_path).plan_summary(tmp_path / "elsewhere.tfplan")
        assert re.search(r"state locked by \S+@\S+ \(OperationTypeApply", caught.value.message)
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err


def _elsewhere(target: SandboxTarget, tmp_path: Path) -> Terraform:
    """Terraform in a copy of dev's root with data of its own, as another checkout has."""
    root = tmp_path / "checkout" / "environments" / "dev"
    shutil.copytree(target.work_dir / "environments" / "dev", root, ignore=_terraform_dirs)
    shutil.copytree(target.work_dir / "modules", tmp_path / "checkout" / "modules")
    backend = tmp_path / "backend.hcl"
    state = S3State(backend="s3", bucket="testorg-tf-state", lock_table="testorg-tf-locks")
    settings = {**target.backend_settings(state), **s3_lock_settings(target.terraform)}
    backend.write_text(backend_file_text(settings))
    tf = Terraform(
        binary=target.terraform.path,
        workdir=root,
        env=target.terraform_env(os.environ),
        log_dir=tmp_path / "logs",
        data_dir=tmp_path / "data",
        plugin_cache_dir=target.state_dir / "plugin-cache",
        cli_config_file=target.cli_config_file,
    )
    tf.init(backend_file=backend)
    return tf


def _terraform_dirs(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n.startswith(".terraform") or n.endswith(".tfstate")]


def _state_lock_held(target: SandboxTarget) -> bool:
    """Whether an apply holds a state lock (not the brief lock S3 takes to create a state)."""
    if s3_lock_settings(target.terraform):
        s3 = operator_client(target, "s3")
        found = s3.list_objects_v2(Bucket="testorg-tf-state", Prefix="orgtf/dev/")
        keys = [o["Key"] for o in found.get("Contents", []) if o["Key"].endswith(".tflock")]
        infos = [_read_if_there(s3, key) for key in keys]
    else:
        items = operator_client(target, "dynamodb").scan(TableName="testorg-tf-locks")["Items"]
        infos = [item["Info"]["S"] for item in items if "Info" in item]
    return any(json.loads(info).get("Operation") == "OperationTypeApply" for info in infos)


def _read_if_there(s3: Any, key: str) -> str:
    """A lock file's text; "{}" when it went away since it was listed."""
    try:
        return str(s3.get_object(Bucket="testorg-tf-state", Key=key)["Body"].read().decode())
    except s3.exceptions.NoSuchKey:
        return "{}"
