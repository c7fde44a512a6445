"""Role helpers: the deprecated exclusive policy arguments and the clean-up before DeleteRole."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from orgtf.sandbox.provider.policy_json import document_text

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient


def read_inline_policies(iam: IAMClient, role: str) -> list[dict[str, Any]]:
    """Every inline policy of ``role`` as ``{"name", "policy"}`` blocks, sorted by name."""
    names = [n for page in _pages(iam, "list_role_policies", role) for n in page["PolicyNames"]]
    out = []
    for name in sorted(names):
        doc = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        out.append({"name": name, "policy": document_text(doc)})
    return out


def read_managed_policy_arns(iam: IAMClient, role: str) -> list[str]:
    """ARNs of the managed policies attached to ``role``, sorted."""
    pages = _pages(iam, "list_attached_role_policies", role)
    return sorted(p["PolicyArn"] for page in pages for p in page["AttachedPolicies"])


def apply_exclusive_inline_policies(
    iam: IAMClient, role: str, wanted: Iterable[Mapping[str, Any]]
) -> None:
    """Make the role's inline policies exactly ``wanted`` (blocks without a name are ignored)."""
    desired = {b["name"]: b["policy"] for b in wanted if b.get("name")}
    current = {p["name"] for p in read_inline_policies(iam, role)}
    for name in sorted(current - set(desired)):
        iam.delete_role_policy(RoleName=role, PolicyName=name)
    for name, policy in sorted(desired.items()):
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=policy)


def apply_exclusive_managed_policies(iam: IAMClient, role: str, wanted: Iterable[str]) -> None:
    """Make the role's attached managed policies exactly ``wanted``."""
    desired = set(wanted)
    current = set(read_managed_policy_arns(iam, role))
    for arn in sorted(current - desired):
        iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    for arn in sorted(desired - current):
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)


def strip_role_for_delete(iam: IAMClient, role: str, force_detach: bool) -> None:
    """Remove the role from instance profiles and, if forced, drop its policies."""
    profiles = iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]
    for profile in profiles:
        iam.remove_role_from_instance_profile(
            InstanceProfileName=profile["InstanceProfileName"], RoleName=role
        )
    if not force_detach:
        return
    apply_exclusive_managed_policies(iam, role, [])
    apply_exclusive_inline_policies(iam, role, [])


def _pages(iam: IAMClient, operation: str, role: str) -> list[dict[str, Any]]:
    paginator: Any = iam.get_paginator(operation)  # type: ignore[call-overload]
    return list(paginator.paginate(RoleName=role))
