"""Upper level: "Gói cấu hình mới…" — a new configuration package for the communes.

Pre-filled from what the last package carried: the next version (a commune never
loads a version it already has or an older one), the hub address and the escrow key.
Criteria sets and a target profile may go with it. Writing a package is a signature
over a small file, so it runs on the spot (no background worker).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.db import Database
from app.core.sync import package_content, upper
from app.ui.widgets import messages

JSON_FILES = "Tệp JSON (*.json)"
NO_FILES = "(không gửi kèm)"


def _picker(field: QLineEdit, button_text: str) -> tuple[QHBoxLayout, QPushButton]:
    row = QHBoxLayout()
    row.addWidget(field, 1)
    button = QPushButton(button_text)
    row.addWidget(button)
    return row, button


class ProvincePackageDialog(QDialog):
    """Version, output folder, hub address, escrow key, optional criteria and targets."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.written: Path | None = None
        self.criteria_files: list[Path] = []
        self.targets_file: Path | None = None
        defaults = upper.package_defaults(db)
        self.setWindowTitle("Gói cấu hình mới cho các xã")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Gói cấu hình mang khóa của tỉnh, địa chỉ máy chủ và (nếu có) bộ tiêu chí, "
            "chỉ tiêu. Xã chỉ nạp gói có phiên bản lớn hơn gói đang dùng."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.version = QSpinBox()
        self.version.setRange(defaults.version, 1_000_000)
        self.version.setValue(defaults.version)
        last = defaults.version - 1
        form.addRow("Phiên bản:", self._with_hint(self.version, f"gói gần nhất: phiên bản {last}"))
        self.out_dir = QLineEdit(str(Path.home()))
        row, choose = _picker(self.out_dir, "Chọn…")
        choose.clicked.connect(self.choose_out_dir)
        form.addRow("Lưu gói vào:", row)
        self.hub_url = QLineEdit(defaults.hub_url)
        self.hub_url.setPlaceholderText("Để trống nếu các xã chỉ gửi gói qua USB")
        form.addRow("Địa chỉ máy chủ:", self.hub_url)
        self.escrow = QLineEdit(defaults.escrow_recipient)
        self.escrow.setPlaceholderText("age1… (để trống nếu không dùng khóa dự phòng)")
        form.addRow("Khóa dự phòng:", self.escrow)
        self.criteria_label = QLineEdit(NO_FILES)
        self.criteria_label.setReadOnly(True)
        row, add = _picker(self.criteria_label, "Thêm…")
        clear = QPushButton("Bỏ")
        row.addWidget(clear)
        add.clicked.connect(self.add_criteria)
        clear.clicked.connect(self.clear_content)
        form.addRow("Bộ tiêu chí gửi kèm:", row)
        self.targets_label = QLineEdit(NO_FILES)
        self.targets_label.setReadOnly(True)
        row, pick = _picker(self.targets_label, "Chọn…")
        pick.clicked.connect(self.choose_targets)
        form.addRow("Bộ chỉ tiêu gửi kèm:", row)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        self.write_button = buttons.addButton(
            "Ghi gói cấu hình", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.write)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @staticmethod
    def _with_hint(widget: QWidget, hint: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(widget)
        row.addWidget(QLabel(hint))
        row.addStretch(1)
        return row

    def choose_out_dir(self) -> None:
        folder = messages.choose_directory(
            self, "Chọn thư mục (hoặc ổ USB) để lưu gói cấu hình", Path(self.out_dir.text())
        )
        if folder is not None:
            self.out_dir.setText(str(folder))

    def add_criteria(self) -> None:
        path = messages.choose_open_file(self, "Chọn bộ tiêu chí", Path.home(), JSON_FILES)
        if path is not None and path not in self.criteria_files:
            self.criteria_files.append(path)
            self.criteria_label.setText("; ".join(p.name for p in self.criteria_files))

    def choose_targets(self) -> None:
        path = messages.choose_open_file(self, "Chọn bộ chỉ tiêu", Path.home(), JSON_FILES)
        if path is not None:
            self.targets_file = path
            self.targets_label.setText(path.name)

    def clear_content(self) -> None:
        self.criteria_files, self.targets_file = [], None
        self.criteria_label.setText(NO_FILES)
        self.targets_label.setText(NO_FILES)

    def write(self) -> None:
        out = Path(self.out_dir.text().strip() or Path.home())
        with messages.guarded(self):
            if not out.is_dir():
                messages.error(self, f"Không có thư mục {out}. Hãy chọn thư mục khác.")
                return
            criteria, targets = package_content.read_content(self.criteria_files, self.targets_file)
            path, version = upper.write_new_config_package(
                self.db,
                out,
                version=self.version.value(),
                escrow_recipient=self.escrow.text(),
                hub_url=self.hub_url.text(),
                criteria_sets=criteria,
                targets=targets,
            )
            self.written = path
            codes, title = package_content.describe(criteria, targets)
            carried = [
                f"bộ tiêu chí {', '.join(codes)}" if codes else "",
                f"bộ chỉ tiêu {title}" if title else "",
            ]
            extra = "; ".join(c for c in carried if c)
            messages.inform(
                self,
                f"Đã ghi gói cấu hình phiên bản {version}:\n{path}\n"
                + (f"Gửi kèm: {extra}\n" if extra else "")
                + "\nGửi tệp này cho các xã (USB, thư điện tử…) để nạp.",
            )
            self.accept()
