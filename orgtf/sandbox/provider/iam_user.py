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
        created = {**planned, "id": name}
        return self.read_back(ctx, _reading(name), lambda: self._fetch(created), created)

    def read(self, ctx: Any, current: State) -> State | None:
        return self.refresh(ctx, _reading(current["id"]), lambda: self._fetch(current), current)

    def _fetch(self, current: State) -> State:
        name = current["id"]
        user = self.aws.iam.get_user(UserName=name)["User"]
        tag_list = self.aws.iam.list_user_tags(UserName=name)["Tags"]
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
        name, new_name = current["id"], planned["name"]
        try:
            self._move(current, planned, name)
        except AwsError as exc:
            add_error(ctx.diagnostics, f"updating IAM User ({name})", exc)
            return current
        # As the real provider sets the id once UpdateUser succeeds: the prior state, under the
        # name the user has now, so that the next refresh still finds it.
        moved = {**current, "id": new_name, "name": new_name, "path": planned["path"]}
        try:
            self._update(current, planned, new_name)
        except AwsError as exc:
            add_error(ctx.diagnostics, f"updating IAM User ({new_name})", exc)
            return moved
        written = {**planned, "id": new_name}
        return self.read_back(ctx, _reading(new_name), lambda: self._fetch(written), moved)

    def _move(self, current: State, planned: State, name: str) -> None:
        if (planned["name"], planned["path"]) != (current["name"], current["path"]):
            self.aws.iam.update_user(
                UserName=name, NewUserName=planned["name"], NewPath=planned["path"]
            )

    def _update(self, current: State, planned: State, name: str) -> None:
        iam = self.aws.iam
        boundary = planned.get("permissions_boundary")
        if boundary != current.get("permissions_boundary"):
            if boundary:
                iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=boundary)
            else:
                iam.delete_user_permissions_boundary(UserName=name)
        upserts, removals = tag_changes(current.get("tags_all") or {}, planned["tags_all"] or {})
        if removals:
            iam.untag_user(UserName=name, TagKeys=removals)
        if upserts:
            iam.tag_user(UserName=name, Tags=to_aws(upserts))

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


def _reading(name: str) -> str:
    return f"reading IAM User ({name})"


def _moved(prior: State, planned: State) -> bool:
    """A rename or a new path: the ARN changes, so it is unknown until apply."""
    return bool((planned["name"], planned["path"]) != (prior["name"], prior["path"]))
