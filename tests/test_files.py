"""orgtf.files: atomic replacement with the right mode, and rewriting only what changed."""

from __future__ import annotations

import errno
import os
import resource
import signal
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgtf.files import write_atomic, write_if_changed


@pytest.fixture
def umask_027() -> Iterator[int]:
    """Run with a umask that a plain 0o644 or 0o666 would not survive unchanged."""
    previous = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(previous)


@pytest.fixture
def file_size_limit() -> Iterator[int]:
    """Writes past 64 KiB fail with EFBIG, as on a full or quota-limited disk."""
    limit = 64 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error, not a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield limit
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_writes_text_as_utf8_with_line_endings_untouched(tmp_path: Path) -> None:
    path = tmp_path / "main.tf"
    write_atomic(path, "# café\r\nx = 1\n")
    assert path.read_bytes() == "# café\r\nx = 1\n".encode()
    write_atomic(path, b"\xff\x00raw")
    assert path.read_bytes() == b"\xff\x00raw"
    assert os.listdir(tmp_path) == ["main.tf"]


def test_mode_is_applied_exactly_whatever_the_umask(tmp_path: Path, umask_027: int) -> None:
    path = tmp_path / "config"
    path.write_text("old")
    path.chmod(0o600)
    write_atomic(path, "new", mode=0o644)
    assert (path.read_text(), mode_of(path)) == ("new", 0o644)
    write_atomic(path, "newer", mode=0o600)
    assert (path.read_text(), mode_of(path)) == ("newer", 0o600)


def test_without_a_mode_the_file_gets_what_open_gives(tmp_path: Path, umask_027: int) -> None:
    path = tmp_path / "emulator.json"
    path.write_text("old")
    path.chmod(0o600)  # replaced, not rewritten: the old file's mode does not carry over
    write_atomic(path, "{}\n")
    assert mode_of(path) == 0o666 & ~umask_027 == 0o640


def test_umask_true_takes_the_umask_from_the_mode(tmp_path: Path, umask_027: int) -> None:
    write_atomic(tmp_path / "sandbox.json", "{}\n", mode=0o644, umask=True)
    write_atomic(tmp_path / "credentials.json", "{}\n", mode=0o600, umask=True)
    assert mode_of(tmp_path / "sandbox.json") == 0o640
    assert mode_of(tmp_path / "credentials.json") == 0o600


def test_a_symlink_is_replaced_not_followed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.write_text("kept")
    link = tmp_path / "link"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert not link.is_symlink()
    assert (link.read_text(), real.read_text()) == ("new", "kept")


def test_fsync_flushes_the_temp_file_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config"
    synced: list[bytes] = []

    def record_fsync(fd: int) -> None:
        assert not path.exists()  # before the rename
        synced.append(Path(f"/proc/self/fd/{fd}").read_bytes())

    monkeypatch.setattr(os, "fsync", record_fsync)
    write_atomic(path, "[default]\n", fsync=True)
    write_atomic(tmp_path / "other", "x")
    assert synced == [b"[default]\n"]
    assert path.read_text() == "[default]\n"


def test_a_failing_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, file_size_limit: int
) -> None:
    path = tmp_path / "credentials.json"
    path.write_text("old")
    path.chmod(0o600)
    with pytest.raises(OSError) as raised:
        write_atomic(path, "x" * (2 * file_size_limit), mode=0o644)
    assert raised.value.errno == errno.EFBIG
    assert (path.read_text(), mode_of(path)) == ("old", 0o600)
    assert os.listdir(tmp_path) == ["credentials.json"]


def test_a_failing_rename_removes_the_temp_file(tmp_path: Path) -> None:
    occupied = tmp_path / "main.tf"
    occupied.mkdir()
    (occupied / "inside").write_text("kept")
    with pytest.raises(IsADirectoryError):
        write_atomic(occupied, "x = 1\n")
    assert os.listdir(tmp_path) == ["main.tf"]
    assert (occupied / "inside").read_text() == "kept"


def test_a_missing_directory_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "gone" / "main.tf", "x = 1\n")
    assert os.listdir(tmp_path) == []


def test_write_if_changed_creates_then_skips_identical_text(tmp_path: Path) -> None:
    path = tmp_path / "state" / "backend.hcl"
    assert write_if_changed(path, 'bucket = "b"\n') is True
    before = path.stat()
    assert write_if_changed(path, 'bucket = "b"\n') is False
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert path.read_text() == 'bucket = "b"\n'


def test_write_if_changed_rewrites_in_place(tmp_path: Path) -> None:
    real = tmp_path / "provider"
    real.write_text("old")
    real.chmod(0o755)
    link = tmp_path / "link"
    link.symlink_to(real)
    inode = real.stat().st_ino
    assert write_if_changed(link, "new") is True
    assert link.is_symlink()
    assert (real.read_text(), mode_of(real), real.stat().st_ino) == ("new", 0o755, inode)
