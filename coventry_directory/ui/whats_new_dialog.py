"""Help ▸ What's new in this edition: the services a new edition of the directory added, removed and changed.

The comparison is ``edition diff``'s (:mod:`coventry_directory.core.edition_diff`, the files
read by :mod:`coventry_directory.exchange.edition_files`): the edition in use against the one
before it that this computer kept (``directory.previous.db``, which ``bundle install`` keeps
for ``bundle rollback``; else, for the first edition installed, the one shipped with the
app). :class:`WhatsNew` offers it by itself once per edition: when the window opens on an
edition it has not shown before, and when it follows a new edition installed while it runs.
Imports and feed pulls change the directory but not its edition, so they do not bring it up.

The reading runs off the GUI thread (``background.BackgroundTask``); the dialog is not
modal, so the window stays usable. Names, descriptions and other record text are shown as
the directory holds them; codes are shown as their (translated) taxonomy labels.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from coventry_directory.core.edition_diff import EditionDiff, FieldChange, ServiceEntry
from coventry_directory.core.models import CODE_FIELDS
from coventry_directory.core.taxonomy import label
from coventry_directory.i18n import N_, _, ngettext
from coventry_directory.i18n.choice import current_language
from coventry_directory.i18n.formatting import format_long_date, format_number
from coventry_directory.ui.background import BackgroundTask
from coventry_directory.ui.window_geometry import fit_to_screen
from coventry_directory.ui.zoom import bold

if TYPE_CHECKING:
    from coventry_directory.ui.main_window import MainWindow

log = logging.getLogger(__name__)

SEEN_KEY = "whats_new.edition_seen"  # the user setting: the stamp of the last edition the window noticed
LIST_LIMIT = 300  # entries shown per list; a national feed's whole churn would be a page nobody reads

# Each field of core.edition_diff.FIELDS as the app names it (several as the details pane does).
FIELD_LABELS = {
    "name": N_("Name"),
    "alternate_name": N_("Other name"),
    "organization": N_("Organisation"),
    "description": N_("Description"),
    "status": N_("Status"),
    "alert": N_("Alert"),
    "phones": N_("Phone"),
    "email": N_("Email"),
    "url": N_("Web"),
    "organization_email": N_("Organisation's email"),
    "organization_website": N_("Organisation's website"),
    "addresses": N_("Where"),
    "schedules": N_("Opening hours"),
    "application_process": N_("How to refer"),
    "eligibility_description": N_("Who it is for"),
    "fees_description": N_("Cost"),
    "minimum_age": N_("Youngest age"),
    "maximum_age": N_("Oldest age"),
    "genders": N_("Gender"),
    "substances": N_("Substances"),
    "client_groups": N_("Client groups"),
    "groups_required": N_("Only for these groups"),
    "referral_routes": N_("Referral routes"),
    "delivery_modes": N_("Delivered"),
    "catchment": N_("Areas"),
    "coverage": N_("Local or UK-wide"),
    "languages": N_("Languages"),
    "categories": N_("Categories"),
    "keywords": N_("Search words"),
    "verification": N_("How it was checked"),
    "assured_date": N_("Checked on"),
    "assured_by": N_("Checked by"),
    "assured_how": N_("Checked how"),
    "review_due": N_("Next check due"),
    "assurance_note": N_("Note on the check"),
    "may_have_changed_reason": N_("Why the provider may have changed"),
    "evidence_date": N_("Sources dated"),
    "sources": N_("Sources"),
    "id": N_("Record id"),
}
_LRI, _PDI = "\u2066", "\u2069"  # left-to-right isolate: a phone number or English text keeps its order


def edition_stamp(info: dict[str, str]) -> str:
    """What tells one edition from another: its date and, for a signed bundle, when the bundle was made."""
    return f"{info.get('edition', '')}|{info.get('bundle_created', '')}"


def editions_to_compare(directory: Path | None) -> tuple[Path, Path] | None:
    """(the edition before, the edition in use) for the directory file ``directory``; None if none was kept.

    A directory made from sources keeps its edition in ``directory.sources/edition.db`` (and
    the one before beside it). The shipped edition counts as the one before the first
    installed edition; the shipped edition itself has none before it.
    """
    from coventry_directory.exchange.install import previous_path
    from coventry_directory.exchange.sources import EDITION, Home
    from coventry_directory.resources import bundled_database_path
    from coventry_directory.userdata import installed_directory_path

    if directory is None:
        return None
    home = Home(Path(directory))
    current = home.source_path(EDITION) if home.composed() else home.target
    if not current.is_file():
        return None
    if previous_path(current).is_file():
        return previous_path(current), current
    shipped = bundled_database_path()
    if home.target == installed_directory_path() and shipped.is_file() and current != shipped:
        return shipped, current
    return None


def _rtl() -> bool:
    return current_language().rtl


def _text(value: str) -> str:
    """Record text (a number, an address, English) escaped, and isolated when the app reads right to left."""
    html = escape(value)
    return f"{_LRI}{html}{_PDI}" if _rtl() and html else html


def _item(field: str, value: str) -> str:
    """One value of a list field: a code as its label, anything else as written."""
    return escape(label(CODE_FIELDS[field], value)) if field in CODE_FIELDS else _text(value)


def _single(field: str, value) -> str:
    if value is None:
        return "<i>" + escape(_("not stated")) + "</i>"
    if isinstance(value, bool):
        return escape(_("yes") if value else _("no"))
    if field == "verification":
        return escape(label("verification", str(value)))
    return _text(str(value))


def change_html(change: FieldChange) -> str:
    """One field's change as a list item: what a list gained and lost, or a value as it was and is now."""
    name = escape(_(FIELD_LABELS.get(change.field, change.field)))
    if change.is_list:
        parts = []
        if change.added:
            parts.append(escape(_("added:")) + " " + "; ".join(_item(change.field, v) for v in change.added))
        if change.removed:
            parts.append(escape(_("removed:")) + " " + "; ".join(_item(change.field, v) for v in change.removed))
        return f"<li><b>{name}</b>: " + " · ".join(parts) + "</li>"
    was, now = escape(_("was:")), escape(_("now:"))
    return (
        f"<li><b>{name}</b><br>{was} {_single(change.field, change.old)}<br>"
        f"{now} {_single(change.field, change.new)}</li>"
    )


