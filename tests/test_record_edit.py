"""The keeper's editor core: edits written into a copy of the real TOML sources, each with its citation."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
import tomllib
from pathlib import Path

import pytest

from coventry_directory.core.build import build_database
from coventry_directory.core.directory_source import read_directory
from coventry_directory.core.record_edit import (
    KEEPERS_HEADING,
    Citation,
    NewService,
    RecordEdit,
    new_service,
    preview,
    save,
)
from coventry_directory.core.source_files import SourceEditRefused, SourceInputError
from coventry_directory.resources import directory_source_dir
from coventry_directory.store.directory import DirectoryStore

TODAY = dt.date(2026, 12, 2)
FILE = Path("services") / "coventry-housing.toml"
FACTS = Path("sources") / "local-services-facts-2026-11.md"
PAGE = "https://www.emmaus.org.uk/coventry-warwickshire/contact"


@pytest.fixture
def sources(tmp_path) -> Path:
    root = tmp_path / "directory"
    shutil.copytree(directory_source_dir(), root)
    return root


def _emmaus(root: Path) -> dict:
    data = tomllib.loads((root / FILE).read_text(encoding="utf-8"))
    return next(s for s in data["service"] if s["key"] == "cov-emmaus")


def _phones(root: Path) -> list[dict]:
    return [{k: p[k] for k in ("number", "type", "description")} for p in _emmaus(root)["phones"]]


def web(quote: str) -> Citation:
    return Citation(url=PAGE, quote=quote, seen=TODAY)


def test_a_new_phone_cited_to_a_web_page_is_written_with_its_fact(sources):
    before = (sources / FILE).read_text(encoding="utf-8")
    phones = [*_phones(sources), {"number": "024 7600 0000", "type": "voice", "description": "Shop"}]
    edit = RecordEdit("cov-emmaus", phones=phones)
    result = save(sources, edit, web("Call our shop on 024 7600 0000"), TODAY)
    assert result.problems == []
    # only this record changed, and only by the new phone: every other line (comments too) as it was
    part = result.diff.split("--- a/services/coventry-housing.toml")[1]  # the facts sheet's diff comes first
    added = [line[1:] for line in part.splitlines() if line.startswith("+") and not line.startswith("+++")]
    removed = [line for line in part.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == []
    assert [a for a in added if a.strip()] == [
        "[[service.phones]]",
        'number = "024 7600 0000"',
        'type = "voice"',
        'description = "Shop"',
        f'source = ["{PAGE}"]',
    ]
    assert (sources / FILE).read_text(encoding="utf-8").startswith(before.split("[[service]]")[0])
    # the page is in the facts sheet as a fact of its own, so the build takes the citation
    facts = (sources / FACTS).read_text(encoding="utf-8")
    assert KEEPERS_HEADING in facts and f"“Call our shop on 024 7600 0000” (seen 2026-12-02) [{PAGE}]" in facts
    svc = next(s for s in read_directory(sources).services if s.key == "cov-emmaus")
    assert [p.number for p in svc.phones][-1] == "024 7600 0000"
    # the diff a reviewer reads names both files
    assert (
        "b/services/coventry-housing.toml" in result.diff and "b/sources/local-services-facts-2026-11.md" in result.diff
    )


def test_a_phone_the_quote_does_not_hold_is_refused_and_nothing_is_written(sources):
    snapshot = {p: p.read_bytes() for p in sources.rglob("*") if p.is_file()}
    phones = [*_phones(sources), {"number": "024 7600 0000", "type": "voice"}]
    edit = RecordEdit("cov-emmaus", phones=phones)
    shown = preview(sources, edit, web("Call our shop"), TODAY)
    assert any("'024 7600 0000' does not appear in its cited sources" in p for p in shown.problems)
    with pytest.raises(SourceEditRefused, match="cov-emmaus was not saved"):
        save(sources, edit, web("Call our shop"), TODAY)
    assert {p: p.read_bytes() for p in sources.rglob("*") if p.is_file()} == snapshot


@pytest.mark.parametrize(
    ("citation", "problem"),
    [
        (Citation(url=PAGE, quote="", seen=TODAY), "quote the words"),
        (Citation(url=PAGE, quote="Call 024 7600 0000", seen=None), "on which day"),
        (Citation(url=PAGE, quote="Call 024 7600 0000", seen=TODAY + dt.timedelta(days=1)), "after today"),
        (Citation(url="emmaus.org.uk", quote="Call 024 7600 0000", seen=TODAY), "must start http"),
        (Citation(url=PAGE, quote="two\nlines", seen=TODAY), "one line"),
        (Citation(document="nope", line=1), "choose one of the source documents"),
        (Citation(document="wdna-2022", line=10**6), "wdna-2022 has lines 1 to"),
    ],
)
def test_an_incomplete_citation_is_named_and_saves_nothing(sources, citation, problem):
    edit = RecordEdit("cov-emmaus", fields={"eligibility_description": "Adults who have been homeless."})
    assert any(problem in p for p in preview(sources, edit, citation, TODAY).problems)
    before = (sources / FILE).read_bytes()
    with pytest.raises(SourceInputError, match="citation is not complete"):
        save(sources, edit, citation, TODAY)
    assert (sources / FILE).read_bytes() == before


def test_a_field_cited_to_a_document_line_and_a_field_removed(sources):
    doc = read_directory(sources).documents["wdna-2022"]
    edit = RecordEdit("cov-emmaus", fields={"description": "A new description.", "eligibility_description": None})
    save(sources, edit, Citation(document="wdna-2022", line=len(doc.lines) // 2), TODAY)
    record = _emmaus(sources)
    assert record["description"] == "A new description."
    assert "eligibility_description" not in record  # unknown now: shown as not known, never blank
    assert record["source"][-1] == f"wdna-2022 L{len(doc.lines) // 2}"
    assert KEEPERS_HEADING not in (sources / FACTS).read_text(encoding="utf-8")  # no web page: no new fact


def test_an_unchanged_edit_writes_nothing_and_a_wrong_code_is_a_problem(sources):
    before = (sources / FILE).read_bytes()
    same = RecordEdit("cov-emmaus", fields={"name": "Emmaus Coventry & Warwickshire"}, phones=_phones(sources))
    assert not save(sources, same, web("Emmaus"), TODAY).changed
    assert (sources / FILE).read_bytes() == before
    wrong = RecordEdit("cov-emmaus", fields={"categories": ["housing", "not-a-category"]})
    assert any("not a category code" in p for p in preview(sources, wrong, web("Emmaus"), TODAY).problems)


def test_unknown_keys_and_fields_are_refused(sources):
    with pytest.raises(SourceInputError, match="did you mean cov-emmaus"):
        preview(sources, RecordEdit("cov-emaus", fields={"name": "x"}), web("x"), TODAY)
    with pytest.raises(SourceInputError, match="does not set"):
        preview(sources, RecordEdit("cov-emmaus", fields={"id": "x"}), web("x"), TODAY)


def test_a_new_service_is_added_and_builds(sources, tmp_path):
    citation = Citation(document="wdna-2022", line=100)

    def record(key: str, org: str = "coventry-city-council") -> NewService:
        return NewService(key, org, "New service", "What it does.", ["housing"])

    new_service(sources, "coventry-housing.toml", record("cov-new-service"), citation, TODAY)
    svc = next(s for s in read_directory(sources).services if s.key == "cov-new-service")
    assert svc.name == "New service" and svc.assured_date == TODAY.isoformat()
    with pytest.raises(SourceInputError, match="exists already"):
        new_service(sources, "coventry-housing.toml", record("cov-new-service"), citation, TODAY)
    with pytest.raises(SourceInputError, match="a key is"):
        new_service(sources, "coventry-housing.toml", record("Bad Key"), citation, TODAY)
    with pytest.raises(SourceEditRefused, match="unknown organization"):
        new_service(sources, "coventry-housing.toml", record("cov-orphan", "nobody-at-all"), citation, TODAY)
    out = tmp_path / "built.db"
    build_database(out, sources)
    store = DirectoryStore.open(out, readonly=True)
    try:
        assert store.resolve_service_id("cov-new-service") is not None
    finally:
        store.close()


def test_a_file_changed_since_the_record_was_opened_is_not_overwritten(sources):
    opened = (sources / FILE).read_bytes()
    theirs = (sources / FILE).read_text(encoding="utf-8") + "\n# checked by another keeper\n"
    (sources / FILE).write_text(theirs, encoding="utf-8")  # another keeper saved meanwhile
    edit = RecordEdit("cov-emmaus", fields={"alert": "Places are limited."})
    with pytest.raises(SourceEditRefused, match="changed by someone else"):
        save(sources, edit, Citation(document="wdna-2022", line=100), TODAY, opened=opened)
    assert (sources / FILE).read_text(encoding="utf-8") == theirs


def test_the_day_seen_is_no_part_of_the_fact(sources):
    # "(seen 2026-11-10)" holds "-11" and "-10": never an opening time of 10:00 to 11:00
    hours = [{"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00", "closes_at": "11:00"}]
    citation = Citation(url=PAGE, quote="Open on weekdays", seen=dt.date(2026, 11, 10))
    shown = preview(sources, RecordEdit("cov-emmaus", schedules=hours), citation, TODAY)
    assert any("does not appear in its cited sources" in p for p in shown.problems)
    wordless = [*_phones(sources), {"number": "ring the office", "type": "voice"}]
    shown = preview(sources, RecordEdit("cov-emmaus", phones=wordless), Citation(document="wdna-2022", line=5), TODAY)
    assert any("has no number in it" in p for p in shown.problems)
    bracketed = Citation(url=PAGE, quote="Call 024 7600 0000 [https://example.org/other]", seen=TODAY)
    assert any("square brackets" in p for p in bracketed.problems(sources, TODAY))


def test_hidden_characters_and_a_true_age_are_refused_by_the_check(sources):
    cite = Citation(document="wdna-2022", line=100)
    for fields, problem in (
        ({"minimum_age": True}, "must be a whole number of years"),
        ({"alert": "Closed \x1b[2J today"}, "control or text-direction character (U+001B)"),
        ({"name": "Emmaus \u202e4901 5667"}, "control or text-direction character (U+202E)"),
    ):
        shown = preview(sources, RecordEdit("cov-emmaus", fields=fields), cite, TODAY)
        assert any(problem in p for p in shown.problems), (fields, shown.problems)


def test_a_layout_where_the_citation_would_land_in_a_comment_is_refused(sources):
    path = sources / FILE
    text = path.read_text(encoding="utf-8")
    old = 'source = ["https://coventry.gov.uk./homelessness-1/rough-sleeping/print"]\nclient_groups = ["homeless"]'
    assert old in text
    new = 'source = [\n    "https://coventry.gov.uk./homelessness-1/rough-sleeping/print", # the council\n]\nclient_groups = ["homeless"]'
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = path.read_bytes()
    edit = RecordEdit("cov-emmaus", fields={"alert": "Places are limited."})
    try:
        result = save(sources, edit, Citation(document="wdna-2022", line=100), TODAY)
    except SourceInputError as exc:
        assert "edit the file by hand" in str(exc) and path.read_bytes() == before
    else:  # tomlkit placed it well: then the record must really cite it
        assert result.changed and "wdna-2022 L100" in _emmaus(sources)["source"]


def test_a_new_service_in_a_new_file_is_checked_before_it_is_written(sources):
    citation = Citation(document="wdna-2022", line=100)
    path = sources / "services" / "brand-new.toml"
    orphan = NewService("cov-orphan", "nobody-at-all", "New service", "What it does.", ["housing"])
    with pytest.raises(SourceEditRefused, match="unknown organization 'nobody-at-all'"):
        new_service(sources, "brand-new.toml", orphan, citation, TODAY)
    assert not path.exists()
    good = NewService("cov-new-file", "coventry-city-council", "New service", "What it does.", ["housing"])
    new_service(sources, "brand-new.toml", good, citation, TODAY)
    assert [s.key for s in read_directory(sources).services if s.key == "cov-new-file"] == ["cov-new-file"]
    assert tomllib.loads(path.read_text(encoding="utf-8"))["service"][0]["source"] == ["wdna-2022 L100"]


def test_a_new_service_leaves_the_rest_of_its_file_as_it_was(sources):
    # this file mixes [[organization]] and [[service]] tables, which tomlkit would regroup
    path = sources / "services" / "warwickshire-named-2022.toml"
    before = path.read_text(encoding="utf-8")
    record = NewService("warks-new-service", "refuge", "New service", "What it does.", ["housing"])
    new_service(sources, path.name, record, Citation(document="wdna-2022", line=100), TODAY)
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before) and after[len(before) :].lstrip().startswith("[[service]]\nkey = ")


def test_a_quote_with_hidden_characters_is_refused(sources):
    for quote in ("Call 024 7600 0000 \u202e", "Call\t024 7600 0000", "Call 024\u200f 7600 0000"):
        problems = web(quote).problems(sources, TODAY)
        assert any("without control or hidden text-direction characters" in p for p in problems), quote


def _interleaved(sources: Path) -> Path:
    """national.toml with FRANK's first opening hours between its first and second phones (a layout tomlkit regroups)."""
    path = sources / "services" / "national.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('key = "nat-frank"')
    first = text.index("[[service.schedules]]", start)
    second = text.index("[[service.schedules]]", first + 1)
    block, text = text[first:second], text[:first] + text[second:]
    phone = text.index("[[service.phones]]", text.index("[[service.phones]]", start) + 1)
    path.write_text(text[:phone] + block + text[phone:], encoding="utf-8")
    return path


