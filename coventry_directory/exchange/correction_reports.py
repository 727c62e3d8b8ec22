"""Workers' correction notes coming in: their JSON exports and the emails the app sends, read into the queue.

A worker's app writes its "report a correction" notes as a corrections document
(``exchange.corrections``: ``{"format": "coventry-directory-corrections", "format_version": 1,
"directory": {"edition", ...}, "corrections": [{"id", "service_id", "service_name", "note",
"created_at"}]}``), to a file or attached to an email as ``corrections.json``. The keeper
imports either (``corrections import``); which one a file is, is told from its content, not
its name. An email's sender becomes the notes' ``reported_by``; a file names nobody.

Every file is read and checked whole before any of it is queued, and then queued in one
transaction (``store.correction_queue``): a file goes in completely or not at all. What is
wrong with a file is a :class:`CorrectionFileError` naming the file and the place (a JSON
path such as ``$.corrections[3].note``), never the text of a note.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from email import policy
from email.headerregistry import Address
from email.message import Message
from email.parser import BytesParser
from pathlib import Path

from coventry_directory.core.correction_queue import (
    FIRST_YEAR,
    LAST_YEAR,
    DirectoryLookup,
    ImportCount,
    ReportedNote,
    showable_moment,
    utc_stamp,
)
from coventry_directory.core.text import HIDDEN_IN_RECORD, NOT_ONE_LINE, clean_text
from coventry_directory.exchange.corrections import FORMAT
from coventry_directory.input_files import InputFileError, JsonTooDeep, parse_json, read_input, unencodable_paths
from coventry_directory.store.correction_queue import CorrectionQueueStore
from coventry_directory.store.user import UserStore

FORMAT_VERSION = 1  # the newest corrections document this app reads
MAX_EXPORT_BYTES = 16 << 20  # thousands of notes; a worker's export is a few KB
MAX_EMAIL_BYTES = 32 << 20  # the same JSON base64-encoded, with the readable copy beside it
MAX_NOTE = 20_000  # characters: a note is a few lines; more is not a note
MAX_NOTES = 10_000  # notes in one export: a worker's year is a few dozen
MAX_FIELD = 1_000  # a service id or name, an edition
MAX_SENDER = 320  # the longest email address there can be
MAX_DEPTH = 20  # messages forwarded inside messages: more is no real mailbox
EXPORT, EMAIL = "export", "email"
# the one policy per kind of text (core.text): a note may have line breaks and tabs, a field is one line
_NOTE_CONTROL = HIDDEN_IN_RECORD
_FIELD_CONTROL = NOT_ONE_LINE
_BOM = b"\xef\xbb\xbf"


class CorrectionFileError(InputFileError):
    """A file given to ``corrections import`` cannot be read as workers' notes (bad input); nothing of it was queued."""


@dataclass(frozen=True)
class CorrectionFile:
    """One file's notes, read and checked: ``kind`` is ``export`` (JSON) or ``email``."""

    path: Path
    kind: str
    notes: tuple[ReportedNote, ...]


def read_correction_file(path: Path) -> CorrectionFile:
    """Read a worker's corrections export or a corrections email; CorrectionFileError if it is neither.

    A folder, a pipe, a device, a missing file or one larger than an email can be is refused
    before it is read (``input_files``).
    """
    path = Path(path)
    try:
        data = read_input(path, "the corrections file", MAX_EMAIL_BYTES)
    except CorrectionFileError:
        raise
    except InputFileError as exc:
        raise CorrectionFileError(str(exc)) from exc
    start = data[len(_BOM) :] if data.startswith(_BOM) else data
    if not start.strip():
        raise CorrectionFileError(f"{path} is empty: it holds no correction notes")
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CorrectionFileError(
            f"{path} is UTF-16 text, not UTF-8: it is not a corrections export as the app writes it"
        )
    if start.lstrip()[:1] in (b"{", b"["):
        if len(data) > MAX_EXPORT_BYTES:
            raise CorrectionFileError(f"{path} is larger than a corrections export can sensibly be (16 MB)")
        return CorrectionFile(path, EXPORT, tuple(read_export(start, str(path))))
    return CorrectionFile(path, EMAIL, tuple(read_email(data, path)))


