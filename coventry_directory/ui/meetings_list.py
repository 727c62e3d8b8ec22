"""The meetings list behind Directory ▸ Meetings…: made off the GUI thread, put into words, printed.

- **Made:** :func:`answer` runs in a ``background.BackgroundTask``: it reads every meeting
  with a read-only connection of its own thread (once; the view keeps them), and makes the
  :class:`~coventry_directory.core.meetings.MeetingList` the view's controls ask for.
- **In words,** in the app's language: each meeting's row (time and end, name, fellowship,
  the venue or "Online", distance, types) and its details (notes, address, the online link
  as a link, the dial-in, where the details come from and when that list was read, and
  "check with the group before you go"). Types and the fixed phrases are the printed list's
  own words (``leaflets.wording``), so screen and paper agree; what the meeting list
  publishes (names, venues, links, notes) is shown as it gives it.
- **Printed:** :class:`ListPrinter` (the view's language choice and button) asks where, and
  has :func:`write_list` write the list shown through ``leaflets.meetings_leaflet`` in a
  worker thread; it says where the PDF went, or in words (:func:`print_error_text`) why not.

The view's buttons are made here too (:func:`button`, :func:`radio_buttons`), as the printer's are.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QButtonGroup, QComboBox, QFileDialog, QLabel, QMessageBox, QPushButton, QRadioButton

from coventry_directory.core.distance_words import distance_text as distance_words
from coventry_directory.core.meetings import (
    Attending,
    Meeting,
    MeetingFilters,
    MeetingList,
    Occurrence,
    Window,
    distance_to,
    fellowship_marks,
    fellowships,
    known_types,
    meeting_list,
)
from coventry_directory.core.places import Place
from coventry_directory.i18n import _
from coventry_directory.i18n.choice import current_language
from coventry_directory.i18n.formatting import format_weekday_date
from coventry_directory.i18n.languages import LANGUAGES, Language
from coventry_directory.leaflets import wording
from coventry_directory.ui.background import BackgroundTask
from coventry_directory.ui.sources_worker import when_text

log = logging.getLogger("coventry_directory")
LRI, PDI = "\u2066", "\u2069"  # a left-to-right isolate and its end


# --- made ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ask:
    """One question: the meetings of ``when`` from ``at`` that pass ``filters``, of one fellowship or any ('')."""

    when: Window
    at: datetime
    filters: MeetingFilters
    fellowship: str = ""


@dataclass(frozen=True)
class Answer:
    """Every meeting the directory has, and the list that answers the question."""

    meetings: tuple[Meeting, ...]
    listing: MeetingList


def read_meetings(path: Path) -> tuple[Meeting, ...]:
    """Every meeting in the directory at ``path``, read with a connection of this thread's own."""
    from coventry_directory.store.directory import DirectoryStore

    store = DirectoryStore.open(path, readonly=True)
    try:
        return tuple(store.meetings())
    finally:
        store.close()


def answer(ask: Ask, meetings: tuple[Meeting, ...] | None, directory: Callable[[], Path]) -> Answer:
    """The list for ``ask`` (in a worker thread), reading the meetings from ``directory()`` when none are given."""
    # The type words and the printed list need reportlab's modules: loaded here, not on the GUI thread.
    importlib.import_module("coventry_directory.leaflets.meetings_leaflet")
    if meetings is None:
        meetings = read_meetings(directory())
    # Exactly the fellowship chosen (the command line's matching also takes initials and first words).
    pool = [m for m in meetings if m.fellowship == ask.fellowship] if ask.fellowship else list(meetings)
    return Answer(meetings, meeting_list(pool, ask.filters, ask.at, ask.when))


# --- in words ------------------------------------------------------------------------------
def no_meetings_text(can_open_sources: bool) -> str:
    """What the view says when the directory has no meetings: how to add a meeting list."""
    if can_open_sources:
        return _(
            "The directory has no mutual-aid meetings yet. To add a meeting list (a Meeting Guide JSON file, as AA, "
            "NA, SMART Recovery and other meeting finders publish), open the directory's sources and choose "
            "“Add file…”."
        )
    return _(
        "The directory has no mutual-aid meetings yet. To add a meeting list (a Meeting Guide JSON file, as AA, "
        "NA, SMART Recovery and other meeting finders publish), run: coventry-directory import FILE"
    )


