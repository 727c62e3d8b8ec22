"""The exports stream (a batch of services at a time) and still write exactly what they always did.

The reference is the algorithm the exports used before they streamed, kept here verbatim
(``ReferenceNester``: every table read into memory, each object built once, the whole list
given to ``json.dumps``). Each dataset is exported both ways and the bytes compared: the real
directory, another publisher's data that uses much of HSDS we do not, the official HSDS 3.0
examples and a synthetic national feed, each through the real import, and a hand-made
directory that breaks every nesting rule on purpose - with tiny batches and a tiny
shared-object cache, so that what crosses batches is checked too.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from test_exchange_hsds_support import foreign_services

from coventry_directory.exchange import export_worker, hsds_json, nest
from coventry_directory.exchange.errors import ExchangeError
from coventry_directory.exchange.extension import extension_attribute, extension_fields, is_extension
from coventry_directory.exchange.hsds_csv import export_csv
from coventry_directory.exchange.hsds_json import dumps, export_json, read_json
from coventry_directory.exchange.hsds_schema import csv_file_names, field_type, relations
from coventry_directory.exchange.importing import import_file
from coventry_directory.exchange.writer import write_rows
from coventry_directory.store import hsds_rows
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.hsds_rows import read_table
from coventry_directory.store.schema import HSDS_TABLES, column_names, owner_columns

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from import_bench import synthetic_service

EXAMPLES = Path(__file__).parent / "data" / "hsds3_examples"


# --- the reference: the exports before they streamed, verbatim ----------------------------
def reference_json_value(table: str, column: str, value):
    if field_type(table, column) == "number" and isinstance(value, float) and value.is_integer():
        return int(value)
    if field_type(table, column) == "number" and isinstance(value, str):
        try:
            num = float(value)
        except ValueError:
            return value
        return int(num) if num.is_integer() else num
    return value


class ReferenceNester:
    """Reads every HSDS table once, then builds nested objects from memory."""

    def __init__(self, store: DirectoryStore):
        self.rows = {t: read_table(store, t) for t in HSDS_TABLES}
        self.by_id = {t: {r["id"]: r for r in rows} for t, rows in self.rows.items()}
        services = self.by_id["service"]
        self.reached_locations = {
            r["location_id"] for r in self.rows["service_at_location"] if r["service_id"] in services
        }
        self.owned: dict = defaultdict(lambda: defaultdict(list))
        for table, rows in self.rows.items():
            owners = owner_columns(table)
            if not owners:
                continue
            for row in rows:
                col = self._owner(table, row, owners)
                if col:
                    self.owned[(table, col)][row[col]].append(row)
        self.attributes: dict = defaultdict(list)
        self.extensions: dict = {}
        for row in self.rows["attribute"]:
            key = (row["link_entity"], row["link_id"])
            if is_extension(row):
                self.extensions[key] = extension_fields(row)
            else:
                self.attributes[key].append(row)
        self.metadata: dict = defaultdict(list)
        for row in self.rows["metadata"]:
            self.metadata[(row["resource_type"], row["resource_id"])].append(row)
        self._built: dict = {}

    def _owner(self, table, row, owners):
        if table == "location" and row["id"] in self.reached_locations:
            return None
        for col in owners:
            parent = row[col]
            if parent is not None and parent in self.by_id[col.removesuffix("_id")]:
                return col
        return None

    def services(self) -> list[dict]:
        return [self.build("service", row) for row in self.rows["service"]]

    def build(self, table, row):
        key = (table, row["id"])
        if key in self._built:
            return self._built[key]
        obj = {c: reference_json_value(table, c, row[c]) for c in column_names(table) if row[c] is not None}
        for name, value in sorted(self.extensions.get(key, {}).items()):
            obj.setdefault(name, value)
        for rel in relations(table):
            if rel.kind == "one":
                target = self.by_id[rel.table].get(row[rel.fk]) if row[rel.fk] else None
                if target is not None:
                    obj[rel.prop] = self.build(rel.table, target)
            elif rel.kind == "many":
                children = self.owned[(rel.table, rel.fk)].get(row["id"], [])
                obj[rel.prop] = [self.build(rel.table, c) for c in children]
            elif rel.kind == "link":
                obj[rel.prop] = [self.build("attribute", a) for a in self.attributes.get(key, [])]
            else:
                obj[rel.prop] = [self.build("metadata", m) for m in self.metadata.get(key, [])]
        self._built[key] = obj
        return obj


def reference_json(store: DirectoryStore) -> bytes:
    return dumps(ReferenceNester(store).services()).encode("utf-8")


def reference_csv(store: DirectoryStore, table: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    cols = column_names(table)
    writer.writerow(cols)
    for row in read_table(store, table):
        writer.writerow(["" if row[c] is None else str(reference_json_value(table, c, row[c])) for c in cols])
    return out.getvalue().encode("utf-8")


def assert_exports_unchanged(store: DirectoryStore, tmp_path: Path, *, csv_too: bool = True) -> bytes:
    """Both exports give the reference's bytes; returns the JSON."""
    expected = reference_json(store)
    written = export_json(store, tmp_path / "json").read_bytes()
    assert written == expected
    assert nest.nested_services(store) == json.loads(expected)
    if csv_too:
        export_csv(store, tmp_path / "csv")
        for table, name in csv_file_names().items():
            assert (tmp_path / "csv" / name).read_bytes() == reference_csv(store, table), name
    return written


