"""Text folding and tokenising shared by the search index and the query parser.

Both sides must fold the same way (lower case, no diacritics, no control or bidi marks),
or "Café" typed would not find "cafe" stored.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY_CHARS = 500  # longer input is cut: nobody types more, and it bounds the work
MAX_TOKENS = 24
MAX_TOKEN_CHARS = 40
_UNSAFE = re.compile("[\ud800-\udfff]")  # lone surrogates (see clean_text)


def clean_text(text: str) -> str:
    """``text`` with every code point that UTF-8 (and so SQLite, a file or a terminal) cannot hold replaced.

    Python decodes command-line arguments and file names with ``surrogateescape``, so bytes
    that are not UTF-8 arrive as lone surrogates (U+DC80-U+DCFF), and any caller can pass a
    lone surrogate by itself (U+D800); neither can be encoded as UTF-8, and SQLite would
    raise ``UnicodeEncodeError``. Each becomes U+FFFD (the replacement character). Everything
    else is kept as it is - NUL and control characters too, which SQLite stores as they are,
    so that a check further on (a host name, a code) can still see them and say no.
    """
    return _UNSAFE.sub("\ufffd", text)


_ASCII_CONTROL = re.compile("[\x00-\x1f\x7f]")
_ASCII_WORD = re.compile("[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents and format/control characters (RTL marks, NUL)."""
    if text.isascii():
        # the same answer as the general path below, without a Python step per character: for
        # ASCII, NFKD changes nothing, casefold is lower, and only control characters are Cc
        return _ASCII_CONTROL.sub(" ", text).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    for ch in decomposed:
        cat = unicodedata.category(ch)
        if cat == "Mn" and kept and _is_latin(kept[-1]):
            continue  # Latin accent: "é" -> "e" (Indic and Arabic vowel signs are letters: keep them)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" ")  # NUL, bidi marks, zero-width joiners, unassigned: never part of a word
            continue
        kept.append(ch)
    return "".join(kept).casefold()


def _is_latin(ch: str) -> bool:
    code = ord(ch)
    return code < 0x0250 or 0x1E00 <= code <= 0x1EFF


def words(text: str, bounded: bool = True) -> list[str]:
    """The folded words of ``text``; a query (``bounded``) is cut to a sane size first."""
    folded = fold(text[:MAX_QUERY_CHARS] if bounded else text)
    if folded.isascii():
        found = _ASCII_WORD.findall(folded)  # ASCII letters and digits are exactly what isalnum() keeps there
        if bounded:
            found = [w[:MAX_TOKEN_CHARS] for w in found[:MAX_TOKENS]]
        return found
    out: list[str] = []
    current: list[str] = []
    for ch in folded + " ":
        # letters, digits and combining marks (Indic vowel signs are marks) make words
        if ch.isalnum() or unicodedata.category(ch)[0] == "M":
            current.append(ch)
            continue
        if current:
            word = "".join(current)
            out.append(word[:MAX_TOKEN_CHARS] if bounded else word)
            current = []
            if bounded and len(out) >= MAX_TOKENS:
                break
    return out


def fts_term(term: str, prefix: bool = False) -> str:
    r"""One term or phrase as an FTS5 string literal, safe for any input.

    Words only ever contain \w characters, but quoting (and doubling any quote) means
    even an unexpected character can never become FTS5 syntax.
    """
    literal = '"' + term.replace('"', '""') + '"'
    return literal + "*" if prefix else literal


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, stopping early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


_ONE_LINE_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # no line breaks or terminal codes


def one_line(value: str, option: str, longest: int, error: type[Exception]) -> str:
    """``value`` stripped, if it is one line of real text: not blank, UTF-8, no control characters, not too long.

    Otherwise ``error`` (the caller's own bad-input exception) names ``option`` and what is wrong.
    """
    text = value.strip()
    if not text:
        raise error(f"{option} needs some text")
    if "\ufffd" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        # the command line turns bytes that are not UTF-8 into U+FFFD: garbled words are no record
        raise error(f"{option} holds bytes that are not UTF-8 text")
    if _ONE_LINE_CONTROL.search(text):
        raise error(f"{option} must be one line, without control characters")
    if len(text) > longest:
        raise error(f"{option} is longer than {longest} characters")
    return text
