"""The details pane, after a user trial: links that open, "Copy details", sources a GP can read, honest hours.

Dates are fixed (the week from Thursday 24 December 2026, with Christmas Day, Boxing Day
and Boxing Day's substitute Monday in it), never the machine's clock. Opening a link is
caught with Qt's own hook for it (``QDesktopServices.setUrlHandler``), so no browser or
mail program starts; links are clicked with the mouse where they are drawn.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QTextCursor

from coventry_directory.core.source_documents import SourceDocument
from coventry_directory.i18n.catalogs import in_language
from coventry_directory.ui.details_copy import details_text
from coventry_directory.ui.service_html import service_html
from coventry_directory.ui.source_titles import cite, shipped_document
from coventry_directory.ui.source_viewer import SourceViewer

CHRISTMAS_WEEK = date(2026, 12, 24)
WDNA = "Warwickshire Drugs Needs Assessment, September 2022 (TONIC)"


def _text(html: str) -> str:
    """What the HTML reads as, tags dropped (enough to check words and their order)."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _day_row(html: str, day: str) -> str:
    """The week-ahead row for ``day`` ("Friday, 25 December"), as text."""
    row = re.search(rf"<tr><td[^>]*>{re.escape(day)}</td>(.*?)</tr>", html)
    assert row, f"no row for {day}"
    return _text(row.group(1)).strip()


# --- opening hours ---------------------------------------------------------------------
def test_a_bank_holiday_says_what_is_known_without_the_usual_hours(directory_store):
    weekdays = directory_store.get_service("cov-st-basils-youth-hub")  # Monday to Friday, 09:00-17:00
    html = service_html(weekdays, today=CHRISTMAS_WEEK)
    assert _day_row(html, "Thursday, 24 December") == "09:00–17:00"
    christmas = _day_row(html, "Friday, 25 December")
    assert christmas == "Christmas Day (bank holiday): hours not known — check with the service"
    assert "09:00" not in _day_row(html, "Monday, 28 December")  # Boxing Day (observed): not known either
    # a Saturday it is always closed stays closed, the holiday named and nothing put in doubt
    assert _day_row(html, "Saturday, 26 December") == "closed — Boxing Day (bank holiday)"


def test_open_all_day_reads_24_hours_and_a_bank_holiday_does_not_doubt_it(directory_store):
    aa = directory_store.get_service("nat-aa")  # the helpline: 00:00-23:59 every day in the record
    html = service_html(aa, today=CHRISTMAS_WEEK)
    hours = html.split("<h3>Opening hours</h3>")[1].split("<h3>")[0]
    assert "00:00" not in hours and "23:59" not in hours
    assert "Every day, 24 hours" in _text(hours)
    assert _day_row(html, "Friday, 25 December") == "24 hours — Christmas Day (bank holiday)"
    assert "not known" not in _text(hours)


# --- links -----------------------------------------------------------------------------
def test_web_and_email_addresses_are_links(directory_store):
    samaritans = directory_store.get_service("nat-samaritans")
    html = service_html(samaritans, today=CHRISTMAS_WEEK)
    assert "<a href='https://www.samaritans.org'>https://www.samaritans.org</a>" in html
    assert "<a href='mailto:jo@samaritans.org'>jo@samaritans.org</a>" in html


def test_a_bare_site_name_opens_as_https(directory_store):
    childline = next(s for s in directory_store.all_services() if s.url == "childline.org.uk")
    assert "<a href='https://childline.org.uk'>childline.org.uk</a>" in service_html(childline, today=CHRISTMAS_WEEK)


# --- sources ---------------------------------------------------------------------------
def test_sources_name_the_document_and_quote_the_line(directory_store):
    svc = directory_store.get_service("cgl-warwickshire-stratford-fred-winter-centre")
    html = service_html(svc, today=CHRISTMAS_WEEK)
    sources = html.split("<h3>Where this information comes from</h3>")[1]
    item = next(li for li in re.findall(r"<li>(.*?)</li>", sources) if "L812" in li)
    assert _text(item).strip().startswith(f"{WDNA}, line 812")
    assert "Change Grow Live (CGL) is the current commissioned service provider" in item
    assert "<small>(wdna-2022 L812)</small>" in item  # the citation itself, kept small
    assert "<a href='source:wdna-2022?line=812'>" in item  # the title opens the document there
    url = "https://www.stratford-herald.com/news/new-projects-at-the-fred-winter-centre-9266748"
    assert f"<li><a href='{url}'>{url}</a><br>" in sources  # a web page stays a link
    page = next(li for li in re.findall(r"<li>(.*?)</li>", sources) if url in li)
    facts = next(line for line, text in enumerate(_facts_sheet().lines, 1) if f"[{url}]" in text)
    assert f"what it said, as recorded in {_facts_sheet().title}, line {facts}" in _text(page)


def _facts_sheet() -> SourceDocument:
    document = shipped_document("facts-2026")
    assert document is not None
    return document


