"""Init bookkeeping: whether ``terraform init`` must run again in a working directory.

A successful init records a fingerprint of everything it depended on (the root's and local
modules' configuration files, the lock file, backend settings, the binary) in the data
directory; ``needs_init`` compares the current fingerprint with that record.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

INIT_STAMP = "orgtf-init.json"
_LOCAL_SOURCE = re.compile(r"""["']?source["']?\s*[=:]\s*"(\.{1,2}/[^"]*)\"""")


def needs_init(
    workdir: Path,
    data_dir: Path,
    *,
    backend_config: Sequence[Path] = (),
    binary: Path | None = None,
) -> bool:
    """True when ``terraform init`` must run before planning in ``workdir``.

    That is when no successful init was recorded in ``data_dir``, providers are locked but not
    installed, or the configuration files (root, local modules, lock file, backend settings)
    differ from what the last init saw.
    """
    stamp = data_dir / INIT_STAMP
    if not stamp.is_file():
        return True
    if (workdir / ".terraform.lock.hcl").is_file() and not (data_dir / "providers").is_dir():
        return True
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        return True
    return bool(recorded != init_fingerprint(workdir, backend_config, binary))


def init_fingerprint(
    workdir: Path, backend_config: Sequence[Path] = (), binary: Path | None = None
) -> str:
    """A hash of everything ``init`` depends on (deliberately broad: all of the .tf files)."""
    digest = hashlib.sha256()
    files = [*_config_files(workdir.resolve(), set()), *(p.resolve() for p in backend_config)]
    lock = workdir / ".terraform.lock.hcl"
    for path in [*files, lock] if lock.is_file() else files:
        digest.update(f"{path}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
        digest.update(b"\0")
    if binary is not None and binary.is_file():
        digest.update(f"{binary.resolve()}\0{binary.stat().st_size}".encode())
    return digest.hexdigest()


def _config_files(directory: Path, seen: set[Path]) -> Iterator[Path]:
    """The .tf/.tf.json files of a module and of the local modules it calls, recursively."""
    if directory in seen or not directory.is_dir():
        return
    seen.add(directory)
    files = sorted(p for p in directory.iterdir() if p.name.endswith((".tf", ".tf.json")))
    yield from files
    for path in files:
        for source in _LOCAL_SOURCE.findall(path.read_text(encoding="utf-8", errors="replace")):
            yield from _config_files((directory / source).resolve(), seen)


def record_init(
    workdir: Path, data_dir: Path, backend_config: Sequence[Path], binary: Path
) -> None:
    """Record in ``data_dir`` that ``init`` succeeded with the current configuration."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fingerprint = init_fingerprint(workdir, backend_config, binary)
    (data_dir / INIT_STAMP).write_text(
        json.dumps({"fingerprint": fingerprint}, sort_keys=True) + "\n", encoding="utf-8"
    )