def imported(tmp_path: Path, source: Path, directory_db: Path) -> DirectoryStore:
    """The real directory with ``source`` imported beside it, through the real import."""
    result = import_file(source, directory_db)
    assert result.services >= 1, result.problems
    return DirectoryStore.open(directory_db)


# --- real data ----------------------------------------------------------------------------------
def test_the_real_directory_exports_the_same_bytes(directory_store, tmp_path):
    written = assert_exports_unchanged(directory_store, tmp_path)
    assert len(json.loads(written)) == directory_store.count_services() > 0


def test_another_publishers_data_exports_the_same_bytes(tmp_path):
    src = tmp_path / "theirs.json"
    src.write_text(json.dumps(foreign_services()), encoding="utf-8")
    store = hsds_rows.open_new(tmp_path / "theirs.db")
    try:
        write_rows(store, read_json(src), {"edition": "x"}, mode="replace")
        written = assert_exports_unchanged(store, tmp_path)
        assert b'"x_tags": [\n      "a",\n      "b"\n    ]' in written  # an extension field, back on its object
    finally:
        store.close()


@pytest.mark.parametrize("example", ["service_full.json", "service_list.json", "organization_full.json", "csv"])
def test_the_official_examples_export_the_same_bytes(tmp_path, directory_db, example):
    store = imported(tmp_path, EXAMPLES / example, directory_db)
    try:
        assert_exports_unchanged(store, tmp_path)
    finally:
        store.close()


def test_a_synthetic_national_feed_exports_the_same_bytes(tmp_path, directory_db, monkeypatch):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([synthetic_service(n) for n in range(2500)]), encoding="utf-8")
    store = imported(tmp_path, feed, directory_db)
    try:
        assert store.count_services() > 2500
        monkeypatch.setattr(nest, "SHARED_TEXT", 20_000)  # the organisations' texts come and go
        expected = assert_exports_unchanged(store, tmp_path)
        assert export_json(store, tmp_path / "by-workers", workers=2).read_bytes() == expected
        # many batches: each slot of the shared memory the workers hand their texts back in is used again and again
        monkeypatch.setattr(nest, "BATCH", 100)
        assert export_json(store, tmp_path / "in-slots", workers=2).read_bytes() == expected
        monkeypatch.setattr(hsds_json, "_shared_slots", lambda count, size: None)  # no shared memory at all
        assert export_json(store, tmp_path / "all-by-pipe", workers=2).read_bytes() == expected
    finally:
        store.close()


