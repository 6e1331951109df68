""" "Gửi lên tỉnh": keys, the province package, exporting bundles and their history.

At the upper level the same screen imports bundles and shows every commune's state.
A thin layer: every action calls a core service (off the UI thread when long).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.screens.base import AppContext, Screen
from app.ui.widgets import messages
from app.ui.workers import run_in_background

HISTORY_HEADERS = ("Số", "Tệp", "Kích thước", "Ngày xuất", "Bản ghi", "Tỉnh đã nhận")
COMMUNE_HEADERS = ("Mã xã", "Gói cuối", "Ngày gói", "Bản ghi", "Thiếu gói", "Cách ly", "Xung đột")


class SyncScreen(Screen):
    key = "sync"
    title = "Gửi lên tỉnh"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        self.key_label = QLabel()
        self.key_label.setWordWrap(True)
        self.province_label = QLabel()
        self.province_label.setWordWrap(True)
        layout.addWidget(self.key_label)
        layout.addWidget(self.province_label)

        self.commune_box = QGroupBox("Gửi dữ liệu lên tỉnh")
        row = QHBoxLayout(self.commune_box)
        self.load_config_button = QPushButton("Nạp gói cấu hình của tỉnh…")
        self.full_check = QCheckBox("Gửi toàn bộ (không chỉ phần thay đổi)")
        self.export_button = QPushButton("Xuất gói gửi lên…")
        self.receipt_button = QPushButton("Nạp biên nhận của tỉnh…")
        for widget in (
            self.load_config_button,
            self.full_check,
            self.export_button,
            self.receipt_button,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        layout.addWidget(self.commune_box)

        self.upper_box = QGroupBox("Nhận gói của các xã")
        urow = QHBoxLayout(self.upper_box)
        self.import_button = QPushButton("Nhập gói từ thư mục / USB…")
        urow.addWidget(self.import_button)
        urow.addStretch(1)
        layout.addWidget(self.upper_box)

        self.table = QTableWidget(0, len(HISTORY_HEADERS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)

        self.load_config_button.clicked.connect(self.load_config)
        self.export_button.clicked.connect(self.export)
        self.receipt_button.clicked.connect(self.load_receipt)
        self.import_button.clicked.connect(self.import_bundles)

    # --- reading -------------------------------------------------------------------

    def reload(self) -> None:
        from app.core.sync import keys, state

        db = self.ctx.db
        upper = state.is_upper(db)
        me = keys.my_key(db.data_dir)
        self.key_label.setText(f"Vân tay khóa của máy này: <b>{me.fingerprint}</b>")
        self.commune_box.setVisible(not upper)
        self.upper_box.setVisible(upper)
        if upper:
            name = state.get_setting(db, state.PROVINCE_NAME_KEY, "")
            self.province_label.setText(f"Đơn vị cấp trên: {name}")
            self._show_communes()
            return
        config = state.province_config(db)
        self.province_label.setText(
            "Chưa nạp gói cấu hình của tỉnh."
            if config is None
            else f"Gửi cho: {config.province_name} (gói cấu hình phiên bản {config.version}, "
            f"vân tay khóa của tỉnh {config.fingerprint})"
        )
        self.export_button.setEnabled(config is not None)
        self._show_history()

    def _fill(self, headers: tuple[str, ...], rows: list[list[str]]) -> None:
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def _show_history(self) -> None:
        from app.core.sync.writer import history

        rows = [
            [
                str(e.seq),
                e.file_name,
                f"{e.size / 1024:.0f} KB",
                e.created_at,
                str(sum(e.counts.values())),
                "đã được tỉnh nhận" if e.confirmed else "chưa",
            ]
            for e in history(self.ctx.db)
        ]
        self._fill(HISTORY_HEADERS, rows)

    def _show_communes(self) -> None:
        from app.core.sync.importer import consolidation

        rows = [
            [
                s.commune_code,
                str(s.last_seq),
                s.last_created_at[:10],
                str(s.records),
                str(s.gaps),
                str(s.quarantined + s.forks),
                str(s.conflicts),
            ]
            for s in consolidation(self.ctx.db)
        ]
        self._fill(COMMUNE_HEADERS, rows)

    # --- actions -------------------------------------------------------------------

    def load_config(self) -> None:
        from app.core.sync import state

        path = messages.choose_open_file(
            self, "Chọn gói cấu hình của tỉnh", Path.home(), "Gói cấu hình (*.khcfg)"
        )
        if path is None:
            return
        with messages.guarded(self):
            expected = None
            if state.province_config(self.ctx.db) is None:
                name, fingerprint = state.package_fingerprint(path)
                question = (
                    f"Gói cấu hình của {name}.\n\nVân tay khóa của tỉnh:\n{fingerprint}\n\n"
                    "Vân tay này có đúng với vân tay tỉnh đã đọc hoặc in cho xã không?"
                )
                if not messages.ask(self, question, yes="Đúng, nạp gói", no="Không khớp"):
                    return
                expected = fingerprint
            config, how = state.load_config_package(self.ctx.db, path, expected)
            words = {"pinned": "Đã nạp", "updated": "Đã cập nhật", "same": "Đã có sẵn"}
            messages.inform(
                self,
                f"{words[how]} gói cấu hình của {config.province_name} "
                f"(phiên bản {config.version}).\nVân tay khóa của tỉnh: {config.fingerprint}",
            )
            self.reload()

    def export(self) -> None:
        from app.core.sync.writer import export_bundle

        folder = messages.choose_directory(self, "Chọn ổ USB hoặc thư mục để ghi gói", Path.home())
        if folder is None:
            return
        db, full = self.ctx.db, self.full_check.isChecked()

        def job(progress: Any, cancel: Any) -> Any:
            return export_bundle(db, folder, full=full, progress=progress, cancelled=cancel)

        def done(result: Any) -> None:
            messages.inform(
                self,
                f"Đã xuất gói số {result.seq} ({sum(result.counts.values())} bản ghi) vào:\n"
                f"{result.file}\n\nGói cũng được giữ trong kho lưu của máy.",
            )
            self.reload()

        run_in_background(
            job, done, parent=self, progress_label="Đang xuất gói gửi lên…", cancellable=True
        )

    def load_receipt(self) -> None:
        from app.core.sync import upper

        path = messages.choose_open_file(
            self, "Chọn biên nhận của tỉnh", Path.home(), "Biên nhận (*.khr)"
        )
        if path is None:
            return
        with messages.guarded(self):
            marked = upper.load_receipt(self.ctx.db, path)
            messages.inform(self, f"Đã ghi nhận {marked} gói được tỉnh nhận.")
            self.reload()

    def import_bundles(self) -> None:
        from app.core.sync.importer import import_paths

        folder = messages.choose_directory(self, "Chọn thư mục hoặc ổ USB có các gói", Path.home())
        if folder is None:
            return
        db = self.ctx.db

        def job(progress: Any, _cancel: Any) -> Any:
            return import_paths(db, [folder], progress=progress)

        def done(outcomes: Any) -> None:
            words = {
                "applied": "đã nhập",
                "replay": "đã nhập trước đó",
                "fork": "hai lịch sử khác nhau (cách ly)",
                "gap": "chờ gói còn thiếu",
                "quarantined": "cách ly",
                "rejected": "từ chối",
            }
            lines = [f"{o.file}: {words[o.status]} — {o.reason}" for o in outcomes]
            messages.inform(self, "\n".join(lines) or "Không có gói nào trong thư mục này.")
            self.reload()

        run_in_background(job, done, parent=self, progress_label="Đang nhập gói…")
