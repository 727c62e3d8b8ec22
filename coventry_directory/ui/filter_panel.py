"""The filter panel (view only): what the worker can narrow results by.

OR within a group, AND across groups. The panel only reports its state; the controller
turns it into search filters.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.filter_words import counts_lines
from coventry_directory.core.places import known_places
from coventry_directory.core.taxonomy import vocabularies
from coventry_directory.i18n import _
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.ui.form_widgets import check_list, checked_codes, clear_checks

ANY = ""


def code_list(taxonomy: str, accessible_name: str, rows: int = 5) -> QListWidget:
    """A checkable list of a vocabulary's terms."""
    terms = vocabularies()[taxonomy].terms
    return check_list(
        {t.code: _(t.name) for t in terms},
        accessible_name,
        rows,
        tooltips={t.code: _(t.description) for t in terms if t.description},
    )


def age_box(accessible_name: str, none_text: str) -> QSpinBox:
    """An age chooser whose lowest value means "not given"."""
    box = QSpinBox()
    box.setRange(-1, 120)
    box.setSpecialValueText(none_text)
    box.setValue(-1)
    box.setAccessibleName(accessible_name)
    return box


def age_value(box: QSpinBox) -> int | None:
    """The age chosen, or None when not given."""
    return None if box.value() < 0 else box.value()


def gender_box(accessible_name: str, none_text: str) -> QComboBox:
    """A gender chooser; its data is the gender code ('' when not given)."""
    box = QComboBox()
    box.setAccessibleName(accessible_name)
    for text, code in ((none_text, ANY), (_("Woman"), "female"), (_("Man"), "male")):
        box.addItem(text, code)
    return box


def place_box(accessible_name: str) -> QComboBox:
    """An editable place chooser: towns and areas listed, any postcode typed."""
    box = QComboBox()
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.NoInsert)
    box.addItem(_("Anywhere"), ANY)
    for name in known_places():
        box.addItem(name, name)
    box.setAccessibleName(accessible_name)
    box.lineEdit().setPlaceholderText(_("Town or postcode, e.g. Rugby, CV12"))
    return box


def place_text(box: QComboBox) -> str:
    """What the place box holds ('' for anywhere)."""
    text = box.currentText().strip()
    return "" if text in ("", _("Anywhere")) else text


class FilterPanel(QWidget):
    """Category, place, age, gender, substance, group, route, mode, language, free, open now."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(_("Filters"))
        self.near = place_box(_("Near place"))
        self.age = age_box(_("Client age"), _("Any age"))
        self.gender = gender_box(_("Gender"), _("Any gender"))
        self.categories = code_list("category", _("Categories"), rows=6)
        self.substances = code_list("substance", _("Substances"))
        self.groups = code_list("client_group", _("Client groups"))
        self.routes = code_list("referral_route", _("Referral routes"), rows=3)
        self.modes = code_list("delivery_mode", _("Delivery modes"), rows=3)
        self.language = QComboBox()
        self.language.setAccessibleName(_("Language spoken"))
        self.language.addItem(_("Any language"), ANY)
        for lang in LANGUAGES.values():
            if lang.code != "en":
                self.language.addItem(f"{lang.native_name} ({_(lang.english_name)})", lang.code)
        self.free = QCheckBox(_("Free"))
        self.open_now = QCheckBox(_("Open now"))
        # A record that does not say stays in the list, marked "check": tell the worker so
        unsure = _("Services whose record does not say are kept, after the others, and marked “check”.")
        self.free.setToolTip(unsure)
        self.open_now.setToolTip(unsure)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.counts.setAccessibleName(_("What the filters did"))
        self.counts_box = QGroupBox(_("What the filters did"))
        QVBoxLayout(self.counts_box).addWidget(self.counts)
        self.counts_box.hide()

        basics = QFormLayout()
        basics.addRow(_("&Near:"), self.near)
        basics.addRow(_("A&ge:"), self.age)
        basics.addRow(_("G&ender:"), self.gender)
        basics.addRow(_("&Language:"), self.language)
        basics.addRow(self.free)
        basics.addRow(self.open_now)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(basics)
        layout.addWidget(self.counts_box)
        for title, widget in (
            (_("Category"), self.categories),
            (_("Substance"), self.substances),
            (_("Client group"), self.groups),
            (_("Referral route"), self.routes),
            (_("Delivery"), self.modes),
        ):
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            inner.setContentsMargins(4, 4, 4, 4)
            inner.addWidget(widget)
            layout.addWidget(box)
        self.hint = QLabel(_("Ticks in one box widen (any of); different boxes narrow (all of)."))
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.topic_button = QPushButton(_("Print a &topic leaflet…"))
        self.topic_button.setToolTip(
            _(
                "Tick one category (and choose a place) to print, e.g., where to get naloxone "
                "near Rugby, in the client's language"
            )
        )
        self.topic_button.setEnabled(False)
        layout.addWidget(self.topic_button)
        layout.addStretch(1)

        self.near.currentTextChanged.connect(self.changed)
        for widget in (self.age,):
            widget.valueChanged.connect(self.changed)
        for widget in (self.gender, self.language):
            widget.currentIndexChanged.connect(self.changed)
        for widget in (self.free, self.open_now):
            widget.toggled.connect(self.changed)
        for widget in (self.categories, self.substances, self.groups, self.routes, self.modes):
            widget.itemChanged.connect(self.changed)
        self.categories.itemChanged.connect(self._update_topic)

    def _update_topic(self) -> None:
        self.topic_button.setEnabled(len(checked_codes(self.categories)) == 1)

    def show_counts(self, filter_counts: dict[str, tuple[int, int, int]]) -> None:
        """Show, per active filter, how many services are known to fit, not stated and left out (none: hidden)."""
        lines = counts_lines(filter_counts)
        self.counts.setText("\n".join(lines))
        self.counts_box.setVisible(bool(lines))

    def state(self) -> dict:
        """The panel's values as plain data."""
        return {
            "near": place_text(self.near),
            "age": age_value(self.age),
            "gender": self.gender.currentData() or None,
            "language": self.language.currentData() or None,
            "free": self.free.isChecked(),
            "open_now": self.open_now.isChecked(),
            "categories": checked_codes(self.categories),
            "substances": checked_codes(self.substances),
            "groups": checked_codes(self.groups),
            "routes": checked_codes(self.routes),
            "modes": checked_codes(self.modes),
        }

    def reset(self) -> None:
        """Back to no filters."""
        self.blockSignals(True)
        self.near.setCurrentIndex(0)
        self.age.setValue(-1)
        self.gender.setCurrentIndex(0)
        self.language.setCurrentIndex(0)
        self.free.setChecked(False)
        self.open_now.setChecked(False)
        for widget in (self.categories, self.substances, self.groups, self.routes, self.modes):
            clear_checks(widget)
        self.blockSignals(False)
        self.changed.emit()
