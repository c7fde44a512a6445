"""Plan reports in text, JSON and markdown, built from recorded Terraform plans."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from orgtf.run.apply_report import format_apply, format_apply_summary
from orgtf.run.report import MARKDOWN_LIMIT, format_report
from orgtf.run.report_parts import REFUSED
from orgtf.run.results import AccountPlan, ApplyOutcome
from orgtf.terraform.diff import attribute_changes
from orgtf.terraform.plan import PlanSummary, ResourceChange, parse_plan

PLANS = Path(__file__).parents[1] / "data" / "plans"
MIXED = parse_plan((PLANS / "mixed.json").read_text())
NO_CHANGES = parse_plan((PLANS / "no_changes.json").read_text())
GRANT = parse_plan((PLANS / "grant_update.json").read_text())  # prod's Admin role removed
GRANT_ADDRESS = 'aws_iam_group_policy.assume_roles["admins"]'
PROD_ADMIN = "arn:aws:iam::222222222222:role/Admin"
DEV_ADMIN = "arn:aws:iam::333333333333:role/Admin"
ERROR = "terraform plan failed (exit 1)\n    Error: Invalid expression"
LOG = Path(".orgtf/logs/security/terraform.log")


def _results() -> list[AccountPlan]:
    return [
        AccountPlan("security", "444444444444", "error", None, ERROR, LOG),
        AccountPlan("production", "222222222222", "changes", MIXED, None, None),
        AccountPlan("master", "111111111111", "no-changes", NO_CHANGES, None, None),
    ]


def _outside_code(markdown: str) -> str:
    """The markdown without its fenced code blocks (fences of three or more backticks)."""
    kept, fence = [], ""
    for line in markdown.splitlines():
        if fence:
            fence = "" if line == fence else fence
        elif line.startswith("```"):
            fence = re.match(r"`+", line).group()  # type: ignore[union-attr]
        else:
            kept.append(line)
    return "\n".join(kept)


def _many(accounts: int, resources: int) -> list[AccountPlan]:
    results = []
    for a in range(accounts):
        changes = tuple(
            ResourceChange(
                address=f'module.account_roles.aws_iam_role.this["Role{r:04d}-in-account-{a}"]',
                type="aws_iam_role",
                name="this",
                mode="managed",
                actions=("create",) if r % 2 else ("delete", "create"),
            )
            for r in range(resources)
        )
        summary = PlanSummary("1.0.3", changes)
        results.append(AccountPlan(f"account-{a:04d}", f"{a:012d}", "changes", summary))
    return results


def test_json_follows_the_contract() -> None:
    document = json.loads(format_report(_results(), "json"))
    production = document["accounts"][1]
    attributes = {r["address"]: r.pop("attributes") for r in production["resources"]}
    assert attributes['aws_iam_role.this["Admin"]'] == {
        "description": {
            "before": "Full administrator access",
            "after": "Full administrator access (break-glass only)",
            "diff": [
                '- "Full administrator access"',
                '+ "Full administrator access (break-glass only)"',
            ],
            "forces_replacement": False,
        }
    }
    assert attributes['aws_iam_role.this["Auditor"]'] == {}  # a delete: the whole object goes
    assert sorted(attributes['aws_iam_role.this["ReadOnly"]']) == ["arn", "id", "path", "unique_id"]
    assert attributes['aws_iam_role.this["ReadOnly"]']["path"]["forces_replacement"] is True
    assert document == {
        "accounts": [
            {
                "account": "master",
                "account_id": "111111111111",
                "protected": False,
                "status": "no-changes",
                "add": 0,
                "change": 0,
                "destroy": 0,
                "apply_refuses_destroy": False,
                "resources": [],
                "error": None,
                "deleted_users": [],
                "notes": [],
            },
            {
                "account": "production",
                "account_id": "222222222222",
                "protected": False,
                "status": "changes",
                "add": 2,
                "change": 1,
                "destroy": 3,
                "apply_refuses_destroy": False,
                "resources": [
                    {"address": "aws_iam_role.deploy", "actions": ["create", "delete"]},
                    {"address": 'aws_iam_role.this["Admin"]', "actions": ["update"]},
                    {"address": 'aws_iam_role.this["Auditor"]', "actions": ["delete"]},
                    {"address": 'aws_iam_role.this["ReadOnly"]', "actions": ["delete", "create"]},
                ],
                "error": None,
                "deleted_users": [],
                "notes": [
                    "IAM roles deleted: Auditor: whoever assumes them loses that access (with "
                    "identity_center, keep_iam_roles: true keeps them while people move)"
                ],
            },
            {
                "account": "security",
                "account_id": "444444444444",
                "protected": False,
                "status": "error",
                "add": 0,
                "change": 0,
                "destroy": 0,
                "apply_refuses_destroy": False,
                "resources": [],
                "error": ERROR,
                "deleted_users": [],
                "notes": [],
            },
        ],
        "summary": {
            "accounts": 3,
            "changes": 1,
            "no-changes": 1,
            "error": 1,
            "add": 2,
            "change": 1,
            "destroy": 3,
        },
    }


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_reports_do_not_depend_on_the_order_results_arrive_in(fmt: str) -> None:
    forward = format_report(_results(), fmt)  # type: ignore[arg-type]
    assert forward == format_report(_results()[::-1], fmt)  # type: ignore[arg-type]
    assert forward.endswith("\n") and not forward.endswith("\n\n")


def test_text_has_a_table_and_the_changes_of_each_account() -> None:
    lines = format_report(_results(), "text").splitlines()
    assert lines[:5] == [
        "ACCOUNT     ACCOUNT ID    STATUS      ADD  CHANGE  DESTROY",
        "master      111111111111  no changes   +0      ~0       -0",
        "production  222222222222  changes      +2      ~1       -3",
        "security    444444444444  error       n/a     n/a      n/a",
        "3 accounts: 1 with changes, 1 without changes, 1 failed; +2 ~1 -3 in total",
    ]
    details = "\n".join(lines[5:])
    assert "production (222222222222): +2 ~1 -3\n  +/- aws_iam_role.deploy\n" in details
    assert (
        '  ~   aws_iam_role.this["Admin"]\n'
        "        description:\n"
        '  -       "Full administrator access"\n'
        '  +       "Full administrator access (break-glass only)"\n'
        '  -   aws_iam_role.this["Auditor"]\n'
        '  -/+ aws_iam_role.this["ReadOnly"]\n'
    ) in details
    assert (
        '        path:  (forces replacement)\n  -       "/"\n  +       "/readonly/"\n'
    ) in details
    assert "  outputs changing: deploy_role_arn, role_arns\n" in details
    assert f"security (444444444444): error\n  {ERROR.splitlines()[0]}" in details
    assert f"  log: {LOG}" in details
    assert "master (" not in details  # accounts without changes only appear in the table


def test_text_neutralises_terminal_escape_sequences() -> None:
    error = AccountPlan("ops", "5", "error", None, "boom \x1b[2J\x1b]0;pwned\x07")
    text = format_report([error], "text")
    assert "\x1b" not in text and "\x07" not in text and "boom ?[2J" in text


def test_markdown_is_one_table_with_collapsed_unchanged_accounts() -> None:
    markdown = format_report(
        [*_results(), AccountPlan("dev", "333333333333", "no-changes", NO_CHANGES)], "markdown"
    )
    outside = _outside_code(markdown)
    assert len([line for line in outside.splitlines() if line.startswith("| --- ")]) == 1
    rows = [line for line in outside.splitlines() if line.startswith("| ")]
    assert rows[2:] == [
        "| production | 222222222222 | changes | 2 | 1 | 3 |",
        "| security | 444444444444 | error | n/a | n/a | n/a |",
        "| 2 accounts without changes: dev, master | | no changes | 0 | 0 | 0 |",
    ]
    assert "4 accounts: 1 with changes, 2 without changes, 1 failed; **+2 ~1 -3**" in markdown
    assert markdown.count("<details>") == markdown.count("</details>") == 2
    assert "<summary>production (222222222222): +2 ~1 -3</summary>" in markdown
    assert '-/+ aws_iam_role.this["ReadOnly"]\n' in markdown
    assert f"log: {LOG}" in markdown and "Truncated" not in markdown


def test_markdown_escapes_what_terraform_and_org_yaml_provide() -> None:
    hostile = 'aws_iam_role.this["a`|<img src=x onerror=alert(1)>```"]'
    summary = PlanSummary(
        "1.0.3", (ResourceChange(hostile, "aws_iam_role", "this", "managed", ("create",)),)
    )
    results = [
        AccountPlan("team|<b>x</b>`", "111111111111", "changes", summary),
        AccountPlan(
            "ops", "2", "error", None, "```\n</details><script>alert(1)</script>\n| a | b |"
        ),
    ]
    markdown = format_report(results, "markdown")
    outside = _outside_code(markdown)
    for raw in ("<b>", "<img", "<script", "`"):
        assert raw not in outside
    for row in (line for line in outside.splitlines() if line.startswith("| ")):
        assert row.count("|") == 7  # no pipe from the data splits a cell
    assert "<summary>team&#124;&#60;b&#62;x&#60;/b&#62;&#96; (111111111111)" in markdown
    # Code blocks use a fence longer than any backtick run inside them.
    assert "````diff\n+   " + hostile + "\n````" in markdown
    assert "````diff\n```\n</details><script>" in markdown
    assert markdown.count("<details>") == 2 and outside.count("</details>") == 2


def test_markdown_with_hundreds_of_accounts_is_capped_and_says_so() -> None:
    results = _many(accounts=300, resources=60)
    markdown = format_report(results, "markdown")
    assert len(markdown) <= MARKDOWN_LIMIT
    outside = _outside_code(markdown)
    rows = [line for line in outside.splitlines() if line.startswith("| account-")]
    assert len(rows) == 300  # the table keeps every account
    sections = markdown.count("<details>")
    assert 0 < sections < 300 and sections == markdown.count("</details>")
    assert f"the details of {300 - sections} more accounts and " in markdown
    assert "limited to 60,000 characters" in markdown
    assert markdown.count("```diff") == sections  # every opened code block is closed
    assert len(re.findall(r"^```$", markdown, re.M)) == sections


def test_markdown_truncates_one_huge_account_inside_its_section() -> None:
    markdown = format_report(_many(accounts=1, resources=5_000), "markdown")
    assert len(markdown) <= MARKDOWN_LIMIT
    shown = len(re.findall(r"^(\+  |-/\+) module\.account_roles", markdown, re.M))
    assert 100 < shown < 5_000
    assert f"... {5_000 - shown} more lines not shown (truncated)" in markdown
    assert f"{5_000 - shown} lines of one account's details were left out" in markdown
    assert markdown.count("<details>") == markdown.count("</details>") == 1


def test_markdown_table_itself_is_capped() -> None:
    markdown = format_report(_many(accounts=1_500, resources=1), "markdown")
    assert len(markdown) <= MARKDOWN_LIMIT
    rows = [line for line in markdown.splitlines() if line.startswith("| account-")]
    assert 0 < len(rows) < 1_500
    assert f"| {1_500 - len(rows)} more rows not shown |" in markdown
    assert f"so {1_500 - len(rows)} table rows and the details of 1500 more accounts" in markdown


def _grant_removals(account: int, removed: int) -> ResourceChange:
    """An update of a group's grant that removes ``removed`` roles of ``account``."""
    kept = ["arn:aws:iam::999999999999:role/Kept"]
    arns = [f"arn:aws:iam::{account:012d}:role/Role{r:04d}" for r in range(removed)]

    def grant(resources: list[str]) -> str:
        statement = {"Sid": "AssumeRoles", "Effect": "Allow", "Action": "sts:AssumeRole"}
        return json.dumps(
            {"Version": "2012-10-17", "Statement": [{**statement, "Resource": resources}]}
        )

    change = {
        "actions": ["update"],
        "before": {"policy": grant(arns + kept)},
        "after": {"policy": grant(kept)},
        "after_unknown": {},
        "before_sensitive": {},
        "after_sensitive": {},
    }
    return ResourceChange(
        GRANT_ADDRESS, "aws_iam_group_policy", "assume_roles", "managed", ("update",),
        attributes=attribute_changes(change),
    )  # fmt: skip


