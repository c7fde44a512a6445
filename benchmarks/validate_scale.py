"""Validate benchmark: wall time and peak memory of ``orgtf validate`` as org.yaml grows.

Run: .venv/bin/python benchmarks/validate_scale.py [--users 2000 20000] [--keep DIR]

For each user count N, writes an org.yaml with N users and, at fixed ratios, N/100 accounts,
N/20 roles (each deployed to three accounts, with two tags), N/100 groups (each may assume
ten roles) and two groups and two tags per user; then runs ``orgtf validate`` on it in a
fresh process and prints its wall time, peak RSS (``resource.getrusage``), exit code and
first lines. Above IAM's 5,000 users per account the file is refused by that quota; it is
still checked whole, so the figures measure the full validation.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml


def organization(users: int) -> dict[str, Any]:
    """An org.yaml document with ``users`` users and the other sections at fixed ratios."""
    accounts = [f"account-{i:04d}" for i in range(max(3, users // 100))]
    roles = max(10, users // 20)
    groups = max(2, users // 100)
    return {
        "organization": {"name": "bench", "master_account": "master"},
        "accounts": {
            "master": {"id": "000000000001"},
            **{name: {"id": f"{100000000000 + i}"} for i, name in enumerate(accounts)},
        },
        "policies": {"read-logs": {"document": _document("logs:GetLogEvents")}},
        "roles": {
            f"Role{r:05d}": {
                "accounts": [accounts[(r + k) % len(accounts)] for k in range(3)],
                "description": f"Role {r}",
                "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                "policies": ["read-logs"] if r % 2 else [],
                "require_mfa": r % 3 == 0,
                "tags": {"team": f"team-{r % 50}", "cost-center": f"cc-{r % 7}"},
            }
            for r in range(roles)
        },
        "groups": {
            f"group-{g:04d}": {
                "roles": [
                    f"{accounts[(r + 1) % len(accounts)]}/Role{r:05d}"
                    for r in ((g * 10 + k) % roles for k in range(10))
                ]
            }
            for g in range(groups)
        },
        "users": {
            f"user-{u:06d}": {
                "groups": [f"group-{u % groups:04d}", f"group-{(u + 1) % groups:04d}"],
                "tags": {"email": f"user-{u}@example.com", "team": f"team-{u % 50}"},
            }
            for u in range(users)
        },
    }


def _document(action: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }


def measure(config: Path) -> tuple[float, float, float, int, list[str]]:
    """Wall and CPU seconds, peak RSS in MB, exit code and output lines of one validate run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "orgtf", "--config", str(config), "validate"],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if after.ru_maxrss <= before.ru_maxrss:
        print("  (peak RSS below an earlier run's; figure is a lower bound)")
    lines = (done.stdout + done.stderr).replace(f"{config.parent}/", "").splitlines()
    return wall, cpu, after.ru_maxrss / 1024, done.returncode, lines  # ru_maxrss: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--keep", type=Path, help="write the org.yaml files here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orgtf-bench-") as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        # Smallest first: RUSAGE_CHILDREN keeps the largest child's peak.
        for users in sorted(args.users):
            config = out / f"org-{users}.yaml"
            config.write_text(yaml.safe_dump(organization(users), sort_keys=False))
            size = config.stat().st_size / 1e6
            wall, cpu, peak, code, lines = measure(config)
            print(f"{users:,} users, {size:.1f} MB org.yaml:")
            print(
                f"  validate: {wall:6.2f} s wall, {cpu:6.2f} s CPU, {peak:6.0f} MB peak RSS, "
                f"exit {code}"
            )
            for line in lines[:3]:
                print(f"  | {line}")


if __name__ == "__main__":
    main()
