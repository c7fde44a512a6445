"""Shards: deterministic, disjoint, covering, and balanced by estimated resources."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orgtf.config import Organization, load_organization
from orgtf.errors import UsageError
from orgtf.run.shards import Shard, account_weight, shard_accounts, split


def organization(tmp_path: Path, children: int, heavy: dict[str, int]) -> Organization:
    """The master, ``children`` accounts with one role each, and ``heavy[a]`` more in ``a``."""
    names = [f"acct-{i:02d}" for i in range(children)]
    extra = {
        f"Extra{account[-2:]}x{i}": {"accounts": [account]}
        for account, count in heavy.items()
        for i in range(count)
    }
    document = {
        "organization": {"name": "shards", "master_account": "master"},
        "accounts": {
            "master": {"id": "100000000000"},
            **{name: {"id": f"{200000000000 + i}"} for i, name in enumerate(names)},
        },
        "roles": {"Base": {"accounts": names}, **extra},
    }
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(document))
    return load_organization(path)


@pytest.mark.parametrize("text", ["1/1", "2/4", "4/4", " 3/10 "])
def test_parse(text: str) -> None:
    shard = Shard.parse(text)
    assert str(shard) == text.strip()


@pytest.mark.parametrize("text", ["0/3", "4/3", "1", "1/0", "a/b", "-1/2", "1/2/3", ""])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(UsageError, match="expected --shard K/N"):
        Shard.parse(text)


def test_weight_counts_roles_attachments_and_the_master_identities(tmp_path: Path) -> None:
    org = organization(tmp_path, 2, {"acct-00": 3})
    assert account_weight(org, "acct-01") == 2  # the root and one role
    assert account_weight(org, "acct-00") == 5  # and three more roles
    assert account_weight(org, "master") == 1  # no roles, groups or users


def test_shards_are_disjoint_cover_everything_and_are_deterministic(tmp_path: Path) -> None:
    org = organization(tmp_path, 11, {"acct-03": 6, "acct-07": 2})
    accounts = org.account_names()
    for count in (1, 2, 3, 5, 12, 20):
        shards = split(org, accounts, count)
        assert len(shards) == count
        dealt = [a for shard in shards for a in shard]
        assert sorted(dealt) == sorted(accounts)  # every account, each once
        assert split(org, list(reversed(accounts)), count) == [
            list(reversed(shard)) for shard in shards
        ]  # the same shards whatever order the accounts come in
        for i, shard in enumerate(shards, 1):
            assert shard_accounts(org, accounts, Shard(i, count)) == shard
            assert shard == [a for a in accounts if a in shard]  # in the selection's order


def test_shards_balance_resources_not_names(tmp_path: Path) -> None:
    # One account as heavy as five light ones: it is a shard of its own.
    org = organization(tmp_path, 6, {"acct-00": 9})
    shards = split(org, org.account_names(), 2)
    assert ["acct-00"] in shards
    loads = sorted(sum(account_weight(org, a) for a in shard) for shard in shards)
    assert loads == [11, 11]  # the heavy account; the master and five light ones


def test_more_shards_than_accounts_leaves_some_empty(tmp_path: Path) -> None:
    org = organization(tmp_path, 1, {})
    shards = split(org, org.account_names(), 4)
    assert sorted(len(shard) for shard in shards) == [0, 0, 1, 1]
