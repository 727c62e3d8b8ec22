"""Directory ▸ Meetings…, driven through its controls, on the UK meeting list imported for real.

A test imports ``tests/data/meeting_guide/uk_generated.json`` (32 generated meetings) into its
own installed directory with the real ``import_file`` (or through Directory ▸ Sources…), opens
the real dialog from a real main window (conftest's ``open_window``) and fixes "now" with the
dialog's clock (``open_meetings(window, clock=...)``): Monday 7 December 2026, 14:00 UK time,
a week with no bank holiday. Nothing depends on the machine's clock, time zone, locale or
fonts. The save dialog and the question box are Qt's boundaries: tests answer them by
monkeypatching, or call ``save_list``, where the save dialog's answer goes. PDFs are real and
read back with pdftotext.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QMenu,
    QMessageBox,
    QTextBrowser,
)
from test_i18n_ui import assert_all_marked, directory_content, untranslated
from test_leaflet_support import assert_contains_translations, pdf_text, translated

from coventry_directory.exchange.importing import import_file
from coventry_directory.i18n.languages import LANGUAGES, PSEUDO_CODE
from coventry_directory.leaflets import wording
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.ui.meetings_view import MeetingsDialog, open_meetings
from coventry_directory.ui.sources_dialog import SourcesDialog

MEETINGS = Path(__file__).parent / "data" / "meeting_guide" / "uk_generated.json"
MONDAY = dt.datetime(2026, 12, 7, 14, 0)  # naive UK wall-clock time, as core.clock.uk_now gives it
WAIT = 60_000  # ms: an import composes the whole directory; a busy shared machine is slow
NO_TIME = "No day or time given: ask the group"
BY_ARRANGEMENT = (
    " | Nuneaton Meeting by Arrangement | Mutual-aid meetings (uk_generated) | "
    "Heronsgate Hall (fictional), 14 Notreal Avenue, Nuneaton, UK |  | Open meeting"
)
TODAY = [
    "Monday, 7 December",
    "18:00–19:30 | Kenilworth SMART Hybrid | SMART Recovery | "
    "In person and online: Brook House (fictional), 6 Makeup Mews, Kenilworth, UK |  | Open meeting",
    "19:00–20:00 | Atherstone Newcomers | Alcoholics Anonymous | "
    "Kingfisher Rooms (fictional), 15 Mythical Street, Atherstone, UK |  | For newcomers, Open meeting",
    "19:30–20:45 | Monday Women's Meeting | Alcoholics Anonymous | "
    "Larkspur Community Hall (fictional), 1 Imaginary Lane, Coventry, UK |  | "
    "Women only, Closed meeting, Wheelchair access",
    NO_TIME,
    BY_ARRANGEMENT,
]


@pytest.fixture
def with_meetings(installed_directory, built_directory) -> Path:
    """This test's installed directory with the UK meeting list imported, as ``import`` does it."""
    result = import_file(MEETINGS, installed_directory, shipped=built_directory)
    assert result.counts["service"] == 32 and not result.problems
    return installed_directory


def settle(qtbot, dialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=WAIT)


@pytest.fixture
def view(qtbot, open_window, with_meetings):
    """The meetings view opened from the Directory menu of a real window, at Monday 14:00."""
    window = open_window(with_meetings)
    window.meetings_action.trigger()
    dialog = window.findChild(MeetingsDialog)
    assert dialog is not None and dialog.isVisible()
    assert open_meetings(window, clock=lambda: MONDAY) is dialog  # the same view, asking again at that time
    settle(qtbot, dialog)
    yield dialog
    settle(qtbot, dialog)  # never leave a query or a PDF being written


def rows(dialog) -> list[str]:
    """The list as shown: a day's heading, then its meetings' cells joined by ' | '."""
    out = []
    for n in range(dialog.tree.topLevelItemCount()):
        head = dialog.tree.topLevelItem(n)
        out.append(head.text(0))
        for c in range(head.childCount()):
            out.append(" | ".join(head.child(c).text(col) for col in range(dialog.tree.columnCount())))
    return out


def names(dialog) -> list[str]:
    return [line.split(" | ")[1] for line in rows(dialog) if " | " in line]


