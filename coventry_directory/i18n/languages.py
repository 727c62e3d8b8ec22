"""The languages of leaflets and of the app itself: names, script, direction, fonts, review status.

Language metadata only; no reportlab and no Qt here. Every language prints leaflets;
those with ``ui=True`` can also be chosen as the app's own language (Settings, or
``gui --lang``). ``reviewed`` is True only when a fluent speaker has checked the
translation. Every translation except English was drafted without such a check (written
by a developer with machine help), so it is False: printing one says so on the leaflet,
and Settings says so next to the language.

``english_name`` is marked with ``N_`` so the app can show each language's name in the
language the app speaks (``_(lang.english_name)``); the native name is shown as written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from coventry_directory.i18n import N_


class UnknownLanguage(ValueError):
    """A language code we have no leaflets for."""


@dataclass(frozen=True)
class Language:
    """One leaflet language."""

    code: str  # gettext locale code, also the --lang value
    english_name: str
    native_name: str
    script: str  # ISO 15924 name of the writing system
    direction: str  # "ltr" or "rtl"
    font: str  # regular font file in resources/fonts (bold: see bold_font)
    bold_font: str
    reviewed: bool  # checked by a fluent speaker?
    note: str = ""
    ui: bool = False  # can the app itself speak it (every UI string translated)?

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
        data["leaflets"] = self.code != PSEUDO_CODE
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
        Language(
            "en",
            N_("English"),
            "English",
            "Latin",
            "ltr",
            LATIN_FONT,
            LATIN_BOLD_FONT,
            True,
            "The source language.",
            ui=True,
        ),
        Language("pl", N_("Polish"), "Polski", "Latin", "ltr", LATIN_FONT, LATIN_BOLD_FONT, False, _DRAFT, ui=True),
        Language("ro", N_("Romanian"), "Română", "Latin", "ltr", LATIN_FONT, LATIN_BOLD_FONT, False, _DRAFT, ui=True),
        Language(
            "pa",
            N_("Punjabi"),
            "ਪੰਜਾਬੀ",
            "Gurmukhi",
            "ltr",
            "NotoSansGurmukhi-Regular.ttf",
            "NotoSansGurmukhi-Bold.ttf",
            False,
            _DRAFT,
            ui=True,
        ),
        Language("ur", N_("Urdu"), "اردو", "Arabic", "rtl", *_NASKH, False, f"{_DRAFT} {URDU_FONT_NOTE}", ui=True),
        Language("ar", N_("Arabic"), "العربية", "Arabic", "rtl", *_NASKH, False, _DRAFT, ui=True),
        # Leaflets only: the app's own words are not translated into these yet.
        Language(
            "bn",
            N_("Bengali"),
            "বাংলা",
            "Bengali",
            "ltr",
            "NotoSansBengali-Regular.ttf",
            "NotoSansBengali-Bold.ttf",
            False,
            _DRAFT,
        ),
        Language(
            "gu",
            N_("Gujarati"),
            "ગુજરાતી",
            "Gujarati",
            "ltr",
            "NotoSansGujarati-Regular.ttf",
            "NotoSansGujarati-Bold.ttf",
            False,
            _DRAFT,
        ),
        Language("ckb", N_("Kurdish (Sorani)"), "کوردی", "Arabic", "rtl", *_NASKH, False, _DRAFT),
        Language(
            "ti",
            N_("Tigrinya"),
            "ትግርኛ",
            "Ethiopic",
            "ltr",
            "NotoSansEthiopic-Regular.ttf",
            "NotoSansEthiopic-Bold.ttf",
            False,
            _DRAFT,
        ),
    )
}

# A pseudo-locale for developers and tests: every string from the .pot, accented, stretched
# and bracketed ("[Ŝéåŕçĥ šéŕvîçéš ~~~]"), so text left untranslated or clipped stands out.
# Not a language anyone reads, so it is not in LANGUAGES (no leaflet batch, no Settings
# entry); ``gui --lang x-pseudo`` or ``leaflet --lang x-pseudo`` reach it.
PSEUDO_CODE = "x-pseudo"
PSEUDO = Language(
    PSEUDO_CODE,
    "Pseudo-locale (for testing)",
    "Ƥšéûðô",
    "Latin",
    "ltr",
    LATIN_FONT,
    LATIN_BOLD_FONT,
    False,
    "Generated from the .pot; finds untranslated and clipped text.",
    ui=True,
)

# The font that sets Urdu (recorded here because Nastaliq was considered and not used).
URDU_FONT = LANGUAGES["ur"].font


def ui_languages() -> list[Language]:
    """The languages the app itself can be set to, English first (the pseudo-locale excluded)."""
    return [lang for lang in LANGUAGES.values() if lang.ui]


def get_language(code: str) -> Language:
    """The language for ``code`` (case-insensitive); UnknownLanguage lists the valid codes."""
    code = (code or "").strip().lower()
    lang = PSEUDO if code == PSEUDO_CODE else LANGUAGES.get(code)
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
