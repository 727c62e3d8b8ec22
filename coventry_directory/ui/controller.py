"""Logic behind the main window; no widgets here, no SQL (the store does that)."""

from __future__ import annotations

from coventry_directory.core.models import Service
from coventry_directory.core.store import DirectoryStore


class DirectoryController:
    """Holds the loaded directory and answers the window's questions."""

    def __init__(self, store: DirectoryStore):
        self.store = store
        self._services = store.all_services()
        self._by_id = {s.id: s for s in self._services}
        self._text = {s.id: _haystack(s) for s in self._services}

    def edition(self) -> dict[str, str]:
        """Edition date and service count for the status bar."""
        info = self.store.info()
        return {"edition": info.get("edition", "?"), "count": str(len(self._services))}

    def find(self, text: str) -> list[Service]:
        """Services whose text contains every word typed (case-insensitive)."""
        words = text.lower().split()
        return [s for s in self._services if all(w in self._text[s.id] for w in words)]

    def service(self, service_id: str) -> Service | None:
        """One service by id."""
        return self._by_id.get(service_id)


def _haystack(svc: Service) -> str:
    towns = " ".join(loc.town or "" for loc in svc.locations)
    return " ".join(
        [svc.name, svc.alternate_name or "", svc.organization.name, svc.description, " ".join(svc.categories),
         " ".join(svc.keywords), towns]
    ).lower()