def change(qtbot, dialog, act) -> None:
    act()
    settle(qtbot, dialog)


def choose(dialog, meeting: str, starts: str) -> None:
    """Choose the row of ``meeting`` at ``starts`` (its time cell begins with it)."""
    for n in range(dialog.tree.topLevelItemCount()):
        head = dialog.tree.topLevelItem(n)
        for c in range(head.childCount()):
            item = head.child(c)
            if item.text(1) == meeting and item.text(0).startswith(starts):
                dialog.tree.setCurrentItem(item)
                return
    raise AssertionError(f"{meeting} at {starts} is not listed")


# --- the menu, today and this week ---------------------------------------------------------
def test_the_directory_menu_opens_one_view_listing_today_then_this_week(qtbot, open_window, with_meetings):
    window = open_window(with_meetings)
    [menu] = [m for m in window.findChildren(QMenu) if m.title() == "&Directory"]
    assert [a.text() for a in menu.actions()] == ["&Meetings…", "&Sources…", "&Keeper mode…"]
    window.meetings_action.trigger()
    dialog = open_meetings(window, clock=lambda: MONDAY)
    settle(qtbot, dialog)
    assert not dialog.isModal() and window.isEnabled()
    assert dialog.today.isChecked() and dialog.both.isChecked() and not dialog.within.isEnabled()
    assert (dialog.title.text(), dialog.summary.text()) == ("Meetings today", "3 meetings")
    assert rows(dialog) == TODAY  # Warwick Lunchtime (13:00–14:00) is over at 14:00
    assert dialog.tree.currentItem().text(1) == "Kenilworth SMART Hybrid"  # the first meeting is shown

    change(qtbot, dialog, lambda: dialog.week.setChecked(True))
    assert (dialog.title.text(), dialog.summary.text()) == ("Meetings this week", "39 meetings")
    shown = rows(dialog)
    days = [line for line in shown if " | " not in line]
    assert days == [
        "Monday, 7 December",
        "Tuesday, 8 December",
        "Wednesday, 9 December",
        "Thursday, 10 December",
        "Friday, 11 December",
        "Saturday, 12 December",
        "Sunday, 13 December",
        "Monday, 14 December",
        NO_TIME,
    ]
    thursday = shown[shown.index("Thursday, 10 December") + 1 : shown.index("Friday, 11 December")]
    assert [line.split(" | ")[:2] for line in thursday] == [
        ["07:30–08:30", "Rugby Daily Reflections"],
        ["12:00–13:00", "Lunchtime Online"],
        ["13:00–14:00", "Warwick Lunchtime"],
        ["18:00–19:00", "Warwick Peer Support"],
        ["19:00–20:30", "SMART Recovery Online"],
        ["19:30–21:00", "Nuneaton Speaker Meeting"],
        ["from 19:30", "Shipston Big Book"],  # the list gives no end time
    ]
    assert thursday[1] == "12:00–13:00 | Lunchtime Online | Narcotics Anonymous | Online |  | Open meeting"
    # Monday before 14:00 comes round again at the end of the week
    assert shown[-5:-2] == [
        "07:30–08:30 | Rugby Daily Reflections | Alcoholics Anonymous | In person and online: "
        "Oakapple Church Rooms (fictional), 8 Sample Street, Rugby, UK |  | Daily Reflections, Open meeting",
        "12:30–13:30 | Just for Today | Narcotics Anonymous | Fennel House (fictional), 5 Pretend Parade, Coventry |  | "
        "Open meeting, For newcomers",
        "13:00–14:00 | Warwick Lunchtime | Alcoholics Anonymous | Yew Tree Rooms (fictional), 2 Storybook Row, "
        "Warwick, UK |  | Open meeting, Discussion, Wheelchair access",
    ]
    assert shown[-2:] == [NO_TIME, BY_ARRANGEMENT]

    dialog.close()
    window.meetings_action.trigger()
    assert window.findChildren(MeetingsDialog) == [dialog] and dialog.isVisible()  # one per window, shown again
    settle(qtbot, dialog)
    assert dialog.week.isChecked() and len(names(dialog)) == 40


