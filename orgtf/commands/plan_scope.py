"""Which accounts ``orgtf plan`` runs: ``--account``, ``--affected --base-ref``, ``--shard``,
and the locks that let shards of one plan run side by side on one project."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from orgtf.config import Organization
from orgtf.errors import UsageError
from orgtf.gitrev import git_env
from orgtf.render.sync import write_tree
from orgtf.run.affected import Affected, find_affected
from orgtf.run.engine import Engine
from orgtf.run.merge import shard_report_json
from orgtf.run.project_lock import project_lock
from orgtf.run.report import ReportFormat, format_report
from orgtf.run.results import AccountPlan
from orgtf.run.shard_lock import join_shards, no_shards_running, plan_signature
from orgtf.run.shards import Shard, shard_accounts
from orgtf.text import plural


def shard_spec(text: str) -> Shard:
    """An argparse type: ``K/N``, shard K of N."""
    try:
        return Shard.parse(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def configure(parser: argparse.ArgumentParser) -> None:
    """``--affected``, ``--base-ref REF`` and ``--shard K/N``."""
    parser.add_argument(
        "--affected",
        action="store_true",
        help="plan only the accounts whose rendered root differs from --base-ref's",
    )
    parser.add_argument(
        "--base-ref", metavar="GIT_REF", help="with --affected: the git revision to compare with"
    )
    parser.add_argument(
        "--shard",
        type=shard_spec,
        metavar="K/N",
        help="plan shard K of N of the selected accounts (balanced by resource count)",
    )


@dataclass(frozen=True)
class ScopeOptions:
    """``[--account NAME... | --affected --base-ref REF] [--shard K/N]``."""

    accounts: tuple[str, ...]
    base_ref: str | None
    shard: Shard | None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ScopeOptions:
        if args.base_ref is not None and not args.affected:
            raise UsageError(
                "--base-ref goes with --affected (orgtf plan --affected --base-ref REF)"
            )
        if args.affected and args.base_ref is None:
            raise UsageError("--affected needs --base-ref GIT_REF, the revision to compare with")
        if args.affected and args.account:
            raise UsageError("--affected chooses the accounts itself; leave out --account")
        return cls(tuple(args.account), args.base_ref, args.shard)


@dataclass(frozen=True)
class Scope:
    """The accounts the shards share out (``selected``) and this run's part (``accounts``)."""

    selected: list[str]
    accounts: list[str]
    shard: Shard | None
    affected: Affected | None


def resolve(org: Organization, options: ScopeOptions) -> Scope:
    """The selected accounts and, with ``--shard``, this shard's part of them."""
    affected = None
    if options.base_ref is not None:
        affected = find_affected(org, options.base_ref, env=git_env(os.environ))
        selected = affected.accounts
    else:
        selected = org.select_accounts(list(options.accounts))
    shard = options.shard
    accounts = selected if shard is None else shard_accounts(org, selected, shard)
    return Scope(selected, accounts, shard, affected)


def announce(scope: Scope) -> None:
    """Say on stderr what ``--affected`` found and when there is nothing to plan."""
    affected = scope.affected
    if affected is not None:
        for account in affected.removed:
            print(
                f"warning: account {account} was removed from org.yaml since {affected.ref}; "
                "its state still holds its resources, which orgtf no longer plans or manages "
                "(see docs/ci.md)",
                file=sys.stderr,
            )
        if affected.everything is not None:
            print(f"orgtf: planning every account: {affected.everything}", file=sys.stderr)
    if scope.accounts:
        return
    if scope.shard is not None and scope.selected:
        why = f"shard {scope.shard} has none of the {plural(len(scope.selected), 'account')}"
    elif affected is not None:
        why = f"no account's root changed since {affected.ref} ({affected.commit[:12]})"
    else:
        why = "no account selected"
    print(f"orgtf: nothing to plan: {why}", file=sys.stderr)


@contextmanager
def plan_locks(engine: Engine, scope: Scope, timeout: float) -> Iterator[None]:
    """For an unsharded plan, the project lock with no shard running, for the whole run. For
    a shard, the project lock only while the shared tree and providers are prepared, then
    the shard's own locks (``orgtf.run.shard_lock`` says why that is safe)."""
    state_dir = engine.target.state_dir
    if scope.shard is None:
        with (
            project_lock(state_dir, "orgtf plan", timeout),
            no_shards_running(state_dir, "orgtf plan", timeout),
        ):
            yield
        return
    config = engine.org.path.read_bytes()
    with ExitStack() as shard_locks:
        with project_lock(state_dir, f"orgtf plan --shard {scope.shard}", timeout):
            write_tree(engine.org, engine.target.tree_dir)
            engine.install_providers(engine.workspaces(scope.accounts))
            signature = plan_signature(scope.shard, scope.selected, config)
            shard_locks.enter_context(join_shards(state_dir, scope.shard, signature))
        yield


def report(results: Sequence[AccountPlan], fmt: ReportFormat, scope: Scope) -> str:
    """The plan report; a shard's JSON report also carries what ``report merge`` needs."""
    if fmt == "json" and scope.shard is not None:
        return shard_report_json(results, scope.shard, scope.selected)
    return format_report(results, fmt)