def _service(entry: ServiceEntry) -> str:
    organisation = entry.organization if entry.organization and entry.organization != entry.name else ""
    return f"<b>{_text(entry.name)}</b>" + (f" ({_text(organisation)})" if organisation else "")


def _more(left: int) -> str:
    if left <= 0:
        return ""
    more = _("…and {n} more. The command line lists every one: coventry-directory edition diff OLD NEW")
    return "<p>" + escape(more.format(n=format_number(left))) + "</p>"


def diff_html(diff: EditionDiff) -> str:
    """The whole comparison as HTML: a heading and a list per kind of change, each service with its changes."""
    if diff.empty():
        return "<p>" + escape(_("No service was added, removed or changed.")) + "</p>"
    parts = []
    for title, entries in ((_("New services"), diff.added), (_("Services no longer listed"), diff.removed)):
        if entries:
            items = "".join(f"<li>{_service(e)}</li>" for e in entries[:LIST_LIMIT])
            parts.append(f"<h3>{escape(title)}</h3><ul>{items}</ul>{_more(len(entries) - LIST_LIMIT)}")
    if diff.changed:
        items = "".join(
            f"<li>{_service(e)}<ul>{''.join(change_html(c) for c in e.changes)}</ul></li>"
            for e in diff.changed[:LIST_LIMIT]
        )
        title = _("Services changed")
        parts.append(f"<h3>{escape(title)}</h3><ul>{items}</ul>{_more(len(diff.changed) - LIST_LIMIT)}")
    return "".join(parts)


def summary_text(diff: EditionDiff) -> str:
    """The counts in one line, e.g. "2 services added · 1 service removed · 5 services changed"."""
    counts = diff.counts()
    return " · ".join(
        (
            ngettext("{n} service added", "{n} services added", counts["added"]).format(
                n=format_number(counts["added"])
            ),
            ngettext("{n} service removed", "{n} services removed", counts["removed"]).format(
                n=format_number(counts["removed"])
            ),
            ngettext("{n} service changed", "{n} services changed", counts["changed"]).format(
                n=format_number(counts["changed"])
            ),
        )
    )


def _date(edition: str | None) -> str:
    return format_long_date(edition) if edition else _("an unknown date")