def _granting(accounts: int, removed: int) -> list[AccountPlan]:
    return [
        AccountPlan(
            f"account-{a:04d}",
            f"{a:012d}",
            "changes",
            PlanSummary("1.0.3", (_grant_removals(a, removed),)),
        )
        for a in range(accounts)
    ]


def test_a_removed_grant_shows_its_arn_before_and_after_in_json() -> None:
    results = [AccountPlan("master", "111111111111", "changes", GRANT)]
    (account,) = json.loads(format_report(results, "json"))["accounts"]
    resources = {r["address"]: r for r in account["resources"]}
    attributes = resources[GRANT_ADDRESS]["attributes"]
    assert set(attributes) == {"policy"}  # unchanged attributes are left out
    policy = attributes["policy"]
    # Policy documents are JSON objects, not strings.
    assert policy["before"]["Statement"][0] == {
        "Action": "sts:AssumeRole",
        "Effect": "Allow",
        "Resource": [PROD_ADMIN, DEV_ADMIN],
        "Sid": "AssumeRoles",
    }
    assert policy["after"]["Statement"][0]["Resource"] == [DEV_ADMIN]
    assert policy["diff"] == [f"- Statement[AssumeRoles].Resource: {PROD_ADMIN}"]
    assert policy["forces_replacement"] is False
    tags = resources["aws_iam_user.alice"]["attributes"]["tags"]
    assert tags["before"] == tags["after"] == {"Contact": "(sensitive)", "ManagedBy": "orgtf"}
    assert tags["diff"] == ["- Contact: (sensitive)", "+ Contact: (sensitive)"]


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_sensitive_values_never_reach_a_report(fmt: str) -> None:
    report = format_report([AccountPlan("master", "1", "changes", GRANT)], fmt)  # type: ignore[arg-type]
    assert "example.com" not in report and "(sensitive)" in report


