"""The app in the pseudo-locale: every word a user sees or hears must come through the catalog.

The real window (client mode, a shortlisted service, a ticked filter, a failed search) and
the dialogs it opens are walked widget by widget; any text that is neither pseudo-translated
nor the directory's own content fails the test. The language is reset to English after each
test (it is app-wide state); ``hosts`` and ``english_afterwards`` are in conftest.py.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QTabBar,
    QTextBrowser,
    QWidget,
)

from coventry_directory.core.places import known_places
from coventry_directory.i18n import _
from coventry_directory.i18n.choice import current_language
from coventry_directory.i18n.languages import LANGUAGES, PSEUDO_CODE
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.ui.dialogs import CorrectionDialog
from coventry_directory.ui.print_dialog import PrintDialog
from coventry_directory.ui.results_model import HitRole
from coventry_directory.ui.search_worker import OPEN_FAILED, SEARCH_FAILED
from coventry_directory.ui.settings_dialog import SettingsDialog
from coventry_directory.ui.source_viewer import SourceViewer

pytestmark = pytest.mark.usefixtures("english_afterwards")


def directory_content(store: DirectoryStore) -> set[str]:
    """What the directory says in its own words (allowed to stay as written), plus place names."""
    allowed: set[str] = set(known_places())
    for svc in store.all_services():
        org = svc.organization
        allowed |= {svc.name, svc.description, org.name, svc.key}
        for value in (
            svc.alert,
            svc.application_process,
            svc.eligibility_description,
            svc.fees_description,
            svc.email,
            svc.url,
            svc.alternate_name,
            org.alternate_name,
            org.website,
            org.email,
        ):
            if value:
                allowed.add(value)
        allowed |= set(svc.sources)
        for phone in svc.phones:
            allowed |= {phone.number, phone.description or ""}
        for loc in [*svc.locations, *org.locations]:
            allowed |= {loc.name, loc.town or "", loc.address.one_line() if loc.address else ""}
        allowed |= {s.description or "" for s in svc.schedules}
    # Language names in their own script and spelling; paper sizes are names, not words.
    allowed |= {lang.native_name for lang in LANGUAGES.values()} | {"A4", "A5"}
    allowed.discard("")
    return allowed


def untranslated(text: str, allowed: list[str]) -> list[str]:
    """ASCII words in ``text`` that are neither pseudo-translated ([...]) nor directory content."""
    for content in allowed:  # longest first, so a name is not half-removed by a shorter one
        if content in text:
            text = text.replace(content, " ")
    previous = None
    while previous != text:  # innermost brackets first: "[Ñéåŕ [Ŕûĝƀý] ~]"
        previous, text = text, re.sub(r"\[[^\[\]]*\]", " ", text)
    return re.findall(r"[A-Za-z]+", text)


def _internal(widget: QWidget) -> bool:
    """Parts Qt builds inside another widget (their words come from Qt, checked through the owner)."""
    parent = widget.parent()
    while parent is not None:
        if (
            isinstance(parent, (QComboBox, QAbstractSpinBox, QTabBar))
            or type(parent).__name__ == "QComboBoxPrivateContainer"
        ):
            return True
        parent = parent.parent()
    return False


def visible_words(root: QWidget, skip: tuple[QWidget, ...] = ()) -> list[tuple[str, str]]:
    """(where, text) for every piece of text a user sees or a screen reader speaks under ``root``."""
    found: list[tuple[str, str]] = []

    def add(widget, kind, text):
        if text:
            found.append((f"{type(widget).__name__} {kind}", text))

    for widget in [root, *root.findChildren(QWidget)]:
        if widget in skip:
            continue
        internal = _internal(widget)
        if widget.isWindow():
            add(widget, "window title", widget.windowTitle())
        if not internal:
            add(widget, "tooltip", widget.toolTip())
            add(widget, "accessible name", widget.accessibleName())
            add(widget, "accessible description", widget.accessibleDescription())
            add(widget, "status tip", widget.statusTip())
        # A menu's items are its own actions, so they are read here; never through
        # QAction.menu(): on a temporary QAction wrapper Shiboken ties the returned QMenu
        # wrapper to it, and the live menu's wrapper dies with the temporary.
        for action in widget.actions():
            add(widget, "action", action.text())
            add(widget, "action tooltip", action.toolTip())
        if isinstance(widget, QMenu):
            add(widget, "menu", widget.title())
        elif isinstance(widget, QLabel):
            add(widget, "text", re.sub(r"<[^>]+>", " ", widget.text()))
        elif isinstance(widget, QAbstractButton):
            add(widget, "text", widget.text())
        elif isinstance(widget, QGroupBox):
            add(widget, "title", widget.title())
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                add(widget, "tab", widget.tabText(i))
                add(widget, "tab tooltip", widget.tabToolTip(i))
        elif isinstance(widget, QLineEdit):
            add(widget, "placeholder", widget.placeholderText())
            add(widget, "text", widget.text())
        elif isinstance(widget, QPlainTextEdit):
            add(widget, "placeholder", widget.placeholderText())
        elif isinstance(widget, QAbstractSpinBox):
            add(widget, "special value", widget.specialValueText())
            add(widget, "shown", widget.text())
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                add(widget, "item", widget.itemText(i))
                add(widget, "item tooltip", widget.itemData(i, Qt.ToolTipRole))
        elif isinstance(widget, QListWidget):
            for i in range(widget.count()):
                add(widget, "item", widget.item(i).text())
                add(widget, "item tooltip", widget.item(i).toolTip())
        elif isinstance(widget, QListView) and widget.model() is not None:
            model = widget.model()
            for i in range(model.rowCount()):
                for role in (Qt.DisplayRole, Qt.ToolTipRole, Qt.AccessibleTextRole):
                    add(widget, "row", model.index(i, 0).data(role))
        elif isinstance(widget, QTextBrowser):
            add(widget, "document", widget.toPlainText())
    if hasattr(root, "statusBar"):
        add(root, "status bar", root.statusBar().currentMessage())
    return found


def assert_all_marked(root: QWidget, allowed: list[str], skip: tuple[QWidget, ...] = ()) -> int:
    words = visible_words(root, skip)
    problems = [(where, text) for where, text in words if untranslated(text, allowed)]
    assert not problems, "text shown without going through the catalog:\n" + "\n".join(
        f"  {where}: {text!r} -> {untranslated(text, allowed)}" for where, text in problems[:25]
    )
    return len(words)


def test_no_ui_text_escapes_the_catalog_in_the_pseudo_locale(qtbot, hosts):
    host = hosts(PSEUDO_CODE)
    window = host.window
    assert current_language().code == PSEUDO_CODE
    allowed = sorted(directory_content(host.store), key=len, reverse=True)
    # Put as much on screen as a worker would: client mode (verdicts and reasons), a place
    # (distances), a record with many facts, a shortlisted service, a ticked filter.
    window.tabs.setCurrentIndex(1)
    window.profile.age.setValue(16)
    window.profile.lives.setEditText("Rugby")
    qtbot.waitUntil(
        lambda: window.model.rowCount() > 0 and window.model.index(0).data(HitRole).verdict is not None, timeout=10_000
    )
    rehab = host.store.resolve_service_id("esh-community-residential-rehab")
    window.show_service(rehab)
    window.toggle_shortlist()
    window.filters.categories.item(0).setCheckState(Qt.Checked)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=10_000)
    window.show_service(host.store.resolve_service_id("nat-samaritans"))  # the week ahead, in dates
    assert_all_marked(window.details, allowed)
    window.show_service(rehab)
    assert "[" in window.details.toPlainText()
    checked = assert_all_marked(window, allowed, skip=(window.search_box,))
    assert checked > 200  # the walk really saw the window

    # The dialogs opened from the window, built as the window builds them.
    svc = window.controller.service(rehab)
    from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer
    from coventry_directory.ui.followups_dialog import FollowUpDialog
    from coventry_directory.ui.mail_settings_dialog import MailSettingsDialog
    from coventry_directory.ui.outbox_access import desk_for
    from coventry_directory.ui.shortcuts_dialog import ShortcutsDialog

    dialogs = [
        SettingsDialog(current_language().code, window),
        CorrectionDialog(svc.name, window),
        PrintDialog(
            _("Print a leaflet: {name}").format(name=svc.name),
            lambda lang, size, large: ServiceLeafletRenderer([svc], lang, size=size, large_print=large).render(),
            svc.key,
            window,
        ),
        ShortcutsDialog(window),
        MailSettingsDialog(window.controller.user, window),
        FollowUpDialog(desk_for(window.controller.user), window),
        # Qt's own standard buttons come through our catalog too (Qt has no pseudo-locale).
        QMessageBox(
            QMessageBox.Question,
            window.windowTitle(),
            _("Please say what should change."),
            QMessageBox.Yes | QMessageBox.No | QMessageBox.Ok | QMessageBox.Cancel,
            window,
        ),
    ]
    for dialog in dialogs:
        dialog.show()
        assert_all_marked(dialog, allowed)
        dialog.close()
    from coventry_directory.ui.sources_dialog import open_sources

    sources = open_sources(window)  # Directory ▸ Sources…, as the menu opens it
    assert_all_marked(sources, allowed)
    sources.close()
    # a cited document, read in the app: its title and text are the document's own (English)
    viewer = window.open_source(QUrl("source:wdna-2022?line=812"))
    viewer.find_box.setText("zz no such words")
    viewer.find_next()
    title = viewer.findChildren(QLabel)[0]
    assert title.text() == viewer.document.title
    assert_all_marked(viewer, allowed, skip=(title, viewer.text, viewer.find_box))
    assert "[" in viewer.where.text() and "[" in viewer.windowTitle()
    viewer.close()  # and gone (it deletes itself on close): the walks below see only the window
    qtbot.waitUntil(lambda: not window.findChildren(SourceViewer), timeout=5_000)

    # The start page (the details column's other face).
    window.show_start_page()
    assert window.start_page.isVisible()
    assert_all_marked(window, allowed, skip=(window.search_box,))

    # What the window says when a search cannot run.
    for kind in (OPEN_FAILED, SEARCH_FAILED):
        window._show_failure(kind)
        assert "[" in window.count_label.text()
        assert_all_marked(window, allowed, skip=(window.search_box,))


def test_a_string_missing_from_the_catalog_would_be_caught(qtbot, hosts):
    # The walk's own check: plain English is reported, pseudo text and directory text are not.
    host = hosts(PSEUDO_CODE)
    label = QLabel("Plain words", host.window)
    allowed = sorted(directory_content(host.store), key=len, reverse=True)
    assert untranslated(label.text(), allowed) == ["Plain", "words"]
    assert untranslated(_("Search services") + " Rugby", allowed) == []
    with pytest.raises(AssertionError, match="Plain words"):
        assert_all_marked(host.window, allowed, skip=(host.window.search_box,))
