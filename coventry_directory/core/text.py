"""Text folding and tokenising shared by the search index and the query parser; what text may not hold.

Both sides must fold the same way (lower case, no diacritics, no control or bidi marks),
or "Café" typed would not find "cafe" stored.

The characters that are not text (control codes, direction overrides) are defined here once,
with each policy built from them: what a record may not hold, what one typed line may not
hold (:func:`one_line`), and what is escaped before it reaches a terminal (:func:`terminal_safe`).
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


# --- characters that are not text ----------------------------------------------------------------
# The parts the policies below are made of (regex class ranges), each range said once.
_C0_C1 = "\x00-\x1f\x7f-\x9f"  # C0 and C1 controls and DEL: terminal codes (ESC, CSI), NUL, bell, line ends, tab
_C0_C1_BUT_SPACING = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # the same without tab, LF and CR
_LINE_SEPARATORS = "\u2028\u2029"  # Unicode's own line and paragraph breaks
# embeddings, overrides and isolates: they reorder what follows, so "4901 5667" can show as "7665 1094"
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_BIDI_MARKS = "\u200e\u200f\u061c"  # LRM, RLM, ALM: invisible, they move the digits and punctuation beside them
_SURROGATES = "\ud800-\udfff"  # no character at all: a byte that was not UTF-8, or a broken pair

HIDDEN_IN_RECORD = re.compile(f"[{_C0_C1_BUT_SPACING}{_BIDI_CONTROLS}]")
"""What no text of a directory record may hold (the sources' build check; an imported feed's repair).

A control code or a direction override makes a name or a number show as something it is
not. Tabs and line breaks space a description of several paragraphs, and the direction
marks belong in ordinary Arabic or Urdu text, so those stay.
"""

NOT_ONE_LINE = re.compile(f"[{_C0_C1}{_LINE_SEPARATORS}{_BIDI_CONTROLS}{_BIDI_MARKS}]")
"""What one line a person gives (a name, a note, a quote) may not hold (:func:`one_line`, ``assured_by``).

Stricter than :data:`HIDDEN_IN_RECORD`: no line break or tab, and no invisible direction
character at all, marks included: a name typed in Arabic shows right without them, and one
hidden in a name or a note is there to mislead whoever reads it.
"""

# What terminal_safe shows escaped: with ``lines``, tab and LF stay (CRLF is made LF first).
_FOR_TERMINAL = re.compile(f"[{_C0_C1}{_LINE_SEPARATORS}{_BIDI_CONTROLS}{_SURROGATES}]")
_FOR_TERMINAL_LINES = re.compile(f"[{_C0_C1_BUT_SPACING}\r{_LINE_SEPARATORS}{_BIDI_CONTROLS}{_SURROGATES}]")


def terminal_safe(text: object, *, lines: bool = False) -> str:
    r"""``text`` safe to print on a terminal: whatever would act on the terminal, or hide, shown as an escape.

    A control character shows as ``\x1b`` (an escape sequence from a feed never recolours or
    clears the screen), a direction override or isolate as ``\u202e`` (it cannot turn the
    rest of the line around), a byte that was not UTF-8 (``surrogateescape``) as ``\xff``.
    Letters of every script, and the direction marks ordinary Arabic text uses, are kept as
    they are. With ``lines``, line breaks and tabs stay (a description of several
    paragraphs); otherwise they are escaped too, so that a value prints as one line.
    """
    value = str(text)
    if lines:
        return _FOR_TERMINAL_LINES.sub(_escape, value.replace("\r\n", "\n"))
    return _FOR_TERMINAL.sub(_escape, value)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        code -= 0xDC00  # a byte 0x80-0xFF that surrogateescape could not decode: show the byte
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(value: str, option: str, longest: int, error: type[Exception]) -> str:
    """``value`` stripped, if it is one line of real text: not blank, UTF-8, no control or direction characters, not too long.

    Otherwise ``error`` (the caller's own bad-input exception) names ``option`` and what is wrong.
    """
    text = value.strip()
    if not text:
        raise error(f"{option} needs some text")
    if "\ufffd" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        # the command line turns bytes that are not UTF-8 into U+FFFD: garbled words are no record
        raise error(f"{option} holds bytes that are not UTF-8 text")
    found = NOT_ONE_LINE.search(text)
    if found:
        char = found[0]
        if ord(char) < 0xA0 or char in _LINE_SEPARATORS:
            raise error(f"{option} must be one line, without control characters (it holds U+{ord(char):04X})")
        raise error(
            f"{option} holds an invisible text-direction character (U+{ord(char):04X}), "
            "which can make the words read as something else; type them without it"
        )
    if len(text) > longest:
        raise error(f"{option} is longer than {longest} characters")
    return text
