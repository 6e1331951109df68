"""Hướng dẫn sử dụng: the guide in a window beside the work (F1, Trợ giúp menu).

Sections on the left, filtered as you type (without diacritics, as in the
registries); the chosen section on the right with the words found highlighted.
F1 on a screen opens that screen's section (:data:`SCREEN_SECTIONS`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QKeySequence,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core import help as guide
from app.ui.widgets.search_box import SearchBox

# Navigation key of a screen → the guide's section about it.
SCREEN_SECTIONS: dict[str, str] = {
    "overview": "bat-dau",
    "hamlets": "so-sach",
    "households": "so-sach",
    "people": "so-sach",
    "clans": "so-sach",
    "units": "so-sach",
    "branches": "so-sach",
    "members": "so-sach",
    "cycle": "chu-ky-nam",
    "dashboard": "chi-tieu",
    "fund": "quy",
    "sync": "gui-len-tinh",
    "printing": "in-an",
    "commune": "xa-hoc-tap",
    "audit": "tai-khoan",
}
HIGHLIGHT = QColor("#ffe066")
KEY_ROLE = Qt.ItemDataRole.UserRole


class HelpWindow(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hướng dẫn sử dụng — Sổ Khuyến Học")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.sections = guide.load_sections()
        self.current_key = ""
        self.search_box = SearchBox("Tìm trong hướng dẫn (không cần dấu)…")
        self.search_box.setObjectName("help_search")
        self.search_box.setMinimumWidth(160)
        self.search_box.search.connect(self.apply_search)
        self.contents = QListWidget()
        self.contents.setObjectName("help_contents")
        self.contents.currentItemChanged.connect(self._chosen)
        self.found_label = QLabel()
        self.found_label.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search_box)
        left_layout.addWidget(self.contents, 1)
        left_layout.addWidget(self.found_label)
        self.browser = QTextBrowser()
        self.browser.setObjectName("help_text")
        self.browser.setOpenLinks(False)
        self.browser.setSearchPaths([str(guide.help_dir())])
        self.browser.anchorClicked.connect(self._link)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.browser)
        split.setStretchFactor(1, 1)
        split.setSizes([230, 620])
        layout = QHBoxLayout(self)
        layout.addWidget(split)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search_box.focus_and_select)
        self._fill(self.sections)
        self.resize_to_screen()

    def resize_to_screen(self) -> None:
        """About 900×620, never more than the screen leaves (125 % scaling, small laptops)."""
        screen = self.screen().availableGeometry()
        self.resize(min(900, int(screen.width() * 0.9)), min(620, int(screen.height() * 0.85)))

    # --- contents and search -------------------------------------------------------

    def _fill(self, sections: list[guide.HelpSection] | tuple[guide.HelpSection, ...]) -> None:
        keep = self.current_key
        self.contents.blockSignals(True)
        self.contents.clear()
        for section in sections:
            item = QListWidgetItem(section.title)
            item.setData(KEY_ROLE, section.key)
            self.contents.addItem(item)
        self.contents.blockSignals(False)
        keys = [s.key for s in sections]
        if keys:
            self.show_section(keep if keep in keys else keys[0])

    def apply_search(self, query: str) -> None:
        hits = guide.search(query, None)
        self._fill(hits)
        if not query.strip():
            self.found_label.clear()
        elif hits:
            self.found_label.setText(f"{len(hits)} mục có “{query.strip()}”.")
        else:
            self.found_label.setText(f"Không thấy “{query.strip()}” trong hướng dẫn.")
        self._highlight()

    def show_section(self, key: str) -> None:
        section = guide.section(key)
        if section is None:
            return
        self.current_key = key
        self.browser.setHtml(section.html)
        for row in range(self.contents.count()):
            item = self.contents.item(row)
            if item.data(KEY_ROLE) == key:
                self.contents.blockSignals(True)
                self.contents.setCurrentRow(row)
                self.contents.blockSignals(False)
        self._highlight()

    def _chosen(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.show_section(str(item.data(KEY_ROLE)))

    def _highlight(self) -> None:
        """Mark the words of the search box in the section shown, and go to the first."""
        document = self.browser.document()
        spans = guide.match_spans(document.toPlainText(), self.search_box.text())
        marks = []
        fmt = QTextCharFormat()
        fmt.setBackground(HIGHLIGHT)
        for start, end in spans:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(document)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor  # type: ignore[attr-defined]
            selection.format = fmt  # type: ignore[attr-defined]
            marks.append(selection)
        self.browser.setExtraSelections(marks)
        if marks:
            first = QTextCursor(document)
            first.setPosition(spans[0][0])
            self.browser.setTextCursor(first)
            self.browser.ensureCursorVisible()

    def highlighted(self) -> list[str]:
        """The texts highlighted now (tests)."""
        return [s.cursor.selectedText() for s in self.browser.extraSelections()]  # type: ignore[attr-defined]

    def _link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            return
        key = url.toString().removesuffix(".html").lstrip("#")
        key = key.split("-", 1)[1] if key[:2].isdigit() else key
        self.show_section(key)


def show_help(parent: QWidget, section: str) -> HelpWindow:
    """The guide window of ``parent`` (one per main window), brought up at ``section``."""
    window = parent.findChild(HelpWindow)
    if window is None:
        window = HelpWindow(parent)
    window.show_section(section)
    window.show()
    window.raise_()
    window.activateWindow()
    return window
