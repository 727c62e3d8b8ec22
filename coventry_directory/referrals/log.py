"""The referral log: which service, when, how, and what happened — no personal data.

A row per referral holds the service, dates, delivery (email or printed), status (queued,
sent, printed, accepted, declined, no response, follow up by a date), the consent time, the
*names* of the fields shared, and an optional local reference the worker chose (their own
case number, say). Follow-up reminders are the open rows, soonest first.
"""

from __future__ import annotations

import datetime as dt

from coventry_directory.core.clock import uk_today
from coventry_directory.i18n import N_, _
from coventry_directory.referrals.prepare import PreparedReferral
from coventry_directory.store.referrals import ReferralStore
from coventry_directory.store.user import UserStore

# English msgids: the follow-up list shows them through ``_()``.
STATUSES: dict[str, str] = {
    "queued": N_("Waiting in the outbox"),
    "sent": N_("Sent"),
    "printed": N_("Printed / handed over"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "no-response": N_("No response"),
    "follow-up": N_("Follow up by"),
}
# What a worker may set by hand (queued and sent are set by the outbox).
SETTABLE = ("printed", "accepted", "declined", "no-response", "follow-up")
OPEN_STATUSES = ("queued", "sent", "printed", "no-response", "follow-up")
DEFAULT_FOLLOW_UP_DAYS = 7


class LogError(ValueError):
    """A bad status change (unknown referral, unknown status, missing date)."""


def log_row(ref: PreparedReferral, *, delivery: str, message_id: str | None = None) -> dict:
    """The log row for a referral: nothing in it identifies the client (bar the local reference)."""
    return {
        "id": ref.id,
        "service_id": ref.service.id,
        "service_name": ref.service.name,
        "created_at": ref.created_at,
        "delivery": delivery,
        "local_reference": ref.form.local_reference or None,
        "message_id": message_id,
        "consent_at": ref.form.consent.recorded_at,
        "shared_fields": ",".join(ref.form.consent.shared_fields),
    }


def log_printed(user_store: UserStore, ref: PreparedReferral, today: dt.date | None = None) -> str:
    """Log a referral that was printed or saved as a PDF (it goes by hand, not by the outbox)."""
    store = ReferralStore(user_store)
    if store.log_row(ref.id) is not None:
        return ref.id  # printing the same referral again is not a second referral
    today = today or uk_today()
    row = log_row(ref, delivery="pdf")
    row.update(
        status="printed",
        status_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        follow_up_by=(today + dt.timedelta(days=DEFAULT_FOLLOW_UP_DAYS)).isoformat(),
    )
    store.add_log(row)
    return ref.id


def entries(user_store: UserStore) -> list[dict]:
    """Every logged referral, newest first."""
    return ReferralStore(user_store).log()


def follow_ups(user_store: UserStore, today: dt.date | None = None) -> list[dict]:
    """Referrals still waiting for an answer, soonest first, each with ``due`` (bool)."""
    today_text = (today or uk_today()).isoformat()
    rows = ReferralStore(user_store).follow_ups(OPEN_STATUSES)
    for row in rows:
        row["due"] = bool(row["follow_up_by"]) and row["follow_up_by"] <= today_text
    return rows


def set_status(user_store: UserStore, ref: str, status: str, follow_up_by: str | None = None) -> dict:
    """Record what happened to a referral (by id or id prefix); returns the updated row."""
    store = ReferralStore(user_store)
    row = store.log_row((ref or "").strip())
    if row is None:
        raise LogError(_("no referral with id {ref} in the log (see 'referral log')").format(ref=repr(ref)))
    status = (status or "").strip().lower().replace(" ", "-").replace("_", "-")
    if status not in SETTABLE:
        raise LogError(
            _("unknown status {status}; choose from: {choices}").format(
                status=repr(status), choices=", ".join(SETTABLE)
            )
        )
    if follow_up_by:
        try:
            follow_up_by = dt.date.fromisoformat(follow_up_by.strip()).isoformat()
        except ValueError:
            raise LogError(_("the follow-up date must be YYYY-MM-DD")) from None
    elif status == "follow-up":
        raise LogError(_("'follow-up' needs a date (YYYY-MM-DD) to follow up by"))
    # A closed referral (accepted/declined) needs no reminder; others keep theirs unless given a new one.
    keep = None if status in ("accepted", "declined") else (follow_up_by or row["follow_up_by"])
    store.set_status(row["id"], status, dt.datetime.now().astimezone().isoformat(timespec="seconds"), keep)
    return store.log_row(row["id"])
