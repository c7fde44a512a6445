"""`orgtf validate` lints every policy against IAM's definitions: warnings at the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orgtf.cli import main

ORG = """\
organization:
  name: example
  master_account: master
accounts:
  master: {id: "012345678901"}
  production: {id: "123456789012", protected: true}
  qa: {id: "234567890123"}
policies:
  foo-monitoring:
    document:
      Version: "2012-10-17"
      Statement:
        - Sid: DescribeFooInstances
          Effect: Allow
          Action: [ec2:DescribeInstances, ec2:DescribeInstanceStatus]
          Resource: "*"
          Condition:
            StringEquals: {"ec2:ResourceTag/Application": Foo}
roles:
  FooMonitoring:
    accounts: [production]
    policies: [foo-monitoring]
    require_mfa: true
groups:
  operators:
    roles: [production/FooMonitoring]
users:
  carol: {groups: [operators]}
"""
DEAD_CONDITION = (
    "org.yaml:18:28: warning: condition key 'ec2:ResourceTag/Application' is not supported by "
    "ec2:DescribeInstances, ec2:DescribeInstanceStatus: StringEquals never holds for them, so "
    "the statement grants them nothing [condition-key]"
)
FIXED = ORG.replace(
    '          Condition:\n            StringEquals: {"ec2:ResourceTag/Application": Foo}\n', ""
)


def run(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str], *flags: str
) -> tuple[int, list[str], str]:
    """Exit code, the diagnostic lines (cut to start at ``org.yaml:``) and stdout."""
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["--config", str(path), "validate", *flags])
    out, err = capsys.readouterr()
    lines = [line[line.index("org.yaml:") :] for line in err.splitlines() if "org.yaml:" in line]
    return code, lines, out


def statement(body: str, *, account: str = "qa") -> str:
    """ORG with foo-monitoring's statement replaced by ``body`` (indented as a list item)."""
    start = ORG.index("        - Sid: DescribeFooInstances")
    end = ORG.index("roles:")
    text = ORG[:start] + body + ORG[end:]
    return text.replace("accounts: [production]", f"accounts: [{account}]").replace(
        "[production/FooMonitoring]", f"[{account}/FooMonitoring]"
    )


def test_a_dead_condition_is_a_warning_at_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, out = run(tmp_path, ORG, capsys)
    assert code == 0
    assert lines == [DEAD_CONDITION]
    assert out.endswith(
        "valid: organization 'example', 3 accounts, 1 role, 1 group, 1 user (1 warning)\n"
    )


def test_strict_makes_warnings_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, out = run(tmp_path, ORG, capsys, "--strict")
    assert code == 3
    assert lines == [DEAD_CONDITION.replace(": warning: ", ": error: ")]
    assert out == ""


def test_without_warnings_strict_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, out = run(tmp_path, FIXED, capsys, "--strict")
    assert (code, lines) == (0, [])
    assert out.endswith("3 accounts, 1 role, 1 group, 1 user\n")


def test_json_lists_warnings_and_stays_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(ORG)
    assert main(["--config", str(path), "validate", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["valid"] is True
    assert document["summary"]["roles"] == 1
    [finding] = document["findings"]
    assert (finding["line"], finding["column"], finding["severity"]) == (18, 28, "warning")
    assert finding["message"].endswith("[condition-key]")
    assert main(["--config", str(path), "validate", "--format", "json", "--strict"]) == 3
    document = json.loads(capsys.readouterr().out)
    assert document["valid"] is False
    assert [f["severity"] for f in document["findings"]] == ["error"]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("s3:GetObjekt", "unknown action 's3:GetObjekt' (did you mean 's3:GetObject'?)"),
        ("s3:getobject", None),  # IAM ignores case
        ("s3:Get*", None),
        ("s3:Gett*", "'s3:Gett*' matches no action of s3"),
        ("s3e:GetObject", "unknown service 's3e' in 's3e:GetObject' (did you mean 's3'?)"),
    ],
)
def test_unknown_actions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str, message: str | None
) -> None:
    body = f"""\
        - Effect: Allow
          Action: [s3:ListBucket, {action}]
          Resource: "*"
"""
    code, lines, _ = run(tmp_path, statement(body), capsys)
    assert code == 0
    expected = [f"org.yaml:14:35: warning: {message} [unknown-action]"] if message else []
    assert lines == expected