def read_export(data: bytes, where: str, *, reported_by: str | None = None) -> list[ReportedNote]:
    """The notes of one corrections document (UTF-8 JSON bytes); ``where`` names it in messages."""
    if len(data) > MAX_EXPORT_BYTES:  # here too: an export attached to an email is held to the same size
        raise CorrectionFileError(f"{where} is larger than a corrections export can sensibly be (16 MB)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorrectionFileError(
            f"{where} is not UTF-8 text (byte {exc.start:,} is not): it is not a corrections export"
        ) from None
    try:
        doc = parse_json(text)
    except JsonTooDeep:
        raise CorrectionFileError(
            f"{where} is JSON nested too deeply to read: it is not a corrections export"
        ) from None
    except json.JSONDecodeError as exc:
        raise CorrectionFileError(
            f"{where} is not valid JSON near byte {_byte(text, exc.pos):,} "
            f"(line {exc.lineno}, column {exc.colno}): {_json_words(exc, text)}"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CorrectionFileError(f'{where} is not a corrections export (it does not say "format": "{FORMAT}")')
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise CorrectionFileError(f"{where}: $.format_version is not a number")
    if version > FORMAT_VERSION:
        raise CorrectionFileError(
            f"{where} was written by a newer version of the app (corrections format {version}); update the app first"
        )
    bad = unencodable_paths(doc, limit=1)
    if bad:
        raise CorrectionFileError(f"{where}: {bad[0]} holds text that is not valid Unicode")
    directory = doc.get("directory")
    if directory is not None and not isinstance(directory, dict):
        raise CorrectionFileError(f"{where}: $.directory is not an object")
    edition = _optional_text(directory or {}, "edition", f"{where}: $.directory.edition", MAX_FIELD)
    items = doc.get("corrections")
    if not isinstance(items, list):
        raise CorrectionFileError(f"{where}: $.corrections is missing or not a list")
    if len(items) > MAX_NOTES:
        raise CorrectionFileError(
            f"{where} holds {len(items):,} notes, more than a corrections export can sensibly hold ({MAX_NOTES:,})"
        )
    return [_note(item, f"{where}: $.corrections[{i}]", edition, reported_by) for i, item in enumerate(items)]


def _note(item: object, where: str, edition: str | None, reported_by: str | None) -> ReportedNote:
    if not isinstance(item, dict):
        raise CorrectionFileError(f"{where} is not an object")
    service_id = _text(item, "service_id", f"{where}.service_id", MAX_FIELD)
    created_at = _text(item, "created_at", f"{where}.created_at", MAX_FIELD)
    try:
        dt.datetime.fromisoformat(created_at)
    except ValueError:
        raise CorrectionFileError(f"{where}.created_at is not a date and time") from None
    if showable_moment(created_at) is None:
        # e.g. 0001-01-01T00:00:00+14:00: it would overflow when shown in UTC or as a UK date
        raise CorrectionFileError(
            f"{where}.created_at is out of range: a note is dated between {FIRST_YEAR} and {LAST_YEAR}"
        )
    note = item.get("note")
    if not isinstance(note, str) or not note.strip():
        raise CorrectionFileError(f"{where}.note is missing, empty or not text")
    if len(note) > MAX_NOTE:
        raise CorrectionFileError(f"{where}.note is longer than {MAX_NOTE:,} characters")
    if _NOTE_CONTROL.search(note):
        raise CorrectionFileError(f"{where}.note holds control characters")
    name = _optional_text(item, "service_name", f"{where}.service_name", MAX_FIELD)
    return ReportedNote(
        service_id=service_id,
        note=note,
        created_at=created_at,
        service_name=name,
        reported_by=reported_by,
        edition=edition,
    )


def _text(obj: dict, key: str, where: str, longest: int) -> str:
    """A one-line text field of ``obj`` that must be there; CorrectionFileError otherwise."""
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CorrectionFileError(f"{where} is missing, empty or not text")
    if len(value) > longest or _FIELD_CONTROL.search(value):
        raise CorrectionFileError(f"{where} is not one short line of text")
    return value


def _optional_text(obj: dict, key: str, where: str, longest: int) -> str | None:
    """A one-line text field of ``obj`` that may be absent, null or empty (then None)."""
    return None if obj.get(key) in (None, "") else _text(obj, key, where, longest)


def _byte(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8"))


def _json_words(exc: json.JSONDecodeError, text: str) -> str:
    if exc.pos >= len(text.rstrip()):
        return "the file ends before its data does (it may have been cut short while copying)"
    if exc.msg.startswith("Unterminated string"):
        return "a piece of text has no closing quote (the file may have been cut short while copying)"
    if exc.msg.startswith("Extra data"):
        return "there is more after the end of the data (two files joined into one?)"
    if "delimiter" in exc.msg:
        return "a comma, colon or closing bracket is missing"
    if "property name" in exc.msg:
        return "a field name is not in double quotes, or there is a comma too many"
    return "something here is not JSON (a stray character, a missing quote, or a word JSON does not know)"


# --- email -------------------------------------------------------------------------------
def read_email(data: bytes, path: Path) -> list[ReportedNote]:
    """The notes of every corrections document attached to the email ``data`` (as the app attaches them).

    The sender (``From``) of the message holding an attachment becomes its notes'
    ``reported_by``; an email forwarded as an attachment keeps its own sender. An email
    with no corrections attachment is refused: the readable list in its body is for people,
    and holds no service ids.
    """
    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
    except RecursionError:
        raise CorrectionFileError(f"{path} nests its parts too deeply to read: it is not a corrections email") from None
    except Exception as exc:  # the parser is lenient; whatever it still cannot take is no corrections email
        raise CorrectionFileError(f"{path} cannot be read as an email ({type(exc).__name__})") from None
    notes: list[ReportedNote] = []
    found = 0
    for part, sender, where in _json_parts(message, path):
        try:
            content = part.get_payload(decode=True)
        except Exception:
            content = None
        if not isinstance(content, bytes):
            raise CorrectionFileError(f"{where} cannot be decoded")
        try:
            peek = parse_json(content.removeprefix(_BOM))
        except (ValueError, UnicodeDecodeError):
            peek = None
        if not (isinstance(peek, dict) and peek.get("format") == FORMAT):
            continue  # some other JSON file someone attached: not ours to read
        found += 1
        notes += read_export(content.removeprefix(_BOM), where, reported_by=sender)
    if not found:
        raise CorrectionFileError(
            f"{path} holds no correction notes: it is neither a corrections export (JSON) nor an email "
            "with the corrections.json attachment the app sends"
        )
    return notes


def _json_parts(message: Message, path: Path) -> Iterator[tuple[Message, str | None, str]]:
    """Each JSON attachment in ``message`` (forwarded messages too), with the sender of the message holding it.

    Walked with a stack, not recursion, and only so deep: a hostile file of messages nested
    in messages must end in a clear refusal, not a RecursionError.
    """
    stack: list[tuple[Message, str | None, int]] = [(message, _sender(message), 0)]
    count = 0
    while stack:
        part, sender, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise CorrectionFileError(
                f"{path} nests messages more than {MAX_DEPTH} deep: it is not a corrections email"
            )
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            for each in reversed(inner if isinstance(inner, list) else [inner]):
                if isinstance(each, Message):
                    stack.append((each, _sender(each) or sender, depth + 1))
            continue
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((c, sender, depth + 1) for c in reversed(children) if isinstance(c, Message))
            continue
        name = part.get_filename() or ""
        if part.get_content_type() == "application/json" or name.lower().endswith(".json"):
            count += 1
            yield part, sender, f"{path} (attachment {count})"


def _sender(message: Message) -> str | None:
    """The first From address of ``message`` as ``Name <address>`` (or the address), or None."""
    try:
        header = message["From"]
        addresses = getattr(header, "addresses", ()) if header is not None else ()
    except Exception:  # a From header too broken to parse names nobody
        return None
    for address in addresses:
        if isinstance(address, Address) and address.addr_spec and "@" in address.addr_spec:
            text = clean_text(str(address) if address.display_name else address.addr_spec)
            if len(text) <= MAX_SENDER and not _FIELD_CONTROL.search(text):
                return text
    return None


# --- into the queue ----------------------------------------------------------------------
def import_correction_file(
    path: Path, user_store: UserStore, directory: DirectoryLookup | None, *, label: str | None = None
) -> ImportCount:
    """Read ``path`` and queue its notes in one transaction; returns how many it held and how many were new.

    Each note is linked to the directory's service (its key kept); a note whose service the
    directory does not have is queued all the same, without a key, and shows as no longer in
    the directory. ``label`` is what the queue records as the file it came from (default:
    the file's name).
    """
    read = read_correction_file(path)
    keys = []
    for item in read.notes:
        service = directory.get_service(item.service_id) if directory is not None else None
        keys.append(service.key if service is not None else None)
    source = clean_text(label if label is not None else Path(path).name)
    count = CorrectionQueueStore(user_store).add(list(read.notes), keys, source, utc_stamp())
    return replace(count, not_in_directory=sum(1 for k in keys if k is None))
