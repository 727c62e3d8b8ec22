"""Directory ▸ Meetings…: mutual-aid meetings today or this week near a place, and the list printed.

What the command line's ``meetings`` lists, for a worker with a client in front of them:
when (the rest of today, or the next seven days), near a place (the search's place field,
resolved and refused in the search's words; empty is anywhere), how far, which fellowship,
online or in person, and meeting types (every one ticked must apply); the meetings by day,
and the details of the one chosen. It opens on today near the place the main window's
filters are set to: "what is on today near Rugby, online ones too" is Directory ▸ Meetings….

The list is made and printed off the GUI thread (``background.BackgroundTask``; the work is
in :mod:`meetings_list`) from the file the app reads (``core.editions.current_directory_path``,
where Sources… imports too). The meetings read are kept until Refresh or a new edition
(``SearchService.edition_changed``). One query runs at a time; controls changed meanwhile
ask again when it reports. "Now" is UK time from ``clock`` (``core.clock.uk_now`` by default).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidgetItem,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.clock import uk_now
from coventry_directory.core.meetings import NEAR_KM, Meeting, MeetingFilters, MeetingList, Window
from coventry_directory.core.places import UnknownPlace, resolve_place
from coventry_directory.i18n import N_, _, ngettext
from coventry_directory.i18n.formatting import format_number
from coventry_directory.leaflets import wording
from coventry_directory.ui import meetings_list as work
from coventry_directory.ui.background import BackgroundTask
from coventry_directory.ui.filter_panel import place_box, place_text
from coventry_directory.ui.form_widgets import check_list, checked_codes
from coventry_directory.ui.window_geometry import fit_to_screen
from coventry_directory.ui.zoom import bold

if TYPE_CHECKING:
    from coventry_directory.ui.main_window import MainWindow

TYPING_PAUSE_MS = 150  # as the search: wait for a pause in typing a place before asking
MAX_KM = 500  # the command line's limit for --within
ONLINE, IN_PERSON, BOTH = "online", "in-person", "both"


def _row(*widgets: QWidget | None) -> QHBoxLayout:
    """A row of widgets, None a stretch; the room left is at the end, unless a stretch takes it."""
    row = QHBoxLayout()
    for widget in (*widgets, None) if None not in widgets else widgets:
        if widget is None:
            row.addStretch(1)
        else:
            row.addWidget(widget)
    return row


class MeetingsDialog(QDialog):
    """Mutual-aid meetings: choose when, where and which; read one meeting's details; print the list."""

    COLUMNS = (N_("Time"), N_("Meeting"), N_("Fellowship"), N_("Where"), N_("Distance"), N_("Types"))

    def __init__(
        self,
        directory: Callable[[], Path],
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = uk_now,
        sources: QAction | None = None,
        near: str = "",
    ):
        super().__init__(parent)
        self.directory, self.clock, self._sources = directory, clock, sources
        self.setWindowTitle(_("Mutual-aid meetings"))
        self.setAccessibleName(_("Mutual-aid meetings"))
        self._meetings: tuple[Meeting, ...] | None = None  # read once, until Refresh or a new edition
        # How often the meetings were to be read again (a read started before is not kept), the
        # query running and the epoch it started in, and whether the controls changed meanwhile.
        self._epoch, self._task_epoch, self._again = 0, 0, False
        self._task: BackgroundTask | None = None
        self.listing: MeetingList | None = None  # what the list shows (None when it answers nothing)
        self.entries: list[tuple[Meeting, object]] = []  # (meeting, occurrence or None) of each row

        self._filters(near)
        self.title = QLabel()
        self.title.setAccessibleName(_("What is listed"))
        bold(self.title)  # weight, not a colour: it reads in every theme (and follows zoom)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.summary.setAccessibleName(_("How many meetings are listed"))
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_(c) for c in self.COLUMNS])
        self.tree.setAccessibleName(_("Meetings, by day"))
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(0)  # a day's meetings line up under its heading
        # Time and distance fit; the long ones start at a width that leaves the types in view, elided
        # (the whole text is the row's tooltip and in the details), and can be widened.
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeToContents)
        for column, width in ((1, 190), (2, 140), (3, 230)):
            self.tree.header().setSectionResizeMode(column, QHeaderView.Interactive)
            self.tree.setColumnWidth(column, width)
        self.tree.currentItemChanged.connect(lambda item, _old: self._show_details(item))
        self.details = QTextBrowser()
        self.details.setAccessibleName(_("Meeting details"))
        self.details.setOpenExternalLinks(True)  # the online link opens in the browser
        self.details.setPlaceholderText(_("Choose a meeting to see its details."))
        self.splitter = QSplitter()
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.details)
        self.splitter.setSizes([880, 340])

        listed = QWidget()
        page = QVBoxLayout(listed)
        page.setContentsMargins(0, 0, 0, 0)
        page.addLayout(self.form)
        page.addWidget(self.title)
        page.addWidget(self.summary)
        page.addWidget(self.splitter, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(listed)
        self.pages.addWidget(self._empty_page())
        self.printer = work.ListPrinter(self)
        self.refresh_button = work.button(_("&Refresh"), self.reload, _("Read the meetings from the directory again"))
        printer, close = self.printer, work.button(_("Close"), self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(_row(self.refresh_button, None, printer.caption, printer.language, printer.button, close))
        layout.addWidget(printer.outcome)
        fit_to_screen(self, 1240, 780)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.query)
        self.near.currentTextChanged.connect(self._changed)
        self.within.valueChanged.connect(self._changed)
        self.fellowship.currentIndexChanged.connect(self._changed)
        self.types.itemChanged.connect(self._changed)
        for group in (self.when_group, self.attending_group):
            group.buttonToggled.connect(lambda _button, on: on and self._changed())

    # --- building ------------------------------------------------------------------------
    def _filters(self, near: str) -> None:
        """When, near, within, fellowship, online or in person, and types: a grid in ``self.form``."""
        self.when_group = QButtonGroup(self)
        self.today, self.week = work.radio_buttons(
            self.when_group, (_("&Today"), Window.TODAY), (_("This &week"), Window.WEEK)
        )
        self.near = place_box(_("Near place"))
        if near:
            self.near.setEditText(near)
        self.within = QSpinBox()
        self.within.setRange(1, MAX_KM)
        self.within.setValue(round(NEAR_KM))
        self.within.setAccessibleName(_("Within how many km"))
        self.fellowship = QComboBox()
        self.fellowship.setAccessibleName(_("Fellowship"))
        self.fellowship.addItem(_("Any fellowship"), "")
        self.attending_group = QButtonGroup(self)
        self.both, self.online, self.in_person = work.radio_buttons(
            self.attending_group, (_("&Both"), BOTH), (_("&Online only"), ONLINE), (_("In &person only"), IN_PERSON)
        )
        self.both.setToolTip(_("Meetings to go to, and meetings to join online from anywhere"))
        self.types = check_list({}, _("Meeting types"))
        self.types.setToolTip(_("Every type ticked must apply"))
        self.types.setFlow(QListView.LeftToRight)  # the ticks run in lines, as words do
        self.types.setWrapping(True)
        self.types.setResizeMode(QListView.Adjust)
        self.types.setFixedHeight(self.types.fontMetrics().height() * 3 + 16)
        self.form = QGridLayout()
        for label_text, buddy, row, column in (
            (_("When:"), self.today, 0, 0),
            (_("&Near:"), self.near, 0, 2),
            (_("W&ithin (km):"), self.within, 0, 4),
            (_("&Fellowship:"), self.fellowship, 1, 0),
            (_("Attending:"), self.both, 1, 2),
            (_("T&ypes:"), self.types, 2, 0),
        ):
            label = QLabel(label_text)
            label.setBuddy(buddy)
            self.form.addWidget(label, row, column)
        self.form.addLayout(_row(self.today, self.week), 0, 1)
        self.form.addWidget(self.near, 0, 3)
        self.form.addWidget(self.within, 0, 5)
        self.form.addWidget(self.fellowship, 1, 1)
        self.form.addLayout(_row(self.both, self.online, self.in_person), 1, 3, 1, 3)
        self.form.addWidget(self.types, 2, 1, 1, 5)
        self.form.setColumnStretch(3, 1)

    def _empty_page(self) -> QWidget:
        """What the view says when the directory has no meetings: how to add a meeting list."""
        page = QWidget()
        self.empty_text = QLabel(work.no_meetings_text(self._sources is not None))
        self.empty_text.setWordWrap(True)
        self.empty_text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.empty_text.setAccessibleName(_("No meetings yet"))
        self.sources_button = work.button(
            _("Open &sources…"), lambda: self._sources.trigger(), _("Add a meeting list file")
        )
        self.sources_button.setVisible(self._sources is not None)  # only then can it be clicked
        layout = QVBoxLayout(page)
        layout.addWidget(self.empty_text)
        layout.addLayout(_row(self.sources_button))
        layout.addStretch(1)
        return page

    # --- asking --------------------------------------------------------------------------
    def _changed(self) -> None:
        self.printer.button.setEnabled(False)  # until the list answers the new choice
        self._timer.start()

    def ask(self) -> work.Ask:
        """The question the controls ask now; raises UnknownPlace for a place the directory does not know."""
        near = place_text(self.near)
        self.within.setEnabled(bool(near))
        attending = self.attending_group.checkedButton().property("choice")
        filters = MeetingFilters(
            fellowship=self.fellowship.currentData() or None,
            online_only=attending == ONLINE,
            in_person_only=attending == IN_PERSON,
            types=checked_codes(self.types),
            near=resolve_place(near) if near else None,
            within_km=float(self.within.value()),
        )
        when = Window(self.when_group.checkedButton().property("choice"))
        return work.Ask(when, self.clock(), filters, self.fellowship.currentData() or "")

    def query(self) -> bool:
        """List the meetings for the controls as they are (off the GUI thread); False for an unknown place."""
        self._timer.stop()
        self.printer.button.setEnabled(False)
        try:
            ask = self.ask()
        except UnknownPlace as exc:  # said as the search says it; an older list would look like an answer
            self._again = False
            self._clear(str(exc))
            return False
        if self._task is not None:
            self._again = True  # asked again when the running query reports
            return True
        cached, directory = self._meetings, self.directory
        task = BackgroundTask(lambda: work.answer(ask, cached, directory), name="meetings")
        self._task, self._task_epoch, self._again = task, self._epoch, False
        task.finished.connect(self._answered)  # a bound slot: dropped if the dialog goes first
        task.start()
        return True

    def busy(self) -> bool:
        """True while a query or a print runs, or a query waits for a pause in typing."""
        return self._task is not None or self._timer.isActive() or self.printer.busy()

    def reload(self) -> None:
        """Refresh: read the meetings from the directory again (it may have changed), then list them."""
        self._meetings = None
        self._epoch += 1
        if self.isVisible():
            self.query()

    @Slot(object)
    def _answered(self, outcome: object) -> None:
        task, self._task = self._task, None
        result = task.result if task is not None and outcome is None else None
        if isinstance(result, work.Answer) and self._task_epoch == self._epoch and self._meetings is None:
            self._meetings = result.meetings
            if self._set_choices(result.meetings):
                self._again = True  # a fellowship or type chosen is no longer there
        if self._again:
            self.query()
            return
        self.pages.setCurrentIndex(1 if isinstance(result, work.Answer) and not result.meetings else 0)
        if isinstance(result, work.Answer):
            self._show(result.listing)
            self.printer.button.setEnabled(bool(result.meetings) and not self.printer.busy())  # no list, no PDF
        else:
            self._clear(work.failure_text(outcome))

    def _set_choices(self, meetings: tuple[Meeting, ...]) -> bool:
        """Fill the fellowships and types from the meetings, keeping the choices; True if a choice went."""
        chosen, ticked = self.fellowship.currentData() or "", set(checked_codes(self.types))
        names, shown = work.fellowship_names(meetings), work.type_choices(meetings)
        self.fellowship.blockSignals(True)
        self.types.blockSignals(True)
        while self.fellowship.count() > 1:
            self.fellowship.removeItem(1)
        for name in names:
            self.fellowship.addItem(name, name)
        self.fellowship.setCurrentIndex(max(self.fellowship.findData(chosen), 0))
        self.types.clear()
        for code, words in shown.items():
            item = QListWidgetItem(words, self.types)
            item.setData(Qt.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if code in ticked else Qt.Unchecked)
        self.fellowship.blockSignals(False)
        self.types.blockSignals(False)
        return bool(chosen and chosen not in names) or not ticked <= set(shown)

    # --- showing -------------------------------------------------------------------------
    def _clear(self, message: str) -> None:
        self.listing, self.entries = None, []
        self.tree.clear()
        self.details.clear()
        self.title.clear()
        self.summary.setText(message)

    def _show(self, listing: MeetingList) -> None:
        """The list grouped by day, then the meetings with no day or time; the first meeting chosen."""
        self._clear(_(wording.MEETINGS_NONE))
        self.listing, near = listing, listing.filters.near
        self.title.setText(work.title_text(listing))
        count = len(listing.occurrences)
        if count:
            self.summary.setText(ngettext("{n} meeting", "{n} meetings", count).format(n=format_number(count)))
        head, day = None, None
        for occurrence in listing.occurrences:
            if occurrence.day != day:
                day = occurrence.day
                head = self._heading(work.day_text(occurrence.day, occurrence.bank_holiday))
            self._add(head, occurrence.meeting, occurrence, near)
        if listing.unscheduled:
            head = self._heading(_(wording.MEETINGS_NO_TIME))
            for meeting in listing.unscheduled:
                self._add(head, meeting, None, near)
        self.tree.expandAll()
        if self.entries:
            self.tree.setCurrentItem(self.tree.topLevelItem(0).child(0))

    def _heading(self, label: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([label])
        item.setFlags(Qt.ItemIsEnabled)  # a day is read, not chosen
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        self.tree.addTopLevelItem(item)
        item.setFirstColumnSpanned(True)
        return item

    def _add(self, head: QTreeWidgetItem, meeting: Meeting, occurrence, near) -> None:
        cells = work.row_cells(meeting, occurrence, near)
        item = QTreeWidgetItem(head, cells)
        for column, cell in enumerate(cells):
            item.setToolTip(column, cell)
        item.setData(0, Qt.UserRole, len(self.entries))
        self.entries.append((meeting, occurrence))

    def _show_details(self, item: QTreeWidgetItem | None) -> None:
        row = item.data(0, Qt.UserRole) if item is not None else None
        if row is None or self.listing is None:
            self.details.clear()
            return
        meeting, occurrence = self.entries[row]
        self.details.setHtml(work.details_html(meeting, occurrence, self.listing.filters.near))


def open_meetings(window: MainWindow, clock: Callable[[], datetime] | None = None) -> MeetingsDialog:
    """Directory ▸ Meetings…: one view per window, not modal, listing afresh each time it is opened."""
    from coventry_directory.core.editions import current_directory_path

    dialog = window.findChild(MeetingsDialog)
    if dialog is None:
        near = window.filters.state()["near"]  # the place the worker is searching near
        sources = getattr(window, "sources_action", None)
        dialog = MeetingsDialog(current_directory_path, window, clock=clock or uk_now, sources=sources, near=near)
        window.search_service.edition_changed.connect(dialog.reload)  # a Sources import, a new bundle
    elif clock is not None:
        dialog.clock = clock
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.query()
    return dialog
