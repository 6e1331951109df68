"""Xem trước bản in: the pages of a PDF we printed, then "In…" to a printer or "Lưu PDF…".

PySide6-Essentials has no QtPdf: the core renders pages with PDFium
(:mod:`app.core.printing.preview`) in background jobs, and this dialog only shows the
images. Printing renders the chosen pages at printer resolution a few at a time in a
worker and paints each batch on the UI thread, so a thousand certificates never sit in
memory at once and the window keeps answering (progress + "Hủy").
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QRectF, QSize, QSizeF, Qt, QTimer
from PySide6.QtGui import (
    QIcon,
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from app.core.printing.common import PrintCancelled, atomic_output
from app.core.printing.pages import describe_pages, parse_page_range
from app.core.printing.preview import page_sizes, render_page, render_pages
from app.ui.widgets import messages
from app.ui.workers import Task, run_in_background

THUMB_DPI = 16  # an A4 page ≈ 130 × 185 px
THUMB_BATCH = 16
PRINT_DPI = 300  # enough for text and the QR code; printers' 600/1200 dpi only costs memory
PRINT_BATCH = 4
ZOOMS = (("Vừa trang", 0.0), ("50%", 0.5), ("75%", 0.75), ("100%", 1.0), ("150%", 1.5))
SCREEN_DPI = 96.0
ERROR_STYLE = "color: #b00020;"


def to_qimage(image: Image.Image) -> QImage:
    """An RGB PIL image as a QImage that owns its pixels (safe to hand across threads)."""
    rgb = image.convert("RGB")
    data = rgb.tobytes("raw", "RGB")
    width, height = rgb.size
    return QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def choose_printer(parent: QWidget, printer: QPrinter) -> bool:
    """Qt's print dialog (printer, copies, paper); the page range comes from our own field."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("In")
    for option in (
        QAbstractPrintDialog.PrintDialogOption.PrintPageRange,
        QAbstractPrintDialog.PrintDialogOption.PrintSelection,
        QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage,
    ):
        dialog.setOption(option, False)
    return dialog.exec() == QDialog.DialogCode.Accepted


def open_folder(path: Path) -> None:
    """The folder holding ``path``, in the system's file manager (tests replace it)."""
    from app.ui.screens import printing

    printing.open_path(path.parent)


