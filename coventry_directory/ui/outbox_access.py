"""Getting at the encrypted outbox from the app: one referral desk per user, unlocked once.

The wizard, the follow-up list and the retry timer share one :class:`ReferralDesk` per
user database (:func:`desk_for`), so once the outbox is unlocked for one of them it is for
all, and they never send the same referral at once. Only a person's own action asks for
anything (:func:`unlock_outbox`, :func:`mail_password_asker`); a timer uses
:func:`unlock_quietly`, which never shows a dialog.
"""

from __future__ import annotations

import logging
import weakref

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from coventry_directory.i18n import _
from coventry_directory.referrals import credentials, crypto
from coventry_directory.referrals.desk import ReferralDesk
from coventry_directory.referrals.outbox import Outbox
from coventry_directory.store.user import UserStore

log = logging.getLogger(__name__)  # never a passphrase, never a client's details

_DESKS: weakref.WeakKeyDictionary[UserStore, ReferralDesk] = weakref.WeakKeyDictionary()


def desk_for(user_store: UserStore) -> ReferralDesk:
    """The one referral desk for this user database (made on first use; the outbox opens later)."""
    desk = _DESKS.get(user_store)
    if desk is None:
        desk = _DESKS[user_store] = ReferralDesk(user_store)
    return desk


def key_lost_message(problem: Exception) -> str:
    """What the app says when the outbox key file is missing or damaged (nothing is replaced)."""
    return _(
        "The encrypted outbox cannot be opened: {problem}\n\nThe referrals in it are kept as they are. "
        "Ask whoever looks after this computer to restore the outbox key file from a backup; "
        "until then new referrals cannot be emailed (print them instead)."
    ).format(problem=problem)


def unlock_quietly(desk: ReferralDesk) -> Exception | None:
    """Open the outbox if that needs nobody to type anything; the reason it stays locked, or None.

    Only an outbox whose key is already kept in the system keyring is opened here: a new
    outbox is never made, and a passphrase is never asked for (a timer calls this).
    """
    if desk.outbox is not None and not desk.outbox.locked:
        return None
    folder = Outbox(desk.user_store).folder
    try:
        crypto.check_not_lost(folder)
        if crypto.key_mode(folder) != "keyring":
            return crypto.PassphraseNeeded("the outbox needs its passphrase")
        desk.outbox = Outbox.open(desk.user_store, None)
        return None
    except crypto.OutboxKeyError as exc:
        if isinstance(exc, crypto.OutboxKeyLost):
            log.warning("the outbox key cannot be used (%s)", type(exc).__name__)
        return exc


def unlock_outbox(parent: QWidget | None, desk: ReferralDesk) -> bool:
    """Open the outbox for a person who asked to send: the keyring first, else ask for the passphrase."""
    if desk.outbox is not None and not desk.outbox.locked:
        return True
    try:  # the key may be in the OS keyring: no question to ask
        desk.outbox = Outbox.open(desk.user_store, None)
        return True
    except crypto.OutboxKeyLost as exc:
        QMessageBox.warning(parent, _("Outbox"), key_lost_message(exc))
        return False
    except crypto.PassphraseNeeded:
        pass
    except crypto.OutboxKeyError as exc:
        QMessageBox.warning(parent, _("Outbox"), str(exc))
        return False
    new = crypto.key_mode(Outbox(desk.user_store).folder) is None
    prompt = (
        _("Choose a passphrase for the encrypted outbox (8 or more characters):")
        if new
        else _("Passphrase for the encrypted outbox:")
    )
    while True:
        passphrase, ok = QInputDialog.getText(parent, _("Outbox passphrase"), prompt, QLineEdit.Password)
        if not ok:
            return False
        try:
            desk.outbox = Outbox.open(desk.user_store, passphrase or None)
            return True
        except crypto.OutboxKeyLost as exc:
            QMessageBox.warning(parent, _("Outbox"), key_lost_message(exc))
            return False
        except crypto.OutboxKeyError as exc:
            QMessageBox.warning(parent, _("Outbox"), str(exc))


def mail_password_asker(parent: QWidget | None) -> credentials.Ask:
    """Asks the person for the mail server password (on the UI thread); None when they cancel."""

    def ask(prompt: str) -> str | None:
        text, ok = QInputDialog.getText(parent, _("Mail password"), prompt, QLineEdit.Password)
        return text if ok else None

    return ask
