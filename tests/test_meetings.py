"""Meetings as meetings: the store, the core's occurrences and filters, the ``meetings`` command and its PDF.

Through the real import path (``import_file`` of ``tests/data/meeting_guide/uk_generated.json``, 32
generated meetings, into a copy of the real directory), read back from SQLite. Every moment is given
(naive UK wall-clock time): nothing depends on the machine's clock, time zone or locale. PDFs are real.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from test_leaflet_support import assert_contains_translations, pdf_fonts, pdf_pages, pdf_text, poppler, translated

from coventry_directory.cli import main
from coventry_directory.core.meetings import (
    Attending,
    MeetingFilters,
    UnknownMeetingType,
    find_meetings,
    resolve_types,
    type_words,
    unscheduled,
)
from coventry_directory.core.places import distance_km, resolve_place
from coventry_directory.exchange.importing import import_file
from coventry_directory.exchange.meeting_guide import meetings_to_hsds3
from coventry_directory.i18n.catalogs import po_path
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.leaflets import wording
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.typeset.fonts import font_name
from coventry_directory.userdata import installed_directory_path

FEED = Path(__file__).parent / "data" / "meeting_guide" / "uk_generated.json"
MONDAY = datetime(2026, 12, 7, 14, 0)  # a Monday in December, no bank holiday that week
COVENTRY = (52.40806, -1.51056)  # the feed's Coventry venues sit at the town centre


@pytest.fixture(scope="module")
def imported(built_directory, tmp_path_factory) -> Path:
    """The real directory with the UK feed imported as a meetings source, once for the module."""
    folder = tmp_path_factory.mktemp("meetings")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COVENTRY_DIRECTORY_HOME", str(folder / "home"))
        result = import_file(FEED, folder / "directory.db", shipped=built_directory)
    assert result.counts["service"] == 32 and not result.problems
    return folder / "directory.db"


@pytest.fixture(scope="module")
def meetings(imported):
    store = DirectoryStore.open(imported, readonly=True)
    yield store.meetings()
    store.close()


@pytest.fixture
def cli_home(imported, user_home) -> Path:
    """This test's user folder with the imported directory installed, for the command line."""
    target = installed_directory_path()  # made with its folder, as the app makes it
    shutil.copyfile(imported, target)
    return target


def by_name(meetings, name):
    return next(m for m in meetings if m.name == name)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the store ------------------------------------------------------------------------------
def test_the_store_reads_every_meeting_with_what_a_list_needs(meetings):
    assert len(meetings) == 32  # the edition's own mutual-aid services are services, not meetings
    assert {m.source for m in meetings} == {"uk_generated"}
    assert all(m.source_date and m.source_date[:4] >= "2026" for m in meetings)
    rainbow = by_name(meetings, "Rainbow Recovery")
    assert rainbow.fellowship == "Alcoholics Anonymous" and rainbow.status == "active"
    assert rainbow.last_modified == "2026-03-02T09:15:00Z"
    place = rainbow.place
    assert (place.name, place.address) == ("The Quill Rooms (fictional)", "22 Nonesuch Street, Coventry, UK")
    assert (place.latitude, place.longitude) == COVENTRY
    assert rainbow.online_url == "https://meet.example.org/cov-rainbow"
    assert rainbow.conference_phone == "01632 960001"
    assert [f"{t.code}={t.name}" for t in rainbow.types] == ["AA=AA", "LGBTQ=LGBTQ", "O=Open", "D=Discussion"]
    [sched] = rainbow.times
    assert (sched.byday, sched.opens_at, sched.closes_at, sched.attending_type) == ("WE", "19:00", "20:30", "hybrid")
    assert rainbow.attending == Attending.HYBRID
    assert by_name(meetings, "Sunday Serenity").notes == "Side door; ring the bell."
    online = by_name(meetings, "Lunchtime Online")
    assert online.places == () and online.attending == Attending.ONLINE
    assert by_name(meetings, "Nuneaton Meeting by Arrangement").times == ()