# --- near a place ----------------------------------------------------------------------------
def test_near_rugby_keeps_what_is_in_reach_with_distances_and_orders_by_time_then_distance(qtbot, view):
    change(qtbot, view, lambda: view.near.setEditText("Rugby"))
    assert view.within.isEnabled() and view.within.value() == 20
    assert (view.title.text(), view.summary.text()) == ("Meetings today near Rugby", "2 meetings")
    assert rows(view) == [
        "Monday, 7 December",
        "18:00–19:30 | Kenilworth SMART Hybrid | SMART Recovery | "
        "In person and online: Brook House (fictional), 6 Makeup Mews, Kenilworth, UK | about 20 km | Open meeting",
        "19:30–20:45 | Monday Women's Meeting | Alcoholics Anonymous | "
        "Larkspur Community Hall (fictional), 1 Imaginary Lane, Coventry, UK | about 18 km | "
        "Women only, Closed meeting, Wheelchair access",
    ]  # Atherstone (in person only, beyond 20 km) is left out; Kenilworth, 21 km, can be joined online

    change(qtbot, view, lambda: view.week.setChecked(True))
    shown = rows(view)
    assert view.summary.text() == "25 meetings"
    assert "12:00–13:00 | Lunchtime Online | Narcotics Anonymous | Online |  | Open meeting" in shown
    assert (
        "17:00–18:30 | Polesworth SMART | SMART Recovery | Thistle Room (fictional), 12 Whimsy Way, Polesworth, UK | "
        "distance not known | Open meeting"
    ) in shown  # a venue with no position is kept, and says so
    assert "Stratford Women's Group" not in names(view)

    def thursday_1930() -> list[tuple[str, str]]:
        return [(line.split(" | ")[1], line.split(" | ")[4]) for line in rows(view) if "19:30" in line.split(" | ")[0]]

    change(qtbot, view, lambda: view.within.setValue(100))
    assert [pair for pair in thursday_1930() if pair[0] in ("Nuneaton Speaker Meeting", "Shipston Big Book")] == [
        ("Nuneaton Speaker Meeting", "about 20 km"),  # 22.1 km: 5 km steps beyond 20
        ("Shipston Big Book", "about 40 km"),
    ]
    change(qtbot, view, lambda: view.near.setEditText("Stratford-upon-Avon"))
    assert [name for name, _km in thursday_1930() if name in ("Nuneaton Speaker Meeting", "Shipston Big Book")] == [
        "Shipston Big Book",
        "Nuneaton Speaker Meeting",
    ]


def test_an_unknown_place_is_refused_in_the_words_the_search_uses(qtbot, view):
    window = view.parent()
    window.filters.near.setEditText("Rugbyy")
    qtbot.waitUntil(lambda: window.notes.text().startswith("Unknown place"), timeout=10_000)
    change(qtbot, view, lambda: view.near.setEditText("Rugbyy"))
    # the same refusal; the main window adds what to try in its own boxes
    assert view.summary.text() == "Unknown place 'Rugbyy'. Did you mean: Rugby?"
    assert window.notes.text().startswith(view.summary.text() + " ")
    assert rows(view) == [] and view.listing is None and not view.printer.button.isEnabled()
    change(qtbot, view, lambda: view.near.setEditText(""))  # empty is anywhere
    assert rows(view) == TODAY and view.printer.button.isEnabled()


