"""Keeper mode's record form: one service's fields, eligibility codes, phones and opening hours.

Filled from the record's TOML table as the build reads it, and read back as the values a
``core.record_edit.RecordEdit`` takes: a blank field is "not known" (the key is removed,
never written empty), codes are ticked from the published vocabularies, phones and
schedules are rows. It emits ``edited`` on every change so the window can check the edit
as the keeper types. Only plain widgets: colours come from the style's palette.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.directory_records import STATUSES
from coventry_directory.core.models import CODE_FIELDS
from coventry_directory.core.record_edit import PHONE_KEYS, SCHEDULE_KEYS
from coventry_directory.core.taxonomy import Vocabulary
from coventry_directory.i18n import N_, _

LINE_FIELDS = (
    ("name", N_("Name")),
    ("alternate_name", N_("Other name")),
    ("url", N_("Web page")),
    ("email", N_("Email")),
    ("fees_description", N_("Cost")),
    ("alert", N_("Alert for workers")),
    ("evidence_date", N_("Evidence date (YYYY, YYYY-MM or YYYY-MM-DD)")),
    ("keywords", N_("Search words (comma between)")),
    ("languages", N_("Languages (codes, comma between)")),
    ("locations", N_("Location keys (comma between)")),
)
TEXT_FIELDS = (
    ("description", N_("What it does")),
    ("application_process", N_("How to get in")),
    ("eligibility_description", N_("Who it is for, in words")),
)
LIST_LINES = ("keywords", "languages", "locations")  # lists written as text, comma between
AGES = (("minimum_age", N_("Youngest age")), ("maximum_age", N_("Oldest age")))
# A record's status as HSDS writes it (the value saved), in words for the keeper.
STATUS_WORDS = {
    "active": N_("Active"),
    "inactive": N_("Inactive (not running now)"),
    "defunct": N_("Defunct (closed for good)"),
    "temporarily closed": N_("Temporarily closed"),
}
REQUIRED = {None: N_("Not stated"), True: N_("Only people in the ticked groups"), False: N_("Open to others too")}
COVERAGE = {None: N_("Not stated (local)"), "local": N_("Local"), "national": N_("National (UK-wide)")}
PHONE_HEADERS = (N_("Number"), N_("Type"), N_("Description"))
SCHEDULE_HEADERS = (  # one per core.record_edit.SCHEDULE_KEYS, in that order
    N_("Location key"),
    N_("Repeats"),
    N_("Days"),
    N_("Days of the month"),
    N_("Every"),
    N_("Opens"),
    N_("Closes"),
    N_("Description"),
    N_("Notes"),
    N_("Valid from"),  # a date; not the "From" of a source's location (sources_words), which translates apart
    N_("Valid until"),
)


class RecordForm(QTabWidget):
    """The editable parts of one service, on three tabs; ``values()`` gives them as ``RecordEdit`` takes them."""

    edited = Signal()

    def __init__(self, vocabularies: Mapping[str, Vocabulary], parent: QWidget | None = None):
        super().__init__(parent)
        self._loading = False
        self.lines: dict[str, QLineEdit] = {}
        self.texts: dict[str, QPlainTextEdit] = {}
        self.codes: dict[str, QListWidget] = {}
        record = QWidget()
        form = QFormLayout(record)
        for name, label in LINE_FIELDS[:6]:
            form.addRow(_(label), self._line(name, label))
        for name, label in TEXT_FIELDS:
            self.texts[name] = QPlainTextEdit()
            self.texts[name].setAccessibleName(_(label))
            self.texts[name].setTabChangesFocus(True)
            self.texts[name].setMinimumHeight(60)
            self.texts[name].setMaximumHeight(120)
            self.texts[name].textChanged.connect(self._changed)
            form.addRow(_(label), self.texts[name])
        self.status = self._combo({s: STATUS_WORDS.get(s, s) for s in STATUSES}, _("Status"))
        form.addRow(_("Status"), self.status)
        for name, label in LINE_FIELDS[6:]:
            form.addRow(_(label), self._line(name, label))
        self.addTab(_scrolled(record), _("Record"))
        eligibility = QWidget()
        grid = QFormLayout(eligibility)
        for name, label in AGES:
            grid.addRow(_(label), self._line(name, label))
        self.required = self._combo(REQUIRED, _("Client groups are"))
        grid.addRow(_("Client groups are"), self.required)
        self.coverage = self._combo(COVERAGE, _("Coverage"))
        grid.addRow(_("Coverage"), self.coverage)
        for field, vocab_name in CODE_FIELDS.items():
            vocab = vocabularies[vocab_name]
            box = QListWidget()
            title = _(vocab.title)  # a title or label the catalogs lack (a keeper's new one) stays as written
            box.setAccessibleName(title)
            box.setMaximumHeight(110)
            for code in vocab.codes():
                # the code too: it is what the file says, and what a keeper greps for
                item = QListWidgetItem(f"{_(vocab.label(code))} ({code})")
                item.setData(Qt.UserRole, code)
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Unchecked)
                box.addItem(item)
            box.itemChanged.connect(self._changed)
            self.codes[field] = box
            grid.addRow(title, box)
        self.addTab(_scrolled(eligibility), _("Eligibility"))
        self.phones = self._table(PHONE_HEADERS)
        self.addTab(self._with_buttons(self.phones, _("Add a phone"), _("Remove the phone")), _("Phones"))
        self.schedules = self._table(SCHEDULE_HEADERS)
        self.addTab(self._with_buttons(self.schedules, _("Add hours"), _("Remove the hours")), _("Opening hours"))

    # --- building ---------------------------------------------------------------
    def _line(self, name: str, label: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(_(label))  # what a screen reader says: the label's words, not the TOML key
        edit.textChanged.connect(self._changed)
        self.lines[name] = edit
        return edit

    def _combo(self, choices: Mapping, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for value, label in choices.items():
            combo.addItem(_(label), value)
        combo.currentIndexChanged.connect(self._changed)
        return combo

    def _table(self, headers: Sequence[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels([_(h) for h in headers])
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.itemChanged.connect(self._changed)
        return table

    def _with_buttons(self, table: QTableWidget, add: str, remove: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(table)
        row = QHBoxLayout()
        add_button, remove_button = QPushButton(add), QPushButton(remove)
        add_button.clicked.connect(lambda: self._add_row(table))
        remove_button.clicked.connect(lambda: self._remove_row(table))
        row.addWidget(add_button)
        row.addWidget(remove_button)
        row.addStretch(1)
        layout.addLayout(row)
        table.add_button, table.remove_button = add_button, remove_button  # for tests and keyboard users
        return page

    def _add_row(self, table: QTableWidget) -> None:
        table.insertRow(table.rowCount())
        table.setCurrentCell(table.rowCount() - 1, 0)
        self._changed()

    def _remove_row(self, table: QTableWidget) -> None:
        if table.currentRow() >= 0:
            table.removeRow(table.currentRow())
            self._changed()

    def _changed(self, *_args) -> None:
        if not self._loading:
            self.edited.emit()

    # --- in and out ---------------------------------------------------------------
    def load(self, record: Mapping[str, object]) -> None:
        """Show ``record`` (a service's TOML table as tomllib reads it)."""
        self._loading = True
        try:
            for name, edit in self.lines.items():
                value = record.get(name)
                edit.setText(
                    ", ".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)
                )
            for name, edit in self.texts.items():
                edit.setPlainText(str(record.get(name) or ""))
            for combo, name in (
                (self.status, "status"),
                (self.required, "groups_required"),
                (self.coverage, "coverage"),
            ):
                index = combo.findData(record.get(name))
                combo.setCurrentIndex(max(index, 0))
            self._order = {field: list(record.get(field) or []) for field in self.codes}
            for field, box in self.codes.items():
                wanted = set(record.get(field) or [])
                for i in range(box.count()):
                    item = box.item(i)
                    item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in wanted else Qt.Unchecked)
            _fill(self.phones, PHONE_KEYS, record.get("phones") or [])
            _fill(self.schedules, SCHEDULE_KEYS, record.get("schedules") or [])
        finally:
            self._loading = False

    def values(self) -> dict[str, object]:
        """The fields as ``RecordEdit.fields`` takes them (None or empty: not known)."""
        out: dict[str, object] = {}
        for name, edit in self.lines.items():
            text = edit.text().strip()
            if name in LIST_LINES:
                out[name] = [part.strip() for part in text.split(",") if part.strip()]
            elif name in dict(AGES):
                out[name] = int(text) if text.isdigit() else (text or None)  # not a number: the check says so
            else:
                out[name] = text or None
        for name, edit in self.texts.items():
            out[name] = edit.toPlainText().strip() or None
        out["status"] = self.status.currentData()
        out["groups_required"] = self.required.currentData()
        out["coverage"] = self.coverage.currentData()
        for field, box in self.codes.items():
            ticked = [
                box.item(i).data(Qt.UserRole) for i in range(box.count()) if box.item(i).checkState() == Qt.Checked
            ]
            # the record's own order first (its first category is the one lists show), then what was added
            order = getattr(self, "_order", {}).get(field, [])
            out[field] = [c for c in order if c in ticked] + [c for c in ticked if c not in order]
        return out

    def phone_rows(self) -> list[dict[str, object]]:
        """The phones as rows (``RecordEdit.phones``)."""
        return _rows(self.phones, PHONE_KEYS)

    def schedule_rows(self) -> list[dict[str, object]]:
        """The opening hours as rows (``RecordEdit.schedules``); "Every" is a whole number."""
        rows = _rows(self.schedules, SCHEDULE_KEYS)
        for row in rows:
            if isinstance(row.get("interval"), str) and row["interval"].isdigit():
                row["interval"] = int(row["interval"])
        return rows


def _scrolled(page: QWidget) -> QScrollArea:
    """``page`` in a scroll area: a long form fits a small screen (a laptop at 1366x768)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(page)
    return area


def _fill(table: QTableWidget, keys: Sequence[str], entries: Sequence[Mapping[str, object]]) -> None:
    table.setRowCount(0)
    for entry in entries:
        row = table.rowCount()
        table.insertRow(row)
        for col, key in enumerate(keys):
            value = entry.get(key)
            table.setItem(row, col, QTableWidgetItem("" if value is None else str(value)))


def _rows(table: QTableWidget, keys: Sequence[str]) -> list[dict[str, object]]:
    out = []
    for row in range(table.rowCount()):
        values = {}
        for col, key in enumerate(keys):
            item = table.item(row, col)
            text = item.text().strip() if item is not None else ""
            if text:
                values[key] = text
        if values:
            out.append(values)
    return out
