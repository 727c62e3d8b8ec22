"""Logic behind the main window: no widgets, no SQL (the stores do that).

Holds the directory (for details, in the UI thread) and the user's own store (shortlist,
corrections, settings), and turns panel state into search filters.
"""

from __future__ import annotations

from pathlib import Path

from coventry_directory.core.clock import uk_now
from coventry_directory.core.editions import DEFAULT_MAX_AGE_DAYS, EditionAge, edition_age, open_directory
from coventry_directory.core.eligibility import ClientProfile, Verdict, assess
from coventry_directory.core.fallbacks import WayToFindOut, ways_to_find_out
from coventry_directory.core.models import Service
from coventry_directory.core.search import Filters
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.user import UserStore


class DirectoryController:
    """What the window asks of the directory and of the user's data."""

    def __init__(self, store: DirectoryStore, user: UserStore):
        self.store = store
        self.user = user
        self._cache: dict[str, Service] = {}

    def reopen(self, path: Path) -> None:
        """Read details from the directory file at ``path`` from now on (a new edition was installed).

        The search thread noticed the change and reopened its own store; this keeps the details
        pane on the same edition. If the new file cannot be opened, the old store stays in use.
        """
        new = open_directory(path)
        old, self.store = self.store, new
        self._cache.clear()
        old.close()

    def edition(self) -> dict[str, str]:
        """Edition date and service count for the status bar."""
        info = self.store.info()
        return {"edition": info.get("edition", "?"), "count": str(self.store.count_services())}

    def edition_age(self) -> EditionAge:
        """How old the directory is, against the user's limit (default 180 days)."""
        limit = self.setting("directory.max_age_days") or str(DEFAULT_MAX_AGE_DAYS)
        return edition_age(self.store.info(), max_age_days=int(limit) if limit.isdigit() else DEFAULT_MAX_AGE_DAYS)

    def service(self, service_id: str) -> Service | None:
        """One whole service (cached: details are opened again and again)."""
        if service_id not in self._cache:
            found = self.store.services([service_id])
            if not found:
                return None
            self._cache[service_id] = found[0]
        return self._cache[service_id]

    def ways_to_find_out(self, service: Service) -> list[WayToFindOut]:
        """Next steps for a service whose record gives no way to reach it (core.fallbacks)."""
        return ways_to_find_out(service, self.store)

    @staticmethod
    def filters(state: dict, profile_home: str = "") -> Filters:
        """Search filters from the filter panel's state (and where the client lives, in client mode)."""
        return Filters(
            categories=state["categories"],
            near=state["near"] or profile_home or None,
            age=state["age"],
            gender=state["gender"],
            substances=state["substances"],
            groups=state["groups"],
            routes=state["routes"],
            modes=state["modes"],
            language=state["language"],
            free=state["free"],
            # "Open now" is the moment of the search; "Open at" a moment the worker chose (panel: never both)
            open_at=uk_now() if state["open_now"] else state["open_at"],
        )

    @staticmethod
    def verdict(service: Service, profile: ClientProfile | None) -> Verdict | None:
        """Eligibility for the details pane, in client mode."""
        return assess(service, profile) if profile else None

    # --- shortlist --------------------------------------------------------------------
    def shortlist(self) -> list[Service]:
        """The shortlisted services that are still in the directory, in order."""
        ids = self.user.shortlist()
        found = {s.id: s for s in self.store.services(ids)}
        return [found[i] for i in ids if i in found]

    def vanished_from_shortlist(self) -> list[tuple[str, str]]:
        """(id, name when shortlisted) of shortlisted services no longer in the directory, in order.

        A source removed or a new edition can take a service away; the shortlist then says
        so rather than silently showing one fewer.
        """
        ids = self.user.shortlist()
        present = {s.id for s in self.store.services(ids)}
        names = self.user.shortlist_names()
        return [(i, names.get(i, "")) for i in ids if i not in present]

    def toggle_shortlist(self, service_id: str) -> bool:
        """Add or remove; returns True when it is now on the shortlist."""
        if service_id in self.user.shortlist():
            self.user.remove_from_shortlist(service_id)
            return False
        svc = self.store.get_service(service_id)
        self.user.add_to_shortlist(service_id, svc.name if svc is not None else "")
        return True

    def clear_shortlist(self) -> None:
        """Empty the shortlist."""
        self.user.clear_shortlist()

    # --- corrections and settings -----------------------------------------------------
    def report_correction(self, service_id: str, note: str) -> int:
        """Queue a correction note for the directory maintainer."""
        return self.user.add_correction(service_id, note.strip())

    def setting(self, key: str, default: str | None = None) -> str | None:
        """A stored user setting."""
        return self.user.get_setting(key, default)

    def set_setting(self, key: str, value: str) -> None:
        """Store a user setting."""
        self.user.set_setting(key, value)
