"""S3 state with DynamoDB locking through the sandbox: state lands in S3, locks are exclusive."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.support.engine import Project, orgtf, spawn_orgtf
from tests.support.sandbox import SMALL_ORG, operator_client, with_s3_state

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
    assert keys == {"orgtf/prod/terraform.tfstate"}
    assert not (target.work_dir / "environments" / "prod" / "terraform.tfstate").exists()
    assert orgtf(directory, "plan", "--account", "prod", "--detailed-exitcode") == 0


def test_concurrent_apply_of_one_account_fails_fast_naming_the_holder(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = project
    assert orgtf(directory, "plan", "--account", "dev") == 0
    first = spawn_orgtf(directory, "apply", "--account", "dev")
    try:
        dynamodb = operator_client(target, "dynamodb")
        deadline = time.monotonic() + 60
        while not _state_lock_held(dynamodb) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not _state_lock_held(dynamodb):
            first.kill()
            out, err = first.communicate()
            raise AssertionError(f"the first apply never took the lock:\n{out}\n{err}")
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
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err


def _state_lock_held(dynamodb: object) -> bool:
    """Whether an apply holds a state lock (not the brief lock S3 takes to create a state)."""
    items = dynamodb.scan(TableName="testorg-tf-locks")["Items"]  # type: ignore[attr-defined]
    infos = [item["Info"]["S"] for item in items if "Info" in item]
    return any(json.loads(info).get("Operation") == "OperationTypeApply" for info in infos)
