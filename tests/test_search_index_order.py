"""The services' numbering along a Hilbert curve (store.search_index._curve_key): a true curve, points near, keys near.

On a small grid every cell gets its own key and each key's cell touches the next one's:
what makes a place's services neighbours in the index, so FTS5 meets them in a few runs.
"""

from __future__ import annotations

import pytest

from coventry_directory.store import search_index


@pytest.mark.parametrize("order", [1, 3, 5])
def test_the_curve_visits_every_cell_once_each_next_to_the_last(monkeypatch, order):
    monkeypatch.setattr(search_index, "_CURVE_ORDER", order)
    side = 1 << order
    cells = {}
    for x in range(side):
        for y in range(side):
            centre = ((y + 0.5) / side * 180.0 - 90.0, (x + 0.5) / side * 360.0 - 180.0)  # (lat, lon)
            cells[search_index._curve_key(centre)] = (x, y)
    assert sorted(cells) == list(range(side * side))  # one key per cell, none missed
    path = [cells[k] for k in sorted(cells)]
    for (x0, y0), (x1, y1) in zip(path, path[1:], strict=False):
        assert abs(x0 - x1) + abs(y0 - y1) == 1  # each cell next to the one before
    assert search_index._curve_key(None) == side * side  # services with no point come last


def test_points_off_the_globe_are_kept_on_its_edge():
    side = 1 << search_index._CURVE_ORDER
    for point in ((95.0, 200.0), (-95.0, -200.0), (90.0, 180.0)):
        assert 0 <= search_index._curve_key(point) < side * side
