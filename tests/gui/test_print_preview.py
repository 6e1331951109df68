"""The "Xem trước" dialog: pages rendered off the UI thread, range, print to a printer, save."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.gui

PAGES = 5


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    """Five A4 landscape pages, like certificates, each with its number in big letters."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    from app.core.printing import fonts

    fonts.register_fonts()
    path = tmp_path / "giấy-công-nhận.pdf"
    c = canvas.Canvas(str(path), pagesize=landscape(A4))
    for n in range(1, PAGES + 1):
        c.setFont(fonts.SERIF_BOLD, 60)
        c.drawString(100, 300, f"Trang {n} — Đặng Thị Ỗ")
        c.showPage()
    c.save()
    return path


@pytest.fixture
def dialog(qtbot: Any, pdf: Path) -> Iterator[Any]:
    from app.ui import workers
    from app.ui.dialogs.print_preview import PrintPreviewDialog

    dlg = PrintPreviewDialog(pdf, "giấy công nhận")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    yield dlg
    dlg.reject()
    qtbot.waitUntil(lambda: not workers.busy(), timeout=10_000)


def _thumbnails_done(dlg: Any) -> bool:
    return all(not dlg.thumbs.item(i).icon().isNull() for i in range(dlg.total))


def test_pages_and_thumbnails_render_in_the_background(qtbot: Any, dialog: Any) -> None:
    assert dialog.windowTitle() == "Xem trước — giấy công nhận"
    assert dialog.thumbs.count() == PAGES
    qtbot.waitUntil(lambda: _thumbnails_done(dialog), timeout=10_000)
    qtbot.waitUntil(lambda: not dialog.page_view.pixmap().isNull(), timeout=10_000)
    pixmap = dialog.page_view.pixmap()
    assert pixmap.width() > pixmap.height()  # landscape, fitted into the view

    def fitted() -> bool:  # (again after the dialog is fitted to a small screen)
        shown = dialog.page_view.pixmap()
        return shown.width() / shown.devicePixelRatio() <= dialog.scroll.viewport().width()

    qtbot.waitUntil(fitted, timeout=10_000)


def test_next_previous_page_number_and_thumbnails_move_together(qtbot: Any, dialog: Any) -> None:
    assert (dialog.current, dialog.prev_button.isEnabled()) == (0, False)
    dialog.next_button.click()
    dialog.next_button.click()
    assert (dialog.current, dialog.page_spin.value(), dialog.thumbs.currentRow()) == (2, 3, 2)
    dialog.prev_button.click()
    assert dialog.current == 1
    dialog.page_spin.setValue(PAGES)
    assert (dialog.current, dialog.thumbs.currentRow()) == (PAGES - 1, PAGES - 1)
    assert not dialog.next_button.isEnabled()
    dialog.thumbs.setCurrentRow(0)
    assert (dialog.current, dialog.page_spin.value()) == (0, 1)


def test_zoom_renders_the_page_at_the_chosen_size(qtbot: Any, dialog: Any) -> None:
    dialog.zoom.setCurrentIndex(dialog.zoom.findData(1.0))  # 100 %: 96 dpi
    expected = round(297 / 25.4 * 96)
    qtbot.waitUntil(
        lambda: abs(dialog.page_view.pixmap().deviceIndependentSize().width() - expected) <= 2,
        timeout=10_000,
    )


@pytest.mark.parametrize(
    ("text", "status", "allowed"),
    [
        ("", "Sẽ in 5/5 trang (tất cả).", True),
        ("2-3", "Sẽ in 2/5 trang (2-3).", True),
        ("5, 1", "Sẽ in 2/5 trang (1, 5).", True),
        ("9", "Trang 9 vượt quá số trang (5).", False),
        ("3-1", "Khoảng “3-1” bị ngược: trang đầu phải nhỏ hơn trang cuối.", False),
        ("hai", "Không hiểu “hai”: ghi số trang như 1-3, 5.", False),
    ],
)
def test_the_range_field_says_what_will_print(
    dialog: Any, text: str, status: str, allowed: bool
) -> None:
    dialog.range_edit.setText(text)
    assert dialog.range_status.text() == status
    assert dialog.print_button.isEnabled() is allowed
    assert dialog.save_button.isEnabled() is allowed


