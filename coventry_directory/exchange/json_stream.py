"""Reading a large JSON file one service at a time (ijson), so a national feed never sits whole in memory.

A 100,000-service feed is ~150 MB of JSON and several GB as Python objects. A file whose
top level is a list, or a page object (``{"contents": [...]}``), is read item by item
through ijson's C parser: each item is parsed, handed on and forgotten. Anything else
(one service, one organisation, a small file) is parsed whole, as before: its size is
bounded by the file's.

How far through the file the reader is, in bytes, is what an import's progress reports.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import ijson

from coventry_directory.exchange.errors import InvalidData, Problem

STREAM_FROM = 8 << 20  # bytes: smaller files are simply parsed whole
PEEK = 5  # items read ahead to tell the format (HSDS, ORUK 1.0, Meeting Guide)


class _CountingFile:
    """A binary file that counts the bytes read from it (for progress)."""

    def __init__(self, fh, on_read: Callable[[int], None] | None):
        self.fh = fh
        self.done = 0
        self.on_read = on_read

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.done += len(data)
        if self.on_read is not None:
            self.on_read(self.done)
        return data


@dataclass
class Streamed:
    """The items of a large list-shaped file: the first few already read, the rest on demand."""

    prefix: str  # "$" for a top-level list, "$.contents" for a page
    peeked: list
    rest: Iterator
    size: int

    def __iter__(self) -> Iterator[tuple[str, object]]:
        for n, item in enumerate(itertools.chain(self.peeked, self.rest)):
            yield f"{self.prefix}[{n}]", item


def _first_byte(path: Path) -> bytes:
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(4096)
            if not chunk:
                return b""
            stripped = chunk.lstrip(b" \t\r\n\xef\xbb\xbf")
            if stripped:
                return stripped[:1]


def _page_prefix(path: Path) -> str | None:
    """``contents``/``content`` when the top-level object holds its list under that key."""
    try:
        with open(path, "rb") as fh:
            for prefix, event, value in ijson.parse(fh):
                if prefix == "" and event == "map_key" and value in ("contents", "content"):
                    return str(value)
    except ijson.JSONError:
        return None  # parsed whole instead, which reports where the JSON goes wrong
    return None


def stream_items(path: Path, on_read: Callable[[int], None] | None = None) -> Streamed | None:
    """The items of a large list-shaped JSON file, read lazily; None when it should be parsed whole."""
    path = Path(path)
    size = path.stat().st_size
    if size < STREAM_FROM:
        return None
    first = _first_byte(path)
    if first == b"[":
        prefix, where = "item", "$"
    elif first == b"{":
        key = _page_prefix(path)
        if key is None:
            return None
        prefix, where = f"{key}.item", f"$.{key}"
    else:
        return None
    fh = open(path, "rb")  # noqa: SIM115 - closed when the items run out (see _items)
    counted = _CountingFile(fh, on_read)
    items = _items(ijson.items(counted, prefix, use_float=True), fh, path)
    peeked = list(itertools.islice(items, PEEK))
    return Streamed(where, peeked, items, size)


def _items(items: Iterator, fh, path: Path) -> Iterator:
    """The parsed items, with parse errors worded for the user (nothing was changed)."""
    try:
        yield from items
    except ijson.JSONError as exc:
        raise InvalidData(str(path), [Problem("$", f"not JSON: {exc}")]) from exc
    except RecursionError as exc:
        raise InvalidData(str(path), [Problem("$", "is nested too deeply to read")]) from exc
    except UnicodeDecodeError as exc:
        raise InvalidData(str(path), [Problem("$", "is not UTF-8 text: save it as UTF-8 and import it again")]) from exc
    finally:
        fh.close()


def as_json(obj: object) -> str:
    """``obj`` as canonical JSON text (for comparing two copies of a record)."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
