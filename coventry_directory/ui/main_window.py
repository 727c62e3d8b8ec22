"""The main window (layout and wiring): search, filters, client mode, results, details, shortlist.

Keyboard: Ctrl+F search, Enter open details, Esc clear search, Ctrl+D shortlist,
Ctrl+P print, Ctrl+, settings. The crisis numbers are always on screen. Choosing another
language in Settings emits ``language_chosen``; ui/language.py rebuilds the window.
What the window does with the service shown and the shortlist (add, print, refer, correct)
is in ui/main_window_actions.py; this module builds the widgets, searches and shows details.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.distance_words import approximate_note, distance_text
from coventry_directory.core.search import SearchResult
from coventry_directory.i18n import _, ngettext
from coventry_directory.i18n.choice import current_language
from coventry_directory.i18n.formatting import format_long_date, format_number
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.errors import StoreError
from coventry_directory.store.user import UserStore
from coventry_directory.ui.controller import DirectoryController
from coventry_directory.ui.correction_mail import CorrectionMail
from coventry_directory.ui.filter_panel import FilterPanel
from coventry_directory.ui.keeper_open import open_keeper
from coventry_directory.ui.mail_settings_dialog import MailSettingsDialog
from coventry_directory.ui.main_window_actions import ServiceActions
from coventry_directory.ui.meetings_view import open_meetings
from coventry_directory.ui.profile_panel import ProfilePanel
from coventry_directory.ui.results_model import HitRole, ResultDelegate, ResultsModel
from coventry_directory.ui.search_worker import OPEN_FAILED, SearchService
from coventry_directory.ui.service_html import COPY_SCHEME, service_html
from coventry_directory.ui.settings_dialog import SettingsDialog
from coventry_directory.ui.shortlist_panel import ShortlistPanel
from coventry_directory.ui.sources_dialog import open_sources
from coventry_directory.ui.whats_new_dialog import WhatsNew

log = logging.getLogger(__name__)

TYPING_PAUSE_MS = 120  # wait this long after a keystroke before searching
RESULT_LIMIT = 300  # a county fits whole; a national feed shows its best 300


class CrisisStrip(QLabel):
    """Always-visible emergency numbers."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setText(_("In an emergency call 999  ·  Urgent medical help: NHS 111  ·  Samaritans (24/7): 116 123"))
        self.setStyleSheet("background:#8b0000;color:white;font-weight:bold;padding:6px;")
        self.setAccessibleName(_("Crisis numbers"))
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)


class SearchBox(QLineEdit):
    """The search field; Esc clears it."""

    def keyPressEvent(self, event):  # Qt API
        """Esc clears the search; every other key types as usual."""
        if event.key() == Qt.Key_Escape:
            self.clear()
            return
        super().keyPressEvent(event)


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.NoFrame)
    return area


