"""The validated organization: the parsed org.yaml plus the facts derived from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orgtf.config.model import Account, Group, OrgConfig, Role, User


@dataclass(frozen=True, order=True)
class RoleRef:
    """A role in one account, written ``account/Role`` in org.yaml."""

    account: str
    role: str

    @classmethod
    def parse(cls, text: str) -> RoleRef:
        account, _, role = text.partition("/")
        return cls(account, role)

    def __str__(self) -> str:
        return f"{self.account}/{self.role}"


def iam_arn(account_id: str, kind: str, path: str, name: str) -> str:
    """``arn:aws:iam::ID:<kind><path><name>``, the format IAM uses for roles, users, groups."""
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


@dataclass(frozen=True)
class Organization:
    """A valid org.yaml: every cross-reference resolves and every IAM limit holds."""

    config: OrgConfig
    path: Path

    @property
    def name(self) -> str:
        return self.config.organization.name

    @property
    def master_name(self) -> str:
        return self.config.organization.master_account

    @property
    def master(self) -> Account:
        return self.config.accounts[self.master_name]

    def account_names(self) -> list[str]:
        """Account names sorted, the master account first."""
        others = sorted(n for n in self.config.accounts if n != self.master_name)
        return [self.master_name, *others]

    def account(self, name: str) -> Account:
        return self.config.accounts[name]

    def roles_in(self, account: str) -> dict[str, Role]:
        """The roles deployed to ``account``, by name, sorted."""
        return {n: r for n, r in sorted(self.config.roles.items()) if account in r.accounts}

    def role_arn(self, ref: RoleRef) -> str:
        role = self.config.roles[ref.role]
        return iam_arn(self.account(ref.account).id, "role", role.path, ref.role)

    def group_roles(self, group: Group) -> list[RoleRef]:
        """The roles a group may assume, sorted and without repeats."""
        return sorted({RoleRef.parse(text) for text in group.roles})

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

    def accounts_with_roles(self) -> list[str]:
        """Accounts that hold at least one role, in ``account_names`` order."""
        return [name for name in self.account_names() if self.roles_in(name)]