def failure_text(outcome: object) -> str:
    """Why the meetings could not be listed, in words (the log says where, never what was asked)."""
    from coventry_directory.store.errors import StoreError
    from coventry_directory.ui.errors import describe_exception

    if isinstance(outcome, StoreError):  # a missing or damaged directory: already in words
        return _("The meetings could not be read from the directory: {reason}").format(reason=outcome)
    if isinstance(outcome, BaseException):
        log.error("meetings: %s", describe_exception(type(outcome), outcome.__traceback__))
    return _("Something went wrong ({kind}) while listing the meetings. The log file says where.").format(
        kind=type(outcome).__name__
    )


def fellowship_names(meetings: tuple[Meeting, ...]) -> list[str]:
    """The fellowships the meetings belong to, sorted (as the list gives their names)."""
    return [name for name in fellowships(meetings) if name]


def type_word(code: str, label: str) -> str:
    """A meeting type in the leaflet's words where it has them ('Women only'), else the list's label."""
    return _(wording.MEETING_TYPE_WORDS[code]) if code in wording.MEETING_TYPE_WORDS else label


def type_choices(meetings: tuple[Meeting, ...]) -> dict[str, str]:
    """{code: words} of the types the meetings have, by their words; a code that only names a fellowship is left out."""
    types = {code for m in meetings for code in m.type_codes if code not in fellowship_marks(m)}
    words = {code: type_word(code, label) for code, label in known_types(meetings).items() if code in types}
    return dict(sorted(words.items(), key=lambda pair: pair[1].casefold()))


def type_text(meeting: Meeting) -> str:
    """The meeting's types in words, as the printed list gives them."""
    from coventry_directory.leaflets.meetings_leaflet import type_phrases  # loaded by the query, off the GUI thread

    return ", ".join(type_phrases(meeting))


def title_text(listing: MeetingList) -> str:
    """'Meetings today near Rugby', as the printed list is titled."""
    today = listing.when == Window.TODAY
    if listing.filters.near is not None:
        template = wording.MEETINGS_TODAY_NEAR if today else wording.MEETINGS_THIS_WEEK_NEAR
        return _(template).format(place=listing.filters.near.name)
    return _(wording.MEETINGS_TODAY if today else wording.MEETINGS_THIS_WEEK)


def day_text(day: date, holiday: str | None) -> str:
    """A day's heading ('Monday, 7 December', 'Środa, 9 grudnia'), and the bank holiday it is, if it is one."""
    heading = format_weekday_date(day)
    heading = heading[:1].upper() + heading[1:]  # a heading, as the printed list capitalises it
    if holiday:
        # TRANSLATORS: a day's heading, then what it says about the bank holiday it is.
        return _("{day} · {note}").format(day=heading, note=_(wording.MEETINGS_BANK_HOLIDAY).format(name=holiday))
    return heading


def time_text(occurrence: Occurrence) -> str:
    """'18:00–19:30', or 'from 10:00' when the list gives no end time."""
    start = f"{occurrence.starts:%H:%M}"
    if occurrence.ends is None:
        return _(wording.MEETINGS_FROM_TIME).format(time=start)
    span = f"{start}–{occurrence.ends:%H:%M}"
    # Digits and a dash have no direction of their own: right to left they would read "08:30–07:30".
    return f"{LRI}{span}{PDI}" if current_language().rtl else span


def _venue(meeting: Meeting, attending: Attending | None):
    return meeting.place if attending != Attending.ONLINE else None


def where_text(meeting: Meeting, attending: Attending | None) -> str:
    """The venue in one line ('In person and online: …' for a hybrid), 'Online', or that where is not given."""
    place = _venue(meeting, attending)
    if place is None:
        return _("Online") if meeting.online_url or meeting.conference_phone else _(wording.MEETINGS_NO_PLACE)
    where = place.one_line() or _(wording.MEETINGS_NO_PLACE)
    # "online" first: a narrow column elides the end of a long address
    return _("In person and online: {place}").format(place=where) if attending == Attending.HYBRID else where


def distance_text(meeting: Meeting, attending: Attending | None, km: float | None, near: Place | None) -> str:
    """'about 18 km' or 'in Rugby' from the place asked about; '' for no place or an online meeting."""
    if near is None or _venue(meeting, attending) is None:
        return ""
    return distance_words(km, near) or _(wording.MEETINGS_DISTANCE_NOT_KNOWN)


