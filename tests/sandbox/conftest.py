"""Fixtures for the stand-in provider tests: a moto server and an initialised mirror."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.provider import InitializedMirror, MotoServer, init_mirror, moto_server


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """A bare moto server for the module; a test that needs it empty calls ``reset`` first."""
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as server:
        yield server


@pytest.fixture(scope="session")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> InitializedMirror:
    """The stand-in installed in a mirror and initialised once; each test takes a workspace."""
    return init_mirror(tmp_path_factory.mktemp("mirror"))
