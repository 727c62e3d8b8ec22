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
from coventry_directory.ui.source_titles import cite

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
    assert _text(item).startswith(f"{WDNA}, line 812")
    assert "Change Grow Live (CGL) is the current commissioned service provider" in item
    assert "<small>(wdna-2022 L812)</small>" in item  # the citation itself, kept small
    url = "https://www.stratford-herald.com/news/new-projects-at-the-fred-winter-centre-9266748"
    assert f"<li><a href='{url}'>{url}</a></li>" in sources  # a web page stays a link


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
