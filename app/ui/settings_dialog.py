"""Cài đặt: the commune's details, the people who sign documents, the data folder
and backups, and "Bảo mật" (the idle lock; which personal data may go to the
province). Every value is saved through the core (:mod:`app.core.settings`,
:mod:`app.core.accounts.service`, :mod:`app.core.sync.policy`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import settings
from app.core.assessment import CYCLE_MODELS, MODELS, issuers
from app.core.backup import backup_dir_for
from app.core.errors import UserError, ValidationError
from app.ui.screens.base import AppContext
from app.ui.widgets import messages

ROLE = Qt.ItemDataRole.UserRole


def _read_only(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Cài đặt")
        self.setMinimumSize(620, 440)
        self.loaded = settings.load(ctx.db)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._commune_tab(), "Thông tin xã")
        self.tabs.addTab(self._signers_tab(), "Người ký")
        self.tabs.addTab(self._data_tab(), "Dữ liệu")
        self.tabs.addTab(self._security_tab(), "Bảo mật")
        self.tabs.addTab(self._display_tab(), "Hiển thị")
        layout.addWidget(self.tabs)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("Lưu", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    # --- tabs ----------------------------------------------------------------------

    def _commune_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        info = self.loaded.commune
        form.addRow("Xã, phường:", _read_only(info.name if info else "(chưa chọn)"))
        form.addRow("Tỉnh, thành phố:", _read_only(info.province_name if info else ""))
        form.addRow("Mã xã:", _read_only(info.code if info else ""))
        self.association = QLineEdit(info.association_name if info else "")
        self.chairman = QLineEdit(info.chairman_name if info else "")
        self.secretary = QLineEdit(info.secretary_name if info else "")
        self.address = QLineEdit(info.address if info else "")
        self.address.setPlaceholderText("Địa chỉ trụ sở Hội (in trên giấy tờ)")
        form.addRow("Tên Hội:", self.association)
        form.addRow("Chủ tịch Hội:", self.chairman)
        form.addRow("Thư ký Hội:", self.secretary)
        form.addRow("Địa chỉ:", self.address)
        return page

    def _signers_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            _read_only(
                "Chức danh và họ tên người ký in ở cuối quyết định, giấy công nhận: "
                "Chủ tịch UBND xã ký những danh hiệu do UBND xã công nhận, Chủ tịch Hội "
                "ký những danh hiệu do Hội công nhận."
            )
        )
        self.signers = QTableWidget(0, 2)
        self.signers.setHorizontalHeaderLabels(["Chức danh", "Họ và tên"])
        self.signers.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.signers.verticalHeader().setVisible(False)
        self.signers.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for signer in self.loaded.signers:
            self._add_signer_row(signer.role, signer.title, signer.name)
        layout.addWidget(self.signers)
        row = QHBoxLayout()
        self.add_signer_button = QPushButton("Thêm người ký")
        self.add_signer_button.clicked.connect(lambda: self._add_signer_row("", "", ""))
        remove = QPushButton("Bỏ dòng đã chọn")
        remove.clicked.connect(self._remove_signer_row)
        row.addWidget(self.add_signer_button)
        row.addWidget(remove)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self._issuers_box())
        return page

    def _issuers_box(self) -> QGroupBox:
        """Which body recognises each title: its name heads the decision and the
        certificate, and its signer above signs them."""
        box = QGroupBox("Cơ quan công nhận từng danh hiệu (ra quyết định, cấp giấy)")
        form = QFormLayout(box)
        self.issuer_boxes: dict[str, QComboBox] = {}
        chosen = issuers.all_issuers(self.ctx.db)
        for model in CYCLE_MODELS:
            combo = QComboBox()
            for code in issuers.ISSUERS:
                combo.addItem(issuers.BODY_LABELS[code], code)
            combo.setCurrentIndex(max(0, combo.findData(chosen[model])))
            self.issuer_boxes[model] = combo
            form.addRow(f"{MODELS[model]}:", combo)
        return box

    def _add_signer_row(self, role: str, title: str, name: str) -> None:
        row = self.signers.rowCount()
        self.signers.insertRow(row)
        title_item = QTableWidgetItem(title)
        title_item.setData(ROLE, role or f"other_{row + 1}")
        self.signers.setItem(row, 0, title_item)
        self.signers.setItem(row, 1, QTableWidgetItem(name))

    def _remove_signer_row(self) -> None:
        row = self.signers.currentRow()
        if row >= 0:
            self.signers.removeRow(row)

    def _data_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        folder_row = QHBoxLayout()
        folder_row.addWidget(_read_only(str(self.ctx.data_dir)), 1)
        open_folder = QPushButton("Mở thư mục")
        open_folder.clicked.connect(lambda: self._open_folder(self.ctx.data_dir))
        folder_row.addWidget(open_folder)
        form.addRow("Thư mục dữ liệu:", folder_row)
        backup_row = QHBoxLayout()
        self.backup_dir = QLineEdit(self.loaded.backup_dir or "")
        self.backup_dir.setPlaceholderText(str(backup_dir_for(self.ctx.data_dir)))
        backup_row.addWidget(self.backup_dir, 1)
        self.choose_backup_button = QPushButton("Chọn…")
        self.choose_backup_button.clicked.connect(self._choose_backup_dir)
        backup_row.addWidget(self.choose_backup_button)
        form.addRow("Thư mục sao lưu:", backup_row)
        self.backup_keep = QSpinBox()
        self.backup_keep.setRange(1, 365)
        self.backup_keep.setValue(self.loaded.backup_keep)
        self.backup_keep.setSuffix(" bản")
        form.addRow("Số bản sao lưu tự động giữ lại:", self.backup_keep)
        form.addRow(
            "",
            _read_only(
                "Mỗi lần đóng chương trình, dữ liệu được sao lưu tự động; các bản cũ hơn "
                "số bản giữ lại sẽ được xóa. Nên chọn thư mục sao lưu trên ổ USB hoặc ổ khác."
            ),
        )
        return page

    def _security_tab(self) -> QWidget:
        from app.core.accounts import service
        from app.core.sync import policy

        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(0, 240)
        self.idle_minutes.setSuffix(" phút")
        self.idle_minutes.setSpecialValueText("không tự khóa")
        self.idle_minutes.setValue(service.idle_lock_minutes(self.ctx.db))
        form.addRow("Tự khóa màn hình sau:", self.idle_minutes)
        layout.addLayout(form)
        layout.addWidget(
            _read_only(
                "Thông tin cá nhân gửi lên tỉnh: chỉ gửi loại nào tỉnh cần (ghi trong gói "
                "cấu hình của tỉnh) VÀ xã đồng ý dưới đây. Mặc định không gửi loại nào; họ "
                "tên, năm sinh, giới tính và các số liệu để tính chỉ tiêu luôn được gửi."
            )
        )
        self.personal: dict[str, QCheckBox] = {}
        for state in policy.describe(self.ctx.db):
            box = QCheckBox(state.label + ("  — tỉnh cần" if state.requested else ""))
            box.setChecked(state.agreed)
            box.setToolTip(", ".join(state.fields))
            self.personal[state.key] = box
            layout.addWidget(box)
        layout.addStretch(1)
        return page

    def _display_tab(self) -> QWidget:
        """Cỡ chữ: applied as soon as it is chosen (and remembered on this computer);
        "Hủy" goes back to the size the dialog opened with."""
        from app.ui.preferences import TEXT_SIZES, stored_text_size

        page = QWidget()
        form = QFormLayout(page)
        self.text_size = QComboBox()
        self.text_size.setObjectName("text_size")
        for size in TEXT_SIZES:
            self.text_size.addItem(size.label, size.key)
        self.opened_text_size = stored_text_size(self._ui_store()).key
        self.text_size.setCurrentIndex(self.text_size.findData(self.opened_text_size))
        self.text_size.currentIndexChanged.connect(
            lambda _i: self._apply_text_size(str(self.text_size.currentData()))
        )
        form.addRow("Cỡ chữ:", self.text_size)
        form.addRow(
            "",
            _read_only(
                "Chữ đổi ngay khi chọn. Màn hình nhỏ hoặc chữ rất lớn: phần nào không vừa "
                "cửa sổ sẽ có thanh cuộn. Cũng đổi được ở menu Xem → Cỡ chữ (Ctrl +, Ctrl −)."
            ),
        )
        return page

    def _ui_store(self) -> Any:
        return getattr(self.parent(), "settings_store", None)

    def _apply_text_size(self, key: str) -> None:
        window = self.parent()
        if hasattr(window, "set_text_size"):
            window.set_text_size(key)  # rebuilds the screens behind the dialog too
        else:
            from app.ui.preferences import apply_text_size, remember_text_size

            apply_text_size(key)
            remember_text_size(key, self._ui_store())

    def reject(self) -> None:
        if str(self.text_size.currentData()) != self.opened_text_size:
            self._apply_text_size(self.opened_text_size)
        super().reject()

    def _open_folder(self, folder: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _choose_backup_dir(self) -> None:
        start = Path(self.backup_dir.text() or backup_dir_for(self.ctx.data_dir))
        chosen = messages.choose_directory(self, "Chọn thư mục sao lưu", start)
        if chosen is not None:
            self.backup_dir.setText(str(chosen))

    # --- saving --------------------------------------------------------------------

    def signer_rows(self) -> list[settings.Signer]:
        out = []
        for row in range(self.signers.rowCount()):
            title_item = self.signers.item(row, 0)
            name_item = self.signers.item(row, 1)
            title = title_item.text().strip() if title_item else ""
            name = name_item.text().strip() if name_item else ""
            if not title and not name:
                continue
            role = str(title_item.data(ROLE)) if title_item else f"other_{row + 1}"
            out.append(settings.Signer(role, title, name))
        return out

    def save(self) -> None:
        """Save all three tabs; a refused value keeps the dialog open on its tab."""
        db = self.ctx.db
        try:
            info = self.loaded.commune
            if info is not None:
                settings.set_commune(
                    db,
                    dataclasses.replace(
                        info,
                        association_name=self.association.text(),
                        chairman_name=self.chairman.text(),
                        secretary_name=self.secretary.text(),
                        address=self.address.text(),
                    ),
                )
            settings.save_signers(db, self.signer_rows())
            for model, combo in self.issuer_boxes.items():
                issuers.save_issuer(db, model, str(combo.currentData()))
            settings.save_backup_options(
                db, self.backup_keep.value(), self.backup_dir.text().strip() or None
            )
            from app.core.accounts import service
            from app.core.sync import policy

            if self.idle_minutes.value() != service.idle_lock_minutes(db):
                service.set_idle_lock_minutes(db, self.idle_minutes.value())
            chosen = [k for k, box in self.personal.items() if box.isChecked()]
            if set(chosen) != policy.agreed(db):
                policy.set_agreed(db, chosen)
        except ValidationError as err:
            tab = {"backup_keep": 2, "backup_dir": 2}.get(err.field or "", 0)
            self.tabs.setCurrentIndex(tab)
            messages.error(self, err.message)
            return
        except UserError as err:
            messages.error(self, err.message)
            return
        except Exception as exc:
            messages.unexpected(self, exc)
            return
        self.accept()
