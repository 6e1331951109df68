"""First start at a province or district association: "Cấp tỉnh/huyện".

The upper level keeps no registers: it receives the communes' bundles. Here it is
named, its keys and its first configuration package are made (in a folder the
person picks, e.g. a USB stick to carry to the communes), and then the key's
fingerprint is shown large, to be read out or printed for the communes to compare
when they load the package.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets import messages


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


class UpperLevelDialog(QDialog):
    """Name → package folder → (optional) hub address → fingerprint to read out."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.package: Path | None = None
        self.fingerprint = ""
        self.setWindowTitle("Sổ Khuyến Học — Cấp tỉnh/huyện")
        self.setMinimumWidth(620)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._form_page())
        self.pages.addWidget(self._done_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    def _form_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(_heading("Cấp tỉnh/huyện: nhận gói dữ liệu của các xã"))
        intro = QLabel(
            "Máy này sẽ nhận và tổng hợp gói dữ liệu các xã gửi lên (qua USB hoặc máy chủ). "
            "Phần mềm tạo khóa ký của đơn vị và gói cấu hình để gửi cho các xã."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText("Ví dụ: Hội Khuyến học tỉnh Hưng Yên")
        form.addRow("Tên đơn vị:", self.name)
        self.out_dir = QLineEdit(str(Path.home()))
        choose = QPushButton("Chọn…")
        choose.clicked.connect(self.choose_out_dir)
        row = QHBoxLayout()
        row.addWidget(self.out_dir, 1)
        row.addWidget(choose)
        form.addRow("Lưu gói cấu hình vào:", row)
        self.hub_url = QLineEdit()
        self.hub_url.setPlaceholderText("Để trống nếu chỉ nhận gói qua USB")
        form.addRow("Địa chỉ máy chủ (nếu có):", self.hub_url)
        layout.addLayout(form)
        where = QLabel(f"Dữ liệu của cấp trên sẽ được lưu trong thư mục: {self.data_dir}")
        where.setWordWrap(True)
        layout.addWidget(where)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        back = QPushButton("Quay lại")
        back.clicked.connect(self.reject)
        self.create_button = QPushButton("Tạo khóa và gói cấu hình")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create)
        buttons.addWidget(back)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)
        return page

    def _done_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(_heading("Đã tạo khóa và gói cấu hình"))
        self.package_label = QLabel()
        self.package_label.setWordWrap(True)
        self.package_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.package_label)
        layout.addWidget(
            QLabel("Vân tay khóa của đơn vị — đọc hoặc in cho các xã để đối chiếu khi nạp gói:")
        )
        self.fingerprint_label = QLabel()
        font = QFont("Monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        font.setPointSizeF(self.font().pointSizeF() * 1.8)
        font.setBold(True)
        self.fingerprint_label.setFont(font)
        self.fingerprint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.fingerprint_label)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.continue_button = QPushButton("Bắt đầu sử dụng")
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.accept)
        buttons.addWidget(self.continue_button)
        layout.addLayout(buttons)
        return page

    def choose_out_dir(self) -> None:
        folder = messages.choose_directory(
            self, "Chọn thư mục (hoặc ổ USB) để lưu gói cấu hình", Path(self.out_dir.text())
        )
        if folder is not None:
            self.out_dir.setText(str(folder))

    def create(self) -> None:
        from app.core.sync import upper

        out = Path(self.out_dir.text().strip() or Path.home())
        with messages.guarded(self):
            if not out.is_dir():
                messages.error(self, f"Không có thư mục {out}. Hãy chọn thư mục khác.")
                return
            result = upper.init_province(
                self.data_dir, self.name.text(), out, hub_url=self.hub_url.text()
            )
            self.package, self.fingerprint = result.package, result.fingerprint
            self.package_label.setText(
                f"Gói cấu hình (phiên bản 1) đã lưu tại:\n{result.package}\n\n"
                "Gửi tệp này cho các xã (USB, thư điện tử…). Khi nạp, xã sẽ được hỏi "
                "vân tay dưới đây."
            )
            self.fingerprint_label.setText(self._grouped(result.fingerprint))
            self.pages.setCurrentIndex(1)

    @staticmethod
    def _grouped(fingerprint: str) -> str:
        """Two lines of four groups: easier to read aloud over the phone."""
        groups = fingerprint.split("-")
        return "\n".join(" ".join(groups[i : i + 4]) for i in range(0, len(groups), 4))

    def reject(self) -> None:
        if self.package is not None:  # the data folder exists now: go on to the window
            self.accept()
            return
        super().reject()
