"""The stand-in for registry.terraform.io/hashicorp/aws: configuration and resource registry."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from orgtf.sandbox.provider.caller_identity import CallerIdentity
from orgtf.sandbox.provider.iam_attachment import (
    IamGroupPolicyAttachment,
    IamRolePolicyAttachment,
)
from orgtf.sandbox.provider.iam_group import IamGroup
from orgtf.sandbox.provider.iam_inline_policy import IamGroupPolicy, IamRolePolicy
from orgtf.sandbox.provider.iam_login_profile import IamUserLoginProfile
from orgtf.sandbox.provider.iam_membership import IamGroupMembership, IamUserGroupMembership
from orgtf.sandbox.provider.iam_policy import IamPolicy
from orgtf.sandbox.provider.iam_role import IamRole
from orgtf.sandbox.provider.iam_user import IamUser
from orgtf.sandbox.provider.resource_base import NotConfiguredError
from orgtf.sandbox.provider.schema import provider_schema
from orgtf.sandbox.provider.session import AwsSession, open_session
from orgtf.sandbox.provider.settings import SettingsError, settings_from_config

PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
RESOURCES: tuple[type[Any], ...] = (
    IamGroup,
    IamGroupMembership,
    IamGroupPolicy,
    IamGroupPolicyAttachment,
    IamPolicy,
    IamRole,
    IamRolePolicy,
    IamRolePolicyAttachment,
    IamUser,
    IamUserGroupMembership,
    IamUserLoginProfile,
)
DATA_SOURCES: tuple[type[Any], ...] = (CallerIdentity,)
_METADATA_CHECK_VALUES = frozenset({"", "true", "false"})


class AwsProvider:
    """Implements the ``tf`` Provider interface; resources reach boto3 through ``aws()``."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = dict(os.environ if env is None else env)
        self._session: AwsSession | None = None

    def get_model_prefix(self) -> str:
        return "aws_"

    def full_name(self) -> str:
        return PROVIDER_ADDRESS

    def get_provider_schema(self, diags: Any) -> Any:
        return provider_schema()

    def validate_config(self, diags: Any, config: dict[str, Any]) -> None:
        """The checks the real provider makes before configuring."""
        if config.get("allowed_account_ids") and config.get("forbidden_account_ids"):
            diags.add_error(
                "Conflicting configuration arguments",
                '"allowed_account_ids": conflicts with forbidden_account_ids',
                path=["allowed_account_ids"],
            )
        check = config.get("skip_metadata_api_check")
        if isinstance(check, str) and check.lower() not in _METADATA_CHECK_VALUES:
            diags.add_error(
                "Invalid skip_metadata_api_check value",
                f'expected "true" or "false", got {check!r}',
                path=["skip_metadata_api_check"],
            )

    def configure_provider(self, diags: Any, config: dict[str, Any]) -> None:
        """Resolve settings, apply the endpoint guard, assume roles and check the account."""
        try:
            self._session = open_session(settings_from_config(config, self._env))
        except SettingsError as exc:
            diags.add_error(exc.summary, exc.detail)

    def get_data_sources(self) -> list[type[Any]]:
        return list(DATA_SOURCES)

    def get_resources(self) -> list[type[Any]]:
        return list(RESOURCES)

    def get_functions(self) -> list[type[Any]]:
        return []

    def new_resource(self, klass: type[Any]) -> Any:
        return klass(self)

    def new_data_source(self, klass: type[Any]) -> Any:
        return klass(self)

    def aws(self) -> AwsSession:
        """The configured session; raise NotConfiguredError before ConfigureProvider."""
        if self._session is None:
            raise NotConfiguredError("the provider has not been configured")
        return self._session
