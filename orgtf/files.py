"""Files orgtf owns: replace one atomically, rewrite one only when its text changes, and read
back the JSON records orgtf keeps (typed, with a clear error when damaged)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TypeVar

import pydantic

from orgtf.errors import OrgtfError

RecordT = TypeVar("RecordT", bound=pydantic.BaseModel)
_NEW_FILE_MODE = 0o666  # what open() asks for; the kernel then takes the umask away


def write_atomic(
    path: Path,
    data: str | bytes,
    *,
    mode: int | None = None,
    umask: bool = False,
    fsync: bool = False,
) -> None:
    """Replace ``path`` with ``data`` so that readers see the old file or the new one, never half.

    ``data`` goes to a new temp file in ``path``'s directory, which is then renamed over
    ``path`` (a symlink at ``path`` is replaced, not followed). Text is written as UTF-8
    with its line endings untouched. The file gets permission bits ``mode`` exactly (set
    before any data is written), or ``mode`` less the process umask if ``umask`` is true;
    with no ``mode`` it gets what ``open()`` would give a new file. ``fsync`` flushes the
    data to disk before the rename. The directory must exist. On any error the temp file is
    removed, ``path`` is left as it was and the error (an ``OSError`` for I/O) propagates.
    """
    content = data.encode("utf-8") if isinstance(data, str) else data
    create_mode = mode if mode is not None and umask else _NEW_FILE_MODE
    fd, temp = _create_temp(path, create_mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode is not None and not umask:
                os.fchmod(handle.fileno(), mode)
            handle.write(content)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _create_temp(path: Path, create_mode: int) -> tuple[int, Path]:
    """A new, exclusively created temp file beside ``path``, open for writing."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    while True:  # a name clash is all but impossible; any other error propagates
        temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.orgtf-tmp")
        try:
            return os.open(temp, flags, create_mode), temp
        except FileExistsError:
            continue


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it already holds it; True if it was written.

    The file is rewritten in place, like ``Path.write_text`` (locale encoding, newlines
    translated), so an existing file keeps its mode and a symlink is written through. Missing
    parent directories are created when the file is written.
    """
    if path.is_file() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return True


class DamagedFileError(OrgtfError):
    """A file orgtf wrote earlier cannot be read back; the message names it and the fix."""


def read_record(path: Path, model: type[RecordT], what: str, fix: str) -> RecordT | None:
    """The JSON record orgtf keeps at ``path``, validated as ``model``; None when it is absent.

    A file that exists but is not valid JSON of that shape raises DamagedFileError naming
    ``what`` the file is, the first problem found and ``fix``, the step that recovers from it
    (for example "remove it and run `orgtf plan` again").
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DamagedFileError(f"{path}: cannot read {what}: {exc.strerror or exc}") from exc
    try:
        return model.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        detail = f"{where}: {first['msg']}" if where else first["msg"]
        raise DamagedFileError(f"{path}: {what} is damaged ({detail}); {fix}") from None


class Record(pydantic.BaseModel):
    """Base of the JSON records orgtf writes and reads back: closed and frozen."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    def to_json(self) -> str:
        """The record as indented JSON with a final newline, keys in field order."""
        return self.model_dump_json(indent=2) + "\n"
