"""The build step: compiles ``resources/directory/`` into the SQLite file the app ships.

The same sources always give the same rows: ids are derived from keys, rows are written
in key order, and the edition date comes from the records, not the clock.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from coventry_directory import __version__
from coventry_directory.atomic_write import SHARED, ensure_replaceable, replace_file
from coventry_directory.core.directory_source import read_directory
from coventry_directory.resources import directory_source_dir
from coventry_directory.store.directory import DirectoryStore


def sources_digest(root: Path) -> str:
    """SHA-256 over every source file's name and bytes, in a fixed order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".toml", ".txt", ".md")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_database(out_path: Path, source_dir: Path | None = None) -> dict[str, str]:
    """Compile the sources into ``out_path`` atomically; return the edition info.

    Raises DirectorySourceError (listing every problem) when the sources are not valid;
    the existing file at ``out_path`` is then left untouched. Raises NotARegularFile (an
    OSError) when ``out_path`` is a folder, device, pipe or socket.
    """
    source_dir = source_dir or directory_source_dir()
    sources = read_directory(source_dir)
    edition = max((s.assured_date or "" for s in sources.services), default="")
    info = {
        "edition": edition,
        "sources_sha256": sources_digest(source_dir),
        "service_count": str(len(sources.services)),
        "organization_count": str(len(sources.organizations)),
        "publisher": "Coventry Directory (built from resources/directory)",
        "built_by_version": __version__,
    }
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    ensure_replaceable(out_path)  # before the build, not after it
    # SQLite writes the file itself, so it is built under a scratch name and swapped in whole.
    tmp = out_path.with_name(out_path.name + ".building")
    tmp.unlink(missing_ok=True)
    try:
        store = DirectoryStore.create(tmp)
        try:
            store.replace_directory(sources.vocabularies, sources.organizations, sources.services, info)
            store.vacuum()
        finally:
            store.close()
        replace_file(tmp, out_path, mode=SHARED)  # 0644: the directory is public data the app ships
    finally:
        tmp.unlink(missing_ok=True)  # gone already after the swap; a failed build leaves no scratch file
    return info
