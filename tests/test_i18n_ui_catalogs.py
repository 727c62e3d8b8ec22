"""The catalogs behind the app's languages: complete, same placeholders, up to date, pseudo-locale."""

from __future__ import annotations

import ast
import json
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import coventry_directory
from coventry_directory.i18n import _
from coventry_directory.i18n.catalogs import in_language, po_path, pot_path, translated_codes, translation_for
from coventry_directory.i18n.choice import activate
from coventry_directory.i18n.formatting import format_decimal, format_long_date, format_number, format_weekday_date
from coventry_directory.i18n.languages import LANGUAGES, PSEUDO_CODE, ui_languages
from coventry_directory.i18n.maintain import _messages, extract_template
from coventry_directory.i18n.pseudo import pseudo_catalog, pseudo_text

UI_CODES = [lang.code for lang in ui_languages() if lang.code != "en"]
BRACE = re.compile(r"\{[^{}]*\}")
PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    activate("en")


def catalog(code):
    with open(po_path(code), "rb") as fh:
        return read_po(fh, locale=code)


def forms(value) -> list[str]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def placeholders(text: str) -> tuple[list[str], list[str]]:
    return sorted(BRACE.findall(text)), sorted(PERCENT.findall(text))


def test_the_app_speaks_six_languages_each_marked_unreviewed():
    assert [lang.code for lang in ui_languages()] == ["en", "pl", "ro", "pa", "ur", "ar"]
    assert not any(LANGUAGES[c].reviewed for c in UI_CODES)  # drafted without a fluent speaker


@pytest.mark.parametrize("code", translated_codes())
def test_every_catalog_keeps_the_placeholders_of_its_source(code):
    for msg in catalog(code):
        if not msg.id:
            continue
        source = placeholders(forms(msg.id)[-1])
        for text in forms(msg.string):
            if text:  # untranslated (leaflet-only languages): shown in English, which is safe
                assert placeholders(text) == source, (code, msg.id, text)


@pytest.mark.parametrize("code", UI_CODES)
def test_every_ui_string_is_translated_for_ui_languages(code):
    cat = catalog(code)
    with open(pot_path(), "rb") as fh:
        pot = read_po(fh)
    missing = [
        m.id
        for m in pot
        if m.id and not (cat.get(m.id) and all(forms(cat.get(m.id).string)) and "fuzzy" not in cat.get(m.id).flags)
    ]
    assert not missing, f"{code} lacks {len(missing)}: {missing[:5]}"


@pytest.mark.parametrize("code", UI_CODES)
def test_mnemonics_survive_translation(code):
    # A label's "&" gives it an Alt+letter shortcut; a translation must keep one.
    for msg in catalog(code):
        if msg.id and isinstance(msg.id, str) and re.search(r"&\w", msg.id) and msg.string:
            assert re.search(r"&\w", msg.string), (code, msg.id, msg.string)


def test_the_template_is_current_with_the_code():
    # A string marked in the code but missing here would stay English in every language:
    # run `coventry-directory build-translations --update`.
    with open(pot_path(), "rb") as fh:
        pot = read_po(fh)
    assert _messages(pot) == _messages(extract_template())


def test_no_literal_is_hidden_inside_an_f_string():
    # On Python 3.11 babel cannot see `_("...")` inside an f-string, so it never reaches the catalog.
    package = Path(coventry_directory.__file__).parent
    hidden = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and getattr(call.func, "id", None) in ("_", "N_", "ngettext")
                        and call.args
                        and isinstance(call.args[0], ast.Constant)
                    ):
                        hidden.append(f"{path.name}:{call.lineno} {call.args[0].value!r}")
    assert not hidden, hidden


def test_pseudo_text_is_bracketed_stretched_and_keeps_what_code_needs():
    text = pseudo_text("&Print {n} leaflets for %(name)s <b>now</b> &amp; later")
    assert text.startswith("[") and text.endswith("]") and "~" in text
    assert "{n}" in text and "%(name)s" in text and "<b>" in text and "&amp;" in text and "&" in text
    assert not re.search(
        r"[A-Za-z]{2,}",
        BRACE.sub("", text.replace("%(name)s", "").replace("<b>", "").replace("</b>", "").replace("&amp;", "")),
    )
    assert len(text) > len("&Print {n} leaflets for %(name)s <b>now</b> &amp; later") * 1.3


def test_the_pseudo_locale_covers_every_template_message():
    pseudo = pseudo_catalog(pot_path())
    with open(pot_path(), "rb") as fh:
        ids = [m.id for m in read_po(fh) if m.id]
    assert len(ids) > 300
    for msg_id in ids:
        for source, text in zip(forms(msg_id), forms(pseudo.get(msg_id).string), strict=True):
            assert text.startswith("[") and placeholders(text) == placeholders(source)
    with in_language(PSEUDO_CODE):
        assert _("Search services").startswith("[Šéåŕçĥ šéŕvîçéš ~")
        assert _("a string nobody marked") == "a string nobody marked"  # so the walk can find it
    assert translation_for(PSEUDO_CODE).gettext("Results") != "Results"


def test_numbers_and_dates_follow_the_language():
    friday = date(2026, 11, 27)
    activate("pl")
    assert format_decimal(5.44) == "5,4" and format_number(1234) == "1\xa0234"
    assert format_weekday_date(friday) == "piątek, 27 listopada"
    assert format_long_date("2026-11-24") == "24 listopada 2026"
    activate("ar")
    assert format_weekday_date(friday) == "الجمعة، 27 نوفمبر"  # Western digits, as in phone numbers
    activate("en")
    assert format_weekday_date(friday) == "Friday, 27 November" and format_decimal(5.44) == "5.4"
    assert format_long_date("not a date") == "not a date"


def test_languages_json_says_which_are_ui_languages(capsys):
    from coventry_directory.cli import main

    assert main(["languages", "--json"]) == 0
    data = {lang["code"]: lang for lang in json.loads(capsys.readouterr().out)}
    assert {c for c, lang in data.items() if lang["ui"]} == {"en", "pl", "ro", "pa", "ur", "ar"}
    assert all(lang["leaflets"] for lang in data.values())
    assert data["ur"]["reviewed"] is False and data["ur"]["direction"] == "rtl" and data["en"]["reviewed"] is True
    assert main(["languages"]) == 0
    assert "app+leaflets" in capsys.readouterr().out
