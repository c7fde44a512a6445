"""The lint of every policy org.yaml makes, as warnings at the lines they are about.

Named policies, roles' inline policies, and the trust and grant policies orgtf generates
are read against IAM's definitions (``lint_rules``). A finding intended as written is
silenced next to its policy (``lint: {ignore: [{finding, reason, statement}]}``); it is
kept, with its reason, as a ``Silenced`` note, and an ignore that silences nothing is
itself a warning, so that stale ones do not outlive the policy they were written for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from orgtf.config.findings import PathKey, Silenced
from orgtf.config.iamdata import IamDatabase
from orgtf.config.lint_rules import Linter, LintFinding
from orgtf.config.model import LintIgnore, OrgConfig, RoleRef
from orgtf.config.organization import iam_arn
from orgtf.config.policy import RoleGrant, plan_group_grants, trust_policy
from orgtf.config.source import SourceMap
from orgtf.config.trust import role_requires_mfa, role_trust
from orgtf.errors import Problem


@dataclass(frozen=True)
class LintReport:
    """The lint's warnings and the findings org.yaml silences, each sorted by position."""

    warnings: tuple[Problem, ...] = ()
    silenced: tuple[Silenced, ...] = ()


@dataclass(frozen=True)
class Target:
    """One document to lint, where its paths start in org.yaml, and how it is used."""

    base: PathKey
    document: Mapping[str, Any]
    protected: str | None = None  # the protected account it may act on, as a message says
    label: str = ""  # for a generated document: whose it is
    ignores: tuple[LintIgnore, ...] = ()
    lint_path: PathKey = ()  # where its ``lint:`` is


def lint_config(config: OrgConfig, source: SourceMap) -> LintReport:
    """Lint every policy of a field-valid config; positions come from ``source``."""
    linter = Linter(IamDatabase.open())
    warnings: list[Problem] = []
    silenced: list[Silenced] = []
    for target in _targets(config):
        findings = list(linter.lint(target.document, target.protected))
        used: set[int] = set()
        for finding in findings:
            problem = _warning(source, target, finding)
            matched = [i for i, ig in enumerate(target.ignores) if _silences(ig, finding)]
            used.update(matched)
            if matched:
                silenced.append(Silenced(problem, target.ignores[matched[0]].reason))
            else:
                warnings.append(problem)
        warnings.extend(_unused(source, target, used))
    return LintReport(tuple(sorted(warnings)), tuple(sorted(silenced)))


def _warning(source: SourceMap, target: Target, finding: LintFinding) -> Problem:
    if target.label:  # a generated document: at the key it is generated for
        problem = source.problem(target.base, target.label + finding.message, key=True)
    else:
        where = (*target.base, *finding.path)
        problem = source.problem(where, finding.message, key=finding.at_key)
    return replace(problem, severity="warning")


def _silences(ignore: LintIgnore, finding: LintFinding) -> bool:
    return ignore.finding == finding.code and ignore.statement in (None, finding.sid)


def _unused(source: SourceMap, target: Target, used: set[int]) -> Iterator[Problem]:
    for index, ignore in enumerate(target.ignores):
        if index not in used:
            where = f" in statement {ignore.statement!r}" if ignore.statement else ""
            message = (
                f"nothing to silence: no {ignore.finding} finding{where} here; remove this "
                "entry [unused-ignore]"
            )
            problem = source.problem((*target.lint_path, "ignore", index), message)
            yield replace(problem, severity="warning")


def _targets(config: OrgConfig) -> Iterator[Target]:
    for name, policy in config.policies.items():
        uses = [
            (a, r)
            for r, role in config.roles.items()
            if name in role.policies
            for a in role.accounts
        ]
        yield Target(
            ("policies", name, "document"),
            policy.document,
            _protected(config, uses),
            ignores=policy.lint.ignore,
            lint_path=("policies", name, "lint"),
        )
    for name, role in config.roles.items():
        if role.inline_policy is not None or role.lint.ignore:
            yield Target(
                ("roles", name, "inline_policy"),
                role.inline_policy or {},
                _protected(config, [(a, name) for a in role.accounts]),
                ignores=role.lint.ignore,
                lint_path=("roles", name, "lint"),
            )
    yield from _trust_targets(config)
    yield from _grant_targets(config)


def _protected(config: OrgConfig, uses: Sequence[tuple[str, str]]) -> str | None:
    """``protected account 'production' (role RdsOperator)``: the first such use, if any."""
    for account, role in sorted(uses):
        settings = config.accounts.get(account)
        if settings is not None and settings.protected:
            return f"protected account {account!r} (role {role})"
    return None


def _trust_targets(config: OrgConfig) -> Iterator[Target]:
    """Each role's trust policies, one per distinct form across its accounts."""
    master = config.accounts.get(config.organization.master_account)
    if master is None:
        return
    for name, role in config.roles.items():
        trust = role_trust(config, name)
        forms: dict[str, dict[str, Any]] = {}
        for account in role.accounts:
            if account in config.accounts:
                document = trust_policy(
                    master.id,
                    role_requires_mfa(config, RoleRef(account, name)),
                    role.mfa_max_age,
                    principals=trust.principals,
                    extra_principals=trust.extra_principals,
                )
                forms.setdefault(json.dumps(document, sort_keys=True), document)
        for document in forms.values():
            yield Target(("roles", name), document, label=f"trust policy of role {name!r}: ")


def _grant_targets(config: OrgConfig) -> Iterator[Target]:
    """The policies letting each group's members assume its roles, as orgtf lays them out."""
    for name, group in config.groups.items():
        grants = [_grant(config, ref) for ref in group.roles]
        if not group.roles or None in grants:
            continue  # an unknown role is an error of its own
        plan = plan_group_grants([g for g in grants if g is not None])
        kept = group.grant_policy
        for document in plan.documents if kept is None else [kept.document]:
            label = f"policy granting group {name!r} its roles: "
            yield Target(("groups", name, "roles"), document, label=label)


def _grant(config: OrgConfig, ref: RoleRef) -> RoleGrant | None:
    role = config.roles.get(ref.role)
    account = config.accounts.get(ref.account)
    if role is None or account is None or ref.account not in role.accounts:
        return None
    arn = iam_arn(account.id, "role", role.path, ref.role)
    return RoleGrant(arn, role_requires_mfa(config, ref))
