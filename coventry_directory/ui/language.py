"""Switching the app's language while it runs: catalogs, Qt's own words, direction, fonts.

:func:`apply_language` sets everything app-wide: our gettext catalog, Qt's ``qtbase_``
translation (standard buttons and file dialogs), right-to-left layout for Urdu and Arabic,
and a font that has the script. :class:`WindowHost` owns the main window; when the worker
picks another language in Settings it remembers the choice and rebuilds the window in the
new language, carrying over what was on screen (search text, filters, client profile,
tab, the service being read; the shortlist is in the user's database anyway). Rebuilding
is simpler and surer than re-translating every widget in place: every string is set in
exactly one place, the constructor.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QObject, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo
from PySide6.QtWidgets import QApplication, QComboBox, QListWidget

from coventry_directory.i18n import N_, _
from coventry_directory.i18n.choice import SETTING_KEY, activate, current_language
from coventry_directory.i18n.languages import LANGUAGES, Language
from coventry_directory.resources import resource_path
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.user import UserStore

log = logging.getLogger("coventry_directory")

# Qt's own words that our catalog also carries, so languages Qt has no translation for
# (Romanian, Punjabi, Urdu, the pseudo-locale) still get translated standard buttons.
# (context, source text) exactly as Qt asks for them.
QT_WORDS: dict[str, tuple[str, ...]] = {
    "QPlatformTheme": (
        N_("OK"),
        N_("Cancel"),
        N_("Close"),
        N_("Save"),
        N_("Open"),
        N_("&Yes"),
        N_("&No"),
        N_("Apply"),
        N_("Help"),
    ),
    "QMessageBox": (N_("Show Details..."), N_("Hide Details...")),
}
# The font each script is shown in when the app speaks it (bundled, so every PC has it).
# Naskh rather than Nastaliq for Urdu: Nastaliq's tall stacked letters are clipped by
# ordinary widget heights.


class CatalogQtTranslator(QTranslator):
    """Answers Qt's requests for the words in :data:`QT_WORDS` from our gettext catalog."""

    def translate(self, context, source_text, disambiguation=None, n=-1):  # Qt API
        """Our catalog's translation of one of Qt's own words, or None to let Qt ask elsewhere."""
        if source_text in QT_WORDS.get(context, ()):
            text = _(source_text)
            if text != source_text:
                return text
        return None  # not ours: Qt asks the next translator

    def isEmpty(self) -> bool:  # Qt API
        """Never empty: Qt skips an empty translator without asking it anything."""
        return False


_installed: list[QTranslator] = []
_base_font: QFont | None = None
_families: dict[str, str | None] = {}  # bundled font file -> its family, once registered


def qt_translations_dir() -> Path:
    """PySide6's bundled Qt translations (``qtbase_*.qm``)."""
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def _install_translators(app: QApplication, lang: Language) -> None:
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if lang.code == "en":
        return
    ours = CatalogQtTranslator(app)
    app.installTranslator(ours)
    _installed.append(ours)
    # Installed last, so asked first: Qt's own translation wins where there is one (pl, ar).
    qt = QTranslator(app)
    if qt.load(f"qtbase_{lang.code}", str(qt_translations_dir())):
        app.installTranslator(qt)
        _installed.append(qt)


def _bundled_family(filename: str) -> str | None:
    """The family of one bundled font file, registered with Qt once (None when Qt cannot load it)."""
    if filename not in _families:
        font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", filename)))
        found = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _families[filename] = found[0] if found else None
    return _families[filename]


def _font_for(lang: Language) -> QFont:
    """The app's font in ``lang``: its script's bundled font first, the usual font, then every other bundled script.

    The other scripts come last as fallbacks, so a language's own name in a list ("ਪੰਜਾਬੀ",
    "ትግርኛ") is drawn in its letters whatever the app speaks, not as boxes on a PC that
    has no font for it.
    """
    global _base_font
    if _base_font is None:
        _base_font = QFont(QApplication.font())
    font = QFont(_base_font)
    own = _bundled_family(lang.font) if lang.script != "Latin" else None
    others = []
    for other in LANGUAGES.values():
        family = _bundled_family(other.font) if other.script != "Latin" else None
        if family:
            _bundled_family(other.bold_font)  # its bold face too, or bold text is smeared from the regular
        if family and family != own and family not in others:
            others.append(family)
    # the script's font first (its letters), the usual font after it (Latin, digits). The usual
    # font by the family it resolves to: a generic name ("Sans Serif" on Linux) is no family
    # Qt can match a character against, so digits and spaces fell to the first script font
    # that has them (Gurmukhi), unbolded and smaller than the letters around them.
    usual = [QFontInfo(_base_font).family(), *_base_font.families()]
    font.setFamilies(list(dict.fromkeys([*([own] if own else []), *usual, *others])))
    return font


