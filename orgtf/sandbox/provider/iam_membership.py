"""aws_iam_group_membership (exclusive per group) and aws_iam_user_group_membership."""

from __future__ import annotations

from typing import Any

from tf.schema import Attribute

from orgtf.sandbox.provider import framework as fw
from orgtf.sandbox.provider.errors import AwsError, add_error, is_not_found
from orgtf.sandbox.provider.naming import unique_id
from orgtf.sandbox.provider.resource_base import SdkResource

State = fw.State


class IamGroupMembership(SdkResource):
    """All members of one group; read reports every member, so out-of-band ones show as drift.

    Not importable: import arrived after v6.49 of the real provider.
    """

    type_name = "aws_iam_group_membership"

    @classmethod
    def build_schema(cls) -> Any:
        return fw.resource_schema(
            [
                Attribute("group", fw.string(), required=True, requires_replace=True),
                fw.id_attribute(),
                Attribute("name", fw.string(), required=True, requires_replace=True),
                Attribute("users", fw.string_set(), required=True),
            ]
        )

    def create(self, ctx: Any, planned: State) -> State | None:
        group = planned["group"]
        try:
            self._change(group, add=set(planned["users"]), remove=set())
        except AwsError as exc:
            add_error(ctx.diagnostics, f"creating IAM Group Membership ({planned['name']})", exc)
            return None
        created = {**planned, "id": planned["name"]}
        action = _reading_group(created["id"])
        return self.read_back(ctx, action, lambda: self._fetch(created), created)

    def read(self, ctx: Any, current: State) -> State | None:
        action = _reading_group(current["id"])
        return self.refresh(ctx, action, lambda: self._fetch(current), current)

    def _fetch(self, current: State) -> State:
        pages = self.aws.iam.get_paginator("get_group").paginate(GroupName=current["group"])
        return {**current, "users": sorted(u["UserName"] for page in pages for u in page["Users"])}

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        old, new = set(current["users"] or []), set(planned["users"] or [])
        try:
            self._change(planned["group"], add=new - old, remove=old - new)
        except AwsError as exc:
            add_error(ctx.diagnostics, f"updating IAM Group Membership ({current['id']})", exc)
            return current
        action = _reading_group(current["id"])
        return self.read_back(ctx, action, lambda: self._fetch(planned), current)

    def delete(self, ctx: Any, current: State) -> State | None:
        try:
            self._change(current["group"], add=set(), remove=set(current["users"] or []))
        except AwsError as exc:
            if not is_not_found(exc):
                add_error(ctx.diagnostics, f"deleting IAM Group Membership ({current['id']})", exc)
                return current
        return None

    def _change(self, group: str, add: set[str], remove: set[str]) -> None:
        for user in sorted(remove):
            self.aws.iam.remove_user_from_group(GroupName=group, UserName=user)
        for user in sorted(add):
            self.aws.iam.add_user_to_group(GroupName=group, UserName=user)


class IamUserGroupMembership(SdkResource):
    """Some groups of one user (non-exclusive: other memberships are left alone)."""

    type_name = "aws_iam_user_group_membership"

    @classmethod
    def build_schema(cls) -> Any:
        return fw.resource_schema(
            [
                Attribute("groups", fw.string_set(), required=True),
                fw.id_attribute(),
                Attribute("user", fw.string(), required=True, requires_replace=True),
            ]
        )

    def create(self, ctx: Any, planned: State) -> State | None:
        user = planned["user"]
        try:
            self._change(user, add=set(planned["groups"]), remove=set())
        except AwsError as exc:
            add_error(ctx.diagnostics, f"creating IAM User Group Membership ({user})", exc)
            return None
        created = {**planned, "id": unique_id()}
        action = _reading_user(created["id"])
        return self.read_back(ctx, action, lambda: self._fetch(created), created)

    def read(self, ctx: Any, current: State) -> State | None:
        action = _reading_user(current["id"])
        return self.refresh(ctx, action, lambda: self._fetch(current), current)

    def _fetch(self, current: State) -> State:
        pages = self.aws.iam.get_paginator("list_groups_for_user").paginate(
            UserName=current["user"]
        )
        actual = {g["GroupName"] for page in pages for g in page["Groups"]}
        return {**current, "groups": sorted(set(current.get("groups") or []) & actual)}

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        old, new = set(current["groups"] or []), set(planned["groups"] or [])
        try:
            self._change(current["user"], add=new - old, remove=old - new)
        except AwsError as exc:
            add_error(ctx.diagnostics, f"updating IAM User Group Membership ({current['id']})", exc)
            return current
        action = _reading_user(current["id"])
        return self.read_back(ctx, action, lambda: self._fetch(planned), current)

    def delete(self, ctx: Any, current: State) -> State | None:
        try:
            self._change(current["user"], add=set(), remove=set(current["groups"] or []))
        except AwsError as exc:
            if not is_not_found(exc):
                add_error(
                    ctx.diagnostics, f"deleting IAM User Group Membership ({current['id']})", exc
                )
                return current
        return None

    def import_(self, ctx: Any, id: str) -> State | None:
        user, *groups = id.split("/")
        if not user or not groups:
            ctx.diagnostics.add_error(
                f"Unexpected format of ID ({id}), expected <user-name>/<group-name1>/..."
            )
            return None
        return self.new_state(id=unique_id(), user=user, groups=sorted(groups))

    def _change(self, user: str, add: set[str], remove: set[str]) -> None:
        for group in sorted(remove):
            self.aws.iam.remove_user_from_group(GroupName=group, UserName=user)
        for group in sorted(add):
            self.aws.iam.add_user_to_group(GroupName=group, UserName=user)


def _reading_group(membership_id: str) -> str:
    return f"reading IAM Group Membership ({membership_id})"


def _reading_user(membership_id: str) -> str:
    return f"reading IAM User Group Membership ({membership_id})"
