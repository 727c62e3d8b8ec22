"""The referral wizard: one client summary → each service's own fields → consent → review → send or print.

Opened from a service's details (one service) or from the shortlist (several services,
one summary). All checking, printing and sending is done by ``referrals.desk``; this module
only lays out widgets and moves between steps. What was typed stays in the widgets until the
dialog closes, whatever the checks say. Nothing here logs anything about the client.

The last step (review, send, save a PDF) is ``ui/referral_send.py``: Send queues each
referral in the encrypted outbox first, then sends in a worker thread, so the window stays
usable while a server is slow, and it can never queue the same referral twice.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.models import Service
from coventry_directory.core.taxonomy import vocabularies
from coventry_directory.i18n import N_, _
from coventry_directory.referrals.consent import CONSENT_METHODS, record_consent, sharing_statement
from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.forms import form_for
from coventry_directory.referrals.models import RISKS, SUMMARY_FIELDS, ClientSummary, ReferralForm, Referrer
from coventry_directory.referrals.validate import MAX_TEXT, referrer_errors, validate_fields, validate_summary
from coventry_directory.ui.form_widgets import check_list, field_form, field_value, make_field, set_field_value
from coventry_directory.ui.referral_send import ReviewAndSend
from coventry_directory.ui.text_limit import add_counts

STEPS = (N_("Client summary"), N_("Each service's questions"), N_("Consent"), N_("Review and send"))
_MULTILINE = {"pattern_of_use", "risk_notes", "wants", "address"}
_ERROR_STYLE = "border: 2px solid #8b0000;"


class ReferralWizard(ReviewAndSend, QDialog):
    """Make referrals to one or more services from one client summary.

    ``sent`` carries the Outcomes once a send has ended (or stopped being waited for).
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
        self.setWindowTitle(_("Make a referral") if len(services) == 1 else _("Make referrals"))
        self.setAccessibleName(self.windowTitle())
        self.resize(760, 680)

        self.step_label = QLabel()
        self.step_label.setStyleSheet("font-weight:bold;font-size:14px;")
        self.errors = QLabel()
        self.errors.setWordWrap(True)
        self.errors.setStyleSheet("color:#8b0000;background:#fdecec;padding:6px;")
        self.errors.setAccessibleName(_("Problems to fix"))
        self.errors.hide()
        self.stack = QStackedWidget()
        for page in (self._summary_page(), self._services_page(), self._consent_page(referrer), self._review_page()):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
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
        self._show_step(0)

    # --- pages ------------------------------------------------------------------
    def _summary_page(self) -> QWidget:
        page = QWidget()
        self.summary_fields: dict[str, QWidget] = {}
        for name, label in SUMMARY_FIELDS.items():
            if name == "substances":
                vocab = vocabularies()["substance"]
                widget = check_list({t.code: _(t.name) for t in vocab.terms}, label)
            elif name == "risks":
                widget = check_list(RISKS, label)
            elif name == "may_leave_message":
                widget = make_field("yesno", label)
            else:
                kind = "multiline" if name in _MULTILINE else "date" if name == "date_of_birth" else "text"
                widget = make_field(kind, label)
            self.summary_fields[name] = widget
        intro = QLabel(_("Write the person's details once; each service gets only the parts its form needs."))
        intro.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        form = field_form(self.summary_fields, SUMMARY_FIELDS)
        multiline = [w for w in self.summary_fields.values() if isinstance(w, QPlainTextEdit)]
        self.text_counts = add_counts(form, multiline, MAX_TEXT)
        layout.addLayout(form)
        return page

    def _services_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.answer_fields: dict[str, dict[str, QWidget]] = {}
        for svc in self.services:
            definition = form_for(svc, self.desk.forms)
            box = QGroupBox(f"{svc.name} — {definition.title}")
            box.setAccessibleName(svc.name)
            inner = QVBoxLayout(box)
            takes = QLabel(
                _("This form takes: {fields}.").format(fields=", ".join(definition.label(f) for f in definition.fields))
            )
            takes.setWordWrap(True)
            inner.addWidget(takes)
            route = svc.email if svc.email and definition.email else _("cannot be emailed — print the PDF instead")
            inner.addWidget(QLabel(_("Email: {route}").format(route=route)))
            fields = {q.name: make_field(q.kind, f"{svc.name}: {q.label}") for q in definition.questions}
            inner.addLayout(
                field_form(fields, {q.name: q.label + (" *" if q.required else "") for q in definition.questions})
            )
            self.answer_fields[svc.id] = fields
            layout.addWidget(box)
        layout.addStretch(1)
        return page

    def _consent_page(self, referrer: Referrer | None) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        labels = {
            "name": _("Your name"),
            "role": _("Your role"),
            "organisation": _("Your organisation"),
            "phone": _("Your phone"),
            "email": _("Your email"),
        }
        self.referrer_fields = {k: make_field("text", v) for k, v in labels.items()}
        for key, widget in self.referrer_fields.items():
            set_field_value(widget, getattr(referrer or Referrer(), key))
        box = QGroupBox(_("Referrer"))
        box.setLayout(field_form(self.referrer_fields, labels))
        layout.addWidget(box)
        layout.addWidget(QLabel(_("Show or read out each information-sharing statement before asking for consent:")))
        self.statements = QTextBrowser()
        self.statements.setAccessibleName(_("Information-sharing statements"))
        layout.addWidget(self.statements, 1)
        self.statement_shown = QCheckBox(_("I have shown or read out the statement(s) above"))
        layout.addWidget(self.statement_shown)
        self.consent_method = QComboBox()
        for code, text in CONSENT_METHODS.items():
            self.consent_method.addItem(text, code)
        self.consent_method.setAccessibleName(_("How consent was given"))
        method = QFormLayout()
        method.addRow(_("How consent was given"), self.consent_method)
        layout.addLayout(method)
        self.consent_boxes: dict[str, QCheckBox] = {}
        for svc in self.services:
            box = QCheckBox(
                _("The person explicitly agrees to share the details listed with {service}").format(service=svc.name)
            )
            self.consent_boxes[svc.id] = box
            layout.addWidget(box)
        return page

    # --- reading the widgets ----------------------------------------------------
    def summary(self) -> ClientSummary:
        """The summary as typed so far."""
        return ClientSummary.from_dict({n: field_value(w) for n, w in self.summary_fields.items()})

    def referrer(self) -> Referrer:
        """The referrer as typed."""
        return Referrer.from_dict({k: field_value(w) for k, w in self.referrer_fields.items()})

    def form_for_service(self, svc: Service) -> ReferralForm:
        """The referral form to one service, as the widgets stand."""
        referrer = self.referrer()
        consent = record_consent(
            self.consent_boxes[svc.id].isChecked(),
            method=self.consent_method.currentData(),
            referrer_name=referrer.name,
            statement_shown=self.statement_shown.isChecked(),
        )
        answers = {k: str(field_value(w)) for k, w in self.answer_fields[svc.id].items()}
        return ReferralForm(service=svc.id, summary=self.summary(), referrer=referrer, consent=consent, answers=answers)

    # --- moving between steps ---------------------------------------------------
    def _show_step(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.step_label.setText(
            _("Step {n} of {total}: {name}").format(n=index + 1, total=len(STEPS), name=_(STEPS[index]))
        )
        self.back_button.setEnabled(index > 0 and not self.queued)  # queued referrals are not changed
        self.next_button.setVisible(index < len(STEPS) - 1)
        if index == 2:
            referrer_org = self.referrer().organisation
            self.statements.setPlainText(
                "\n\n".join(
                    f"— {svc.name} —\n{sharing_statement(svc, form_for(svc, self.desk.forms), referrer_org)}"
                    for svc in self.services
                )
            )
        if index == 3:
            self._prepare_all()

    def _show_errors(self, errors: list[tuple[QWidget | None, str]]) -> bool:
        for widget in self._all_inputs():
            widget.setStyleSheet("")
            widget.setAccessibleDescription("")
        if not errors:
            self.errors.hide()
            return True
        self.errors.setText("\n".join(f"• {message}" for _w, message in errors))
        self.errors.show()
        for widget, message in errors:
            if widget is not None:
                widget.setStyleSheet(_ERROR_STYLE)
                widget.setAccessibleDescription(message)  # read out by screen readers on focus
        first = next((w for w, _m in errors if w is not None), None)
        (first or self.errors).setFocus()
        return False

    def _all_inputs(self) -> list[QWidget]:
        widgets = list(self.summary_fields.values()) + list(self.referrer_fields.values())
        return widgets + [w for fields in self.answer_fields.values() for w in fields.values()]

    def _page_errors(self, index: int) -> list[tuple[QWidget | None, str]]:
        if index == 0:
            return [(self.summary_fields.get(e.field), e.message) for e in validate_summary(self.summary())]
        if index == 1:
            out = []
            for svc in self.services:
                form = self.form_for_service(svc)
                fields = {**self.summary_fields, **self.answer_fields[svc.id]}
                out += [
                    (fields.get(e.field), f"{svc.name}: {e.message}")
                    for e in validate_fields(form, svc, form_for(svc, self.desk.forms))
                    if not e.field.startswith("referrer.")
                ]  # the referrer comes on the next step
            return out
        out = [(self.referrer_fields.get(e.field.split(".")[-1]), e.message) for e in referrer_errors(self.referrer())]
        if not self.statement_shown.isChecked():
            out.append((self.statement_shown, _("Show or read out the information-sharing statement first.")))
        if not any(box.isChecked() for box in self.consent_boxes.values()):
            out.append((None, _("Without the person's consent to at least one service there is nothing to send.")))
        return out

    def go_next(self) -> None:
        """Check this step; move on only when it is right (nothing typed is ever cleared)."""
        index = self.stack.currentIndex()
        if self._show_errors(self._page_errors(index)):
            self._show_step(index + 1)

    def go_back(self) -> None:
        """Back one step, keeping everything typed."""
        self._show_errors([])
        self._show_step(max(self.stack.currentIndex() - 1, 0))

    def has_unsaved_input(self) -> bool:
        """True when something was typed and nothing has been sent, queued or printed yet."""
        typed = any(field_value(w) for w in self.summary_fields.values())
        return typed and not self.results.text()

    def reject(self) -> None:  # Qt API: Esc and Close come here
        """Close, after asking first if anything typed would be lost."""
        if (
            self.has_unsaved_input()
            and QMessageBox.question(self, _("Discard referral?"), _("Close and discard what you have typed?"))
            != QMessageBox.Yes
        ):
            return
        super().reject()
