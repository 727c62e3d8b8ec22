"""The main window (layout and wiring): search, filters, client mode, results, details, shortlist.

The crisis numbers are always on screen, above everything else. Under them, the work
area: the search box, its notes and the filters in use (ui/filter_chips.py), then three
columns (filters / client / shortlist tabs, the results, the details of the service
being read). The privacy screen covers the work area and nothing else
(ui/privacy_screen.py). Choosing another language in Settings emits
``language_chosen``; ui/language.py rebuilds the window.

The rest of the window lives beside this module, each part in its own mixin:
ui/main_window_search.py runs searches and shows what comes back; ui/main_window_menus.py
builds the menus and the keys (every key from the table in ui/shortcuts.py, which
Help ▸ Keyboard shortcuts lists); ui/main_window_actions.py does what the buttons do with
the service shown and the shortlist (add, print, refer, correct).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QModelIndex, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.distance_words import approximate_note, distance_text
from coventry_directory.core.search import SearchResult
from coventry_directory.i18n import _
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.errors import StoreError
from coventry_directory.store.user import UserStore
from coventry_directory.ui.column_tabs import ColumnTabs
from coventry_directory.ui.controller import DirectoryController
from coventry_directory.ui.crisis_strip import CrisisStrip
from coventry_directory.ui.filter_chips import FilterChips
from coventry_directory.ui.filter_panel import FilterPanel, place_text
from coventry_directory.ui.flow_layout import FlowLayout
from coventry_directory.ui.main_window_actions import ServiceActions
from coventry_directory.ui.main_window_menus import WindowMenus
from coventry_directory.ui.main_window_search import RESULT_LIMIT, SearchDisplay
from coventry_directory.ui.meetings_view import open_meetings
from coventry_directory.ui.privacy_screen import PrivacyScreen
from coventry_directory.ui.profile_panel import ProfilePanel
from coventry_directory.ui.results_model import HitRole, ResultDelegate, ResultsModel
from coventry_directory.ui.search_worker import SearchService
from coventry_directory.ui.service_html import COPY_SCHEME, service_html
from coventry_directory.ui.shortlist_panel import ShortlistPanel
from coventry_directory.ui.start_page import StartPage, edition_line
from coventry_directory.ui.window_geometry import place_window, saved_geometry
from coventry_directory.ui.zoom import bold

__all__ = ["RESULT_LIMIT", "TYPING_PAUSE_MS", "CrisisStrip", "MainWindow", "SearchBox"]

log = logging.getLogger(__name__)

TYPING_PAUSE_MS = 120  # wait this long after a keystroke before searching


class SearchBox(QLineEdit):
    """The search field; Esc clears it, Down goes on to the results."""

    down = Signal()

    def keyPressEvent(self, event):  # Qt API
        """Esc clears the search; Down moves to the results; every other key types as usual."""
        if event.key() == Qt.Key_Escape:
            self.clear()
            return
        if event.key() == Qt.Key_Down and not event.modifiers():
            self.down.emit()
            return
        super().keyPressEvent(event)


class ResultsList(QListView):
    """The results; Up from the first one goes back to the search box."""

    up_from_top = Signal()

    def keyPressEvent(self, event):  # Qt API
        """Up on the first row returns to the search box; every other key moves as usual."""
        if event.key() == Qt.Key_Up and not event.modifiers() and self.currentIndex().row() <= 0:
            self.up_from_top.emit()
            return
        super().keyPressEvent(event)


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.NoFrame)
    return area


def _column(*widgets: QWidget | QHBoxLayout) -> QWidget:
    """Widgets (or a row of them) stacked in one column with no margins."""
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        if isinstance(widget, QHBoxLayout):
            layout.addLayout(widget)
        else:
            layout.addWidget(widget, 1 if isinstance(widget, (QListView, QTextBrowser)) else 0)
    return column


class MainWindow(SearchDisplay, WindowMenus, ServiceActions, QMainWindow):
    """Find a service, check who can use it, shortlist it, read everything known about it."""

    language_chosen = Signal(str)  # a language code picked in Settings

    def __init__(self, store: DirectoryStore, user: UserStore, directory_path: Path | None = None):
        super().__init__()
        self.controller = DirectoryController(store, user)
        # TRANSLATORS: the app's name in the title bar; keep it in English if that reads better.
        self.setWindowTitle(_("Coventry Directory"))
        self._current_id: str | None = None
        self._result: SearchResult | None = None
        self._closed = False
        self._desk = None

        self._build_widgets()
        self.setCentralWidget(self._build_layout())
        self.setTabOrder(self.search_box, self.results)
        self.setTabOrder(self.results, self.details)
        self.setTabOrder(self.details, self.tabs)

        self.search_service = SearchService(directory_path or store.path, self)
        self.search_service.results.connect(self._show_results)
        self.search_service.problem.connect(self._show_problem)
        self.search_service.failed.connect(self._show_failure)
        self.search_service.edition_changed.connect(self._edition_changed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(self._timer.start)
        self.search_box.returnPressed.connect(self._open_first)
        self.search_box.down.connect(self._to_results)
        self.results.up_from_top.connect(self.focus_search)
        self.filters.changed.connect(self._timer.start)
        self.profile.changed.connect(self._timer.start)
        self.results.selectionModel().currentChanged.connect(lambda cur, _prev: self._show_hit(cur))
        self.results.activated.connect(lambda _index: self.details.setFocus())
        self.details.anchorClicked.connect(self._link)
        self._connect_service_actions()
        self._actions()
        self._menus()
        self._status()
        self.privacy = PrivacyScreen(
            self.work_stack,
            self.work,
            self.privacy_action,
            [self.find_action, self.shortlist_action, self.print_action, self.refer_action, self.settings_action],
        )
        self.zoom.apply()  # the size the user chose last time
        self._refresh_shortlist()
        self._restore_state()
        self.refresh()

    # --- set-up ---------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.search_box = SearchBox()
        self.search_box.setPlaceholderText(_("Search: e.g. needle exchange Bedworth, naloxone, alcohol 16 year old"))
        self.search_box.setAccessibleName(_("Search services"))
        self.search_box.setClearButtonEnabled(True)
        self.notes = QLabel()
        self.notes.setAccessibleName(_("How the search was understood"))
        self.notes.setWordWrap(True)

        self.filters = FilterPanel()
        self.profile = ProfilePanel()
        self.chips = FilterChips(self.filters, profile=self.profile)  # above the columns: in sight from every tab
        self.shortlist = ShortlistPanel()
        self.tabs = ColumnTabs()  # whole names, never "Fi…" (ui/column_tabs.py)
        self.tabs.add_tab(_scroll(self.filters), _("&Filters"))
        self.tabs.add_tab(_scroll(self.profile), _("&Who can I refer?"))
        self.tabs.add_tab(self.shortlist, _("Sh&ortlist"))
        self.tabs.setAccessibleName(_("Filters, client and shortlist"))

        self.model = ResultsModel(self)
        self.results = ResultsList()
        self.results.setModel(self.model)
        self.results.setItemDelegate(ResultDelegate(self.results))
        self.results.setAccessibleName(_("Results"))
        self.results.setUniformItemSizes(True)
        # rows are elided to the width (ResultDelegate), so sideways scrolling shows nothing more
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)  # it also carries the "Search failed" message

        self.details = QTextBrowser()
        self.details.setAccessibleName(_("Service details"))
        self.details.setOpenLinks(False)
        self.shortlist_button = QPushButton(_("Add to shortlist"))
        self.correction_button = QPushButton(_("Report a correction…"))
        self.print_button = QPushButton(_("Print leaflet…"))
        self.refer_button = QPushButton(_("Refer…"))
        self.copy_button = QPushButton(_("Copy details"))
        self.copy_button.setToolTip(
            _("Copy the name, phone, address, hours, web and how to refer, to paste into notes or an email")
        )
        service_buttons = (self.shortlist_button, self.correction_button, self.print_button, self.refer_button)
        for button in (*service_buttons, self.copy_button):
            button.setEnabled(False)
        self.print_button.setToolTip(_("Print or save a leaflet about this service, in the client's language (Ctrl+P)"))
        self.refer_button.setToolTip(_("Make a direct referral to this service, with the client's consent"))

        self.stale_label = QLabel()  # the old-edition warning: a line of its own, wrapping, over nothing else
        self.stale_label.setAccessibleName(_("Directory age warning"))
        self.stale_label.setWordWrap(True)
        self.stale_label.setFrameShape(QFrame.StyledPanel)
        self.stale_label.setMargin(
            4
        )  # the theme's own colours, readable in any; no style sheet (see ui/crisis_strip.py)
        bold(self.stale_label)

    def _results_column(self) -> QWidget:
        return _column(self.count_label, self.results)

    def _details_column(self) -> QWidget:
        """The service being read, or the start page while nothing is searched for (ui/start_page.py)."""
        # the row wraps (a narrow column, a big zoom, long translations) rather than widening the window
        buttons = QWidget()
        flow = FlowLayout(buttons)
        flow.setContentsMargins(0, 0, 0, 0)
        for button in (
            self.shortlist_button,
            self.refer_button,
            self.print_button,
            self.copy_button,
            self.correction_button,
        ):
            flow.addWidget(button)
        self.details_page = _column(buttons, self.details)
        self.start_page = StartPage()
        self.start_page.task_chosen.connect(self._start_task)
        self.start_page.browse.connect(self._browse_all)
        self.start_page.whats_new.connect(lambda: self.whats_new.show_last())
        self.details_stack = QStackedWidget()
        # the service being read keeps a readable width: the wrapping button row no longer holds it open
        self.details_stack.setMinimumWidth(self.fontMetrics().averageCharWidth() * 45)
        self.details_stack.addWidget(self.details_page)
        self.details_stack.addWidget(_scroll(self.start_page))
        return self.details_stack

    def _build_layout(self) -> QWidget:
        """Crisis numbers, the old-edition warning, then the work area (which the privacy screen covers)."""
        self.splitter = QSplitter()
        for widget in (self.tabs, self._results_column(), self._details_column()):
            self.splitter.addWidget(widget)
        self.splitter.setSizes([300, 380, 600])
        self.splitter.setStretchFactor(2, 1)  # a wider window widens the details first
        self.work = QWidget()
        work_layout = QVBoxLayout(self.work)
        work_layout.setContentsMargins(0, 0, 0, 0)
        work_layout.addWidget(self.search_box)
        work_layout.addWidget(self.notes)
        work_layout.addWidget(self.chips)
        work_layout.addWidget(self.splitter, 1)
        self.work_stack = QStackedWidget()
        self.work_stack.addWidget(self.work)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(CrisisStrip())
        layout.addWidget(self.stale_label)
        layout.addWidget(self.work_stack, 1)
        return central

    def _status(self) -> None:
        """The status bar: the edition (back after every passing message) and the privacy screen's button."""
        self.privacy_button = QToolButton()
        self.privacy_button.setDefaultAction(self.privacy_action)
        self.privacy_button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.privacy_button.setAutoRaise(True)
        self.statusBar().addPermanentWidget(self.privacy_button)
        # A message shown for a few seconds ("Copied …") would otherwise leave the bar empty.
        self.statusBar().messageChanged.connect(lambda text: text or self._closed or self._show_edition())
        self._show_edition()

    def _edition_changed(self, path: str) -> None:
        """A new edition was installed while the app ran: details and the status bar follow the search."""
        try:
            self.controller.reopen(Path(path))
        except StoreError:
            log.warning("the new directory edition could not be opened for details; keeping the old one")
            return
        self._show_edition()
        self._show_hit(self.results.currentIndex())
        self.whats_new.notice()  # a new edition (not an import or a feed pull): what it changed

    def _show_edition(self) -> None:
        info = self.controller.edition()
        count = int(info["count"]) if info["count"].isdigit() else 0
        self.statusBar().showMessage(edition_line(info["edition"], count))
        self.start_page.set_edition(info["edition"], count)
        age = self.controller.edition_age()
        self.stale_label.setText(age.message() if age.stale else "")
        self.stale_label.setVisible(age.stale)

    def _restore_state(self) -> None:
        place_window(self, self.controller.setting("window.geometry"))
        splitter = self.controller.setting("window.splitter")
        if splitter:
            self.splitter.restoreState(QByteArray.fromBase64(splitter.encode()))

    def closeEvent(self, event):  # Qt API
        """Remember the window's size and layout, and stop the search thread."""
        if not self._closed:  # Qt may deliver close twice (e.g. quit after close)
            self._closed = True
            self.controller.set_setting("window.geometry", saved_geometry(self))
            self.controller.set_setting("window.splitter", bytes(self.splitter.saveState().toBase64()).decode())
            self.search_service.shutdown()
        super().closeEvent(event)

    # --- details --------------------------------------------------------------------------
    def _show_hit(self, index) -> None:
        hit = index.data(HitRole) if index.isValid() else None
        if hit is not None:
            near = self.model.near
            distance = distance_text(hit.distance_km, near)
            note = approximate_note(near)
            self.show_service(hit.id, hit.verdict, f"{distance}. {note}" if distance and note else distance)

    def show_service(self, service_id: str, verdict=None, distance: str | None = None) -> None:
        """Show one service's details (with how far it is from the place searched near, if given)."""
        svc = self.controller.service(service_id)
        if svc is None:
            return
        self._current_id = service_id
        self.details_stack.setCurrentWidget(self.details_page)
        if verdict is None and self.client_mode():
            verdict = self.controller.verdict(svc, self.profile.profile())
        pal = self.details.palette()  # the theme's own colours: readable in dark and high-contrast themes
        colours = (pal.color(QPalette.ColorRole.AlternateBase).name(), pal.color(QPalette.ColorRole.Mid).name())
        ways = self.controller.ways_to_find_out(svc)
        self.details.setHtml(service_html(svc, verdict, distance=distance, box_colours=colours, ways=ways))
        self._enable_actions(True)

    def _enable_actions(self, on: bool) -> None:
        self.shortlist_button.setEnabled(on)
        self.correction_button.setEnabled(on)
        self.print_button.setEnabled(on)
        self.refer_button.setEnabled(on)
        self.copy_button.setEnabled(on)
        if on and self._current_id:
            listed = self._current_id in self.controller.user.shortlist()
            self.shortlist_button.setText(_("Remove from shortlist") if listed else _("Add to shortlist"))

    def show_start_page(self) -> None:
        """Nothing searched for: the common tasks and the edition, no service chosen for the worker."""
        self._current_id = None
        self.results.setCurrentIndex(QModelIndex())
        self.details_stack.setCurrentIndex(1)
        self._enable_actions(False)

    def _browse_all(self) -> None:
        """Start page ▸ Browse all services: the whole list, from its first service."""
        self._browsing = True
        self._open_first()
        self.results.setFocus()

    def _start_task(self, task) -> None:
        """A start page task: its filters set afresh (one search), or the meetings list."""
        if task.meetings:
            open_meetings(self)
            return
        self.filters.start_afresh(task.categories, open_now=task.open_now)  # the place chosen stays
        self.tabs.setCurrentIndex(0)
        if task.needs_place and not place_text(self.filters.near):
            self.filters.near.setFocus()  # "near…": where?
            self.filters.near.lineEdit().selectAll()
            self.statusBar().showMessage(_("Type or choose a place under Near."), 6000)
        else:
            self.results.setFocus()

    def _open_first(self) -> None:
        if self.model.rowCount():
            self.results.setCurrentIndex(self.model.index(0))
            self.details.setFocus()

    def _to_results(self) -> None:
        """Down from the search box: into the results, on the one being read (the first if none)."""
        if self.model.rowCount():
            if not self.results.currentIndex().isValid():
                self.results.setCurrentIndex(self.model.index(0))
            self.results.setFocus()

    def _link(self, url: QUrl) -> None:
        if url.scheme() == COPY_SCHEME:
            number = url.toString()[len(COPY_SCHEME) + 1 :]
            QGuiApplication.clipboard().setText(number)
            self.statusBar().showMessage(_("Copied {number}").format(number=number), 4000)