def row_cells(meeting: Meeting, occurrence: Occurrence | None, near: Place | None) -> list[str]:
    """A row: time (none for a meeting with no day or time), name, fellowship, where, distance, types."""
    attending = occurrence.attending if occurrence else meeting.attending
    km = occurrence.distance_km if occurrence else distance_to(meeting, near)
    time = time_text(occurrence) if occurrence else ""
    where, distance = where_text(meeting, attending), distance_text(meeting, attending, km, near)
    return [time, meeting.name, meeting.fellowship, where, distance, type_text(meeting)]


def _link(url: str) -> str:
    # Only a web address is made a link; anything else the list gives is shown as text.
    if url.lower().startswith(("https://", "http://")):
        return f'<a href="{escape(url)}">{escape(url)}</a>'
    return escape(url)


def _p(html: str) -> str:
    return f"<p>{html}</p>"


def details_html(meeting: Meeting, occurrence: Occurrence | None, near: Place | None) -> str:
    """The details pane: name, fellowship, when, where, how to join online, types, notes and the source."""
    attending = occurrence.attending if occurrence else meeting.attending
    parts = [f"<h3>{escape(meeting.name)}</h3>", _p(escape(meeting.fellowship))]
    if occurrence is not None:
        when = _("{date}, {time}").format(date=format_weekday_date(occurrence.day), time=time_text(occurrence))
        parts.append(_p(f"<b>{escape(when)}</b>"))
        if occurrence.bank_holiday:
            parts.append(_p(escape(_(wording.MEETINGS_BANK_HOLIDAY).format(name=occurrence.bank_holiday))))
    else:
        parts.append(_p(escape(_(wording.MEETINGS_NO_TIME))))
    place = _venue(meeting, attending)
    if place is not None:
        parts.append(_p(escape(place.one_line() or _(wording.MEETINGS_NO_PLACE))))
        km = occurrence.distance_km if occurrence is not None else distance_to(meeting, near)
        if near is not None:
            far = distance_words(km, near)
            parts.append(_p(escape(far or _(wording.MEETINGS_DISTANCE_NOT_KNOWN))))
    if meeting.online_url and attending != Attending.IN_PERSON:
        template = wording.MEETINGS_ALSO_ONLINE if place is not None else wording.MEETINGS_ONLINE_AT
        parts.append(_p(escape(_(template)).format(link=_link(meeting.online_url))))
    if meeting.conference_phone and attending != Attending.IN_PERSON:
        parts.append(_p(escape(_(wording.MEETINGS_DIAL_IN).format(number=meeting.conference_phone))))
    if place is None and not meeting.online_url and not meeting.conference_phone:
        parts.append(_p(escape(_(wording.MEETINGS_NO_PLACE))))
    if type_text(meeting):
        parts.append(_p(escape(type_text(meeting))))
    if meeting.notes:
        marker = "" if current_language().code == "en" else " " + _("(in English)")
        parts.append(_p(f"<i>{escape(meeting.notes)}</i>{escape(marker)}"))
    source = _(wording.MEETINGS_SOURCE).format(
        source=meeting.source or "Coventry Directory", date=when_text(meeting.source_date or "")
    )
    parts.append(_p(f"<b>{escape(source)}</b>"))
    body = "".join(parts)
    # Qt's rich text sets each paragraph by its first letter: an English name would pull it to the left.
    return f"<div dir='rtl'>{body}</div>" if current_language().rtl else body


