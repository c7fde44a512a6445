"""``orgtf access verify`` benchmark: how long a scheduled check waits, in the sandbox.

Run: .venv/bin/python benchmarks/access_verify.py [--accounts 50] [--runs 3]

Two organizations, each applied with orgtf in a fresh sandbox of its own (IAM enforcement on):

- the example org.yaml of the repository (5 accounts);
- a synthetic one of N accounts: the master plus N-1 children with 5 roles each (two of them
  requiring MFA), 5 groups and 20 users.

For each, ``orgtf --sandbox access verify --format json`` runs ``--runs`` times as a user's
shell starts it (a new interpreter each time, the sandbox already running); the median wall
time is printed, with how long one in-process verify spends reading the accounts' IAM and
comparing it with org.yaml. The CPU time (user + system) of the process and the load
average are printed too: on a shared machine the wall time says more about the neighbours.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from orgtf.access.verify import verify_access
from orgtf.cli import main
from orgtf.config import Organization, load_organization
from orgtf.live.connect import connect
from orgtf.live.read import read_organization
from orgtf.sandbox.runtime import stop_sandbox

EXAMPLE = Path(__file__).resolve().parents[1] / "org.yaml"
ROLES: dict[str, dict[str, Any]] = {
    "Admin": {
        "managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        "require_mfa": True,
    },
    "Deployer": {"managed_policy_arns": ["arn:aws:iam::aws:policy/PowerUserAccess"]},
    "ReadOnly": {"managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
    "Auditor": {
        "managed_policy_arns": ["arn:aws:iam::aws:policy/SecurityAudit"],
        "require_mfa": True,
    },
    "Support": {"managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
}


def organization(accounts: int) -> dict[str, Any]:
    """An org.yaml document with ``accounts`` accounts in all."""
    children = [f"acct-{i:03d}" for i in range(1, accounts)]
    groups = {f"{role.lower()}s": {"roles": [f"{a}/{role}" for a in children]} for role in ROLES}
    names = list(groups)
    return {
        "organization": {
            "name": "bench",
            "master_account": "master",
            "state": {"backend": "local"},
        },
        "accounts": {
            "master": {"id": "100000000000"},
            **{name: {"id": f"{100000000000 + i}"} for i, name in enumerate(children, 1)},
        },
        "roles": {name: {"accounts": children, **fields} for name, fields in ROLES.items()},
        "groups": groups,
        "users": {
            f"user{u:02d}": {"groups": sorted({names[u % 5], names[(u * 3) % 5]})}
            for u in range(20)
        },
    }


def measure(label: str, project: Path, runs: int) -> None:
    """Apply ``project``'s org.yaml in its sandbox, then time access verify."""
    config = project / "org.yaml"
    org = load_organization(config)
    clock = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()):  # the apply report is not the subject
        assert main(["--sandbox", "--config", str(config), "apply", "--all", "--yes"]) == 0
    applied = time.monotonic() - clock
    runs_made = [_run(config) for _ in range(runs)]
    walls = [wall for wall, _ in runs_made]
    cpu = statistics.median(cpu for _, cpu in runs_made)
    read, compare, report = _in_process(org)
    print(
        f"{label}: {len(org.account_names())} accounts, {report.roles} roles, "
        f"{report.principals} principals of the master, {report.declared} declared grants "
        f"(applied in {applied:.1f} s)\n"
        f"  orgtf --sandbox access verify: {statistics.median(walls):.2f} s "
        f"wall (median of {runs}: {', '.join(f'{w:.2f}' for w in walls)}), {cpu:.2f} s CPU; "
        f"in process: read {read:.2f} s, compare {compare:.3f} s; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        flush=True,
    )


def _run(config: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one ``access verify`` process."""
    argv = [sys.executable, "-m", "orgtf", "--sandbox", "--config", str(config)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock = time.monotonic()
    done = subprocess.run(
        [*argv, "access", "verify", "--format", "json"], capture_output=True, text=True, check=False
    )
    seconds = time.monotonic() - clock
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"access verify exited {done.returncode}: {done.stdout}{done.stderr}")
    assert json.loads(done.stdout)["summary"]["differs"] is False
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, cpu


def _in_process(org: Organization) -> tuple[float, float, Any]:
    live = read_organization(org, connect(org, sandbox=True, environ=os.environ))
    clock = time.monotonic()
    report = verify_access(org, live.accounts, source=live.where, skip=(live.caller,))
    return live.seconds, time.monotonic() - clock, report


def main_benchmark() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cases = [
        ("example org.yaml", EXAMPLE.read_text()),
        (f"synthetic ({args.accounts} accounts)", yaml.safe_dump(organization(args.accounts))),
    ]
    for label, text in cases:
        with tempfile.TemporaryDirectory(prefix="orgtf-verify-bench-") as tmp:
            project = Path(tmp)
            (project / "org.yaml").write_text(text)
            try:
                measure(label, project, args.runs)
            finally:
                stop_sandbox(project)


if __name__ == "__main__":
    main_benchmark()