def test_a_removed_grant_is_a_removed_line_in_text_and_markdown() -> None:
    results = [AccountPlan("master", "111111111111", "changes", GRANT)]
    text = format_report(results, "text")
    assert (
        f"  ~   {GRANT_ADDRESS}\n"
        "        policy:\n"
        f"  -       Statement[AssumeRoles].Resource: {PROD_ADMIN}\n"
        "  ~   aws_iam_user.alice\n"
        "        tags:\n"
        "  -       Contact: (sensitive)\n"
        "  +       Contact: (sensitive)\n"
    ) in text
    markdown = format_report(results, "markdown")
    # In the diff block the sign comes first, so the removed ARN is a red line.
    assert (
        f"```diff\n~   {GRANT_ADDRESS}\n"
        "      policy:\n"
        f"-       Statement[AssumeRoles].Resource: {PROD_ADMIN}\n"
    ) in markdown
    assert DEV_ADMIN not in markdown  # the grant that stays is not a change


def test_protected_accounts_are_marked_and_refused_destroys_are_said_before_apply() -> None:
    results = [
        AccountPlan("prod", "222222222222", "changes", MIXED, protected=True),
        AccountPlan("master", "111111111111", "changes", GRANT, protected=True),
        AccountPlan("dev", "333333333333", "changes", MIXED),
    ]
    text = format_report(results, "text")
    assert "\nprod (protected)    222222222222  changes" in text
    assert "prod (222222222222, protected): +2 ~1 -3\n  " + REFUSED + "\n  +/- " in text
    assert "master (111111111111, protected): +0 ~2 -0\n  ~   " in text  # nothing destroyed
    assert text.count(REFUSED) == 1 and "dev (333333333333): +2 ~1 -3\n  +/-" in text
    accounts = {a["account"]: a for a in json.loads(format_report(results, "json"))["accounts"]}
    assert {n: (a["protected"], a["apply_refuses_destroy"]) for n, a in accounts.items()} == {
        "prod": (True, True),
        "master": (True, False),
        "dev": (False, False),
    }
    markdown = format_report(results, "markdown")
    assert f"> **Protected accounts:** prod: {REFUSED}" in markdown
    assert "| prod (protected) | 222222222222 | changes | 2 | 1 | 3 |" in markdown
    assert "| master (protected) | 111111111111 | changes | 0 | 2 | 0 |" in markdown
    assert f"<summary>prod (222222222222, protected): +2 ~1 -3; {REFUSED}</summary>" in markdown
    assert "<summary>master (111111111111, protected): +0 ~2 -0</summary>" in markdown


