"""The referral wizard's first three steps: the client summary, each service's questions, you and consent.

:class:`WizardPages` is mixed into :class:`~coventry_directory.ui.referral_wizard.ReferralWizard`,
which provides ``services`` and ``desk``. Every label, risk and question is shown through
``_()`` (the English text is the msgid: ``referrals.models``, ``referrals.form_words``).

The worker's own details are filled in from last time when they chose to have them
remembered (``referrals.referrer_memory``): only those five fields, never anything about
the person referred, and the step says so.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.core.models import Service
from coventry_directory.core.taxonomy import vocabularies
from coventry_directory.i18n import _
from coventry_directory.i18n.formatting import list_separator
from coventry_directory.referrals.consent import CONSENT_METHODS, record_consent, sharing_statement
from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.forms import form_for
from coventry_directory.referrals.models import (
    REFERRER_LABELS,
    RISKS,
    SUMMARY_FIELDS,
    ClientSummary,
    ReferralForm,
    Referrer,
)
from coventry_directory.referrals.referrer_memory import forget_referrer, remember_referrer
from coventry_directory.referrals.validate import MAX_TEXT
from coventry_directory.ui.form_widgets import check_list, field_form, field_value, make_field, set_field_value
from coventry_directory.ui.text_limit import add_counts

_MULTILINE = {"pattern_of_use", "risk_notes", "wants", "address"}


class WizardPages:
    """The summary, questions and consent steps of the referral wizard (a mixin for ReferralWizard)."""

    services: list[Service]
    desk: ReferralDesk

    # --- step 1: the client summary -------------------------------------------------
    def _summary_page(self) -> QWidget:
        page = QWidget()
        self.summary_fields: dict[str, QWidget] = {}
        labels = {name: _(label) for name, label in SUMMARY_FIELDS.items()}
        for name, label in labels.items():
            if name == "substances":
                vocab = vocabularies()["substance"]
                # every option whole, labels wrapped (ui.fitted_list): the page scrolls, never the list sideways
                widget = check_list({t.code: _(t.name) for t in vocab.terms}, label, fit=True)
            elif name == "risks":
                widget = check_list({code: _(text) for code, text in RISKS.items()}, label, fit=True)
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
        form = field_form(self.summary_fields, labels)
        multiline = [w for w in self.summary_fields.values() if isinstance(w, QPlainTextEdit)]
        self.text_counts = add_counts(form, multiline, MAX_TEXT)
        layout.addLayout(form)
        return page

    # --- step 2: each service's own questions -------------------------------------------
    def _services_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.answer_fields: dict[str, dict[str, QWidget]] = {}
        for svc in self.services:
            definition = form_for(svc, self.desk.forms)
            box = QGroupBox(f"{svc.name} — {definition.heading}")
            box.setAccessibleName(svc.name)
            inner = QVBoxLayout(box)
            takes = QLabel(
                _("This form takes: {fields}.").format(
                    fields=list_separator().join(definition.label(f) for f in definition.fields)
                )
            )
            takes.setWordWrap(True)
            inner.addWidget(takes)
            route = svc.email if svc.email and definition.email else _("cannot be emailed — print the PDF instead")
            inner.addWidget(QLabel(_("Email: {route}").format(route=route)))
            fields = {q.name: make_field(q.kind, f"{svc.name}: {_(q.label)}") for q in definition.questions}
            inner.addLayout(
                field_form(fields, {q.name: _(q.label) + (" *" if q.required else "") for q in definition.questions})
            )
            self.answer_fields[svc.id] = fields
            layout.addWidget(box)
        layout.addStretch(1)
        return page

    # --- step 3: you, your case reference, consent --------------------------------------
    def _consent_page(self, referrer: Referrer | None) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        labels = {key: _(text) for key, text in REFERRER_LABELS.items()}
        self.referrer_fields = {k: make_field("text", v) for k, v in labels.items()}
        for key, widget in self.referrer_fields.items():
            set_field_value(widget, getattr(referrer or Referrer(), key))
        box = QGroupBox(_("Your details"))
        inner = QVBoxLayout(box)
        inner.addLayout(field_form(self.referrer_fields, labels))
        self.memory_note = QLabel(
            _("Only your own details are remembered, on this computer; nothing about the person you refer.")
        )
        self.memory_note.setWordWrap(True)
        self.remember = QCheckBox(_("&Remember my details on this computer for next time"))
        self.remember.setChecked(True)
        self.forget_button = QPushButton(_("&Forget my details"))
        self.forget_button.setToolTip(_("Delete your remembered details from this computer and empty these fields"))
        self.forget_button.clicked.connect(self.forget_my_details)
        row = QHBoxLayout()
        row.addWidget(self.remember, 1)
        row.addWidget(self.forget_button)
        inner.addLayout(row)
        inner.addWidget(self.memory_note)
        layout.addWidget(box)

        self.reference = QLineEdit()
        self.reference.setAccessibleName(_("Your case reference (optional)"))
        reference_note = QLabel(
            _(
                "Your own case number, to find this referral in the follow-up list. It is kept in the referral "
                "log on this computer: never the person's name, date of birth or NHS number."
            )
        )
        reference_note.setWordWrap(True)
        reference_form = QFormLayout()
        reference_label = QLabel(_("Your case reference (optional)"))
        reference_label.setBuddy(self.reference)
        reference_form.addRow(reference_label, self.reference)
        reference_form.addRow(reference_note)
        layout.addLayout(reference_form)

        layout.addWidget(QLabel(_("Show or read out each information-sharing statement before asking for consent:")))
        self.statements = QTextBrowser()
        self.statements.setAccessibleName(_("Information-sharing statements"))
        layout.addWidget(self.statements, 1)
        self.referrer_fields["organisation"].textChanged.connect(self._show_statements)
        self.statement_shown = QCheckBox(_("I have shown or read out the statement(s) above"))
        layout.addWidget(self.statement_shown)
        self.consent_method = QComboBox()
        for code, text in CONSENT_METHODS.items():
            self.consent_method.addItem(_(text), code)
        self.consent_method.setAccessibleName(_("How consent was given"))
        method = QFormLayout()
        method.addRow(_("How consent was given"), self.consent_method)
        layout.addLayout(method)
        self.consent_boxes: dict[str, QCheckBox] = {}
        for svc in self.services:
            consent = QCheckBox(
                _("The person explicitly agrees to share the details listed with {service}").format(service=svc.name)
            )
            self.consent_boxes[svc.id] = consent
            layout.addWidget(consent)
        return page

    def _show_statements(self) -> None:
        """Each service's statement as it is recorded (English), and in the app's language when that differs."""
        org = self.referrer().organisation
        parts = []
        for svc in self.services:
            definition = form_for(svc, self.desk.forms)
            recorded = sharing_statement(svc, definition, org)
            parts.append(f"— {svc.name} —\n{recorded}")
            shown = sharing_statement(svc, definition, org, translated=True)
            if shown != recorded:
                heading = _("The same statement in the language the app is shown in (the English above is the record):")
                parts.append(f"{heading}\n{shown}")
        self.statements.setPlainText("\n\n".join(parts))

    def forget_my_details(self) -> None:
        """Delete the remembered details and empty the fields (another worker may be at this computer)."""
        forget_referrer(self.desk.user_store)
        for widget in self.referrer_fields.values():
            set_field_value(widget, "")
        self.remember.setChecked(False)
        self.memory_note.setText(_("Your details are no longer remembered on this computer."))
        self.referrer_fields["name"].setFocus()

    def _keep_or_forget_details(self) -> None:
        """On leaving the step: remember the details checked there, or forget them, as the box says."""
        if self.remember.isChecked():
            remember_referrer(self.desk.user_store, self.referrer())
        else:
            forget_referrer(self.desk.user_store)

    # --- reading the widgets ----------------------------------------------------
    def summary(self) -> ClientSummary:
        """The summary as typed so far."""
        return ClientSummary.from_dict({n: field_value(w) for n, w in self.summary_fields.items()})

    def referrer(self) -> Referrer:
        """The referrer as typed."""
        return Referrer.from_dict({k: field_value(w) for k, w in self.referrer_fields.items()})

    def local_reference(self) -> str:
        """The worker's own case reference, as typed (stripped)."""
        return self.reference.text().strip()

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
        return ReferralForm(
            service=svc.id,
            summary=self.summary(),
            referrer=referrer,
            consent=consent,
            answers=answers,
            local_reference=self.local_reference(),
        )

    def step_inputs(self, index: int) -> list[QWidget]:
        """The inputs of one step, in the order they are filled in."""
        if index == 0:
            return list(self.summary_fields.values())
        if index == 1:
            return [w for fields in self.answer_fields.values() for w in fields.values()]
        if index == 2:
            return [
                *self.referrer_fields.values(),
                self.reference,
                self.statement_shown,
                self.consent_method,
                *self.consent_boxes.values(),
            ]
        return []
