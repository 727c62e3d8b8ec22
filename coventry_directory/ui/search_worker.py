"""Runs searches off the UI thread so typing never waits for results.

The worker owns its own read-only connection to the directory (SQLite connections stay
in the thread that made them) and drops requests overtaken by newer ones: only the last
thing typed is searched.

A new edition is noticed before each search: when ``bundle install``, ``bundle rollback``
or a feed sync swaps another file in (a new inode, mtime or size), or an installed edition
appears where the app started on the one shipped with it, the worker closes its connection
and reopens, read-only, on the new file, and ``edition_changed`` says so.

Nothing raised in the worker escapes its thread: a place the directory does not know is
reported as a ``problem`` (worded for the user), anything else (the directory failing to
open, a damaged file) as ``failed``, after a log line that names the exception's type and
where it happened, never the query, which may hold details about a client.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from coventry_directory.core.eligibility import ClientProfile
from coventry_directory.core.places import UnknownPlace
from coventry_directory.core.search import Filters, SearchEngine, SearchResult
from coventry_directory.resources import bundled_database_path
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.ui.errors import describe_exception
from coventry_directory.userdata import installed_directory_path

log = logging.getLogger("coventry_directory")

# What ``failed`` reports: the directory could not be opened, or a search broke.
OPEN_FAILED = "open"
SEARCH_FAILED = "search"


@dataclass
class SearchRequest:
    """One search to run: what was typed, the filters, and the client profile if any."""

    generation: int
    query: str
    filters: Filters
    profile: ClientProfile | None
    limit: int


def file_identity(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when another edition is swapped in at ``path`` (None: no file there)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size


class _Worker(QObject):
    finished = Signal(int, object)  # generation, SearchResult
    problem = Signal(int, str)  # generation, message for the user (e.g. unknown place)
    failed = Signal(int, str)  # generation, OPEN_FAILED or SEARCH_FAILED
    reopened = Signal(str)  # the path of a new edition the worker now searches

    def __init__(self, path: Path):
        super().__init__()
        self.path = Path(path)
        self.store: DirectoryStore | None = None
        self.engine: SearchEngine | None = None
        self.latest = 0
        self._opened: tuple[Path, tuple[int, int, int, int] | None] | None = None  # the file the engine reads

    def _target(self) -> Path:
        """The file to search: an edition installed after the app started replaces the shipped one."""
        if self.path == bundled_database_path():
            installed = installed_directory_path()
            if installed.is_file():
                return installed
        return self.path

    @Slot(object)
    def run(self, request: SearchRequest) -> None:
        if request.generation < self.latest:
            return  # overtaken by newer typing
        try:
            engine = self._engine()
        except Exception as exc:  # any error: a slot's exception would reach the excepthook off the GUI thread
            self._fail(request, OPEN_FAILED, exc)
            return
        try:
            # hits carry what the list shows; the details pane loads a record through the UI's own store
            result = engine.search(
                request.query, request.filters, limit=request.limit, profile=request.profile, option_counts=True
            )
        except UnknownPlace as exc:
            self.problem.emit(request.generation, str(exc))
            return
        except Exception as exc:  # any error, as above
            self.close()  # the next search reopens: the file may have been repaired or replaced
            self._fail(request, SEARCH_FAILED, exc)
            return
        self.finished.emit(request.generation, result)

    def _engine(self) -> SearchEngine:
        """The search engine on a read-only connection opened in this thread (reopened for a new edition)."""
        target = self._target()
        # Taken before opening: a swap between the two means one reopen too many, never one too few.
        opened = (target, file_identity(target))
        if self.engine is not None and opened != self._opened:
            self.close()
            changed = True
        else:
            changed = False
        if self.engine is None:
            store = DirectoryStore.open(target, readonly=True)
            try:
                self.engine = SearchEngine(store)
            except BaseException:
                store.close()
                raise
            self.store = store
            self._opened = opened
            if changed:
                log.info("search: a new directory edition was opened")
                self.reopened.emit(str(target))
        return self.engine

    def _fail(self, request: SearchRequest, kind: str, exc: BaseException) -> None:
        # Type and code locations only: the message may quote the query (a client's details).
        log.error("search failed (%s): %s", kind, describe_exception(type(exc), exc.__traceback__))
        self.failed.emit(request.generation, kind)

    @Slot()
    def warm_up(self) -> None:
        """Load the vocabulary and typo index before the first keystroke needs them."""
        self.run(SearchRequest(0, "warm up", Filters(), None, 1))

    @Slot()
    def close(self) -> None:
        self.engine = None
        if self.store is not None:
            store, self.store = self.store, None
            try:
                store.close()
            except Exception as exc:  # closing a broken file must not take the thread down
                log.warning("closing the search connection failed: %s", type(exc).__name__)


class SearchService(QObject):
    """The UI's handle on the worker: ``submit`` requests, get ``results`` back in order."""

    results = Signal(object)  # SearchResult of the newest request
    problem = Signal(str)  # a message for the user (e.g. unknown place)
    failed = Signal(str)  # the newest request could not run: OPEN_FAILED or SEARCH_FAILED
    edition_changed = Signal(str)  # the search now reads a new edition (its path); details should follow
    _request = Signal(object)
    _warm = Signal()

    def __init__(self, path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.generation = 0
        self._thread = QThread(self)
        self._thread.setObjectName("search")
        self._worker = _Worker(path)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.run)
        self._worker.finished.connect(self._deliver)
        self._worker.problem.connect(self._problem)
        self._worker.failed.connect(self._failed)
        self._worker.reopened.connect(self.edition_changed)
        self._warm.connect(self._worker.warm_up)
        self._thread.start()
        self._warm.emit()

    def submit(self, query: str, filters: Filters, profile: ClientProfile | None = None, limit: int = 60) -> int:
        """Queue a search; returns its generation number."""
        self.generation += 1
        self._worker.latest = self.generation
        self._request.emit(SearchRequest(self.generation, query, filters, profile, limit))
        return self.generation

    def _deliver(self, generation: int, result: SearchResult) -> None:
        if generation == self.generation and self._thread.isRunning():
            self.results.emit(result)

    def _problem(self, generation: int, message: str) -> None:
        if generation == self.generation:
            self.problem.emit(message)

    def _failed(self, generation: int, kind: str) -> None:
        if generation == self.generation and self._thread.isRunning():
            self.failed.emit(kind)

    def shutdown(self) -> None:
        """Stop the thread (and close its connection, in its own thread) before the app exits."""
        if self._thread.isRunning():
            QMetaObject.invokeMethod(self._worker, "close", Qt.BlockingQueuedConnection)
            self._thread.quit()
            self._thread.wait(3000)