# --- filters ---------------------------------------------------------------------------------
def test_online_only_a_fellowship_and_a_type_narrow_the_week(qtbot, view):
    change(qtbot, view, lambda: view.week.setChecked(True))
    change(qtbot, view, lambda: view.online.setChecked(True))
    online = {"Lunchtime Online", "SMART Recovery Online", "Women in Recovery Online", "CA Online Saturday"}
    hybrid = {"Rainbow Recovery", "Rugby Daily Reflections", "Kenilworth SMART Hybrid", "Southam Women's Hybrid"}
    assert set(names(view)) == online | hybrid and view.summary.text() == "13 meetings"
    assert NO_TIME not in rows(view)  # the meeting by arrangement cannot be joined online

    change(qtbot, view, lambda: view.both.setChecked(True))
    fellowships = [view.fellowship.itemText(i) for i in range(view.fellowship.count())]
    assert fellowships == [
        "Any fellowship",
        "Alcoholics Anonymous",
        "Cocaine Anonymous",
        "Example Recovery Network (fictional)",
        "Mutual-aid meetings (uk_generated)",
        "Narcotics Anonymous",
        "SMART Recovery",
        "Yew Tree Peer Group (fictional)",
    ]
    change(qtbot, view, lambda: view.fellowship.setCurrentIndex(fellowships.index("SMART Recovery")))
    assert names(view) == [
        "Kenilworth SMART Hybrid",
        "SMART Recovery Tuesday",
        "Rugby SMART Group",
        "SMART Recovery Online",
        "Polesworth SMART",
    ]

    change(qtbot, view, lambda: view.fellowship.setCurrentIndex(0))
    types = {view.types.item(i).text(): view.types.item(i) for i in range(view.types.count())}
    assert list(types) == [
        "Big Book",
        "Candlelight",
        "Closed meeting",
        "Daily Reflections",
        "Discussion",
        "For newcomers",
        "LGBTQ+ people",
        "Men only",
        "Open meeting",
        "Speaker meeting",
        "Step study",
        "Wheelchair access",
        "Women only",
    ]  # in words; the codes that only repeat a fellowship (AA, NA, CA, SMART) are not types
    change(qtbot, view, lambda: types["Women only"].setCheckState(Qt.Checked))
    assert names(view) == [
        "Monday Women's Meeting",
        "Stratford Women's Group",
        "Women in Recovery Online",
        "Southam Women's Hybrid",
    ]
    change(qtbot, view, lambda: types["Wheelchair access"].setCheckState(Qt.Checked))
    assert names(view) == ["Monday Women's Meeting"]  # every type ticked must apply


# --- details -----------------------------------------------------------------------------------
def test_details_show_where_how_to_join_the_notes_and_where_they_come_from(qtbot, view):
    store = DirectoryStore.open(view.directory(), readonly=True)
    published = {m.source_date for m in store.meetings()}
    store.close()
    [stamp] = published  # one list, read at one moment (UTC), shown in UK time
    uk = dt.datetime.fromisoformat(stamp).astimezone(ZoneInfo("Europe/London"))
    source = (
        f"Meeting details come from uk_generated as published on {uk.day} {uk:%B %Y, %H:%M}. "
        "Check with the group before you go."
    )
    change(qtbot, view, lambda: view.week.setChecked(True))
    choose(view, "Rainbow Recovery", "19:00")
    assert view.details.toPlainText().splitlines() == [
        "Rainbow Recovery",
        "Alcoholics Anonymous",
        "Wednesday, 9 December, 19:00–20:30",
        "The Quill Rooms (fictional), 22 Nonesuch Street, Coventry, UK",
        "Also online: https://meet.example.org/cov-rainbow",
        "By phone: 01632 960001",
        "LGBTQ+ people, Open meeting, Discussion",
        source,
    ]
    assert '<a href="https://meet.example.org/cov-rainbow">' in view.details.toHtml()
    assert view.details.openExternalLinks()  # a click opens the meeting in the browser

    choose(view, "Sunday Serenity", "18:00")
    lines = view.details.toPlainText().splitlines()
    assert lines[2:] == [
        "Sunday, 13 December, 18:00–19:30",
        "Larkspur Community Hall (fictional), 1 Imaginary Lane, Coventry, UK",
        "Open meeting, Discussion",
        "Side door; ring the bell.",
        source,
    ]
    change(qtbot, view, lambda: view.near.setEditText("Rugby"))
    choose(view, "Lunchtime Online", "12:00")
    assert view.details.toPlainText().splitlines()[2:5] == [
        "Tuesday, 8 December, 12:00–13:00",
        "Online: https://meet.example.org/cov-na-lunchtime-online",
        "By phone: 01632 960002",
    ]
    choose(view, "Rugby SMART Group", "18:30")
    assert "in Rugby" in view.details.toPlainText().splitlines()  # not "about 0.0 km away"


