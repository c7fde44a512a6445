"""aws_iam_role_policy and aws_iam_group_policy: id = ``owner:name``, import the same."""

from __future__ import annotations

from typing import Any, ClassVar

from tf.schema import Attribute

from orgtf.sandbox.provider import framework as fw
from orgtf.sandbox.provider.errors import AwsError, add_error, is_not_found
from orgtf.sandbox.provider.naming import create_name, name_prefix_from_name
from orgtf.sandbox.provider.policy_json import document_text, keep_if_equivalent
from orgtf.sandbox.provider.resource_base import SdkResource

State = fw.State


class InlinePolicy(SdkResource):
    """An inline policy embedded in a role or a group; ``owner`` names the argument."""

    owner: ClassVar[str]
    label: ClassVar[str]
    conflicting = (("name", "name_prefix"),)

    @classmethod
    def build_schema(cls) -> Any:
        return fw.resource_schema(
            [
                fw.id_attribute(),
                Attribute("name", fw.string(), optional=True, computed=True, requires_replace=True),
                Attribute(
                    "name_prefix", fw.string(), optional=True, computed=True, requires_replace=True
                ),
                Attribute("policy", fw.PolicyDocument(), required=True),
                Attribute(cls.owner, fw.string(), required=True, requires_replace=True),
            ]
        )

    def create(self, ctx: Any, planned: State) -> State | None:
        owner = planned[self.owner]
        name = create_name(planned.get("name"), planned.get("name_prefix"))
        policy_id = f"{owner}:{name}"
        try:
            self._put(owner, name, planned["policy"])
        except AwsError as exc:
            add_error(ctx.diagnostics, f"putting {self.label} ({policy_id})", exc)
            return None
        created = {**planned, "id": policy_id, "name": name}
        return self.read_back(ctx, self._reading(policy_id), lambda: self._fetch(created), created)

    def read(self, ctx: Any, current: State) -> State | None:
        action = self._reading(current["id"])
        return self.refresh(ctx, action, lambda: self._fetch(current), current)

    def _reading(self, policy_id: str) -> str:
        return f"reading {self.label} ({policy_id})"

    def _fetch(self, current: State) -> State:
        policy_id = current["id"]
        owner, _, name = policy_id.partition(":")
        document = self._get(owner, name)
        policy = keep_if_equivalent(current.get("policy"), document_text(document))
        return self.new_state(
            id=policy_id,
            name=name,
            name_prefix=name_prefix_from_name(name),
            policy=policy,
            **{self.owner: owner},
        )

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        policy_id = current["id"]
        owner, _, name = policy_id.partition(":")
        try:
            self._put(owner, name, planned["policy"])
        except AwsError as exc:
            add_error(ctx.diagnostics, f"putting {self.label} ({policy_id})", exc)
            return current
        written = {**planned, "id": policy_id}
        return self.read_back(ctx, self._reading(policy_id), lambda: self._fetch(written), current)

    def delete(self, ctx: Any, current: State) -> State | None:
        policy_id = current["id"]
        owner, _, name = policy_id.partition(":")
        try:
            self._delete(owner, name)
        except AwsError as exc:
            if not is_not_found(exc):
                add_error(ctx.diagnostics, f"deleting {self.label} ({policy_id})", exc)
                return current
        return None

    def import_(self, ctx: Any, id: str) -> State | None:
        owner, sep, name = id.partition(":")
        if not (owner and sep and name):
            ctx.diagnostics.add_error(
                f"Unexpected format of ID ({id}), expected {self.owner.upper()}_NAME:POLICY_NAME"
            )
            return None
        return self.new_state(id=id)

    def _put(self, owner: str, name: str, policy: str) -> None:
        raise NotImplementedError

    def _get(self, owner: str, name: str) -> object:
        raise NotImplementedError

    def _delete(self, owner: str, name: str) -> None:
        raise NotImplementedError


class IamRolePolicy(InlinePolicy):
    type_name = "aws_iam_role_policy"
    owner = "role"
    label = "IAM Role Policy"

    def _put(self, owner: str, name: str, policy: str) -> None:
        self.aws.iam.put_role_policy(RoleName=owner, PolicyName=name, PolicyDocument=policy)

    def _get(self, owner: str, name: str) -> object:
        return self.aws.iam.get_role_policy(RoleName=owner, PolicyName=name)["PolicyDocument"]

    def _delete(self, owner: str, name: str) -> None:
        self.aws.iam.delete_role_policy(RoleName=owner, PolicyName=name)


class IamGroupPolicy(InlinePolicy):
    type_name = "aws_iam_group_policy"
    owner = "group"
    label = "IAM Group Policy"

    def _put(self, owner: str, name: str, policy: str) -> None:
        self.aws.iam.put_group_policy(GroupName=owner, PolicyName=name, PolicyDocument=policy)

    def _get(self, owner: str, name: str) -> object:
        return self.aws.iam.get_group_policy(GroupName=owner, PolicyName=name)["PolicyDocument"]

    def _delete(self, owner: str, name: str) -> None:
        self.aws.iam.delete_group_policy(GroupName=owner, PolicyName=name)
