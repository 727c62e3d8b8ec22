"""The store's one exception type."""

from __future__ import annotations


class StoreError(Exception):
    """A problem with a database file, worded for the person using the app."""
