"""The "Nhập từ Excel…" wizard: pick a file, fix one mapping, preview, import, see the rows;
and "Xuất Excel…" on a registry screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from PySide6.QtWidgets import QLabel

from app.core.registry.listing import LISTINGS, ListQuery


def _screen(window: Any, key: str) -> Any:
    from app.ui.screens.registry import RegistryScreen

    return next(w for w in window.findChildren(RegistryScreen) if w.key == key)


def _workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Thôn Bắc"
    ws.append(["DANH SÁCH HỘ GIA ĐÌNH THÔN BẮC"])
    ws.append(["STT", "Họ và tên", "Năm sinh", "Quan hệ với chủ hộ", "Việc làm"])
    ws.append([1, 2, 3, 4, 5])
    ws.append([1, "Trịnh Văn Khải", 1961, "Chủ hộ", "Làm ruộng"])
    ws.append([2, "Trịnh Thị Lụa", 1963, "Vợ", "Buôn bán"])
    ws.append([3, "Trịnh Văn Mạnh", "31/02/1990", "Con", None])  # no such day: a warning
    ws.append([4, None, 1995, "Con", None])  # nobody: rejected
    ws.append([None, "Cộng: 1 hộ"])
    wb.save(path)
    return path


def test_wizard_imports_after_a_fixed_mapping(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path
) -> None:
    from app.ui.import_wizard import ImportWizard

    before = LISTINGS["people"].count(window.ctx.db, ListQuery())
    modals.files.append(_workbook(tmp_path / "thon-bac.xlsx"))
    wizard = ImportWizard(window.ctx, window)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.browse_button.click()
    assert wizard.path_edit.text().endswith("thon-bac.xlsx")
    wizard.next_button.click()  # the sheets are read off the UI thread
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == 1, timeout=10_000)
    combos = wizard.combos["Thôn Bắc"]
    assert [c.currentData() for c in combos][:4] == ["", "full_name", "birth", "relation"]
    assert combos[4].currentData() == ""  # "Việc làm" is not known: skipped
    combos[4].setCurrentIndex(combos[4].findData("occupation"))  # the person fixes it
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == 2, timeout=10_000)
    assert "thêm 3 dòng" in wizard.summary_label.text()
    assert wizard.rejected_table.rowCount() == 1
    assert wizard.rejected_table.item(0, 1).text() == "7"
    assert wizard.warnings_table.rowCount() == 1  # shown apart from the rejections
    assert [wizard.warnings_table.item(0, c).text() for c in range(4)] == [
        "Thôn Bắc",
        "6",
        "Năm sinh",
        "31/02/1990",
    ]
    wizard.strict_box.setChecked(True)  # "nothing if any row is rejected"
    assert not wizard.next_button.isEnabled()
    wizard.strict_box.setChecked(False)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.imported is not None, timeout=10_000)
    assert any("Đã nhập" in t for t in modals.texts("inform"))
    after = LISTINGS["people"].count(window.ctx.db, ListQuery())
    assert after == before + 3
    people = LISTINGS["people"]
    name, hamlet, job = (people.column_keys.index(k) for k in ("full_name", "hamlet", "occupation"))
    rows = people.fetch_all(window.ctx.db, ListQuery(search="trinh"))
    assert {(r[name], r[hamlet], r[job]) for r in rows} == {
        ("Trịnh Văn Khải", "Thôn Bắc", "Làm ruộng"),
        ("Trịnh Thị Lụa", "Thôn Bắc", "Buôn bán"),
        ("Trịnh Văn Mạnh", "Thôn Bắc", None),
    }
    window.show_screen("people")
    screen = _screen(window, "people")
    screen.search_box.setText("trinh")
    screen.apply_query()
    assert screen.model.rowCount() == 3  # the rows appear in the registry


def test_wizard_imports_only_the_chosen_sheets(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path
) -> None:
    from app.ui.import_wizard import ImportWizard

    path = _workbook(tmp_path / "hai-trang.xlsx")
    wb = load_workbook(path)
    other = wb.create_sheet("Thôn Nam")
    other.append(["Họ và tên", "Năm sinh"])
    other.append(["Giáp Văn Sáng", 1970])
    wb.save(path)
    wizard = ImportWizard(window.ctx, window)
    qtbot.addWidget(wizard)
    wizard.path_edit.setText(str(path))
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == 1, timeout=10_000)
    assert set(wizard.combos) == {"Thôn Bắc", "Thôn Nam"}
    wizard.use_sheet["Thôn Bắc"].setChecked(False)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == 2, timeout=10_000)
    assert "thêm 1 dòng" in wizard.summary_label.text()


def test_wizard_states_the_head_row_rule_and_asks_for_an_unclear_hamlet(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path
) -> None:
    from app.ui.import_wizard import ImportWizard

    path = tmp_path / "ds.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["DANH SÁCH KÈM THEO VĂN BẢN SỐ 12 CỦA UBND"])  # no clear hamlet in it
    ws.append(["Họ và tên", "Năm sinh", "Quan hệ với chủ hộ"])
    ws.append(["Kiều Văn Lâm", 1960, "Chủ hộ"])
    ws.append([None, 1961, "Chủ hộ"])  # a head row with no name
    ws.append(["Kiều Thị Mận", 1990, "Con"])  # … so its member is refused with it
    wb.save(path)
    wizard = ImportWizard(window.ctx, window)
    qtbot.addWidget(wizard)
    wizard.path_edit.setText(str(path))
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == 1, timeout=10_000)
    edit = wizard.hamlet_edits["Sheet1"]
    assert edit.text() == ""  # unsure: asked, not filled in
    question = wizard.findChild(QLabel, "hamlet_question_Sheet1")
    assert question is not None and "Chưa chắc tên thôn" in question.text()
    edit.setText("Thôn Cầu")  # the secretary answers
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == 2, timeout=10_000)
    assert "cả hộ đó" in wizard.head_rule_label.text()
    assert not wizard.head_rule_label.isHidden()
    rows = {
        wizard.rejected_table.item(i, 1).text(): wizard.rejected_table.item(i, 2).text()
        for i in range(wizard.rejected_table.rowCount())
    }
    assert set(rows) == {"4", "5"} and "dòng 4" in rows["5"]
    assert wizard.warnings_table.isHidden()  # no warning: the table is not shown
    assert wizard.plan is not None and wizard.plan.new_hamlets == ["Thôn Cầu"]


def test_wizard_reports_a_bad_file(qtbot: Any, window: Any, modals: Any, tmp_path: Path) -> None:
    from app.ui.import_wizard import ImportWizard

    bad = tmp_path / "khong-phai.xlsx"
    bad.write_text("không phải bảng tính", encoding="utf-8")
    wizard = ImportWizard(window.ctx, window)
    qtbot.addWidget(wizard)
    wizard.path_edit.setText(str(bad))
    wizard.next_button.click()
    qtbot.waitUntil(lambda: bool(modals.texts("error")), timeout=10_000)
    assert wizard.pages.currentIndex() == 0
    assert any("không phải là bảng tính" in t for t in modals.texts("error"))
    assert wizard.next_button.isEnabled()  # the person can pick another file


def test_registry_screen_exports_what_it_shows(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path
) -> None:
    window.show_screen("people")
    screen = _screen(window, "people")
    screen.search_box.setText("nguyen")
    screen.apply_query()
    out = tmp_path / "nk.xlsx"
    modals.files.append(out)
    screen.export_button.click()
    qtbot.waitUntil(lambda: bool(modals.texts("inform")), timeout=10_000)
    expected = LISTINGS["people"].fetch_all(window.ctx.db, ListQuery(search="nguyen"))
    wb = load_workbook(out)
    names = [r[1] for r in wb.worksheets[0].iter_rows(min_row=7, values_only=True)][: len(expected)]
    wb.close()
    assert names == [e[0] for e in expected] and expected
