"""HSDS 3.0 tabular format: one CSV per table plus a ``datapackage.json`` describing them.

File names, field order and types come from the spec's ``compiled/tabular.json``. Every
table is written (an empty table is a header line), so the package is complete and the
same directory always gives the same bytes. On import an empty cell means "not known",
except in a field the spec requires, where it stays an empty string. Columns HSDS does
not define are kept as extension fields (see ``extension.py``).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from pathlib import Path

from coventry_directory.atomic_write import SHARED, atomic_write, new_folder
from coventry_directory.exchange.errors import ExchangeError, InvalidData, Problem
from coventry_directory.exchange.flatten import FlatData
from coventry_directory.exchange.hsds_schema import csv_file_names, field_type, required_fields, table_schema
from coventry_directory.exchange.nest import json_value, number_columns
from coventry_directory.exchange.validate import MAX_PROBLEMS, validate_row
from coventry_directory.input_files import open_input, parse_json, read_input
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.hsds_batches import iter_rows
from coventry_directory.store.schema import HSDS_TABLES, column_names

DATAPACKAGE = "datapackage.json"
MAX_DESCRIPTOR_BYTES = 16 << 20  # a full HSDS descriptor is about 100 KB
MAX_CSV_BYTES = 4 << 30  # per table; read a line at a time, so only the disk limits it


def _field(table: str, column: str) -> dict:
    spec = table_schema(table)["properties"][column]
    field = {"name": column, "type": spec.get("datapackage_type") or spec.get("type", "string")}
    if spec.get("format") in ("uuid", "email", "uri"):
        field["format"] = spec["format"]
    if spec.get("description"):
        field["description"] = spec["description"]
    constraints = {}
    if column in required_fields(table):
        constraints["required"] = True
    if spec.get("enum"):
        constraints["enum"] = spec["enum"]
    if constraints:
        field["constraints"] = constraints
    return field


def datapackage(name: str = "coventry-directory") -> dict:
    """The tabular data package descriptor for a full HSDS 3.0 export."""
    resources = []
    for table, path in csv_file_names().items():
        resources.append(
            {
                "name": table,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": [_field(table, c) for c in column_names(table)], "primaryKey": ["id"]},
            }
        )
    return {"profile": "tabular-data-package", "name": name, "title": "HSDS 3.0 directory data", "resources": resources}


def _numbers_as_json(table: str, numbers: list[tuple[int, str]], row: tuple) -> list:
    """A row with its number fields as JSON writes them (18.0 -> 18); csv writes None as an empty cell."""
    cells = list(row)
    for i, column in numbers:
        if cells[i] is not None:
            cells[i] = json_value(table, column, cells[i])
    return cells


def export_csv(store: DirectoryStore, out_dir: Path) -> list[Path]:
    """Write every table's CSV and ``datapackage.json`` into ``out_dir``; returns the files.

    All or nothing: every file is first written in full (to its own temp file, flushed to
    disk), and only then are they all renamed into place. A full disk or any other failure
    while writing leaves the folder as it was - no mix of new and old tables, no partial
    file - and removes the folder itself if this export made it.
    """
    out_dir = Path(out_dir)
    with new_folder(out_dir), contextlib.ExitStack() as files:
        written = []
        for table, name in csv_file_names().items():
            cols = column_names(table)
            # 0644: an export is for sharing; renamed in only when the stack closes without an error
            fh = files.enter_context(atomic_write(out_dir / name, mode=SHARED, binary=False, newline=""))
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(cols)
            numbers = [(i, c) for i, c in enumerate(cols) if c in number_columns(table)]  # json_value changes no other
            for rows in iter_rows(store, table):  # a slice at a time: a national table is never in memory whole
                writer.writerows([_numbers_as_json(table, numbers, row) for row in rows] if numbers else rows)
            _flush(fh)  # a full disk shows now, before any file has been renamed in
            written.append(out_dir / name)
        fh = files.enter_context(atomic_write(out_dir / DATAPACKAGE, mode=SHARED, binary=False, newline=""))
        fh.write(json.dumps(datapackage(), ensure_ascii=False, indent=2) + "\n")
        _flush(fh)
        written.append(out_dir / DATAPACKAGE)
    return written


def _flush(fh) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _files(in_dir: Path, problems: list[Problem]) -> dict[str, Path]:
    """{table: csv path} from datapackage.json if there is one, else the spec's file names."""
    descriptor = in_dir / DATAPACKAGE
    if descriptor.is_file():
        try:
            package = parse_json(read_input(descriptor, "the data package descriptor", MAX_DESCRIPTOR_BYTES))
            resources = package["resources"]
            listed = {r["name"]: r["path"] for r in resources}
        except (ValueError, KeyError, TypeError) as exc:  # JSON, UTF-8 and nesting errors are ValueErrors
            problems.append(Problem(DATAPACKAGE, f"not a readable data package descriptor ({exc})"))
            return {}
        files = {}
        for name, rel in listed.items():
            if name not in HSDS_TABLES:
                problems.append(Problem(f"{DATAPACKAGE} resource {name!r}", "is not an HSDS 3.0 table"))
            elif not isinstance(rel, str) or Path(rel).is_absolute() or ".." in Path(rel).parts:
                problems.append(Problem(f"{DATAPACKAGE} resource {name!r}", f"path {rel!r} must be inside the package"))
            elif not (in_dir / rel).is_file():
                problems.append(Problem(f"{DATAPACKAGE} resource {name!r}", f"file {rel} is missing"))
            else:
                files[name] = in_dir / rel
        return files
    by_name = {v: k for k, v in csv_file_names().items()}
    files = {}
    for path in sorted(in_dir.glob("*.csv")):
        if path.name in by_name:
            files[by_name[path.name]] = path
        else:
            problems.append(Problem(path.name, "is not one of the HSDS 3.0 tables' file names"))
    if not files and not problems:
        problems.append(Problem(str(in_dir), "holds no HSDS CSV files and no datapackage.json"))
    return files


