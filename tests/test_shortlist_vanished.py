"""A shortlisted service that leaves the directory (its source removed) is named as gone, not silently dropped."""

from __future__ import annotations

from test_sources import run, service, write

from coventry_directory.store.directory import DirectoryStore
from coventry_directory.store.user import UserStore
from coventry_directory.ui.controller import DirectoryController
from coventry_directory.ui.shortlist_panel import ShortlistPanel
from coventry_directory.userdata import user_database_path


def test_a_service_whose_source_is_removed_stays_on_the_shortlist_as_gone(qtbot, installed_directory, tmp_path, capsys):
    write(tmp_path / "council.json", [service(1, name="Harbour drop-in")])
    assert run(capsys, "import", str(tmp_path / "council.json"))[0] == 0
    user = UserStore(user_database_path())
    store = DirectoryStore.open(installed_directory)
    controller = DirectoryController(store, user)
    harbour = next(s for s in store.all_services() if s.name == "Harbour drop-in")
    samaritans = store.get_service("nat-samaritans")
    assert controller.toggle_shortlist(harbour.id) and controller.toggle_shortlist(samaritans.id)
    store.close()

    assert run(capsys, "sources", "remove", "council")[0] == 0
    controller.reopen(installed_directory)
    try:
        assert [s.name for s in controller.shortlist()] == [samaritans.name]
        assert controller.vanished_from_shortlist() == [(harbour.id, "Harbour drop-in")]
        panel = ShortlistPanel()
        qtbot.addWidget(panel)
        panel.set_services(controller.shortlist(), controller.vanished_from_shortlist())
        texts = [panel.list.item(i).text() for i in range(panel.list.count())]
        assert texts[1].startswith("Harbour drop-in — no longer in the directory")
        assert panel.ids() == [samaritans.id]  # handouts and referrals leave it out
        opened = []
        panel.opened.connect(opened.append)
        panel.list.itemActivated.emit(panel.list.item(1))
        assert opened == []  # nothing to open
        panel.list.setCurrentRow(1)
        removed = []
        panel.removed.connect(removed.append)
        panel.remove_button.click()
        assert removed == [harbour.id]
    finally:
        controller.store.close()
        user.close()