# --- no meetings -------------------------------------------------------------------------------
def test_with_no_meetings_it_says_how_to_add_a_list_and_follows_an_import(qtbot, open_window, installed_directory):
    window = open_window(installed_directory)
    window.meetings_action.trigger()
    dialog = open_meetings(window, clock=lambda: MONDAY)
    settle(qtbot, dialog)
    assert dialog.empty_text.isVisible() and not dialog.tree.isVisible()
    assert dialog.empty_text.text() == (
        "The directory has no mutual-aid meetings yet. To add a meeting list (a Meeting Guide JSON file, as AA, NA, "
        "SMART Recovery and other meeting finders publish), open the directory's sources and choose “Add file…”."
    )
    assert dialog.sources_button.isVisible() and not dialog.printer.button.isEnabled()  # no list to print
    qtbot.mouseClick(dialog.sources_button, Qt.LeftButton)
    sources = window.findChild(SourcesDialog)
    assert sources is not None and sources.isVisible()

    sources.file_chosen(MEETINGS)
    with qtbot.waitSignal(window.search_service.edition_changed, timeout=WAIT):
        qtbot.mouseClick(sources.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.tree.isVisible() and not dialog.busy(), timeout=WAIT)
    assert rows(dialog) == TODAY and not dialog.empty_text.isVisible() and dialog.printer.button.isEnabled()
    qtbot.waitUntil(lambda: not sources.busy(), timeout=WAIT)
    sources.close()


