"""Reading JSON files for import: a large one service at a time (ijson), a small one whole, both the same way.

A 100,000-service feed is ~150 MB of JSON and several GB as Python objects. A file whose
top level is a list, or a page object (``{"contents": [...]}``), is read item by item
through ijson's C parser: each item is parsed, handed on and forgotten. Anything else
(one service, one organisation, a small file) is parsed whole (:func:`load_whole`): its
size is bounded by the file's.

Both readers treat a file alike, so a fault in one record stays that record's:

- a UTF-8 byte order mark at the start (Windows editors write one) is skipped;
- a number no field can hold - an integer outside 64 bits (``1234…`` with 400 digits), a
  number too large for a float (``1e400``), ``NaN`` or ``Infinity`` - is kept as its text,
  so the record's repair (``exchange.repair``) leaves it out as an unusable value, or
  keeps it as text where text belongs. ijson's C parser refuses such numbers outright, so
  when it meets one the file is read again with them quoted, from the first item not yet
  handed on;
- what is not JSON at all is said in plain words with where it is (byte, and line for a
  small file), never in the parser's own terms.

How far through the file the reader is, in bytes, is what an import's progress reports.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import ijson

from coventry_directory.exchange.errors import ExchangeError, InvalidData, Problem

STREAM_FROM = 8 << 20  # bytes: smaller files are simply parsed whole
PEEK = 5  # items read ahead to tell the format (HSDS, ORUK 1.0, Meeting Guide)
BOM = b"\xef\xbb\xbf"
_INT64 = 1 << 63


class NestedTooDeeply(InvalidData):
    """JSON nested deeper than can be parsed whole; nothing was changed (exit code 2).

    A list or a page of records is then read one record at a time instead
    (``importing._open_json``), so that only the record nested so deeply is skipped.
    """

    def __init__(self, path: Path):
        super().__init__(str(path), [Problem("$", TOO_DEEP)])


TOO_DEEP = "is nested too deeply to read"
# How deep a small file may nest to be read one record at a time when it is too deep to parse
# whole: ijson's time grows with the square of the depth (10,000 levels take a fraction of a
# second, 200,000 minutes), so a file nested deeper is refused whole, at once.
STREAM_DEPTH = 20_000
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def nesting_depth(raw: bytes) -> int:
    """How deep the JSON text ``raw`` nests (brackets inside strings aside); at C speed but for one pass over brackets."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(itertools.accumulate(_STEP[b] for b in brackets), default=0)


# --- numbers no field can hold -------------------------------------------------------------
def too_large_integer(text: str) -> bool:
    """True for an integer literal outside 64 bits (what SQLite and ijson's parser can hold)."""
    digits = text.lstrip("-")
    return len(digits) > 19 or not -_INT64 <= int(text) < _INT64


def int_or_text(text: str) -> int | str:
    """``json.loads``'s ``parse_int``: the integer, or its text when no field could hold it (see above)."""
    return text if too_large_integer(text) else int(text)


def _unreadable_number(literal: bytes) -> bool:
    """True for a number literal ijson's C parser refuses (see the module docstring)."""
    if literal in (b"NaN", b"Infinity", b"-Infinity"):
        return True
    text = literal.decode("ascii")
    try:
        if not any(c in text for c in ".eE"):
            return too_large_integer(text)
        return float(text) in (float("inf"), float("-inf"))
    except ValueError:
        return False  # not a number at all: the parser says so


