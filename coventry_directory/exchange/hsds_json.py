"""HSDS 3.0 JSON: the directory as one file holding a list of fully nested service objects.

Export writes ``services.json`` (valid against the spec's ``service.json``, checked by the
tests); import reads such a list - from us or any other publisher - validates every
service, flattens it and writes it in one transaction, or changes nothing and reports
every problem.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from coventry_directory.atomic_write import SHARED, atomic_write, new_folder
from coventry_directory.exchange.errors import ExchangeError, InvalidData, Problem
from coventry_directory.exchange.flatten import FlatData, flatten_services
from coventry_directory.exchange.nest import service_texts
from coventry_directory.exchange.validate import validate_services
from coventry_directory.input_files import JsonTooDeep, parse_json, read_input
from coventry_directory.store.directory import DirectoryStore

JSON_FILE_NAME = "services.json"
MAX_JSON_BYTES = 1 << 30  # 1 GB: tens of thousands of fully nested services; json.loads needs several times this


def dumps(services: list[dict]) -> str:
    """The canonical text of an export: same data, same bytes."""
    return json.dumps(services, ensure_ascii=False, indent=2) + "\n"


def export_json(store: DirectoryStore, out_dir: Path) -> Path:
    """Write ``out_dir/services.json`` atomically (0644: an export is for sharing); returns its path.

    The file holds exactly :func:`dumps` of every service, written a batch of services at a
    time, so a national directory never sits in memory whole, as objects or as text.
    """
    out_dir = Path(out_dir)
    path = out_dir / JSON_FILE_NAME
    with (
        new_folder(out_dir),  # each block undoes itself on failure: no temp file, no folder this export made
        atomic_write(path, mode=SHARED, binary=False, newline="") as fh,
        contextlib.closing(service_texts(store)) as texts,  # its scratch tables go while the store is open
    ):
        write_services(fh, texts)
    return path


def write_services(fh: TextIO, texts: Iterable[str]) -> None:
    """Write what :func:`dumps` gives for a list of services, from each service's text one level deep."""
    start = "[\n  "
    for text in texts:
        fh.write(start)
        fh.write(text)
        start = ",\n  "
    fh.write("[]\n" if start == "[\n  " else "\n]\n")


def load_services_file(path: Path) -> list:
    """The service list in a JSON file (a list, or an API page object with ``contents``)."""
    data = load_json_document(path)
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return data["contents"]
    return data


def load_json_document(path: Path):
    """The parsed JSON of a file (InvalidData saying where it is not JSON).

    Only a regular file of at most :data:`MAX_JSON_BYTES` is read (InputFileError otherwise:
    a pipe, a device, a folder, a path under a file ...).
    """
    path = Path(path)
    try:
        data = parse_json(read_input(path, "the HSDS JSON file", MAX_JSON_BYTES).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidData(str(path), [Problem("$", f"not UTF-8 text ({exc.reason})")]) from exc
    except json.JSONDecodeError as exc:
        raise InvalidData(
            str(path), [Problem(f"line {exc.lineno} column {exc.colno}", f"not JSON: {exc.msg}")]
        ) from exc
    except JsonTooDeep as exc:
        raise InvalidData(str(path), [Problem("$", str(exc))]) from exc
    except MemoryError as exc:
        raise ExchangeError(f"{path} is too large to read into this computer's memory; nothing was changed") from exc
    except OSError as exc:
        raise ExchangeError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return data


def check_services(services, source: str, prefix: str = "$") -> FlatData:
    """Validate and flatten services; raises InvalidData listing every problem."""
    problems = validate_services(services, prefix)
    try:
        data = flatten_services(services if isinstance(services, list) else [], prefix)
    except RecursionError:
        raise InvalidData(source, [*problems, Problem(prefix, "is nested too deeply to read")]) from None
    problems += data.problems
    if problems:
        raise InvalidData(source, problems)
    return data


def read_json(path: Path) -> FlatData:
    """Validated, flattened rows of an HSDS JSON file (InvalidData if anything is wrong)."""
    path = Path(path)
    if path.is_dir():
        path = path / JSON_FILE_NAME
    return check_services(load_services_file(path), str(path))
