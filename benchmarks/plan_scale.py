"""Plan benchmark: cold ``orgtf plan`` against a naive sequential loop, in the sandbox.

Run: .venv/bin/python benchmarks/plan_scale.py [--accounts 16] [--roles 5] [--parallelism N]

A synthetic organization of N accounts (the master plus N-1 children with R roles each, one
group that may assume every role) is bootstrapped in a fresh sandbox. Both contenders start
cold (no initialised directories) against the same emulator:

- naive: ``terraform init`` then ``terraform plan`` in each rendered account directory, one
  account after the other, as a shell loop would;
- orgtf: the engine behind ``orgtf plan`` (render, shared provider install, parallel plans).

Prints both wall times, the speed-up, and orgtf's own overhead: the share of its wall time
during which no Terraform process was running.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from orgtf.config import Organization, load_organization
from orgtf.process import Supervisor
from orgtf.render.sync import write_tree
from orgtf.run.engine import Engine, default_parallelism
from orgtf.run.targets import sandbox_target
from orgtf.sandbox.runtime import ensure_sandbox, stop_sandbox


class _Quiet:
    def step(self, account: str, state: str) -> None:
        del account, state

    def done(self, account: str, outcome: str) -> None:
        del account, outcome


def organization(accounts: int, roles: int) -> dict[str, Any]:
    """An org.yaml document with ``accounts`` accounts in all."""
    children = [f"acct-{i:03d}" for i in range(1, accounts)]
    role_names = [f"Role{r:02d}" for r in range(roles)]
    return {
        "organization": {"name": "bench", "master_account": "master"},
        "accounts": {
            "master": {"id": "100000000000"},
            **{name: {"id": f"{100000000000 + i}"} for i, name in enumerate(children, 1)},
        },
        "roles": {
            name: {
                "accounts": children,
                "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            }
            for name in role_names
        },
        "groups": {"everyone": {"roles": [f"{a}/{r}" for a in children for r in role_names]}},
        "users": {"alice": {"groups": ["everyone"]}},
    }


def naive_loop(org: Organization, tree: Path, env: dict[str, str], terraform: str) -> float:
    """Seconds for init + plan in every account directory, one after the other."""
    write_tree(org, tree)
    started = time.monotonic()
    for account in org.account_names():
        workdir = tree / "environments" / account
        for argv in (["init", "-input=false"], ["plan", "-input=false", "-out=naive.tfplan"]):
            subprocess.run(
                [terraform, *argv], cwd=workdir, env=env, check=True, capture_output=True
            )
    return time.monotonic() - started


def orgtf_plan(org: Organization, parallelism: int | None) -> tuple[float, float, int]:
    """Seconds for a cold orgtf plan, seconds with no Terraform process running, errors."""
    target = sandbox_target(org, dict(os.environ))
    for stale in (target.tree_dir, target.state_dir / "data", target.state_dir / "plans"):
        shutil.rmtree(stale, ignore_errors=True)
    accounts = org.account_names()
    supervisor = Supervisor()
    engine = Engine(
        org=org,
        target=target,
        parallelism=parallelism or default_parallelism(len(accounts)),
        supervisor=supervisor,
    )
    started = time.monotonic()
    results = engine.plan(engine.workspaces(accounts), _Quiet()).results
    ended = time.monotonic()
    busy = _union(supervisor.intervals(), started, ended)
    for failed in (r for r in results if r.status == "error"):
        print(f"{failed.account} failed: {failed.error}")
    return ended - started, (ended - started) - busy, sum(r.status == "error" for r in results)


def _union(intervals: tuple[tuple[float, float], ...], start: float, end: float) -> float:
    total, cursor = 0.0, start
    for begin, finish in sorted(intervals):
        begin, finish = max(begin, cursor), min(finish, end)
        if finish > begin:
            total += finish - begin
            cursor = finish
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=16)
    parser.add_argument("--roles", type=int, default=5)
    parser.add_argument("--parallelism", type=int, default=None)
    args = parser.parse_args()
    project = Path(tempfile.mkdtemp(prefix="orgtf-plan-bench-"))
    config = project / "org.yaml"
    config.write_text(yaml.safe_dump(organization(args.accounts, args.roles), sort_keys=False))
    org = load_organization(config)
    try:
        sandbox = ensure_sandbox(org, project, env=os.environ)
        env = sandbox.terraform_env(os.environ)
        naive = naive_loop(org, project / "naive", env, str(sandbox.terraform.path))
        wall, overhead, errors = orgtf_plan(org, args.parallelism)
    finally:
        stop_sandbox(project)
        shutil.rmtree(project, ignore_errors=True)
    print(f"accounts: {args.accounts} ({args.roles} roles per child), cores: {os.cpu_count()}")
    print(f"terraform: {sandbox.terraform.version} ({sandbox.terraform.path})")
    print(f"naive sequential init+plan: {naive:7.2f} s")
    print(f"orgtf plan (cold):          {wall:7.2f} s  ({errors} accounts failed)")
    print(f"speed-up:                   {naive / wall:7.2f}x  (goal >= 2x)")
    print(
        f"orgtf overhead:             {overhead:7.2f} s  = {100 * overhead / wall:.1f}% (goal < 5%)"
    )


if __name__ == "__main__":
    main()
