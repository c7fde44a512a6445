"""A git history of org.yaml for the tests of ``--base-ref``: made in a test's own directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity and no user or system configuration."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    return done.stdout.decode()


def start_history(project: Path) -> None:
    """Make ``project`` (holding org.yaml) a repository with one commit of what it holds."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(project, "init", "-q")
    (project / ".gitignore").write_text(".orgtf/\n.terraform/\n*.tfstate\n*.tfstate.*\n")
    commit(project, "start")


def commit(project: Path, message: str) -> None:
    """Commit everything in ``project`` as it is now."""
    git(project, "add", "-A")
    git(project, "commit", "-qm", message, "--allow-empty")
