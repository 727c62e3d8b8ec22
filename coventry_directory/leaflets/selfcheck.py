"""The leaflet part of ``coventry-directory self-test``: fonts, catalogs, one leaflet per language.

Uses a made-up service with no facts (so every field prints the not-known wording) rather
than the directory, so a broken directory does not hide a font or catalog problem.
"""

from __future__ import annotations

from coventry_directory.core.models import Organization, Service
from coventry_directory.i18n.catalogs import translation_for
from coventry_directory.i18n.languages import LANGUAGES
from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer
from coventry_directory.typeset.fonts import register_all


def check_leaflets() -> str:
    """Load every font and catalog and render a leaflet in every language; raises on failure."""
    fonts = register_all()
    sample = Service(
        id="self-test",
        key="self-test",
        name="Self-test service",
        organization=Organization(id="o", key="o", name="Coventry Directory", description=""),
    )
    scripts = set()
    for lang in LANGUAGES.values():
        translation_for(lang.code)
        data = ServiceLeafletRenderer(sample, lang).render()
        if not data.startswith(b"%PDF"):
            raise RuntimeError(f"the {lang.english_name} leaflet did not render")
        scripts.add(lang.script)
    return f"{len(fonts)} fonts load; {len(LANGUAGES)} catalogs load; a leaflet renders in {len(scripts)} scripts"