class PrintPreviewDialog(QDialog):
    """Thumbnails on the left, the current page on the right, range and actions below."""

    def __init__(self, path: Path, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.sizes = page_sizes(self.path)  # UnreadablePdfError before any widget appears
        self.total = len(self.sizes)
        self.current = 0
        self.closed = False
        self.printed: list[int] = []  # pages sent to the last printer, for the caller / tests
        self.saved: Path | None = None  # the last "Lưu PDF…" file
        self._tasks: set[Task] = set()
        self._page_task: Task | None = None
        self._pending = False  # the page changed while one was rendering
        self._abort_print: Callable[[], None] | None = None
        self.print_progress: QProgressDialog | None = None
        self.setWindowTitle(f"Xem trước — {title or self.path.name}")
        self.resize(1100, 760)
        self._build()
        self._relayout = QTimer(self, singleShot=True, interval=150)
        self._relayout.timeout.connect(self._render_current)
        self.show_page(0)
        self._thumbnails_from(0)

    # --- layout ----------------------------------------------------------------------

    def _build(self) -> None:
        self.thumbs = QListWidget()
        self.thumbs.setIconSize(QSize(140, 140))
        self.thumbs.setSpacing(2)
        self.thumbs.setFixedWidth(140 + self.fontMetrics().horizontalAdvance("Trang 9999") + 40)
        self.thumbs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.thumbs.setUniformItemSizes(True)
        for n in range(1, self.total + 1):
            self.thumbs.addItem(QListWidgetItem(f"Trang {n}"))
        self.thumbs.currentRowChanged.connect(lambda row: row >= 0 and self.show_page(row))

        self.page_view = QLabel("Đang hiện trang…")
        self.page_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.page_view)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.prev_button = QPushButton("◀ Trang trước")
        self.prev_button.clicked.connect(lambda: self.show_page(self.current - 1))
        self.next_button = QPushButton("Trang sau ▶")
        self.next_button.clicked.connect(lambda: self.show_page(self.current + 1))
        self.page_spin = QSpinBox()
        self.page_spin.setRange(1, self.total)
        self.page_spin.valueChanged.connect(lambda n: self.show_page(n - 1))
        self.zoom = QComboBox()
        for label, factor in ZOOMS:
            self.zoom.addItem(label, factor)
        self.zoom.currentIndexChanged.connect(lambda _i: self._render_current())
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self, lambda: self.show_page(self.current + 1))
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, lambda: self.show_page(self.current - 1))
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(QLabel("Trang"))
        nav.addWidget(self.page_spin)
        nav.addWidget(QLabel(f"/ {self.total}"))
        nav.addWidget(self.next_button)
        nav.addStretch(1)
        nav.addWidget(QLabel("Thu phóng:"))
        nav.addWidget(self.zoom)

        self.range_edit = QLineEdit()
        self.range_edit.setPlaceholderText("để trống: tất cả — ví dụ 1-3, 5")
        self.range_edit.setMaximumWidth(260)
        self.range_edit.textChanged.connect(self._check_range)
        self.range_status = QLabel()
        self.print_button = QPushButton("In…")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self._print_clicked)
        self.save_button = QPushButton("Lưu PDF…")
        self.save_button.clicked.connect(self._save_clicked)
        folder = QPushButton("Mở thư mục")
        folder.clicked.connect(lambda: open_folder(self.path))
        close = QPushButton("Đóng")
        close.clicked.connect(self.reject)
        actions = QHBoxLayout()
        actions.addWidget(QLabel("Trang cần in:"))
        actions.addWidget(self.range_edit)
        actions.addWidget(self.range_status, 1)
        for button in (self.print_button, self.save_button, folder, close):
            actions.addWidget(button)

        right = QVBoxLayout()
        right.addLayout(nav)
        right.addWidget(self.scroll, 1)
        body = QHBoxLayout()
        body.addWidget(self.thumbs)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(actions)
        self._check_range()

    # --- pages -----------------------------------------------------------------------

    def show_page(self, index: int) -> None:
        """Go to page ``index`` (0-based; out-of-range requests are ignored)."""
        if not 0 <= index < self.total:
            return
        self.current = index
        for widget in (self.thumbs, self.page_spin):  # no echo back into show_page
            widget.blockSignals(True)
        self.thumbs.setCurrentRow(index)
        self.page_spin.setValue(index + 1)
        for widget in (self.thumbs, self.page_spin):
            widget.blockSignals(False)
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < self.total - 1)
        self._render_current()

    def view_dpi(self) -> float:
        """Dots per inch the current page is drawn at: fitted to the view, or the chosen zoom."""
        factor = float(self.zoom.currentData() or 0.0)
        if factor:
            return SCREEN_DPI * factor
        width, height = self.sizes[self.current]
        viewport = self.scroll.viewport().size()
        fit = min((viewport.width() - 16) / width, (viewport.height() - 16) / height)
        return max(fit * 72.0, 10.0)

    def _render_current(self) -> None:
        """Render the current page in a worker; a request made meanwhile waits for it."""
        if self.closed:
            return
        if self._page_task in self._tasks:
            self._pending = True
            return
        index, ratio = self.current, self.devicePixelRatioF()
        dpi = self.view_dpi() * ratio

        def job(_progress: Any, _cancel: Callable[[], bool]) -> QImage:
            return to_qimage(render_page(self.path, index, dpi))

        self._page_task = self._start(job, lambda image: self._page_ready(image, ratio))

    def _page_ready(self, image: QImage, ratio: float) -> None:
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        self.page_view.setPixmap(pixmap)
        if self._pending:
            self._pending = False
            self._render_current()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if not float(self.zoom.currentData() or 0.0):
            self._relayout.start()

    def _thumbnails_from(self, first: int) -> None:
        """Thumbnails in batches, one batch per job, until every page has one."""
        if self.closed or first >= self.total:
            return
        batch = list(range(first, min(first + THUMB_BATCH, self.total)))

        def job(_progress: Any, cancel: Callable[[], bool]) -> list[QImage]:
            return [to_qimage(im) for im in render_pages(self.path, batch, THUMB_DPI, cancel)]

        def done(images: list[QImage]) -> None:
            for index, image in zip(batch, images, strict=True):
                self.thumbs.item(index).setIcon(QIcon(QPixmap.fromImage(image)))
            self._thumbnails_from(batch[-1] + 1)

        self._start(job, done)

    # --- range, printing, saving -------------------------------------------------------

    def selected_pages(self) -> list[int]:
        """0-based pages the range field names (all when blank); ValidationError if wrong."""
        return parse_page_range(self.range_edit.text(), self.total)

    def _check_range(self) -> None:
        try:
            pages = self.selected_pages()
        except UserError as err:
            self.range_status.setText(err.message)
            self.range_status.setStyleSheet(ERROR_STYLE)
            ok = False
        else:
            what = "tất cả" if len(pages) == self.total else describe_pages(pages)
            self.range_status.setText(f"Sẽ in {len(pages)}/{self.total} trang ({what}).")
            self.range_status.setStyleSheet("")
            ok = True
        self.print_button.setEnabled(ok)
        self.save_button.setEnabled(ok)

    def new_printer(self) -> QPrinter:
        """A printer set up for this document: its paper size and orientation."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        width, height = self.sizes[0]
        printer.setPageSize(
            QPageSize(
                QSizeF(min(width, height), max(width, height)),
                QPageSize.Unit.Point,
                "",
                QPageSize.SizeMatchPolicy.FuzzyMatch,
            )
        )
        printer.setPageOrientation(
            QPageLayout.Orientation.Landscape
            if width > height
            else QPageLayout.Orientation.Portrait
        )
        printer.setFullPage(True)  # our PDFs carry their own margins
        printer.setDocName(self.path.stem)
        return printer

    def _print_clicked(self) -> None:
        with messages.guarded(self):
            pages = self.selected_pages()
            printer = self.new_printer()
            if choose_printer(self, printer):
                self.print_to(printer, pages)

    def print_to(self, printer: QPrinter, pages: list[int]) -> None:
        """Send ``pages`` to ``printer``: render a few in a worker, paint them, repeat."""
        painter = QPainter()
        if not painter.begin(printer):
            raise UserError("Không mở được máy in; hãy kiểm tra máy in rồi thử lại.")
        dpi = float(min(printer.resolution(), PRINT_DPI))
        progress = QProgressDialog("Đang gửi trang tới máy in…", "Hủy", 0, len(pages), self)
        progress.setWindowTitle(messages.APP_TITLE)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setValue(0)
        self.print_progress = progress
        self.printed = []
        running: list[Task] = []
        progress.canceled.connect(lambda: running and running[-1].cancel())

        def finish(ok: bool) -> None:
            self._abort_print = None
            self.print_progress = None
            progress.reset()
            progress.deleteLater()
            if not ok:
                printer.abort()
            painter.end()
            if not self.closed:
                where = printer.printerName() or printer.outputFileName()
                done = f"Đã gửi {len(self.printed)} trang tới máy in {where}."
                self.range_status.setText(done if ok else "Đã hủy in.")

        def batch_from(start: int) -> None:
            if self.closed or progress.wasCanceled():
                finish(False)
                return
            batch = pages[start : start + PRINT_BATCH]
            if not batch:
                finish(True)
                return

            def job(_progress: Any, cancel: Callable[[], bool]) -> list[QImage]:
                return [to_qimage(im) for im in render_pages(self.path, batch, dpi, cancel)]

            def done(images: list[QImage]) -> None:
                for index, image in zip(batch, images, strict=True):
                    if self.printed:
                        printer.newPage()
                    painter.drawImage(_fit(image, printer), image)
                    self.printed.append(index)
                progress.setValue(len(self.printed))
                batch_from(start + len(batch))

            def failed(exc: BaseException) -> None:
                finish(False)
                if not isinstance(exc, PrintCancelled):
                    messages.unexpected(self, exc)

            running.append(self._start(job, done, failed))

        self._abort_print = lambda: finish(False)
        batch_from(0)

    def is_printing(self) -> bool:
        return self._abort_print is not None

    def _save_clicked(self) -> None:
        with messages.guarded(self):
            pages = self.selected_pages()
            suffix = "" if len(pages) == self.total else f"-trang-{describe_pages(pages)}"
            name = f"{self.path.stem}{suffix.replace(', ', '_')}.pdf"
            out = messages.choose_save_file(self, "Lưu PDF", self.path.parent / name, "PDF (*.pdf)")
            if out is None:
                return
            if out.resolve() == self.path.resolve():
                raise UserError("Hãy chọn một tên tệp khác với tệp đang xem.")
            self.saved = save_pages(self.path, out, pages, self.total)
            messages.inform(self, f"Đã lưu {len(pages)} trang vào tệp:\n{out}")

    # --- jobs ------------------------------------------------------------------------

    def _start(
        self,
        job: Callable[[Any, Callable[[], bool]], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Task:
        """Run ``job`` in the background; its result is dropped once the dialog is closed."""
        holder: list[Task] = []

        def settle(callback: Callable[[Any], None] | None, value: Any) -> None:
            self._tasks.discard(holder[0])
            if self.closed:
                return
            if callback is not None:
                callback(value)
            elif not isinstance(value, PrintCancelled):
                messages.unexpected(self, value)

        task = run_in_background(
            job,
            lambda result: settle(on_done, result),
            lambda exc: settle(on_error, exc),
            parent=self,
            writes=False,
        )
        holder.append(task)
        self._tasks.add(task)
        return task

    def done(self, result: int) -> None:
        """Closing stops every render still running; their results are then dropped."""
        self.closed = True
        if self._abort_print is not None:
            self._abort_print()
        for task in list(self._tasks):
            task.cancel()
        super().done(result)


def save_pages(src: Path, out: Path, pages: list[int], total: int) -> Path:
    """A copy of ``src`` at ``out``, or only ``pages`` of it."""
    from app.core.printing.preview import extract_pages

    if len(pages) != total:
        extract_pages(src, out, pages)
        return out
    with atomic_output(out) as tmp:
        shutil.copyfile(src, tmp)
    return out


def _fit(image: QImage, printer: QPrinter) -> QRectF:
    """Where a page image goes on the paper: as large as fits, centred, shape kept."""
    paper = printer.paperRect(QPrinter.Unit.DevicePixel)
    scale = min(paper.width() / image.width(), paper.height() / image.height())
    size = QSizeF(image.width() * scale, image.height() * scale)
    return QRectF(
        paper.x() + (paper.width() - size.width()) / 2,
        paper.y() + (paper.height() - size.height()) / 2,
        size.width(),
        size.height(),
    )


def show_preview(parent: QWidget, path: Path, title: str = "") -> PrintPreviewDialog | None:
    """Open the preview window-modally (not blocking); a message instead if the PDF is bad."""
    with messages.guarded(parent):
        dialog = PrintPreviewDialog(path, title, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
    return None
