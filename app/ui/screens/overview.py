"""Tổng quan: the commune's figures at a glance, in large tiles."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core import settings
from app.core.registry.stats import RegistryStats, registry_stats
from app.core.text import format_number
from app.ui.screens.base import AppContext, Screen

FIRST_STEPS = (
    "<b>Xã mới, chưa có dữ liệu. Nên bắt đầu theo thứ tự này:</b>"
    "<ol>"
    "<li>Thêm các <b>thôn / tổ dân phố</b> của xã.</li>"
    "<li>Đưa <b>sổ hộ và nhân khẩu</b> vào: nhập từ tệp Excel đang có (Tệp → Nhập từ "
    "Excel…), hoặc thêm từng hộ ở màn hình Hộ gia đình (Ctrl+N).</li>"
    "<li>Thêm <b>chi hội</b>, rồi <b>hội viên</b>.</li>"
    "<li>Sao lưu ra USB (Tệp → Sao lưu…, Ctrl+B).</li>"
    "</ol>"
    "Bấm F1 ở bất cứ màn hình nào để xem hướng dẫn của màn hình đó."
)
TARGET_NOTE = "Chỉ tiêu: hội viên ≥ 25% dân số (toàn quốc), có tỉnh đặt 40%"

# (stats field, tile title, listing key opened by a click)
TILES = (
    ("households", "Hộ gia đình", "households"),
    ("people", "Nhân khẩu", "people"),
    ("members", "Hội viên", "members"),
    ("hamlets", "Thôn / Tổ dân phố", "hamlets"),
    ("branches", "Chi hội", "branches"),
    ("clans", "Dòng họ", "clans"),
    ("units", "Đơn vị", "units"),
)


def format_percent(share: float) -> str:
    return f"{share * 100:.1f}".replace(".", ",") + "%"


class Tile(QFrame):
    """A large figure with its caption; a click opens the matching list."""

    clicked = Signal(str)

    def __init__(self, title: str, key: str) -> None:
        super().__init__()
        self.key = key
        self.setObjectName("tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"Mở danh sách {title.lower()}")
        self.setStyleSheet(
            "#tile { background: palette(base); border: 1px solid palette(mid);"
            " border-radius: 8px; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.value_label = QLabel("…")
        font = self.value_label.font()
        font.setPointSizeF(font.pointSizeF() * 2.4)
        font.setBold(True)
        self.value_label.setFont(font)
        self.value_label.setStyleSheet("color: #1f5fa8;")
        caption = QLabel(title)
        caption_font = caption.font()
        caption_font.setPointSizeF(caption_font.pointSizeF() * 1.15)
        caption.setFont(caption_font)
        layout.addWidget(self.value_label)
        layout.addWidget(caption)

    def set_value(self, text: str) -> None:
        self.value_label.setText(text)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.key)
        super().mouseReleaseEvent(event)


class OverviewScreen(Screen):
    key = "overview"
    title = "Tổng quan"
    open_list = Signal(str)
    import_requested = Signal()
    help_requested = Signal(str)  # a section of the guide

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.tiles: dict[str, Tile] = {}
        self.stats: RegistryStats | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(12)
        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.demo_banner = QLabel(
            "Đây là xã mẫu: dữ liệu được sinh ngẫu nhiên để làm quen với phần mềm, "
            "không phải người thật."
        )
        self.demo_banner.setWordWrap(True)
        self.demo_banner.setStyleSheet(
            "background: #fff4d6; border: 1px solid #e0c070; border-radius: 6px; padding: 8px;"
        )
        self.demo_banner.hide()
        layout.addWidget(self.demo_banner)
        self.first_steps = self._first_steps()
        layout.addWidget(self.first_steps)
        grid = QGridLayout()
        grid.setSpacing(12)
        for i, (field, title, key) in enumerate(TILES):
            tile = Tile(title, key)
            tile.clicked.connect(self.open_list)
            self.tiles[field] = tile
            grid.addWidget(tile, i // 4, i % 4)
        layout.addLayout(grid)
        self.share_label = QLabel()
        self.share_label.setWordWrap(True)
        share_font = self.share_label.font()
        share_font.setPointSizeF(share_font.pointSizeF() * 1.2)
        self.share_label.setFont(share_font)
        layout.addWidget(self.share_label)
        note = QLabel(TARGET_NOTE)
        note.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(note)
        self.dues_label = QLabel()
        layout.addWidget(self.dues_label)
        layout.addStretch(1)
        folder_row = QHBoxLayout()
        self.folder_label = QLabel()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        folder_row.addWidget(self.folder_label, 1)
        open_button = QPushButton("Mở thư mục")
        open_button.clicked.connect(self.open_data_folder)
        folder_row.addWidget(open_button)
        layout.addLayout(folder_row)

    def _first_steps(self) -> QFrame:
        """What to do first in a new, empty commune (shown until it has a household)."""
        box = QFrame()
        box.setObjectName("first_steps")
        box.setStyleSheet(
            "#first_steps { background: #e8f1fb; border: 1px solid #9dbde0; border-radius: 6px; }"
        )
        layout = QVBoxLayout(box)
        text = QLabel(FIRST_STEPS)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(text)
        row = QHBoxLayout()
        self.first_import_button = QPushButton("Nhập từ Excel…")
        self.first_import_button.clicked.connect(self.import_requested)
        hamlets = QPushButton("Thêm thôn / tổ dân phố")
        hamlets.clicked.connect(lambda: self.open_list.emit("hamlets"))
        self.first_help_button = QPushButton("Xem hướng dẫn (F1)")
        self.first_help_button.clicked.connect(lambda: self.help_requested.emit("bat-dau"))
        for button in (self.first_import_button, hamlets, self.first_help_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        box.hide()
        return box

    def reload(self) -> None:
        db = self.ctx.db
        info = settings.get_commune(db)
        if info is not None:
            self.heading.setText(
                f"{info.association_name or 'Hội Khuyến học'}\n{info.name}, {info.province_name}"
            )
        self.demo_banner.setVisible(bool(info and info.is_demo))
        stats = registry_stats(db)
        self.stats = stats
        self.first_steps.setVisible(stats.households == 0)
        for field, _title, _key in TILES:
            self.tiles[field].set_value(format_number(getattr(stats, field)))
        self.share_label.setText(
            f"Hội viên đang sinh hoạt: {format_number(stats.members_active)} người, "
            f"bằng <b>{format_percent(stats.members_share_of_population)}</b> dân số "
            f"({format_number(stats.people)} nhân khẩu trong sổ)."
        )
        self.dues_label.setText(
            f"Đã đóng hội phí năm nay: {format_number(stats.members_paid_this_year)} hội viên."
        )
        self.folder_label.setText(f"Thư mục dữ liệu: {self.ctx.data_dir}")

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.data_dir)))
