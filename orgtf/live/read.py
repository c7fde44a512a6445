"""Read the IAM of every account of the organization, in parallel, into typed records.

Each account is one paginated ``GetAccountAuthorizationDetails``: in the master account its
users, groups, roles and customer managed policies (the AWS managed policies attached there
are read with ``GetPolicy``/``GetPolicyVersion``: asking the call for them would list every
one AWS has); in every other account its roles, which is all ``access verify`` needs there
(their trust policies). Accounts are read by a bounded pool of threads; Ctrl-C stops
waiting at once (reading changes nothing, so nothing needs undoing).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from orgtf.config import Organization
from orgtf.errors import Interrupted, OrgtfError
from orgtf.iam.details import AccountDetails, parse_details, parse_document
from orgtf.iam.evaluate import Document
from orgtf.live.connect import Connection, session_name

MAX_PARALLEL = 10
MASTER_FILTER = ("User", "Group", "Role", "LocalManagedPolicy")
MEMBER_FILTER = ("Role",)
AWS_MANAGED_PREFIX = ":iam::aws:policy/"
T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type, as in Callable[[I], T]


@dataclass(frozen=True)
class LiveOrganization:
    """What every account's IAM holds now (by account name, master first), who read it."""

    accounts: Mapping[str, AccountDetails]
    caller: str  # the user's or role's ARN behind the credentials that read it
    where: str  # "AWS" or "the sandbox at ..."
    seconds: float


class AccountReadError(OrgtfError):
    """One account or more could not be read; each is named with the reason."""


def read_organization(
    org: Organization, connection: Connection, *, parallelism: int = MAX_PARALLEL
) -> LiveOrganization:
    """The IAM of every account of ``org``; OrgtfError (exit 1) naming those not read."""
    from botocore.exceptions import BotoCoreError, ClientError

    clock = time.monotonic()
    try:
        caller = connection.caller()
    except (BotoCoreError, ClientError) as exc:
        raise OrgtfError(
            f"cannot tell who the credentials for {connection.label} are: {exc}"
        ) from exc
    if caller.account != org.master.id:
        raise OrgtfError(
            f"the credentials are for account {caller.account}, not the master account "
            f"{org.master_name} ({org.master.id}): access verify reads the organization from it"
        )
    names = org.account_names()
    results = in_parallel(names, lambda name: _read(org, connection, name), parallelism)
    failed = [
        f"  {name} ({org.account(name).id}): {result}"
        for name, result in zip(names, results, strict=True)
        if isinstance(result, str)
    ]
    if failed:
        raise AccountReadError(
            f"could not read the IAM of {len(failed)} of {len(names)} accounts from "
            f"{connection.label}:\n" + "\n".join(failed)
        )
    accounts = {name: r for name, r in zip(names, results, strict=True) if not isinstance(r, str)}
    principal = _principal_arn(caller.arn, accounts[org.master_name])
    return LiveOrganization(accounts, principal, connection.label, time.monotonic() - clock)


def _read(org: Organization, connection: Connection, name: str) -> AccountDetails | str:
    """The account's records, or what went wrong (a string) for the caller to report."""
    from botocore.exceptions import BotoCoreError, ClientError

    account_id = org.account(name).id
    try:
        if name == org.master_name:
            iam = connection.client("iam")
            details = _details(iam, account_id, MASTER_FILTER)
            return _with_aws_managed(iam, details)
        role_arn = org.access_role_arn(name)
        try:
            credentials = connection.assume(role_arn, session_name(name))
        except ClientError as exc:
            return f"cannot assume {role_arn}: {exc}"
        return _details(connection.client("iam", credentials), account_id, MEMBER_FILTER)
    except (BotoCoreError, ClientError) as exc:
        return str(exc)


def _details(iam: Any, account_id: str, entities: Sequence[str]) -> AccountDetails:
    paginator = iam.get_paginator("get_account_authorization_details")
    return parse_details(account_id, paginator.paginate(Filter=list(entities)))


def _with_aws_managed(iam: Any, details: AccountDetails) -> AccountDetails:
    """``details`` with the documents of the AWS managed policies attached in the account."""
    wanted = sorted(
        arn
        for arn in details.attached_arns()
        if AWS_MANAGED_PREFIX in arn and arn not in details.policies
    )
    if not wanted:
        return details
    found: dict[str, Document] = dict(details.policies)
    for arn in wanted:
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
        parsed = parse_document(document.get("Document"))
        if parsed is not None:
            found[arn] = parsed
    return replace(details, policies=dict(sorted(found.items())))


def _principal_arn(caller_arn: str, master: AccountDetails) -> str:
    """The user's ARN, or the role's behind an ``assumed-role`` session ARN (with its path)."""
    _, _, resource = caller_arn.partition(":assumed-role/")
    if not resource:
        return caller_arn
    role = resource.split("/")[0]
    return next((r.arn for r in master.roles if r.name == role), caller_arn)


def in_parallel(items: Sequence[I], work: Callable[[I], T], parallelism: int) -> list[T]:
    """``work`` over ``items``, at most ``parallelism`` at once; results in input order."""
    pool = ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(items))))
    futures = [pool.submit(work, item) for item in items]
    try:
        _wait_all(futures)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise Interrupted("interrupted while reading IAM; nothing was changed") from None
    pool.shutdown()
    return [future.result() for future in futures]


def _wait_all(futures: Sequence[Future[T]]) -> None:
    pending = set(futures)
    while pending:  # short waits, so that Ctrl-C reaches the main thread
        _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
