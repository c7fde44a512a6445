"""aws_iam_policy: id = ARN; name, name_prefix, path and description force replacement."""

from __future__ import annotations

from typing import Any

from tf.schema import Attribute

from orgtf.sandbox.provider import framework as fw
from orgtf.sandbox.provider.errors import AwsError, add_error, is_not_found
from orgtf.sandbox.provider.naming import create_name, name_prefix_from_name
from orgtf.sandbox.provider.policy_json import document_text, keep_if_equivalent
from orgtf.sandbox.provider.resource_base import SdkResource
from orgtf.sandbox.provider.tags import from_aws, resource_tags, tag_changes, to_aws

State = fw.State
_MAX_VERSIONS = 5


class IamPolicy(SdkResource):
    """A customer managed policy; a policy change adds a new default version."""

    type_name = "aws_iam_policy"
    conflicting = (("name", "name_prefix"),)

    @classmethod
    def build_schema(cls) -> Any:
        return fw.resource_schema(
            [
                Attribute("arn", fw.string(), computed=True),
                Attribute("attachment_count", fw.number(), computed=True),
                Attribute("delay_after_policy_creation_in_ms", fw.number(), optional=True),
                Attribute("description", fw.string(), optional=True, requires_replace=True),
                fw.id_attribute(),
                Attribute("name", fw.string(), optional=True, computed=True, requires_replace=True),
                Attribute(
                    "name_prefix", fw.string(), optional=True, computed=True, requires_replace=True
                ),
                Attribute("path", fw.string(), optional=True, default="/", requires_replace=True),
                Attribute("policy", fw.PolicyDocument(), required=True),
                Attribute("policy_id", fw.string(), computed=True),
                *fw.tags_attributes(),
            ]
        )

    def create(self, ctx: Any, planned: State) -> State | None:
        name = create_name(planned.get("name"), planned.get("name_prefix"))
        args: dict[str, Any] = {
            "PolicyName": name,
            "Path": planned["path"],
            "PolicyDocument": planned["policy"],
        }
        if planned.get("description"):
            args["Description"] = planned["description"]
        if planned.get("tags_all"):
            args["Tags"] = to_aws(planned["tags_all"])
        try:
            arn = self.aws.iam.create_policy(**args)["Policy"]["Arn"]
        except AwsError as exc:
            add_error(ctx.diagnostics, f"creating IAM Policy ({name})", exc)
            return None
        created = {**planned, "id": arn, "arn": arn, "name": name}
        return self.read_back(ctx, _reading(arn), lambda: self._fetch(created), created)

    def read(self, ctx: Any, current: State) -> State | None:
        return self.refresh(ctx, _reading(current["id"]), lambda: self._fetch(current), current)

    def _fetch(self, current: State) -> State:
        arn = current["id"]
        policy = self.aws.iam.get_policy(PolicyArn=arn)["Policy"]
        version_id = policy["DefaultVersionId"]
        version = self.aws.iam.get_policy_version(PolicyArn=arn, VersionId=version_id)
        document = document_text(version["PolicyVersion"]["Document"])
        tags = from_aws(policy.get("Tags"))
        return self.new_state(
            id=policy["Arn"],
            arn=policy["Arn"],
            attachment_count=policy.get("AttachmentCount", 0),
            delay_after_policy_creation_in_ms=current.get("delay_after_policy_creation_in_ms"),
            description=policy.get("Description") or None,
            name=policy["PolicyName"],
            name_prefix=name_prefix_from_name(policy["PolicyName"]),
            path=policy["Path"],
            policy=keep_if_equivalent(current.get("policy"), document),
            policy_id=policy["PolicyId"],
            tags=resource_tags(tags, self.aws.default_tags, current.get("tags")),
            tags_all=tags,
        )

    def update(self, ctx: Any, current: State, planned: State) -> State | None:
        arn = current["id"]
        try:
            if planned["policy"] != current["policy"]:
                self._new_default_version(arn, planned["policy"])
            self._update_tags(arn, current.get("tags_all") or {}, planned.get("tags_all") or {})
        except AwsError as exc:
            add_error(ctx.diagnostics, f"updating IAM Policy ({arn})", exc)
            return current
        return self.read_back(ctx, _reading(arn), lambda: self._fetch(planned), current)

    def _new_default_version(self, arn: str, document: str) -> None:
        iam = self.aws.iam
        versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        old = sorted(
            (v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"]
        )
        while len(old) >= _MAX_VERSIONS - 1:
            iam.delete_policy_version(PolicyArn=arn, VersionId=old.pop(0)["VersionId"])
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document, SetAsDefault=True)

    def _update_tags(self, arn: str, old: dict[str, str], new: dict[str, str]) -> None:
        upserts, removals = tag_changes(old, new)
        if removals:
            self.aws.iam.untag_policy(PolicyArn=arn, TagKeys=removals)
        if upserts:
            self.aws.iam.tag_policy(PolicyArn=arn, Tags=to_aws(upserts))

    def delete(self, ctx: Any, current: State) -> State | None:
        arn = current["id"]
        iam = self.aws.iam
        try:
            for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
                if not version["IsDefaultVersion"]:
                    iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
            iam.delete_policy(PolicyArn=arn)
        except AwsError as exc:
            if not is_not_found(exc):
                add_error(ctx.diagnostics, f"deleting IAM Policy ({arn})", exc)
                return current
        return None

    def import_(self, ctx: Any, id: str) -> State | None:
        return self.new_state(id=id)


def _reading(arn: str) -> str:
    return f"reading IAM Policy ({arn})"
