"""Text that is not what it shows: refused where a person types it, escaped where a terminal prints it.

The characters are defined once (``core.text``): control codes (C0, C1, DEL), the direction
embeddings, overrides and isolates, and the invisible direction marks. A typed line (``assure
--by``, ``--note``, ``corrections resolve``) refuses them all; a record's text (the build check,
an import's repair) refuses codes and overrides but keeps line breaks and the marks Arabic text
uses; ``show``, ``search`` and the release notes print whatever a feed sent as visible escapes.
"""

from __future__ import annotations

import pytest

from coventry_directory.cli import main
from coventry_directory.core import correction_queue
from coventry_directory.core.directory_source import read_directory
from coventry_directory.core.text import HIDDEN_IN_RECORD, NOT_ONE_LINE, one_line, terminal_safe
from coventry_directory.exchange.repair import repair_service

KEY = "esh-community-residential-rehab"
HOSTILE = "Evil\x1b[2J\x1b]0;owned\x07 hub \u202eenolp\u202c \x9b31m"
ARABIC = "خدمة علاج الإدمان\u200f (٢٠٢٦)"  # with the right-to-left mark ordinary Arabic text carries
PUNJABI = "ਨਸ਼ਾ ਛੁਡਾਊ ਸੇਵਾ"

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
MARKS = ["\u200e", "\u200f", "\u061c"]
CONTROLS = ["\x00", "\x07", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u2029"]


class Bad(ValueError):
    pass


# --- one line a person types ----------------------------------------------------------------------
@pytest.mark.parametrize("char", BIDI + MARKS)
def test_one_line_refuses_every_direction_character_by_name(char):
    with pytest.raises(Bad) as exc:
        one_line(f"Jo{char} Bloggs", "--by", 200, Bad)
    assert str(exc.value) == (
        f"--by holds an invisible text-direction character (U+{ord(char):04X}), "
        "which can make the words read as something else; type them without it"
    )


@pytest.mark.parametrize("char", CONTROLS)
def test_one_line_refuses_control_characters_and_line_breaks(char):
    with pytest.raises(
        Bad, match=rf"--note must be one line, without control characters \(it holds U\+{ord(char):04X}\)"
    ):
        one_line(f"one{char}two", "--note", 200, Bad)


@pytest.mark.parametrize("text", [ARABIC.replace("\u200f", ""), PUNJABI, "Zespół zdrowia publicznego", "Jo Bloggs"])
def test_one_line_takes_any_script(text):
    assert one_line(f"  {text} ", "--by", 200, Bad) == text


@pytest.mark.parametrize("field", ["by", "note"])
def test_corrections_resolve_refuses_direction_characters(field, capsys):
    # the words are checked before the queue is even read
    with pytest.raises(correction_queue.CorrectionQueueError, match=f"--{field} holds an invisible text-direction"):
        correction_queue.resolve(None, "abcdef12", correction_queue.ACCEPTED, **{field: "Jo \u202eSam"})  # type: ignore[arg-type]
    assert main(["corrections", "resolve", "abcdef12", "--accept", f"--{field}", "Jo\u2067 Sam"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "text-direction character (U+2067)" in err and "\u2067" not in err


# --- one definition, several policies ---------------------------------------------------------------
def test_each_policy_is_what_its_use_needs():
    for char in BIDI + ["\x1b", "\x00", "\x9b", "\x7f"]:
        assert HIDDEN_IN_RECORD.search(char) and NOT_ONE_LINE.search(char), repr(char)
    for char in ["\t", "\n", "\r", *MARKS]:  # a description's paragraphs; Arabic text
        assert not HIDDEN_IN_RECORD.search(char) and NOT_ONE_LINE.search(char), repr(char)


def test_the_import_repair_takes_out_what_the_build_refuses():
    service = {"id": "s1", "name": "Hub \u202eenolp", "description": f"{ARABIC}\nLine two.", "status": "active"}
    outcome = repair_service(service, "services[0]", "feed")
    assert outcome.service is not None and outcome.service["name"] == "Hub enolp"  # taken out
    assert outcome.service["description"] == f"{ARABIC}\nLine two."  # kept: paragraphs and the mark
    assert any("direction-override" in w.message for w in outcome.warnings)


def test_the_build_refuses_an_assurer_name_assure_would_refuse(tmp_path):
    import shutil

    from coventry_directory.core.directory_source import DirectorySourceError
    from coventry_directory.resources import directory_source_dir

    root = tmp_path / "directory"
    shutil.copytree(directory_source_dir(), root)
    path = root / "services" / "warwickshire-treatment.toml"
    text = path.read_text(encoding="utf-8")
    at = text.index("\n", text.index("assured_date = ", text.index('key = "cgl-warwickshire-adult-service"')))
    path.write_text(text[:at] + '\nassured_by = "Jo \\u200fBloggs"' + text[at:], encoding="utf-8")
    with pytest.raises(DirectorySourceError) as exc:
        read_directory(root)
    assert any("assured_by must be one line" in p for p in exc.value.problems), exc.value.problems


# --- what reaches the terminal ---------------------------------------------------------------------
def test_terminal_safe_shows_what_would_act_on_the_terminal():
    assert terminal_safe(HOSTILE) == "Evil\\x1b[2J\\x1b]0;owned\\x07 hub \\u202eenolp\\u202c \\x9b31m"
    assert terminal_safe("a\nb\tc") == "a\\x0ab\\x09c"  # one line
    # paragraphs kept; a lone CR, which would write over the line, shown
    assert terminal_safe("a\r\nb\n\tc\rd", lines=True) == "a\nb\n\tc\\x0dd"
    assert terminal_safe("byte \udcff, lone \ud800") == "byte \\xff, lone \\ud800"
    assert terminal_safe("line\u2028sep") == "line\\u2028sep"
    for text in (ARABIC, PUNJABI, "Zespół", "café"):
        assert terminal_safe(text) == text and terminal_safe(text, lines=True) == text


@pytest.fixture
def hostile_directory(user_home):
    """The real directory, installed, with one service's name, organisation and description as a feed might send them."""
    from coventry_directory.store.directory import DirectoryStore
    from coventry_directory.userdata import installed_directory_path

    sources = read_directory()
    svc = next(s for s in sources.services if s.key == KEY)
    svc.name = f"Rehab {HOSTILE}"
    svc.organization.name = f"Org \x1b[31mred\x1b[0m {ARABIC}"
    svc.description = f"First paragraph \u2066isolated\u2069.\n\nSecond {PUNJABI}\x1b[1A."
    target = installed_directory_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    store = DirectoryStore.create(target)
    try:
        store.replace_directory(
            sources.vocabularies, sources.organizations, sources.services, {"edition": "2026-12-02"}
        )
    finally:
        store.close()
    return svc


def _no_raw(out: str) -> None:
    assert not any(c in out for c in ["\x1b", "\x07", "\x9b", "\u202e", "\u202c", "\u2066", "\u2069"]), out


def test_show_prints_a_feeds_control_characters_escaped(hostile_directory, capsys):
    assert main(["show", KEY]) == 0
    out = capsys.readouterr().out
    _no_raw(out)
    assert out.startswith("Rehab Evil\\x1b[2J\\x1b]0;owned\\x07 hub \\u202eenolp\\u202c \\x9b31m\n")
    assert f"Org \\x1b[31mred\\x1b[0m {ARABIC}" in out  # the Arabic, mark and all, as it is
    assert f"First paragraph \\u2066isolated\\u2069.\n\nSecond {PUNJABI}\\x1b[1A." in out  # paragraphs kept


def test_search_prints_a_feeds_control_characters_escaped(hostile_directory, capsys):
    assert main(["search", "rehab", "--limit", "50"]) == 0
    out = capsys.readouterr().out
    _no_raw(out)
    assert "Rehab Evil\\x1b[2J" in out and f"Org \\x1b[31mred\\x1b[0m {ARABIC}" in out
    assert main(["eligible", "--age", "30", "--near", "Rugby"]) == 0
    out = capsys.readouterr().out
    _no_raw(out)
    assert "Rehab Evil\\x1b[2J" in out