def test_a_meeting_is_a_meeting_type_service_or_anything_a_meetings_source_gave(tmp_path, built_directory, user_home):
    """Both rules, and a schedule held at the service-at-location level."""
    doc = json.loads(FEED.read_text(encoding="utf-8"))
    [hsds], _, _ = meetings_to_hsds3([doc[0]], feed_name="other")
    hsds["id"], hsds["name"] = "a3c9b0e4-5d4f-4a43-9d7b-2f1f3c1e0a11", "Relayed Serenity"
    # the schedule moved under the service at its venue, as another HSDS publisher may put it
    hsds["service_at_locations"][0]["schedules"] = hsds.pop("schedules")
    (tmp_path / "relay.json").write_text(json.dumps([hsds]), encoding="utf-8")
    untyped = {**doc[1], "slug": "no-types", "name": "Untyped Gathering", "types": []}
    (tmp_path / "list.json").write_text(json.dumps([untyped]), encoding="utf-8")
    target = tmp_path / "dir.db"
    import_file(tmp_path / "relay.json", target, shipped=built_directory)  # kind "file"
    import_file(tmp_path / "list.json", target, shipped=built_directory)  # kind "meetings"
    store = DirectoryStore.open(target)
    found = {m.name: m for m in store.meetings()}
    store.close()
    assert set(found) == {"Relayed Serenity", "Untyped Gathering"}
    relayed = found["Relayed Serenity"]
    assert relayed.source == "relay" and [t.code for t in relayed.types] == ["AA", "O", "D"]
    assert [(t.byday, t.opens_at, t.closes_at) for t in relayed.times] == [("SU", "18:00", "19:30")]
    assert found["Untyped Gathering"].source == "list" and found["Untyped Gathering"].types == ()


# --- occurrences --------------------------------------------------------------------------
def test_today_from_a_given_time_lists_what_is_still_to_come_or_under_way(meetings):
    today = find_meetings(meetings, MeetingFilters(), datetime(2026, 12, 7, 12, 45), "today")
    assert [(f"{o.starts:%Y-%m-%d %H:%M}", o.ends and f"{o.ends:%H:%M}", o.meeting.name) for o in today] == [
        ("2026-12-07 12:30", "13:30", "Just for Today"),  # under way at 12:45
        ("2026-12-07 13:00", "14:00", "Warwick Lunchtime"),
        ("2026-12-07 18:00", "19:30", "Kenilworth SMART Hybrid"),
        ("2026-12-07 19:00", "20:00", "Atherstone Newcomers"),
        ("2026-12-07 19:30", "20:45", "Monday Women's Meeting"),
    ]  # Rugby Daily Reflections (07:30-08:30) is over


def test_a_week_lists_every_meeting_day_once_in_start_order(meetings):
    week = find_meetings(meetings, MeetingFilters(), MONDAY, "week")
    pairs = [(o.meeting.name, o.starts.weekday()) for o in week]
    # 27 meetings on one day, Just for Today on 3, Lunchtime Online on 2, Rugby Daily Reflections
    # on 5, Warwick Lunchtime on 2; the one by arrangement has no day
    assert len(pairs) == len(set(pairs)) == 39
    assert [o.starts for o in week] == sorted(o.starts for o in week)
    assert (week[0].meeting.name, f"{week[0].starts:%a %H:%M}") == ("Kenilworth SMART Hybrid", "Mon 18:00")
    # Monday before 14:00 comes round again at the end of the week
    last = " / ".join(f"{o.starts:%d %H:%M} {o.meeting.name}" for o in week[-3:])
    assert last == "14 07:30 Rugby Daily Reflections / 14 12:30 Just for Today / 14 13:00 Warwick Lunchtime"
    men = next(o for o in week if o.meeting.name == "Men's Step Meeting")
    assert f"{men.starts:%a %H:%M}" == "Sat 10:00" and men.ends is None  # the list gives no end time
    assert [m.name for m in unscheduled(meetings, MeetingFilters())] == ["Nuneaton Meeting by Arrangement"]


