"""The packaging rules without building anything: what the bundle keeps, portable mode.

The slow end-to-end proof is tests/test_frozen.py; these pin the individual decisions
so a change to a rule shows up in seconds.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
sys.path.insert(0, str(ROOT / "bench"))
import build  # packaging/build.py
import icu  # packaging/icu.py
import trim  # packaging/trim.py

from coventry_directory.i18n.languages import LANGUAGES

LANGS = sorted(LANGUAGES)


@pytest.mark.parametrize(
    "dest, kept",
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", True),
        ("PySide6/Qt/plugins/imageformats/libqico.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", True),  # Windows wheels: no Qt/ level
        ("PySide6\\plugins\\platforms\\qwindows.dll", True),
        ("PySide6\\plugins\\platforms\\qdirect2d.dll", False),
        ("PySide6\\plugins\\tls\\qschannelbackend.dll", False),
        ("PySide6/Qt/lib/libQt6Core.so.6", True),  # not a plugin: passes through
    ],
)
def test_qt_plugins_kept(dest, kept):
    assert trim.keep_qt_plugin(dest) is kept


@pytest.mark.parametrize(
    "name, kept",
    [
        ("qtbase_pl.qm", True),
        ("qtbase_ar.qm", True),
        ("qtbase_de.qm", False),
        ("qt_pl.qm", False),
        ("designer_pl.qm", False),
        ("qt_help_ar.qm", False),
    ],
)
def test_only_qtbase_translations_for_our_languages(name, kept):
    assert trim.keep_qt_translation(f"PySide6/Qt/translations/{name}", LANGS) is kept


def test_babel_keeps_every_parent_our_dates_need(tmp_path, monkeypatch):
    from babel import localedata
    from babel.dates import format_date

    keep = trim.babel_locales(LANGS)
    assert {"root", "en", "en_001", "en_GB", "pa", "pa_Guru"} <= keep and "de" not in keep
    # Format a date in every leaflet language with only the kept files present.
    source = Path(localedata._dirname)
    for name in keep:
        shutil.copy(source / f"{name}.dat", tmp_path / f"{name}.dat")
    monkeypatch.setattr(localedata, "_dirname", str(tmp_path))
    monkeypatch.setattr(localedata, "_cache", {})
    for code in LANGS:
        locale = "en_GB" if code == "en" else code
        assert format_date(dt.date(2026, 11, 24), format="d MMMM y", locale=locale)


def test_babel_data_filter():
    keep = {"root", "pl"}
    assert trim.keep_babel_data("babel/locale-data/pl.dat", keep)
    assert not trim.keep_babel_data("babel/locale-data/de.dat", keep)
    assert trim.keep_babel_data("babel/global.dat", keep)


@pytest.mark.parametrize(
    "item, kept",
    [
        ("coll/pl.res", True),
        ("coll/root.res", True),
        ("coll/ucadata.icu", True),
        ("coll/de.res", False),
        ("coll/de_.res", False),
        ("brkitr/thaidict.dict", False),
        ("curr/pl.res", False),
        ("ibm-943_P15A-2003.cnv", False),
        ("zoneinfo64.res", True),
        ("supplementalData.res", True),
        ("nfkc.nrm", True),
        ("pl.res", True),
        ("de.res", False),
        ("res_index.res", True),
        ("zone/ar.res", True),
        ("zone/ja.res", False),
    ],
)
def test_icu_data_items_kept(item, kept):
    assert icu.keep_item(item, icu.icu_locales(set(LANGS))) is kept


def test_symlinks_follow_their_targets():
    toc = [
        ("PySide6/Qt/lib/libQt6Network.so.6", "/x/libQt6Network.so.6", "BINARY"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
    ]
    kept, dropped = trim.filter_toc(toc, lambda dest: not trim.dropped_library(dest))
    assert [e[0] for e in kept] == ["libQt6Core.so.6"]
    assert len(dropped) == 2


def test_orphaned_libraries_are_only_those_nothing_kept_needs():
    links = {
        "plugin": ["libgtk", "libshared"],
        "libgtk": ["libpango"],
        "kept": ["libshared", "libcups"],
        "libcups": ["libgnutls"],
        "libpango": [],
        "libshared": [],
        "libgnutls": [],
    }
    toc = [(name, name, "BINARY") for name in links]
    dropped = [("plugin", "plugin", "BINARY"), ("libcups", "libcups", "BINARY")]
    orphans = trim.orphaned_libraries(toc, dropped, lambda src: links[src])
    assert sorted(e[0] for e in orphans) == ["libgnutls", "libgtk", "libpango"]


def test_unused_qt_modules_are_excluded_but_used_ones_never(tmp_path):
    (tmp_path / "uses_svg.py").write_text("from PySide6.QtSvg import QSvgRenderer\nfrom PySide6 import QtNetwork\n")
    excluded = trim.qt_module_excludes(tmp_path)
    assert "PySide6.QtQml" in excluded
    for used in ("QtCore", "QtGui", "QtWidgets", "QtPrintSupport", "QtSvg", "QtNetwork"):
        assert f"PySide6.{used}" not in excluded
    app_excluded = trim.qt_module_excludes(ROOT / "coventry_directory")
    assert "PySide6.QtPrintSupport" not in app_excluded


def _pretend_frozen(monkeypatch, folder: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(folder / "_internal"), raising=False)
    monkeypatch.setattr(sys, "executable", str(folder / "coventry-directory"))
    monkeypatch.delenv("COVENTRY_DIRECTORY_HOME", raising=False)


def test_frozen_portable_mode_uses_data_beside_the_executable(tmp_path, monkeypatch):
    from coventry_directory import userdata

    app = tmp_path / "usb" / "coventry-directory"
    app.mkdir(parents=True)
    (app / "portable.txt").write_text("")
    _pretend_frozen(monkeypatch, app)
    assert userdata.is_portable()
    assert userdata.data_dir() == app / "data"
    assert userdata.log_dir() == app / "data" / "logs"


def test_frozen_per_user_mode_never_uses_the_program_folder(tmp_path, monkeypatch):
    from coventry_directory import userdata

    app = tmp_path / "Program Files" / "coventry-directory"
    app.mkdir(parents=True)
    _pretend_frozen(monkeypatch, app)
    monkeypatch.setattr(userdata.platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "profile"))
    assert not userdata.is_portable()
    assert userdata.data_dir() == tmp_path / "profile"
    assert list(app.iterdir()) == []


@pytest.mark.skipif(sys.platform.startswith("win"), reason="making symlinks needs rights on Windows")
def test_portable_zip_has_the_marker_and_keeps_links(tmp_path):
    folder = tmp_path / "coventry-directory"
    (folder / "_internal").mkdir(parents=True)
    (folder / "_internal" / "libreal.so.6").write_bytes(b"\x7fELF")
    (folder / "_internal" / "libreal.so").symlink_to("libreal.so.6")
    out = build.make_zip(folder, tmp_path / "app.zip")
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert "coventry-directory/portable.txt" in names
        link = zf.getinfo("coventry-directory/_internal/libreal.so")
        assert (link.external_attr >> 16) & 0o170000 == 0o120000
        assert zf.read(link) == b"libreal.so.6"


def test_clean_env_has_no_virtualenv(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{ROOT / '.venv' / 'bin'}:/usr/bin:/bin")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    env = build.clean_env(tmp_path)
    assert ".venv" not in env["PATH"] and "PYTHONPATH" not in env and env["HOME"] == str(tmp_path)


def test_benchmark_rewrites_only_its_own_section(tmp_path, monkeypatch):
    import bundle_bench

    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n## Search\n\nfast\n\n## Bundle\n\nold\n\n## Leaflets\n\npretty\n")
    monkeypatch.setattr(bundle_bench, "DOCS", docs)
    bundle_bench.write_docs("## Bundle\n\nnew\n")
    assert docs.read_text() == "# Benchmarks\n\n## Search\n\nfast\n\n## Bundle\n\nnew\n\n## Leaflets\n\npretty\n"
    docs.write_text("# Benchmarks\n\n## Search\n\nfast\n")
    bundle_bench.write_docs("## Bundle\n\nnew\n")
    assert docs.read_text() == "# Benchmarks\n\n## Search\n\nfast\n\n## Bundle\n\nnew\n"
