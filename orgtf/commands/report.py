"""``orgtf report merge``: the shards' JSON reports as the one report of the whole plan.

Also the end of ``orgtf plan``, which the merge shares: writing the report and deciding the
exit code, so a merged plan exits as the unsharded plan would.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, get_args

from orgtf.commands.base import Command, Context, no_arguments, no_options
from orgtf.commands.common import write_output
from orgtf.errors import ExitCode, UsageError
from orgtf.run.merge import merge_shards, read_shard_report
from orgtf.run.report import ReportFormat, format_report
from orgtf.run.results import AccountPlan

FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)


class ReportOptions(Protocol):
    """What decides where a plan report goes and the exit code (plan, report merge)."""

    @property
    def output(self) -> Path | None: ...

    @property
    def detailed_exitcode(self) -> bool: ...

    @property
    def fail_on(self) -> Literal["destroy"] | None: ...


def finish_plan(results: Sequence[AccountPlan], report: str, options: ReportOptions) -> ExitCode:
    """Write ``report`` of ``results`` as ``options`` ask; the exit code of ``orgtf plan``."""
    write_output(report, options.output, "report")
    if options.output is not None:
        print(format_report(results, "text"), end="")
    for r in results:
        if r.status == "error":
            print(f"orgtf: account {r.account} failed; full log: {r.log_path}", file=sys.stderr)
    if any(r.status == "error" for r in results):
        return ExitCode.FAILURE
    if options.fail_on == "destroy" and any(
        r.summary and r.summary.destroys_anything for r in results
    ):
        print("orgtf: plan deletes or replaces resources (--fail-on destroy)", file=sys.stderr)
        return ExitCode.FAILURE
    if options.detailed_exitcode and any(r.status == "changes" for r in results):
        return ExitCode.CHANGES
    return ExitCode.OK


@dataclass(frozen=True)
class MergeOptions:
    """``report merge FILE... [--format F] [--output FILE] [--detailed-exitcode] ...``."""

    files: tuple[Path, ...]
    format: ReportFormat
    output: Path | None
    detailed_exitcode: bool
    fail_on: Literal["destroy"] | None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> MergeOptions:
        if args.output is not None and args.output.is_dir():
            raise UsageError(f"--output {args.output} is a directory; name a file")
        return cls(
            files=tuple(args.files),
            format=args.format,
            output=args.output,
            detailed_exitcode=args.detailed_exitcode,
            fail_on=args.fail_on,
        )


def _configure_merge(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="the JSON report of each shard"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument(
        "--output", type=Path, default=None, metavar="FILE", help="write the report here"
    )
    parser.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when any account has changes"
    )
    parser.add_argument(
        "--fail-on",
        choices=("destroy",),
        default=None,
        help="exit 1 when any plan deletes or replaces anything",
    )


def merge(options: MergeOptions, ctx: Context) -> ExitCode:
    """Merge the shards' reports into the report of the whole plan; exit as plan would."""
    del ctx  # the reports say everything: no org.yaml is read
    results = merge_shards([read_shard_report(path) for path in options.files])
    return finish_plan(results, format_report(results, options.format), options)


def _report_alone(options: object, ctx: Context) -> ExitCode:
    del options, ctx
    raise UsageError("name an action: orgtf report merge FILE...")


COMMANDS = (
    Command(
        "report",
        "work with plan reports ('report merge' joins the reports of plan shards)",
        no_arguments,
        no_options,
        _report_alone,
        actions=(
            Command(
                "merge",
                "merge the JSON reports of `orgtf plan --shard K/N` into the whole plan's report",
                _configure_merge,
                MergeOptions.from_args,
                merge,
            ),
        ),
        action_required=True,
    ),
)
