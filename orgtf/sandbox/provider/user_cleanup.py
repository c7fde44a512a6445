"""What the real provider removes before DeleteUser: groups always, the rest on force_destroy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgtf.sandbox.provider.errors import AwsError, is_not_found

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient


def strip_user_for_delete(iam: IAMClient, user: str, force_destroy: bool) -> None:
    """Leave every group; with ``force_destroy`` also drop policies and credentials."""
    for group in iam.list_groups_for_user(UserName=user)["Groups"]:
        iam.remove_user_from_group(GroupName=group["GroupName"], UserName=user)
    if not force_destroy:
        return
    _drop_policies(iam, user)
    _drop_credentials(iam, user)


def _drop_policies(iam: IAMClient, user: str) -> None:
    for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
        iam.delete_user_policy(UserName=user, PolicyName=name)
    for policy in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]:
        iam.detach_user_policy(UserName=user, PolicyArn=policy["PolicyArn"])


def _drop_credentials(iam: IAMClient, user: str) -> None:
    for key in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    for ssh in iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"]:
        iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=ssh["SSHPublicKeyId"])
    for cert in iam.list_signing_certificates(UserName=user)["Certificates"]:
        iam.delete_signing_certificate(UserName=user, CertificateId=cert["CertificateId"])
    for device in iam.list_mfa_devices(UserName=user)["MFADevices"]:
        iam.deactivate_mfa_device(UserName=user, SerialNumber=device["SerialNumber"])
    try:
        iam.delete_login_profile(UserName=user)
    except AwsError as exc:
        if not is_not_found(exc):
            raise