def test_markdown_cuts_what_changes_inside_resources_first() -> None:
    markdown = format_report(_granting(accounts=40, removed=40), "markdown")
    assert len(markdown) <= MARKDOWN_LIMIT
    outside = _outside_code(markdown)
    assert len([line for line in outside.splitlines() if line.startswith("| account-")]) == 40
    # Every account keeps its section; the first ones keep what changes inside resources.
    assert markdown.count("<details>") == markdown.count("</details>") == 40
    detailed = markdown.count("      policy:\n")
    left_out = markdown.count("(what changes inside each resource was left out")
    assert 0 < detailed < 40 and detailed + left_out == 40
    assert f"what changes inside the resources of {left_out} accounts were left out" in markdown
    assert "the details of" not in markdown  # no whole section was cut


def test_markdown_keeps_every_detail_that_fits() -> None:
    markdown = format_report(_granting(accounts=3, removed=5), "markdown")
    assert markdown.count("-       Statement[AssumeRoles].Resource: ") == 15
    assert "Truncated" not in markdown and "left out" not in markdown


def test_an_error_result_needs_its_message() -> None:
    with pytest.raises(ValueError, match="error message"):
        AccountPlan("ops", "2", "error")
    with pytest.raises(ValueError, match="error message"):
        AccountPlan("ops", "2", "changes", MIXED, "unexpected")


