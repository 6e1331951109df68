"""First start: choosing the commune by typing, and the demo commune."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.core import settings
from app.core.workspace import has_database, open_workspace
from app.ui.first_run import FirstRunDialog

pytestmark = pytest.mark.gui


@pytest.fixture()
def dialog(qtbot: Any, tmp_path: Path) -> FirstRunDialog:
    dlg = FirstRunDialog(tmp_path / "data", demo_households=40)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_province_and_commune_are_found_without_diacritics(
    qtbot: Any, dialog: FirstRunDialog
) -> None:
    assert dialog.province_combo.count() == 34
    assert not dialog.create_button.isEnabled()
    line = dialog.province_combo.lineEdit()
    qtbot.keyClicks(line, "ha noi")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert dialog.province_combo.current_value() == "01"
    assert line.text() == "Thành phố Hà Nội"

    qtbot.keyClicks(dialog.commune_search, "ba dinh")
    visible = [
        dialog.commune_list.item(i).text()
        for i in range(dialog.commune_list.count())
        if not dialog.commune_list.item(i).isHidden()
    ]
    assert visible == ["Phường Ba Đình"]
    chosen = dialog.selected_commune()
    assert chosen is not None and chosen.code == "00004"
    assert dialog.association.text() == "Hội Khuyến học phường Ba Đình"
    assert dialog.create_button.isEnabled()


def test_create_makes_the_database_with_the_names_typed(qtbot: Any, dialog: FirstRunDialog) -> None:
    qtbot.keyClicks(dialog.province_combo.lineEdit(), "thanh hoa")
    qtbot.keyClick(dialog.province_combo.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.commune_search, "xa ba dinh")
    dialog.chairman.insert("LÊ VĂN HẢI")  # QTest types ASCII only; insert() is a paste
    dialog.secretary.insert("Mai Thị Thu")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted

    ws = open_workspace(dialog.data_dir)
    try:
        info = settings.get_commune(ws.db)
    finally:
        ws.close()
    assert info is not None
    assert (info.code, info.name, info.province_name) == ("16171", "Xã Ba Đình", "Thanh Hóa")
    assert info.association_name == "Hội Khuyến học xã Ba Đình"
    assert info.chairman_name == "Lê Văn Hải"
    assert info.secretary_name == "Mai Thị Thu"
    assert not info.is_demo


def test_an_association_name_typed_by_hand_is_kept(qtbot: Any, dialog: FirstRunDialog) -> None:
    dialog.province_combo.select_value("01")
    dialog.association.insert("Hội Khuyến học phường")
    qtbot.keyClicks(dialog.commune_search, "hoan kiem")
    assert dialog.selected_commune() is not None
    assert dialog.association.text() == "Hội Khuyến học phường"


def test_demo_button_builds_the_demo_commune_in_the_background(
    qtbot: Any, dialog: FirstRunDialog
) -> None:
    pytest.importorskip("app.core.demo")
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert dialog.task is not None
    assert not dialog.create_button.isEnabled(), "no second action while the demo is built"
    qtbot.waitUntil(lambda: dialog.task.finished, timeout=20_000)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.made_demo
    ws = open_workspace(dialog.data_dir)
    try:
        info = settings.get_commune(ws.db)
        from app.core.registry.stats import registry_stats

        assert registry_stats(ws.db).households == 40
    finally:
        ws.close()
    assert info is not None and info.is_demo


def test_cancelling_the_demo_leaves_no_database(qtbot: Any, dialog: FirstRunDialog) -> None:
    pytest.importorskip("app.core.demo")
    dialog.demo_households = 3000
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    task = dialog.task
    assert task is not None and task.cancel_button is not None
    task.dialog.show()
    qtbot.mouseClick(task.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: task.finished, timeout=20_000)
    assert dialog.isVisible() and not dialog.made_demo
    assert dialog.demo_button.isEnabled()
    assert not has_database(dialog.data_dir)


def _visible(dialog: FirstRunDialog) -> list[str]:
    return [
        dialog.commune_list.item(i).text()
        for i in range(dialog.commune_list.count())
        if not dialog.commune_list.item(i).isHidden()
    ]


def test_whole_word_matches_come_first_and_are_selected(qtbot: Any, dialog: FirstRunDialog) -> None:
    line = dialog.province_combo.lineEdit()
    qtbot.keyClicks(line, "hung yen")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.commune_search, "vu thu")
    shown = _visible(dialog)
    assert shown[:2] == ["Xã Vũ Thư", "Xã Thư Vũ"], "the name typed, then the same words"
    chosen = dialog.selected_commune()
    assert chosen is not None and chosen.name == "Xã Vũ Thư"
    dialog.commune_search.clear()
    assert len(_visible(dialog)) == dialog.commune_list.count(), "cleared: the whole province"


def test_typing_a_former_province_names_the_province_it_joined(
    qtbot: Any, dialog: FirstRunDialog
) -> None:
    line = dialog.province_combo.lineEdit()
    qtbot.keyClicks(line, "thai binh")
    assert dialog.merged_note.isVisibleTo(dialog)
    assert dialog.merged_note.text() == (
        "Tỉnh Thái Bình (cũ) nay thuộc tỉnh Hưng Yên (từ 1/7/2025)."
    )
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert line.text() == "Hưng Yên", "the former name finds its province"
    qtbot.keyClicks(dialog.commune_search, "vu thu")
    assert dialog.selected_commune() is not None
    assert dialog.selected_commune().name == "Xã Vũ Thư"  # type: ignore[union-attr]
