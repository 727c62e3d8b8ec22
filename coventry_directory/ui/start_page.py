"""The start page: what the results area shows before anything is searched for.

An alphabetical list starting at "Adfam" tells a new worker nothing. This page offers the
tasks the source documents say people come for (naloxone, needle exchange, help for a
young person, for a family, what is open now, meetings today), says how to search in the
client's own words, and dates the directory. Choosing a task only sets the search's own
filters (the main window applies them, so the chips and counts show what was set); the
page holds no search logic. "Browse all services" shows the whole list, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from coventry_directory.i18n import N_, _
from coventry_directory.i18n.formatting import format_long_date, format_number
from coventry_directory.ui.flow_layout import FlowLayout
from coventry_directory.ui.wrapping_button import WrappingButton


@dataclass(frozen=True)
class StartTask:
    """One common task: the filters it sets, and whether it needs a place to be useful."""

    key: str
    label: str  # N_() text
    categories: tuple[str, ...] = ()
    open_now: bool = False
    needs_place: bool = False  # "near…": the Near box is focused when it is empty
    meetings: bool = False  # opens the meetings list instead of searching


TASKS: tuple[StartTask, ...] = (
    StartTask("naloxone", N_("Naloxone near…"), ("naloxone",), needs_place=True),
    StartTask("needle-exchange", N_("Needle exchange near…"), ("needle-syringe",), needs_place=True),
    StartTask("adult-treatment", N_("Drug or alcohol treatment near…"), ("treatment-adult",), needs_place=True),
    StartTask("young-person", N_("Help for a young person"), ("young-people",)),
    StartTask("family", N_("Support for family and carers"), ("family-carers",)),
    StartTask("open-now", N_("What's open now"), open_now=True),
    StartTask("meetings", N_("Mutual aid meetings today"), meetings=True),
)


def edition_line(edition: str, count: int) -> str:
    """'Directory edition 2 December 2026 · 123 services · every record shows its sources' (status bar, start page)."""
    return _("Directory edition {edition} · {count} services · every record shows its sources").format(
        edition=format_long_date(edition), count=format_number(count)
    )


class StartPage(QWidget):
    """Common tasks as buttons, how to search, and the edition with What's new and Browse all."""

    task_chosen = Signal(object)  # a StartTask
    browse = Signal()
    whats_new = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(_("Start page"))
        title = QLabel()
        # a heading in rich text grows with the app's font (a font set here would not follow zoom)
        title.setTextFormat(Qt.RichText)
        title.setText("<h2>" + escape(_("What does the client need?")) + "</h2>")
        title.setWordWrap(True)
        # the tasks wrap onto as many rows as the pane's width takes (a fixed grid of two ran
        # off a narrow pane at 150% scaling, and the page scrolled sideways)
        grid = FlowLayout()
        self.buttons: dict[str, QPushButton] = {}
        for task in TASKS:
            button = WrappingButton(_(task.label))  # a long translation wraps, never widens the page
            button.setAccessibleName(_(task.label).rstrip("…"))
            button.clicked.connect(lambda _checked=False, t=task: self.task_chosen.emit(t))
            grid.addWidget(button)
            self.buttons[task.key] = button
        # The examples are searches, typed in English; as placeholders each is isolated from the
        # text around it, so in Arabic or Urdu its quotation marks stay where they belong.
        how = QLabel(
            _(
                "Or type what the client says in the search box above, in their words or yours: "
                "“{first}”, “{second}”, “{third}”. "
                "Under “Who can I refer?”, the client's age, place and circumstances show who can take them."
            ).format(first="needle exchange Bedworth", second="alcohol 16 year old", third="my son smokes weed")
        )
        how.setWordWrap(True)
        self.edition = QLabel()
        self.edition.setWordWrap(True)
        self.whats_new_button = WrappingButton(_("What's new in this edition…"))
        self.whats_new_button.clicked.connect(self.whats_new)
        self.browse_button = WrappingButton(_("Browse all services"))
        self.browse_button.clicked.connect(self.browse)
        below = FlowLayout()
        below.addWidget(self.browse_button)
        below.addWidget(self.whats_new_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(grid)
        layout.addSpacing(8)
        layout.addWidget(how)
        layout.addSpacing(8)
        layout.addWidget(self.edition)
        layout.addLayout(below)
        layout.addStretch(1)
        for label in (title, how, self.edition):
            label.setTextInteractionFlags(Qt.TextSelectableByMouse)

    def set_edition(self, edition: str, count: int) -> None:
        """Date and count the directory, in the status bar's words."""
        self.edition.setText(edition_line(edition, count))

    def first_button(self) -> QPushButton:
        """Where the keyboard lands when the page is shown."""
        return self.buttons[TASKS[0].key]
