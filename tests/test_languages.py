"""Language metadata: codes, scripts, directions, fonts and honest review status."""

from __future__ import annotations

import pytest

from coventry_directory.i18n.languages import (
    LANGUAGES,
    URDU_FONT,
    UnknownLanguage,
    get_language,
    parse_language_list,
)
from coventry_directory.resources import resource_path
from coventry_directory.typeset.fonts import font_name, font_runs, register_all, register_font


def test_the_ten_languages():
    assert list(LANGUAGES) == ["en", "pl", "ro", "pa", "ur", "ar", "bn", "gu", "ckb", "ti"]
    assert {c for c, lang in LANGUAGES.items() if lang.rtl} == {"ur", "ar", "ckb"}
    assert LANGUAGES["pa"].script == "Gurmukhi" and LANGUAGES["ti"].script == "Ethiopic"


def test_only_english_counts_as_reviewed():
    # Every other catalog was drafted without a fluent speaker: say so until one checks it.
    assert [c for c, lang in LANGUAGES.items() if lang.reviewed] == ["en"]


def test_urdu_font_is_recorded():
    assert URDU_FONT == "NotoNaskhArabic-Regular.ttf"
    assert "Naskh" in LANGUAGES["ur"].note


def test_every_font_file_is_bundled_with_its_licence():
    for lang in LANGUAGES.values():
        for filename in lang.font_files():
            assert resource_path("fonts", filename).is_file(), filename
    assert "SIL OPEN FONT LICENSE" in resource_path("fonts", "OFL.txt").read_text()
    assert len(register_all()) == 12


def test_latin_falls_back_to_noto_sans():
    gurmukhi = register_font("NotoSansGurmukhi-Regular.ttf")
    runs = font_runs("ਫ਼ੋਨ Rugby 999", gurmukhi, register_font("NotoSans-Regular.ttf"))
    assert [f for f, _t in runs] == [gurmukhi, "NotoSans-Regular", gurmukhi]
    assert font_name("NotoSans-Bold.ttf") == "NotoSans-Bold"


def test_language_lookup_and_lists():
    assert get_language(" PL ").code == "pl"
    assert [lang.code for lang in parse_language_list("en,pl,en,ro")] == ["en", "pl", "ro"]
    assert len(parse_language_list("all")) == 10
    with pytest.raises(UnknownLanguage, match="choose one of"):
        get_language("klingon")
    data = LANGUAGES["ar"].to_dict()
    assert data["direction"] == "rtl" and data["reviewed"] is False and "NotoSans-Regular.ttf" in data["fonts"]
