"""Direct referrals, from one client summary to each service.

Per-service forms, validation, consent, a printable PDF and a secure email, an encrypted outbox and a referral log.

No Qt here (the wizard lives in ``ui/referral_wizard.py``) and no SQL (that is in
``core/referral_store.py``).
"""
