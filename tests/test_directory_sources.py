"""The real directory content: provenance on every record, valid codes, honest contact facts."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from coventry_directory.core.directory_source import DirectorySourceError, facts_entries, read_directory
from coventry_directory.core.models import AREAS
from coventry_directory.resources import directory_source_dir

SAMPLE = Path(__file__).parent / "fixtures" / "sample_directory"


@pytest.fixture(scope="module")
def sources():
    return read_directory()


def test_directory_is_large_enough_to_be_useful(sources):
    assert len(sources.services) > 60


def test_every_service_has_provenance(sources):
    for svc in sources.services:
        assert svc.sources, svc.key
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", svc.assured_date or ""), svc.key
        assert svc.verification in {"sourced", "historic", "provider-may-have-changed", "confirmed"}, svc.key


def test_every_contact_fact_has_its_own_source(sources):
    for svc in sources.services:
        for phone in svc.phones:
            assert phone.sources, (svc.key, phone.number)
        for sched in svc.schedules:
            assert sched.sources, (svc.key, sched.description)
        for loc in svc.locations:
            assert loc.sources, (svc.key, loc.key)


def test_every_catchment_is_one_of_the_six_areas(sources):
    for svc in sources.services:
        assert set(svc.catchment) <= set(AREAS), svc.key
        for loc in svc.locations:
            assert loc.area is None or loc.area in AREAS


def test_catchment_is_known_for_nearly_every_service(sources):
    # an unknown catchment is allowed (shown as "check with the service"), but rare
    unknown = [s.key for s in sources.services if not s.catchment]
    assert len(unknown) <= len(sources.services) // 8, unknown


def test_re_tendered_treatment_services_warn_the_worker(sources):
    # Both counties re-tendered adult treatment in 2025: those records must say so.
    cgl = [
        s for s in sources.services if s.organization.key == "change-grow-live" and "treatment-adult" in s.categories
    ]
    assert cgl
    for svc in cgl:
        assert svc.verification in ("provider-may-have-changed", "historic"), svc.key
        assert svc.alert, svc.key


def test_the_named_services_are_present(sources):
    text = " ".join(f"{s.name} {s.alternate_name or ''} {s.organization.name}" for s in sources.services).lower()
    for name in [
        "compass",
        "positive choices",
        "esh",
        "st basils",
        "cyrenians",
        "salvation army",
        "steps for change",
        "hope4",
        "helping hands",
        "p3",
        "fred winter",
        "futures unlocked",
        "family drug and alcohol court",
        "samaritans",
        "smart recovery",
        "alcoholics anonymous",
        "narcotics anonymous",
        "al-anon",
    ]:
        assert name in text, name


def test_services_cover_the_design_categories(sources):
    used = {c for s in sources.services for c in s.categories}
    assert {
        "treatment-adult",
        "young-people",
        "needle-syringe",
        "naloxone",
        "mutual-aid",
        "family-carers",
        "criminal-justice",
        "housing",
        "helpline",
        "online-support",
        "detox-rehab",
    } <= used


def test_no_phone_number_is_invented(sources):
    # every number must be printed in the sources (the reader checks the cited text; this
    # checks the whole corpus too, as a second line of defence)
    corpus = re.sub(r"\D", "", "".join("\n".join(d.lines) for d in sources.documents.values()))
    for svc in sources.services:
        for phone in svc.phones:
            assert re.sub(r"\D", "", phone.number) in corpus, (svc.key, phone.number)


# --- the checker refuses bad sources --------------------------------------------------


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    root = tmp_path / "src"
    shutil.copytree(SAMPLE, root)
    path = root / "services" / "sample.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return root


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('number = "01234 567890"', 'number = "01234 999999"', "does not appear in its cited sources"),
        ('"alcohol", "opiates"', '"alcohol", "heroin"', "is not a substance code"),
        ('catchment = ["rugby"]', 'catchment = ["birmingham"]', "is not a catchment code"),
        ('source = ["sample L2"]', 'source = ["sample L999"]', "has 5 lines"),
        ('source = ["sample L2"]', 'source = ["https://example.org/made-up"]', "not in the facts sheet"),
        ('source = ["sample L2"]', "source = []", "no source cited"),
        ('opens_at = "09:30"', 'opens_at = "08:00"', "does not appear in its cited sources"),
        ('key = "example-youth"', 'key = "example-adult"', "defined twice"),
        ('organization = "example-org"', 'organization = "nobody"', "unknown organization"),
    ],
)
def test_checker_reports_bad_sources(tmp_path, old, new, problem):
    root = _broken_copy(tmp_path, old, new)
    with pytest.raises(DirectorySourceError) as err:
        read_directory(root)
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_checker_reports_invalid_toml(tmp_path):
    root = _broken_copy(tmp_path, "[[service]]", "[[service]")
    with pytest.raises(DirectorySourceError, match="not valid TOML"):
        read_directory(root)


# --- a URL's facts are only its own entries in the facts sheet ------------------------------


def test_facts_entries_follow_same_and_source_for_all():
    lines = [
        "## 1. A section",
        "- Fact one, 0111 [https://a.example/one]",
        "- Fact two, 0222 [same]",
        "- Fact three, 0333 [https://b.example/x] [https://a.example/one]",
        "- **NOT FOUND:** phone.",
        "### 1.2 Shared page",
        "Source for all: [https://c.example/all]",
        "- Fact four, 0444.",
        "- Fact five, 0555 [https://d.example/own]",
        "## 2. Next",
        "- Fact six, 0666.",
    ]
    entries = facts_entries(lines)
    assert set(entries) == {
        "https://a.example/one",
        "https://b.example/x",
        "https://c.example/all",
        "https://d.example/own",
    }
    assert "0111" in entries["https://a.example/one"] and "0222" in entries["https://a.example/one"]
    assert "0333" in entries["https://a.example/one"] and "0333" in entries["https://b.example/x"]
    assert "NOT FOUND" not in "".join(entries.values())
    assert "0444" in entries["https://c.example/all"] and "0555" not in entries["https://c.example/all"]
    assert "0666" not in "".join(entries.values())  # a new heading ends the section's shared source


def test_a_phone_cited_to_the_wrong_page_of_the_facts_sheet_is_refused(tmp_path):
    # the real sources: Emmaus's numbers are on the council's rough-sleeping page, not on the
    # press article the same section cites for Bardsley
    root = tmp_path / "directory"
    shutil.copytree(directory_source_dir(), root)
    path = root / "services" / "coventry-housing.toml"
    text = path.read_text(encoding="utf-8")
    phone = text.index('number = "07934 297604"')
    cite = text.index("source = [", phone)
    end = text.index("\n", cite)
    wrong = 'source = ["https://www.pressreader.com/uk/coventry-telegraph/20221214/281672553990897"]'
    path.write_text(text[:cite] + wrong + text[end:], encoding="utf-8")
    with pytest.raises(DirectorySourceError) as err:
        read_directory(root)
    assert any("'07934 297604' does not appear in its cited sources" in p for p in err.value.problems)


# --- web addresses, hidden characters, a byte order mark ----------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "mailto:someone@example.org",
        "https://",
        "https:///no-host",
        "http://exa mple.org",
        "ftp://example.org/",
    ],
)
def test_a_website_that_is_not_a_web_address_is_refused(tmp_path, url):
    root = _broken_copy(tmp_path, 'keywords = ["methadone"]', f'keywords = ["methadone"]\nurl = "{url}"')
    organisations = root / "organizations.toml"
    text = organisations.read_text()
    organisations.write_text(text.replace('source = ["sample L1"]', f'website = "{url}"\nsource = ["sample L1"]', 1))
    with pytest.raises(DirectorySourceError) as err:
        read_directory(root)
    problems = err.value.problems
    # each names its file, its record and its field
    assert any(p.startswith("sample.toml service example-adult: url ") and "not a web address" in p for p in problems)
    assert any(p.startswith("organizations.toml organisation example-org: website ") for p in problems), problems


@pytest.mark.parametrize(
    "url",
    [
        "https://www.talktofrank.com",
        "http://coventrycyrenians.co.uk/get-help/",
        "streetlink.org.uk",
        "coventry.gov.uk/swep",
    ],
)
def test_web_addresses_as_the_sources_write_them_pass(tmp_path, url):
    root = _broken_copy(tmp_path, 'keywords = ["methadone"]', f'keywords = ["methadone"]\nurl = "{url}"')
    assert next(s for s in read_directory(root).services if s.key == "example-adult").url == url


def test_an_organisation_with_a_terminal_code_in_its_name_is_refused(tmp_path):
    root = tmp_path / "src"
    shutil.copytree(SAMPLE, root)
    path = root / "organizations.toml"
    path.write_text(path.read_text().replace("Example Organisation", "Example \\u001b[2JOrganisation"))
    with pytest.raises(DirectorySourceError) as err:
        read_directory(root)
    assert any("organisation example-org: name holds a control" in p for p in err.value.problems), err.value.problems


def test_a_byte_order_mark_is_read_as_nothing(tmp_path):
    root = tmp_path / "src"
    shutil.copytree(SAMPLE, root)
    for path in (root / "organizations.toml", root / "services" / "sample.toml"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # as Notepad saves "UTF-8 with BOM"
    assert [s.key for s in read_directory(root).services] == ["example-adult", "example-youth"]


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    root = tmp_path / "src"
    shutil.copytree(SAMPLE, root)
    path = root / "services" / "sample.toml"
    path.write_bytes(path.read_bytes().replace(b"(test data)", b"(test data \xff)", 1))  # Latin-1, say
    with pytest.raises(DirectorySourceError, match="sample.toml: not UTF-8 text"):
        read_directory(root)
