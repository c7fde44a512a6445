"""The provider configuration schema, matching hashicorp/aws 6.37 name for name."""

from __future__ import annotations

from typing import Any

from tf.blocks import SetNestedBlock
from tf.schema import Attribute, Block, Schema

from orgtf.sandbox.provider import framework as fw
from orgtf.sandbox.provider.endpoint_keys import ENDPOINT_KEYS

_STRINGS = (
    "access_key",
    "custom_ca_bundle",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "profile",
    "region",
    "retry_mode",
    "s3_us_east_1_regional_endpoint",
    "secret_key",
    "skip_metadata_api_check",
    "sts_region",
    "tag_policy_compliance",
    "token",
)
_BOOLS = (
    "insecure",
    "s3_use_path_style",
    "skip_credentials_validation",
    "skip_region_validation",
    "skip_requesting_account_id",
    "use_dualstack_endpoint",
    "use_fips_endpoint",
)
_NUMBERS = ("max_retries", "token_bucket_rate_limiter_capacity")
_STRING_SETS = ("allowed_account_ids", "forbidden_account_ids")
_STRING_LISTS = ("shared_config_files", "shared_credentials_files", "user_agent")


def provider_schema() -> Any:
    """Every top-level argument and block of the real provider's configuration."""
    attributes = [
        *(Attribute(n, fw.string(), optional=True) for n in _STRINGS),
        *(Attribute(n, fw.boolean(), optional=True) for n in _BOOLS),
        *(Attribute(n, fw.number(), optional=True) for n in _NUMBERS),
        *(Attribute(n, fw.string_set(), optional=True) for n in _STRING_SETS),
        *(Attribute(n, fw.string_list(), optional=True) for n in _STRING_LISTS),
    ]
    blocks = [
        fw.ListNestedBlock("assume_role", _assume_role_block()),
        fw.ListNestedBlock("assume_role_with_web_identity", _web_identity_block(), max_items=1),
        fw.ListNestedBlock("default_tags", _block(tags=fw.string_map()), max_items=1),
        SetNestedBlock("endpoints", _block(**{k: fw.string() for k in ENDPOINT_KEYS})),
        fw.ListNestedBlock(
            "ignore_tags", _block(key_prefixes=fw.string_set(), keys=fw.string_set()), max_items=1
        ),
    ]
    return Schema(attributes=sorted(attributes, key=lambda a: a.name), block_types=blocks)


def provider_meta_schema() -> Any:
    """``provider_meta "aws" { user_agent = [...] }``."""
    return Schema(version=0, attributes=[Attribute("user_agent", fw.string_list(), optional=True)])


def _assume_role_block() -> Any:
    return _block(
        duration=fw.string(),
        external_id=fw.string(),
        policy=fw.string(),
        policy_arns=fw.string_set(),
        role_arn=fw.string(),
        session_name=fw.string(),
        source_identity=fw.string(),
        tags=fw.string_map(),
        transitive_tag_keys=fw.string_set(),
    )


def _web_identity_block() -> Any:
    return _block(
        duration=fw.string(),
        policy=fw.string(),
        policy_arns=fw.string_set(),
        role_arn=fw.string(),
        session_name=fw.string(),
        web_identity_token=fw.string(),
        web_identity_token_file=fw.string(),
    )


def _block(**types: Any) -> Any:
    """A block whose attributes are all optional, sorted by name."""
    return Block(attributes=[Attribute(n, t, optional=True) for n, t in sorted(types.items())])
