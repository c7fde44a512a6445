"""Init bookkeeping: whether ``terraform init`` must run again in a working directory.

A successful init records a fingerprint of everything it depended on (the root's and local
modules' configuration files, the lock file, backend settings, the binary) in the data
directory; ``needs_init`` compares the current fingerprint with that record.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from orgtf.files import Record, read_record, write_atomic

INIT_STAMP = "orgtf-init.json"


class InitStamp(Record):
    """What a successful ``init`` recorded: the fingerprint of what it depended on."""

    fingerprint: str


_LOCAL_SOURCE = re.compile(r"""["']?source["']?\s*[=:]\s*"(\.{1,2}/[^"]*)\"""")


def needs_init(
    workdir: Path,
    data_dir: Path,
    *,
    backend_file: Path | None = None,
    binary: Path | None = None,
) -> bool:
    """True when ``terraform init`` must run before planning in ``workdir``.

    That is when no successful init was recorded in ``data_dir``, providers are locked but not
    installed, or the configuration files (root, local modules, lock file, backend settings)
    differ from what the last init saw.
    """
    stamp = read_record(
        data_dir / INIT_STAMP,
        InitStamp,
        "the init record",
        "remove it; the next run initialises this account again",
    )
    if stamp is None:
        return True
    if (workdir / ".terraform.lock.hcl").is_file() and not (data_dir / "providers").is_dir():
        return True
    return stamp.fingerprint != init_fingerprint(workdir, backend_file, binary)


def init_fingerprint(
    workdir: Path, backend_file: Path | None = None, binary: Path | None = None
) -> str:
    """A hash of everything ``init`` depends on (deliberately broad: all of the .tf files)."""
    digest = hashlib.sha256()
    files = list(_config_files(workdir.resolve(), set()))
    files += [backend_file.resolve()] if backend_file is not None else []
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


def record_init(workdir: Path, data_dir: Path, backend_file: Path | None, binary: Path) -> None:
    """Record in ``data_dir`` that ``init`` succeeded with the current configuration."""
    data_dir.mkdir(parents=True, exist_ok=True)
    stamp = InitStamp(fingerprint=init_fingerprint(workdir, backend_file, binary))
    write_atomic(data_dir / INIT_STAMP, stamp.to_json())
