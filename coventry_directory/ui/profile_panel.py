"""Client mode ("Who can I refer?"): enter what you know about the person once.

Nothing typed here is stored: the profile lives only while the window is open.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from coventry_directory.core.eligibility import ClientProfile
from coventry_directory.core.places import area_of
from coventry_directory.i18n import _, ngettext
from coventry_directory.i18n.formatting import format_number
from coventry_directory.ui.filter_panel import (
    age_box,
    age_value,
    code_list,
    gender_box,
    place_box,
    place_text,
)
from coventry_directory.ui.form_widgets import checked_codes, clear_checks
from coventry_directory.ui.option_counts import LABEL_ROLE


class ProfilePanel(QWidget):
    """Age, gender, where they live, substances and circumstances of one client."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(_("Client profile"))
        intro = QLabel(
            _(
                "Describe the person in front of you. Services they can use come first; the others "
                "are greyed with the reason. Nothing here is saved."
            )
        )
        intro.setWordWrap(True)
        self.age = age_box(_("Client age"), _("Not given"))
        self.gender = gender_box(_("Client gender"), _("Not given"))
        self.lives = place_box(_("Where the client lives"))
        self.substances = code_list("substance", _("Client's substances"))
        self.groups = code_list("client_group", _("Client's circumstances"))
        self.clear_button = QPushButton(_("C&lear client"))
        self.clear_button.setAccessibleDescription(_("Forget everything entered about this client"))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a narrow column or a big font: label above
        form.addRow(_("&Age:"), self.age)
        form.addRow(_("&Gender:"), self.gender)
        form.addRow(_("Lives &in:"), self.lives)
        form.addRow(_("Su&bstances:"), self.substances)
        form.addRow(_("&Circumstances:"), self.groups)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)
        self.age.valueChanged.connect(self.changed)
        self.gender.currentIndexChanged.connect(self.changed)
        self.lives.currentTextChanged.connect(self.changed)
        self.substances.itemChanged.connect(self.changed)
        self.groups.itemChanged.connect(self.changed)
        self.clear_button.clicked.connect(self.clear)

    def profile(self) -> ClientProfile:
        """The client as the eligibility engine sees them."""
        return ClientProfile(
            age=age_value(self.age),
            gender=self.gender.currentData() or None,
            area=area_of(place_text(self.lives)) if place_text(self.lives) else None,
            substances=checked_codes(self.substances),
            groups=checked_codes(self.groups),
        )

    def summary(self) -> str:
        """What is entered, in a few words for the chip above the results ('' when nothing is)."""
        parts = []
        if (age := age_value(self.age)) is not None:
            parts.append(_("age {age}").format(age=age))
        if self.gender.currentData():
            parts.append(self.gender.currentData(LABEL_ROLE))
        if self.home():
            parts.append(self.home())
        ticked = len(checked_codes(self.substances)) + len(checked_codes(self.groups))
        if ticked:
            parts.append(ngettext("{n} more detail", "{n} more details", ticked).format(n=format_number(ticked)))
        return ", ".join(parts)

    def home(self) -> str:
        """The place typed for where they live ('' if none), for distances."""
        return place_text(self.lives)

    def clear(self) -> None:
        """Forget the client."""
        self.blockSignals(True)
        self.age.setValue(-1)
        self.gender.setCurrentIndex(0)
        self.lives.setCurrentIndex(0)
        clear_checks(self.substances)
        clear_checks(self.groups)
        self.blockSignals(False)
        self.changed.emit()
