"""Fixtures shared across the test folders (sandboxed projects), and the order tests run in.

Plain helpers the tests call directly live in ``tests/support``. A sandbox starts a real
emulator, so ``project`` is shared by the tests of one module; shared *state* is not: a test
that changes org.yaml or applies first brings the accounts it touches to a state it knows
(``tests.support.engine.converge``), or asks for ``fresh_project``, a sandbox of its own with
nothing applied. Every test passes alone and in any order (pytest-randomly shuffles each run).

Modules marked ``sandbox`` (real Terraform, a real emulator) take most of the run's time, so
they are put first: xdist then hands them out before the quick modules, which fill the gaps
at the end instead of one worker finishing a long module alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.engine import Project, sandbox_project
from tests.support.sandbox import SMALL_ORG


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Sandbox modules first; a stable sort keeps the shuffled order within each group."""
    items.sort(key=lambda item: item.get_closest_marker("sandbox") is None)


@pytest.fixture(scope="module")
def org_yaml() -> str:
    """The org.yaml of the module's shared ``project``; a module overrides it for another org."""
    return SMALL_ORG


@pytest.fixture(scope="module")
def project(org_yaml: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A project holding ``org_yaml`` and its running sandbox, shared by the module's tests."""
    with sandbox_project(tmp_path_factory.mktemp("project"), org_yaml) as shared:
        yield shared


@pytest.fixture
def fresh_project(tmp_path: Path) -> Iterator[Project]:
    """A project holding the small org and a sandbox of its own, with nothing applied yet."""
    with sandbox_project(tmp_path / "project", SMALL_ORG) as fresh:
        yield fresh
