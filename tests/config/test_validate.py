"""`orgtf validate`: every rule reports file:line:col and exits 3; a valid file exits 0."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from orgtf.cli import main

BASE = """\
organization:
  name: example
  master_account: master
accounts:
  master: {id: "012345678901"}
  production: {id: "123456789012", protected: true}
  qa: {id: "234567890123"}
roles:
  ReadOnly:
    accounts: [production, qa]
    managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
groups:
  devs:
    roles: [production/ReadOnly]
users:
  alice: {groups: [devs]}
"""


def run_validate(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "org.yaml"
    path.write_text(textwrap.dedent(text))
    code = main(["--config", str(path), "validate"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def errors_of(output: str) -> list[str]:
    """Error lines with the file path cut down to its name."""
    return [line[line.index("org.yaml:") :] for line in output.splitlines() if ": error: " in line]


def test_example_org_yaml_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(Path(__file__).parents[2] / "org.yaml"), "validate"])
    out = capsys.readouterr().out
    assert code == 0
    assert "5 accounts, 6 roles, 3 groups, 3 users" in out


def test_base_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_validate(tmp_path, BASE, capsys)[0] == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "org.yaml:1:1: error: the file is empty; expected a mapping"),
        ("- a\n- b\n", "org.yaml:1:1: error: expected a mapping, got a list"),
        ("organization: [\n", "org.yaml:2:1: error: YAML syntax error"),
        ("a: b\n  c: d\n", "org.yaml:2:4: error: YAML syntax error"),
    ],
)
def test_file_level_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    assert errors_of(out)[0].startswith(expected)
    assert "Traceback" not in out


def test_duplicate_keys_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.replace("  qa: {id:", '  production: {id: "999999999999"}\n  qa: {id:')
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    assert errors_of(out) == [
        "org.yaml:7:3: error: duplicate key 'production' (first defined at line 6)"
    ]


def test_unknown_keys_get_did_you_mean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.replace(
        "    managed_policy_arns:", "    require_mfaa: true\n    managed_policy_arns:"
    )
    text = text.replace("  master_account: master", "  master_account: master\n  regoin: eu-west-1")
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    assert errors_of(out) == [
        "org.yaml:4:3: error: unknown key 'regoin' (did you mean 'region'?)",
        "org.yaml:12:5: error: unknown key 'require_mfaa' (did you mean 'require_mfa'?)",
    ]


def test_every_problem_is_reported_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace("[production, qa]", "[production, staging]").replace(
        "groups: [devs]", "groups: [devs, admins]"
    )
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    assert errors_of(out) == [
        "org.yaml:10:28: error: unknown account 'staging'",
        "org.yaml:16:26: error: unknown group 'admins'",
    ]
    assert "2 problems found" in out


def test_wrong_types(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.replace("protected: true", "protected: maybe").replace(
        "accounts: [production, qa]", "accounts: production"
    )
    text = text.replace("  ReadOnly:\n", "  ReadOnly:\n    tags: {cost-center: 1234}\n")
    code, out = run_validate(tmp_path, text, capsys)
    errors = errors_of(out)
    assert code == 3
    assert errors[0].startswith("org.yaml:6:47: error: expected true or false, got 'maybe'")
    assert errors[1] == "org.yaml:10:25: error: expected a string, got 1234; quote it"
    assert errors[2] == "org.yaml:11:15: error: expected a list, got 'production'"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "012345670123",
            "account id 012345670123 is read by YAML as the number 1402433619; quote it",
        ),
        ('"12345"', "invalid value '12345': an account id is exactly 12 digits"),
        (
            "1234567890123",
            "account id 1234567890123 has 13 digits; account ids are exactly 12 digits",
        ),
        ("0x1234", "account id 0x1234 is read by YAML as the number 4660; quote it"),
    ],
)
def test_account_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    text = BASE.replace('qa: {id: "234567890123"}', f"qa: {{id: {value}}}")
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    assert errors_of(out)[0].startswith(f"org.yaml:7:12: error: {message}")


def test_unquoted_twelve_digit_ids_are_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace('"123456789012"', "123456789012").replace('"012345678901"', "012345678901")
    assert run_validate(tmp_path, text, capsys)[0] == 0


def test_duplicate_account_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.replace('qa: {id: "234567890123"}', 'qa: {id: "123456789012"}')
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    assert errors_of(out) == [
        "org.yaml:7:12: error: account id 123456789012 is already used by account 'production'"
    ]


def test_master_account_must_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_validate(
        tmp_path, BASE.replace("master_account: master", "master_account: mastr"), capsys
    )
    assert code == 3
    assert errors_of(out) == [
        "org.yaml:3:19: error: unknown account 'mastr' (did you mean 'master'?)"
    ]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("qa/ReadOnly", None),
        ("prod/ReadOnly", "unknown account 'prod'"),
        ("production/ReadOnlyy", "unknown role 'ReadOnlyy' (did you mean 'ReadOnly'?)"),
        (
            "master/ReadOnly",
            "role 'ReadOnly' is not deployed to account 'master' (only to: production, qa)",
        ),
        ("ReadOnly", "invalid value 'ReadOnly': write roles as account/RoleName"),
    ],
)
def test_group_role_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: str, message: str | None
) -> None:
    code, out = run_validate(tmp_path, BASE.replace("[production/ReadOnly]", f"[{ref}]"), capsys)
    if message is None:
        assert code == 0
    else:
        assert code == 3
        assert errors_of(out) == [f"org.yaml:14:13: error: {message}"]


@pytest.mark.parametrize(
    ("old", "new", "position", "message"),
    [
        ("  alice:", "  " + "a" * 65 + ":", "16:3", "String should have at most 64 characters"),
        (
            "    accounts: [production, qa]\n",
            "    accounts: [production, qa]\n    path: teams/\n",
            "11:11",
            "invalid value 'teams/': a path starts and ends with /",
        ),
        (
            "[arn:aws:iam::aws:policy/ReadOnlyAccess]",
            "[ReadOnlyAccess]",
            "11:27",
            "'ReadOnlyAccess' is not a policy ARN",
        ),
        (
            "    accounts: [production, qa]\n",
            "    accounts: [production, qa]\n    max_session_duration: 60\n",
            "11:27",
            "Input should be greater than or equal to 3600",
        ),
        (
            "    accounts: [production, qa]\n",
            "    accounts: [production, qa]\n    max_session_duration: 50000\n",
            "11:27",
            "Input should be less than or equal to 43200",
        ),
        (
            "  name: example",
            "  name: Example_Org",
            "2:9",
            "invalid value 'Example_Org': use lower-case",
        ),
    ],
)
def test_names_paths_arns_and_ranges(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    position: str,
    message: str,
) -> None:
    code, out = run_validate(tmp_path, BASE.replace(old, new), capsys)
    assert code == 3
    errors = errors_of(out)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"org.yaml:{position}: error: {message}")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  ReadOnly:\n",
            "  Read Only:\n",
            [
                "org.yaml:9:3: error: invalid value 'Read Only': use only letters, digits and +=,.@_-",
                "org.yaml:14:13: error: unknown role 'ReadOnly' (did you mean 'Read Only'?)",
            ],
        ),
        (
            "  devs:\n",
            "  devs/x:\n",
            [
                "org.yaml:13:3: error: invalid value 'devs/x': use only letters, digits and +=,.@_-",
                "org.yaml:16:20: error: unknown group 'devs' (did you mean 'devs/x'?)",
            ],
        ),
    ],
)
def test_a_name_the_schema_refuses_is_reported_with_its_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: list[str]
) -> None:
    code, out = run_validate(tmp_path, BASE.replace(old, new), capsys)
    assert code == 3
    assert errors_of(out) == expected


POLICY = """\
policies:
  mon:
    document:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: ec2:DescribeInstances
          Resource: "*"
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('Version: "2012-10-17"', 'Version: "2012"', "11:16: error: Version must be one of"),
        (
            'Version: "2012-10-17"',
            "Version: 2012-10-17",
            "11:16: error: YAML reads 2012-10-17 as a date; quote it",
        ),
        ("Effect: Allow", "Effect: allow", "13:19: error: Effect must be Allow or Deny"),
        (
            "          Action: ec2:DescribeInstances\n",
            "",
            "13:11: error: a statement needs exactly one of Action or NotAction",
        ),
        (
            '          Resource: "*"\n',
            "",
            "13:11: error: a statement needs exactly one of Resource or NotResource",
        ),
        (
            "Action: ec2:DescribeInstances",
            "Action: DescribeInstances",
            "14:19: error: 'DescribeInstances' is not an action",
        ),
        (
            '      Statement:\n        - Effect: Allow\n          Action: ec2:DescribeInstances\n          Resource: "*"\n',
            "      Statement: []\n",
            "12:18: error: Statement must be a non-empty list",
        ),
        (
            'Resource: "*"',
            'Resource: "*"\n          Principal: {AWS: "*"}',
            "16:11: error: unknown statement key 'Principal' (identity policies have no principal)",
        ),
    ],
)
def test_policy_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    text = BASE.replace("roles:\n", POLICY.replace(old, new) + "roles:\n", 1)
    text = text.replace(
        "managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]", "policies: [mon]"
    )
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    errors = errors_of(out)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"org.yaml:{message}")