def test_a_bank_holiday_is_named_on_its_meetings(meetings):
    christmas = find_meetings(meetings, MeetingFilters(), datetime(2026, 12, 25, 0, 0), "today")
    assert " / ".join(o.meeting.name for o in christmas) == (
        "Rugby Daily Reflections / Women in Recovery Online / Just for Today / Friday Night Clean / Kenilworth Candlelight"
    )
    assert {o.bank_holiday for o in christmas} == {"Christmas Day"}


# --- filters --------------------------------------------------------------------------------
def week_names(meetings, **filters) -> set[str]:
    return {o.meeting.name for o in find_meetings(meetings, MeetingFilters(**filters), MONDAY)}


def test_fellowship_by_initials_words_or_name_never_a_bare_substring(meetings):
    smart = {"SMART Recovery Tuesday", "SMART Recovery Online", "Rugby SMART Group", "Kenilworth SMART Hybrid"}
    assert week_names(meetings, fellowship="smart") == smart | {"Polesworth SMART"}
    na = week_names(meetings, fellowship="NA")
    assert na == week_names(meetings, fellowship="narcotics anonymous") == week_names(meetings, fellowship="narc")
    assert "Just for Today" in na and "Sunday Serenity" not in na  # 'na' is inside 'Anonymous'
    assert week_names(meetings, fellowship="O") == set()  # a type code ("Open") is not a fellowship


def test_online_only_and_in_person_only(meetings):
    online_only = {"Lunchtime Online", "SMART Recovery Online", "Women in Recovery Online", "CA Online Saturday"}
    hybrid = {"Rainbow Recovery", "Rugby Daily Reflections", "Kenilworth SMART Hybrid", "Southam Women's Hybrid"}
    assert week_names(meetings, online_only=True) == online_only | hybrid
    in_person = week_names(meetings, in_person_only=True)
    assert hybrid <= in_person and not in_person & online_only
    assert len(in_person) == 31 - len(online_only)  # every meeting with a day and time but the online-only ones


def test_types_must_all_apply_and_take_codes_labels_or_words(meetings):
    known = {"W": "Women", "X": "Wheelchair Access", "LGBTQ": "LGBTQ", "O": "Open"}
    assert resolve_types(["women", "x"], known) == ("W", "X")
    assert resolve_types(["Wheelchair Access", "lgbtq+", "w"], known) == ("X", "LGBTQ", "W")
    with pytest.raises(UnknownMeetingType, match="'zz'"):
        resolve_types(["zz"], known)
    women = {"Monday Women's Meeting", "Women in Recovery Online", "Stratford Women's Group", "Southam Women's Hybrid"}
    assert week_names(meetings, types=("W",)) == women
    assert week_names(meetings, types=("W", "X")) == {"Monday Women's Meeting"}
    assert week_names(meetings, types=("W", "LGBTQ")) == {"Southam Women's Hybrid"}
    # in words, without the code that only names the fellowship
    assert type_words(by_name(meetings, "Rainbow Recovery")) == ("LGBTQ", "Open", "Discussion")
    assert type_words(by_name(meetings, "Rugby SMART Group")) == ("Open",)
    assert type_words(by_name(meetings, "Warwick Peer Support")) == ("Open",)


