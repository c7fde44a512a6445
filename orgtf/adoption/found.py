"""What an import found: the org.yaml data, and what it leaves unmanaged and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Unmanaged:
    """Something in AWS that org.yaml does not describe; the import leaves it as it is."""

    account: str  # org.yaml account name
    kind: str  # role, policy, user policy, group policy, user...
    name: str
    reason: str

    def as_json(self) -> dict[str, str]:
        """The JSON form: account, kind, name, reason."""
        return {
            "account": self.account,
            "kind": self.kind,
            "name": self.name,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class FoundOrganization:
    """The org.yaml an import writes (``data``), the comments beside its entries, the rest."""

    data: Mapping[str, Any]
    # (section, entry name) -> comment lines written above that entry
    comments: Mapping[tuple[str, str], tuple[str, ...]]
    unmanaged: tuple[Unmanaged, ...]
    unread: Mapping[str, str]  # account name -> why its IAM could not be read
