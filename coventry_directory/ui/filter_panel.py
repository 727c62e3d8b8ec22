"""The filter panel (view only): what the worker can narrow results by.

OR within a group, AND across groups. The panel only reports its state; the controller
turns it into search filters. It also names each filter in use (:meth:`FilterPanel.active_filters`)
and clears one at a time (:meth:`FilterPanel.clear_filter`), for the chips above the
results (ui/filter_chips.py), which stay in sight whichever tab is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.clock import uk_now
from coventry_directory.core.filter_words import counts_lines
from coventry_directory.core.places import known_places
from coventry_directory.core.taxonomy import vocabularies
from coventry_directory.i18n import N_, _
from coventry_directory.i18n.formatting import format_weekday_date
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.ui.fitted_list import FittedList
from coventry_directory.ui.form_widgets import check_list, checked_codes, clear_checks
from coventry_directory.ui.option_counts import DESCRIPTION_ROLE, LABEL_ROLE, option_text, option_tip

ANY = ""
# How the "open at" picker shows its moment: day first, 24-hour clock, as UK services give hours.
OPEN_AT_FORMAT = "dd/MM/yyyy HH:mm"
# Narrow enough for the panel at 200% zoom: a choice box wider than this shows its text clipped, not the panel cut.
CHOICE_CHARS = 12


def code_list(taxonomy: str, accessible_name: str) -> QListWidget:
    """A checkable list of a vocabulary's terms, every term shown whole (labels wrap)."""
    terms = vocabularies()[taxonomy].terms
    widget = check_list(
        {t.code: _(t.name) for t in terms},
        accessible_name,
        tooltips={t.code: _(t.description) for t in terms if t.description},
        fit=True,
    )
    for i in range(widget.count()):
        item = widget.item(i)
        item.setData(LABEL_ROLE, item.text())
        item.setData(DESCRIPTION_ROLE, item.toolTip())
    return widget


def _narrow(box: QComboBox) -> QComboBox:
    """Let a choice box shrink below its longest entry, so the panel fits a narrow column."""
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(CHOICE_CHARS)
    return box


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
    box = _narrow(QComboBox())
    box.setAccessibleName(accessible_name)
    for text, code in ((none_text, ANY), (_("Woman"), "female"), (_("Man"), "male")):
        box.addItem(text, code)
        box.setItemData(box.count() - 1, text, LABEL_ROLE)
    return box


def place_box(accessible_name: str) -> QComboBox:
    """An editable place chooser: towns and areas listed, any postcode typed."""
    box = _narrow(QComboBox())
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


def moment_text(moment: datetime) -> str:
    """An "open at" moment in words: 'Tuesday 1 December, 10:30'."""
    return _("{day}, {time}").format(day=format_weekday_date(moment.date()), time=moment.strftime("%H:%M"))


def _qt_moment(moment: datetime) -> QDateTime:
    """A naive wall-clock moment for the picker, field by field (no time zone between)."""
    return QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute))


class ActiveFilter(NamedTuple):
    """One filter in use: its state key, the ticked code (list filters), its words, its counts' field."""

    key: str
    code: str | None
    text: str
    counts_field: str | None  # the field of SearchResult.filter_counts that tells what it did


# state key -> (the list's title, the filter_counts field it is reported under; the category has none)
LIST_FILTERS = {
    "categories": (N_("Category"), None),
    "substances": (N_("Substance"), "substances"),
    "groups": (N_("Client group"), "client_groups"),
    "routes": (N_("Referral route"), "referral_routes"),
    "modes": (N_("Delivery"), "delivery_modes"),
}
# state key -> the field its options are counted under (SearchResult.option_counts; the
# gender and language choices are counted under "gender" and "languages")
OPTION_FIELDS = {
    "categories": "categories",
    "substances": "substances",
    "groups": "client_groups",
    "routes": "referral_routes",
    "modes": "delivery_modes",
}


