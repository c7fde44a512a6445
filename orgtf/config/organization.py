"""The validated organization: the parsed org.yaml plus the facts derived from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orgtf.config.findings import Silenced
from orgtf.config.model import Account, Group, OrgConfig, Role, RoleRef, Trust, User
from orgtf.config.trust import role_requires_mfa, role_trust
from orgtf.errors import Problem, UsageError
from orgtf.text import did_you_mean


def iam_arn(account_id: str, kind: str, path: str, name: str) -> str:
    """``arn:aws:iam::ID:<kind><path><name>``, the format IAM uses for roles, users, groups."""
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


@dataclass(frozen=True)
class Organization:
    """A valid org.yaml: every cross-reference resolves and every IAM limit holds.

    ``warnings`` are what validate found worth a look but not wrong, sorted by position.
    """

    config: OrgConfig
    path: Path
    warnings: tuple[Problem, ...] = ()
    silenced: tuple[Silenced, ...] = ()  # lint findings org.yaml silences (validate's lint)

    @property
    def name(self) -> str:
        """The organization's name (``organization.name``)."""
        return self.config.organization.name

    @property
    def master_name(self) -> str:
        """The name of the master (management) account."""
        return self.config.organization.master_account

    @property
    def master(self) -> Account:
        """The master (management) account, which holds the users and groups."""
        return self.config.accounts[self.master_name]

    @property
    def identity_center(self) -> bool:
        """Whether access is delivered through IAM Identity Center."""
        return self.config.organization.identity == "identity_center"

    @property
    def iam_side(self) -> bool:
        """Whether IAM roles, groups and users are rendered: IAM mode, or keep_iam_roles."""
        return not self.identity_center or self.config.organization.keep_iam_roles

    def account_names(self) -> list[str]:
        """Account names sorted, the master account first."""
        others = sorted(n for n in self.config.accounts if n != self.master_name)
        return [self.master_name, *others]

    def select_accounts(self, names: Sequence[str]) -> list[str]:
        """The named accounts in ``account_names`` order, or all of them when none are named.

        Raises UsageError (exit 4), suggesting a close name, for a name not in org.yaml.
        """

        known = self.account_names()
        for name in names:
            if name not in known:
                raise UsageError(f"unknown account {name!r}{did_you_mean(name, known)}")
        return [a for a in known if a in names] if names else known

    def account(self, name: str) -> Account:
        """The account called ``name`` (a KeyError when org.yaml has none)."""
        return self.config.accounts[name]

    def roles_in(self, account: str) -> dict[str, Role]:
        """The roles deployed to ``account``, by name, sorted."""
        return {n: r for n, r in sorted(self.config.roles.items()) if account in r.accounts}

    def requires_mfa(self, ref: RoleRef) -> bool:
        """Whether assuming ``ref`` needs MFA: the role's require_mfa, else its account's."""
        return role_requires_mfa(self.config, ref)

    def trust(self, role: str) -> Trust:
        """Who the trust policy of ``role`` admits: the role's trust, else the organization's."""
        return role_trust(self.config, role)

    def role_arn(self, ref: RoleRef) -> str:
        """The ARN of the role ``ref`` in its account, with the role's path."""
        role = self.config.roles[ref.role]
        return iam_arn(self.account(ref.account).id, "role", role.path, ref.role)

    def group_roles(self, group: Group) -> list[RoleRef]:
        """The roles a group may assume, sorted and without repeats."""
        return sorted(set(group.roles))

    def user_roles(self, user: User) -> dict[RoleRef, list[str]]:
        """Each role a user may assume, with the groups that grant it (sorted)."""
        grants: dict[RoleRef, list[str]] = {}
        for group_name in sorted(set(user.groups)):
            for ref in self.group_roles(self.config.groups[group_name]):
                grants.setdefault(ref, []).append(group_name)
        return dict(sorted(grants.items()))

    def access_role_arn(self, account: str) -> str:
        """The role orgtf assumes to manage ``account``."""
        return iam_arn(self.account(account).id, "role", "/", self.config.organization.access_role)
