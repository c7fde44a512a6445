"""S3 state with DynamoDB locking through the sandbox: state lands in S3, locks are exclusive."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.engine import Project, orgtf, spawn_orgtf
from tests.support.sandbox import SMALL_ORG, operator_client, with_s3_state
from tests.support.waiting import wait_until

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


def test_concurrent_apply_of_one_account_fails_fast_naming_the_holder(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, target = project
    # Only this test applies dev: its 40 roles keep the first apply, and its lock, busy.
    assert orgtf(directory, "plan", "--account", "dev", "--detailed-exitcode") == 2
    first = spawn_orgtf(directory, "apply", "--account", "dev")
    try:
        dynamodb = operator_client(target, "dynamodb")
        wait_until(lambda: _state_lock_held(dynamodb), "the first apply to take the lock", 60)
        capsys.readouterr()
        # Waiting for the lock would have let the first apply finish and this one succeed.
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
