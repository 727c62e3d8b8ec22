"""Runs searches off the UI thread so typing never waits for results.

The worker owns its own read-only connection to the directory (SQLite connections stay
in the thread that made them) and drops requests overtaken by newer ones: only the last
thing typed is searched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from coventry_directory.core.eligibility import ClientProfile
from coventry_directory.core.places import UnknownPlace
from coventry_directory.core.search import Filters, SearchEngine, SearchResult
from coventry_directory.store.directory import DirectoryStore


@dataclass
class SearchRequest:
    """One search to run: what was typed, the filters, and the client profile if any."""

    generation: int
    query: str
    filters: Filters
    profile: ClientProfile | None
    limit: int


class _Worker(QObject):
    finished = Signal(int, object)  # generation, SearchResult
    failed = Signal(int, str)       # generation, message for the user

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.store: DirectoryStore | None = None
        self.engine: SearchEngine | None = None
        self.latest = 0

    @Slot(object)
    def run(self, request: SearchRequest) -> None:
        if request.generation < self.latest:
            return  # overtaken by newer typing
        if self.engine is None:
            self.store = DirectoryStore.open(self.path, readonly=True)
            self.engine = SearchEngine(self.store)
        try:
            # hits carry what the list shows; the details pane loads a record through the UI's own store
            result = self.engine.search(request.query, request.filters, limit=request.limit, profile=request.profile)
        except UnknownPlace as exc:
            self.failed.emit(request.generation, str(exc))
            return
        self.finished.emit(request.generation, result)

    @Slot()
    def warm_up(self) -> None:
        """Load the vocabulary and typo index before the first keystroke needs them."""
        self.run(SearchRequest(0, "warm up", Filters(), None, 1))

    @Slot()
    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


class SearchService(QObject):
    """The UI's handle on the worker: ``submit`` requests, get ``results`` back in order."""

    results = Signal(object)   # SearchResult of the newest request
    problem = Signal(str)      # a message for the user (e.g. unknown place)
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
        self._worker.failed.connect(self._fail)
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

    def _fail(self, generation: int, message: str) -> None:
        if generation == self.generation:
            self.problem.emit(message)

    def shutdown(self) -> None:
        """Stop the thread (and close its connection, in its own thread) before the app exits."""
        if self._thread.isRunning():
            QMetaObject.invokeMethod(self._worker, "close", Qt.BlockingQueuedConnection)
            self._thread.quit()
            self._thread.wait(3000)