class WhatsNewDialog(QDialog):
    """What a new edition changed: the editions compared, the counts, then every service added, removed or changed."""

    def __init__(self, diff: EditionDiff, parent: QWidget | None = None):
        super().__init__(parent)
        self.diff = diff
        self.setWindowTitle(_("What's new in this edition"))
        self.setAccessibleName(_("What's new in this edition"))
        self.editions = QLabel(
            _("The edition of {new}, compared with the edition of {old} before it.").format(
                new=_date(diff.new.edition), old=_date(diff.old.edition)
            )
        )
        self.editions.setWordWrap(True)
        self.summary = QLabel(summary_text(diff))
        self.summary.setWordWrap(True)
        bold(self.summary)  # the theme's own text colour, readable in any (and follows zoom)
        self.changes = QTextBrowser()
        self.changes.setAccessibleName(_("Changes in this edition"))
        self.changes.setOpenLinks(False)
        self.changes.setHtml(diff_html(diff))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editions)
        layout.addWidget(self.summary)
        layout.addWidget(self.changes, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, 640, 520)


class WhatsNew(QObject):
    """Offers "What's new" once per edition, and on demand from the menu; keeps the dialog it shows.

    Made by the main window with its menus. Once the window's event loop runs it checks
    whether the edition in use is one the window has not noticed before (the user setting
    :data:`SEEN_KEY`); the window calls :meth:`notice` again after following a new edition.
    The very first edition the app opens on is only noted: there is nothing it replaced.
    """

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.dialog: WhatsNewDialog | None = None
        self.message: QMessageBox | None = None  # the last "nothing to compare" or "could not compare" note
        self.task: BackgroundTask | None = None
        self._automatic = False  # whether the comparison running was offered by itself
        QTimer.singleShot(0, self, self.notice)  # with self as context: never runs once the window is gone

    def notice(self) -> None:
        """Show what's new if the edition in use is not the one noticed last (and one was noticed before)."""
        if not self.window.isVisible():
            return  # closed before the event loop came round (its directory may be closed too): nothing to offer
        controller = self.window.controller
        stamp = edition_stamp(controller.store.info())
        seen = controller.setting(SEEN_KEY)
        if seen == stamp:
            return
        try:
            controller.set_setting(SEEN_KEY, stamp)
        except Exception as exc:  # a read-only data folder: offered again next time, which is harmless
            log.warning("the edition seen could not be saved: %s", type(exc).__name__)
        if seen is not None:
            self.show_last(automatic=True)

    def show_last(self, *, automatic: bool = False) -> None:
        """Compare the edition in use with the one before it, off the GUI thread, and show the result.

        ``automatic``: offered by itself, so it says nothing when there is nothing to compare,
        when the comparison fails, or when no service changed.
        """
        pair = editions_to_compare(self.window.controller.store.path)
        if pair is None:
            if not automatic:
                self._tell(
                    QMessageBox.Information,
                    _(
                        "No earlier edition is kept on this computer, so there is nothing to compare this edition "
                        "with. The comparison is there after the next edition is installed."
                    ),
                )
            return
        if self.task is not None:
            return  # already comparing: its result is on its way
        from coventry_directory.exchange.edition_files import compare_files

        self.task = BackgroundTask(lambda: compare_files(*pair), name="whats-new")
        self._automatic = automatic
        # A bound method of this object, not a lambda: Qt drops the connection if the window goes first.
        self.task.finished.connect(self._compared)
        self.task.start()

    @Slot(object)
    def _compared(self, outcome: object) -> None:
        task, self.task = self.task, None
        if isinstance(outcome, Exception):
            # Type only in the log: the message names files in the user's folder.
            log.warning("the editions could not be compared: %s", type(outcome).__name__)
            if not self._automatic:
                self._tell(
                    QMessageBox.Warning, _("The editions could not be compared: {reason}").format(reason=outcome)
                )
            return
        diff = task.result if task is not None else None
        if not isinstance(diff, EditionDiff) or (self._automatic and diff.empty()):
            return  # offered by itself, a new edition that changes no service is not worth a window
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = WhatsNewDialog(diff, self.window)
        self.dialog.show()  # not modal: the window stays usable beside it

    def _tell(self, icon: QMessageBox.Icon, text: str) -> None:
        # open(), not exec(): window-modal, and the event loop (the search thread's results) runs on
        self.message = QMessageBox(icon, _("What's new in this edition"), text, QMessageBox.Ok, self.window)
        self.message.open()
