"""data "aws_caller_identity": id = account_id, from STS GetCallerIdentity."""

from __future__ import annotations

from typing import Any

from tf.schema import Attribute

from orgtf.sandbox.provider import framework as fw
from orgtf.sandbox.provider.errors import AwsError, add_error
from orgtf.sandbox.provider.resource_base import SessionSource, validate_config


class CallerIdentity:
    """Who the provider acts as (after any assume_role)."""

    type_name = "aws_caller_identity"

    def __init__(self, provider: SessionSource) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return cls.type_name.removeprefix("aws_")

    @classmethod
    def get_schema(cls) -> Any:
        return fw.resource_schema(
            [
                Attribute("account_id", fw.string(), computed=True),
                Attribute("arn", fw.string(), computed=True),
                Attribute("id", fw.string(), optional=True, computed=True),
                Attribute("user_id", fw.string(), computed=True),
            ]
        )

    def validate(self, diags: Any, type_name: str, config: dict[str, Any]) -> None:
        validate_config(self.get_schema(), diags, type_name, config)

    def read(self, ctx: Any, config: dict[str, Any]) -> dict[str, Any] | None:
        try:
            out = self.provider.aws().sts.get_caller_identity()
        except AwsError as exc:
            add_error(ctx.diagnostics, "reading STS Caller Identity", exc)
            return None
        return {
            "account_id": out["Account"],
            "arn": out["Arn"],
            "id": out["Account"],
            "user_id": out["UserId"],
        }