def _pdf_printer(monkeypatch: pytest.MonkeyPatch, out: Path) -> list[Any]:
    """Answer Qt's print dialog by choosing a PDF file as the printer."""
    from PySide6.QtPrintSupport import QPrinter

    from app.ui.dialogs import print_preview

    chosen: list[Any] = []

    def choose(_parent: Any, printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        chosen.append(printer)
        return True

    monkeypatch.setattr(print_preview, "choose_printer", choose)
    return chosen


def test_in_prints_the_chosen_pages_on_landscape_a4(
    qtbot: Any, dialog: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.printing.preview import render_page

    out = tmp_path / "máy-in.pdf"
    chosen = _pdf_printer(monkeypatch, out)
    dialog.range_edit.setText("2-3, 5")
    dialog.print_button.click()
    qtbot.waitUntil(lambda: bool(chosen) and not dialog.is_printing(), timeout=20_000)

    assert dialog.printed == [1, 2, 4]
    assert dialog.range_status.text() == f"Đã gửi 3 trang tới máy in {out}."
    reader = PdfReader(out)
    assert len(reader.pages) == 3
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    printed = render_page(out, 0, 20).convert("L")
    source = render_page(dialog.path, 1, 20).convert("L")
    assert printed.size == source.size
    assert printed.getextrema()[0] < 100  # the big page number is there, not a blank page


def test_cancelling_stops_between_batches(
    qtbot: Any, dialog: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtPrintSupport import QPrinter

    from app.ui.dialogs import print_preview

    monkeypatch.setattr(print_preview, "PRINT_BATCH", 1)
    printer = dialog.new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "huy.pdf"))
    dialog.print_to(printer, list(range(PAGES)))
    dialog.print_progress.cancel()
    qtbot.waitUntil(lambda: not dialog.is_printing(), timeout=10_000)
    assert len(dialog.printed) < PAGES
    assert dialog.range_status.text() == "Đã hủy in."


def test_save_pdf_keeps_the_range_and_open_folder_shows_it(
    dialog: Any, modals: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui.screens import printing

    out = tmp_path / "mot-phan.pdf"
    modals.files.append(out)
    dialog.range_edit.setText("4-")
    dialog.save_button.click()
    assert len(PdfReader(out).pages) == 2
    assert "Đã lưu 2 trang" in modals.texts("inform")[-1]

    modals.files.append(dialog.path)  # the same file: refused, nothing overwritten
    dialog.save_button.click()
    assert "khác với tệp đang xem" in modals.texts()[-1]
    assert len(PdfReader(dialog.path).pages) == PAGES

    opened: list[Path] = []
    monkeypatch.setattr(printing, "open_path", opened.append)
    folder = next(
        b for b in dialog.findChildren(type(dialog.save_button)) if b.text() == "Mở thư mục"
    )
    folder.click()
    assert opened == [dialog.path.parent]


def test_print_screen_offers_the_preview_of_what_it_printed(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path
) -> None:
    screen = window.show_screen("printing")
    assert not screen.preview.isEnabled()
    out = tmp_path / "hoi-vien.pdf"
    modals.files.append(out)
    screen.list_kind.setCurrentIndex(0)
    screen._print_list()
    qtbot.waitUntil(lambda: screen.preview.isEnabled(), timeout=10_000)

    dlg = screen._preview()
    assert dlg is not None and dlg.isVisible()
    assert (dlg.path, dlg.total) == (out, 1)
    assert "danh sách" in dlg.windowTitle().lower()
    dlg.reject()


def test_a_broken_pdf_is_a_message_not_a_dialog(window: Any, modals: Any, tmp_path: Path) -> None:
    from app.ui.dialogs.print_preview import show_preview

    broken = tmp_path / "hỏng.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing")
    assert show_preview(window, broken) is None
    assert "Không đọc được tệp PDF “hỏng.pdf”" in modals.texts("error")[-1]


def test_closing_qts_print_dialog_prints_nothing(qtbot: Any, dialog: Any) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QApplication

    seen: list[Any] = []

    def close_it() -> None:
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, QPrintDialog):
            QTimer.singleShot(20, close_it)
            return
        seen.append(modal.windowTitle())
        modal.reject()

    QTimer.singleShot(0, close_it)
    dialog.print_button.click()
    assert seen == ["In"]
    assert not dialog.is_printing() and dialog.printed == []
