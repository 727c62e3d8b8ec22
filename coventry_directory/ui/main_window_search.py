"""The main window's searching: what is asked, and what the results, the notes and the count then say.

:class:`SearchDisplay` is mixed into :class:`~coventry_directory.ui.main_window.MainWindow`,
which builds the widgets it fills (``model``, ``results``, ``count_label``, ``notes``,
``details``, ``filters``, ``chips``, ``profile``). The count says when closed services are
left out of the whole list, so it agrees with the status bar's count of the directory.

The place is never dropped silently. Search takes the place from the Near box, else from
where the client lives (client mode), else from the words typed ("needle exchange
bidford"). When the words name a place and a box names another, the box's place is used
and the notes say that the typed one was not, and how to use it. A place the directory
does not know clears the results (those of the last place would read as answers for this
one) and says which box holds it and what to try.
"""

from __future__ import annotations

from html import escape

from coventry_directory.core.distance_words import approximate_note
from coventry_directory.core.search import CLOSED_STATUSES, SearchResult
from coventry_directory.i18n import _, ngettext
from coventry_directory.i18n.formatting import format_number
from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.search_filters import FacetFilter
from coventry_directory.ui.search_worker import OPEN_FAILED

RESULT_LIMIT = 300  # a county fits whole; a national feed shows its best 300

# Where the place searched near came from.
NEAR_BOX = "near"
LIVES_BOX = "lives"


def unknown_place_advice(box: str | None) -> str:
    """What to try when the place in ``box`` (NEAR_BOX or LIVES_BOX) is not known."""
    if box == LIVES_BOX:
        return _(
            "Check the spelling of where the client lives (under Who can I refer?), choose a place from its list, "
            "or type a postcode such as CV21."
        )
    return _(
        "Check the spelling, choose a place from the Near list or type a postcode such as CV21, "
        "or choose “Anywhere” to search everywhere."
    )


def place_not_used(typed: str, typed_place: str, used: str, box: str | None) -> str:
    """The note for a place named in the search words when a box's place was used instead."""
    if box == LIVES_BOX:
        text = _(
            "“{typed}” in the search was not used as the place: the results are near {used}, where the client "
            "lives. To search near {typed_place}, choose it under Near."
        )
    else:
        text = _(
            "“{typed}” in the search was not used as the place: the results are near {used}, from the Near box. "
            "To search near {typed_place}, choose it under Near."
        )
    return text.format(typed=typed, typed_place=typed_place, used=used)


def closed_services(store: DirectoryStore) -> int:
    """How many services the directory holds that search always leaves out as closed (inactive, defunct)."""
    listed = store.queries.filtered_ids(FacetFilter(exclude_status=CLOSED_STATUSES).where(), None)
    return store.count_services() - len(listed)


class SearchDisplay:
    """Runs searches and shows what comes back (a mixin for MainWindow)."""

    _place_box: str | None = None  # where the newest search's place came from
    _whole_list = False  # the newest search has no words, filters or client: it lists every open service
    _browsing = False  # the worker chose "Browse all services": the whole list, not the start page

    def client_mode(self) -> bool:
        """True when anything about a client has been entered."""
        p = self.profile.profile()
        # where they live counts as typed, known or not: a place the directory does not know
        # ("Rugbyy") is then said to be unknown, not dropped with client mode quietly off
        return any((p.age is not None, p.gender, p.area, self.profile.home(), p.substances, p.groups))

    def refresh(self) -> None:
        """Search for what is typed, with the filters (and client) given."""
        profile = self.profile.profile() if self.client_mode() else None
        state = self.filters.state()
        home = self.profile.home() if profile else ""
        # Only the newest search's answer is shown, so this always describes the one shown.
        self._place_box = NEAR_BOX if state["near"] else LIVES_BOX if home else None
        self._whole_list = not self.search_box.text().strip() and profile is None and not self.filters.active_filters()
        if not self._whole_list:
            self._browsing = False  # back to nothing searched for: the start page again
        filters = self.controller.filters(state, home)
        self.search_service.submit(self.search_box.text(), filters, profile, limit=RESULT_LIMIT)

    def _show_results(self, result: SearchResult) -> None:
        if self._closed:
            return  # a search that finished after the window closed
        self._result = result
        self.model.set_hits(result.hits, result.place)
        self.filters.show_counts(result.filter_counts, result.option_counts)
        self.chips.set_counts(result.filter_counts)
        n = len(result.hits)
        if n >= RESULT_LIMIT:
            self.count_label.setText(_("The first {n} services: type or filter to narrow").format(n=format_number(n)))
        else:
            self.count_label.setText(self._count_text(n))
        notes = self._place_notes(result)
        note = approximate_note(result.place) if any(h.distance_km is not None for h in result.hits) else None
        self.notes.setText(" ".join([*notes, *([note] if note else [])]))
        if self._whole_list and not self._browsing:
            self.show_start_page()  # nothing asked yet: the tasks, not the first service by name
        elif n:
            # the best match is what the worker wants to see, so new results start at the top
            self.results.setCurrentIndex(self.model.index(0))
            self.results.scrollToTop()
        else:
            self._current_id = None
            self.details.setHtml("<p>" + _("No services match. Try fewer words, or clear some filters.") + "</p>")
            self._enable_actions(False)

    def _count_text(self, n: int) -> str:
        """The count line; for the whole list, also how many closed services it leaves out (the status bar counts them)."""
        parts = [ngettext("{n} service", "{n} services", n).format(n=format_number(n))]
        closed = closed_services(self.controller.store) if self._whole_list else 0
        if closed:
            parts.append(
                ngettext("{n} closed service not shown", "{n} closed services not shown", closed).format(
                    n=format_number(closed)
                )
            )
        return " · ".join(parts)

    def _place_notes(self, result: SearchResult) -> list[str]:
        """The search's notes, saying so when a place in the words gave way to a box's place."""
        typed = result.query.place
        if typed is None or result.place is None or typed == result.place:
            return list(result.notes)
        # search's own "Near {place}." names the place in the words, which was not the one used
        said = _("Near {place}.").format(place=typed.name)
        notes = [n for n in result.notes if n != said]
        notes.append(
            place_not_used(result.query.place_text or typed.name, typed.name, result.place.name, self._place_box)
        )
        return notes

    def _show_problem(self, message: str) -> None:
        """The search could not be understood (a place not known): say so and what to try; show no old results."""
        if self._closed:
            return
        # Results for the last place would look like answers for the one just typed.
        self._result = None
        self.model.set_hits([])
        self.filters.show_counts({})  # no results: nothing was filtered
        self.chips.set_counts({})
        self._current_id = None
        advice = unknown_place_advice(self._place_box)
        self.count_label.setText(_("No results: the place is not known."))
        self.notes.setText(f"{message} {advice}")
        self.details.setHtml(f"<p>{escape(message)}</p><p>{escape(advice)}</p>")
        self._enable_actions(False)

    def _show_failure(self, kind: str) -> None:
        """The search could not run: say so where the results go; the rest of the window still works."""
        if self._closed:
            return
        if kind == OPEN_FAILED:
            message = _(
                "Search failed: the service directory could not be read. Close the app and open it again; "
                "if that does not help, install the directory again."
            )
        else:
            message = _("Search failed: something went wrong while searching. Try again or change the search.")
        # Results from an earlier search would look like answers to this one.
        self._result = None
        self.model.set_hits([])
        self.filters.show_counts({})
        self.chips.set_counts({})
        self.count_label.setText(message)
        self.notes.clear()
        self.statusBar().showMessage(message)
