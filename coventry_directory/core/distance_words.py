"""How far away a service is, in honest words: "in Rugby", "about 5 km", never "0.0 km".

The one wording for a distance wherever one is shown (result rows and details, the
command line, leaflets, meeting lists). Every place the gazetteer resolves is a centre (a
town's, a village's, a postcode district's, a council area's town) and most services
are placed at a town or district centre too, so a distance is between two centres:

- within about 1 km of the place's centre: "in Rugby" (the service is in the place asked
  for, as far as the points can tell);
- up to 20 km: "about 5 km", in whole km;
- beyond that: "about 25 km", to the nearest 5 km;
- "about" always, unless both ends were exact points (no gazetteer place is).
"""

from __future__ import annotations

import math

from coventry_directory.core.place_data import AREA, PLACE_CENTRE, POSTCODE_DISTRICT, TOWN_CENTRE, Place
from coventry_directory.i18n import N_, _

IN_PLACE_KM = 1.0  # this close to the place's centre, the service is "in" it
FINE_UP_TO_KM = 20  # whole km up to here, 5 km steps beyond
COARSE_STEP_KM = 5
# Precisions of a point that is a centre, not where the service is.
CENTRES = frozenset({TOWN_CENTRE, PLACE_CENTRE, POSTCODE_DISTRICT, AREA})

# TRANSLATORS: a service is in the place the worker asked about, e.g. "in Rugby", "in CV21".
IN_PLACE = N_("in {place}")
# TRANSLATORS: a rounded distance, e.g. "about 5 km"; {km} is a whole number.
ABOUT_KM = N_("about {km} km")
EXACT_KM = N_("{km} km")
# TRANSLATORS: shown once above a list of results near a place, e.g. "… from the centre of CV21".
APPROXIMATE_NOTE = N_(
    "Distances are approximate: from the centre of {place} to the centre of each service's town, "
    "village or postcode district, unless the service's own position is known."
)


def rounded_km(km: float) -> int:
    """Whole km up to 20 km, the nearest 5 km beyond; never 0."""
    if km < FINE_UP_TO_KM:
        return max(1, math.floor(km + 0.5))
    return COARSE_STEP_KM * math.floor(km / COARSE_STEP_KM + 0.5)


def distance_text(km: float | None, near: Place | None = None, point_precision: str | None = None) -> str | None:
    """A distance from ``near`` as it is shown: "in Rugby", "about 5 km"; None when not known.

    ``point_precision`` is how the service's point was found (``"location"`` for its own
    coordinates); without it the point is taken to be a centre, as most are.
    """
    if km is None or not math.isfinite(km) or km < 0:
        return None
    if near is not None and km <= IN_PLACE_KM:
        return _(IN_PLACE).format(place=near.name)
    exact = near is not None and near.precision not in CENTRES and point_precision == "location"
    # A whole number in digits 0-9, as every language here shows numbers (i18n/formatting.py);
    # no grouping: nothing in the directory is a thousand km away.
    return _(EXACT_KM if exact else ABOUT_KM).format(km=str(rounded_km(km)))


def approximate_note(near: Place | None) -> str | None:
    """The sentence that says distances from ``near`` are approximate (None without a place)."""
    if near is None or near.latitude is None or near.precision not in CENTRES:
        return None
    return _(APPROXIMATE_NOTE).format(place=near.name)
