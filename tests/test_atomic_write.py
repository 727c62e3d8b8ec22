"""The one atomic-write helper: replaces whole files, durably, privately, and only regular files."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from coventry_directory import atomic_write as aw
from coventry_directory.atomic_write import (
    PRIVATE,
    SHARED,
    NotARegularFile,
    atomic_write,
    ensure_replaceable,
    replace_file,
    write_bytes_atomic,
    write_text_atomic,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions, FIFOs and devices")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_writes_a_new_file_and_replaces_an_old_one(tmp_path):
    target = tmp_path / "data.bin"
    assert write_bytes_atomic(target, b"first") == target
    assert target.read_bytes() == b"first"
    write_bytes_atomic(target, b"second, longer")
    assert target.read_bytes() == b"second, longer"
    assert names(tmp_path) == ["data.bin"]  # no temp file left beside it


def test_text_is_written_exactly_as_given(tmp_path):
    target = tmp_path / "t.json"
    write_text_atomic(target, "caf\u00e9\nline two\n")
    assert target.read_bytes() == "caf\u00e9\nline two\n".encode()  # UTF-8, no newline translation
    with atomic_write(target, binary=False, newline="") as fh:
        fh.write("a,b\r\n")
    assert target.read_bytes() == b"a,b\r\n"


@posix_only
def test_permissions_are_set_explicitly_not_left_to_the_umask(tmp_path):
    old = os.umask(0o077)  # a private shell: SHARED must still come out 0644
    try:
        write_bytes_atomic(tmp_path / "private", b"x")
        write_bytes_atomic(tmp_path / "shared", b"x", mode=SHARED)
    finally:
        os.umask(old)
    old = os.umask(0)  # a careless shell: PRIVATE must still come out 0600
    try:
        write_bytes_atomic(tmp_path / "private2", b"x", mode=PRIVATE)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "private2").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "shared").stat().st_mode) == 0o644


@posix_only
def test_replacing_a_shared_file_with_private_data_makes_it_private(tmp_path):
    target = tmp_path / "f"
    write_bytes_atomic(target, b"public", mode=SHARED)
    write_bytes_atomic(target, b"secret")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failure_mid_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "keep.txt"
    write_bytes_atomic(target, b"old contents")
    with pytest.raises(RuntimeError, match="disk on fire"), atomic_write(target) as fh:
        fh.write(b"half of the new")
        raise RuntimeError("disk on fire")
    assert target.read_bytes() == b"old contents"
    assert names(tmp_path) == ["keep.txt"]
    with pytest.raises(TypeError):
        write_bytes_atomic(target, "not bytes")  # fails inside the write itself
    assert target.read_bytes() == b"old contents" and names(tmp_path) == ["keep.txt"]


def test_a_text_stream_is_renamed_in_only_when_it_is_complete(tmp_path):
    # what the HSDS JSON export does: many pieces written as they are made, never the whole text at once
    target = tmp_path / "services.json"
    write_text_atomic(target, "old\n")
    with pytest.raises(OSError, match="No space left"), atomic_write(target, binary=False, newline="") as fh:
        for n in range(10_000):
            fh.write(f"piece {n}\r\n")
            if n % 1000 == 0:
                assert target.read_text() == "old\n"  # the old file is all a reader sees meanwhile
        raise OSError(28, "No space left on device")
    assert target.read_bytes() == b"old\n" and names(tmp_path) == ["services.json"]
    with atomic_write(target, mode=SHARED, binary=False, newline="") as fh:
        for n in range(3):
            fh.write(f"caf\u00e9 {n}\r\n")
    assert target.read_bytes() == "caf\u00e9 0\r\ncaf\u00e9 1\r\ncaf\u00e9 2\r\n".encode()  # no newline translation
    assert names(tmp_path) == ["services.json"]


def test_a_failed_rename_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "keep.txt"
    write_bytes_atomic(target, b"old contents")

    def no_rename(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(aw.os, "replace", no_rename)
    with pytest.raises(PermissionError):
        write_bytes_atomic(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old contents" and names(tmp_path) == ["keep.txt"]


def test_bytes_reach_the_disk_before_the_name_and_the_rename_after(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        calls.append("fsync-dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file")
        real_fsync(fd)

    def replace(src, dst):
        calls.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(aw.os, "fsync", fsync)
    monkeypatch.setattr(aw.os, "replace", replace)
    write_bytes_atomic(tmp_path / "d", b"x")
    expected = ["fsync-file", "replace", "fsync-dir"] if os.name == "posix" else ["fsync-file", "replace"]
    assert calls == expected


def test_the_temp_file_is_private_from_the_start_and_in_the_same_folder(tmp_path):
    target = tmp_path / "out.pdf"
    with atomic_write(target, mode=SHARED) as fh:
        [temp] = [p for p in tmp_path.iterdir()]
        assert temp.parent == tmp_path and temp.name.startswith(".out.pdf.")
        if os.name == "posix":
            assert stat.S_IMODE(temp.stat().st_mode) == 0o600  # before any byte is written
        fh.write(b"%PDF")
    assert names(tmp_path) == ["out.pdf"]


def test_refuses_a_folder(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    (folder / "inside").write_text("x")
    with pytest.raises(NotARegularFile, match="is a folder, not a regular file; refusing to replace it"):
        write_bytes_atomic(folder, b"x")
    assert folder.is_dir() and names(folder) == ["inside"]
    assert names(tmp_path) == ["a-folder"]


@needs_fifo
def test_refuses_a_named_pipe_without_opening_it(tmp_path, fifo):
    # Opening a FIFO to write would block with no reader: the test would hang if it did.
    with pytest.raises(NotARegularFile, match="is a named pipe") as info:
        write_bytes_atomic(fifo, b"x")
    assert isinstance(info.value, OSError) and info.value.strerror == str(info.value)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the pipe, not replaced by a file
    assert names(tmp_path) == ["pipe"]


@posix_only
def test_refuses_a_device():
    # Only ever *checked*: nothing here opens /dev/null or writes beside it.
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(NotARegularFile, match="/dev/null is a device"):
        ensure_replaceable("/dev/null")


@posix_only
def test_refuses_a_socket():
    folder = Path(tempfile.mkdtemp(prefix="aw-", dir="/tmp"))  # AF_UNIX paths must be short
    path = folder / "s"
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))
            with pytest.raises(NotARegularFile, match="is a socket"):
                write_bytes_atomic(path, b"x")
            assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        shutil.rmtree(folder)


def test_a_missing_target_is_fine_but_a_missing_folder_is_an_error(tmp_path):
    ensure_replaceable(tmp_path / "nothing-here")
    with pytest.raises(FileNotFoundError):
        write_bytes_atomic(tmp_path / "no-folder" / "f", b"x")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlink_is_replaced_never_written_through(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim.txt"
    victim.write_bytes(b"not yours to overwrite")
    link = tmp_path / "out.txt"
    link.symlink_to(victim)
    write_bytes_atomic(link, b"private data")
    assert not link.is_symlink() and link.read_bytes() == b"private data"
    assert victim.read_bytes() == b"not yours to overwrite"  # the link was not followed


@needs_fifo
def test_a_symlink_to_a_pipe_is_replaced_and_the_pipe_left_alone(tmp_path, fifo):
    link = tmp_path / "out.json"
    link.symlink_to(fifo)
    write_bytes_atomic(link, b"{}")
    assert link.read_bytes() == b"{}" and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@needs_fifo
def test_replace_file_swaps_in_a_finished_file_and_refuses_a_pipe(tmp_path, fifo):
    src = tmp_path / "built.db.building"
    src.write_bytes(b"sqlite")
    with pytest.raises(NotARegularFile):
        replace_file(src, fifo, mode=SHARED)
    assert src.read_bytes() == b"sqlite" and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    target = replace_file(src, tmp_path / "built.db", mode=SHARED)
    assert target.read_bytes() == b"sqlite" and not src.exists()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


# --- real writers: an output path that is a pipe (like ``-o /dev/full``) is refused -----------


@needs_fifo
def test_the_leaflet_writer_refuses_a_pipe(tmp_path, fifo):
    from coventry_directory.leaflets.base import write_pdf

    with pytest.raises(NotARegularFile, match="named pipe"):
        write_pdf(fifo, b"%PDF-1.4")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and names(tmp_path) == ["pipe"]
    out = write_pdf(tmp_path / "leaflet.pdf", b"%PDF-1.4")
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o644  # a leaflet is for sharing


@needs_fifo
def test_the_private_writer_refuses_a_pipe(tmp_path, fifo):
    from coventry_directory.referrals.files import write_private

    with pytest.raises(NotARegularFile):
        write_private(fifo, b"sealed")
    out = write_private(tmp_path / "r.ref", b"sealed")
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600


@needs_fifo
def test_hsds_json_export_refuses_a_pipe(directory_store, tmp_path):
    from coventry_directory.exchange.hsds_json import JSON_FILE_NAME, export_json

    out = tmp_path / "export"
    out.mkdir()
    os.mkfifo(out / JSON_FILE_NAME)
    with pytest.raises(NotARegularFile, match="named pipe"):
        export_json(directory_store, out)
    assert stat.S_ISFIFO(os.lstat(out / JSON_FILE_NAME).st_mode) and names(out) == [JSON_FILE_NAME]


@needs_fifo
def test_the_cli_reports_a_pipe_as_output_instead_of_replacing_it(installed_directory, tmp_path, capsys):
    from coventry_directory.cli import main
    from coventry_directory.exchange.hsds_json import JSON_FILE_NAME

    out = tmp_path / "export"
    out.mkdir()
    os.mkfifo(out / JSON_FILE_NAME)
    assert main(["export", "--format", "hsds-json", "-o", str(out)]) != 0
    err = capsys.readouterr().err
    assert "is a named pipe, not a regular file; refusing to replace it" in err and "Traceback" not in err
    assert stat.S_ISFIFO(os.lstat(out / JSON_FILE_NAME).st_mode) and names(out) == [JSON_FILE_NAME]
    # and a real folder still exports, shareable
    assert main(["export", "--format", "hsds-json", "-o", str(tmp_path / "ok")]) == 0
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "ok" / JSON_FILE_NAME).stat().st_mode) == 0o644


@needs_fifo
def test_installing_over_a_pipe_is_refused(tmp_path, fifo):
    from coventry_directory.exchange.errors import ExchangeError
    from coventry_directory.exchange.install import commit

    staged = tmp_path / "directory.db.incoming-1"
    staged.write_bytes(b"whatever")
    with pytest.raises(ExchangeError, match="named pipe"):
        commit(staged, fifo)
    assert not staged.exists() and stat.S_ISFIFO(os.lstat(fifo).st_mode)
