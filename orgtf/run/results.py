"""One account's outcome of a run, as reports, the demo and commands receive it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

from orgtf.terraform.plan import PlanSummary

AccountStatus: TypeAlias = Literal["no-changes", "changes", "error"]
ApplyStatus: TypeAlias = Literal["applied", "no-changes", "failed", "skipped"]


@dataclass(frozen=True)
class AccountPlan:
    """One account's plan outcome, as the report receives it."""

    account: str
    account_id: str
    status: AccountStatus
    summary: PlanSummary | None = None
    error: str | None = None
    log_path: Path | None = None
    protected: bool = False  # the account is protected: apply refuses its deletes

    def __post_init__(self) -> None:
        if (self.status == "error") != (self.error is not None):
            raise ValueError("an error message is required exactly when status is 'error'")

    @property
    def apply_refuses_destroy(self) -> bool:
        """True when apply will refuse this plan unless --allow-destroy: the account is
        protected and the plan deletes or replaces something there."""
        return self.protected and self.summary is not None and self.summary.destroys_anything


@dataclass(frozen=True)
class ApplyOutcome:
    """One account's apply result."""

    account: str
    account_id: str
    status: ApplyStatus
    summary: PlanSummary | None = None
    error: str | None = None
    log_path: Path | None = None
