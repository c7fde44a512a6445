"""`orgtf report merge`: shard reports give back the report of the whole plan, byte for byte.

Built from recorded Terraform plans (tests/data/plans); the sandbox end to end is in
test_affected_sandbox.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from orgtf.cli import main
from orgtf.errors import OrgtfError
from orgtf.run.merge import merge_shards, read_shard_report, shard_report_json
from orgtf.run.report import MARKDOWN_LIMIT, format_report
from orgtf.run.results import AccountPlan
from orgtf.run.shards import Shard
from orgtf.terraform.plan import PlanSummary, ResourceChange, parse_plan

PLANS = Path(__file__).parents[1] / "data" / "plans"


def plan(name: str) -> PlanSummary:
    return parse_plan((PLANS / f"{name}.json").read_text())


def results() -> list[AccountPlan]:
    log = Path("/runner/.orgtf/logs/broken/terraform.log")
    return [
        AccountPlan("master", "111111111111", "changes", plan("grant_update")),
        AccountPlan("prod", "222222222222", "changes", plan("mixed"), protected=True),
        AccountPlan("dev", "333333333333", "changes", plan("deposed")),
        AccountPlan("qa", "444444444444", "changes", plan("outputs_only")),
        AccountPlan("sandbox", "555555555555", "no-changes", plan("no_changes")),
        AccountPlan("broken", "666666666666", "error", None, "terraform plan failed", log),
    ]


def write_shards(
    directory: Path, plans: Sequence[AccountPlan], parts: Sequence[Sequence[str]]
) -> list[Path]:
    """The shard reports of ``plans`` dealt out as ``parts`` (account names per shard)."""
    selected = [p.account for p in plans]
    paths = []
    for index, part in enumerate(parts, 1):
        mine = [p for p in plans if p.account in part]
        path = directory / f"shard-{index}.json"
        path.write_text(shard_report_json(mine, Shard(index, len(parts)), selected))
        paths.append(path)
    return paths


THREE = [["master", "qa"], ["prod", "broken"], ["dev", "sandbox"]]


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_merged_report_is_the_unsharded_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    files = write_shards(tmp_path, results(), THREE)
    capsys.readouterr()
    code = main(["report", "merge", *map(str, files), "--format", fmt])
    out, err = capsys.readouterr()
    assert out == format_report(results(), fmt)  # type: ignore[arg-type]
    assert code == 1  # an account failed, as the unsharded plan exits
    assert "account broken failed; full log: /runner/.orgtf/logs/broken/terraform.log" in err


def test_records_come_back_whole(tmp_path: Path) -> None:
    files = write_shards(tmp_path, results(), THREE)
    merged = merge_shards([read_shard_report(path) for path in reversed(files)])
    original = {p.account: p for p in results()}
    for back in merged:
        assert back == original[back.account]
        if back.summary is not None:
            before = original[back.account].summary
            assert before is not None
            assert back.summary.output_changes == before.output_changes
            assert [c.attributes for c in back.summary.resource_changes] == [
                c.attributes for c in before.resource_changes
            ]


def test_a_shard_report_keeps_the_plan_json_contract(tmp_path: Path) -> None:
    (path,) = write_shards(tmp_path, results()[:2], [["master", "prod"]])
    document = json.loads(path.read_text())
    unsharded = json.loads(format_report(results()[:2], "json"))
    assert {k: v for k, v in document.items() if k != "shard"} == unsharded
    assert document["shard"]["index"] == 1 and document["shard"]["count"] == 1
    assert document["shard"]["selected"] == ["master", "prod"]


def test_markdown_keeps_its_size_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    many = [
        AccountPlan(f"acct-{a:03d}", f"{100000000000 + a}", "changes", _creates(a, 50))
        for a in range(26)
    ]
    parts = [[p.account for p in many[i::3]] for i in range(3)]
    files = write_shards(tmp_path, many, parts)
    capsys.readouterr()
    assert main(["report", "merge", *map(str, files), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out == format_report(many, "markdown")
    assert len(out) <= MARKDOWN_LIMIT and "**Truncated:**" in out


def _creates(account: int, count: int) -> PlanSummary:
    changes = tuple(
        ResourceChange(
            address=f'module.account_roles.aws_iam_role.this["Role{r:03d}-{account}"]',
            type="aws_iam_role",
            name="this",
            mode="managed",
            actions=("create",),
        )
        for r in range(count)
    )
    return PlanSummary("1.5.7", changes)


def test_exit_codes_follow_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fine = [p for p in results() if p.status != "error"]
    files = list(
        map(str, write_shards(tmp_path, fine, [["master", "prod"], ["dev", "qa", "sandbox"]]))
    )
    assert main(["report", "merge", *files]) == 0
    assert main(["report", "merge", *files, "--detailed-exitcode"]) == 2
    assert main(["report", "merge", *files, "--fail-on", "destroy"]) == 1  # mixed replaces
    out = tmp_path / "out" / "plan.md"
    assert main(["report", "merge", *files, "--format", "markdown", "--output", str(out)]) == 0
    assert out.read_text() == format_report(fine, "markdown")
    assert "5 accounts: 4 with changes" in capsys.readouterr().out  # the text summary


def merge_error(paths: Sequence[Path]) -> str:
    with pytest.raises(OrgtfError) as caught:
        merge_shards([read_shard_report(path) for path in paths])
    return caught.value.message


def test_a_missing_shard_is_named(tmp_path: Path) -> None:
    files = write_shards(tmp_path, results(), THREE)
    message = merge_error([files[0], files[2]])
    assert message.startswith("shard 2/3 is missing: no plan of 2 accounts (prod, broken)")


def test_overlapping_or_repeated_shards_are_refused(tmp_path: Path) -> None:
    files = write_shards(tmp_path, results(), THREE)
    assert "shard 1/3 twice" in merge_error([files[0], files[0], files[1], files[2]])
    (tmp_path / "other").mkdir()
    overlap = write_shards(tmp_path / "other", results(), [["master", "qa", "prod"], ["prod"], []])
    message = merge_error(overlap)
    assert "account prod is in two shard reports" in message
    assert "shards must not overlap" in message


def test_shards_of_different_plans_are_refused(tmp_path: Path) -> None:
    files = write_shards(tmp_path, results(), THREE)
    (tmp_path / "other").mkdir()
    (other,) = write_shards(tmp_path / "other", results()[:2], [["master", "prod"]])
    assert "are shards of different plans" in merge_error([files[0], other])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not a JSON report"),
        ('{"accounts": [], "summary": {}}', "is not a shard report: make it with `orgtf plan"),
        ('{"shard": {"index": 1}}', "the shard key is damaged"),
        (
            '{"shard": {"index": 1, "count": 1, "selected": ["a"], "plans": [{"account": 1}]}}',
            "shard.plans[0]",
        ),
    ],
)
def test_files_that_are_not_shard_reports(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "report.json"
    path.write_text(content)
    with pytest.raises(OrgtfError, match=r"report\.json") as caught:
        read_shard_report(path)
    assert message in caught.value.message