def test_near_a_place_keeps_what_is_in_reach_and_measures_like_search(meetings):
    rugby = resolve_place("Rugby")
    week = find_meetings(meetings, MeetingFilters(near=rugby), MONDAY)
    found = {o.meeting.name: o.distance_km for o in week}
    assert found["Rugby SMART Group"] == pytest.approx(0.0)
    assert found["Monday Women's Meeting"] == distance_km(rugby, *COVENTRY)  # the formula search uses
    assert found["Monday Women's Meeting"] == pytest.approx(17.5, abs=0.05)
    assert found["Lunchtime Online"] is None  # online: joined from anywhere
    assert found["Kenilworth SMART Hybrid"] == pytest.approx(21.0, abs=0.05)  # beyond 20 km, but hybrid
    assert found["Polesworth SMART"] is None  # a venue with no position: kept, distance not known
    assert "Stratford Women's Group" not in found and "Nuneaton Speaker Meeting" not in found
    in_person = week_names(meetings, near=rugby, in_person_only=True)
    assert "Kenilworth SMART Hybrid" not in in_person and "Lunchtime Online" not in in_person
    assert "Stratford Women's Group" in week_names(meetings, near=rugby, within_km=40)


def test_meetings_at_the_same_time_come_nearest_first(meetings):
    # Thursday 19:30: Nuneaton Speaker Meeting and Shipston Big Book
    def thursday(place):
        week = find_meetings(meetings, MeetingFilters(near=resolve_place(place), within_km=100), MONDAY)
        return [o.meeting.name for o in week if f"{o.starts:%a %H:%M}" == "Thu 19:30"]

    assert thursday("Stratford-upon-Avon") == ["Shipston Big Book", "Nuneaton Speaker Meeting"]
    assert thursday("Nuneaton") == ["Nuneaton Speaker Meeting", "Shipston Big Book"]


# --- the command line ---------------------------------------------------------------------
def test_cli_text_lists_day_time_name_fellowship_where_and_types(cli_home, capsys):
    code, out, err = run(capsys, "meetings", "--when", "today", "--at", "2026-12-07 12:45", "--near", "Coventry")
    assert code == 0, err
    lines = out.splitlines()
    asked = "Meetings today near Coventry (within 20 km; online meetings from anywhere), from Monday 7 December 12:45"
    assert lines[0] == asked
    assert lines[1].startswith("Meeting details come from uk_generated as published on 2026-")
    block = lines[lines.index("Monday 7 December") :]
    assert block[1:4] == [
        "  12:30–13:30  Just for Today — Narcotics Anonymous",
        "               Fennel House (fictional), 5 Pretend Parade, Coventry (in Coventry)",  # never "0.0 km"
        "               Open, Newcomer",
    ]
    hybrid = block.index("  18:00–19:30  Kenilworth SMART Hybrid — SMART Recovery")
    assert block[hybrid + 2 : hybrid + 5] == [
        "               also online: https://meet.example.org/ken-smart-hybrid",
        "               dial-in: 01632 960007",
        "               Open",
    ]
    assert (
        "(about 15 km)" in out and "Atherstone Newcomers" in out
    )  # Warwick, 15.2 km; Atherstone, 19.1 km, is within 20
    assert lines[-2:] == [
        "No day or time given (ask the group):",
        "  Nuneaton Meeting by Arrangement — Mutual-aid meetings (uk_generated): "
        "Heronsgate Hall (fictional), 14 Notreal Avenue, Nuneaton, UK",
    ]