# A string (whole), a quote whose string has not ended yet, or a number-like word.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|(")|(-?[0-9][0-9.eE+-]*|NaN|-?Infinity)', re.DOTALL)
_WORD = frozenset(b"+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class _NumberQuoter:
    """Turns JSON text, chunk by chunk, into the same text with unreadable numbers quoted as strings."""

    def __init__(self) -> None:
        self.carry = b""

    def feed(self, data: bytes) -> bytes:
        """The quoted text of what is complete so far (``data`` b"" at the end: everything left)."""
        final = not data
        buf = self.carry + data
        out, done, end = [], 0, len(buf)
        for match in _TOKEN.finditer(buf):
            if match.lastindex is None:
                continue  # a whole string: passed on as it is
            if match.lastindex == 1 or (match.end() == len(buf) and not final):
                if not final:
                    end = match.start()  # a string or a number that goes on in the next chunk
                break  # (at the end, a string that never ends: passed on, for the parser to say so)
            if _unreadable_number(match.group(2)):
                out += [buf[done : match.start()], b'"', match.group(2), b'"']
                done = match.end()
        else:
            while not final and end > done and buf[end - 1] in _WORD:
                end -= 1  # a word cut by the chunk's end ("-", "Infin"): read it whole next time
        out.append(buf[done:end])
        self.carry = buf[end:]
        return b"".join(out)


class _Reader:
    """A JSON file as the parser reads it: a leading BOM skipped, bytes counted, numbers quoted if asked."""

    def __init__(self, path: Path, on_read: Callable[[int], None] | None = None, *, quote_numbers: bool = False):
        self.fh = open(path, "rb")  # noqa: SIM115 - closed by close(), when the items run out
        self.done = len(BOM) if self.fh.read(len(BOM)) == BOM else 0
        self.fh.seek(self.done)
        self.on_read = on_read
        self.quoter = _NumberQuoter() if quote_numbers else None
        # what the parser was handed: the chunk it has now, and where in the file (near enough:
        # a quoted number adds two bytes) it began
        self.handed = self.done
        self.last, self.last_start = b"", self.done

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.done += len(data)
        if self.on_read is not None:
            self.on_read(self.done)
        if self.quoter is not None:
            out = self.quoter.feed(data)
            while not out and data:  # one long string so far: read on until something is complete
                data = self.fh.read(size)
                self.done += len(data)
                out = self.quoter.feed(data)
            data = out
        self.last, self.last_start = data, self.handed
        self.handed += len(data)
        return data

    def close(self) -> None:
        self.fh.close()


# --- what is not JSON, in words ------------------------------------------------------------
_CUT_SHORT = "the file ends before its data does (it may have been cut short while downloading or copying)"
_REASONS = (  # words of the parser's message (ijson's C parser, or Python's json), and what they mean
    (("premature EOF",), _CUT_SHORT),
    (("trailing garbage", "Extra data"), "there is more after the end of the data (two files joined into one?)"),
    (("must be a string", "property name"), "a field name is not in double quotes, or there is a comma too many"),
    (("colon", "':' delimiter"), "a colon (:) is missing between a field name and its value"),
    (("I expect ','", "',' delimiter"), "a comma or a closing bracket is missing"),
    (("UTF8",), "the text is not UTF-8: save the file as UTF-8 and import it again"),
    (
        ("inside string", "control character", "escape", "'\\'", "non-hex"),
        "a piece of text holds a character that must be written differently (a raw tab or line break, or a \\)",
    ),
    (("malformed number",), "a number is written wrongly"),
    (("comment",), "the file holds a comment, which JSON does not allow"),
    (("overflow",), "a number is too large to read"),
)
_SOMETHING_ELSE = "something here is not JSON (a stray character, a missing quote, or a word JSON does not know)"


def _reason(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else ""
    return next((words for keys, words in _REASONS if any(k in first for k in keys)), _SOMETHING_ELSE)


def not_json(source: str, byte: int, reason: str, line: str = "") -> InvalidData:
    """InvalidData for a file that is not JSON at ``byte``: nothing was changed."""
    return InvalidData(source, [Problem("$", f"the file is not valid JSON near byte {byte:,}{line}: {reason}")])


def _stream_position(message: str, reader: _Reader) -> int:
    """Where in the file the C parser stopped, from the text it quotes around the place (else its chunk's start).

    Its message's second line is the text around the fault, with the fault at column 40.
    """
    if "premature EOF" in message:
        return reader.done
    lines = message.split("\n")
    if len(lines) > 2 and len(lines[1]) > 40:
        before, after = lines[1][:40].lstrip(" "), lines[1][40:]
        chunk = reader.last.replace(b"\n", b" ").replace(b"\r", b" ")
        found = chunk.find((before + after).encode("utf-8", "replace"))
        if found >= 0:
            return reader.last_start + found + len(before.encode("utf-8", "replace"))
    return reader.last_start


def _restart_helps(message: str) -> bool:
    """True when reading again with numbers quoted may get past this fault (a number the parser refused)."""
    first = message.split("\n")[0]
    return "overflow" in first or "invalid char" in first or "after the minus sign" in first


# --- large files: item by item ---------------------------------------------------------------
@dataclass
class Streamed:
    """The items of a large list-shaped file: the first few already read, the rest on demand."""

    prefix: str  # "$" for a top-level list, "$.contents" for a page
    peeked: list
    rest: Iterator
    size: int
    path: Path | None = None  # the file, for a worker process to read it again itself (``prepare``)

    def __iter__(self) -> Iterator[tuple[str, object]]:
        for n, item in enumerate(itertools.chain(self.peeked, self.rest)):
            yield f"{self.prefix}[{n}]", item


def _first_byte(path: Path) -> bytes:
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(4096)
            if not chunk:
                return b""
            stripped = chunk.lstrip(b" \t\r\n").removeprefix(BOM).lstrip(b" \t\r\n")
            if stripped:
                return stripped[:1]


def _page_prefix(path: Path) -> str | None:
    """``contents``/``content`` when the top-level object holds its list under that key."""
    for quote_numbers in (False, True):
        reader = _Reader(path, quote_numbers=quote_numbers)
        try:
            for prefix, event, value in ijson.parse(reader):
                if prefix == "" and event == "map_key" and value in ("contents", "content"):
                    return str(value)
            return None
        except ijson.JSONError:
            continue  # a number the parser refused (read again), or not JSON: parsed whole, which says where
        finally:
            reader.close()
    return None


def stream_items(
    path: Path, on_read: Callable[[int], None] | None = None, *, any_size: bool = False
) -> Streamed | None:
    """The items of a large list-shaped JSON file, read lazily; None when it should be parsed whole.

    ``any_size``: stream it even when it is small (a worker process reading again a file the
    importing process already chose to stream).
    """
    path = Path(path)
    size = path.stat().st_size
    if size < STREAM_FROM and not any_size:
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
    items = _items(path, prefix, on_read)
    peeked = list(itertools.islice(items, PEEK))
    return Streamed(where, peeked, items, size, path)


def _items(path: Path, prefix: str, on_read: Callable[[int], None] | None) -> Iterator:
    """The parsed items; read again with numbers quoted if the parser refuses one; faults worded for the user."""
    handed_on, quote_numbers, furthest = 0, False, 0

    def progress(done: int) -> None:
        nonlocal furthest
        if on_read is not None and done > furthest:  # a second reading does not send the bar back
            furthest = done
            on_read(done)

    while True:
        reader = _Reader(path, progress, quote_numbers=quote_numbers)
        try:
            for n, item in enumerate(ijson.items(reader, prefix, use_float=True)):
                if n >= handed_on:  # what the first reading handed on is not handed on twice
                    handed_on += 1
                    yield item
            return
        except ijson.JSONError as exc:
            message = str(exc)
            if not quote_numbers and _restart_helps(message):
                quote_numbers = True
                continue
            raise not_json(str(path), _stream_position(message, reader), _reason(message)) from None
        except RecursionError as exc:
            raise NestedTooDeeply(path) from exc
        except UnicodeDecodeError as exc:
            raise InvalidData(
                str(path), [Problem("$", "is not UTF-8 text: save it as UTF-8 and import it again")]
            ) from exc
        finally:
            reader.close()


# --- small files: whole ----------------------------------------------------------------------
def load_whole(path: Path) -> object:
    """The parsed JSON of a file small enough to read whole, read as a streamed one is (see the module docstring).

    Only a regular file of at most ``hsds_json.MAX_JSON_BYTES`` is read (InputFileError
    otherwise: a pipe, a device, a folder, a path under a file ...).
    """
    from coventry_directory.exchange.hsds_json import MAX_JSON_BYTES
    from coventry_directory.input_files import read_input

    path = Path(path)
    try:
        raw = read_input(path, "the HSDS JSON file", MAX_JSON_BYTES)
    except OSError as exc:
        raise ExchangeError(f"cannot read {path}: {exc.strerror or exc}") from exc
    skip = len(BOM) if raw.startswith(BOM) else 0
    try:
        text = raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_json(str(path), skip + exc.start, _reason("UTF8")) from None
    try:
        return json.loads(text, parse_int=int_or_text)
    except json.JSONDecodeError as exc:
        byte = skip + len(text[: exc.pos].encode("utf-8"))
        cut = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        reason = _CUT_SHORT if cut else _reason(exc.msg)
        raise not_json(str(path), byte, reason, f" (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise NestedTooDeeply(path) from None
    except MemoryError as exc:
        raise ExchangeError(f"{path} is too large to read into this computer's memory; nothing was changed") from exc


def as_json(obj: object) -> str:
    """``obj`` as canonical JSON text (for comparing two copies of a record)."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