class FilterPanel(QWidget):
    """Category, place, age, gender, substance, group, route, mode, language, free, open now or at."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(_("Filters"))
        self.near = place_box(_("Near place"))
        self.age = age_box(_("Client age"), _("Any age"))
        self.gender = gender_box(_("Gender"), _("Any gender"))
        self.categories = code_list("category", _("Categories"))
        self.substances = code_list("substance", _("Substances"))
        self.groups = code_list("client_group", _("Client groups"))
        self.routes = code_list("referral_route", _("Referral routes"))
        self.modes = code_list("delivery_mode", _("Delivery modes"))
        self.language = _narrow(QComboBox())
        self.language.setAccessibleName(_("Language spoken"))
        self.language.addItem(_("Any language"), ANY)
        for lang in LANGUAGES.values():
            if lang.code != "en":
                name = f"{lang.native_name} ({_(lang.english_name)})"
                self.language.addItem(name, lang.code)
                self.language.setItemData(self.language.count() - 1, name, LABEL_ROLE)
        self.free = QCheckBox(_("Free"))
        self.open_now = QCheckBox(_("Open now"))
        self.open_at = QCheckBox(_("Open at:"))
        self.open_at_time = QDateTimeEdit(_qt_moment(uk_now()))
        # Before the format: Qt lays a right-to-left editor's sections out mirrored, and
        # reads 10:49 as "49:10" there; a date and a time read left to right in every language.
        self.open_at_time.setLayoutDirection(Qt.LeftToRight)
        self.open_at_time.setDisplayFormat(OPEN_AT_FORMAT)
        self.open_at_time.setCalendarPopup(True)
        self.open_at_time.setAccessibleName(_("Day and time the service should be open"))
        self.open_at_time.setEnabled(False)  # until "Open at" is ticked: a time alone filters nothing
        # A record that does not say stays in the list, marked "check": tell the worker so
        unsure = _("Services whose record does not say are kept, after the others, and marked “check”.")
        for tick_box in (self.free, self.open_now, self.open_at):
            tick_box.setToolTip(unsure)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.counts.setAccessibleName(_("What the filters did"))
        self.counts_box = QGroupBox(_("What the filters did"))
        QVBoxLayout(self.counts_box).addWidget(self.counts)
        self.counts_box.hide()

        basics = QFormLayout()
        # a narrow column (or 200% zoom) puts each field under its label rather than cutting it
        basics.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        basics.addRow(_("&Near:"), self.near)
        basics.addRow(_("A&ge:"), self.age)
        basics.addRow(_("G&ender:"), self.gender)
        basics.addRow(_("&Language:"), self.language)
        basics.addRow(self.free)
        basics.addRow(self.open_now)
        basics.addRow(self.open_at, self.open_at_time)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(basics)
        layout.addWidget(self.counts_box)
        for key, (title, _field) in LIST_FILTERS.items():
            box = QGroupBox(_(title))
            inner = QVBoxLayout(box)
            inner.setContentsMargins(4, 4, 4, 4)
            inner.addWidget(self.lists()[key])
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
        self.age.valueChanged.connect(self.changed)
        for choice in (self.gender, self.language):
            choice.currentIndexChanged.connect(self.changed)
        # "open now" and "open at" ask the same thing of two moments: ticking one unticks the other
        self.open_now.toggled.connect(self._open_now_toggled)
        self.open_at.toggled.connect(self._open_at_toggled)
        for tick_box in (self.free, self.open_now, self.open_at):
            tick_box.toggled.connect(self.changed)
        self.open_at_time.dateTimeChanged.connect(self._open_at_moved)
        for tick_list in self.lists().values():
            tick_list.itemChanged.connect(self.changed)
        self.categories.itemChanged.connect(self._update_topic)

    def lists(self) -> dict[str, QListWidget]:
        """The tick lists by state key (categories, substances, groups, routes, modes)."""
        return {
            "categories": self.categories,
            "substances": self.substances,
            "groups": self.groups,
            "routes": self.routes,
            "modes": self.modes,
        }

    def _open_now_toggled(self, on: bool) -> None:
        if on:
            self.open_at.setChecked(False)

    def _open_at_moved(self) -> None:
        if self.open_at.isChecked():  # an unticked time filters nothing: no new search
            self.changed.emit()

    def _open_at_toggled(self, on: bool) -> None:
        self.open_at_time.setEnabled(on)
        if on:
            self.open_now.setChecked(False)

    def _anywhere(self) -> None:
        # a typed place leaves the choice on "Anywhere", so choosing it again would keep the text
        self.near.setCurrentIndex(0)
        self.near.setEditText(self.near.itemText(0))

    def _update_topic(self) -> None:
        self.topic_button.setEnabled(len(checked_codes(self.categories)) == 1)

    def show_counts(
        self,
        filter_counts: dict[str, tuple[int, int, int]],
        option_counts: dict[str, dict[str, tuple[int, int]]] | None = None,
    ) -> None:
        """Show what the filters did, and what each list option would do.

        Per active filter, how many services are known to fit, not stated and left out (none:
        the box is hidden); after each list option, what ticking it would keep (none: the bare labels).
        """
        lines = counts_lines(filter_counts)
        self.counts.setText("\n".join(lines))
        self.counts_box.setVisible(bool(lines))
        self._show_option_counts(option_counts or {})

    def _show_option_counts(self, option_counts: dict[str, dict[str, tuple[int, int]]]) -> None:
        """Put after each list option what ticking it would keep (known, and "to check"); none given: the bare labels."""
        for key, widget in self.lists().items():
            counts = option_counts.get(OPTION_FIELDS[key], {})
            widget.blockSignals(True)  # new words on an item are not a new tick: no search
            for i in range(widget.count()):
                item = widget.item(i)
                found = counts.get(item.data(Qt.ItemDataRole.UserRole))
                item.setText(option_text(item.data(LABEL_ROLE), found))
                item.setToolTip(option_tip(item.data(DESCRIPTION_ROLE) or "", found))
            widget.blockSignals(False)
            if isinstance(widget, FittedList):  # a longer label may wrap to another line: the list grows to fit
                widget.doItemsLayout()
                widget.fit_height()
        for field, box in (("gender", self.gender), ("languages", self.language)):
            counts = option_counts.get(field, {})
            for i in range(1, box.count()):  # the first choice is "any"
                found = counts.get(box.itemData(i))
                box.setItemText(i, option_text(box.itemData(i, LABEL_ROLE), found))
                box.setItemData(i, option_tip("", found) or None, Qt.ItemDataRole.ToolTipRole)

    def open_at_moment(self) -> datetime | None:
        """The moment "Open at" asks about (UK wall clock, to the minute), or None when it is not ticked."""
        if not self.open_at.isChecked():
            return None
        chosen = self.open_at_time.dateTime()
        day, clock = chosen.date(), chosen.time()
        # date and time as shown, never through a time zone: the picker holds UK wall-clock time
        return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())

    def set_open_at(self, moment: datetime | None) -> None:
        """Tick "Open at" for ``moment`` (UK wall clock), or untick it for None."""
        if moment is not None:
            self.open_at_time.setDateTime(_qt_moment(moment))
        self.open_at.setChecked(moment is not None)

    def state(self) -> dict:
        """The panel's values as plain data."""
        return {
            "near": place_text(self.near),
            "age": age_value(self.age),
            "gender": self.gender.currentData() or None,
            "language": self.language.currentData() or None,
            "free": self.free.isChecked(),
            "open_now": self.open_now.isChecked(),
            "open_at": self.open_at_moment(),
            **{key: checked_codes(widget) for key, widget in self.lists().items()},
        }

    def active_filters(self) -> list[ActiveFilter]:
        """Every filter in use, in the panel's order, named as the chips show it ("Near: Rugby")."""
        state = self.state()
        found = []
        if state["near"]:
            found.append(ActiveFilter("near", None, _("Near: {place}").format(place=state["near"]), None))
        if state["age"] is not None:
            found.append(ActiveFilter("age", None, _("Age: {age}").format(age=state["age"]), "age"))
        if state["gender"]:
            text = _("Gender: {gender}").format(gender=self.gender.currentData(LABEL_ROLE))
            found.append(ActiveFilter("gender", None, text, "gender"))
        if state["language"]:
            text = _("Language: {language}").format(language=self.language.currentData(LABEL_ROLE))
            found.append(ActiveFilter("language", None, text, "languages"))
        if state["free"]:
            found.append(ActiveFilter("free", None, _("Free"), "free"))
        if state["open_now"]:
            found.append(ActiveFilter("open_now", None, _("Open now"), "open_at"))
        if state["open_at"] is not None:
            text = _("Open at: {moment}").format(moment=moment_text(state["open_at"]))
            found.append(ActiveFilter("open_at", None, text, "open_at"))
        for key, (title, field) in LIST_FILTERS.items():
            widget = self.lists()[key]
            for i in range(widget.count()):
                item = widget.item(i)
                if item.checkState() == Qt.CheckState.Checked:
                    text = _("{filter}: {choice}").format(filter=_(title), choice=item.data(LABEL_ROLE))
                    found.append(ActiveFilter(key, item.data(Qt.ItemDataRole.UserRole), text, field))
        return found

    def clear_filter(self, key: str, code: str | None = None) -> None:
        """Stop using one filter (for a list, untick ``code``); the panel then says it changed once."""
        if key in LIST_FILTERS:
            widget = self.lists()[key]
            for i in range(widget.count()):
                if widget.item(i).data(Qt.ItemDataRole.UserRole) == code:
                    widget.item(i).setCheckState(Qt.CheckState.Unchecked)
            return
        clear = {
            "near": self._anywhere,
            "age": lambda: self.age.setValue(-1),
            "gender": lambda: self.gender.setCurrentIndex(0),
            "language": lambda: self.language.setCurrentIndex(0),
            "free": lambda: self.free.setChecked(False),
            "open_now": lambda: self.open_now.setChecked(False),
            "open_at": lambda: self.open_at.setChecked(False),
        }
        clear[key]()

    def reset(self) -> None:
        """Back to no filters."""
        self.start_afresh(keep_place=False)

    def start_afresh(self, categories: Sequence[str] = (), *, open_now: bool = False, keep_place: bool = True) -> None:
        """Every filter cleared (but the place, unless ``keep_place`` is False), then ``categories`` ticked: one change."""
        self.blockSignals(True)
        if not keep_place:
            self._anywhere()
        self.age.setValue(-1)
        self.gender.setCurrentIndex(0)
        self.language.setCurrentIndex(0)
        self.free.setChecked(False)
        self.open_now.setChecked(False)
        self.open_at.setChecked(False)
        for widget in self.lists().values():
            clear_checks(widget)
        for i in range(self.categories.count()):
            item = self.categories.item(i)
            if item.data(Qt.UserRole) in categories:
                item.setCheckState(Qt.Checked)
        self.open_now.setChecked(open_now)
        self.blockSignals(False)
        self._update_topic()
        self.changed.emit()
