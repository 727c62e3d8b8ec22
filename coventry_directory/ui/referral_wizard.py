"""The referral wizard: one client summary → each service's own fields → consent → review → send or print.

Opened from a service's details (one service) or from the shortlist (several services,
one summary). All checking, printing and sending is done by ``referrals.desk``; this module
only lays out widgets and moves between steps. What was typed stays in the widgets until the
dialog closes, whatever the checks say. Nothing here logs anything about the client.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
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
from coventry_directory.referrals import crypto
from coventry_directory.referrals.consent import CONSENT_METHODS, record_consent, sharing_statement
from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.forms import form_for
from coventry_directory.referrals.models import RISKS, SUMMARY_FIELDS, ClientSummary, ReferralForm, Referrer
from coventry_directory.referrals.outbox import Outbox
from coventry_directory.referrals.review import review_html
from coventry_directory.referrals.validate import referrer_errors, validate_fields, validate_summary
from coventry_directory.ui.form_widgets import check_list, field_form, field_value, make_field, set_field_value

STEPS = (N_("Client summary"), N_("Each service's questions"), N_("Consent"), N_("Review and send"))
_MULTILINE = {"pattern_of_use", "risk_notes", "wants", "address"}
_ERROR_STYLE = "border: 2px solid #8b0000;"


class ReferralWizard(QDialog):
    """Make referrals to one or more services from one client summary."""

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
        self.prepared = []
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
        layout.addLayout(field_form(self.summary_fields, SUMMARY_FIELDS))
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

    def _review_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.review = QTextBrowser()
        self.review.setAccessibleName(_("Review"))
        layout.addWidget(self.review, 1)
        self.send_button = QPushButton(_("&Send (or keep in the outbox)"))
        self.send_button.clicked.connect(self.send_all)
        self.pdf_choice = QComboBox()
        self.pdf_choice.setAccessibleName(_("Referral to save as PDF"))
        self.pdf_button = QPushButton(_("Save &PDF…"))
        self.pdf_button.clicked.connect(self._ask_pdf_path)
        row = QHBoxLayout()
        for widget in (self.send_button, self.pdf_choice, self.pdf_button):
            row.addWidget(widget)
        layout.addLayout(row)
        self.results = QLabel()
        self.results.setWordWrap(True)
        self.results.setAccessibleName(_("What happened"))
        layout.addWidget(self.results)
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
        self.back_button.setEnabled(index > 0)
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

    # --- review, sending, printing ----------------------------------------------
    def _prepare_all(self) -> None:
        consented = [s for s in self.services if self.consent_boxes[s.id].isChecked()]
        self.prepared = [self.desk.prepare(self.form_for_service(s), s) for s in consented]
        skipped = [s.name for s in self.services if s not in consented]
        self.review.setHtml(review_html(self.prepared, skipped))
        self.pdf_choice.clear()
        for ref in self.prepared:
            self.pdf_choice.addItem(ref.service.name, ref.id)
        ready = [r for r in self.prepared if r.ok]
        self.send_button.setEnabled(any(r.can_email for r in ready))
        self.pdf_button.setEnabled(bool(ready))
        self.results.setText("")

    def _unlock_outbox(self) -> bool:
        if self.desk.outbox is not None and not self.desk.outbox.locked:
            return True
        try:  # the key may be in the OS keyring: no question to ask
            self.desk.outbox = Outbox.open(self.desk.user_store, None)
            return True
        except crypto.PassphraseNeeded:
            pass
        except crypto.OutboxKeyError as exc:
            QMessageBox.warning(self, _("Outbox"), str(exc))
            return False
        new = crypto.key_mode(Outbox(self.desk.user_store).folder) is None
        prompt = (
            _("Choose a passphrase for the encrypted outbox (8 or more characters):")
            if new
            else _("Passphrase for the encrypted outbox:")
        )
        while True:
            passphrase, ok = QInputDialog.getText(self, _("Outbox passphrase"), prompt, QLineEdit.Password)
            if not ok:
                return False
            try:
                self.desk.outbox = Outbox.open(self.desk.user_store, passphrase or None)
                return True
            except crypto.OutboxKeyError as exc:
                QMessageBox.warning(self, _("Outbox"), str(exc))

    def send_all(self) -> list:
        """Send every ready referral that can be emailed; the rest are listed for printing."""
        if self.desk.ask_password is None:
            self.desk.ask_password = self._ask_mail_password
        if not self._unlock_outbox():
            self.results.setText(_("Not sent: the outbox stayed locked. Nothing was lost; try again."))
            return []
        outcomes = [self.desk.submit(ref) for ref in self.prepared if ref.ok and ref.can_email]
        lines = [
            f"{ref.service.name}: {o.message}"
            for ref, o in zip([r for r in self.prepared if r.ok and r.can_email], outcomes, strict=True)
        ]
        lines += [f"{r.service.name}: {r.email_problem()}" for r in self.prepared if r.ok and not r.can_email]
        self.results.setText("\n".join(lines))
        self.send_button.setEnabled(False)  # sent or safely queued: a second click must not queue it twice
        return outcomes

    def _ask_mail_password(self, prompt: str) -> str | None:
        text, ok = QInputDialog.getText(self, _("Mail password"), prompt, QLineEdit.Password)
        return text if ok else None

    def save_pdf(self, referral_id: str, path: Path | str) -> Path:
        """Print one prepared referral to a PDF file."""
        ref = next(r for r in self.prepared if r.id == referral_id)
        written = self.desk.save_pdf(ref, path)
        self.results.setText(
            _("Saved {path}. It holds personal data: print it or upload it securely, then delete the file.").format(
                path=written
            )
        )
        return written

    def _ask_pdf_path(self) -> None:
        referral_id = self.pdf_choice.currentData()
        if referral_id is None:
            return
        path, _filter = QFileDialog.getSaveFileName(self, _("Save referral PDF"), "referral.pdf", "PDF (*.pdf)")
        if path:
            self.save_pdf(referral_id, path)

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