def test_cli_json_is_the_same_list(cli_home, capsys):
    code, out, err = run(capsys, "meetings", "--at", "2026-12-07 14:00", "--online", "--type", "W", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["when"], data["from"], data["until"]) == ("week", "2026-12-07T14:00", "2026-12-14T14:00")
    assert (data["online"], data["in_person"], data["types"], data["near"]) == (True, False, ["W"], None)
    assert [s["name"] for s in data["sources"]] == ["uk_generated"]
    assert [(m["weekday"], m["starts"], m["ends"], m["name"], m["attending"]) for m in data["meetings"]] == [
        ("Friday", "10:00", "11:00", "Women in Recovery Online", "online"),
        ("Saturday", "11:00", "12:00", "Southam Women's Hybrid", "hybrid"),
    ]
    southam = data["meetings"][1]
    assert southam["date"] == "2026-12-12" and southam["fellowship"] == "Alcoholics Anonymous"
    assert southam["place"]["address"] == "21 Storyland Road, Southam, UK"
    assert southam["conference_phone"] == "01632 960008"
    assert southam["online_url"] == "https://meet.example.org/sou-women-hybrid"
    assert [f"{t['code']}={t['name']}" for t in southam["types"]] == ["AA=AA", "W=Women", "LGBTQ=LGBTQ"]
    assert southam["type_words"] == ["Women", "LGBTQ"] and southam["distance_km"] is None
    assert data["unscheduled"] == []  # the meeting by arrangement is not online


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--near", "Atlantis"], "Unknown place 'Atlantis'"),
        (["--near", ""], "No place given. Type a town, council area or postcode"),  # as search --near ""
        (["--near", "  ", "--within", "5"], "No place given."),
        (["--type", "zz"], "unknown meeting type 'zz'; the meetings here use: AA, B (Big Book)"),
        (["--fellowship", "GA"], "no meetings of a fellowship 'GA'; the directory has: Alcoholics Anonymous"),
        (["--online", "--in-person"], "not allowed with argument --online"),
        (["-o", "x.pdf"], "-o works with --print only"),
        (["--print"], "--print needs -o"),
        (["--within", "5"], "--within works with --near only"),
        (["--near", "Rugby", "--within", "0"], "--within must be a distance in km above 0"),
        (["--at", "2026-12-07"], '--at wants "YYYY-MM-DD HH:MM"'),
        (["--print", "-o", "x.pdf", "--lang", "ar"], "Add --accept-unreviewed"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(cli_home, capsys, argv, message):
    code, out, err = run(capsys, "meetings", *argv)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and message in err, err


def test_an_empty_directory_says_how_to_add_a_meeting_list(installed_directory, tmp_path, capsys):
    code, out, err = run(capsys, "meetings", "--near", "Rugby")
    assert code == 0, err
    assert out.strip() == (
        "The directory has no mutual-aid meetings yet. To add a meeting list (a Meeting Guide JSON file, "
        "as AA, NA, SMART Recovery and other meeting finders publish), run: coventry-directory import FILE"
    )
    code, out, _ = run(capsys, "meetings", "--print", "-o", str(tmp_path / "m.pdf"))
    assert code == 0 and "coventry-directory import FILE" in out and not (tmp_path / "m.pdf").exists()
    code, _, err = run(capsys, "meetings", "--near", "Atlantis")
    assert code == 2 and "Unknown place 'Atlantis'" in err  # bad input is bad input, meetings or not
    code, out, _ = run(capsys, "meetings", "--json")
    assert json.loads(out)["meetings"] == [] and "import FILE" in json.loads(out)["note"]


# --- the printable list -------------------------------------------------------------------
@pytest.fixture
def printed(cli_home, tmp_path, capsys) -> dict[str, str]:
    """The week near Rugby printed in English, Polish, Punjabi and Arabic: {code: the PDF's path}."""
    out = tmp_path / "pdf"
    argv = ["meetings", "--print", "--near", "Rugby", "--at", "2026-12-07 14:00", "-o", str(out)]
    code, stdout, err = run(capsys, *argv, "--lang", "en,pl,pa,ar", "--accept-unreviewed")
    assert code == 0 and stdout.count("wrote ") == 4, err
    assert sorted(p.name for p in out.iterdir()) == [f"meetings-week-rugby-{c}.pdf" for c in ("ar", "en", "pa", "pl")]
    return {c: str(out / f"meetings-week-rugby-{c}.pdf") for c in ("en", "pl", "pa", "ar")}


def test_the_printed_list_in_english_has_the_header_days_and_meetings(printed):
    text = pdf_text(Path(printed["en"]))
    expected = """Meetings this week near Rugby
        Only: up to 20 km away · online meetings from anywhere
        Meeting details come from uk_generated as published on
        Check with the group before you go.
        Open meetings are for anyone.
        If you need help now • Emergency: call 999. • Urgent medical help: call NHS 111.
        Monday 7 December
        18:00–19:30 Kenilworth SMART Hybrid SMART Recovery Brook House (fictional), 6 Makeup Mews, Kenilworth, UK
        Also online: https://meet.example.org/ken-smart-hybrid By phone: 01632 960007
        Women only · Closed meeting · Wheelchair access
        Online: https://meet.example.org/cov-na-lunchtime-online
        from 10:00 Men's Step Meeting
        distance not known"""
    assert [line.strip() for line in expected.splitlines() if line.strip() not in text] == []
    assert text.index("Monday 7 December") < text.index("Tuesday 8 December") < text.index("Monday 14 December")
    pages = pdf_pages(Path(printed["en"]))  # a day that runs onto the next page is headed there again
    assert "Tuesday 8 December 07:30–08:30" in pages[0] and pages[1].startswith("Tuesday 8 December 14:00–15:00")
    assert "Stratford Women's Group" not in text and "Translation not yet checked" not in text


@pytest.mark.parametrize("code", ["pl", "pa", "ar"])
def test_the_printed_list_speaks_each_language_and_keeps_the_meetings_as_published(printed, code):
    path = Path(printed[code])
    text = pdf_text(path)
    # Translated first, then filled in: the title is checked in whatever words the catalog has for it.
    title = translated(code, wording.MEETINGS_THIS_WEEK_NEAR)[0].format(place="Rugby")
    fixed = (wording.GOOD_TO_KNOW, wording.CRISIS_HEADING, *wording.FACTS["mutual-aid"], *wording.CRISIS)
    assert_contains_translations(text, code, title, *fixed, wording.ENGLISH_NOTE, wording.MEETING_TYPE_WORDS["W"])
    published = ("Rainbow Recovery", "Alcoholics Anonymous", "https://meet.example.org/cov-rainbow", "01632 960001")
    assert [p for p in published if p not in text] == []
    assert "Translation not yet checked by a fluent speaker" in text
    assert {font_name(f) for f in LANGUAGES[code].font_files()} <= set(pdf_fonts(path))


def _words_on_line_of(path: str, anchor: str) -> dict[str, float]:
    """{word: x} of the words on the first line holding ``anchor`` (pdftotext -bbox)."""
    out = subprocess.run([poppler("pdftotext"), "-bbox", path, "-"], capture_output=True, text=True, check=True)
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', out.stdout)
    y = next(float(wy) for _x, wy, w in found if w == anchor)
    return {w: float(x) for x, wy, w in found if abs(float(wy) - y) < 2}


def test_the_time_column_is_on_the_reading_side_left_in_english_right_in_arabic(printed):
    english = _words_on_line_of(printed["en"], "Kenilworth")
    assert english["18:00–19:30"] < english["Kenilworth"] < english["Hybrid"]
    arabic = _words_on_line_of(printed["ar"], "Kenilworth")
    assert arabic["18:00–19:30"] > arabic["Hybrid"] > arabic["Kenilworth"]  # a Latin name stays left to right


def test_a_single_language_writes_one_file(cli_home, tmp_path, capsys):
    target = tmp_path / "list.pdf"
    argv = ("meetings", "--print", "--when", "today", "--at", "2026-12-07 23:00", "-o", str(target))
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert out == f"No meetings match. Try a wider --within, --when week, or fewer filters.\nwrote {target}\n"
    assert "Meetings today" in pdf_text(target) and "No meetings match this choice." in pdf_text(target)


@pytest.mark.parametrize("code", ["pl", "ro", "pa", "ur", "ar", "bn", "gu", "ckb", "ti"])
def test_every_meetings_phrase_is_translated(code):
    with open(po_path(code), "rb") as fh:
        catalog = read_po(fh, locale=code)
    phrases = [v for k, v in vars(wording).items() if k.startswith("MEETINGS_")]
    phrases += list(wording.MEETING_TYPE_WORDS.values())
    assert not [p for p in phrases if not (catalog.get(p) and catalog.get(p).string)]
