"""The search thread notices a new directory edition and searches it, without a restart.

A real install (``exchange.install.commit``: a staged file swapped in, the old one kept)
while the worker holds a read-only connection to the old file; the next search reopens
on the new one. Also: an app that started on the shipped directory follows an edition
installed after it started.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coventry_directory.core.build import build_database
from coventry_directory.core.search import Filters
from coventry_directory.exchange import install
from coventry_directory.resources import bundled_database_path
from coventry_directory.ui.search_worker import SearchService
from coventry_directory.userdata import installed_directory_path

SAMPLE_SOURCES = Path(__file__).parent / "fixtures" / "sample_directory"
SAMPLE_ONLY = "Example Recovery Hub"  # in the small sample edition, not in the real directory


def install_edition(make) -> Path:
    """Install an edition as ``bundle install`` does: build it beside the target, then swap it in."""
    target = installed_directory_path()
    staged = install.staging_path(target)
    make(staged)
    install.commit(staged, target)
    return target


@pytest.fixture
def service(qtbot):
    made = []

    def start(path: Path) -> SearchService:
        svc = SearchService(path)
        made.append(svc)
        return svc

    yield start
    for svc in made:
        svc.shutdown()


def names(qtbot, svc: SearchService, query: str) -> list[str]:
    with qtbot.waitSignal(svc.results, timeout=15_000) as got:
        svc.submit(query, Filters(), limit=20)
    return [hit.name for hit in got.args[0].hits]


def test_a_new_edition_is_searched_after_an_install(qtbot, service, directory_db):
    target = install_edition(lambda staged: shutil.copyfile(directory_db, staged))
    svc = service(target)
    assert SAMPLE_ONLY not in names(qtbot, svc, SAMPLE_ONLY)  # the real directory has no such service
    install_edition(lambda staged: build_database(staged, SAMPLE_SOURCES))
    with qtbot.waitSignal(svc.edition_changed, timeout=15_000) as changed:
        found = names(qtbot, svc, SAMPLE_ONLY)
    assert found[:1] == [SAMPLE_ONLY] and changed.args == [str(target)]
    assert install.previous_path(target).is_file()  # the old edition was kept for rollback

    install.rollback(target)  # back again: noticed the same way
    assert SAMPLE_ONLY not in names(qtbot, svc, SAMPLE_ONLY)


def test_an_app_started_on_the_shipped_directory_follows_a_later_install(qtbot, service):
    if not bundled_database_path().is_file():
        pytest.skip("no shipped directory built in this checkout")
    assert not installed_directory_path().exists()
    svc = service(bundled_database_path())
    assert SAMPLE_ONLY not in names(qtbot, svc, SAMPLE_ONLY)
    install_edition(lambda staged: build_database(staged, SAMPLE_SOURCES))
    assert names(qtbot, svc, SAMPLE_ONLY)[:1] == [SAMPLE_ONLY]


def test_an_unchanged_edition_is_not_reopened(qtbot, service, directory_db):
    target = install_edition(lambda staged: shutil.copyfile(directory_db, staged))
    svc = service(target)
    names(qtbot, svc, "naloxone")
    reopened = []
    svc.edition_changed.connect(reopened.append)
    names(qtbot, svc, "alcohol")
    names(qtbot, svc, "needle exchange")
    assert reopened == []


def test_the_window_shows_details_from_the_new_edition(qtbot, open_window, directory_db):
    target = install_edition(lambda staged: shutil.copyfile(directory_db, staged))
    window = open_window(target)
    install_edition(lambda staged: build_database(staged, SAMPLE_SOURCES))
    window.search_box.setText(SAMPLE_ONLY)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0 and window.model.hits[0].name == SAMPLE_ONLY, timeout=15_000)
    window.results.setCurrentIndex(window.model.index(0))
    qtbot.waitUntil(lambda: SAMPLE_ONLY in window.details.toPlainText(), timeout=5_000)
    assert window.controller.store.path == target
    assert "Directory edition" in window.statusBar().currentMessage()