def test_an_edit_keeps_the_files_own_layout_or_is_refused(sources):
    path = _interleaved(sources)
    text = path.read_text(encoding="utf-8")
    cite = Citation(document="wdna-2022", line=100)
    save(sources, RecordEdit("nat-frank", fields={"alert": "Check the numbers first."}), cite, TODAY)
    diff = list(difflib.ndiff(text.splitlines(), path.read_text(encoding="utf-8").splitlines()))
    changed = [line[:2] + line[2:].split(" = ")[0] for line in diff if line[:2] in ("- ", "+ ")]
    assert changed == ["- alert", "+ alert", "- source", "+ source"]  # and nothing moved
    # a phone that tomlkit would move: refused, in words that say so, and nothing written
    text = path.read_text(encoding="utf-8")
    svc = next(s for s in tomllib.loads(text)["service"] if s["key"] == "nat-frank")
    phones = [{k: p[k] for k in ("number", "type", "description") if k in p} for p in svc["phones"]]
    phones[1]["description"] = "Textphone"
    with pytest.raises(SourceEditRefused, match="would also rewrite or move lines of this file"):
        save(sources, RecordEdit("nat-frank", phones=phones), cite, TODAY)
    assert path.read_text(encoding="utf-8") == text


def test_a_byte_order_mark_is_kept(sources):
    path = sources / FILE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    edit = RecordEdit("cov-emmaus", fields={"alert": "Places are limited."})
    result = save(sources, edit, Citation(document="wdna-2022", line=100), TODAY)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and not path.read_bytes().startswith(b"\xef\xbb\xbf" * 2)
    assert "\ufeff" not in result.diff and result.diff.count("\n+") == 3  # +++, the alert, the source
    assert next(s for s in read_directory(sources).services if s.key == "cov-emmaus").alert == "Places are limited."