def test_every_web_page_the_directory_cites_is_recorded_in_a_shipped_document(directory_store):
    # what makes the "as recorded in" link there for every page: read offline, what it said
    pages = {src for svc in directory_store.all_services() for src in svc.sources if src.startswith("http")}
    assert len(pages) > 50
    for page in sorted(pages):
        found = cite(page)
        assert found.document is not None and found.line is not None, page
        assert f"[{page}]" in shipped_document(found.document).lines[found.line - 1]


def test_a_long_line_is_quoted_to_a_whole_word_and_an_unknown_document_as_written(tmp_path):
    long_line = "word " * 100
    doc = SourceDocument("doc-1", "A Title", "2024", tmp_path / "doc.txt", ["first line", long_line])
    quoted = cite("doc-1 L2", {"doc-1": doc})
    assert quoted.title == "A Title" and quoted.line == 2
    assert quoted.quote is not None and quoted.quote.endswith("word…") and len(quoted.quote) <= 201
    assert cite("doc-1 L9", {"doc-1": doc}).quote is None  # past the end: title and line only
    unknown = cite("other-2020 L3", {"doc-1": doc})  # e.g. a build that ships no documents
    assert (unknown.title, unknown.url, unknown.raw) == (None, None, "other-2020 L3")


# --- copy details ----------------------------------------------------------------------
def test_copy_details_text_has_what_a_worker_pastes(directory_store):
    hub = directory_store.get_service("cov-st-basils-youth-hub")
    lines = details_text(hub).splitlines()
    assert lines[0] == hub.name
    assert "Opening hours: Mondays, Tuesdays, Wednesdays, Thursdays and Fridays, 09:00–17:00" in lines
    assert "Bank holidays: hours not known — check with the service" in lines
    assert any(line.startswith("Address: ") and hub.locations[0].name in line for line in lines)
    assert f"How to refer: {hub.application_process}" in lines
    assert "Web: not known — check with the service" in lines
    aa = details_text(directory_store.get_service("nat-aa"))
    assert "Opening hours: Every day, 24 hours" in aa.splitlines()
    assert "00:00" not in aa and "Bank holidays" not in aa  # open all day every day: no doubt
    assert "Phone: 0800 9177 650 — National helpline" in aa
    assert "Web: https://www.alcoholics-anonymous.org.uk" in aa


def test_copy_details_labels_follow_the_language(directory_store):
    with in_language("pl"):
        text = details_text(directory_store.get_service("nat-samaritans"))
    assert "Telefon: 116 123" in text and "Godziny otwarcia: " in text
    assert "Phone:" not in text


