"""Search's input boundary: whatever a caller passes, only values SQLite can take reach it.

Part of :mod:`coventry_directory.core.search`, which calls :func:`clean_input` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from coventry_directory.core.clock import as_uk_wall_clock
from coventry_directory.core.text import clean_text

if TYPE_CHECKING:
    from coventry_directory.core.search import Filters

MAX_CODES = 100  # distinct codes per filter: far more than any taxonomy has, and it bounds the SQL
MAX_CODE_CHARS = 100  # no taxonomy code is this long; a longer one could only match nothing
AGE_BOUNDS = (-1, 1000)  # any age outside these is ruled in or out exactly as the nearest bound is


def clean_input(query: str, filters: Filters) -> tuple[str, Filters]:
    """The query and filters with text SQLite can take and numbers it can hold.

    Lone surrogates (undecodable bytes from a command line or a file name) become U+FFFD,
    which no code or word contains (NUL is kept: SQLite takes it); each code list is
    de-duplicated and capped (:data:`MAX_CODES`), so a huge list cannot grow the SQL past
    SQLite's limits; an age beyond :data:`AGE_BOUNDS` is pulled to the bound, which no
    stated age range tells apart from it. Nothing a caller can pass here raises, except an
    unknown place (UnknownPlace).
    """
    near = filters.near
    return clean_text(query if isinstance(query, str) else ""), replace(
        filters,
        categories=_codes(filters.categories),
        near=clean_text(near) if isinstance(near, str) else near,
        age=None if filters.age is None else max(AGE_BOUNDS[0], min(int(filters.age), AGE_BOUNDS[1])),
        gender=_code(filters.gender),
        substances=_codes(filters.substances),
        groups=_codes(filters.groups),
        routes=_codes(filters.routes),
        modes=_codes(filters.modes),
        language=_code(filters.language),
        free=bool(filters.free),
        open_at=None if filters.open_at is None else _moment(filters.open_at),
    )


def _moment(when: datetime) -> datetime:
    """``when`` as UK wall-clock time, kept within years the calendar arithmetic can reach.

    A moment at the very ends of time (``datetime.max`` in another zone) cannot even be
    converted; no service's hours say anything about the year 1 or 9999 anyway.
    """
    try:
        wall = as_uk_wall_clock(when)
    except OverflowError:
        wall = when.replace(tzinfo=None)
    return max(_EARLIEST, min(wall, _LATEST))


_EARLIEST, _LATEST = datetime(1000, 1, 1), datetime(9000, 12, 31)


def _code(value: str | None) -> str | None:
    return None if value is None else clean_text(str(value)[:MAX_CODE_CHARS])


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)  # one code given bare, not in a list: not one code per character
    unique: dict[str, None] = {}
    for value in values:
        unique.setdefault(clean_text(str(value)[:MAX_CODE_CHARS]))  # cut first: a huge string costs nothing
        if len(unique) == MAX_CODES:
            break
    return tuple(unique)
