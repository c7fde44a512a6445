"""Shard plans side by side: the shards of one plan share the project; nothing else does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from orgtf.run.project_lock import project_lock
from orgtf.run.shard_lock import (
    ShardsRunningError,
    join_shards,
    no_shards_running,
    plan_signature,
)
from orgtf.run.shards import Shard

ACCOUNTS = ["master", "dev", "prod"]
ONE = plan_signature(Shard(1, 2), ACCOUNTS, b"org")


@contextmanager
def shard_run(state_dir: Path, shard: Shard) -> Iterator[None]:
    """As ``orgtf plan --shard`` holds its locks: joins under the project lock, then lets it go."""
    with ExitStack() as held:
        with project_lock(state_dir, f"orgtf plan --shard {shard}", 0):
            held.enter_context(join_shards(state_dir, shard, ONE))
        yield


def test_shards_of_one_plan_run_side_by_side(tmp_path: Path) -> None:
    with (
        shard_run(tmp_path, Shard(1, 2)),
        shard_run(tmp_path, Shard(2, 2)),
        project_lock(tmp_path, "orgtf render", 0),  # the project lock is free while they run
    ):
        pass


def test_the_same_shard_does_not_run_twice(tmp_path: Path) -> None:
    with (
        join_shards(tmp_path, Shard(1, 2), ONE),
        pytest.raises(ShardsRunningError, match="shard 1/2 is already running"),
        join_shards(tmp_path, Shard(1, 2), ONE),
    ):
        pass


@pytest.mark.parametrize(
    "other",
    [
        plan_signature(Shard(2, 3), ACCOUNTS, b"org"),  # another shard count
        plan_signature(Shard(2, 2), ["master", "dev"], b"org"),  # other accounts
        plan_signature(Shard(2, 2), ACCOUNTS, b"org, edited"),  # another org.yaml
    ],
)
def test_shards_of_another_plan_are_refused(tmp_path: Path, other: str) -> None:
    with (
        join_shards(tmp_path, Shard(1, 2), ONE),
        pytest.raises(ShardsRunningError, match="shards of another plan are running"),
        join_shards(tmp_path, Shard(2, 2), other),
    ):
        pass
    with join_shards(tmp_path, Shard(2, 2), other):  # once they are done, it may start
        pass


def test_plan_and_apply_wait_for_running_shards(tmp_path: Path) -> None:
    with (
        join_shards(tmp_path, Shard(1, 2), ONE),
        pytest.raises(ShardsRunningError, match="orgtf apply waits for them"),
        no_shards_running(tmp_path, "orgtf apply", 0.3),
    ):
        pass
    with (
        no_shards_running(tmp_path, "orgtf apply", 0),
        pytest.raises(ShardsRunningError),  # and a shard cannot join while apply runs
        join_shards(tmp_path, Shard(1, 2), ONE),
    ):
        pass
