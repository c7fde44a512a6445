"""The Terraform modules shipped inside the orgtf package (``orgtf/modules``).

Rendered roots call them with ``source = "../../modules/<name>"``; ``orgtf.render.tree`` copies them
next to ``environments/`` unless the output directory already holds them unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from orgtf.errors import OrgtfError

_MODULES_DIR = Path(__file__).resolve().parents[1] / "modules"


def packaged_modules_dir() -> Path:
    """The directory of the packaged modules; raise OrgtfError if the install lacks it."""
    if not _MODULES_DIR.is_dir():
        raise OrgtfError(
            f"the packaged Terraform modules are missing: {_MODULES_DIR} (reinstall orgtf)"
        )
    return _MODULES_DIR


def module_sources() -> Iterator[tuple[PurePosixPath, Path]]:
    """Each module file as (path relative to the modules dir, file), sorted."""
    root = packaged_modules_dir()
    for path in sorted(root.rglob("*.tf")):
        yield PurePosixPath(path.relative_to(root).as_posix()), path


def module_names() -> tuple[str, ...]:
    """The packaged modules' directory names (``account-roles``, ...), sorted."""
    return tuple(sorted({relative.parts[0] for relative, _ in module_sources()}))


def holds_packaged_modules(out_dir: Path) -> bool:
    """Whether ``out_dir/modules`` already holds the packaged modules, byte for byte."""
    target = out_dir / "modules"
    for relative, source in module_sources():
        candidate = target / relative
        if not candidate.is_file() or candidate.read_bytes() != source.read_bytes():
            return False
    return True
