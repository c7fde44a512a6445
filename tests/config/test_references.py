"""Cross-reference errors are reported together with the schema's, not only once it passes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orgtf.config.checks import check_all
from orgtf.config.model import OrgConfig
from orgtf.config.references import check_references
from tests.config.validating import BASE, validate

# Every kind of reference, each broken once: the master account, a role's account and
# policy, a group's role (unknown account, unknown role, not deployed there), a user's group.
BROKEN = """\
organization:
  name: example
  master_account: mastr
accounts:
  master: {id: "012345678901"}
  production: {id: "123456789012"}
  staging-eu: {id: "234567890123"}
policies:
  read-logs:
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "logs:Get*", Resource: "*"}]}
roles:
  ReadOnly:
    accounts: [production, staging]
    policies: [read-log]
groups:
  devs:
    roles: [prod/ReadOnly, production/ReadOnlyy, staging-eu/ReadOnly]
users:
  alice: {groups: [devs, admins]}
"""


def test_the_same_messages_as_the_checks_of_a_valid_schema() -> None:
    data = yaml.safe_load(BROKEN)
    config = OrgConfig.model_validate(data)
    checked = [f for f in check_all(config) if f.message.startswith(("unknown", "role "))]
    assert sorted(check_references(data)) == sorted(checked)
    assert len(checked) == 7


def test_schema_and_cross_reference_errors_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace("[production]", "[production, staging]")
    text = text.replace('production: {id: "123456789012"}', 'production: {id: "1234"}')
    text = text.replace("alice: {groups: [devs]}", "alice: {groups: [devs], extra: 1}")
    code, errors = validate(tmp_path, text, capsys)
    assert code == 3
    assert errors == [
        "org.yaml:6:20: error: invalid value '1234': an account id is exactly 12 digits",
        "org.yaml:9:28: error: unknown account 'staging'",
        "org.yaml:15:27: error: unknown key 'extra'",
    ]


def test_did_you_mean_across_phases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.replace("  production:", "  staging-eu:").replace("[production", "[staging")
    text = text.replace("    accounts: [staging]", "    accounts: [staging]\n    colour: red")
    code, errors = validate(tmp_path, text, capsys)
    assert code == 3
    assert errors == [
        "org.yaml:9:16: error: unknown account 'staging' (did you mean 'staging-eu'?)",
        "org.yaml:10:5: error: unknown key 'colour'",
        "org.yaml:14:13: error: unknown account 'staging' (did you mean 'staging-eu'?)",
    ]


def test_values_of_the_wrong_shape_are_left_to_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace("accounts: [production]", "accounts: production")
    text = text.replace("groups: [devs]", "groups: [devs, {name: x}]")
    code, errors = validate(tmp_path, text, capsys)
    assert code == 3
    assert errors == [
        "org.yaml:9:15: error: expected a list, got 'production'",
        "org.yaml:15:26: error: Input should be a valid string",
    ]