def _convert(table: str, column: str, text: str):
    if text == "":
        # empty = not known, but a required field keeps its (empty) value so it stays present
        return "" if column in required_fields(table) else None
    if field_type(table, column) == "number":
        try:
            num = float(text)
        except ValueError:
            return text  # the schema check reports it
        return int(num) if num.is_integer() else num
    return text


def _read_table(table: str, path: Path, data: FlatData, problems: list[Problem]) -> None:
    cols = set(column_names(table))
    try:
        # open_input: a named pipe or a device with a .csv name is refused, not read for ever
        with open_input(path, "the CSV file", MAX_CSV_BYTES, text=True, encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            if len(set(header)) != len(header):
                problems.append(Problem(path.name, "has a column name twice in its header line"))
                return
            if "id" not in header:
                problems.append(Problem(f"{path.name} line 1", "has no id column"))
                return
            for raw in reader:
                where = f"{path.name} line {reader.line_num}"
                if None in raw:
                    problems.append(Problem(where, "has more cells than the header line"))
                    continue
                row = {c: _convert(table, c, v or "") for c, v in raw.items() if c in cols}
                problems += validate_row(table, {k: v for k, v in row.items() if v is not None}, where)
                rid = row.get("id")
                if rid in data.tables[table]:
                    problems.append(Problem(f"{where} column id", f"id {rid} is used twice in {path.name}"))
                    continue
                if rid:
                    data.tables[table][rid] = row
                    extras = {c: v for c, v in raw.items() if c not in cols and v}
                    if extras:
                        data.extensions[(table, rid)] = extras
                if len(problems) >= MAX_PROBLEMS:
                    return
    except UnicodeDecodeError as exc:
        problems.append(Problem(path.name, f"is not UTF-8 text ({exc.reason})"))
    except csv.Error as exc:
        problems.append(Problem(path.name, f"is not readable CSV ({exc})"))
    except OSError as exc:
        raise ExchangeError(f"cannot read {path}: {exc.strerror or exc}") from exc


def read_csv(in_dir: Path) -> FlatData:
    """Validated rows of an HSDS tabular package (InvalidData listing every problem)."""
    in_dir = Path(in_dir)
    problems: list[Problem] = []
    data = FlatData()
    for table, path in _files(in_dir, problems).items():
        _read_table(table, path, data, problems)
    if problems:
        raise InvalidData(str(in_dir), problems)
    return data
