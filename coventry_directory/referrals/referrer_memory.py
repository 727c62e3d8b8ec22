"""The worker's own details, remembered on this computer so the next referral starts filled in.

Only the referrer's five fields (name, role, organisation, phone, email) are kept, as
settings in the user's own database (private, 0600), and only when the worker leaves the
box ticked. Nothing about the client is ever written here: not the summary, not the answers,
not the case reference (it is per referral, and kept in the referral log instead).
"""

from __future__ import annotations

from coventry_directory.referrals.models import REFERRER_LABELS, Referrer
from coventry_directory.store.referrals import ReferralStore
from coventry_directory.store.user import UserStore

SETTING_PREFIX = "referrals.referrer."
KEYS = tuple(SETTING_PREFIX + name for name in REFERRER_LABELS)


def remembered_referrer(user_store: UserStore) -> Referrer | None:
    """The details remembered last time, or None when nothing is remembered."""
    values = {name: user_store.get_setting(SETTING_PREFIX + name) for name in REFERRER_LABELS}
    if not any(values.values()):
        return None
    return Referrer.from_dict(values)


def remember_referrer(user_store: UserStore, referrer: Referrer) -> None:
    """Keep these details for next time (all five together, in one transaction)."""
    user_store.set_settings({SETTING_PREFIX + name: value for name, value in referrer.to_dict().items()})


def forget_referrer(user_store: UserStore) -> None:
    """Delete the remembered details (the next referral starts empty)."""
    ReferralStore(user_store).delete_settings(KEYS)
