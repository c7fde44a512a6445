"""aws_iam_role: id = role name; name, name_prefix and path force replacement."""

from __future__ import annotations

from typing import Any

from tf.blocks import SetNestedBlock
from tf.schema import Attribute, Block

from orgtf.sandbox.provider import framework as fw
from orgtf.sandbox.provider.errors import AwsError, add_error, is_not_found
from orgtf.sandbox.provider.naming import create_name, name_prefix_from_name
from orgtf.sandbox.provider.policy_json import document_text, keep_if_equivalent
from orgtf.sandbox.provider.resource_base import SdkResource
from orgtf.sandbox.provider.role_extras import (
    apply_exclusive_inline_policies,
    apply_exclusive_managed_policies,
    read_inline_policies,
    read_managed_policy_arns,
    strip_role_for_delete,
)
from orgtf.sandbox.provider.tags import from_aws, resource_tags, tag_changes, to_aws

State = fw.State


class IamRole(SdkResource):
    """An IAM role with its trust policy, tags and (deprecated) exclusive policy arguments."""

    type_name = "aws_iam_role"
    conflicting = (("name", "name_prefix"),)

    @classmethod
    def build_schema(cls) -> Any:
        inline = Block(
            attributes=[
                Attribute("name", fw.string(), optional=True),
                Attribute("policy", fw.PolicyDocument(), optional=True),
            ],
            deprecated=True,
        )
        return fw.resource_schema(
            [
                Attribute("arn", fw.string(), computed=True),
                Attribute("assume_role_policy", fw.PolicyDocument(), required=True),
                Attribute("create_date", fw.string(), computed=True),
                Attribute("description", fw.string(), optional=True),
                Attribute("force_detach_policies", fw.boolean(), optional=True, default=False),
                fw.id_attribute(),
                Attribute(
                    "managed_policy_arns",
                    fw.string_set(),
                    optional=True,
                    computed=True,
                    deprecated=True,
                ),
                Attribute("max_session_duration", fw.number(), optional=True, default=3600),
                Attribute("name", fw.string(), optional=True, computed=True, requires_replace=True),
                Attribute(
                    "name_prefix", fw.string(), optional=True, computed=True, requires_replace=True
                ),
                Attribute("path", fw.string(), optional=True, default="/", requires_replace=True),
                Attribute("permissions_boundary", fw.string(), optional=True),
                *fw.tags_attributes(),
                Attribute("unique_id", fw.string(), computed=True),
            ],
            [SetNestedBlock("inline_policy", inline)],
        )

    def create(self, ctx: Any, planned: State) -> State | None:
        name = create_name(planned.get("name"), planned.get("name_prefix"))
        args: dict[str, Any] = {
            "RoleName": name,
            "Path": planned["path"],
            "AssumeRolePolicyDocument": planned["assume_role_policy"],
            "MaxSessionDuration": int(planned["max_session_duration"]),
        }
        if planned.get("description"):
            args["Description"] = planned["description"]
        if planned.get("permissions_boundary"):
            args["PermissionsBoundary"] = planned["permissions_boundary"]
        if planned.get("tags_all"):
            args["Tags"] = to_aws(planned["tags_all"])
        try:
            self.aws.iam.create_role(**args)
        except AwsError as exc:
            add_error(ctx.diagnostics, f"creating IAM Role ({name})", exc)
            return None
        # The role exists from here on: a later failure returns it as a partial state, so
        # Terraform records it (tainted) rather than forgetting it.
        created = {**planned, "id": name, "name": name}
        try:
            self._apply_exclusive(ctx.config, name)
        except AwsError as exc:
            add_error(ctx.diagnostics, f"creating IAM Role ({name})", exc)
            return created
        return self.read_back(ctx, _reading(name), lambda: self._fetch(planned, name), created)

    def read(self, ctx: Any, current: State) -> State | None:
        name = current["id"]
        return self.refresh(ctx, _reading(name), lambda: self._fetch(current, name), current)

    def _fetch(self, current: State, name: str) -> State:
        role = self.aws.iam.get_role(RoleName=name)["Role"]
        inline = read_inline_policies(self.aws.iam, name)
        managed = read_managed_policy_arns(self.aws.iam, name)
        tags = from_aws(role.get("Tags"))
        policy = document_text(role["AssumeRolePolicyDocument"])
        boundary = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        return self.new_state(
            id=role["RoleName"],
            arn=role["Arn"],
            assume_role_policy=keep_if_equivalent(current.get("assume_role_policy"), policy),
            create_date=role["CreateDate"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            description=role.get("Description") or None,
            force_detach_policies=bool(current.get("force_detach_policies")),
            managed_policy_arns=managed,
            max_session_duration=role.get("MaxSessionDuration", 3600),
            name=role["RoleName"],
            name_prefix=name_prefix_from_name(role["RoleName"]),
            path=role["Path"],
            permissions_boundary=boundary,
            tags=resource_tags(tags, self.aws.default_tags, current.get("tags")),
            tags_all=tags,
            unique_id=role["RoleId"],
            inline_policy=_keep_equivalent_inline(current.get("inline_policy"), inline),
        )

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        name = current["id"]
        try:
            self._update(current, planned, name)
            self._apply_exclusive(ctx.config, name)
        except AwsError as exc:
            add_error(ctx.diagnostics, f"updating IAM Role ({name})", exc)
            return current
        return self.read_back(ctx, _reading(name), lambda: self._fetch(planned, name), current)

    def _update(self, current: State, planned: State, name: str) -> None:
        iam = self.aws.iam
        if planned["assume_role_policy"] != current["assume_role_policy"]:
            iam.update_assume_role_policy(
                RoleName=name, PolicyDocument=planned["assume_role_policy"]
            )
        if (planned.get("description"), planned["max_session_duration"]) != (
            current.get("description"),
            current.get("max_session_duration"),
        ):
            iam.update_role(
                RoleName=name,
                Description=planned.get("description") or "",
                MaxSessionDuration=int(planned["max_session_duration"]),
            )
        self._update_boundary(current, planned, name)
        upserts, removals = tag_changes(current.get("tags_all") or {}, planned["tags_all"] or {})
        if removals:
            iam.untag_role(RoleName=name, TagKeys=removals)
        if upserts:
            iam.tag_role(RoleName=name, Tags=to_aws(upserts))

    def _update_boundary(self, current: State, planned: State, name: str) -> None:
        new = planned.get("permissions_boundary")
        if new == current.get("permissions_boundary"):
            return
        if new:
            self.aws.iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=new)
        else:
            self.aws.iam.delete_role_permissions_boundary(RoleName=name)

    def _apply_exclusive(self, config: State, name: str) -> None:
        """The deprecated arguments manage policies exclusively, but only when configured."""
        if config.get("inline_policy"):
            apply_exclusive_inline_policies(self.aws.iam, name, config["inline_policy"])
        managed = config.get("managed_policy_arns")
        if managed is not None:
            apply_exclusive_managed_policies(self.aws.iam, name, managed)

    def delete(self, ctx: Any, current: State) -> State | None:
        name = current["id"]
        try:
            strip_role_for_delete(self.aws.iam, name, bool(current.get("force_detach_policies")))
            self.aws.iam.delete_role(RoleName=name)
        except AwsError as exc:
            if is_not_found(exc):
                return None
            add_error(ctx.diagnostics, f"deleting IAM Role ({name})", exc)
            return current
        return None

    def import_(self, ctx: Any, id: str) -> State | None:
        return self.new_state(id=id, force_detach_policies=False)


def _reading(name: str) -> str:
    return f"reading IAM Role ({name})"


def _keep_equivalent_inline(
    prior: list[dict[str, Any]] | None, fresh: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_name = {p.get("name"): p.get("policy") for p in prior or []}
    return [
        {"name": p["name"], "policy": keep_if_equivalent(by_name.get(p["name"]), p["policy"])}
        for p in fresh
    ]