def test_resource_types(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = """\
        - Effect: Allow
          Action: [s3:ListBucket, s3:GetObject, ec2:DescribeInstances]
          Resource: ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*", "arn:aws:sqs:*:*:queue"]
"""
    code, lines, _ = run(tmp_path, statement(body), capsys)
    assert code == 0
    assert lines == [
        'org.yaml:14:49: warning: ec2:DescribeInstances takes no resource ARN, only Resource "*": '
        "the statement grants it nothing [resource-type]",
        "org.yaml:15:66: warning: no action of the statement takes 'arn:aws:sqs:*:*:queue', so "
        "the statement grants nothing on it [resource-type]",
    ]


def test_an_object_action_on_a_bucket(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = """\
        - Effect: Allow
          Action: s3:GetObject
          Resource: arn:aws:s3:::logs
"""
    code, lines, _ = run(tmp_path, statement(body), capsys)
    assert code == 0
    assert lines == [
        "org.yaml:14:19: warning: s3:GetObject takes accesspointobject "
        "(arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/"
        "${ObjectName}), object (arn:${Partition}:s3:::${BucketName}/${ObjectName}), not "
        "'arn:aws:s3:::logs': the statement grants it nothing [resource-type]"
    ]


def test_not_action_and_not_resource_with_allow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = """\
        - Effect: Allow
          NotAction: iam:*
          NotResource: arn:aws:s3:::secrets/*
        - Effect: Deny
          NotAction: iam:Get*
          Resource: "*"
"""
    code, lines, _ = run(tmp_path, statement(body), capsys)
    assert code == 0
    assert lines == [
        "org.yaml:14:11: warning: Allow with NotAction grants every action of every service "
        "except those listed, including ones AWS adds later; list the actions to grant in "
        "Action [not-action-allow]",
        "org.yaml:15:11: warning: Allow with NotResource grants the actions on every resource "
        "except those listed, in every service; list the resources in Resource "
        "[not-resource-allow]",
    ]


@pytest.mark.parametrize(
    ("account", "resource", "condition", "expected"),
    [
        ("production", '"*"', "", True),
        ("qa", '"*"', "", False),  # not a protected account
        ("production", "arn:aws:rds:us-east-1:123456789012:db:foo-*", "", False),
        ("production", '"*"', '{StringEquals: {"aws:ResourceTag/app": foo}}', False),
    ],
)
def test_destructive_actions_on_every_resource_of_a_protected_account(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    account: str,
    resource: str,
    condition: str,
    expected: bool,
) -> None:
    body = f"""\
        - Effect: Allow
          Action: [rds:DescribeDBInstances, rds:DeleteDBInstance, rds:Delete*]
          Resource: {resource}
"""
    body += f"          Condition: {condition}\n" if condition else ""
    code, lines, _ = run(tmp_path, statement(body, account=account), capsys)
    assert code == 0
    if not expected:
        assert lines == []
        return
    where = "in protected account 'production' (role FooMonitoring)"
    fix = "name the resources it may destroy in Resource [wildcard-destructive]"
    assert lines[0] == (
        f'org.yaml:14:45: warning: rds:DeleteDBInstance is allowed on Resource "*" {where}: {fix}'
    )
    # how many more: as many as IAM has Delete actions in RDS
    assert lines[1].startswith("org.yaml:14:67: warning: rds:Delete* covers rds:DeleteBlueGr")
    assert lines[1].endswith(f' more, allowed on Resource "*" {where}: {fix}')
    assert len(lines) == 2


def test_a_finding_silenced_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ORG.replace(
        "roles:\n",
        "    lint:\n      ignore:\n"
        "        - {finding: condition-key, statement: DescribeFooInstances, "
        "reason: kept until FOO-12 tags the instances}\n"
        "roles:\n",
    )
    code, lines, out = run(tmp_path, text, capsys)
    assert code == 0
    silenced = DEAD_CONDITION.replace(": warning: ", ": note: silenced: ")
    assert lines == [f"{silenced}; reason: kept until FOO-12 tags the instances"]
    assert out.endswith("1 user (1 silenced)\n")
    code, lines, _ = run(tmp_path, text, capsys, "--strict")
    assert code == 0  # silenced findings are not warnings
    code, _, out = run(tmp_path, text, capsys, "--format", "json", "--strict")
    document = json.loads(out)
    assert (code, document["valid"]) == (0, True)
    [note] = document["findings"]
    assert (note["line"], note["column"], note["severity"]) == (18, 28, "note")
    assert note["reason"] == "kept until FOO-12 tags the instances"


def test_an_ignore_that_silences_nothing_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = FIXED.replace(
        "roles:\n",
        "    lint:\n      ignore:\n"
        "        - {finding: condition-key, reason: the tags are coming}\n"
        "roles:\n",
    )
    code, lines, _ = run(tmp_path, text, capsys)
    assert code == 0
    assert lines == [
        "org.yaml:19:11: warning: nothing to silence: no condition-key finding here; remove "
        "this entry [unused-ignore]"
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "{finding: condition-key, reason: ' '}",
            "21:44: error: invalid value ' ': say why the finding is intended",
        ),
        ("{finding: condition-key}", "21:11: error: missing required key 'reason'"),
        ("{finding: condition, reason: r}", "21:21: error: Input should be 'unknown-action'"),
    ],
)
def test_an_ignore_needs_a_known_finding_and_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str, message: str
) -> None:
    text = ORG.replace("roles:\n", f"    lint:\n      ignore:\n        - {entry}\nroles:\n")
    code, lines, _ = run(tmp_path, text, capsys)
    assert code == 3
    assert lines[0].startswith(f"org.yaml:{message}")


