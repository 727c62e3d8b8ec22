"""The desktop window, driven as a user drives it (pytest-qt, offscreen)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from ui_shell_support import answer_modal

from coventry_directory.ui.main_window import CrisisStrip
from coventry_directory.ui.results_model import HitRole


def shown_keys(window) -> list[str]:
    return [window.model.index(i).data(HitRole).key for i in range(window.model.rowCount())]


def type_query(qtbot, window, text: str) -> None:
    window.search_box.clear()
    qtbot.keyClicks(window.search_box, text)
    qtbot.waitUntil(
        lambda: (
            window._result is not None
            and window._result.query.groups
            and " ".join(g.typed for g in window._result.query.groups) != ""
        ),
        timeout=10_000,
    )


def test_typing_finds_services_as_you_type(qtbot, open_window):
    window = open_window()
    qtbot.keyClicks(window.search_box, "nalaxone")
    qtbot.waitUntil(lambda: "naloxone" in window.notes.text(), timeout=10_000)
    keys = shown_keys(window)
    assert keys[0] in ("cgl-warwickshire-naloxone", "cov-pharmacy-naloxone")
    assert "Showing results for “naloxone”" in window.notes.text()


def test_details_show_provenance_and_unknowns(qtbot, open_window):
    window = open_window()
    qtbot.keyClicks(window.search_box, "ESH rehab")
    qtbot.waitUntil(lambda: shown_keys(window)[:1] == ["esh-community-residential-rehab"], timeout=10_000)
    qtbot.keyClick(window.search_box, Qt.Key_Return)
    text = window.details.toPlainText()
    assert "01926 811702" in text
    assert "not known — check with the service" in text
    assert "Where this information comes from" in text and "eshcommunity.org" in text
    assert window.isActiveWindow()
    assert window.details.hasFocus()  # Enter moves the keyboard to the details, ready to read


def test_filters_narrow_or_within_and_across(qtbot, open_window):
    window = open_window()
    total = window.model.rowCount()
    cats = window.filters.categories
    naloxone = next(cats.item(i) for i in range(cats.count()) if cats.item(i).data(Qt.UserRole) == "naloxone")
    naloxone.setCheckState(Qt.Checked)
    qtbot.waitUntil(lambda: 0 < window.model.rowCount() < total, timeout=10_000)
    hits = [window.model.index(i).data(HitRole) for i in range(window.model.rowCount())]
    assert all("naloxone" in h.categories for h in hits)
    window.filters.near.setEditText("Rugby")
    qtbot.waitUntil(lambda: window.model.index(0).data(HitRole).distance_km is not None, timeout=10_000)


def test_client_mode_puts_eligible_first_and_greys_the_rest(qtbot, open_window):
    window = open_window()
    window.tabs.setCurrentIndex(1)
    window.profile.age.setValue(16)
    window.profile.lives.setEditText("Rugby")
    qtbot.waitUntil(lambda: window.model.index(0).data(HitRole).verdict is not None, timeout=10_000)
    hits = [window.model.index(i).data(HitRole) for i in range(window.model.rowCount())]
    statuses = [h.verdict.status for h in hits]
    assert statuses == sorted(statuses, key=["eligible", "check", "excluded"].index)
    adult = next(h for h in hits if h.key == "cgl-warwickshire-adult-service")
    assert adult.verdict.status == "excluded" and "Ages 18+ only" in adult.verdict.reasons
    row = window.model.index(hits.index(adult))
    assert "Not for this client: Ages 18+ only" in row.data(Qt.AccessibleTextRole)
    window.profile.clear()
    qtbot.waitUntil(lambda: window.model.index(0).data(HitRole).verdict is None, timeout=10_000)


def test_shortlist_survives_a_restart(qtbot, open_window):
    window = open_window()
    qtbot.keyClicks(window.search_box, "samaritans")
    qtbot.waitUntil(lambda: shown_keys(window)[:1] == ["nat-samaritans"], timeout=10_000)
    window.results.setFocus()  # the keyboard is in the results list, as after choosing a result
    assert window.results.hasFocus()
    qtbot.keyClick(window.focusWidget(), Qt.Key_D, Qt.ControlModifier)
    assert window.shortlist.list.count() == 1
    assert window.shortlist_button.text() == "Remove from shortlist"
    assert "Samaritans" in window.shortlist.list.item(0).text()
    window.close()
    again = open_window()
    assert again.shortlist.list.count() == 1
    assert "(1)" in again.tabs.tabText(2)
    answer_modal(QMessageBox.Yes)  # "Clear all" asks first
    again.shortlist.clear_button.click()
    assert again.shortlist.list.count() == 0


def test_escape_clears_and_crisis_numbers_always_visible(qtbot, open_window):
    window = open_window()
    total = window.model.rowCount()
    qtbot.keyClicks(window.search_box, "zzzz qqqq")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0, timeout=10_000)
    assert "No services match" in window.details.toPlainText()
    strip = window.findChild(CrisisStrip)
    assert strip.isVisible() and all(n in strip.text() for n in ("999", "111", "116 123"))
    qtbot.keyClick(window.search_box, Qt.Key_Escape)
    assert window.search_box.text() == ""
    qtbot.waitUntil(lambda: window.model.rowCount() == total, timeout=10_000)


def test_phone_link_copies_the_number(qtbot, open_window):
    window = open_window()
    window.show_service(window.controller.store.resolve_service_id("esh-community-residential-rehab"))
    from PySide6.QtCore import QUrl

    window._link(QUrl("copy:01926 811702"))
    assert QGuiApplication.clipboard().text() == "01926 811702"


def test_report_a_correction_is_queued(qtbot, open_window, monkeypatch):
    window = open_window()
    from coventry_directory.ui import main_window_actions

    class Answered(main_window_actions.CorrectionDialog):
        def exec(self):
            self.note.setPlainText("The phone number changed in 2026 (provider website).")
            return True

    monkeypatch.setattr(main_window_actions, "CorrectionDialog", Answered)
    window.show_service(window.controller.store.resolve_service_id("esh-community-residential-rehab"))
    window.report_correction()
    queued = window.controller.user.corrections()
    assert len(queued) == 1 and "phone number changed" in queued[0]["note"]


def test_every_control_has_an_accessible_name(qtbot, open_window):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QListView,
        QListWidget,
        QMenuBar,
        QSpinBox,
        QTabBar,
        QTextBrowser,
    )

    def internal(widget) -> bool:
        # parts Qt builds inside a combo box or spin box are named through their owner
        parent = widget.parent()
        while parent is not None:
            if (
                isinstance(parent, (QComboBox, QAbstractSpinBox, QLineEdit, QTabBar, QMenuBar))
                or type(parent).__name__ == "QComboBoxPrivateContainer"
            ):
                return True
            parent = parent.parent()
        return False

    window = open_window()
    missing = []
    for cls in (QLineEdit, QComboBox, QSpinBox, QListView, QListWidget, QTextBrowser):
        for widget in window.findChildren(cls):
            if internal(widget):
                continue
            if not widget.accessibleName() and not (isinstance(widget, QLineEdit) and widget.placeholderText()):
                missing.append(f"{cls.__name__} {widget.objectName()}")
    for button in window.findChildren(QAbstractButton):
        if not (button.accessibleName() or button.text()) and not internal(button):
            missing.append(f"button {button.objectName()}")
    assert not missing, missing


def test_print_dialog_renders_every_language_and_saves(qtbot, open_window, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from coventry_directory.ui import print_dialog as pd

    window = open_window()
    window.show_service(window.controller.store.resolve_service_id("esh-community-residential-rehab"))
    assert window.print_button.isEnabled()
    shown = []
    monkeypatch.setattr(pd.PrintDialog, "exec", lambda self: shown.append(self) or 0)
    window.print_leaflet()
    dialog = shown[0]
    for i in range(dialog.language.count()):  # every language renders and previews
        dialog.language.setCurrentIndex(i)
        assert dialog.pdf().startswith(b"%PDF") and not dialog.preview.pixmap().isNull()
    dialog.language.setCurrentIndex(0)  # English
    target = tmp_path / "esh.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert dialog.save() == target and target.read_bytes().startswith(b"%PDF")
    # printing draws every page: print to a PDF file through the real QPrinter
    printer = QPrinter(QPrinter.HighResolution)
    printer.setOutputFormat(QPrinter.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert pd.print_pdf(dialog.pdf(), printer) >= 1
    assert (tmp_path / "printed.pdf").stat().st_size > 1000
    # an unreviewed language asks before printing
    dialog.language.setCurrentIndex(dialog.language.findData("pl"))
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.No)
    assert dialog.save() is None and asked


def test_shortlist_handout_prints_services_only(qtbot, open_window, monkeypatch):
    from coventry_directory.ui import print_dialog as pd

    window = open_window()
    window.show_service(window.controller.store.resolve_service_id("nat-samaritans"))
    window.toggle_shortlist()
    assert window.shortlist.handout_button.isEnabled()
    shown = []
    monkeypatch.setattr(pd.PrintDialog, "exec", lambda self: shown.append(self) or 0)
    window.print_handout()
    assert shown[0].pdf().startswith(b"%PDF")


def test_topic_leaflet_for_one_ticked_category_near_a_place(qtbot, open_window, monkeypatch):
    from coventry_directory.ui import print_dialog as pd

    window = open_window()
    assert not window.filters.topic_button.isEnabled()
    cats = window.filters.categories
    next(cats.item(i) for i in range(cats.count()) if cats.item(i).data(Qt.UserRole) == "naloxone").setCheckState(
        Qt.Checked
    )
    window.filters.near.setEditText("Rugby")
    assert window.filters.topic_button.isEnabled()
    shown = []
    monkeypatch.setattr(pd.PrintDialog, "exec", lambda self: shown.append(self) or 0)
    window.filters.topic_button.click()
    assert "Rugby" in shown[0].windowTitle()
    assert shown[0].pdf().startswith(b"%PDF")


def test_refer_opens_the_wizard_for_the_service_or_the_shortlist(qtbot, open_window, monkeypatch):
    from coventry_directory.ui import followups_dialog, referral_wizard

    window = open_window()
    opened = []
    monkeypatch.setattr(referral_wizard.ReferralWizard, "exec", lambda self: opened.append(self) or 0)
    monkeypatch.setattr(followups_dialog.FollowUpDialog, "exec", lambda self: opened.append(self) or 0)
    window.show_service(window.controller.store.resolve_service_id("esh-community-residential-rehab"))
    assert window.refer_button.isEnabled()
    window.refer_button.click()
    assert [s.key for s in opened[-1].services] == ["esh-community-residential-rehab"]
    window.toggle_shortlist()
    window.show_service(window.controller.store.resolve_service_id("cov-st-basils-youth-hub"))
    window.toggle_shortlist()
    window.shortlist.refer_button.click()
    assert [s.key for s in opened[-1].services] == ["esh-community-residential-rehab", "cov-st-basils-youth-hub"]
    window.shortlist.followups_button.click()
    assert isinstance(opened[-1], followups_dialog.FollowUpDialog)