def test_policy_reference_must_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.replace(
        "managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]", "policies: [mon]"
    )
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    assert errors_of(out) == ["org.yaml:11:16: error: unknown policy 'mon'"]


def test_s3_state_needs_bucket_and_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace(
        "  master_account: master", "  master_account: master\n  state: {backend: s3}"
    )
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    assert errors_of(out) == [
        "org.yaml:4:3: error: missing required key 'bucket'",
        "org.yaml:4:3: error: missing required key 'lock_table'",
    ]


def test_access_role_name_cannot_be_a_child_role(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace("  ReadOnly:\n", "  OrganizationAccountAccessRole:\n").replace(
        "production/ReadOnly", "production/OrganizationAccountAccessRole"
    )
    code, out = run_validate(tmp_path, text, capsys)
    assert "is orgtf's access role (organization.access_role) in account 'production'" in out
    assert code == 3


def test_debug_shows_traceback_only_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("")
    assert main(["--debug", "--config", str(path), "validate"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "nope.yaml"), "validate"]) == 4
    assert f"{tmp_path / 'nope.yaml'}: no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: &x [*x]\n",
            "org.yaml:1:4: error: an alias refers to a mapping or list that contains it",
        ),
        ("organization: !foo bar\n", "org.yaml:1:15: error: cannot read 'bar' as !foo"),
        (
            "organization: !!int abc\n",
            "org.yaml:1:15: error: cannot read 'abc' as tag:yaml.org,2002:int",
        ),
        (
            "organization: !!python/object:os.system {a: 1}\n",
            "org.yaml:1:15: error: unsupported YAML tag",
        ),
        (
            "organization: " + "[" * 3000 + "]" * 3000 + "\n",
            # LibYAML stops at its 1,000th level; the pure-Python parser cannot say where.
            f"org.yaml:1:{1014 if yaml.__with_libyaml__ else 1}: error: the file nests too deeply",
        ),
        (
            'organization: {name: "a\x01"}\n',
            "org.yaml:1:24: error: control character '\\x01' is not allowed",
        ),
        (
            'café: {name: "é\x01"}\n',
            "org.yaml:1:16: error: control character '\\x01' is not allowed",
        ),
        ("<<: 5\n", "org.yaml:1:5: error: a merge key (<<) takes a mapping or a list of mappings"),
    ],
)
def test_hostile_yaml_is_reported_not_crashed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3, out
    assert "Traceback" not in out
    assert any(line.startswith(expected) for line in errors_of(out)), errors_of(out)


