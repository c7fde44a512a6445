"""The self-service group: every user manages their own credentials, and needs MFA for the rest.

``organization.self_service`` (default true) puts every user of org.yaml into one group of the
master account, ``orgtf-self-service``, with one inline policy on the pattern of AWS's
"Allows MFA-authenticated IAM users to manage their own credentials on the Security
credentials page": a user may change their password, manage their access keys and their
virtual MFA device, and is denied everything else while not signed in with MFA
(``BoolIfExists aws:MultiFactorAuthPresent false``, which also catches long-term access keys).

Two actions are left out of that Deny beyond AWS's example:

- ``iam:ChangePassword`` and ``iam:GetAccountPasswordPolicy``, as AWS's note on the example
  advises, so that a user whose console password must be reset at first sign-in
  (``users.*.console``) can reset it before they have an MFA device;
- ``sts:AssumeRole``: whether assuming a role needs MFA stays with each role's trust policy
  (``require_mfa``), so every profile orgtf writes works as before, with or without MFA.

A user's own resources are named by their ARN with each path org.yaml's users have, so a user
with a path (``/staff/``) is covered and no user reaches another's credentials.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from orgtf.config.model import OrgConfig

SELF_SERVICE_GROUP = "orgtf-self-service"
SELF_SERVICE_POLICY = "orgtf-self-service"

# What a user may do without MFA: set up MFA, sign in with it, reset their password, and
# assume roles (whose trust policies decide about MFA).
WITHOUT_MFA = (
    "iam:ChangePassword",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetAccountPasswordPolicy",
    "iam:GetMFADevice",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:AssumeRole",
    "sts:GetSessionToken",
)
OWN_PASSWORD = ("iam:ChangePassword", "iam:GetLoginProfile", "iam:GetUser")
OWN_ACCESS_KEYS = (
    "iam:CreateAccessKey",
    "iam:DeleteAccessKey",
    "iam:GetAccessKeyLastUsed",
    "iam:ListAccessKeys",
    "iam:UpdateAccessKey",
)
OWN_MFA = (
    "iam:DeactivateMFADevice",
    "iam:EnableMFADevice",
    "iam:GetMFADevice",
    "iam:ListMFADevices",
    "iam:ResyncMFADevice",
)


def self_service_document(master_id: str, user_paths: Iterable[str]) -> dict[str, Any]:
    """The group's policy for the master account ``master_id`` and its users' paths."""
    own_user = [f"arn:aws:iam::{master_id}:user{path}${{aws:username}}" for path in user_paths]
    own_user = sorted(set(own_user)) or [f"arn:aws:iam::{master_id}:user/${{aws:username}}"]
    return {
        "Version": "2012-10-17",
        "Statement": [
            _allow(
                "AllowViewAccountInfo",
                ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
                "*",
            ),
            _allow("AllowManageOwnPassword", OWN_PASSWORD, own_user),
            _allow("AllowManageOwnAccessKeys", OWN_ACCESS_KEYS, own_user),
            _allow(
                "AllowManageOwnVirtualMFADevice",
                ["iam:CreateVirtualMFADevice"],
                f"arn:aws:iam::{master_id}:mfa/*",
            ),
            _allow("AllowManageOwnUserMFA", OWN_MFA, own_user),
            {
                "Sid": "DenyAllExceptListedIfNoMFA",
                "Effect": "Deny",
                "NotAction": list(WITHOUT_MFA),
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            },
        ],
    }


def config_self_service_document(config: OrgConfig) -> dict[str, Any]:
    """The self-service policy of a field-valid ``config`` (master account present)."""
    master = config.accounts[config.organization.master_account]
    return self_service_document(master.id, (user.path for user in config.users.values()))


def _allow(sid: str, actions: Iterable[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resource}
