"""Batch printing: one PDF per language (and per service) into a folder, for volunteers.

Each file is rendered fully in memory and then written atomically, so an interrupted
batch leaves only whole PDFs behind. File names say what is inside:
``<service-key>-<lang>.pdf``, ``<category>[-<place>]-<lang>.pdf``, ``shortlist-<lang>.pdf``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from coventry_directory.i18n.languages import Language
from coventry_directory.leaflets.base import write_pdf
from coventry_directory.leaflets.handout import ShortlistHandoutRenderer, resolve_services
from coventry_directory.leaflets.service_leaflet import ServiceLeafletRenderer
from coventry_directory.leaflets.topic_leaflet import TopicLeafletRenderer, check_category
from coventry_directory.store.directory import DirectoryStore


def slug(text: str) -> str:
    """A file-name-safe lowercase slug."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "leaflet"


def service_pack(
    store: DirectoryStore,
    service_ids: Sequence[str],
    languages: Sequence[Language],
    out_dir: Path,
    *,
    size: str = "A4",
    large_print: bool = False,
    handout: bool = False,
) -> list[Path]:
    """A leaflet per service per language (or one handout per language)."""
    services = resolve_services(store, service_ids)
    suffix = "-large" if large_print else ""
    written = []
    for lang in languages:
        if handout:
            data = ShortlistHandoutRenderer(services, lang, size=size, large_print=large_print, routes=store).render()
            written.append(write_pdf(Path(out_dir) / f"shortlist{suffix}-{lang.code}.pdf", data))
            continue
        for svc in services:
            data = ServiceLeafletRenderer(svc, lang, size=size, large_print=large_print, routes=store).render()
            written.append(write_pdf(Path(out_dir) / f"{slug(svc.key)}{suffix}-{lang.code}.pdf", data))
    return written


def topic_pack(
    store: DirectoryStore,
    category: str,
    near: str | None,
    languages: Sequence[Language],
    out_dir: Path,
    *,
    size: str = "A4",
    large_print: bool = False,
) -> list[Path]:
    """The topic leaflet in each language."""
    category = check_category(category)
    stem = category + (f"-{slug(near)}" if near else "") + ("-large" if large_print else "")
    written = []
    for lang in languages:
        data = TopicLeafletRenderer(store, category, near, lang, size=size, large_print=large_print).render()
        written.append(write_pdf(Path(out_dir) / f"{stem}-{lang.code}.pdf", data))
    return written
