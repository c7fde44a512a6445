"""``orgtf render``: write the Terraform roots for org.yaml, or check that they are current."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from orgtf.commands.base import Command, Context
from orgtf.commands.common import warn_foreign
from orgtf.errors import ExitCode, OrgtfError
from orgtf.render.sync import StaleFile, check_tree, write_tree
from orgtf.text import plural


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="write environments/ (and modules/ when needed) under DIR "
        "(default: the directory of org.yaml)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 listing each missing, stale or extra file, and each "
        "Terraform file orgtf did not render in environments/ or the modules, when the "
        "rendered files disagree with org.yaml; 0 when they are in sync",
    )


@dataclass(frozen=True)
class RenderOptions:
    """``render [--out DIR] [--check]``."""

    out: Path | None
    check: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> RenderOptions:
        return cls(out=args.out, check=args.check)


def render(options: RenderOptions, ctx: Context) -> ExitCode:
    """Render org.yaml into DIR, or with --check compare DIR with what would be rendered."""
    org = ctx.load()
    out_dir = options.out if options.out is not None else ctx.project_dir
    if out_dir.exists() and not out_dir.is_dir():
        raise OrgtfError(f"--out {out_dir}: not a directory")
    if options.check:
        return _check(org_path=ctx.config_path, out_dir=out_dir, stale=check_tree(org, out_dir))
    result = write_tree(org, out_dir)
    for path in result.written:
        print(f"wrote {path}")
    for path in result.removed:
        print(f"removed {path}")
    print(
        f"rendered {len(org.account_names())} accounts into {out_dir}: "
        f"{len(result.written)} written, {len(result.removed)} removed, "
        f"{len(result.unchanged)} unchanged"
    )
    warn_foreign(result.foreign)
    return ExitCode.OK


def _check(org_path: Path, out_dir: Path, stale: list[StaleFile]) -> ExitCode:
    if not stale:
        print(f"{out_dir}: rendered files are in sync with {org_path}")
        return ExitCode.OK
    for item in stale:
        print(item)
    print(
        f"{plural(len(stale), 'file')} under {out_dir} "
        f"{'disagrees' if len(stale) == 1 else 'disagree'} with {org_path}; "
        "run `orgtf render` and commit the result"
    )
    return ExitCode.FAILURE


COMMANDS = (
    Command(
        "render",
        "write the Terraform roots (environments/<account>/) for org.yaml, or --check them",
        _configure,
        RenderOptions.from_args,
        render,
    ),
)