class MainWindow(ServiceActions, QMainWindow):
    """Find a service, check who can use it, shortlist it, read everything known about it."""

    language_chosen = Signal(str)  # a language code picked in Settings

    def __init__(self, store: DirectoryStore, user: UserStore, directory_path: Path | None = None):
        super().__init__()
        self.controller = DirectoryController(store, user)
        # TRANSLATORS: the app's name in the title bar; keep it in English if that reads better.
        self.setWindowTitle(_("Coventry Directory"))
        self.resize(1280, 800)
        self._current_id: str | None = None
        self._result: SearchResult | None = None
        self._closed = False

        self.search_box = SearchBox()
        self.search_box.setPlaceholderText(_("Search: e.g. needle exchange Bedworth, naloxone, alcohol 16 year old"))
        self.search_box.setAccessibleName(_("Search services"))
        self.search_box.setClearButtonEnabled(True)
        self.notes = QLabel()
        self.notes.setAccessibleName(_("How the search was understood"))
        self.notes.setWordWrap(True)

        self.filters = FilterPanel()
        self.profile = ProfilePanel()
        self.shortlist = ShortlistPanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(_scroll(self.filters), _("&Filters"))
        self.tabs.addTab(_scroll(self.profile), _("&Who can I refer?"))
        self.tabs.addTab(self.shortlist, _("&Shortlist"))
        self.tabs.setAccessibleName(_("Filters, client and shortlist"))

        self.model = ResultsModel(self)
        self.results = QListView()
        self.results.setModel(self.model)
        self.results.setItemDelegate(ResultDelegate(self.results))
        self.results.setAccessibleName(_("Results"))
        self.results.setUniformItemSizes(True)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)  # it also carries the "Search failed" message

        self.details = QTextBrowser()
        self.details.setAccessibleName(_("Service details"))
        self.details.setOpenLinks(False)
        self.shortlist_button = QPushButton(_("Add to shortlist"))
        self.correction_button = QPushButton(_("Report a correction…"))
        self.print_button = QPushButton(_("Print leaflet…"))
        self.refer_button = QPushButton(_("Refer…"))
        for button in (self.shortlist_button, self.correction_button, self.print_button, self.refer_button):
            button.setEnabled(False)
        self.print_button.setToolTip(_("Print or save a leaflet about this service, in the client's language (Ctrl+P)"))
        self.refer_button.setToolTip(_("Make a direct referral to this service, with the client's consent"))
        self._desk = None

        middle = QWidget()
        mid_layout = QVBoxLayout(middle)
        mid_layout.setContentsMargins(0, 0, 0, 0)
        mid_layout.addWidget(self.count_label)
        mid_layout.addWidget(self.results)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        actions = QHBoxLayout()
        for button in (self.shortlist_button, self.refer_button, self.print_button, self.correction_button):
            actions.addWidget(button)
        right_layout.addLayout(actions)
        right_layout.addWidget(self.details)
        self.splitter = QSplitter()
        for widget in (self.tabs, middle, right):
            self.splitter.addWidget(widget)
        self.splitter.setSizes([300, 380, 600])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(CrisisStrip())
        layout.addWidget(self.search_box)
        layout.addWidget(self.notes)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.setTabOrder(self.search_box, self.results)
        self.setTabOrder(self.results, self.details)
        self.setTabOrder(self.details, self.tabs)
        self._status()

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
        self.filters.changed.connect(self._timer.start)
        self.profile.changed.connect(self._timer.start)
        self.results.selectionModel().currentChanged.connect(lambda cur, _prev: self._show_hit(cur))
        self.results.activated.connect(lambda _index: self.details.setFocus())
        self.details.anchorClicked.connect(self._link)
        self._connect_service_actions()
        self._actions()
        self._menus()
        self._refresh_shortlist()
        self._restore_state()
        self.refresh()

    # --- set-up ---------------------------------------------------------------------------
    def _actions(self) -> None:
        for text, keys, slot in (
            (_("Find"), QKeySequence.Find, self.focus_search),
            (_("Add to or remove from shortlist"), QKeySequence("Ctrl+D"), self.toggle_shortlist),
            (_("Print a leaflet"), QKeySequence.Print, self.print_leaflet),
        ):
            action = QAction(text, self)
            action.setShortcut(keys)
            action.triggered.connect(slot)
            self.addAction(action)

    def _menus(self) -> None:
        # Kept on self, so code that needs the menu uses this reference, never QAction.menu():
        # on a temporary QAction wrapper that returns a QMenu wrapper that dies with it.
        self.settings_menu = self.menuBar().addMenu(_("&Settings"))
        settings = QAction(_("&Language and settings…"), self)
        settings.setShortcut(QKeySequence.Preferences)
        settings.triggered.connect(self.open_settings)
        self.settings_menu.addAction(settings)
        self.settings_menu.addAction(_("&Mail settings…"), self.open_mail_settings)
        self.correction_mail = CorrectionMail(self, self.controller.user, lambda: self.controller.store)
        self.settings_menu.addAction(_("Send &correction notes…"), self.correction_mail.send)
        self.directory_menu = self.menuBar().addMenu(_("&Directory"))
        self.meetings_action = QAction(_("&Meetings…"), self)
        self.meetings_action.triggered.connect(lambda: open_meetings(self))
        self.directory_menu.addAction(self.meetings_action)
        self.sources_action = QAction(_("&Sources…"), self)
        self.sources_action.triggered.connect(lambda: open_sources(self))
        self.directory_menu.addAction(self.sources_action)
        self.keeper_action = QAction(_("&Keeper mode…"), self)
        self.keeper_action.triggered.connect(lambda: open_keeper(self))
        self.directory_menu.addAction(self.keeper_action)
        self.help_menu = self.menuBar().addMenu(_("&Help"))
        self.whats_new = WhatsNew(self)  # also offers it by itself, once per new edition
        self.whats_new_action = QAction(_("&What's new in this edition…"), self)
        self.whats_new_action.triggered.connect(lambda: self.whats_new.show_last())
        self.help_menu.addAction(self.whats_new_action)

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

    def _status(self) -> None:
        self.stale_label = QLabel()
        self.stale_label.setAccessibleName(_("Directory age warning"))
        self.stale_label.setStyleSheet("font-weight:bold;")  # the theme's own text colour, readable in any
        self.statusBar().addPermanentWidget(self.stale_label)
        self._show_edition()

    def _show_edition(self) -> None:
        info = self.controller.edition()
        count = int(info["count"]) if info["count"].isdigit() else 0
        self.statusBar().showMessage(
            _("Directory edition {edition} · {count} services · every record shows its sources").format(
                edition=format_long_date(info["edition"]), count=format_number(count)
            )
        )
        age = self.controller.edition_age()
        self.stale_label.setText(age.message() if age.stale else "")
        self.stale_label.setVisible(age.stale)

    def _restore_state(self) -> None:
        geometry = self.controller.setting("window.geometry")
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode()))
        splitter = self.controller.setting("window.splitter")
        if splitter:
            self.splitter.restoreState(QByteArray.fromBase64(splitter.encode()))

    def closeEvent(self, event):  # Qt API
        """Remember the window's size and layout, and stop the search thread."""
        if not self._closed:  # Qt may deliver close twice (e.g. quit after close)
            self._closed = True
            self.controller.set_setting("window.geometry", bytes(self.saveGeometry().toBase64()).decode())
            self.controller.set_setting("window.splitter", bytes(self.splitter.saveState().toBase64()).decode())
            self.search_service.shutdown()
        super().closeEvent(event)

    # --- searching ------------------------------------------------------------------------
    def client_mode(self) -> bool:
        """True when anything about a client has been entered."""
        p = self.profile.profile()
        return any((p.age is not None, p.gender, p.area, p.substances, p.groups))

    def refresh(self) -> None:
        """Search for what is typed, with the filters (and client) given."""
        profile = self.profile.profile() if self.client_mode() else None
        filters = self.controller.filters(self.filters.state(), self.profile.home() if profile else "")
        self.search_service.submit(self.search_box.text(), filters, profile, limit=RESULT_LIMIT)

    def _show_results(self, result: SearchResult) -> None:
        if self._closed:
            return  # a search that finished after the window closed
        self._result = result
        self.model.set_hits(result.hits, result.place)
        self.filters.show_counts(result.filter_counts)
        n = len(result.hits)
        if n >= RESULT_LIMIT:
            self.count_label.setText(_("The first {n} services: type or filter to narrow").format(n=format_number(n)))
        else:
            self.count_label.setText(ngettext("{n} service", "{n} services", n).format(n=format_number(n)))
        note = approximate_note(result.place) if any(h.distance_km is not None for h in result.hits) else None
        self.notes.setText(" ".join([*result.notes, *([note] if note else [])]))
        if n:
            # the best match is what the worker wants to see, so new results start at the top
            self.results.setCurrentIndex(self.model.index(0))
            self.results.scrollToTop()
        else:
            self._current_id = None
            self.details.setHtml("<p>" + _("No services match. Try fewer words, or clear some filters.") + "</p>")
            self._enable_actions(False)

    def _show_problem(self, message: str) -> None:
        """The search could not be understood (a place not known): say so, and show no old results."""
        if self._closed:
            return
        # Results for the last place would look like answers for the one just typed.
        self._result = None
        self.model.set_hits([])
        self.filters.show_counts({})  # no results: nothing was filtered
        self._current_id = None
        self.count_label.setText(_("No results: the place is not known."))
        self.notes.setText(message)
        self.details.setHtml("<p>" + escape(message) + "</p>")
        self._enable_actions(False)

    def _show_failure(self, kind: str) -> None:
        """The search could not run: say so where the results go; the rest of the window still works."""
        if self._closed:
            return
        if kind == OPEN_FAILED:
            message = _(
                "Search failed: the service directory could not be read. Close the app and open it again; "
                "if that does not help, install the directory again."
            )
        else:
            message = _("Search failed: something went wrong while searching. Try again or change the search.")
        # Results from an earlier search would look like answers to this one.
        self._result = None
        self.model.set_hits([])
        self.filters.show_counts({})
        self.count_label.setText(message)
        self.notes.clear()
        self.statusBar().showMessage(message)

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
        if on and self._current_id:
            listed = self._current_id in self.controller.user.shortlist()
            self.shortlist_button.setText(_("Remove from shortlist") if listed else _("Add to shortlist"))

    def _open_first(self) -> None:
        if self.model.rowCount():
            self.results.setCurrentIndex(self.model.index(0))
            self.details.setFocus()

    def _link(self, url: QUrl) -> None:
        if url.scheme() == COPY_SCHEME:
            number = url.toString()[len(COPY_SCHEME) + 1 :]
            QGuiApplication.clipboard().setText(number)
            self.statusBar().showMessage(_("Copied {number}").format(number=number), 4000)

    def open_settings(self) -> None:
        """Settings (Ctrl+,): choosing another language rebuilds the window in it."""
        dialog = SettingsDialog(current_language().code, self)
        if dialog.exec() and dialog.chosen() != current_language().code:
            # After this slot returns: the window may be replaced while the dialog unwinds.
            code = dialog.chosen()
            QTimer.singleShot(0, lambda: self.language_chosen.emit(code))

    def open_mail_settings(self) -> None:
        """Settings ▸ Mail settings: the relay for referrals and correction notes."""
        MailSettingsDialog(self.controller.user, self).exec()

    def focus_search(self) -> None:
        """Ctrl+F."""
        self.search_box.setFocus()
        self.search_box.selectAll()