def apply_language(code: str) -> Language:
    """Make the whole app speak ``code`` from now on; returns the language actually used."""
    app = QApplication.instance()
    lang = activate(code)
    if app is not None:
        _install_translators(app, lang)
        app.setLayoutDirection(Qt.RightToLeft if lang.rtl else Qt.LeftToRight)
        app.setFont(_font_for(lang))
    log.info("interface language %s", lang.code)
    return lang


# --- carrying the screen over a rebuild ---------------------------------------------------
@dataclass
class ScreenState:
    """What the worker had on screen, in language-free form (codes, not labels)."""

    search: str = ""
    filters: dict = field(default_factory=dict)
    profile: dict = field(default_factory=dict)
    tab: int = 0
    service_id: str | None = None


def _checked(widget: QListWidget) -> list[str]:
    return [
        widget.item(i).data(Qt.UserRole) for i in range(widget.count()) if widget.item(i).checkState() == Qt.Checked
    ]


def _check(widget: QListWidget, codes) -> None:
    for i in range(widget.count()):
        item = widget.item(i)
        item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in codes else Qt.Unchecked)


def _choose(box: QComboBox, data) -> None:
    index = box.findData(data if data is not None else "")
    box.setCurrentIndex(max(index, 0))


def _set_place(box: QComboBox, text: str) -> None:
    if text:
        box.setEditText(text)
    else:
        box.setCurrentIndex(0)  # "Anywhere", in the new language


def capture(window) -> ScreenState:
    """The state of ``window`` (a MainWindow) worth keeping across a language change."""
    f, p = window.filters, window.profile
    return ScreenState(
        search=window.search_box.text(),
        filters=f.state(),
        profile={
            "age": p.age.value(),
            "gender": p.gender.currentData(),
            "lives": p.home(),
            "substances": _checked(p.substances),
            "groups": _checked(p.groups),
        },
        tab=window.tabs.currentIndex(),
        service_id=window._current_id,
    )


def restore(window, state: ScreenState) -> None:
    """Put ``state`` back on a freshly built ``window``; one search runs afterwards."""
    f, p = window.filters, window.profile
    s = state.filters
    if s:
        _set_place(f.near, s["near"])
        f.age.setValue(-1 if s["age"] is None else s["age"])
        _choose(f.gender, s["gender"])
        _choose(f.language, s["language"])
        f.free.setChecked(s["free"])
        f.open_now.setChecked(s["open_now"])
        f.set_open_at(s.get("open_at"))  # after "Open now": the two exclude each other
        for widget, key in (
            (f.categories, "categories"),
            (f.substances, "substances"),
            (f.groups, "groups"),
            (f.routes, "routes"),
            (f.modes, "modes"),
        ):
            _check(widget, s[key])
    if state.profile:
        p.age.setValue(state.profile["age"])
        _choose(p.gender, state.profile["gender"])
        _set_place(p.lives, state.profile["lives"])
        _check(p.substances, state.profile["substances"])
        _check(p.groups, state.profile["groups"])
    window.tabs.setCurrentIndex(state.tab)
    window.search_box.setText(state.search)
    if state.service_id:
        _reselect_when_found(window, state.service_id)
    # The setters above started the typing-pause timer; left running, its later search
    # would move the selection back to the top hit after the service was reselected.
    window._timer.stop()
    window.refresh()


def _reselect_when_found(window, service_id: str) -> None:
    """Show the same service again once the first results arrive (they start at the top)."""

    def select(result) -> None:
        window.search_service.results.disconnect(select)
        for row, hit in enumerate(result.hits):
            if hit.id == service_id:
                window.results.setCurrentIndex(window.model.index(row))
                return
        window.show_service(service_id)  # filtered out: still show what the worker was reading

    # Connected after the window's own handler, so it runs after "start at the top".
    window.search_service.results.connect(select)


class WindowHost(QObject):
    """Owns the main window; rebuilds it when the language changes."""

    def __init__(self, store: DirectoryStore, user: UserStore, directory_path: Path | None = None):
        super().__init__()
        self.store, self.user, self.directory_path = store, user, directory_path
        self.window = None

    def open(self, code: str):
        """Apply ``code`` and show a new main window (the first one)."""
        apply_language(code)
        self.window = self._build()
        self.window.show()
        return self.window

    def _build(self):
        from coventry_directory.ui.main_window import MainWindow

        window = MainWindow(self.store, self.user, self.directory_path)
        window.language_chosen.connect(self.switch)
        return window

    def switch(self, code: str) -> None:
        """Remember ``code`` as the user's language and rebuild the window in it."""
        lang = LANGUAGES.get(code)
        if lang is not None:  # the pseudo-locale is for a run, never remembered
            self.user.set_setting(SETTING_KEY, lang.code)
        if code == current_language().code or self.window is None:
            return
        old = self.window
        state = capture(old)
        apply_language(code)
        new = self._build()
        # The old window's size, place and splitter; the new one shows before the old one
        # closes, so the app never has no window (which would quit it).
        new.restoreGeometry(old.saveGeometry())
        new.splitter.restoreState(old.splitter.saveState())
        restore(new, state)
        self.window = new
        new.show()
        old.close()
        old.deleteLater()