# --- buttons -------------------------------------------------------------------------------
def button(label: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
    """A push button for ``slot``, its accessible name its label without the mnemonic and the ellipsis."""
    widget = QPushButton(label)
    widget.setAccessibleName(label.replace("&", "").rstrip("…"))
    widget.setToolTip(tip)
    widget.clicked.connect(slot)
    return widget


def radio_buttons(group: QButtonGroup, *choices: tuple[str, str]) -> list[QRadioButton]:
    """One radio button per (label, key) in ``group``, each with its key as ``choice``; the first one chosen."""
    buttons = []
    for label, key in choices:
        widget = QRadioButton(label)
        widget.setAccessibleName(label.replace("&", ""))
        widget.setProperty("choice", key)
        group.addButton(widget)
        buttons.append(widget)
    buttons[0].setChecked(True)
    return buttons


# --- printed -------------------------------------------------------------------------------
def language_label(lang: Language) -> str:
    """A language as the leaflet print dialog lists it: its own name, the app's name for it, unchecked or not."""
    flag = "" if lang.reviewed else "  " + _("(translation not yet checked)")
    return f"{lang.native_name} — {_(lang.english_name)}{flag}"


def file_name(listing: MeetingList, lang: Language) -> str:
    """The name the command line gives the list: ``meetings-week-rugby-pl.pdf``."""
    from coventry_directory.leaflets.batch import slug

    place = listing.filters.near
    return f"meetings-{listing.when}" + (f"-{slug(place.name)}" if place else "") + f"-{lang.code}.pdf"


def write_list(listing: MeetingList, lang: Language, target: Path, printed: date) -> Path:
    """Write the list in ``lang`` to the PDF ``target`` (in a worker thread); returns where it went."""
    from coventry_directory.leaflets.base import write_pdf
    from coventry_directory.leaflets.meetings_leaflet import MeetingsLeafletRenderer

    place = listing.filters.near.name if listing.filters.near else None
    return write_pdf(target, MeetingsLeafletRenderer(listing, lang, place=place, printed=printed).render())


def print_error_text(exc: object) -> str:
    """Why the list could not be written, in words (the log says where, never what it held)."""
    from coventry_directory.disk_errors import os_error_text
    from coventry_directory.i18n.catalogs import CatalogError
    from coventry_directory.leaflets.base import LeafletError
    from coventry_directory.ui.errors import describe_exception

    if isinstance(exc, OSError):
        return _("Could not save: {problem}").format(problem=os_error_text(exc))
    if isinstance(exc, (LeafletError, CatalogError)):  # a font or a translation missing: already in words
        return _("The meetings list could not be made: {problem}").format(problem=exc)
    if isinstance(exc, BaseException):
        log.error("meetings list: %s", describe_exception(type(exc), exc.__traceback__))
    return _("Something went wrong ({kind}) while making the meetings list. The log file says where.").format(
        kind=type(exc).__name__
    )


class ListPrinter(QObject):
    """Print meetings list…: the language (as the leaflet print dialog offers them), the button, where it went.

    Prints what ``view`` (the meetings view) lists, ``view.listing``, dated by ``view.clock``.
    """

    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self._task: BackgroundTask | None = None
        self.language = QComboBox()
        self.language.setAccessibleName(_("Language of the printed list"))
        for lang in LANGUAGES.values():
            self.language.addItem(language_label(lang), lang.code)
        self.caption = QLabel(_("Lan&guage:"))
        self.caption.setBuddy(self.language)
        self.button = button(
            _("Print meetings &list…"), self.print_list, _("The meetings listed, as a PDF in the client's language")
        )
        self.button.setEnabled(False)  # until there is a list
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.outcome.setAccessibleName(_("Where the list was saved"))

    def busy(self) -> bool:
        """True while a PDF is being written."""
        return self._task is not None

    def print_list(self) -> bool:
        """Confirm an unchecked translation, choose the file, then write the list shown to it."""
        lang = LANGUAGES[self.language.currentData()]
        listing = self.view.listing
        if listing is None or self.view.busy():
            return False
        if not lang.reviewed:
            question = _(
                "The {language} translation has not been checked by a fluent speaker. Print it anyway? "
                "The leaflet says so in English."
            ).format(language=_(lang.english_name))
            if QMessageBox.question(self.view, self.view.windowTitle(), question) != QMessageBox.Yes:
                return False
        suggested = str(Path.home() / file_name(listing, lang))
        path, _filter = QFileDialog.getSaveFileName(
            self.view, _("Save the meetings list as PDF"), suggested, _("PDF files (*.pdf)")
        )
        return bool(path) and self.save_list(Path(path), lang)

    def save_list(self, target: Path, lang: Language) -> bool:
        """Write the list shown, in ``lang``, to the PDF ``target`` (off the GUI thread)."""
        listing = self.view.listing
        if listing is None or self._task is not None:
            return False
        printed = self.view.clock().date()  # the day in the UK, as the list's times are
        task = BackgroundTask(lambda: write_list(listing, lang, target, printed), name="meetings-print")
        self._task = task
        self.button.setEnabled(False)
        self.outcome.setText(_("Writing the meetings list…"))
        task.finished.connect(self._written)  # a bound slot: dropped if the view goes first
        task.start()
        return True

    @Slot(object)
    def _written(self, outcome: object) -> None:
        task, self._task = self._task, None
        self.button.setEnabled(self.view.listing is not None and not self.view.busy())
        if outcome is None and task is not None:
            self.outcome.setText(_("Saved to {path}").format(path=task.result))
        else:
            self.outcome.setText(print_error_text(outcome))