def test_without_a_sources_menu_the_sentence_says_how_from_the_command_line(qtbot, installed_directory):
    dialog = MeetingsDialog(lambda: installed_directory, clock=lambda: MONDAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.query()
    settle(qtbot, dialog)
    assert dialog.empty_text.isVisible() and not dialog.sources_button.isVisible()
    assert dialog.empty_text.text().endswith(
        "meeting finders publish), run: coventry-directory import FILE"
    ) and dialog.empty_text.text().startswith("The directory has no mutual-aid meetings yet.")


# --- printing --------------------------------------------------------------------------------
def test_the_list_shown_prints_in_english_and_says_where(qtbot, view, tmp_path):
    change(qtbot, view, lambda: view.near.setEditText("Rugby"))
    target = tmp_path / "today.pdf"
    assert view.printer.save_list(target, LANGUAGES["en"])
    qtbot.waitUntil(lambda: not view.printer.busy(), timeout=WAIT)
    assert view.printer.outcome.text() == f"Saved to {target}"
    text = pdf_text(target)
    expected = """Meetings today near Rugby
        Printed on 7 December 2026
        Only: up to 20 km away · online meetings from anywhere
        Meeting details come from uk_generated as published on
        Monday 7 December
        18:00–19:30 Kenilworth SMART Hybrid SMART Recovery Brook House (fictional), 6 Makeup Mews, Kenilworth, UK
        19:30–20:45 Monday Women's Meeting Alcoholics Anonymous"""
    assert [line.strip() for line in expected.splitlines() if line.strip() not in text] == []
    assert "Atherstone" not in text and "Tuesday" not in text and "Translation not yet checked" not in text

    blocked = tmp_path / "a-file"
    blocked.write_text("in the way", encoding="utf-8")
    assert view.printer.save_list(blocked / "list.pdf", LANGUAGES["en"])
    qtbot.waitUntil(lambda: not view.printer.busy(), timeout=WAIT)
    assert view.printer.outcome.text().startswith("Could not save: ")
    assert "Traceback" not in view.printer.outcome.text() and str(blocked) in view.printer.outcome.text()


def test_arabic_is_asked_about_then_printed_right_to_left_with_the_meetings_as_published(
    qtbot, view, tmp_path, monkeypatch
):
    asked, offered = [], []
    target = tmp_path / "chosen.pdf"

    def question(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.Yes

    def save_name(parent, caption, suggested, filters, *args):
        offered.append(Path(suggested).name)
        return str(target), filters

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    change(qtbot, view, lambda: view.week.setChecked(True))
    change(qtbot, view, lambda: view.near.setEditText("Rugby"))
    languages = [view.printer.language.itemText(i) for i in range(view.printer.language.count())]
    assert languages[:2] == ["English — English", "Polski — Polish  (translation not yet checked)"]
    view.printer.language.setCurrentIndex(view.printer.language.findData("ar"))
    assert view.printer.print_list()
    qtbot.waitUntil(lambda: not view.printer.busy(), timeout=WAIT)
    assert asked == [
        "The Arabic translation has not been checked by a fluent speaker. Print it anyway? "
        "The leaflet says so in English."
    ]
    assert offered == ["meetings-week-rugby-ar.pdf"]
    assert view.printer.outcome.text() == f"Saved to {target}"
    text = pdf_text(target)
    # Translated first, then filled in: the title is checked in whatever words the catalog has for it.
    title = translated("ar", wording.MEETINGS_THIS_WEEK_NEAR)[0].format(place="Rugby")
    fixed = (wording.GOOD_TO_KNOW, wording.CRISIS_HEADING, *wording.FACTS["mutual-aid"], *wording.CRISIS)
    assert_contains_translations(text, "ar", title, *fixed, wording.ENGLISH_NOTE, wording.MEETING_TYPE_WORDS["W"])
    published = ("Rainbow Recovery", "Alcoholics Anonymous", "https://meet.example.org/cov-rainbow", "01632 960001")
    assert [p for p in published if p not in text] == []
    assert "Translation not yet checked by a fluent speaker" in text


# --- accessibility and translation ------------------------------------------------------------
def _part_of_another(widget) -> bool:
    """Qt's own parts of a control (a combo box's popup list, the list's column header): read through it."""
    if isinstance(widget, QHeaderView):
        return True
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parent()
    return False


def test_every_control_has_an_accessible_name(view):
    kinds = (QAbstractButton, QComboBox, QAbstractSpinBox, QAbstractItemView, QTextBrowser)
    controls = [w for kind in kinds for w in view.findChildren(kind) if not _part_of_another(w)]
    controls += [view.title, view.summary, view.empty_text, view.printer.outcome]
    assert len(controls) > 15
    assert [c.objectName() or type(c).__name__ for c in controls if not c.accessibleName()] == []


@pytest.mark.usefixtures("english_afterwards")
def test_no_text_escapes_the_catalog_in_the_pseudo_locale(qtbot, hosts, with_meetings):
    host = hosts(PSEUDO_CODE)
    dialog = open_meetings(host.window, clock=lambda: MONDAY)
    settle(qtbot, dialog)
    change(qtbot, dialog, lambda: dialog.near.setEditText("Rugby"))
    change(qtbot, dialog, lambda: dialog.week.setChecked(True))
    assert "[" in dialog.title.text() and dialog.tree.topLevelItemCount() > 5
    store = DirectoryStore.open(with_meetings, readonly=True)
    meetings = store.meetings()
    store.close()
    allowed = directory_content(host.store) | {"uk_generated"}
    for m in meetings:
        allowed |= {m.name, m.fellowship, m.notes, *(t.name for t in m.types)}
        allowed |= {value for value in (m.online_url, m.conference_phone) if value}
        allowed |= {p.one_line() for p in m.places}
    allowed = sorted(allowed - {""}, key=len, reverse=True)
    choose(dialog, "Rainbow Recovery", "19:00")
    assert_all_marked(dialog, allowed)
    shown = [dialog.tree.headerItem().text(c) for c in range(dialog.tree.columnCount())] + rows(dialog)
    assert [line for line in shown if untranslated(line, allowed)] == []


@pytest.mark.usefixtures("english_afterwards")
def test_in_arabic_the_view_is_right_to_left_and_times_keep_their_order(qtbot, hosts, with_meetings):
    host = hosts("ar")
    dialog = open_meetings(host.window, clock=lambda: MONDAY)
    settle(qtbot, dialog)
    assert dialog.layoutDirection() == Qt.RightToLeft
    assert dialog.tree.topLevelItem(0).text(0) == "الاثنين، 7 ديسمبر"
    first = dialog.tree.topLevelItem(0).child(0)
    # Isolated left to right: digits and a dash alone would be laid out "19:30–18:00".
    assert (first.text(0), first.text(1)) == ("\u206618:00–19:30\u2069", "Kenilworth SMART Hybrid")
    # The details read from the right, though the meeting's name (its first words) is English.
    block = dialog.details.document().firstBlock()
    assert block.text() == "Kenilworth SMART Hybrid" and block.blockFormat().layoutDirection() == Qt.RightToLeft
