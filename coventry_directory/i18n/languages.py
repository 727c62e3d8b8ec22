"""The languages leaflets are printed in: names, script, direction, fonts, review status.

Language metadata only; no reportlab here. ``reviewed`` is True only when a fluent
speaker has checked the translation. Every translation except English was drafted
without such a check (written by a developer with machine help), so it is False, and
printing one says so on the leaflet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


class UnknownLanguage(ValueError):
    """A language code we have no leaflets for."""


@dataclass(frozen=True)
class Language:
    """One leaflet language."""

    code: str            # gettext locale code, also the --lang value
    english_name: str
    native_name: str
    script: str          # ISO 15924 name of the writing system
    direction: str       # "ltr" or "rtl"
    font: str            # regular font file in resources/fonts (bold: see bold_font)
    bold_font: str
    reviewed: bool       # checked by a fluent speaker?
    note: str = ""

    @property
    def rtl(self) -> bool:
        """True for right-to-left scripts."""
        return self.direction == "rtl"

    def font_files(self) -> tuple[str, ...]:
        """Every font file a leaflet in this language embeds (own script + Latin)."""
        files = [self.font, self.bold_font]
        for latin in (LATIN_FONT, LATIN_BOLD_FONT):
            if latin not in files:
                files.append(latin)
        return tuple(files)

    def to_dict(self) -> dict:
        """JSON-ready metadata (for ``languages --json``)."""
        data = asdict(self)
        data["fonts"] = list(self.font_files())
        return data


LATIN_FONT = "NotoSans-Regular.ttf"
LATIN_BOLD_FONT = "NotoSans-Bold.ttf"
_NASKH = ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")
_DRAFT = "Drafted without a fluent speaker's check; have it reviewed before relying on it."

# Urdu is normally written in Nastaliq. We print it in Naskh: with Noto Nastaliq Urdu,
# reportlab maps almost every shaped glyph to a private-use code point, so the PDF's text
# cannot be searched, copied or read aloud, and its tall stacked forms need special line
# spacing. Naskh is fully legible to Urdu readers and its text layer survives.
URDU_FONT_NOTE = "Set in Noto Naskh Arabic, not Nastaliq (keeps the PDF text searchable and readable aloud)."

LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "English", "Latin", "ltr", LATIN_FONT, LATIN_BOLD_FONT, True,
                 "The source language."),
        Language("pl", "Polish", "Polski", "Latin", "ltr", LATIN_FONT, LATIN_BOLD_FONT, False, _DRAFT),
        Language("ro", "Romanian", "Română", "Latin", "ltr", LATIN_FONT, LATIN_BOLD_FONT, False, _DRAFT),
        Language("pa", "Punjabi", "ਪੰਜਾਬੀ", "Gurmukhi", "ltr",
                 "NotoSansGurmukhi-Regular.ttf", "NotoSansGurmukhi-Bold.ttf", False, _DRAFT),
        Language("ur", "Urdu", "اردو", "Arabic", "rtl", *_NASKH, False, f"{_DRAFT} {URDU_FONT_NOTE}"),
        Language("ar", "Arabic", "العربية", "Arabic", "rtl", *_NASKH, False, _DRAFT),
        Language("bn", "Bengali", "বাংলা", "Bengali", "ltr",
                 "NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf", False, _DRAFT),
        Language("gu", "Gujarati", "ગુજરાતી", "Gujarati", "ltr",
                 "NotoSansGujarati-Regular.ttf", "NotoSansGujarati-Bold.ttf", False, _DRAFT),
        Language("ckb", "Kurdish (Sorani)", "کوردی", "Arabic", "rtl", *_NASKH, False, _DRAFT),
        Language("ti", "Tigrinya", "ትግርኛ", "Ethiopic", "ltr",
                 "NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf", False, _DRAFT),
    )
}

# The font that sets Urdu (recorded here because Nastaliq was considered and not used).
URDU_FONT = LANGUAGES["ur"].font


def get_language(code: str) -> Language:
    """The language for ``code`` (case-insensitive); UnknownLanguage lists the valid codes."""
    lang = LANGUAGES.get((code or "").strip().lower())
    if lang is None:
        raise UnknownLanguage(f"unknown language {code!r}; choose one of: {', '.join(LANGUAGES)}")
    return lang


def parse_language_list(value: str) -> list[Language]:
    """Languages from 'pl' or 'en,pl,ro' or 'all', in the order given, without repeats."""
    if value.strip().lower() == "all":
        return list(LANGUAGES.values())
    out: list[Language] = []
    for code in (c for c in value.split(",") if c.strip()):
        lang = get_language(code)
        if lang not in out:
            out.append(lang)
    if not out:
        raise UnknownLanguage(f"no language given; choose from: {', '.join(LANGUAGES)}")
    return out
