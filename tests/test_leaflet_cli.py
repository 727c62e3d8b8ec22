"""``coventry-directory leaflet`` / ``languages`` / ``build-translations`` from the command line."""

from __future__ import annotations

import json

import pytest

from coventry_directory.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_service_leaflet_to_a_file(installed_directory, tmp_path, capsys):
    target = tmp_path / "rehab.pdf"
    code, out, err = run(capsys, "leaflet", "esh-community-residential-rehab", "--lang", "en", "-o", str(target))
    assert code == 0, err
    assert target.read_bytes().startswith(b"%PDF") and f"wrote {target}" in out


def test_unreviewed_translation_needs_consent(installed_directory, tmp_path, capsys):
    target = tmp_path / "pl.pdf"
    code, _out, err = run(capsys, "leaflet", "esh-community-residential-rehab", "--lang", "pl", "-o", str(target))
    assert code == 2 and "--accept-unreviewed" in err and len(err.strip().splitlines()) == 1
    assert not target.exists()
    code, _out, err = run(
        capsys,
        "leaflet",
        "esh-community-residential-rehab",
        "--lang",
        "pl",
        "--accept-unreviewed",
        "--large-print",
        "--size",
        "A5",
        "-o",
        str(target),
    )
    assert code == 0, err and target.exists()


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["leaflet", "esh-community-residential-rehab", "--lang", "xx"], "unknown language"),
        (["leaflet", "no-such-service", "--lang", "en"], "no service"),
        (["leaflet", "--category", "kittens", "--lang", "en"], "unknown category"),
        (["leaflet", "--category", "naloxone", "--near", "Atlantis", "--lang", "en"], "Atlantis"),
        (["leaflet", "--lang", "en"], "either SERVICE_ID"),
        (["leaflet", "esh-community-residential-rehab", "--easy-read", "--lang", "pl"], "--easy-read"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(installed_directory, tmp_path, capsys, argv, needle):
    code, _out, err = run(capsys, *argv, "-o", str(tmp_path / "out" / "x.pdf"))
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_handout_rejects_a_name_without_echoing_it(installed_directory, tmp_path, capsys):
    code, _out, err = run(capsys, "leaflet", "Jane Smith", "--handout", "--lang", "en", "-o", str(tmp_path / "h.pdf"))
    assert code == 2 and "Jane" not in err


def test_batch_pack_for_volunteers(installed_directory, tmp_path, capsys):
    out_dir = tmp_path / "pack"
    code, _out, err = run(
        capsys,
        "leaflet",
        "--category",
        "naloxone",
        "--near",
        "Rugby",
        "--lang",
        "en,pl,ro",
        "--accept-unreviewed",
        "-o",
        f"{out_dir}/",
    )
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "naloxone-rugby-en.pdf",
        "naloxone-rugby-pl.pdf",
        "naloxone-rugby-ro.pdf",
    ]
    code, _out, err = run(
        capsys,
        "leaflet",
        "esh-community-residential-rehab",
        "nat-frank",
        "--handout",
        "--lang",
        "en,ar",
        "--accept-unreviewed",
        "-o",
        str(tmp_path / "hand"),
    )
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "hand").iterdir()) == ["shortlist-ar.pdf", "shortlist-en.pdf"]


def test_easy_read(installed_directory, tmp_path, capsys):
    code, _out, err = run(
        capsys,
        "leaflet",
        "esh-community-residential-rehab",
        "--easy-read",
        "--lang",
        "en",
        "-o",
        str(tmp_path / "easy.pdf"),
    )
    assert code == 0, err


def test_languages_lists_review_status(capsys):
    code, out, _err = run(capsys, "languages", "--json")
    data = json.loads(out)
    assert code == 0 and [d["code"] for d in data][:3] == ["en", "pl", "ro"]
    assert {d["code"]: d["reviewed"] for d in data}["ur"] is False
    code, out, _err = run(capsys, "languages")
    assert "NOT checked" in out and "ckb" in out


def test_build_translations(capsys):
    code, out, _err = run(capsys, "build-translations")
    assert code == 0 and "compiled 9 catalogs" in out
