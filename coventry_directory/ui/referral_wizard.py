"""The referral wizard: one client summary → each service's own fields → you and consent → review and send → print.

Opened from a service's details (one service) or from the shortlist (several services,
one summary). All checking, printing and sending is done by ``referrals.desk``; this module
only moves between steps. What was typed stays in the widgets until the dialog closes,
whatever the checks say. Nothing here logs anything about the client.

- The steps are built in ``ui/referral_pages.py`` (summary, questions, consent), ``ui/referral_send.py``
  (review, and Send: queued in the encrypted outbox first, sent in a worker thread, never
  twice) and ``ui/referral_print.py`` (print, or save a PDF where the worker chooses).
- Each step opens with the keyboard focus in its first field (never on the scrolling page
  around it), and a step's checks are made on that step: what the services' forms require
  of the summary is reported on the summary, not a step later.
- A double click on any of the wizard's buttons is one click.
- The worker's own details are remembered for next time when they leave the box ticked
  (``referrals.referrer_memory``); the client's never are.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.models import Service
from coventry_directory.i18n import N_, _
from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.forms import form_for
from coventry_directory.referrals.models import ReferralForm, Referrer
from coventry_directory.referrals.referrer_memory import remembered_referrer
from coventry_directory.referrals.validate import (
    reference_errors,
    referrer_errors,
    summary_requirements,
    validate_fields,
    validate_summary,
)
from coventry_directory.ui.form_widgets import SingleClicks, field_value, is_empty
from coventry_directory.ui.referral_pages import WizardPages
from coventry_directory.ui.referral_print import PrintStep
from coventry_directory.ui.referral_send import ReviewAndSend
from coventry_directory.ui.window_geometry import fit_to_screen

STEPS = (
    N_("Client summary"),
    N_("Each service's questions"),
    N_("Your details and consent"),
    N_("Review and send"),
    N_("Print or save"),
)
SUMMARY, QUESTIONS, CONSENT, REVIEW, PRINT = range(len(STEPS))


class ReferralWizard(WizardPages, ReviewAndSend, PrintStep, QDialog):
    """Make referrals to one or more services from one client summary.

    ``referrer`` fills in the worker's details; without it they come from last time, if
    remembered. ``sent`` carries the Outcomes once a send has ended (or stopped being waited for).
    """

    sent = Signal(list)

    def __init__(
        self,
        services: list[Service],
        desk: ReferralDesk,
        *,
        referrer: Referrer | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.services, self.desk = list(services), desk
        self.handed_over = False
        self.setWindowTitle(_("Make a referral") if len(services) == 1 else _("Make referrals"))
        self.setAccessibleName(self.windowTitle())
        fit_to_screen(self, 760, 680)

        self.step_label = QLabel()
        font = self.step_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.step_label.setFont(font)
        self.errors = QLabel()
        self.errors.setWordWrap(True)
        # A framed box in the window's own colours (readable in a dark theme), bold for weight.
        self.errors.setFrameShape(QLabel.Box)
        self.errors.setMargin(6)
        self.errors.setAccessibleName(_("Problems to fix"))
        self.errors.setFocusPolicy(Qt.TabFocus)  # focus lands here when a problem names no field
        self.errors.hide()
        self.stack = QStackedWidget()
        pages = (
            self._summary_page(),
            self._services_page(),
            self._consent_page(referrer if referrer is not None else remembered_referrer(desk.user_store)),
            self._review_page(),
            self._print_page(),
        )
        self.scrolls: list[QScrollArea] = []
        for page in pages:
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            scroll.setFocusPolicy(Qt.NoFocus)  # Tab and typing go to the fields, never the page around them
            self.scrolls.append(scroll)
            self.stack.addWidget(scroll)

        self.back_button = QPushButton(_("&Back"))
        self.next_button = QPushButton(_("&Next"))
        self.next_button.setDefault(True)
        self.close_button = QPushButton(_("&Close"))
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.step_label)
        layout.addWidget(self.errors)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.single_clicks = SingleClicks(self)
        self.single_clicks.guard(*self.findChildren(QAbstractButton))  # once every button has its parent
        self._show_step(SUMMARY)

    # --- moving between steps ---------------------------------------------------
    def _show_step(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.step_label.setText(
            _("Step {n} of {total}: {name}").format(n=index + 1, total=len(STEPS), name=_(STEPS[index]))
        )
        # Queued referrals are not changed: the steps before the review stay put.
        self.back_button.setEnabled(index > 0 and not (self.queued and index <= REVIEW))
        self.next_button.setVisible(index < PRINT)
        if index == CONSENT:
            self._show_statements()
        elif index == REVIEW:
            self._prepare_all()
        elif index == PRINT:
            self._fill_print_page()
        self._focus(self.first_field(index))

    def first_field(self, index: int) -> QWidget:
        """Where the keyboard focus goes when a step opens: its first field.

        On the consent step, the first of your details still empty, else your case
        reference (details remembered from last time need no retyping). On the review step,
        Send when it can be pressed; on the last, Print.
        """
        if index == CONSENT:
            return next((w for w in self.referrer_fields.values() if is_empty(w)), self.reference)
        if index == REVIEW:
            return self.send_button if self.send_button.isEnabled() else self.next_button
        if index == PRINT:
            return self.print_button if self.print_button.isEnabled() else self.close_button
        inputs = self.step_inputs(index)
        return inputs[0] if inputs else self.next_button

    def _focus(self, widget: QWidget) -> None:
        widget.setFocus(Qt.OtherFocusReason)
        scroll = self.scrolls[self.stack.currentIndex()]
        if scroll.widget().isAncestorOf(widget):
            scroll.ensureWidgetVisible(widget)

    def showEvent(self, event) -> None:  # Qt API
        """On opening, the focus is in the current step's first field (typing goes there at once)."""
        super().showEvent(event)
        if not self.errors.isVisible():
            self._focus(self.first_field(self.stack.currentIndex()))

    def _show_errors(self, errors: list[tuple[QWidget | None, str]]) -> bool:
        for widget in self._all_inputs():
            widget.setStyleSheet("")
            widget.setAccessibleDescription("")
        if not errors:
            self.errors.hide()
            return True
        self.errors.setText("\n".join(f"• {message}" for _w, message in dict.fromkeys(errors)))
        self.errors.show()
        for widget, message in errors:
            if widget is not None:
                # A thicker frame in the theme's own text colour: visible on light and dark palettes alike.
                widget.setStyleSheet("border: 2px solid palette(text);")
                widget.setAccessibleDescription(message)  # read out by screen readers on focus
        # The field nearest the top of the form first, whatever order the checks ran in.
        order = {w: i for i, w in enumerate(self._all_inputs() + self.step_inputs(CONSENT))}
        named = [w for w, _m in errors if w is not None]
        self._focus(min(named, key=lambda w: order.get(w, len(order))) if named else self.errors)
        return False

    def _all_inputs(self) -> list[QWidget]:
        widgets = list(self.summary_fields.values()) + list(self.referrer_fields.values()) + [self.reference]
        return widgets + [w for fields in self.answer_fields.values() for w in fields.values()]

    def _page_errors(self, index: int) -> list[tuple[QWidget | None, str]]:
        if index == SUMMARY:
            summary = self.summary()
            found = validate_summary(summary)
            found += summary_requirements(summary, [(s, form_for(s, self.desk.forms)) for s in self.services])
            return [(self.summary_fields.get(e.field), e.message) for e in found]
        if index == QUESTIONS:
            out = []
            for svc in self.services:
                form = self.form_for_service(svc)
                fields = {**self.summary_fields, **self.answer_fields[svc.id]}
                out += [
                    (fields.get(e.field), f"{svc.name}: {e.message}")
                    for e in validate_fields(form, svc, form_for(svc, self.desk.forms))
                    if not e.field.startswith("referrer.") and e.field != "local_reference"
                ]  # the referrer and the case reference come on the next step
            return out
        if index != CONSENT:
            return []
        out = [(self.referrer_fields.get(e.field.split(".")[-1]), e.message) for e in referrer_errors(self.referrer())]
        form = ReferralForm(summary=self.summary(), local_reference=self.local_reference())
        out += [(self.reference, e.message) for e in reference_errors(form)]
        if not self.statement_shown.isChecked():
            out.append((self.statement_shown, _("Show or read out the information-sharing statement first.")))
        if not any(box.isChecked() for box in self.consent_boxes.values()):
            out.append((None, _("Without the person's consent to at least one service there is nothing to send.")))
        return out

    def go_next(self) -> None:
        """Check this step; move on only when it is right (nothing typed is ever cleared)."""
        index = self.stack.currentIndex()
        if index >= PRINT or not self._show_errors(self._page_errors(index)):
            return
        if index == CONSENT:
            self._keep_or_forget_details()
        self._show_step(index + 1)

    def go_back(self) -> None:
        """Back one step, keeping everything typed."""
        self._show_errors([])
        self._show_step(max(self.stack.currentIndex() - 1, 0))

    def has_unsaved_input(self) -> bool:
        """True when something was typed and nothing has been sent, queued, printed or saved yet."""
        typed = any(field_value(w) for w in self.summary_fields.values())
        return typed and not self.handed_over

    def reject(self) -> None:  # Qt API: Esc and Close come here
        """Close, after asking first if anything typed would be lost."""
        if (
            self.has_unsaved_input()
            and QMessageBox.question(self, _("Discard referral?"), _("Close and discard what you have typed?"))
            != QMessageBox.Yes
        ):
            return
        super().reject()
