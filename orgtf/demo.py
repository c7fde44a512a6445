"""``orgtf demo``: the whole loop on the local sandbox, for someone who just cloned the repo.

Validate, start the sandbox, render, plan, apply, then show the catalog and one user's
profiles, and that user assuming a role granted and being refused one that is not (with an
access key of theirs: the sandbox checks sts:AssumeRole as AWS does). It always targets the
sandbox: the emulator stands in for AWS, so nothing here needs
an AWS account or reaches one, and applying without a prompt is safe.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orgtf.access.matrix import all_role_refs
from orgtf.catalog.build import Catalog, build_catalog
from orgtf.catalog.format import catalog_text
from orgtf.catalog.state import read_account_states
from orgtf.config import Organization
from orgtf.errors import OrgtfError
from orgtf.process import Supervisor
from orgtf.profiles.awsconfig import render_aws_config
from orgtf.profiles.build import ProfileSet, build_profiles
from orgtf.render.sync import write_tree
from orgtf.run.engine import Engine, default_parallelism
from orgtf.run.progress import Progress, progress_for
from orgtf.run.project_lock import project_lock
from orgtf.run.report import counts, summary_counts
from orgtf.run.results import AccountPlan, ApplyOutcome
from orgtf.run.targets import Target, select_target
from orgtf.text import change_counts, elapsed, plural, terminal_safe, text_table

Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoResult:
    """What the demo did: the plans, the applies, the catalog and the example profiles."""

    plans: tuple[AccountPlan, ...]
    outcomes: tuple[ApplyOutcome, ...]
    catalog: Catalog
    profiles: ProfileSet | None
    seconds: float
    assumed: tuple[tuple[str, bool], ...] = ()  # (ACCOUNT/ROLE, allowed) the demo tried


class _Quiet:
    """No live progress when stderr is not a terminal: the demo prints its own summary."""

    def step(self, account: str, state: str) -> None:
        """Ignored."""

    def done(self, account: str, outcome: str) -> None:
        """Ignored."""


def example_user(org: Organization) -> str | None:
    """The user who may assume the most roles (the first by name on a tie), if any."""
    ranked = sorted(org.config.users, key=lambda u: (-len(org.user_roles(org.config.users[u])), u))
    return ranked[0] if ranked else None


def run_demo(
    org: Organization,
    *,
    orgtf: str,
    say: Say,
    environ: Mapping[str, str],
    live_progress: bool = False,
) -> DemoResult:
    """Run the demo for ``org`` on its sandbox; ``orgtf`` is how to invoke orgtf for this
    org.yaml (shown in the hints). Raises OrgtfError when any account fails."""
    clock = time.monotonic()
    say(f"orgtf demo: organization {org.name} in a local AWS sandbox (nothing reaches AWS)\n")
    say(f"1. validate  {_describe(org)}")
    target = _start_sandbox(org, say, environ)
    tree = write_tree(org, target.tree_dir)
    say(
        f"3. render    {len(org.account_names())} Terraform roots under "
        f"{_shown(target.tree_dir / 'environments')} ({len(tree.written)} files written)"
    )
    accounts = org.account_names()
    engine = Engine(org, target, default_parallelism(len(accounts)), Supervisor())
    with project_lock(target.state_dir, "orgtf demo", timeout=0):
        with _progress(accounts, live_progress) as progress:
            plans = engine.plan(engine.workspaces(accounts), progress).results
        _check_plans(plans)
        say(_plan_summary(plans, per_account=not live_progress))  # the live table showed them
        outcomes = _apply(engine, plans, say, live_progress)
    catalog = build_catalog(org, read_account_states(org, target), generated_at=datetime.now(UTC))
    say(f"6. catalog   from the deployed state, `{orgtf} --sandbox catalog --format text`:\n")
    say(_indent(catalog_text(catalog)))
    for warning in catalog.warnings:
        say(f"   warning: {terminal_safe(warning)}")
    profiles = _show_profiles(org, orgtf, say)
    assumed = _show_assumptions(org, orgtf, say)
    seconds = time.monotonic() - clock
    say(f"Done in {elapsed(seconds)}. Try next: edit org.yaml, then `{orgtf} --sandbox plan`;")
    say(f"the catalog as a wiki page: `{orgtf} --sandbox catalog --format markdown`;")
    say(f"the live IAM against org.yaml: `{orgtf} --sandbox access verify`.")
    say(f"Clean up (stops the emulator, removes its state): {orgtf} sandbox down")
    return DemoResult(plans, tuple(outcomes), catalog, profiles, seconds, assumed)


def _describe(org: Organization) -> str:
    config = org.config
    return (
        f"{org.path.name} is valid: {len(config.accounts)} accounts, {len(config.roles)} roles, "
        f"{len(config.groups)} groups, {len(config.users)} users"
    )


def _start_sandbox(org: Organization, say: Say, environ: Mapping[str, str]) -> Target:
    try:  # the sandbox is an optional extra
        from orgtf.sandbox.runtime import sandbox_status
    except ImportError as exc:
        raise OrgtfError(
            f"the demo needs the sandbox extra ({exc.name or exc} is missing): "
            "run `make demo`, or pip install 'orgtf[sandbox]'"
        ) from None
    project = org.path.resolve().parent
    running = sandbox_status(project) is not None
    clock = time.monotonic()
    target = select_target(org, True, environ)
    status = sandbox_status(project)
    where = status.endpoint if status is not None else "?"
    verb = "running" if running else f"started in {elapsed(time.monotonic() - clock)}"
    say(f"2. sandbox   {verb} at {where} (moto; {len(org.account_names())} emulated accounts)")
    return target


@contextmanager
def _progress(accounts: Sequence[str], live: bool) -> Iterator[Progress]:
    if not live:
        yield _Quiet()
        return
    with progress_for(accounts) as progress:
        yield progress


def _check_plans(plans: Sequence[AccountPlan]) -> None:
    failed = [p for p in plans if p.status == "error"]
    if failed:
        details = "\n".join(f"  {p.account}: {p.error}\n  log: {p.log_path}" for p in failed)
        raise OrgtfError(f"the demo's plan failed for {plural(len(failed), 'account')}:\n{details}")


def _plan_summary(plans: Sequence[AccountPlan], per_account: bool) -> str:
    totals = summary_counts(plans)
    total = change_counts(totals["add"], totals["change"], totals["destroy"])
    head = f"4. plan      {total} in total"
    if not per_account:
        return head
    rows = text_table(
        [p.account, change_counts(*counts(p)) if p.status == "changes" else "no changes"]
        for p in plans
    )
    return "\n".join([head, *(f"              {row}" for row in rows)])


def _apply(
    engine: Engine, plans: Sequence[AccountPlan], say: Say, live: bool
) -> list[ApplyOutcome]:
    # No protected-account check and no prompt: this is the emulator, not a real organization.
    if not any(p.status == "changes" for p in plans):
        say("5. apply     nothing to apply: the sandbox already matches org.yaml")
        return [ApplyOutcome(p.account, p.account_id, "no-changes", p.summary) for p in plans]
    clock = time.monotonic()
    with _progress([p.account for p in plans], live) as progress:
        outcomes = engine.apply(plans, False, progress)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        details = "\n".join(f"  {o.account}: {o.error}\n  log: {o.log_path}" for o in failed)
        raise OrgtfError(
            f"the demo's apply failed for {plural(len(failed), 'account')}:\n{details}"
        )
    applied = sum(1 for o in outcomes if o.status == "applied")
    say(
        f"5. apply     {plural(applied, 'account')} applied in {elapsed(time.monotonic() - clock)} "
        "(member accounts first, then master)"
    )
    return outcomes


def _show_profiles(org: Organization, orgtf: str, say: Say) -> ProfileSet | None:
    user = example_user(org)
    if user is None:
        say("7. profiles  none to show: org.yaml has no users\n")
        return None
    profiles = build_profiles(org, user, name_template=None)
    say(f"7. profiles  of {user}, from `{orgtf} profiles --user {user}`")
    say("            (add --write ~/.aws/config to install them for the real organization):\n")
    say(_indent(render_aws_config(profiles)))
    return profiles


def _show_assumptions(org: Organization, orgtf: str, say: Say) -> tuple[tuple[str, bool], ...]:
    """The example user assumes a role granted to them and one that is not, for real."""
    from orgtf.sandbox.runtime import sandbox_status
    from orgtf.sandbox.user_keys import user_access_key

    user = example_user(org)
    sandbox = sandbox_status(org.path.resolve().parent)
    if user is None or sandbox is None:
        return ()
    granted = org.user_roles(org.config.users[user])
    tried = [
        next((ref for ref in granted if not org.requires_mfa(ref)), None),
        next((ref for ref in all_role_refs(org) if ref not in granted), None),
    ]
    key = user_access_key(sandbox, user)
    sts = _sandbox_sts(sandbox.endpoint, sandbox.region, key.access_key_id, key.secret_access_key)
    say(
        f"8. assume    as {user}, with an access key (`{orgtf} sandbox credentials --user {user}`):"
    )
    results = []
    for ref in (r for r in tried if r is not None):
        refusal = _assume(sts, org.role_arn(ref))
        results.append((str(ref), refusal is None))
        why = "granted" if ref in granted else f"no group of {user} grants it"
        said, detail = ("allowed", why) if refusal is None else ("refused", f"{refusal}: {why}")
        say(f"              {said}  {ref} ({detail})")
    if sandbox.iam == "off":
        say("              (this sandbox does not check sts:AssumeRole: ORGTF_SANDBOX_IAM=off)")
    say("")
    return tuple(results)


def _sandbox_sts(endpoint: str, region: str, key_id: str, secret: str) -> Any:
    import boto3

    from orgtf.sandbox.client_guard import client_config, guard_client

    client = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=client_config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=60),
    )
    return guard_client(client)


def _assume(sts: Any, role_arn: str) -> str | None:
    """None when STS lets the caller assume ``role_arn``, else its error code."""
    from botocore.exceptions import ClientError

    try:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="orgtf-demo")
    except ClientError as exc:
        return str(exc.response.get("Error", {}).get("Code", "refused"))
    return None


def _indent(text: str) -> str:
    return "\n".join(f"   {line}" if line else "" for line in text.splitlines()) + "\n"


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (shorter to read)."""
    try:
        return str(path.resolve().relative_to(Path(os.getcwd()).resolve()))
    except ValueError:
        return str(path)
