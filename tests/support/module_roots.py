"""For the module tests: rendering an org into a project and driving one of its roots."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from orgtf.cli import main
from orgtf.process import run
from orgtf.sandbox.target import SandboxTarget
from tests.support.sandbox import running_sandbox


def render(project: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as the project's org.yaml and render it with ``orgtf render``."""
    (project / "org.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["--config", str(project / "org.yaml"), "render"]) == 0


@contextmanager
def rendered_sandbox(project: Path, data: dict[str, Any]) -> Iterator[tuple[Path, SandboxTarget]]:
    """``project`` with ``data`` rendered and its own running sandbox, torn down after."""
    project.mkdir(parents=True, exist_ok=True)
    render(project, data)
    with running_sandbox(project) as target:
        yield project, target


class Root:
    """One rendered account root, driven with one Terraform binary and the sandbox env."""

    def __init__(self, directory: Path, terraform: Path, env: Mapping[str, str]) -> None:
        self.directory, self.terraform, self.env = directory, terraform, dict(env)
        self.initialised = False

    def __call__(self, *args: str, codes: frozenset[int] = frozenset({0})) -> str:
        argv = [str(self.terraform), *args]
        return run(argv, env=self.env, cwd=self.directory, ok_codes=codes, timeout=300).output

    def plan(self) -> dict[str, Any]:
        """Init (the first time), plan to a file, and return the plan as `show -json` prints it."""
        if not self.initialised:
            self("init", "-input=false", "-no-color")
            self.initialised = True
        self("plan", "-input=false", "-no-color", "-out=plan.out")
        plan: dict[str, Any] = json.loads(self("show", "-json", "plan.out"))
        return plan

    def apply(self) -> None:
        """Apply the plan made by ``plan``."""
        self("apply", "-input=false", "-no-color", "plan.out")

    def is_clean(self) -> bool:
        """Whether a fresh plan has nothing to do."""
        out = self(
            "plan", "-input=false", "-no-color", "-detailed-exitcode", codes=frozenset({0, 2})
        )
        return "No changes." in out


def changes(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Resource address -> its change (actions, after) from a JSON plan."""
    return {rc["address"]: rc["change"] for rc in plan.get("resource_changes", [])}
