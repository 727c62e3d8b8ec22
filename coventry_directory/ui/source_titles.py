"""What a record's citations are, in words a reader can use: a document's title and the line quoted.

A citation is either a web page's address or "DOC-ID L<line>" (a line of one of the
documents listed in ``resources/directory/sources.toml``). "wdna-2022 L812" means nothing to
a GP; "Warwickshire Drugs Needs Assessment, September 2022 (TONIC), line 812" and the words
on that line do. The documents are read once, from the sources shipped beside the app; a
build without them (or an edition citing a document this copy does not list) shows the
citation as written rather than failing. Qt-free, so it is tested without a window.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from coventry_directory.core.source_documents import SourceDocument, load_documents
from coventry_directory.resources import directory_source_dir

log = logging.getLogger(__name__)

QUOTE_CHARS = 200  # a cited line can run to 2,600 characters: the start says what it is about
_LINE_CITATION = re.compile(r"(?P<doc>[a-z0-9-]+) L(?P<line>\d+)")
_WEB = re.compile(r"https?://\S+", re.IGNORECASE)
_BRACKETED_WEB = re.compile(r"\[(https?://[^\]\s]+)\]", re.IGNORECASE)  # how the facts sheet cites a page
_MARKUP = re.compile(r"^\s*(?:[-*+]\s+|#+\s+|>\s*)*")  # the facts sheet is Markdown: bullets, headings


@dataclass(frozen=True)
class Citation:
    """One source of a record, as the details show it.

    ``url`` is set for a web page; ``title`` and ``line`` for a known document line, with
    ``quote`` the start of that line (None when the line is empty or past the end).
    Otherwise only ``raw`` (the citation as written) is known. ``document`` is the cited
    document's id, so the line can be opened in the app (``ui.source_viewer``): for a web
    page, the document that records what the page said and ``line`` the first line citing
    it, for reading offline.
    """

    raw: str
    url: str | None = None
    title: str | None = None
    line: int | None = None
    quote: str | None = None
    document: str | None = None


@lru_cache(maxsize=1)
def _shipped_documents() -> dict[str, SourceDocument]:
    root = directory_source_dir()
    try:
        return load_documents(root)
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        # e.g. the frozen app, which ships the database but not the documents it was built from
        log.info("source documents not available (%s): citations are shown as written", type(exc).__name__)
        return {}


def _quote(text: str) -> str | None:
    text = _MARKUP.sub("", text).replace("**", "").strip()
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return text or None
    cut = text[:QUOTE_CHARS].rsplit(" ", 1)[0]  # end on a whole word
    return cut.rstrip(",;:") + "…"


def cite(raw: str, documents: dict[str, SourceDocument] | None = None) -> Citation:
    """``raw`` read against ``documents`` (by default the documents shipped with the app)."""
    raw = raw.strip()
    docs = _shipped_documents() if documents is None else documents
    if _WEB.fullmatch(raw):
        return _web_citation(raw, docs)
    found = _LINE_CITATION.fullmatch(raw)
    doc = docs.get(found["doc"]) if found else None
    if found is None or doc is None:
        return Citation(raw)
    line = int(found["line"])
    quote = _quote(doc.lines[line - 1]) if 0 < line <= len(doc.lines) else None
    return Citation(raw, title=doc.title, line=line, quote=quote, document=doc.id)


def _web_citation(url: str, docs: dict[str, SourceDocument]) -> Citation:
    """A web page, with the first line of a document that cites it (the facts sheet writes "[URL]")."""
    index = _shipped_web_lines() if docs is _shipped_documents() else _web_lines(docs)
    found = index.get(url)
    if found is None:
        return Citation(url, url=url)
    doc, line = found
    return Citation(url, url=url, title=doc.title, line=line, document=doc.id)


def _web_lines(docs: dict[str, SourceDocument]) -> dict[str, tuple[SourceDocument, int]]:
    """Each web address cited in brackets in ``docs``: the first document and line citing it."""
    found: dict[str, tuple[SourceDocument, int]] = {}
    for doc in docs.values():
        for number, text in enumerate(doc.lines, start=1):
            for url in _BRACKETED_WEB.findall(text):
                found.setdefault(url, (doc, number))
    return found


@lru_cache(maxsize=1)
def _shipped_web_lines() -> dict[str, tuple[SourceDocument, int]]:
    return _web_lines(_shipped_documents())


def shipped_document(doc_id: str) -> SourceDocument | None:
    """One of the documents shipped with the app, by id (None when this copy does not have it)."""
    return _shipped_documents().get(doc_id)


def citations(sources: tuple[str, ...] | list[str]) -> list[Citation]:
    """Every citation of a record, in its order, read against the documents shipped with the app."""
    return [cite(raw) for raw in sources]
