"""The details' boxes ("Please note", the client's verdict) take the theme's colours, never fixed ones.

A fixed light background (the first version's #fff3cd) is unreadable in a dark or
high-contrast theme: the box is framed, and coloured only with the palette colours the
window passes.
"""

from __future__ import annotations

import re

from coventry_directory.core.eligibility import Eligibility, Verdict
from coventry_directory.ui.service_html import service_html


def _alerted(directory_store):
    svc = next(s for s in directory_store.all_services() if s.alert)
    return svc


def test_no_fixed_background_colour_without_a_palette(directory_store):
    html = service_html(_alerted(directory_store), Verdict(Eligibility.CHECK, [], ["age"]))
    assert "Please note" in html and "Check with the service" in html
    assert not re.search(r"background(-color)?:\s*#", html)


def test_the_palette_colours_are_used_when_given(directory_store):
    dark = ("#2b2b2b", "#5a5a5a")
    html = service_html(_alerted(directory_store), Verdict(Eligibility.EXCLUDED, ["Ages 18+ only"]), box_colours=dark)
    assert html.count("background-color:#2b2b2b") == 2 and "border-color:#5a5a5a" in html
    assert not re.search(r"#(fff3cd|f8d7da|d1e7dd)", html)
