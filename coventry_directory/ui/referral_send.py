"""The referral wizard's review step: what each service will get, and Send (queued first, sent in a worker).

:class:`ReviewAndSend` is mixed into :class:`~coventry_directory.ui.referral_wizard.ReferralWizard`,
which provides ``desk``, ``services``, ``consent_boxes``, ``form_for_service``,
``back_button``, ``handed_over`` and the ``sent`` signal. Printing and saving a PDF are the
next step (``ui/referral_print.py``).

One send per referral, whatever is clicked: Send turns off the moment it is pressed, each
referral keeps its id across Back and Next, and once a referral is queued Send stays off
(it reads "Queued" or "Sent") and the steps before cannot be changed. A referral that
could not go yet waits, sealed, and the app's retry timer sends it when the server answers.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coventry_directory.i18n import _
from coventry_directory.referrals.desk import Outcome
from coventry_directory.referrals.outbox import FlushResult
from coventry_directory.referrals.prepare import PreparedReferral
from coventry_directory.referrals.review import review_html
from coventry_directory.ui import send_worker
from coventry_directory.ui.outbox_access import mail_password_asker, unlock_outbox


class ReviewAndSend:
    """The review step of the referral wizard (a mixin for ReferralWizard)."""

    prepared: list[PreparedReferral]
    referral_ids: dict[str, str]  # service id -> referral id, kept across Back and Next
    queued: list[PreparedReferral]  # safely in the outbox: Send stays off, the steps stay put
    runner: send_worker.SendRunner | None
    handed_over: bool  # something was queued, printed or saved: closing loses nothing

    def _review_page(self) -> QWidget:
        self.prepared, self.referral_ids, self.queued, self.runner = [], {}, [], None
        self._queue_problems: list[str] = []
        page = QWidget()
        layout = QVBoxLayout(page)
        self.review = QTextBrowser()
        self.review.setAccessibleName(_("Review"))
        layout.addWidget(self.review, 1)
        self.send_button = QPushButton(_("&Send (or keep in the outbox)"))
        self.send_button.clicked.connect(self.send_all)
        next_step = QLabel(_("Next: print the referral or save it as a PDF (the way it goes where email cannot)."))
        next_step.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.send_button)
        row.addWidget(next_step, 1)
        layout.addLayout(row)
        self.progress = send_worker.SendProgress()
        layout.addWidget(self.progress)
        self.results = QLabel()
        self.results.setWordWrap(True)
        self.results.setAccessibleName(_("What happened"))
        layout.addWidget(self.results)
        return page

    def _prepare_all(self) -> None:
        if self.queued:
            return  # what is queued is what was reviewed: the steps before cannot have changed
        consented = [s for s in self.services if self.consent_boxes[s.id].isChecked()]
        self.prepared = [
            self.desk.prepare(self.form_for_service(s), s, referral_id=self.referral_ids.get(s.id)) for s in consented
        ]
        self.referral_ids.update({r.service.id: r.id for r in self.prepared})
        skipped = [s.name for s in self.services if s not in consented]
        self.review.setHtml(review_html(self.prepared, skipped))
        ready = [r for r in self.prepared if r.ok]
        self.send_button.setEnabled(any(r.can_email for r in ready) and not self.queued and self.runner is None)
        self.results.setText("")

    def send_all(self) -> send_worker.SendRunner | None:
        """Queue every ready referral that can be emailed, then send them in a worker thread.

        Returns the running send (None when nothing was queued); ``sent`` carries the
        Outcomes when it ends. Referrals that cannot be emailed are listed for printing.
        """
        if self.queued or self.runner is not None:
            return None  # one send per referral: a second click changes nothing
        self.send_button.setEnabled(False)  # at once, before anything can fail
        if not unlock_outbox(self, self.desk):
            self.results.setText(_("Not sent: the outbox stayed locked. Nothing was lost; try again."))
            self.send_button.setEnabled(True)
            return None
        self._queue_problems = []
        for ref in [r for r in self.prepared if r.ok and r.can_email]:
            try:
                self.desk.queue(ref)
                self.queued.append(ref)
            except Exception as exc:  # a full disk, a damaged outbox: said plainly, never a traceback
                problem = _("{service}: could not be queued ({problem}); nothing in the outbox was changed.")
                self._queue_problems.append(problem.format(service=ref.service.name, problem=type(exc).__name__))
        if not self.queued:
            self.results.setText("\n".join(self._queue_problems))
            self.send_button.setEnabled(True)
            return None
        self.handed_over = True
        self.back_button.setEnabled(False)  # what is queued is what was reviewed
        self.send_button.setText(_("Queued"))
        self.results.setText(_("Queued in the encrypted outbox; sending…"))
        try:
            job = self.desk.begin_flush(
                force=True,
                only=[r.id for r in self.queued],
                ask=mail_password_asker(self),
                exclude=send_worker.in_flight(),
            )
        except Exception:  # the referrals are queued: the retry timer takes it from here
            self._send_finished(FlushResult())
            return None
        self.runner = send_worker.SendRunner(self.desk, job)
        self.runner.finished.connect(self._send_finished)
        self.progress.follow(self.runner)
        self.runner.start()
        return self.runner

    def _outcome_line(self, ref: PreparedReferral, outcome: Outcome, why: str) -> str:
        if outcome.status == "sent":
            return _("{service}: sent ({address}).").format(service=ref.service.name, address=ref.service.email)
        if outcome.status == "cannot-email":  # answered already (printed and accepted, say)
            return f"{ref.service.name}: {outcome.message}"
        return _("{service}: queued — will be sent when the server can be reached ({why}).").format(
            service=ref.service.name, why=why
        )

    def _send_finished(self, result: FlushResult) -> None:
        cancelled = self.runner is not None and self.runner.cancelled
        self.runner = None
        outcomes = [self.desk.outcome(ref, result) for ref in self.queued]
        failed = dict(result.failed)
        lines = [
            self._outcome_line(ref, o, _("you stopped waiting") if cancelled else failed.get(ref.id, _("not sent yet")))
            for ref, o in zip(self.queued, outcomes, strict=True)
        ]
        lines += self._queue_problems
        lines += [f"{r.service.name}: {r.email_problem()}" for r in self.prepared if r.ok and not r.can_email]
        self.results.setText("\n".join(lines))
        self.send_button.setText(_("Sent") if all(o.status == "sent" for o in outcomes) else _("Queued"))
        self.sent.emit(outcomes)
