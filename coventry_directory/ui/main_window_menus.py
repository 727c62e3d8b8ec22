"""The main window's menus and keys: Settings, Directory, View, Help, and the window-wide shortcuts.

:class:`WindowMenus` is mixed into :class:`~coventry_directory.ui.main_window.MainWindow`.
Every key comes from the one table in ui/shortcuts.py (:func:`~coventry_directory.ui.shortcuts.bind`),
which Help ▸ Keyboard shortcuts lists too, so the two cannot disagree. Menus are kept on
``self``: code that needs a menu uses that reference, never ``QAction.menu()`` (on a
temporary QAction wrapper that returns a QMenu wrapper that dies with it).

Mnemonics are unique in the window: the menus take S, D, V and H, the tabs F, W and O
(Sh*o*rtlist: S is Settings), and each tab's own controls the letters left.
"""

from __future__ import annotations

from babel.numbers import format_percent
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction

from coventry_directory.i18n import _
from coventry_directory.i18n.choice import current_language
from coventry_directory.i18n.formatting import babel_locale
from coventry_directory.ui.correction_mail import CorrectionMail
from coventry_directory.ui.keeper_open import open_keeper
from coventry_directory.ui.mail_settings_dialog import MailSettingsDialog
from coventry_directory.ui.meetings_view import open_meetings
from coventry_directory.ui.settings_dialog import SettingsDialog
from coventry_directory.ui.shortcuts import bind
from coventry_directory.ui.shortcuts_dialog import ShortcutsDialog
from coventry_directory.ui.sources_dialog import open_sources
from coventry_directory.ui.whats_new_dialog import WhatsNew
from coventry_directory.ui.zoom import SETTING_KEY as ZOOM_KEY
from coventry_directory.ui.zoom import Zoom


class WindowMenus:
    """Builds the main window's actions and menus (a mixin for MainWindow)."""

    def _action(self, text: str, slot=None, shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        if slot is not None:
            action.triggered.connect(slot)
        if shortcut:
            bind(action, shortcut)
        return action

    def _actions(self) -> None:
        """Window-wide keys for the search and the service shown (they have buttons, not menu items)."""
        self.find_action = self._action(_("Find"), self.focus_search, "find")
        self.shortlist_action = self._action(_("Add to or remove from shortlist"), self.toggle_shortlist, "shortlist")
        self.print_action = self._action(_("Print a leaflet"), self.print_leaflet, "print")
        self.refer_action = self._action(_("Refer…"), self.refer_current, "refer")
        for action in (self.find_action, self.shortlist_action, self.print_action, self.refer_action):
            self.addAction(action)
        self.zoom = Zoom(lambda: self.controller.setting(ZOOM_KEY), lambda v: self.controller.set_setting(ZOOM_KEY, v))

    def _menus(self) -> None:
        self.settings_menu = self.menuBar().addMenu(_("&Settings"))
        self.settings_action = self._action(_("&Language and settings…"), self.open_settings, "settings")
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)  # macOS: the app menu's Settings…
        self.settings_menu.addAction(self.settings_action)
        self.settings_menu.addAction(_("&Mail settings…"), self.open_mail_settings)
        self.correction_mail = CorrectionMail(self, self.controller.user, lambda: self.controller.store)
        self.settings_menu.addAction(_("Send &correction notes…"), self.correction_mail.send)

        self.directory_menu = self.menuBar().addMenu(_("&Directory"))
        self.meetings_action = self._action(_("&Meetings…"), lambda: open_meetings(self))
        self.sources_action = self._action(_("&Sources…"), lambda: open_sources(self))
        self.keeper_action = self._action(_("&Keeper mode…"), lambda: open_keeper(self))
        for action in (self.meetings_action, self.sources_action, self.keeper_action):
            self.directory_menu.addAction(action)

        self.view_menu = self.menuBar().addMenu(_("&View"))
        self.privacy_action = self._action(_("&Privacy screen"), shortcut="privacy")  # ui/privacy_screen.py
        self.privacy_action.setToolTip(
            _("Hide the search, the client's details and the service shown, until pressed again")
        )
        self.zoom_in_action = self._action(_("Zoom &in"), self._zoom_in, "zoom_in")
        self.zoom_out_action = self._action(_("Zoom &out"), self._zoom_out, "zoom_out")
        self.zoom_reset_action = self._action(_("&Actual size"), self._zoom_reset, "zoom_reset")
        self.view_menu.addAction(self.privacy_action)
        self.view_menu.addSeparator()
        for action in (self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action):
            self.view_menu.addAction(action)

        self.help_menu = self.menuBar().addMenu(_("&Help"))
        self.shortcuts_action = self._action(_("&Keyboard shortcuts…"), self.show_shortcuts, "shortcuts")
        self.help_menu.addAction(self.shortcuts_action)
        self.whats_new = WhatsNew(self)  # also offers it by itself, once per new edition
        self.whats_new_action = self._action(_("&What's new in this edition…"), lambda: self.whats_new.show_last())
        self.help_menu.addAction(self.whats_new_action)

    # --- what the menus do ----------------------------------------------------------------
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

    def show_shortcuts(self) -> None:
        """Help ▸ Keyboard shortcuts (F1)."""
        ShortcutsDialog(self).exec()

    def focus_search(self) -> None:
        """Ctrl+F."""
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _zoom_in(self) -> None:
        self.zoom.zoom_in()
        self._zoomed()

    def _zoom_out(self) -> None:
        self.zoom.zoom_out()
        self._zoomed()

    def _zoom_reset(self) -> None:
        self.zoom.reset()
        self._zoomed()

    def _zoomed(self) -> None:
        # rows are all one height (uniform sizes): measured again at the new font
        self.results.doItemsLayout()
        percent = format_percent(self.zoom.level / 100, locale=babel_locale())
        self.statusBar().showMessage(_("Text size {percent}").format(percent=percent), 2000)
