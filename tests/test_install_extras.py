"""orgtf installed without the ``sandbox`` extra (no boto3, botocore, moto or tf).

Each test runs the CLI in a fresh interpreter in which importing those packages fails, as it
does on a base install: every command that does not need the sandbox works, and the sandbox
commands say which extra to install instead of printing a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
EXTRA_ONLY = ("boto3", "botocore", "moto", "tf")
NEEDS_EXTRA = (
    "orgtf: error: the sandbox needs the sandbox extra: pip install 'orgtf[sandbox]' "
    "(missing: boto3, botocore, moto, tf)\n"
)
# Makes the extra's packages unimportable before orgtf is imported, then runs the CLI.
_BASE_INSTALL = textwrap.dedent(
    f"""
    import sys

    BLOCKED = {EXTRA_ONLY!r}
    assert not [m for m in sys.modules if m.partition(".")[0] in BLOCKED]


    class NotInstalled:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None


    sys.meta_path.insert(0, NotInstalled())
    from orgtf.cli import main

    sys.exit(main(sys.argv[1:]))
    """
)


def orgtf_base(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``orgtf ARGS`` in ``project`` as on an install without the sandbox extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGTF_")}
    return subprocess.run(
        [sys.executable, "-c", _BASE_INSTALL, "--config", str(project / "org.yaml"), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("base-install")
    shutil.copy(ROOT / "org.yaml", project / "org.yaml")
    return project


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("validate",), "org.yaml: valid: organization"),
        (("schema",), '"$schema"'),
        (("access", "--user", "alice"), "AlfieDeployment"),
        (("profiles", "--user", "carol"), "[profile production-rdsoperator]"),
        (("access", "diff", "--base", "org.yaml"), "No changes between"),
    ],
)
def test_commands_without_the_sandbox_work(
    project: Path, args: tuple[str, ...], expected: str
) -> None:
    done = orgtf_base(project, *args)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
    assert "Traceback" not in done.stderr


def test_render_and_check_work(project: Path) -> None:
    out = project / "rendered"
    written = orgtf_base(project, "render", "--out", str(out))
    assert written.returncode == 0, written.stderr
    assert (out / "environments" / "production" / "main.tf").is_file()
    checked = orgtf_base(project, "render", "--out", str(out), "--check")
    assert checked.returncode == 0, checked.stderr
    assert "in sync" in checked.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("sandbox", "up"),
        ("sandbox", "status"),
        ("sandbox", "env"),
        ("--sandbox", "plan"),
        ("--sandbox", "catalog"),
        ("demo",),
    ],
    ids=" ".join,
)
def test_the_sandbox_names_the_extra_to_install(project: Path, args: tuple[str, ...]) -> None:
    done = orgtf_base(project, *args)
    assert (done.returncode, done.stderr) == (1, NEEDS_EXTRA)
    assert not (project / ".orgtf" / "sandbox").exists()


def test_sandbox_down_still_cleans_up(project: Path) -> None:
    done = orgtf_base(project, "sandbox", "down")
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "sandbox not running; nothing to remove\n",
        "",
    )
