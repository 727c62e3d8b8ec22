"""The main window: search box, results list, details pane and the crisis strip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coventry_directory import APP_NAME
from coventry_directory.core import describe
from coventry_directory.core.store import DirectoryStore
from coventry_directory.i18n import _
from coventry_directory.ui.controller import DirectoryController
from coventry_directory.ui.service_html import service_html


class CrisisStrip(QLabel):
    """Always-visible emergency numbers."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setText(_("In an emergency call 999 · Urgent medical help: NHS 111 · Samaritans (24/7): 116 123"))
        self.setStyleSheet("background:#8b0000;color:white;font-weight:bold;padding:6px;")
        self.setAccessibleName(_("Crisis numbers"))
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)


class SearchBox(QLineEdit):
    """The search field; Esc clears it wherever focus came from."""

    def keyPressEvent(self, event):  # noqa: N802 - Qt API
        if event.key() == Qt.Key_Escape:
            self.clear()
            return
        super().keyPressEvent(event)


class MainWindow(QMainWindow):
    """Find a service and read its details."""

    def __init__(self, store: DirectoryStore):
        super().__init__()
        self.controller = DirectoryController(store)
        self.setWindowTitle(APP_NAME)
        self.resize(1100, 720)

        self.search_box = SearchBox()
        self.search_box.setPlaceholderText(_("Search services, e.g. needle exchange Rugby, naloxone, alcohol"))
        self.search_box.setAccessibleName(_("Search services"))
        self.search_box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName(_("Results"))
        self.details = QTextBrowser()
        self.details.setAccessibleName(_("Service details"))
        self.details.setOpenExternalLinks(False)
        self.count_label = QLabel()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search_box)
        left_layout.addWidget(self.count_label)
        left_layout.addWidget(self.results)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.details)
        splitter.setSizes([420, 680])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(CrisisStrip())
        body = QHBoxLayout()
        body.addWidget(splitter)
        layout.addLayout(body)
        self.setCentralWidget(central)
        info = self.controller.edition()
        self.statusBar().showMessage(_("Directory edition {edition} · {count} services").format(**info))

        self.search_box.textChanged.connect(self.refresh)
        self.results.currentItemChanged.connect(self._show_current)
        QShortcut(QKeySequence.Find, self, activated=self.search_box.setFocus)
        self.refresh()

    def refresh(self) -> None:
        """Re-run the search for the current text and refill the list."""
        self.results.clear()
        matches = self.controller.find(self.search_box.text())
        for svc in matches:
            cats = describe.labels("category", svc.categories[:2])
            item = QListWidgetItem(f"{svc.name}\n{svc.organization.name} · {cats}")
            item.setData(Qt.UserRole, svc.id)
            self.results.addItem(item)
        self.count_label.setText(_("{n} services").format(n=len(matches)))
        if matches:
            self.results.setCurrentRow(0)
        else:
            self.details.setHtml(f"<p>{_('No services match. Try fewer words.')}</p>")

    def _show_current(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        svc = self.controller.service(item.data(Qt.UserRole))
        if svc is not None:
            self.details.setHtml(service_html(svc))