def test_apply_summary_lists_each_account_then_the_accounts_by_status() -> None:
    outcomes = [
        ApplyOutcome("dev", "333333333333", "applied", MIXED),
        ApplyOutcome("production", "222222222222", "failed", MIXED, "apply failed\nError: x", LOG),
        ApplyOutcome("security", "444444444444", "skipped", MIXED),
        ApplyOutcome("master", "111111111111", "no-changes", NO_CHANGES),
    ]
    assert format_apply_summary(outcomes) == (
        "Apply summary:\n"
        f"  dev         applied (+{MIXED.add} ~{MIXED.change} -{MIXED.destroy})\n"
        "  production  failed\n"
        "      apply failed\n"
        "      Error: x\n"
        "  security    skipped\n"
        "  master      no-changes\n"
        "  applied: dev; no-changes: master; failed: production; skipped: security\n"
    )


def test_apply_json_gives_each_account_in_order_and_the_accounts_by_status() -> None:
    outcomes = [
        ApplyOutcome("dev", "333333333333", "applied", MIXED),
        ApplyOutcome("production", "222222222222", "failed", MIXED, "apply failed", LOG),
        ApplyOutcome("master", "111111111111", "no-changes", NO_CHANGES),
    ]
    document = json.loads(format_apply(outcomes, "json"))
    assert [a["account"] for a in document["accounts"]] == ["dev", "production", "master"]
    assert document["accounts"][0] == {
        "account": "dev",
        "account_id": "333333333333",
        "status": "applied",
        "add": MIXED.add,
        "change": MIXED.change,
        "destroy": MIXED.destroy,
        "error": None,
        "log": None,
    }
    assert document["accounts"][1]["error"] == "apply failed"
    assert document["accounts"][1]["log"] == str(LOG)
    assert document["summary"] == {
        "applied": ["dev"],
        "no-changes": ["master"],
        "failed": ["production"],
        "skipped": [],
    }
    assert format_apply(outcomes, "text") == format_apply_summary(outcomes)


def test_apply_summary_is_terminal_safe() -> None:
    outcomes = [
        ApplyOutcome("dev", "3", "failed", MIXED, "apply failed \x1b[2J\nError: \x1b]0;x\x07", LOG),
    ]
    summary = format_apply_summary(outcomes)
    assert "\x1b" not in summary and "\x07" not in summary
    assert "      apply failed ?[2J\n      Error: ?]0;x?\n" in summary