def test_a_role_silences_findings_of_its_inline_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = FIXED.replace(
        "    require_mfa: true\n",
        "    require_mfa: true\n"
        "    inline_policy:\n"
        '      Version: "2012-10-17"\n'
        "      Statement: {Effect: Allow, NotAction: iam:*, Resource: '*'}\n"
        "    lint:\n"
        "      ignore: [{finding: not-action-allow, reason: break-glass role}]\n",
    )
    code, lines, _ = run(tmp_path, text, capsys)
    assert code == 0
    assert lines == [
        "org.yaml:24:34: note: silenced: Allow with NotAction grants every action of every "
        "service except those listed, including ones AWS adds later; list the actions to "
        "grant in Action [not-action-allow]; reason: break-glass role"
    ]


def test_warnings_are_reported_with_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ORG.replace("groups: [operators]", "groups: [operator]")
    code, lines, _ = run(tmp_path, text, capsys)
    assert code == 3
    assert lines == [
        DEAD_CONDITION,
        "org.yaml:28:20: error: unknown group 'operator' (did you mean 'operators'?)",
    ]


def test_generated_trust_and_grant_policies_lint_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = FIXED.replace("  qa: {id:", "  qa: {require_mfa: true, id:").replace(
        "accounts: [production]", "accounts: [production, qa]\n    path: /teams/ops/"
    )
    text = text.replace(
        "[production/FooMonitoring]", "[production/FooMonitoring, qa/FooMonitoring]"
    )
    text = text.replace("    require_mfa: true\n", "    mfa_max_age: 900\n")
    code, lines, _ = run(tmp_path, text, capsys, "--strict")
    assert (code, lines) == (0, [])
    narrowed = text.replace(
        "  master_account: master\n",
        "  master_account: master\n  trust:\n    principals: iam_users\n"
        "    extra_principals: [arn:aws:iam::345678901234:role/Deployer]\n",
    )
    code, lines, _ = run(tmp_path, narrowed, capsys, "--strict")
    assert (code, lines) == (0, [])


def test_the_example_org_validates_without_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).parents[2] / "org.yaml"
    assert main(["--config", str(example), "validate", "--strict"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.endswith("5 accounts, 6 roles, 3 groups, 3 users\n")
