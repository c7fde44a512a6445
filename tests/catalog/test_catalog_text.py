"""``orgtf catalog --format text``: the roles, their console links and every difference."""

from __future__ import annotations

from pathlib import Path

import pytest

from orgtf.catalog.format import format_catalog
from orgtf.catalog.state import parse_account_outputs
from orgtf.config import Organization, load_organization
from tests.catalog.test_catalog import (
    ORG,
    catalog_of,
    deployed,
    dev_outputs,
    master_outputs,
    prod_outputs,
)

SWITCH = "https://signin.aws.amazon.com/switchrole"


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Organization:
    path: Path = tmp_path_factory.mktemp("catalog-text") / "org.yaml"
    path.write_text(ORG, encoding="utf-8")
    return load_organization(path)


def test_text_lists_every_difference_it_counts(acme: Organization) -> None:
    grants = {
        "admins": ["arn:aws:iam::123456789012:role/Admin"],  # dev's Admin grant not deployed
        "ops": ["arn:aws:iam::123456789012:role/team/Ops"],
    }
    members = {"alice": ["admins", "ops"], "bob": ["ops"], "carol": [], "eve\x1b[2J": []}
    catalog = catalog_of(
        acme,
        parse_account_outputs("identity", master_outputs(grants, members)),
        parse_account_outputs("prod", prod_outputs()),
        parse_account_outputs("dev", dev_outputs()),
    )
    assert len(catalog.differences) == 2
    text = format_catalog(catalog, "text")
    lines = text.splitlines()
    start = lines.index("Differences from org.yaml (orgtf plan shows what reconciles them):")
    assert lines[start + 1 : start + 3] == [
        "  group admins: grants differ from org.yaml (to add arn:aws:iam::234567890123:role/Admin)",
        "  user eve?[2J: deployed but no longer in org.yaml",
    ]
    assert "\x1b" not in text
    assert lines[-1].endswith("; 2 differences from org.yaml")


def test_text_shows_each_roles_console_link(acme: Organization) -> None:
    text = format_catalog(deployed(acme), "text")
    lines = text.splitlines()
    start = lines.index("Console (switch role):")
    assert lines[start + 1 : start + 4] == [
        f"  dev/Admin   {SWITCH}?roleName=Admin&account=234567890123&displayName=dev%2FAdmin",
        f"  prod/Admin  {SWITCH}?roleName=Admin&account=123456789012&displayName=prod%2FAdmin",
        f"  prod/Ops    {SWITCH}?roleName=team%2FOps&account=123456789012&displayName=prod%2FOps",
    ]
    assert "Differences from org.yaml" not in text  # none to list
    assert lines[-1].endswith("; 0 differences from org.yaml")
