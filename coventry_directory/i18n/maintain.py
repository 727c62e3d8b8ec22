"""Keeping the catalogs in step with the code: extract, update, compile (a developer's step).

    .venv/bin/coventry-directory build-translations --update

does what ``pybabel extract`` + ``pybabel update`` + ``pybabel compile`` would (same
mapping file, ``translations/babel.cfg``, same keywords), with the options this project
uses written down once here: no source locations (line numbers would churn every diff),
lines wrapped at 100 like the existing files, no fuzzy guesses (a guessed translation
shown to a client is worse than English), and obsolete entries kept as ``#~`` comments so
a translator can reuse them. A file is rewritten only when its messages change, so running
it twice leaves git clean.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from coventry_directory import __version__
from coventry_directory.atomic_write import SHARED, write_bytes_atomic
from coventry_directory.i18n.catalogs import DOMAIN, build_translations, po_path, pot_path, translated_codes
from coventry_directory.resources import resources_root

WIDTH = 100
COMMENT_TAGS = ("TRANSLATORS:",)


def source_dirs() -> list[Path]:
    """Where translatable text lives: the package, and the taxonomy labels in the directory sources."""
    root = resources_root().parent
    return [root / "coventry_directory", root / "resources" / "directory"]


def extract_template() -> Catalog:
    """Every marked message in the sources, as a template catalog (nothing written)."""
    with open(pot_path().parent / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    template = Catalog(
        project="Coventry Directory",
        version=__version__,
        copyright_holder="Coventry Directory contributors",
        domain=DOMAIN,
        charset="utf-8",
    )
    for folder in source_dirs():
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder),
            method_map,
            options_map,
            keywords=DEFAULT_KEYWORDS,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        ):
            template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def _messages(catalog: Catalog) -> list[tuple]:
    """What matters in a catalog, for "did anything change?" (not dates or locations)."""

    # Read back from a file, empty translations are "" (None when just extracted) and long
    # comments come back wrapped over several lines.
    def words(comments) -> str:
        return " ".join(" ".join(comments).split())

    return [
        (m.id, m.context, m.string or "", sorted(m.flags), words(m.auto_comments), words(m.user_comments))
        for m in catalog
        if m.id
    ] + [("obsolete", m.id, m.string) for m in catalog.obsolete.values()]


def _render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, no_location=True, omit_header=False)
    return out.getvalue()


def _write_if_changed(path: Path, catalog: Catalog, old: Catalog | None) -> bool:
    if old is not None and _messages(old) == _messages(catalog):
        return False
    write_bytes_atomic(path, _render(catalog), mode=SHARED)  # source files in the repository: 0644
    return True


def update_template() -> bool:
    """Re-extract ``translations/coventry_directory.pot``; True when it changed."""
    path = pot_path()
    old = None
    if path.is_file():
        with open(path, "rb") as fh:
            old = read_po(fh)
    return _write_if_changed(path, extract_template(), old)


def update_catalogs() -> list[str]:
    """Bring every ``.po`` in line with the ``.pot`` (new messages empty); returns the codes changed."""
    with open(pot_path(), "rb") as fh:
        template = read_po(fh)
    changed = []
    for code in translated_codes():
        path = po_path(code)
        with open(path, "rb") as fh:
            old = read_po(fh, locale=code, domain=DOMAIN)
        with open(path, "rb") as fh:
            catalog = read_po(fh, locale=code, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        if _write_if_changed(path, catalog, old):
            changed.append(code)
    return changed


def regenerate() -> dict:
    """Extract, update every catalog, compile everything: the one command after changing strings."""
    pot_changed = update_template()
    changed = update_catalogs()
    compiled = build_translations()
    return {"template_changed": pot_changed, "catalogs_changed": changed, "compiled": compiled}
