"""The desktop app (PySide6): the main window, its panels and dialogs, and the search thread.

Started by ``coventry-directory gui`` (see app.py). Searching, eligibility and the records
themselves live in core/ and store/; this package shows them and takes the worker's input.
"""
