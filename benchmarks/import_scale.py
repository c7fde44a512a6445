"""``orgtf import`` benchmark: how long adopting an existing organization takes, in the sandbox.

Run: .venv/bin/python benchmarks/import_scale.py [--accounts 50] [--roles 10] [--example]

An organization is built by hand in a fresh sandbox with boto3 (no orgtf involved): the
master account plus N-1 children with R roles each (every other one requiring MFA, each with
an AWS managed policy), one group per role granting it in every child (an inline grant), and
20 users in two groups each. Then ``orgtf --sandbox import --force --format json`` runs once,
as a user's shell starts it, and the figures are printed: wall time, the time reading AWS and
importing state, objects imported, whether every account's plan is clean, and the CPU time
and load average (on a shared machine the wall time says more about the neighbours).
``--example`` builds the repository's example organization instead (its org.yaml applied with
orgtf, its state then removed): the import of a small real organization.

Set ORGTF_TERRAFORM to choose the Terraform: 1.5 and later import with import blocks (one
plan and apply per account), earlier ones object by object with ``terraform import``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from orgtf.cli import main
from orgtf.config import load_organization
from orgtf.sandbox.bootstrap import account_client
from orgtf.sandbox.runtime import ensure_sandbox, stop_sandbox

EXAMPLE = Path(__file__).resolve().parents[1] / "org.yaml"
MANAGED = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def seed(accounts: int) -> str:
    """The org.yaml the sandbox starts from: the accounts only."""
    lines = ["organization: {name: bench, master_account: master}", "accounts:"]
    lines.append('  master: {id: "100000000000"}')
    lines += [f'  child-{n:03d}: {{id: "{100000000000 + n}"}}' for n in range(1, accounts)]
    return "\n".join(lines) + "\n"


def trust(master: str, mfa: bool) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{master}:root"},
        "Action": "sts:AssumeRole",
    }
    if mfa:
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def build(endpoint: str, region: str, accounts: dict[str, str], roles: int) -> None:
    """The hand-made organization described in the module docstring."""
    master = accounts["master"]
    children = [i for n, i in accounts.items() if n != "master"]
    for account in children:
        iam = account_client("iam", endpoint, region, account)
        for r in range(roles):
            iam.create_role(RoleName=f"Role{r}", AssumeRolePolicyDocument=trust(master, r % 2 == 1))
            iam.attach_role_policy(RoleName=f"Role{r}", PolicyArn=MANAGED)
    iam = account_client("iam", endpoint, region, master)
    for r in range(roles):
        arns = [f"arn:aws:iam::{a}:role/Role{r}" for a in children]
        grant: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arns}
        if r % 2:
            grant["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        iam.create_group(GroupName=f"group-{r}")
        document = json.dumps({"Version": "2012-10-17", "Statement": [grant]})
        iam.put_group_policy(GroupName=f"group-{r}", PolicyName="assume", PolicyDocument=document)
    for u in range(20):
        iam.create_user(UserName=f"user-{u}")
        for g in {u % roles, (u + 1) % roles}:
            iam.add_user_to_group(GroupName=f"group-{g}", UserName=f"user-{u}")


def example(project: Path) -> None:
    """The example organization applied with orgtf, then its state removed."""
    (project / "org.yaml").write_text(EXAMPLE.read_text())
    code = main(["--sandbox", "--config", str(project / "org.yaml"), "apply", "--all", "--yes"])
    assert code == 0, "could not apply the example organization"
    # The sandbox keeps its tree and data under .orgtf/sandbox: forget every state there.
    for state in project.glob("**/environments/*/terraform.tfstate*"):
        state.unlink()
    for data in project.glob(".orgtf/**/data"):
        shutil.rmtree(data, ignore_errors=True)


def run_import(project: Path) -> tuple[float, float, dict[str, Any]]:
    """Wall and CPU seconds of one ``orgtf import`` as a new process, and its report."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock = time.monotonic()
    argv = [sys.executable, "-m", "orgtf", "--sandbox", "--config", str(project / "org.yaml")]
    done = subprocess.run(
        [*argv, "import", "--force", "--format", "json"], capture_output=True, text=True
    )
    wall = time.monotonic() - clock
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"orgtf import failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(done.stdout)


def measure(label: str, project: Path) -> None:
    wall, cpu, report = run_import(project)
    accounts = report["accounts"]
    imported = sum(len(a["imported"]) for a in accounts)
    methods = sorted({a["method"] for a in accounts if a["imported"]})
    clean = sum(1 for a in accounts if a["clean"])
    fallbacks = sorted({a["fallback"] for a in accounts if a.get("fallback")})
    print(
        f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU (reading {report['read_seconds']:.1f} s, "
        f"importing {report['import_seconds']:.1f} s); {imported} objects imported "
        f"({', '.join(methods) or 'none'}); {clean} of {len(accounts)} accounts with a clean "
        f"plan; {len(report['unmanaged'])} left unmanaged; load {os.getloadavg()[0]:.1f}"
    )
    for reason in fallbacks:
        print(f"  terraform import instead of import blocks: {reason}")


def main_benchmark() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--roles", type=int, default=10)
    parser.add_argument("--example", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        try:
            if args.example:
                example(project)
                measure("example org.yaml (5 accounts)", project)
                return
            (project / "org.yaml").write_text(seed(args.accounts))
            org = load_organization(project / "org.yaml")
            target = ensure_sandbox(org, project, env=os.environ)
            build(target.endpoint, target.region, dict(target.accounts), args.roles)
            measure(f"{args.accounts} accounts x {args.roles} roles", project)
        finally:
            stop_sandbox(project)


if __name__ == "__main__":
    main_benchmark()
