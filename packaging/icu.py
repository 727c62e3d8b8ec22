"""Shrink the ICU data library that PySide6 ships on Linux (32 MB -> about 3 MB).

Qt Core links to ICU (``libicudata.so.NN`` holds all of ICU's data in one symbol,
``icudtNN_dat``). Qt calls ICU for exactly four things (see ``nm -D --undefined-only
libQt6Core.so.6``): case mapping (built into libicuuc, no data), collation (``coll/``),
time-zone names (``zone/``, the top-level zone tables) and legacy text codecs (``*.cnv``).
The rest (break-iterator dictionaries, unit, currency, language and region names,
transliteration, number spell-out) is never read by Qt, and the app's own text never goes
through ICU. So we keep ICU's core tables, the collation root and our languages'
tailorings and locale files, and drop the rest; legacy codecs go too (the app only reads
and writes UTF-8).

How: extract the data blob from the library, remove items with ``icupkg`` (Debian's
icu-devtools), then assemble a new library exporting the same symbol with ``gcc``. When a
tool is missing the build keeps the full library and says so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

# Trees (sub-folders of the ICU package) Qt never reads.
DROPPED_TREES = {"brkitr", "curr", "lang", "region", "unit", "translit", "rbnf"}
# Locale-independent tables that are always kept, even though they look like locale names.
ALWAYS_KEPT = {"root.res", "pool.res", "res_index.res", "ucadata.icu"}
_LOCALE_FILE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*\.res$")


def tools_available() -> list[str]:
    """Names of the tools this step needs that are not on PATH (empty when all are there)."""
    return [t for t in ("nm", "objcopy", "readelf", "icupkg", "gcc") if not shutil.which(t)]


def keep_item(item: str, locales: set[str]) -> bool:
    """True for an ICU package item (e.g. ``coll/pl.res``) that the trimmed data keeps."""
    parts = item.split("/")
    name = parts[-1]
    if (len(parts) > 1 and parts[0] in DROPPED_TREES) or name.endswith(".cnv"):
        return False
    if name in ALWAYS_KEPT or not _LOCALE_FILE.match(name):
        return True  # core tables: properties, normalisation, time zones, indexes
    return name[:-4] in locales


def icu_locales(languages: set[str]) -> set[str]:
    """ICU locale names for our languages: each one, its parents, and English variants."""
    keep = {"root", "en", "en_GB", "en_001"}
    for code in languages:
        keep.add(code)
        keep.update({f"{code}_Arab", f"{code}_Guru", f"{code}_Beng", f"{code}_Gujr", f"{code}_Ethi", f"{code}_Latn"})
    return keep


def _run(*cmd: str, cwd: Path | None = None) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=cwd).stdout


def extract_blob(lib: Path) -> tuple[str, bytes]:
    """(symbol name, data bytes) of the ICU data symbol in ``lib``."""
    symbols = _run("nm", "-D", "-S", "--defined-only", str(lib))
    match = re.search(r"^([0-9a-f]+) ([0-9a-f]+) \w (icudt\d+_dat)$", symbols, re.MULTILINE)
    if not match:
        raise RuntimeError(f"{lib} has no icudtNN_dat symbol")
    address, size, symbol = int(match.group(1), 16), int(match.group(2), 16), match.group(3)
    for line in _run("readelf", "-S", "-W", str(lib)).splitlines():
        fields = line.replace("[", " ").replace("]", " ").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            section_addr, section_off = int(fields[3], 16), int(fields[4], 16)
            break
    else:
        raise RuntimeError(f"{lib} has no .rodata section")
    with open(lib, "rb") as fh:
        fh.seek(section_off + address - section_addr)
        return symbol, fh.read(size)


def build_trimmed_library(lib: Path, workdir: Path, languages: set[str]) -> tuple[Path, int, int]:
    """Write a trimmed copy of ``lib`` in ``workdir``; returns (path, old size, new size)."""
    workdir.mkdir(parents=True, exist_ok=True)
    symbol, blob = extract_blob(lib)
    # icupkg insists the file is named after the package (icudt73l: ICU 73, little-endian).
    package = symbol.removesuffix("_dat") + "l"
    full = workdir / f"{package}.dat"
    full.write_bytes(blob)
    items = [i.strip() for i in _run("icupkg", "-l", str(full)).splitlines() if i.strip()]
    locales = icu_locales(languages)
    removed = [i for i in items if not keep_item(i, locales)]
    (workdir / "removed.txt").write_text("\n".join(removed) + "\n")
    trimmed = workdir / "trimmed" / full.name
    trimmed.parent.mkdir(exist_ok=True)
    trimmed.unlink(missing_ok=True)
    _run("icupkg", "-r", "removed.txt", full.name, str(trimmed), cwd=workdir)
    asm = workdir / "icudata.S"
    # The same exported object symbol the ICU libraries link to; 16-byte aligned as ICU expects.
    asm.write_text(
        "\t.section .rodata\n"
        f"\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n"
        f'{symbol}:\n\t.incbin "{trimmed}"\n\t.size {symbol}, . - {symbol}\n'
        '\t.section .note.GNU-stack,"",@progbits\n'
    )
    out = workdir / lib.name
    _run("gcc", "-shared", "-nostdlib", f"-Wl,-soname,{lib.name}", "-o", str(out), asm.name, cwd=workdir)
    return out, lib.stat().st_size, out.stat().st_size