# --- every nesting rule, across batches -------------------------------------------------------
def edge_case_rows() -> dict[str, list[dict]]:
    """A directory that tries every rule: owner precedence, reach, shared objects, extensions, odd values."""
    rows: dict[str, list[dict]] = defaultdict(list)

    def add(table: str, **row) -> None:
        rows[table].append(row)

    add("taxonomy", id="tx", name="Types", description="Ours", version="1")
    add("taxonomy_term", id="t1", code="nsp", name="Needles", taxonomy="Types", taxonomy_id="tx")
    add("taxonomy_term", id="t2", code="x", name="No taxonomy row", taxonomy_id="missing-taxonomy")
    add("organization", id="o1", name="Trust \u00e9 \u201cquoted\u201d", year_incorporated=1999.0)
    add("organization", id="o2", name="Other", parent_organization_id="o1")
    add("program", id="p1", organization_id="o1", name="Programme")
    # services not in id order: storage order is the export's order
    add("service", id="s9", organization_id="o1", program_id="p1", name='Line\nbreak\t"tab" \\ \x01', minimum_age=18.0)
    add("service", id="s2", organization_id="o1", name="Second", minimum_age=17.5, maximum_age="about 65")
    add("service", id="s5", organization_id="ghost", program_id="", name="Dangling organisation")
    add("service", id="s3", organization_id="o2", name="Uses the deep term")
    add("location", id="l1", organization_id="o1", name="Reached", latitude=52.4, longitude=-1.5)
    add("location", id="l2", organization_id="o1", name="Not reached: under its organisation")
    add("location", id="l3", organization_id="o1", name="Reached only by a service that is not there")
    add("location", id="l4", name="Has the term deep down")
    # values the fields of many rows are written from at once must come out as json.dumps writes each
    add("location", id="l5", organization_id="o2", name="Odd \u2028 \U0001f600 \x7f", latitude=-0.0, longitude=1e-07)
    add("service_at_location", id="sal1", service_id="s9", location_id="l1")
    add("service_at_location", id="salx", service_id="no-such-service", location_id="l3")
    add("service_at_location", id="sal3", service_id="s3", location_id="l4")
    add("address", id="a1", location_id="l1", address_1="1 Road", country="GB")
    add("accessibility", id="ac1", location_id="l1", description="Ramp")
    add("phone", id="ph1", service_id="s9", service_at_location_id="no-such-sal", number="1")  # -> the service
    add("phone", id="ph2", service_id="s9", service_at_location_id="sal1", number="2")  # -> the sal
    add("phone", id="ph0", service_id="s9", number="0", extension=12.0)
    add("contact", id="c1", service_id="s2", name="Sam")
    add("contact", id="c2", location_id="l1", organization_id="o1", name="At the place")
    add("phone", id="ph3", contact_id="c1", organization_id="o1", number="3")  # -> the contact
    add("phone", id="ph4", organization_id="o1", number="4")  # -> the organisation
    add("language", id="lg1", phone_id="ph2", name="Polish")
    add("language", id="lg2", location_id="l1", name="Urdu")
    add("language", id="lg3", service_id="s2", phone_id="ph0", name="By service first")
    add("schedule", id="sc1", location_id="l1", freq="WEEKLY", interval=2.0)
    add("schedule", id="sc2", service_at_location_id="sal1", location_id="l1", opens_at="09:00")
    add("funding", id="f1", organization_id="o1", service_id="s9", source="By service first")
    add("cost_option", id="co1", service_id="s2", amount=0.0, currency="GBP")
    add("attribute", id="at1", link_id="s9", link_entity="service", taxonomy_term_id="t1", value="0")
    add("attribute", id="at2", link_id="l4", link_entity="location", taxonomy_term_id="t1")
    add("attribute", id="at3", link_id="s2", link_entity="service", taxonomy_term_id="t2")
    add("attribute", id="at4", link_id="ph1", link_entity="phone", taxonomy_term_id="missing-term")
    add("metadata", id="m1", resource_id="s9", resource_type="service", field_name="name")
    add("metadata", id="m2", resource_id="t1", resource_type="taxonomy_term", field_name="code")
    extensions = [
        ("service", "s9", {"x_tags": ["a", {"b": [1, 2.5, None, True]}], "name": "not over the column"}),
        ("service", "s2", {"x_first": 1}),
        ("service", "s2", {"phones": "the list replaces this", "x_second": -0.0, "cl\u00e9": 1e16}),
        ("phone", "ph2", {"x_empty": {}, "x_inf": float("inf")}),
        ("attribute", "at1", {"x_weight": 3}),
        ("location", "l4", {"x_parking": {"spaces": 4, "free": True}}),
    ]
    for n, (table, record, fields) in enumerate(extensions):
        ext = extension_attribute(table, record, fields)
        add("attribute", **{**ext, "id": f"{ext['id'][:-2]}{n:02d}"})  # two on s2: the later one counts
    rows["taxonomy_term"].append({"id": ext["taxonomy_term_id"], "code": "extension", "taxonomy": "record"})
    return rows


