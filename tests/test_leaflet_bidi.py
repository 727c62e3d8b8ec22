"""Mixed right-to-left lines follow the Unicode Bidirectional Algorithm (UAX #9).

The strings are the ones issue 17 found garbled in printed leaflets: brackets, numbers and
Latin names inside Arabic-script text. Each line is checked as it reads left to right on
paper (``ShapedText.visual_lines``: runs in drawing order, right-to-left runs reversed
and mirrored), laid out with the bundled fonts, so no machine font is involved. Arabic
words appear reversed in the expected strings because that is their left-to-right order
on the page.
"""

from __future__ import annotations

import pytest

from coventry_directory.i18n.bidi import display, embedding_levels, visual_order
from coventry_directory.i18n.languages import get_language
from coventry_directory.leaflets.styles import make_styles
from coventry_directory.typeset.glyph_runs import shape
from coventry_directory.typeset.shaped_text import ShapedText


def visual(text: str, rtl: bool = True, width: float = 2000, lang: str = "ar") -> list[str]:
    """The lines of ``text`` laid out as a leaflet paragraph, as they read left to right."""
    styles = make_styles(get_language(lang))
    fonts = styles.fonts
    primary, fallback = (fonts.regular, fonts.latin) if rtl else (fonts.latin, fonts.regular)
    paragraph = ShapedText(text, styles.body, primary, fallback, rtl=rtl)
    paragraph.wrap(width, 1000)
    return paragraph.visual_lines()


def rev(arabic: str) -> str:
    """Arabic-script words as they lie on the page, left to right."""
    return arabic[::-1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The old layout printed "(Alcoholics Anonymous )Great Britain" and "(Emergency services )999".
        ("تديرها Alcoholics Anonymous (Great Britain)", f"Alcoholics Anonymous (Great Britain) {rev('تديرها')}"),
        ("اتصل بـ Emergency services (999) الآن", f"{rev('الآن')} Emergency services (999) {rev('اتصل بـ')}"),
        # Brackets opened after Arabic belong to the Arabic sentence: mirrored, read right to left.
        (
            "اتصل بـ (Alcoholics Anonymous) Great Britain الآن",
            f"{rev('الآن')} Great Britain (Alcoholics Anonymous) {rev('اتصل بـ')}",
        ),
        ("اتصل بـ (Emergency services) 999 الآن", f"{rev('الآن')} 999 (Emergency services) {rev('اتصل بـ')}"),
    ],
)
def test_latin_names_with_brackets_inside_arabic(text, expected):
    assert visual(text) == [expected]


def test_arabic_comma_after_bracketed_gp_stays_outside_the_brackets():
    # Sorani "GP (GP), key worker": the old layout printed "(،GP)".
    line = visual("پزیشکی گشتی (GP)، کارمەندی", lang="ckb")[0]
    assert line == f"{rev('کارمەندی')} ،(GP) {rev('پزیشکی گشتی')}"


def test_nuneaton_and_bedworth_in_both_directions():
    # In an English line the Arabic "and" sits before "Bedworth" (the old layout: "Nuneaton Bedworthو").
    assert visual("Nuneaton وBedworth", rtl=False) == ["Nuneaton وBedworth"]
    # In an Arabic line the names run right to left, each one left to right.
    assert visual("Nuneaton وBedworth") == ["Bedworthو Nuneaton"]


def test_numbers_and_the_page_footer():
    # A phone number stays in one piece, in its own order, with the full stop on its far side.
    assert visual("اتصل على NHS 111. اتصل على 116 123.") == [f".116 123 {rev('اتصل على')} .NHS 111 {rev('اتصل على')}"]
    assert visual("رقم 01926 811702 — Confidential enquiries") == [
        f"Confidential enquiries — 01926 811702 {rev('رقم')}"
    ]
    # "Page 1 · Coventry Directory": the old layout printed "1 · Coventry Directory ةحفص".
    assert visual("صفحة 1  ·  Coventry Directory") == [f"Coventry Directory · 1 {rev('صفحة')}"]


def test_time_and_year_ranges_read_from_their_start():
    # Alone the algorithm sets a range inside Arabic text end first ("19:30–18:00"),
    # which a copied or read-aloud line then says backwards: each range is kept whole.
    assert visual("من 18:00–19:30 يوم الاثنين") == [f"{rev('يوم الاثنين')} 18:00–19:30 {rev('من')}"]
    assert visual("مصادر 2018–2022") == [f"2018–2022 {rev('مصادر')}"]
    assert visual("09:00 - 17:00") == ["09:00 - 17:00"]
    # Separate numbers in a list are not joined into one.
    assert visual("العمر 18، 25") == [f"25 ،18 {rev('العمر')}"]


def test_lines_break_on_the_logical_text_then_each_is_reordered():
    text = "اتصل بـ Alcoholics Anonymous (Great Britain) أو Emergency services (999) الآن"
    lines = visual(text, width=130)
    assert len(lines) > 1
    # The first logical words start the first line on the right, the last end the last line.
    assert lines[0].endswith(rev("اتصل بـ")) and lines[-1].startswith(rev("الآن"))
    # Each line holds the next words of the text, in the algorithm's order with the
    # paragraph's levels: "(Great" ends one line and "Britain)" still closes it on the next.
    start = 0
    for line in lines:
        end = start + len(line)
        assert line == display(text, True, start, end)
        start = end + 1
    assert start == len(text) + 1
    assert any(line.endswith("(Great") for line in lines)
    assert any(line.endswith(" Britain)") for line in lines)  # not "(Britain": the pair is kept


def test_brackets_in_right_to_left_runs_are_drawn_mirrored():
    latin = make_styles(get_language("ar")).fonts.latin
    assert shape("(", latin, 10, True).drawn_text() == ")"
    assert shape("(", latin, 10, False).drawn_text() == "("


def test_levels_from_python_bidi():
    # The levels are read from python-bidi's description of its result: pin that form.
    assert embedding_levels("على 116 123.", True) == (1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 1)
    assert embedding_levels("Call 116 123.", False) == (0,) * 13
    assert embedding_levels("", True) == ()
    assert visual_order([0, 1, 1, 2, 2, 1, 0]) == [0, 5, 3, 4, 2, 1, 6]
