"""Affected and shard benchmark: plans that scale out, in the sandbox.

Run: .venv/bin/python benchmarks/affected_scale.py [--accounts 200] [--roles 5] [--shards 4]
         [--affected-accounts 1000] [--affected-roles 20]

A synthetic organization (the master plus N-1 children, each child with R roles of its own,
one group that may assume every role, one user) is committed to a git repository and planned
once in a fresh sandbox, so every account is initialised (warm). Then one role of one account
changes in org.yaml, and each command runs as a user types it (a separate process):

- a full warm ``orgtf plan`` against ``orgtf plan --affected --base-ref HEAD``, and their ratio;
- ``orgtf affected --base-ref HEAD`` alone, here and on a larger organization (goal: under
  2 s at 1,000 accounts x 20 roles, without the sandbox);
- ``--shards`` processes of ``orgtf plan --shard K/N`` at once against the one sandbox,
  against one unsharded plan, then ``orgtf report merge`` of their reports (checked to equal
  the unsharded report).

Nothing is applied: every plan creates its account's roles, so the plans are alike in size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from orgtf.config import load_organization
from orgtf.sandbox.runtime import ensure_sandbox, stop_sandbox


def organization(accounts: int, roles: int) -> dict[str, Any]:
    """An org.yaml document: each child holds ``roles`` roles of its own."""
    children = [f"acct-{i:04d}" for i in range(1, accounts)]
    role_names = {
        f"R{i:04d}x{r:02d}": child for i, child in enumerate(children, 1) for r in range(roles)
    }
    return {
        "organization": {"name": "bench", "master_account": "master"},
        "accounts": {
            "master": {"id": "100000000000"},
            **{name: {"id": f"{100000000000 + i}"} for i, name in enumerate(children, 1)},
        },
        "roles": {
            name: {
                "accounts": [child],
                "description": f"Role {name}",
                "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            }
            for name, child in role_names.items()
        },
        "groups": {"everyone": {"roles": [f"{a}/{name}" for name, a in role_names.items()]}},
        "users": {"alice": {"groups": ["everyone"]}},
    }


def git(project: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)


def make_project(accounts: int, roles: int) -> Path:
    """A git repository holding the organization, committed, then one role changed."""
    project = Path(tempfile.mkdtemp(prefix="orgtf-affected-bench-"))
    config = project / "org.yaml"
    config.write_text(yaml.safe_dump(organization(accounts, roles), sort_keys=False))
    (project / ".gitignore").write_text(".orgtf/\n")
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-qm", "start")
    return project


def change_one_role(project: Path) -> None:
    config = project / "org.yaml"
    config.write_text(config.read_text().replace("Role R0001x00", "Role R0001x00, changed", 1))


def orgtf(project: Path, *argv: str, sandbox: bool = True) -> float:
    """Seconds for one ``orgtf`` command in its own process; exits when it fails."""
    command = [sys.executable, "-m", "orgtf", "--config", str(project / "org.yaml")]
    started = time.monotonic()
    done = subprocess.run(
        [*command, *(["--sandbox"] if sandbox else []), *argv], capture_output=True, text=True
    )
    if done.returncode not in (0, 2):
        sys.exit(f"orgtf {' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return time.monotonic() - started


def shards_at_once(project: Path, count: int, out: Path) -> float:
    """Seconds for ``count`` shard plans run at once, each with its own plan dir and report."""
    command = [sys.executable, "-m", "orgtf", "--sandbox", "--config", str(project / "org.yaml")]
    started = time.monotonic()
    running = [
        subprocess.Popen(
            [
                *command, "plan", "--shard", f"{k}/{count}", "--format", "json",
                "--output", str(out / f"shard-{k}.json"), "--plan-dir", str(out / f"plans-{k}"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(1, count + 1)
    ]  # fmt: skip
    for shard in running:
        _, err = shard.communicate()
        if shard.returncode not in (0, 2):
            sys.exit(f"a shard failed ({shard.returncode}):\n{err}")
    return time.monotonic() - started


def measure_plans(args: argparse.Namespace) -> None:
    project = make_project(args.accounts, args.roles)
    out = project / "reports"
    out.mkdir()
    try:
        ensure_sandbox(load_organization(project / "org.yaml"), project, env=os.environ)
        cold = orgtf(project, "plan")
        change_one_role(project)
        full = orgtf(project, "plan")
        affected_plan = orgtf(project, "plan", "--affected", "--base-ref", "HEAD")
        affected = orgtf(project, "affected", "--base-ref", "HEAD", sandbox=False)
        whole = out / "whole.json"
        unsharded = orgtf(project, "plan", "--format", "json", "--output", str(whole))
        sharded = shards_at_once(project, args.shards, out)
        reports = [str(out / f"shard-{k}.json") for k in range(1, args.shards + 1)]
        merged = out / "merged.json"
        merge = orgtf(
            project, "report", "merge", *reports, "--format", "json", "--output", str(merged),
            sandbox=False,
        )  # fmt: skip
        same = merged.read_text() == whole.read_text()
    finally:
        stop_sandbox(project)
        shutil.rmtree(project, ignore_errors=True)
    print(f"accounts: {args.accounts} ({args.roles} roles per child), cores: {os.cpu_count()}")
    print(f"cold plan (first init):          {cold:8.2f} s")
    print(f"full warm plan:                  {full:8.2f} s")
    print(f"plan --affected (1 account):     {affected_plan:8.2f} s")
    print(f"ratio full / affected:           {full / affected_plan:8.1f}x")
    print(f"affected alone:                  {affected:8.2f} s")
    print(f"unsharded plan:                  {unsharded:8.2f} s")
    print(f"{args.shards} shards at once:                {sharded:8.2f} s")
    print(f"report merge:                    {merge:8.2f} s  (equal to unsharded: {same})")


def shared_roles(accounts: int, roles: int) -> dict[str, Any]:
    """The organization of benchmarks/render_scale.py: ``roles`` roles in every account, one
    group per role granting it everywhere, 200 users in two groups each."""
    names = [f"account-{i:04d}" for i in range(accounts)]
    return {
        "organization": {"name": "bench", "master_account": "master"},
        "accounts": {
            "master": {"id": "000000000001"},
            **{name: {"id": f"{100000000000 + i}"} for i, name in enumerate(names)},
        },
        "roles": {
            f"Role{r:02d}": {
                "accounts": list(names),
                "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                "require_mfa": r % 3 == 0,
            }
            for r in range(roles)
        },
        "groups": {
            f"group-{r:02d}": {"roles": [f"{name}/Role{r:02d}" for name in names]}
            for r in range(roles)
        },
        "users": {
            f"user-{u:03d}": {"groups": [f"group-{u % roles:02d}", f"group-{(u + 1) % roles:02d}"]}
            for u in range(200)
        },
    }


def measure_affected(accounts: int, roles: int) -> None:
    """``orgtf affected`` on the render benchmark's organization, one account leaving one
    role (that account and the master's grants change): no sandbox, no Terraform."""
    document = shared_roles(accounts, roles)
    project = Path(tempfile.mkdtemp(prefix="orgtf-affected-bench-"))
    config = project / "org.yaml"
    try:
        config.write_text(yaml.safe_dump(document, sort_keys=False))
        git(project, "init", "-q")
        git(project, "add", ".")
        git(project, "commit", "-qm", "start")
        middle = f"account-{accounts // 2:04d}"
        document["roles"]["Role01"]["accounts"].remove(middle)
        document["groups"]["group-01"]["roles"].remove(f"{middle}/Role01")
        config.write_text(yaml.safe_dump(document, sort_keys=False))
        seconds = orgtf(project, "affected", "--base-ref", "HEAD", sandbox=False)
    finally:
        shutil.rmtree(project, ignore_errors=True)
    print(f"affected alone, {accounts} accounts x {roles} roles: {seconds:6.2f} s  (goal < 2 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--roles", type=int, default=5)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--affected-accounts", type=int, default=1000)
    parser.add_argument("--affected-roles", type=int, default=20)
    parser.add_argument("--skip-plans", action="store_true", help="only time affected alone")
    args = parser.parse_args()
    if not args.skip_plans:
        measure_plans(args)
    measure_affected(args.affected_accounts, args.affected_roles)


if __name__ == "__main__":
    main()
