"""aws_iam_group: id = group name; name and path change in place (UpdateGroup)."""

from __future__ import annotations

from typing import Any

from tf.schema import Attribute

from orgtf.sandbox.provider import framework as fw
from orgtf.sandbox.provider.errors import AwsError, add_error, is_not_found
from orgtf.sandbox.provider.resource_base import SdkResource

State = fw.State


class IamGroup(SdkResource):
    """An IAM group (IAM groups have no tags)."""

    type_name = "aws_iam_group"

    @classmethod
    def build_schema(cls) -> Any:
        return fw.resource_schema(
            [
                Attribute("arn", fw.string(), computed=True),
                fw.id_attribute(),
                Attribute("name", fw.string(), required=True),
                Attribute("path", fw.string(), optional=True, default="/"),
                Attribute("unique_id", fw.string(), computed=True),
            ]
        )

    def customize_plan(self, prior: State | None, planned: State, config: State) -> None:
        super().customize_plan(prior, planned, config)
        if prior is not None and _moved(prior, planned):
            planned["arn"] = fw.Unknown
            planned["id"] = planned["name"]

    def create(self, ctx: Any, planned: State) -> State | None:
        name = planned["name"]
        try:
            self.aws.iam.create_group(GroupName=name, Path=planned["path"])
        except AwsError as exc:
            add_error(ctx.diagnostics, f"creating IAM Group ({name})", exc)
            return None
        created = {**planned, "id": name}
        return self.read_back(ctx, _reading(name), lambda: self._fetch(name), created)

    def read(self, ctx: Any, current: State) -> State | None:
        name = current["id"]
        return self.refresh(ctx, _reading(name), lambda: self._fetch(name), current)

    def _fetch(self, name: str) -> State:
        group = self.aws.iam.get_group(GroupName=name, MaxItems=1)["Group"]
        return self.new_state(
            id=group["GroupName"],
            arn=group["Arn"],
            name=group["GroupName"],
            path=group["Path"],
            unique_id=group["GroupId"],
        )

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        name = current["id"]
        try:
            self.aws.iam.update_group(
                GroupName=name, NewGroupName=planned["name"], NewPath=planned["path"]
            )
        except AwsError as exc:
            add_error(ctx.diagnostics, f"updating IAM Group ({name})", exc)
            return current
        # The prior state under the group's new name, so that the next refresh still finds it.
        new_name = planned["name"]
        moved = {**current, "id": new_name, "name": new_name, "path": planned["path"]}
        return self.read_back(ctx, _reading(new_name), lambda: self._fetch(new_name), moved)

    def delete(self, ctx: Any, current: State) -> State | None:
        name = current["id"]
        try:
            self.aws.iam.delete_group(GroupName=name)
        except AwsError as exc:
            if not is_not_found(exc):
                add_error(ctx.diagnostics, f"deleting IAM Group ({name})", exc)
                return current
        return None

    def import_(self, ctx: Any, id: str) -> State | None:
        return self.new_state(id=id)


def _reading(name: str) -> str:
    return f"reading IAM Group ({name})"


def _moved(prior: State, planned: State) -> bool:
    """A rename or a new path: the ARN changes, so it is unknown until apply."""
    return bool((planned["name"], planned["path"]) != (prior["name"], prior["path"]))
