"""Coventry Directory: an offline directory and referral tool for drug and alcohol services."""

__version__ = "0.1.0"
APP_NAME = "Coventry Directory"
APP_ID = "coventry-directory"
