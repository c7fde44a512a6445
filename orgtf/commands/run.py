"""``orgtf plan`` and ``orgtf apply``: Terraform across the organization's accounts."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from orgtf.commands import plan_scope
from orgtf.commands.base import Command, Context
from orgtf.commands.common import duration, positive_int, warn_foreign
from orgtf.commands.plan_scope import ScopeOptions
from orgtf.commands.report import finish_plan
from orgtf.config import Organization
from orgtf.errors import ExitCode, UsageError
from orgtf.process import Supervisor
from orgtf.render.sync import write_tree
from orgtf.run.apply_report import ApplyFormat, format_apply
from orgtf.run.engine import Engine, check_protected, default_parallelism
from orgtf.run.progress import progress_for
from orgtf.run.project_lock import project_lock
from orgtf.run.report import ReportFormat, format_report
from orgtf.run.results import AccountPlan
from orgtf.run.shard_lock import no_shards_running
from orgtf.run.targets import select_target
from orgtf.run.workspace import abandoned_states

FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)
APPLY_FORMATS: tuple[ApplyFormat, ...] = get_args(ApplyFormat)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="NAME",
        help="an account to run (repeatable; default for plan: every account)",
    )
    parser.add_argument(
        "--parallelism", type=positive_int, default=None, metavar="N", help="accounts run at once"
    )
    parser.add_argument(
        "--plan-dir", type=Path, default=None, metavar="DIR", help="where saved plans are kept"
    )
    parser.add_argument(
        "--lock-timeout",
        type=duration,
        default=0.0,
        metavar="DURATION",
        help="wait this long (30s, 5m) for another orgtf run on the project, a Terraform "
        "run an earlier orgtf left going, or a state lock (default: do not wait)",
    )


def _configure_plan(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    plan_scope.configure(parser)
    parser.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when any account has changes"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument(
        "--output", type=Path, default=None, metavar="FILE", help="write the report here"
    )
    parser.add_argument(
        "--fail-on",
        choices=("destroy",),
        default=None,
        help="exit 1 when any plan deletes or replaces anything",
    )


def _configure_apply(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--all", action="store_true", help="apply every account")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument(
        "--allow-destroy",
        action="store_true",
        help="allow deletes and replacements in protected accounts",
    )
    parser.add_argument(
        "--fail-fast", action="store_true", help="stop starting accounts after the first failure"
    )
    parser.add_argument(
        "--format",
        choices=APPLY_FORMATS,
        default="text",
        help="text (default), or json: the outcome of each account",
    )


@dataclass(frozen=True)
class RunOptions:
    """What plan and apply share: the accounts, how many run at once, the plan directory."""

    accounts: tuple[str, ...]
    parallelism: int | None
    plan_dir: Path | None
    lock_timeout: float

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> RunOptions:
        return cls(tuple(args.account), args.parallelism, args.plan_dir, args.lock_timeout)


@dataclass(frozen=True)
class PlanOptions:
    """``plan [--account NAME... | --affected --base-ref REF] [--shard K/N] [--format F] ...``."""

    run: RunOptions
    scope: ScopeOptions
    format: ReportFormat
    output: Path | None
    detailed_exitcode: bool
    fail_on: Literal["destroy"] | None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> PlanOptions:
        if args.output is not None and args.output.is_dir():
            raise UsageError(f"--output {args.output} is a directory; name a file")
        return cls(
            run=RunOptions.from_args(args),
            scope=ScopeOptions.from_args(args),
            format=args.format,
            output=args.output,
            detailed_exitcode=args.detailed_exitcode,
            fail_on=args.fail_on,
        )


@dataclass(frozen=True)
class ApplyOptions:
    """``apply (--account NAME... | --all) [--yes] [--allow-destroy] [--fail-fast] ...``."""

    run: RunOptions
    yes: bool
    allow_destroy: bool
    fail_fast: bool
    format: ApplyFormat

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ApplyOptions:
        if bool(args.account) == bool(args.all):
            raise UsageError(
                "name the accounts to apply with --account NAME (repeatable), or pass --all"
            )
        return cls(
            run=RunOptions.from_args(args),
            yes=args.yes,
            allow_destroy=args.allow_destroy,
            fail_fast=args.fail_fast,
            format=args.format,
        )


def _engine(org: Organization, ctx: Context, options: RunOptions, accounts: list[str]) -> Engine:
    return Engine(
        org=org,
        target=select_target(org, ctx.sandbox, os.environ),
        parallelism=options.parallelism or default_parallelism(len(accounts)),
        supervisor=Supervisor(),
        plan_dir=options.plan_dir,
        lock_timeout=options.lock_timeout,
    )


def _run_plans(engine: Engine, accounts: list[str]) -> tuple[AccountPlan, ...]:
    with progress_for(accounts) as progress:
        run = engine.plan(engine.workspaces(accounts), progress)
    warn_foreign(run.rendered.foreign)
    for account in abandoned_states(engine.org, engine.target.tree_dir):
        print(
            f"warning: account {account} is no longer in org.yaml, but "
            f"environments/{account}/terraform.tfstate still tracks its resources, which orgtf "
            "no longer manages (see docs/rendering.md)",
            file=sys.stderr,
        )
    return run.results


def plan(options: PlanOptions, ctx: Context) -> ExitCode:
    """Plan every selected account and report; exit codes as documented in docs/cli.md."""
    org = ctx.load()
    scope = plan_scope.resolve(org, options.scope)
    plan_scope.announce(scope)
    results: tuple[AccountPlan, ...] = ()
    if scope.accounts:
        engine = _engine(org, ctx, options.run, scope.accounts)
        with plan_scope.plan_locks(engine, scope, options.run.lock_timeout):
            results = _run_plans(engine, scope.accounts)
    report = plan_scope.report(results, options.format, scope)
    return finish_plan(results, report, options)


def apply(options: ApplyOptions, ctx: Context) -> ExitCode:
    """Apply the reviewed saved plans (or plan, confirm and apply), children before master."""
    org = ctx.load()
    accounts = org.select_accounts(list(options.run.accounts))
    engine = _engine(org, ctx, options.run, accounts)
    state_dir, timeout = engine.target.state_dir, options.run.lock_timeout
    with (
        project_lock(state_dir, "orgtf apply", timeout),
        no_shards_running(state_dir, "orgtf apply", timeout),
    ):
        return _apply_locked(engine, options, accounts)


def _apply_locked(engine: Engine, options: ApplyOptions, accounts: list[str]) -> ExitCode:
    workspaces = engine.workspaces(accounts)
    # Plans may come from other runners (--plan-dir from an artifact): this runner's tree
    # and providers are made ready first. The checks below still refuse a stale plan.
    write_tree(engine.org, engine.target.tree_dir)
    engine.install_providers(workspaces)
    saved = engine.saved_plans(workspaces)
    missing = [ws for ws in workspaces if saved[ws.account] is None]
    if missing and not options.yes and not sys.stdin.isatty():
        names = ", ".join(ws.account for ws in missing)
        raise UsageError(
            f"no saved plan for {names} and no terminal to confirm on; run orgtf plan first "
            "or pass --yes"
        )
    fresh: dict[str, AccountPlan] = {}
    confirmed = False
    try:
        if missing:
            fresh = {p.account: p for p in _run_plans(engine, [ws.account for ws in missing])}
        plans = [saved[a] or fresh[a] for a in accounts]
        check_protected(engine.org, plans, options.allow_destroy)
        if fresh and not options.yes and any(p.status == "changes" for p in fresh.values()):
            print(format_report(list(fresh.values()), "text"), end="", file=sys.stderr)
            if not _confirm():
                print("orgtf: apply cancelled; nothing was applied", file=sys.stderr)
                return ExitCode.FAILURE
        confirmed = True
    finally:
        if not confirmed:  # plans made here count as reviewed only once confirmed
            engine.discard_plans(list(fresh))
    with progress_for(accounts) as progress:
        outcomes = engine.apply(plans, options.fail_fast, progress)
    sys.stdout.write(format_apply(outcomes, options.format))
    return ExitCode.FAILURE if any(o.status == "failed" for o in outcomes) else ExitCode.OK


def _confirm() -> bool:
    print("Apply these changes? Only 'yes' will be accepted: ", end="", file=sys.stderr, flush=True)
    try:
        return sys.stdin.readline().strip() == "yes"
    except (OSError, EOFError):
        return False


COMMANDS = (
    Command(
        "plan",
        "plan every account (or --account NAME...) and report the changes",
        _configure_plan,
        PlanOptions.from_args,
        plan,
    ),
    Command(
        "apply",
        "apply reviewed plans to --account NAME... or --all",
        _configure_apply,
        ApplyOptions.from_args,
        apply,
    ),
)
