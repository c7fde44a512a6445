"""Reading the plan summary and human text from ``terraform plan -json`` output."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orgtf.terraform.plan import PlanFormatError
from orgtf.terraform.stream import parse_plan_stream


def line(kind: str, message: str, **fields: Any) -> str:
    return json.dumps({"@level": "info", "@message": message, "type": kind, **fields})


def change(addr: str, action: str, **extra: Any) -> str:
    module, _, resource = addr.rpartition(".aws_") if addr.startswith("module.") else ("", "", addr)
    resource = f"aws_{resource}" if module else addr
    kind, name = resource.split("[")[0].split(".")[-2:]
    payload = {
        "resource": {
            "addr": addr,
            "module": module or None,
            "resource": resource,
            "resource_type": kind,
            "resource_name": name,
        },
        "action": action,
        **extra,
    }
    return line("planned_change", f"{addr}: Plan to {action}", change=payload)


# Shaped as Terraform 1.0.3 prints it (see the engine tests for real runs).
STREAM = "\n".join(
    [
        line("version", "Terraform 1.0.3", terraform="1.0.3", ui="0.1.0"),
        change('module.account_roles.aws_iam_role.this["Admin"]', "create"),
        change('module.account_roles.aws_iam_role.this["Old"]', "delete"),
        change(
            'module.account_roles.aws_iam_role.this["Renamed"]', "replace", reason="cannot_update"
        ),
        change("aws_iam_group.devs", "update"),
        change("data.aws_caller_identity.current", "read"),
        line(
            "outputs",
            "Outputs: 2",
            outputs={"roles": {"action": "update"}, "account": {"action": "noop"}},
        ),
        line(
            "change_summary",
            "Plan: 2 to add, 1 to change, 2 to destroy.",
            changes={"add": 2, "change": 1, "remove": 2},
        ),
    ]
)


def test_summary_counts_replace_as_destroy_and_add() -> None:
    summary = parse_plan_stream(STREAM).summary
    assert summary.terraform_version == "1.0.3"
    assert (summary.add, summary.change, summary.destroy) == (2, 1, 2)
    kinds = {c.address: c.kind for c in summary.resource_changes}
    assert kinds['module.account_roles.aws_iam_role.this["Renamed"]'] == "replace"
    assert kinds["data.aws_caller_identity.current"] == "read"
    data = next(c for c in summary.resource_changes if c.kind == "read")
    assert data.mode == "data"
    role = next(c for c in summary.resource_changes if c.kind == "create")
    assert (role.module_address, role.type, role.name) == (
        "module.account_roles",
        "aws_iam_role",
        "this",
    )
    assert summary.output_changes == ("roles",)


def test_human_text_includes_diagnostics() -> None:
    error = json.dumps(
        {
            "@level": "error",
            "@message": "Error: Argument or block definition required",
            "type": "diagnostic",
            "diagnostic": {
                "severity": "error",
                "summary": "Argument or block definition required",
                "detail": "An argument or block definition is required here.",
                "range": {"filename": "bad.tf", "start": {"line": 2, "column": 1}},
            },
        }
    )
    stream = parse_plan_stream(line("version", "Terraform 1.0.3") + "\n" + error + "\nplain text\n")
    assert stream.text.splitlines() == [
        "Terraform 1.0.3",
        "Error: Argument or block definition required",
        "  on bad.tf line 2",
        "  An argument or block definition is required here.",
        "plain text",
    ]
    assert not stream.summary.has_changes


def test_unknown_action_is_an_error() -> None:
    with pytest.raises(PlanFormatError, match="unknown action 'explode'"):
        parse_plan_stream(change("aws_iam_role.x", "explode"))
