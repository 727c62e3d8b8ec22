"""Gettext catalogs: compile translations/*.po to resources/locale/*.mo and load them.

The ``.po`` files under ``translations/`` are the source (reviewable text). The compiled
``.mo`` files are build output (git-ignored): ``coventry-directory build-translations``
writes them, the packaging step runs it, and in a source checkout they are compiled
automatically when missing or older than their ``.po`` (as the directory database is).
A frozen app ships only the compiled files.

The pseudo-locale (``x-pseudo``, see :mod:`pseudo`) has no ``.po``: its ``.mo`` is generated
from the ``.pot`` by the same build step, and goes stale when the ``.pot`` changes.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from coventry_directory.atomic_write import SHARED, atomic_write
from coventry_directory.i18n import use_translation
from coventry_directory.i18n.languages import LANGUAGES, PSEUDO_CODE, get_language
from coventry_directory.resources import is_frozen, resource_path, resources_root

DOMAIN = "coventry_directory"


class CatalogError(RuntimeError):
    """A translation catalog is missing or broken."""


def translations_source_dir() -> Path:
    """``translations/`` in a source checkout (absent in a frozen app)."""
    return resources_root().parent / "translations"


def locale_dir() -> Path:
    """Where compiled catalogs live: ``resources/locale/<code>/LC_MESSAGES/``."""
    return resource_path("locale")


def pot_path() -> Path:
    """The template every catalog is updated from (``translations/coventry_directory.pot``)."""
    return translations_source_dir() / f"{DOMAIN}.pot"


def po_path(code: str) -> Path:
    """The source catalog of one language."""
    return translations_source_dir() / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(code: str) -> Path:
    """The compiled catalog of one language."""
    return locale_dir() / code / "LC_MESSAGES" / f"{DOMAIN}.mo"


def translated_codes() -> list[str]:
    """Languages that have a catalog (every language but English, the source)."""
    return [code for code in LANGUAGES if code != "en"]


def _source(code: str) -> Path:
    """What a compiled catalog is made from: its ``.po``, or the ``.pot`` for the pseudo-locale."""
    return pot_path() if code == PSEUDO_CODE else po_path(code)


def _read_source(code: str, source: Path):
    from babel.messages.pofile import read_po

    from coventry_directory.i18n.pseudo import pseudo_catalog

    if code == PSEUDO_CODE:
        return pseudo_catalog(source)
    with open(source, "rb") as fh:
        return read_po(fh, locale=code, domain=DOMAIN)


def compile_catalog(code: str) -> Path:
    """Compile one ``.po`` (or the pseudo-locale) into its ``.mo``, atomically; returns the ``.mo`` path."""
    from babel.messages.mofile import write_mo

    source, target = _source(code), mo_path(code)
    try:
        catalog = _read_source(code, source)
    except FileNotFoundError as exc:
        raise CatalogError(f"no translation source for {code!r} at {source}") from exc
    except Exception as exc:  # babel raises several types for a malformed file
        raise CatalogError(f"cannot read {source}: {exc}") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    # Atomic: a running app never reads half a catalog. 0644: catalogs ship with the app and
    # every user of a shared install must be able to read them.
    with atomic_write(target, mode=SHARED) as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    return target


def build_translations() -> list[Path]:
    """Compile every catalog (the packaging step and ``build-translations``)."""
    load_translation.cache_clear()
    return [compile_catalog(code) for code in (*translated_codes(), PSEUDO_CODE)]


def _stale(code: str) -> bool:
    mo, po = mo_path(code), _source(code)
    if not po.is_file():
        return False
    return not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime


def ensure_compiled(code: str) -> None:
    """In a source checkout, compile a catalog that is missing or older than its ``.po``."""
    if not is_frozen() and _stale(code):
        compile_catalog(code)
        load_translation.cache_clear()


@lru_cache(maxsize=32)
def load_translation(code: str) -> gettext.NullTranslations:
    """The gettext catalog for a language code (English: the identity catalog)."""
    lang = get_language(code)
    if lang.code == "en":
        return gettext.NullTranslations()
    path = mo_path(lang.code)
    try:
        with open(path, "rb") as fh:
            return gettext.GNUTranslations(fh)
    except FileNotFoundError as exc:
        raise CatalogError(
            f"the {lang.english_name} catalog {path} is missing; run 'coventry-directory build-translations'"
        ) from exc
    except OSError as exc:
        raise CatalogError(f"cannot read {path}: {exc}") from exc


def translation_for(code: str) -> gettext.NullTranslations:
    """The catalog for ``code``, compiling it first in a source checkout when needed."""
    code = get_language(code).code
    if code != "en":
        ensure_compiled(code)
    return load_translation(code)


def in_language(code: str):
    """A context manager: ``_()`` speaks ``code`` inside it (this thread only)."""
    return use_translation(translation_for(code), code)