@pytest.mark.parametrize(("size", "cache"), [(1, 0), (2, 300), (3, nest.SHARED_TEXT), (500, nest.SHARED_TEXT)])
def test_every_nesting_rule_holds_across_batches(tmp_path, monkeypatch, size, cache):
    store = edge_case_store(tmp_path / "edges.db")
    try:
        monkeypatch.setattr(nest, "BATCH", size)
        monkeypatch.setattr(nest, "SHARED_TEXT", cache)
        written = assert_exports_unchanged(store, tmp_path, csv_too=size == 1)
        services = json.loads(written)
        assert [s["id"] for s in services] == ["s9", "s2", "s5", "s3"]
        assert [p["id"] for p in services[0]["phones"]] == ["ph1", "ph0"]
        assert [loc["id"] for loc in services[0]["organization"]["locations"]] == ["l2", "l3"]
        assert "organization" not in services[2] and "program" not in services[2]
    finally:
        store.close()


def edge_case_store(path: Path) -> DirectoryStore:
    store = hsds_rows.open_new(path)
    with hsds_rows.atomic(store):
        for table, rows in edge_case_rows().items():
            hsds_rows.insert_rows(store, table, rows)
    return store


# --- the streaming itself -----------------------------------------------------------------------
def test_worker_processes_write_the_same_bytes(tmp_path, monkeypatch):
    store = edge_case_store(tmp_path / "edges.db")
    try:
        monkeypatch.setattr(hsds_json, "PARALLEL_FROM", 1)
        monkeypatch.setattr(nest, "BATCH", 1)  # a batch per service: the workers' results must come back in order
        assert export_json(store, tmp_path / "out", workers=2).read_bytes() == reference_json(store)
        monkeypatch.setattr(export_worker, "SLOT_BYTES", 1000)  # s5 fits in shared memory; s2 and s3 come by pipe
        assert export_json(store, tmp_path / "by-pipe", workers=2).read_bytes() == reference_json(store)
        seen = iter(range(100))  # the file is another one (an import swapped it) by the time the workers are done
        monkeypatch.setattr(hsds_json, "file_identity", lambda path: next(seen))
        with pytest.raises(ExchangeError, match="changed while it was being exported"):
            export_json(store, tmp_path / "changed", workers=2)
        assert not (tmp_path / "changed").exists()
        monkeypatch.undo()
        monkeypatch.setattr(hsds_json, "PARALLEL_FROM", 1)
        store.path = tmp_path / "not-a-database.db"  # a worker that cannot read it stops the export cleanly
        store.path.write_text("not SQLite")
        with pytest.raises(ExchangeError, match="worker process writing the export stopped"):
            export_json(store, tmp_path / "new", workers=2)
        assert not (tmp_path / "new").exists()
    finally:
        store.close()


def test_an_empty_directory_exports_an_empty_list(tmp_path):
    store = hsds_rows.open_new(tmp_path / "empty.db")
    try:
        assert export_json(store, tmp_path / "out").read_bytes() == b"[]\n" == reference_json(store)
    finally:
        store.close()


def test_a_failure_part_way_leaves_the_old_export_and_no_temp_file(directory_store, tmp_path, monkeypatch):
    first = export_json(directory_store, tmp_path / "out").read_bytes()
    real = nest.service_texts

    def failing(store, size=None):
        yield from list(real(store))[:5]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nest, "service_texts", failing)
    with pytest.raises(OSError, match="No space left"):
        export_json(directory_store, tmp_path / "out")
    assert (tmp_path / "out" / "services.json").read_bytes() == first
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["services.json"]
    with pytest.raises(OSError, match="No space left"):
        export_json(directory_store, tmp_path / "new" / "folder")
    assert not (tmp_path / "new").exists()  # the folders this export made are gone again


def test_a_read_only_directory_exports_and_the_scratch_tables_go(directory_db, tmp_path):
    store = DirectoryStore.open(directory_db, readonly=True)
    try:
        expected = reference_json(store)
        assert export_json(store, tmp_path / "out").read_bytes() == expected
        assert store._db.execute("SELECT name FROM temp.sqlite_master").fetchall() == []
        assert export_json(store, tmp_path / "again").read_bytes() == expected
    finally:
        store.close()


def test_the_self_test_still_builds_a_service(installed_directory):
    from coventry_directory.exchange.checks import self_check

    assert "export valid" in self_check()
