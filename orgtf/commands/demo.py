"""``orgtf demo``: validate, render, plan and apply the example org.yaml on the local sandbox."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from orgtf.commands.base import Command, Context, NoOptions, no_arguments, no_options
from orgtf.demo import run_demo
from orgtf.errors import ExitCode, UsageError


def demo_handler(options: NoOptions, ctx: Context) -> ExitCode:
    """Run the demo on the sandbox of ctx.config_path (with or without --sandbox).

    ``demo`` takes no options of its own; it always targets the sandbox.
    """
    del options
    config = ctx.config_path
    if not config.is_file():
        where = config if config.is_absolute() else f"{config} in {Path.cwd()}"
        raise UsageError(
            f"there is no {where}: run the demo in a checkout of orgtf, where the example "
            "org.yaml is (`make demo` there sets everything up), or pass --config PATH"
        )
    org = ctx.load()
    run_demo(
        org,
        orgtf=_invocation(ctx.config_path),
        say=lambda text: print(text, flush=True),
        environ=os.environ,
        live_progress=sys.stderr.isatty(),
    )
    return ExitCode.OK


def _invocation(config_path: Path) -> str:
    """How to run orgtf on this org.yaml again, for the hints the demo prints."""
    program = _program(sys.argv[0], sys.executable, os.environ.get("PATH", os.defpath))
    if config_path == Path("org.yaml"):
        return program
    return f"{program} --config {shlex.quote(str(config_path))}"


def _program(argv0: str, python: str, search_path: str) -> str:
    """``orgtf`` when that name on PATH runs this program; otherwise this program's path.

    After `make demo` the venv is not activated: ``orgtf`` is then not found, or is another
    installation, so the hints name ``.venv/bin/orgtf`` (or ``python -m orgtf``) instead.
    """
    on_path = shutil.which("orgtf", path=search_path)
    if Path(argv0).name == "orgtf":  # the console script
        if on_path is not None and Path(on_path).resolve() == Path(argv0).resolve():
            return "orgtf"
        return shlex.quote(_shown(argv0))
    # ``python -m orgtf``: the orgtf on PATH is this one when it is in the same environment.
    if on_path is not None and Path(os.path.abspath(on_path)).parent == Path(python).parent:
        return "orgtf"
    return f"{shlex.quote(_shown(python))} -m orgtf"


def _shown(program: str) -> str:
    """``program`` relative to the working directory when below it, as a shell finds it."""
    absolute = os.path.abspath(program)
    relative = os.path.relpath(absolute)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return absolute
    return relative if os.sep in relative else os.path.join(os.curdir, relative)


COMMANDS = (
    Command(
        "demo",
        "try orgtf without AWS: validate, render, plan and apply org.yaml on the local "
        "sandbox, then show the role catalog and one user's profiles",
        no_arguments,
        no_options,
        demo_handler,
    ),
)
