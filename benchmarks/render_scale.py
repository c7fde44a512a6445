"""Render benchmark: 1,000 accounts x 20 roles (goal: render in under 2 s).

Run: .venv/bin/python benchmarks/render_scale.py [--accounts N] [--roles N]

Each role is deployed to every child account; group i may assume role i in every account (a
grant split over several managed policies), and 200 users belong to two groups each. Prints
the load time, the in-memory render time and the time to write (then re-write) the tree.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from orgtf.config import load_organization
from orgtf.render.sync import write_tree
from orgtf.render.tree import render_tree


def organization(accounts: int, roles: int, users: int) -> dict[str, Any]:
    """An org.yaml document of the requested size."""
    names = [f"account-{i:04d}" for i in range(accounts)]
    return {
        "organization": {"name": "bench", "master_account": "master"},
        "accounts": {
            "master": {"id": "000000000001"},
            **{name: {"id": f"{100000000000 + i}"} for i, name in enumerate(names)},
        },
        "policies": {"read-logs": {"document": _document("logs:GetLogEvents")}},
        "roles": {
            f"Role{r:02d}": {
                "accounts": names,
                "description": f"Role {r} of every account",
                "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                "policies": ["read-logs"] if r % 2 else [],
                "require_mfa": r % 3 == 0,
                "tags": {"team": f"team-{r % 5}"},
            }
            for r in range(roles)
        },
        "groups": {
            f"group-{r:02d}": {"roles": [f"{name}/Role{r:02d}" for name in names]}
            for r in range(roles)
        },
        "users": {
            f"user-{u:03d}": {"groups": [f"group-{u % roles:02d}", f"group-{(u + 1) % roles:02d}"]}
            for u in range(users)
        },
    }


def _document(action: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--roles", type=int, default=20)
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orgtf-bench-") as tmp:
        out = Path(tmp)
        config = out / "org.yaml"
        config.write_text(yaml.safe_dump(organization(args.accounts, args.roles, args.users)))
        start = time.perf_counter()
        org = load_organization(config)
        loaded = time.perf_counter()
        tree = render_tree(org, out)
        rendered = time.perf_counter()
        first = write_tree(org, out)
        written = time.perf_counter()
        second = write_tree(org, out)
        rewritten = time.perf_counter()
    size = sum(len(text) for text in tree.values())
    print(f"{args.accounts} accounts x {args.roles} roles, {args.users} users")
    print(f"load org.yaml:        {loaded - start:6.2f} s")
    files = f"{len(tree)} files, {size / 1e6:.1f} MB"
    print(f"render (in memory):   {rendered - loaded:6.2f} s  ({files})")
    print(f"write (fresh dir):    {written - rendered:6.2f} s  ({len(first.written)} written)")
    print(
        f"write (no changes):   {rewritten - written:6.2f} s  ({len(second.unchanged)} unchanged)"
    )


if __name__ == "__main__":
    main()
