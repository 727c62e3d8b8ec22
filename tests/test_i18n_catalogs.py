"""Gettext catalogs: every leaflet text translated in every language, compiled on demand."""

from __future__ import annotations

import os
import re
import threading

import pytest
from babel.messages.pofile import read_po

from coventry_directory.core import describe, fallbacks
from coventry_directory.i18n import _, use_translation
from coventry_directory.i18n.catalogs import (
    in_language,
    load_translation,
    mo_path,
    po_path,
    translated_codes,
    translation_for,
)
from coventry_directory.i18n.extract import TRANSLATED_VOCABULARIES
from coventry_directory.leaflets import wording
from coventry_directory.resources import resource_path


def leaflet_msgids() -> list[str]:
    """Every fixed string a leaflet can print (wording.py, describe.py words, taxonomy labels)."""
    ids = [
        v
        for k, v in vars(wording).items()
        if k.isupper() and isinstance(v, str) and k not in ("UNREVIEWED_NOTICE", "ALL_AREAS")
    ]
    for value in (wording.ROUTE_SENTENCES, wording.TOPIC_TITLES):
        ids += list(value.values())
    ids += [m for facts in wording.FACTS.values() for m in facts] + list(wording.PRIVACY) + list(wording.CRISIS)
    # the next steps printed for an entry with no contact route
    ids += [route.says for route in fallbacks.ROUTES]
    ids += [
        fallbacks.ORGANISATION_CONTACT,
        fallbacks.ORGANISATION_BASE,
        fallbacks.SAME_ORGANISATION,
        fallbacks.SEARCH_NAME,
        fallbacks.OLD_SOURCE,
        fallbacks.OLD_UNDATED,
    ]
    ids += [
        describe.NOT_KNOWN,
        describe.ALL_DAY,
        *describe._DAY_NAMES.values(),
        *describe._ORDINALS.values(),
        "Every day",
        "{town} (street address not known)",
        "ages {low}–{high}",
        "ages {low}+",
        "up to age {high}",
    ]
    return ids


def catalog(code):
    with open(po_path(code), "rb") as fh:
        return read_po(fh, locale=code)


@pytest.mark.parametrize("code", translated_codes())
def test_every_leaflet_text_is_translated(code):
    cat = catalog(code)
    missing = [m for m in leaflet_msgids() if not (cat.get(m) and cat.get(m).string)]
    assert not missing, f"{code} lacks: {missing[:5]}"


@pytest.mark.parametrize("code", translated_codes())
def test_placeholders_and_crisis_numbers_survive_translation(code):
    for msg in catalog(code):
        # plural messages (ngettext) hold a tuple of forms; every form is checked against the plural source
        source = msg.id[-1] if isinstance(msg.id, tuple) else msg.id
        for text in msg.string if isinstance(msg.string, tuple) else (msg.string,):
            if not (source and text):
                continue
            assert set(re.findall(r"\{\w+\}", source)) == set(re.findall(r"\{\w+\}", text)), source
            for number in ("999", "111", "116 123"):
                assert (number in source) <= (number in text), (source, text)


@pytest.mark.parametrize("code", translated_codes())
def test_taxonomy_labels_used_on_leaflets_are_translated(code):
    import tomllib

    data = tomllib.loads(resource_path("directory", "taxonomy.toml").read_text())
    cat = catalog(code)
    for vocab in ("category", "client_group", "referral_route", "delivery_mode", "substance"):
        assert vocab in TRANSLATED_VOCABULARIES
        for _code, label, _desc in data["taxonomy"][vocab]["terms"]:
            assert cat.get(label) is not None and cat.get(label).string, f"{code}: {label!r} untranslated"


def test_pot_template_lists_every_leaflet_text():
    with open(po_path("pl").parents[2] / "coventry_directory.pot", "rb") as fh:
        pot = read_po(fh)
    assert not [m for m in leaflet_msgids() if pot.get(m) is None]


def test_stale_catalog_is_recompiled_in_a_source_checkout():
    translation_for("pl")
    mo = mo_path("pl")
    old = os.stat(po_path("pl")).st_mtime - 100
    os.utime(mo, (old, old))
    translation_for("pl")
    assert mo.stat().st_mtime >= po_path("pl").stat().st_mtime
    assert load_translation("pl").gettext("Your privacy") == "Twoja prywatność"


def test_leaflet_language_does_not_leak_into_the_app_or_other_threads():
    seen = {}
    with in_language("pl"):
        assert _("Your privacy") == "Twoja prywatność"
        worker = threading.Thread(target=lambda: seen.setdefault("other", _("Your privacy")))
        worker.start()
        worker.join()
        with use_translation(translation_for("ar")):
            assert _("Your privacy") == "خصوصيتك"
        assert _("Your privacy") == "Twoja prywatność"
    assert _("Your privacy") == "Your privacy" and seen["other"] == "Your privacy"


def test_describe_words_come_out_translated():
    from coventry_directory.core.models import Schedule

    with in_language("ro"):
        assert (
            describe.describe_schedule(Schedule(id="x", byday="TU,FR", opens_at="09:30", closes_at="12:00"))
            == "marțea și vinerea, 09:30–12:00"
        )
