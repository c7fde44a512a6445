"""S3 state with DynamoDB locking through the sandbox: state lands in S3, locks are exclusive."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_fixtures import SMALL_ORG, operator_client, running_sandbox, with_s3_state, write_org

from orgtf.cli import main
from orgtf.sandbox.runtime import SandboxTarget

MANY = "\n".join(f"  Slow{i:02d}:\n    accounts: [dev]" for i in range(40))
ORG = with_s3_state(SMALL_ORG.replace("roles:\n", "roles:\n" + MANY + "\n", 1))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, SandboxTarget]]:
    directory = write_org(tmp_path_factory.mktemp("s3state"), ORG)
    with running_sandbox(directory) as target:
        yield directory, target


def orgtf(project: Path, *argv: str) -> int:
    return main(["--sandbox", "--config", str(project / "org.yaml"), *argv])


def test_state_is_kept_in_s3_per_account(project: tuple[Path, SandboxTarget]) -> None:
    directory, target = project
    assert orgtf(directory, "apply", "--account", "prod", "--yes") == 0
    s3 = operator_client(target, "s3")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="testorg-tf-state").get("Contents", [])}
    assert keys == {"orgtf/prod/terraform.tfstate"}
    assert not (target.work_dir / "environments" / "prod" / "terraform.tfstate").exists()
    assert orgtf(directory, "plan", "--account", "prod", "--detailed-exitcode") == 0


def test_concurrent_apply_of_one_account_fails_fast_naming_the_holder(
    project: tuple[Path, SandboxTarget], capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = project
    assert orgtf(directory, "plan", "--account", "dev") == 0
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orgtf",
            "--sandbox",
            "--config",
            str(directory / "org.yaml"),
            "apply",
            "--account",
            "dev",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        dynamodb = operator_client(target, "dynamodb")
        deadline = time.monotonic() + 60
        while not _state_lock_held(dynamodb) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _state_lock_held(dynamodb), "the first apply never took the lock"
        capsys.readouterr()
        started = time.monotonic()
        assert (
            orgtf(
                directory,
                "apply",
                "--account",
                "dev",
                "--yes",
                "--plan-dir",
                str(directory / "other"),
            )
            == 1
        )
        assert time.monotonic() - started < 30
        out = capsys.readouterr().out
        assert "dev   failed" in out or "dev  failed" in out
        assert re.search(r"state locked by \S+@\S+ \(OperationTypeApply", out), out
    finally:
        _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err


def _state_lock_held(dynamodb: object) -> bool:
    items = dynamodb.scan(TableName="testorg-tf-locks")["Items"]  # type: ignore[attr-defined]
    return any(not item["LockID"]["S"].endswith("-md5") for item in items)
