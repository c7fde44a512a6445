"""aws_iam_user: id = user name; name and path change in place (UpdateUser)."""

from __future__ import annotations

from typing import Any

from tf.schema import Attribute

from orgtf.sandbox.provider import framework as fw
from orgtf.sandbox.provider.errors import AwsError, add_error, is_not_found
from orgtf.sandbox.provider.resource_base import SdkResource
from orgtf.sandbox.provider.tags import from_aws, resource_tags, tag_changes, to_aws
from orgtf.sandbox.provider.user_cleanup import strip_user_for_delete

State = fw.State


class IamUser(SdkResource):
    """An IAM user; delete always leaves its groups, ``force_destroy`` also drops credentials."""

    type_name = "aws_iam_user"

    @classmethod
    def build_schema(cls) -> Any:
        return fw.resource_schema(
            [
                Attribute("arn", fw.string(), computed=True),
                Attribute("force_destroy", fw.boolean(), optional=True, default=False),
                fw.id_attribute(),
                Attribute("name", fw.string(), required=True),
                Attribute("path", fw.string(), optional=True, default="/"),
                Attribute("permissions_boundary", fw.string(), optional=True),
                *fw.tags_attributes(),
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
        args: dict[str, Any] = {"UserName": name, "Path": planned["path"]}
        if planned.get("permissions_boundary"):
            args["PermissionsBoundary"] = planned["permissions_boundary"]
        if planned.get("tags_all"):
            args["Tags"] = to_aws(planned["tags_all"])
        try:
            self.aws.iam.create_user(**args)
        except AwsError as exc:
            add_error(ctx.diagnostics, f"creating IAM User ({name})", exc)
            return None
        return self._read(ctx, {**planned, "id": name})

    def read(self, ctx: Any, current: State) -> State | None:
        return self._read(ctx, current)

    def _read(self, ctx: Any, current: State) -> State | None:
        name = current["id"]
        try:
            user = self.aws.iam.get_user(UserName=name)["User"]
            tag_list = self.aws.iam.list_user_tags(UserName=name)["Tags"]
        except AwsError as exc:
            if is_not_found(exc):
                return None
            add_error(ctx.diagnostics, f"reading IAM User ({name})", exc)
            return current
        tags = from_aws(user.get("Tags") or tag_list)
        boundary = user.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        return self.new_state(
            id=user["UserName"],
            arn=user["Arn"],
            force_destroy=bool(current.get("force_destroy")),
            name=user["UserName"],
            path=user["Path"],
            permissions_boundary=boundary,
            tags=resource_tags(tags, self.aws.default_tags, current.get("tags")),
            tags_all=tags,
            unique_id=user["UserId"],
        )

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        name = current["id"]
        try:
            self._update(current, planned, name)
        except AwsError as exc:
            add_error(ctx.diagnostics, f"updating IAM User ({name})", exc)
            return current
        return self._read(ctx, {**planned, "id": planned["name"]})

    def _update(self, current: State, planned: State, name: str) -> None:
        iam = self.aws.iam
        new_name = planned["name"]
        if (new_name, planned["path"]) != (current["name"], current["path"]):
            iam.update_user(UserName=name, NewUserName=new_name, NewPath=planned["path"])
        boundary = planned.get("permissions_boundary")
        if boundary != current.get("permissions_boundary"):
            if boundary:
                iam.put_user_permissions_boundary(UserName=new_name, PermissionsBoundary=boundary)
            else:
                iam.delete_user_permissions_boundary(UserName=new_name)
        upserts, removals = tag_changes(current.get("tags_all") or {}, planned["tags_all"] or {})
        if removals:
            iam.untag_user(UserName=new_name, TagKeys=removals)
        if upserts:
            iam.tag_user(UserName=new_name, Tags=to_aws(upserts))

    def delete(self, ctx: Any, current: State) -> State | None:
        name = current["id"]
        try:
            strip_user_for_delete(self.aws.iam, name, bool(current.get("force_destroy")))
            self.aws.iam.delete_user(UserName=name)
        except AwsError as exc:
            if not is_not_found(exc):
                add_error(ctx.diagnostics, f"deleting IAM User ({name})", exc)
                return current
        return None

    def import_(self, ctx: Any, id: str) -> State | None:
        return self.new_state(id=id, force_destroy=False)


def _moved(prior: State, planned: State) -> bool:
    """A rename or a new path: the ARN changes, so it is unknown until apply."""
    return bool((planned["name"], planned["path"]) != (prior["name"], prior["path"]))