def test_alias_bombs_are_stopped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(10))}]" for i in range(1, 10)]
    code, out = run_validate(tmp_path, "\n".join(lines) + "\n", capsys)
    assert code == 3
    assert "the file expands to over 1,000,000 values" in out


def test_non_utf8_file_names_the_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "org.yaml"
    path.write_bytes(b"organization:\n  name: caf\xe9\n")
    assert main(["--config", str(path), "validate"]) == 3
    err = capsys.readouterr().err
    assert "org.yaml:2:12: error: not UTF-8: byte 0xe9 cannot be read" in err


def test_problems_from_reading_and_schema_come_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace("  name: example\n", "  name: example\n  name: again\n").replace(
        'qa: {id: "234567890123"}', 'qa: {id: "1"}'
    )
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    assert [e.split(": error: ")[1][:20] for e in errors_of(out)] == [
        "duplicate key 'name'",
        "invalid value '1': a",
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  ReadOnly:\n",
            "  ReadOnly:\n    accounts: [qa]\n  readonly:\n",
            "'readonly' and 'ReadOnly' differ only in case",
        ),
        (
            "  ReadOnly:\n",
            "  organizationaccountaccessrole:\n",
            "'organizationaccountaccessrole' and 'OrganizationAccountAccessRole' differ only in case; IAM treats them as one name in account 'production'",
        ),
        (
            "  alice: {groups: [devs]}",
            "  alice: {groups: [devs]}\n  Alice: {}",
            "'Alice' and 'alice' differ only in case",
        ),
        ("  ReadOnly:\n", "  Rôle:\n", "invalid value 'Rôle': use only letters, digits"),
        (
            "    accounts: [production, qa]\n",
            "    accounts: [production, qa]\n    tags: {aws:team: x}\n",
            "tag key 'aws:team': the aws: prefix is reserved",
        ),
        (
            "    accounts: [production, qa]\n",
            '    accounts: [production, qa]\n    tags: {team: "${x}"}\n',
            "tag 'team': '${x}' has '$', which IAM refuses in tags",
        ),
        (
            "    accounts: [production, qa]\n",
            "    accounts: [production, qa]\n    permissions_boundary: |\n      arn:aws:iam::aws:policy/Boundary\n",
            "'arn:aws:iam::aws:policy/Boundary\\n' is not a policy ARN",
        ),
        (
            "  master_account: master\n",
            "  master_account: master\n  state: {backend: s3, bucket: b-b-b, lock_table: t, region: 'us-east-1${x}'}\n",
            "invalid value 'us-east-1${x}'",
        ),
        (
            "  master_account: master\n",
            "  master_account: master\n  state: {bucket: b-b-b}\n",
            "missing required key 'backend' (local or s3)",
        ),
        (
            '  qa: {id: "234567890123"}',
            "  " + "q" * 59 + ': {id: "234567890123"}',
            "invalid value 'qqqq",
        ),
        ("users:\n  alice: {groups: [devs]}\n", "users:\n", None),
    ],
)
def test_iam_naming_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str | None
) -> None:
    assert old in BASE
    code, out = run_validate(tmp_path, BASE.replace(old, new), capsys)
    if message is None:
        assert code == 0, out
        return
    assert code == 3
    assert any(message in line for line in errors_of(out)), errors_of(out)


def test_statement_sid_and_conditions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.replace("roles:\n", POLICY + "roles:\n", 1).replace(
        '          Resource: "*"\n',
        '          Resource: "*"\n          Sid: has spaces\n          Condition: {StringEquals: 5}\n',
    )
    text = text.replace(
        "managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]", "policies: [mon]"
    )
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    messages = [e.split(": error: ")[1] for e in errors_of(out)]
    assert messages == [
        "Sid may hold only letters and digits",
        "condition operator 'StringEquals' needs a mapping of keys to values",
    ]


def test_nan_in_a_policy_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.replace("roles:\n", POLICY + "roles:\n", 1).replace(
        '          Resource: "*"\n',
        '          Resource: "*"\n          Condition: {NumericLessThan: {"aws:x": .nan}}\n',
    )
    text = text.replace(
        "managed_policy_arns: [arn:aws:iam::aws:policy/ReadOnlyAccess]", "policies: [mon]"
    )
    code, out = run_validate(tmp_path, text, capsys)
    assert code == 3
    assert "YAML reads .nan as a number JSON cannot hold; quote it" in out
