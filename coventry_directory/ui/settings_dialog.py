"""Settings: the language the app speaks (the one setting so far).

Each language is listed by its own name, so a worker who cannot read the current
language can still find theirs, followed by its name in the current language and,
until a fluent speaker has checked it, a note that the translation is a draft.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from coventry_directory.i18n import _
from coventry_directory.i18n.languages import Language, ui_languages
from coventry_directory.ui.window_geometry import fit_to_screen


def language_entry(lang: Language) -> str:
    """How a language appears in the list: 'Polski — Polish (not yet checked by a fluent speaker)'."""
    text = lang.native_name
    if _(lang.english_name) != lang.native_name:
        text += f" — {_(lang.english_name)}"
    if not lang.reviewed:
        text += "  " + _("(not yet checked by a fluent speaker)")
    return text


class SettingsDialog(QDialog):
    """Choose the app's language; the window switches as soon as OK is pressed."""

    def __init__(self, current: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Settings"))
        self.setAccessibleName(_("Settings"))
        heading = QLabel(_("&Language of the app:"))
        self.languages = QListWidget()
        self.languages.setAccessibleName(_("Language of the app"))
        heading.setBuddy(self.languages)
        for lang in ui_languages():
            item = QListWidgetItem(language_entry(lang))
            item.setData(Qt.UserRole, lang.code)
            # Each name in its own direction, whatever the app's direction is.
            item.setTextAlignment(Qt.AlignAbsolute | (Qt.AlignRight if lang.rtl else Qt.AlignLeft) | Qt.AlignVCenter)
            self.languages.addItem(item)
            if lang.code == current:
                self.languages.setCurrentItem(item)
        if self.languages.currentItem() is None:
            self.languages.setCurrentRow(0)
        note = QLabel(
            _(
                "Service names, descriptions and other details from the directory stay in English, "
                "as the services wrote them. Leaflets can be printed in more languages: choose the "
                "language when you print."
            )
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.languages.itemActivated.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.languages)
        layout.addWidget(note)
        layout.addWidget(buttons)
        fit_to_screen(self, 520, 360)

    def chosen(self) -> str:
        """The code of the language selected."""
        item = self.languages.currentItem()
        return item.data(Qt.UserRole) if item else "en"
