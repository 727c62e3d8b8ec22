"""What the main window does with the service shown and the shortlist.

:class:`ServiceActions` holds the slots behind the buttons for the service being read and the
shortlist (add or remove, print a leaflet, handout or topic sheet, refer, follow-ups, report
a correction, copy the details) and connects them, and opens the web and email links of the
details pane in the desktop's own browser or mail program (phone numbers' copy links are
the window's own ``_link``). It is mixed into
:class:`~coventry_directory.ui.main_window.MainWindow`, which builds the widgets these slots
read: ``controller``, ``_current_id``, ``shortlist``, ``filters``, ``tabs`` and the buttons.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, QUrlQuery
from PySide6.QtGui import QDesktopServices, QGuiApplication

from coventry_directory.i18n import _
from coventry_directory.i18n.formatting import format_number
from coventry_directory.ui.details_copy import details_text
from coventry_directory.ui.dialogs import CorrectionDialog
from coventry_directory.ui.service_html import COPY_DETAILS_SCHEME, SOURCE_SCHEME, WEB_SCHEMES
from coventry_directory.ui.source_titles import shipped_document
from coventry_directory.ui.source_viewer import SourceViewer


class ServiceActions:
    """What the main window does with the shown service and the shortlist (a mixin for MainWindow)."""

    def _connect_service_actions(self) -> None:
        self.shortlist_button.clicked.connect(self.toggle_shortlist)
        self.correction_button.clicked.connect(self.report_correction)
        self.print_button.clicked.connect(self.print_leaflet)
        self.shortlist.handout_button.clicked.connect(self.print_handout)
        self.filters.topic_button.clicked.connect(self.print_topic)
        self.refer_button.clicked.connect(self.refer_current)
        self.copy_button.clicked.connect(self.copy_details)
        self.shortlist.refer_button.clicked.connect(self.refer_shortlist)
        self.shortlist.followups_button.clicked.connect(self.show_follow_ups)
        self.shortlist.removed.connect(self._remove_from_shortlist)
        self.shortlist.cleared.connect(self._clear_shortlist)
        self.shortlist.opened.connect(self.show_service)
        self.details.anchorClicked.connect(self._open_link)

    # --- the details pane -----------------------------------------------------------------
    def copy_details(self) -> None:
        """Put the shown service's name, phone, address, hours, web and how to refer on the clipboard."""
        svc = self.controller.service(self._current_id) if self._current_id else None
        if svc is None:
            return
        QGuiApplication.clipboard().setText(details_text(svc))
        self.statusBar().showMessage(_("Copied the details of {name}").format(name=svc.name), 4000)

    def _open_link(self, url: QUrl) -> None:
        """A link clicked in the details: a web page or email address opens in the desktop's own program, a source document in the app."""
        scheme = url.scheme().lower()
        if scheme == COPY_DETAILS_SCHEME:
            self.copy_details()
        elif scheme == SOURCE_SCHEME:
            self.open_source(url)
        elif scheme in WEB_SCHEMES and not QDesktopServices.openUrl(url):
            # no browser or mail program set up (a locked-down PC): say so, with the address to copy by hand
            address = url.path() if scheme == "mailto" else url.toDisplayString()
            self.statusBar().showMessage(
                _("Could not open {address}: no program here opens it").format(address=address), 8000
            )

    def open_source(self, url: QUrl) -> SourceViewer | None:
        """Open the source document a ``source:`` link names, at its line (None when this copy lacks it)."""
        query = QUrlQuery(url)
        document = shipped_document(url.path())
        if document is None:
            self.statusBar().showMessage(
                _("This copy of the app does not have the document “{name}”.").format(name=url.path()), 8000
            )
            return None
        line = query.queryItemValue("line")
        find = query.queryItemValue("find", QUrl.ComponentFormattingOption.FullyDecoded)
        viewer = SourceViewer(document, int(line) if line.isdigit() else None, find, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()  # not modal: the worker can read the document beside the service
        return viewer

    # --- shortlist ------------------------------------------------------------------------
    def toggle_shortlist(self) -> None:
        """Add the shown service to the shortlist, or take it off."""
        if not self._current_id:
            return
        added = self.controller.toggle_shortlist(self._current_id)
        self._refresh_shortlist()
        self._enable_actions(True)
        self.statusBar().showMessage(_("Added to the shortlist") if added else _("Removed from the shortlist"), 3000)

    def _remove_from_shortlist(self, service_id: str) -> None:
        self.controller.user.remove_from_shortlist(service_id)
        self._refresh_shortlist()
        self._enable_actions(bool(self._current_id))

    def _clear_shortlist(self) -> None:
        self.controller.clear_shortlist()
        self._refresh_shortlist()
        self._enable_actions(bool(self._current_id))

    def _refresh_shortlist(self) -> None:
        services = self.controller.shortlist()
        self.shortlist.set_services(services, self.controller.vanished_from_shortlist())
        self.tabs.setTabText(2, _("Sh&ortlist ({n})").format(n=format_number(len(services))))

    # --- printing -------------------------------------------------------------------------
    def print_leaflet(self) -> None:
        """Print or save a leaflet about the service shown (Ctrl+P)."""
        svc = self.controller.service(self._current_id) if self._current_id else None
        if svc is not None:
            from coventry_directory.ui.print_dialog import service_leaflet_dialog

            service_leaflet_dialog(svc, self, self.controller.store).exec()

    def print_handout(self) -> None:
        """Print the shortlist as a handout for the client (service names only, nothing about them)."""
        ids = self.shortlist.ids()
        if ids:
            from coventry_directory.ui.print_dialog import handout_dialog

            handout_dialog(self.controller.store, ids, self).exec()

    def print_topic(self) -> None:
        """Print the one ticked category near the chosen place, e.g. "Where to get naloxone in Rugby"."""
        state = self.filters.state()
        if len(state["categories"]) == 1:
            from coventry_directory.ui.print_dialog import topic_dialog

            topic_dialog(self.controller.store, state["categories"][0], state["near"] or None, self).exec()

    # --- referrals and corrections --------------------------------------------------------
    def desk(self):
        """The referral desk for this user (shared with the outbox retry timer; the outbox opens on first send)."""
        if self._desk is None:
            from coventry_directory.ui.outbox_access import desk_for

            self._desk = desk_for(self.controller.user)
        return self._desk

    def refer(self, services: list) -> None:
        """Open the referral wizard for these services (one client summary for all)."""
        if not services:
            return
        from coventry_directory.ui.referral_wizard import ReferralWizard

        ReferralWizard(services, self.desk(), parent=self).exec()

    def refer_current(self) -> None:
        """Refer to the service shown."""
        svc = self.controller.service(self._current_id) if self._current_id else None
        if svc is not None:
            self.refer([svc])

    def refer_shortlist(self) -> None:
        """Refer to every shortlisted service."""
        self.refer(self.controller.shortlist())

    def show_follow_ups(self) -> None:
        """Referrals waiting for an answer."""
        from coventry_directory.ui.followups_dialog import FollowUpDialog

        FollowUpDialog(self.desk(), self).exec()

    def report_correction(self) -> None:
        """Ask what is wrong with the shown record and queue it for the maintainer."""
        svc = self.controller.service(self._current_id) if self._current_id else None
        if svc is None:
            return
        dialog = CorrectionDialog(svc.name, self)
        if dialog.exec():
            self.controller.report_correction(svc.id, dialog.text())
            self.statusBar().showMessage(_("Correction queued for the directory maintainer. Thank you."), 5000)