# --- the window ------------------------------------------------------------------------
class _Opened(QObject):
    """Receives the links the desktop would open (Qt's hook for a scheme's handler)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@pytest.fixture
def opened():
    catcher = _Opened()
    for scheme in ("http", "https", "mailto"):
        QDesktopServices.setUrlHandler(scheme, catcher, "open")
    yield catcher
    for scheme in ("http", "https", "mailto"):
        QDesktopServices.unsetUrlHandler(scheme)


def _click_link(qtbot, browser, words: str) -> None:
    """Click with the mouse on the link ``words`` where the details pane draws it."""
    document = browser.document()
    found = document.find(words)
    middle = QTextCursor(document)
    while not found.isNull():  # the words may be in the text too (an email in the description)
        middle.setPosition((found.selectionStart() + found.selectionEnd()) // 2)
        if middle.charFormat().isAnchor():
            break
        found = document.find(words, found)
    assert not found.isNull(), f"no link {words!r}"
    browser.setTextCursor(middle)
    browser.ensureCursorVisible()
    qtbot.waitUntil(lambda: browser.viewport().rect().contains(browser.cursorRect(middle).center()), timeout=2_000)
    point = browser.cursorRect(middle).center()
    assert browser.anchorAt(point), f"no link drawn at {words!r}"
    qtbot.mouseClick(browser.viewport(), Qt.LeftButton, pos=point)


def test_clicking_web_email_and_source_links_opens_them(qtbot, open_window, opened):
    window = open_window()
    window.show_service(window.controller.store.resolve_service_id("nat-samaritans"))
    _click_link(qtbot, window.details, "https://www.samaritans.org")
    _click_link(qtbot, window.details, "jo@samaritans.org")
    assert opened.urls == ["https://www.samaritans.org", "mailto:jo@samaritans.org"]
    source = window.controller.service(window._current_id).sources[0]
    _click_link(qtbot, window.details, source)
    assert opened.urls[-1] == source
    assert QGuiApplication.clipboard().text() != source  # opened, not copied


def test_copy_details_puts_the_service_on_the_clipboard(qtbot, open_window):
    window = open_window()
    QGuiApplication.clipboard().clear()
    sid = window.controller.store.resolve_service_id("cov-st-basils-youth-hub")
    window.show_service(sid)
    _click_link(qtbot, window.details, "Copy details")
    svc = window.controller.service(sid)
    assert QGuiApplication.clipboard().text() == details_text(svc)
    assert window.statusBar().currentMessage() == f"Copied the details of {svc.name}"
    # the same from the row of service buttons, which is off while no service is shown
    QGuiApplication.clipboard().clear()
    window.copy_button.click()
    assert QGuiApplication.clipboard().text() == details_text(svc)
    window.show_start_page()
    assert not window.copy_button.isEnabled()


# --- a source document, read in the app --------------------------------------------------
def _viewer(qtbot, window) -> SourceViewer:
    qtbot.waitUntil(lambda: any(v.isVisible() for v in window.findChildren(SourceViewer)), timeout=5_000)
    return next(v for v in window.findChildren(SourceViewer) if v.isVisible())


def _cited_text(viewer: SourceViewer) -> str:
    (mark,) = viewer.text.extraSelections()
    return mark.cursor.selectedText()


def test_a_cited_line_opens_in_the_app_there_and_the_find_box_reads_round_it(qtbot, open_window):
    window = open_window()
    window.show_service(window.controller.store.resolve_service_id("cgl-warwickshire-stratford-fred-winter-centre"))
    _click_link(qtbot, window.details, f"{WDNA}, line 812")
    viewer = _viewer(qtbot, window)
    lines = shipped_document("wdna-2022").lines
    assert viewer.windowTitle() == f"Source: {WDNA}"
    assert viewer.current_line() == 812 and viewer.focusWidget() is viewer.text
    assert _cited_text(viewer) == lines[811]  # the cited line, marked, is the one the details quote
    assert viewer.where.text().startswith(f"Line 812 of {len(lines):,}")
    qtbot.waitExposed(viewer)
    block = viewer.text.document().findBlockByNumber(811)
    shown = viewer.text.blockBoundingGeometry(block).translated(viewer.text.contentOffset())
    assert shown.top() > 0 and shown.bottom() <= viewer.text.viewport().height()  # the whole paragraph in sight
    # read round it by keyboard: the find box, a word, Enter; Enter again for the next
    with_word = [n for n, text in enumerate(lines, 1) if "naloxone" in text.lower() and n >= 812]
    qtbot.mouseClick(viewer.find_box, Qt.LeftButton)
    qtbot.keyClicks(viewer.find_box, "naloxone")
    qtbot.keyClick(viewer.find_box, Qt.Key_Return)
    assert viewer.current_line() == with_word[0]
    assert viewer.text.textCursor().selectedText().lower() == "naloxone"
    qtbot.keyClick(viewer.find_box, Qt.Key_Return)
    assert viewer.current_line() == next(
        n for n in with_word if n > with_word[0] or lines[n - 1].lower().count("naloxone") > 1
    )
    assert _cited_text(viewer) == lines[811]  # the mark stays on the cited line
    viewer.find_box.setText("no such words zq")
    at = viewer.current_line()
    qtbot.keyClick(viewer.find_box, Qt.Key_Return)
    assert viewer.where.text() == "“no such words zq” is not in this document."
    assert viewer.current_line() == at  # nowhere to go: the reader stays where they were
    qtbot.keyClick(viewer, Qt.Key_Escape)
    assert not viewer.isVisible()


def test_a_web_page_opens_where_the_facts_sheet_records_it_offline(qtbot, open_window, opened):
    window = open_window()
    window.show_service(window.controller.store.resolve_service_id("cgl-warwickshire-stratford-fred-winter-centre"))
    url = "https://www.stratford-herald.com/news/new-projects-at-the-fred-winter-centre-9266748"
    citing = [n for n, text in enumerate(_facts_sheet().lines, 1) if f"[{url}]" in text]
    assert len(citing) == 2  # the sheet cites the page twice: Enter steps from one to the other
    _click_link(qtbot, window.details, f"as recorded in {_facts_sheet().title}")
    viewer = _viewer(qtbot, window)
    assert opened.urls == []  # read in the app: no browser asked
    assert viewer.current_line() == citing[0] and viewer.find_box.text() == f"[{url}]"
    assert _cited_text(viewer) == _facts_sheet().lines[citing[0] - 1]
    qtbot.keyClick(viewer.find_box, Qt.Key_Return)  # at the start of the first: Enter finds it there
    qtbot.keyClick(viewer.find_box, Qt.Key_Return)
    assert viewer.current_line() == citing[1]
    qtbot.keyClick(viewer.find_box, Qt.Key_Return)
    assert viewer.current_line() == citing[0]  # on from the top after the last


def test_a_document_this_copy_lacks_is_said_not_opened(qtbot, open_window):
    window = open_window()
    assert window.open_source(QUrl("source:other-2020?line=3")) is None
    assert window.statusBar().currentMessage() == "This copy of the app does not have the document “other-2020”."
    assert not window.findChildren(SourceViewer)
    # a line past the end opens the document at its start, nothing marked
    viewer = window.open_source(QUrl("source:wdna-2022?line=999999"))
    assert viewer is not None and viewer.current_line() == 1 and viewer.text.extraSelections() == []
