"""The installed package's metadata: one version, the SPDX license, the LICENSE file.

These read the metadata of the orgtf that is installed (editable or from a wheel), so a
stale install, a version written in two places or a license declared the old way fails here.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

import orgtf

ROOT = Path(__file__).parents[1]
APACHE_HEADER = (
    "\n"
    "                                 Apache License\n"
    "                           Version 2.0, January 2004\n"
    "                        http://www.apache.org/licenses/\n"
)
# sha256 of https://www.apache.org/licenses/LICENSE-2.0.txt, byte for byte.
APACHE_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"


@pytest.fixture(scope="module")
def metadata() -> importlib.metadata.PackageMetadata:
    return importlib.metadata.metadata("orgtf")


def test_installed_version_is_the_package_version() -> None:
    assert importlib.metadata.version("orgtf") == orgtf.__version__


def test_cli_reports_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "orgtf", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, f"orgtf {orgtf.__version__}\n"), done.stderr


def test_license_is_an_spdx_expression(metadata: importlib.metadata.PackageMetadata) -> None:
    # License-Expression and License-File need metadata 2.4 (PEP 639).
    assert tuple(map(int, metadata["Metadata-Version"].split("."))) >= (2, 4)
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    # The SPDX expression replaces both of these; setuptools warns when they are used.
    assert "License" not in metadata
    classifiers = metadata.get_all("Classifier") or []
    assert classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]


def test_project_urls(metadata: importlib.metadata.PackageMetadata) -> None:
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all(u.startswith("https://github.com/orgtf/orgtf") for u in urls.values())


def test_license_file_is_the_apache_license() -> None:
    text = (ROOT / "LICENSE").read_bytes()
    assert text.decode("utf-8").startswith(APACHE_HEADER)
    assert hashlib.sha256(text).hexdigest() == APACHE_SHA256


def test_installed_license_file_is_the_license() -> None:
    dist = importlib.metadata.distribution("orgtf")
    shipped = [f for f in dist.files or [] if f.name == "LICENSE" and "licenses" in f.parts]
    assert len(shipped) == 1, dist.files
    assert shipped[0].read_binary() == (ROOT / "LICENSE").read_bytes()
