"""aws_iam_role_policy_attachment and aws_iam_group_policy_attachment (no update: all ForceNew).

Ids follow 6.37: role attachments are ``role/policy_arn``; group attachments keep the legacy
``group-<26-char suffix>`` on create and become ``group-policy_arn`` after import. Both import
``owner/policy_arn``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tf.schema import Attribute

from orgtf.sandbox.provider import framework as fw
from orgtf.sandbox.provider.errors import AwsError, add_error, is_not_found
from orgtf.sandbox.provider.naming import prefixed_unique_id
from orgtf.sandbox.provider.resource_base import SdkResource

State = fw.State


class PolicyAttachment(SdkResource):
    """A managed policy attached to a role or group; ``owner`` names the argument."""

    owner: ClassVar[str]
    label: ClassVar[str]

    @classmethod
    def build_schema(cls) -> Any:
        return fw.resource_schema(
            [
                fw.id_attribute(),
                Attribute("policy_arn", fw.string(), required=True, requires_replace=True),
                Attribute(cls.owner, fw.string(), required=True, requires_replace=True),
            ]
        )

    def create(self, ctx: Any, planned: State) -> State | None:
        owner, arn = planned[self.owner], planned["policy_arn"]
        try:
            self._attach(owner, arn)
        except AwsError as exc:
            add_error(
                ctx.diagnostics, f"attaching IAM Policy ({arn}) to {self.label} ({owner})", exc
            )
            return None
        return self.new_state(id=self.created_id(owner, arn), policy_arn=arn, **{self.owner: owner})

    def read(self, ctx: Any, current: State) -> State | None:
        owner, arn = current[self.owner], current["policy_arn"]
        try:
            attached = self._attached(owner)
        except AwsError as exc:
            if is_not_found(exc):
                return None
            add_error(ctx.diagnostics, f"reading {self.label} ({owner}) policy attachments", exc)
            return current
        return dict(current) if arn in attached else None

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        return planned

    def delete(self, ctx: Any, current: State) -> State | None:
        owner, arn = current[self.owner], current["policy_arn"]
        try:
            self._detach(owner, arn)
        except AwsError as exc:
            if not is_not_found(exc):
                add_error(
                    ctx.diagnostics,
                    f"detaching IAM Policy ({arn}) from {self.label} ({owner})",
                    exc,
                )
                return current
        return None

    def import_(self, ctx: Any, id: str) -> State | None:
        owner, sep, arn = id.partition("/")
        if not (owner and sep and arn):
            ctx.diagnostics.add_error(
                f"Unexpected format of ID ({id}), expected {self.owner.upper()}_NAME/POLICY_ARN"
            )
            return None
        return self.new_state(
            id=self.imported_id(owner, arn), policy_arn=arn, **{self.owner: owner}
        )

    def created_id(self, owner: str, arn: str) -> str:
        raise NotImplementedError

    def imported_id(self, owner: str, arn: str) -> str:
        raise NotImplementedError

    def _attached(self, owner: str) -> set[str]:
        raise NotImplementedError

    def _attach(self, owner: str, arn: str) -> None:
        raise NotImplementedError

    def _detach(self, owner: str, arn: str) -> None:
        raise NotImplementedError


class IamRolePolicyAttachment(PolicyAttachment):
    type_name = "aws_iam_role_policy_attachment"
    owner = "role"
    label = "IAM Role"

    def created_id(self, owner: str, arn: str) -> str:
        return f"{owner}/{arn}"

    def imported_id(self, owner: str, arn: str) -> str:
        return f"{owner}/{arn}"

    def _attached(self, owner: str) -> set[str]:
        pages = self.aws.iam.get_paginator("list_attached_role_policies").paginate(RoleName=owner)
        return {p["PolicyArn"] for page in pages for p in page["AttachedPolicies"]}

    def _attach(self, owner: str, arn: str) -> None:
        self.aws.iam.attach_role_policy(RoleName=owner, PolicyArn=arn)

    def _detach(self, owner: str, arn: str) -> None:
        self.aws.iam.detach_role_policy(RoleName=owner, PolicyArn=arn)


class IamGroupPolicyAttachment(PolicyAttachment):
    type_name = "aws_iam_group_policy_attachment"
    owner = "group"
    label = "IAM Group"

    def created_id(self, owner: str, arn: str) -> str:
        return prefixed_unique_id(f"{owner}-")

    def imported_id(self, owner: str, arn: str) -> str:
        return f"{owner}-{arn}"

    def _attached(self, owner: str) -> set[str]:
        pages = self.aws.iam.get_paginator("list_attached_group_policies").paginate(GroupName=owner)
        return {p["PolicyArn"] for page in pages for p in page["AttachedPolicies"]}

    def _attach(self, owner: str, arn: str) -> None:
        self.aws.iam.attach_group_policy(GroupName=owner, PolicyArn=arn)

    def _detach(self, owner: str, arn: str) -> None:
        self.aws.iam.detach_group_policy(GroupName=owner, PolicyArn=arn)
