"""The filters in use, as a row of chips above the results, in sight whichever tab is open.

A filter left on in the Filters tab while the worker reads the Shortlist or fills in the
client silently narrows every search ("methadone" gave 4 services, not 13). Each filter in
use is a chip ("Substance: Alcohol ✕") that removes it with one click or key press; "Clear
filters" removes them all. A chip's tooltip says what its filter did (known to fit, not
stated, left out), from the counts the search reports.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from coventry_directory.core.filter_words import count_text
from coventry_directory.i18n import _
from coventry_directory.ui.filter_panel import ActiveFilter, FilterPanel
from coventry_directory.ui.flow_layout import FlowLayout
from coventry_directory.ui.profile_panel import ProfilePanel

REMOVE_MARK = "✕"  # a symbol, the same in every language


def chip_text(text: str) -> str:
    """A chip's button text: the filter's words (an "&" shown, not a shortcut key) and the remove mark."""
    return " ".join((text.replace("&", "&&"), REMOVE_MARK))


class FilterChips(QWidget):
    """One chip per filter in use, and "Clear filters"; hidden while no filter is on.

    With a client ``profile`` ("Who can I refer?"), the client is a chip too, first: client
    mode reorders and greys every list, so it must be in sight from every tab as well. Its
    chip clears the client; "Clear filters" leaves the client as it is.
    """

    def __init__(self, panel: FilterPanel, parent: QWidget | None = None, profile: ProfilePanel | None = None):
        super().__init__(parent)
        self.panel = panel
        self.profile = profile
        self.setAccessibleName(_("Filters in use"))
        self.heading = QLabel(_("Filters in use:"))
        self.clear_button = QPushButton(_("Clear filters"))
        self.clear_button.setToolTip(_("Remove every filter (the search words stay)"))
        self.clear_button.clicked.connect(self.panel.reset)
        self.chips: list[QPushButton] = []
        self._counts: dict[str, tuple[int, int, int]] = {}
        self._flow = FlowLayout(self)
        self._flow.setContentsMargins(0, 0, 0, 0)
        self._flow.addWidget(self.heading)
        self._flow.addWidget(self.clear_button)
        panel.changed.connect(self.refresh)
        if profile is not None:
            profile.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Show a chip for each filter the panel has on now."""
        had_focus = next((i for i, chip in enumerate(self.chips) if chip.hasFocus()), None)
        for chip in self.chips:
            self._flow.removeWidget(chip)
            chip.hide()
            chip.deleteLater()  # it may be the button whose click brought us here
        self.chips = [self._chip(active) for active in self.panel.active_filters()]
        if self.profile is not None and (client := self.profile.summary()):
            self.chips.insert(0, self._client_chip(self.profile, client))
        self._flow.removeWidget(self.clear_button)  # "Clear filters" stays last
        for chip in self.chips:
            self._flow.addWidget(chip)
            chip.show()  # a child added to a shown row would otherwise appear only after the next event
        self._flow.addWidget(self.clear_button)
        self.setVisible(bool(self.chips))
        if had_focus is not None and self.chips:
            # the keyboard stays in the row: on the chip that took the removed one's place
            self.chips[min(had_focus, len(self.chips) - 1)].setFocus()
        self.updateGeometry()

    def set_counts(self, filter_counts: dict[str, tuple[int, int, int]]) -> None:
        """What each filter did in the newest search, for the chips' tooltips."""
        self._counts = dict(filter_counts)
        for chip in self.chips:
            if not chip.property("client"):
                chip.setToolTip(self._tooltip(chip.property("counts_field")))

    def _chip(self, active: ActiveFilter) -> QPushButton:
        chip = QPushButton(chip_text(active.text), self)
        chip.setAccessibleName(_("Remove filter: {filter}").format(filter=active.text))
        chip.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        chip.setProperty("counts_field", active.counts_field or "")
        chip.setToolTip(self._tooltip(active.counts_field or ""))
        chip.clicked.connect(
            lambda _checked=False, key=active.key, code=active.code: self.panel.clear_filter(key, code)
        )
        return chip

    def _client_chip(self, profile: ProfilePanel, summary: str) -> QPushButton:
        text = _("Client: {details}").format(details=summary)
        chip = QPushButton(chip_text(text), self)
        chip.setAccessibleName(_("Clear client: {details}").format(details=summary))
        chip.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        chip.setProperty("client", True)  # its tooltip is its own, not a filter's counts
        chip.setToolTip(_("Forget everything entered about this client (under “Who can I refer?”)"))
        chip.clicked.connect(profile.clear)
        return chip

    def _tooltip(self, field: str) -> str:
        lines = [_("Remove this filter")]
        if field in self._counts:
            lines.append(count_text(field, self._counts[field]))
        return "\n".join(lines)
