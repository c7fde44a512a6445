"""What changes inside a resource, from recorded ``terraform show -json`` plans and from change
objects shaped as Terraform 1.0 writes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orgtf.terraform.diff import SENSITIVE, UNKNOWN, AttributeChange, attribute_changes
from orgtf.terraform.plan import parse_plan

PLANS = Path(__file__).parents[1] / "data" / "plans"
ADMIN = "arn:aws:iam::222222222222:role/Admin"
DEV_ADMIN = "arn:aws:iam::333333333333:role/Admin"


def plan_changes(name: str) -> dict[str, tuple[AttributeChange, ...]]:
    summary = parse_plan((PLANS / f"{name}.json").read_text())
    return {c.address: c.attributes for c in summary.changes}


def lines(attribute: AttributeChange) -> list[str]:
    return [str(line) for line in attribute.lines]


def update(before: dict[str, Any], after: dict[str, Any], **marks: Any) -> dict[str, Any]:
    """A ``change`` object of an in-place update, as ``terraform show -json`` writes it."""
    return {
        "actions": ["update"],
        "before": before,
        "after": after,
        "after_unknown": marks.get("after_unknown", {}),
        "before_sensitive": marks.get("before_sensitive", {}),
        "after_sensitive": marks.get("after_sensitive", {}),
    }


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_a_removed_grant_is_one_line_and_the_documents_are_objects() -> None:
    changes = plan_changes("grant_update")
    (grant,) = changes['aws_iam_group_policy.assume_roles["admins"]']
    assert grant.name == "policy"
    assert lines(grant) == [f"- Statement[AssumeRoles].Resource: {ADMIN}"]
    assert isinstance(grant.before, dict) and isinstance(grant.after, dict)
    assert grant.before["Statement"][0]["Resource"] == [ADMIN, DEV_ADMIN]  # type: ignore[index,call-overload]
    assert grant.after["Statement"][0]["Resource"] == [DEV_ADMIN]  # type: ignore[index,call-overload]
    # Unchanged attributes (name, group, id) and the unchanged group are left out.
    assert 'aws_iam_group_policy.assume_roles["readers"]' not in changes


def test_sensitive_values_are_masked_but_their_change_shows() -> None:
    (tags,) = plan_changes("grant_update")["aws_iam_user.alice"]
    assert tags.before == {"Contact": SENSITIVE, "ManagedBy": "orgtf"}
    assert tags.after == {"Contact": SENSITIVE, "ManagedBy": "orgtf"}
    assert lines(tags) == ["- Contact: (sensitive)", "+ Contact: (sensitive)"]
    shown = repr(tags) + json.dumps([tags.before, tags.after])
    assert "example.com" not in shown


def test_replacements_name_unknown_values_and_what_forces_them() -> None:
    changes = plan_changes("mixed")
    readonly = {a.name: a for a in changes['aws_iam_role.this["ReadOnly"]']}
    assert sorted(readonly) == ["arn", "id", "path", "unique_id"]
    assert readonly["arn"].after == UNKNOWN
    assert lines(readonly["arn"]) == [
        '- "arn:aws:iam::111111111111:role/ReadOnly"',
        "+ (known after apply)",
    ]
    assert readonly["path"].forces_replacement and not readonly["arn"].forces_replacement
    assert lines(readonly["path"]) == ['- "/"', '+ "/readonly/"']
    (description,) = changes['aws_iam_role.this["Admin"]']
    assert lines(description) == [
        '- "Full administrator access"',
        '+ "Full administrator access (break-glass only)"',
    ]
    # Creates and deletes have no attribute details: the whole object comes or goes.
    assert changes['aws_iam_role.this["Auditor"]'] == ()
    assert all(attributes == () for attributes in plan_changes("create").values())


def test_policy_order_and_single_values_are_not_changes() -> None:
    before = policy(
        {"Sid": "B", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Sid": "A", "Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": ["x", "y"]},
    )
    after = policy(
        {"Sid": "A", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ["y", "x"]},
        {"Sid": "B", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]},
    )
    (changed,) = attribute_changes(update({"policy": before}, {"policy": after}))
    assert changed.lines == ()


def test_each_action_resource_principal_and_condition_value_is_a_line() -> None:
    trust = {
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
    }
    before = policy(trust)
    after = policy(
        {
            **trust,
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::9:root"]},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    )
    (changed,) = attribute_changes(
        update({"assume_role_policy": before}, {"assume_role_policy": after})
    )
    # A statement without a Sid is named by its effect and actions; compared with the statement
    # it shares most values with, so a new action is one line, not a new statement.
    assert lines(changed) == [
        "+ Statement[Allow sts:AssumeRole].Action: sts:TagSession",
        "+ Statement[Allow sts:AssumeRole].Condition.Bool.aws:MultiFactorAuthPresent: true",
        "+ Statement[Allow sts:AssumeRole].Principal.AWS: arn:aws:iam::9:root",
    ]
    with_sid = [{**trust, "Sid": "Trust"}]
    (changed,) = attribute_changes(
        update(
            {"assume_role_policy": policy(*with_sid)},
            {
                "assume_role_policy": policy(
                    {**with_sid[0], "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
                )
            },
        )
    )
    assert lines(changed) == ["+ Statement[Trust].Condition.Bool.aws:SecureTransport: true"]


def test_maps_differ_key_by_key_and_unknown_or_sensitive_parts_are_named() -> None:
    change = update(
        {"tags": {"Team": "a", "Owner": "x"}, "name": "n", "secret": "old", "id": "i"},
        {"tags": {"Team": "b", "Owner": "x", "New": "y"}, "name": "n", "secret": "new"},
        after_unknown={"id": True},
        before_sensitive={"secret": True},
        after_sensitive={"secret": True},
    )
    attributes = {a.name: a for a in attribute_changes(change)}
    assert sorted(attributes) == ["id", "secret", "tags"]
    assert lines(attributes["tags"]) == ['+ New: "y"', '- Team: "a"', '+ Team: "b"']
    assert lines(attributes["secret"]) == ["- (sensitive)", "+ (sensitive)"]
    assert (attributes["secret"].before, attributes["secret"].after) == (SENSITIVE, SENSITIVE)
    assert lines(attributes["id"]) == ['- "i"', "+ (known after apply)"]
    assert "old" not in repr(attributes) and "new" not in json.dumps(attributes["secret"].after)


def test_an_empty_map_that_becomes_null_still_shows() -> None:
    (tags,) = attribute_changes(update({"tags": {}}, {"tags": None}))
    assert lines(tags) == ["- {}", "+ null"]


def test_statements_without_sid_pair_with_the_one_they_share_most_with() -> None:
    get = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    assume = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "X"}}
    before = policy(get, assume)
    # One statement on its own (not in a list) is the same as a list of one.
    after = json.dumps({"Statement": {**assume, "Principal": {"AWS": ["X", "Y"]}}})
    (changed,) = attribute_changes(update({"policy": before}, {"policy": after}))
    assert lines(changed) == [
        "- Statement[Allow s3:GetObject].Action: s3:GetObject",
        "- Statement[Allow s3:GetObject].Effect: Allow",
        "- Statement[Allow s3:GetObject].Resource: arn:aws:s3:::b/*",
        "+ Statement[Allow sts:AssumeRole].Principal.AWS: Y",
        "- Version: 2012-10-17",
    ]


def test_a_new_statement_shows_whole_and_twins_are_numbered() -> None:
    deny = {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}
    before = policy({"Sid": "Keep", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"})
    after = policy(
        {"Sid": "Keep", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
        {"Sid": "New", "Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
        deny,
        {**deny, "Resource": "arn:aws:s3:::x"},
    )
    (changed,) = attribute_changes(update({"policy": before}, {"policy": after}))
    assert lines(changed) == [
        "+ Statement[Deny not iam:*,sts:* #2].Effect: Deny",
        "+ Statement[Deny not iam:*,sts:* #2].NotAction: iam:*",
        "+ Statement[Deny not iam:*,sts:* #2].NotAction: sts:*",
        "+ Statement[Deny not iam:*,sts:* #2].Resource: arn:aws:s3:::x",
        "+ Statement[Deny not iam:*,sts:*].Effect: Deny",
        "+ Statement[Deny not iam:*,sts:*].NotAction: iam:*",
        "+ Statement[Deny not iam:*,sts:*].NotAction: sts:*",
        "+ Statement[Deny not iam:*,sts:*].Resource: *",
        "+ Statement[New].Action: sqs:*",
        "+ Statement[New].Effect: Allow",
        "+ Statement[New].Resource: *",
    ]
