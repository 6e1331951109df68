""" "Gửi lên tỉnh": keys, the province package, exporting bundles and their history.

At the upper level the same screen imports bundles, accepts commune keys, settles
conflicts and shows every commune's state with its rates against the targets (those
are computed off the UI thread and filled in when ready). A thin layer: every action
calls a core service (off the UI thread when long).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from app.core.text import file_name, format_number
from app.ui.screens.base import AppContext, Screen
from app.ui.screens.sync_outbox import OutboxPanel, local_time
from app.ui.widgets import messages
from app.ui.workers import run_in_background

CODE_ROLE = Qt.ItemDataRole.UserRole


def commune_label(code: str) -> str:
    """ "Xã Vũ Thư (12205)": the official name with its code; the code alone if unknown."""
    from app.core.communes import find_commune

    try:
        return f"{find_commune(code).name} ({code})"
    except UserError:
        return code


HISTORY_HEADERS = ("Số", "Tệp", "Kích thước", "Ngày xuất", "Bản ghi", "Tỉnh đã nhận")
COMMUNE_HEADERS = ("Xã", "Gói cuối", "Ngày gói", "Bản ghi", "Thiếu gói", "Cách ly", "Xung đột")
# Rate columns after COMMUNE_HEADERS: (model or "members", heading); cells "rate / target".
RATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("learning_family", "Gia đình HT"),
    ("learning_clan", "Dòng họ HT"),
    ("learning_community", "Cộng đồng HT"),
    ("learning_unit", "Đơn vị HT"),
    ("learning_citizen", "Công dân HT"),
    ("members", "Hội viên / dân số"),
)
PROVINCE_ROW = "Toàn tỉnh"
KEY_FILES = (
    "Phiếu đăng ký (PDF đã in hoặc tệp), gói dữ liệu hoặc ảnh mã QR "
    "(*.pdf *.json *.khb *.png *.jpg *.jpeg)"
)


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
        self.rates_label = QLabel()
        self.rates_label.setWordWrap(True)
        layout.addWidget(self.rates_label)

        self.commune_box = QGroupBox("Gửi dữ liệu lên tỉnh")
        row = QHBoxLayout(self.commune_box)
        self.load_config_button = QPushButton("Nạp gói cấu hình của tỉnh…")
        self.full_check = QCheckBox("Gửi toàn bộ (không chỉ phần thay đổi)")
        self.export_button = QPushButton("Xuất gói gửi lên…")
        self.receipt_button = QPushButton("Nạp biên nhận của tỉnh…")
        self.key_sheet_button = QPushButton("In phiếu đăng ký khóa…")
        for widget in (
            self.load_config_button,
            self.full_check,
            self.export_button,
            self.receipt_button,
            self.key_sheet_button,
        ):
            row.addWidget(widget)
        for button in (self.load_config_button, self.export_button, self.receipt_button):
            ctx.gate(button, "sync.send")
        row.addStretch(1)
        layout.addWidget(self.commune_box)
        self.outbox = OutboxPanel(ctx)  # "Hộp thư đi": bundles going up over the network
        # Both tables say what the province received: a pass of the background sender
        # refreshes the history too, not only the outbox.
        self.outbox.sender.finished.connect(lambda _report: self._history_after_pass())
        layout.addWidget(self.outbox, 1)

        self.upper_box = QGroupBox("Nhận gói của các xã")
        urow = QHBoxLayout(self.upper_box)
        self.import_button = QPushButton("Nhập gói từ thư mục / USB…")
        self.accept_key_button = QPushButton("Chấp nhận khóa của xã…")
        self.conflicts_button = QPushButton("Xung đột…")
        self.forks_button = QPushButton("Gói rẽ nhánh…")
        self.xlsx_button = QPushButton("Xuất Excel…")
        self.package_button = QPushButton("Gói cấu hình mới…")
        for widget in (
            self.import_button,
            self.accept_key_button,
            self.conflicts_button,
            self.forks_button,
            self.xlsx_button,
            self.package_button,
        ):
            urow.addWidget(widget)
        urow.addStretch(1)
        urow.addWidget(QLabel("Năm:"))
        self.rates_year = QComboBox()  # the year the rates are for: any year held
        self.rates_year.setToolTip("Năm tính tỷ lệ công nhận so với chỉ tiêu")
        self.rates_year.currentIndexChanged.connect(lambda _i: self._year_chosen())
        urow.addWidget(self.rates_year)
        layout.addWidget(self.upper_box)

        self.table_title = QLabel()
        layout.addWidget(self.table_title)
        self.table = QTableWidget(0, len(HISTORY_HEADERS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table, 1)

        self.load_config_button.clicked.connect(self.load_config)
        self.export_button.clicked.connect(self.export)
        self.receipt_button.clicked.connect(self.load_receipt)
        self.import_button.clicked.connect(self.import_bundles)
        self.key_sheet_button.clicked.connect(self.print_key_sheet)
        self.accept_key_button.clicked.connect(self.accept_key)
        self.conflicts_button.clicked.connect(self.open_conflicts)
        self.forks_button.clicked.connect(self.open_forks)
        self.xlsx_button.clicked.connect(self.export_xlsx)
        self.package_button.clicked.connect(self.new_package)
        self.rates_task: Any = None
        self.rates_report: Any = None
        self.rates_mark: tuple[Any, ...] = ()

    # --- reading -------------------------------------------------------------------

    def reload(self) -> None:
        from app.core.sync import keys, state

        db = self.ctx.db
        upper = state.is_upper(db)
        me = keys.my_key(db.data_dir)
        self.key_label.setText(f"Vân tay khóa của máy này: <b>{me.fingerprint}</b>")
        self.commune_box.setVisible(not upper)
        self.upper_box.setVisible(upper)
        self.outbox.setVisible(not upper)
        self.rates_label.setVisible(upper)
        self.table_title.setText(
            "Các xã đã gửi gói" if upper else "Các gói đã xuất (cả gói chép ra USB)"
        )
        if upper:
            from app.core.sync.upper import last_package_version

            name = state.get_setting(db, state.PROVINCE_NAME_KEY, "")
            version = last_package_version(db)
            self.province_label.setText(
                f"Đơn vị cấp trên: {name}"
                + (f" · gói cấu hình gần nhất: phiên bản {version}" if version else "")
            )
            self._show_communes()
            return
        config = state.province_config(db)
        self.province_label.setText(
            "Chưa nạp gói cấu hình của tỉnh."
            if config is None
            else f"Gửi cho: {config.province_name} (gói cấu hình phiên bản {config.version}, "
            f"vân tay khóa của tỉnh {config.fingerprint})"
        )
        self.export_button.setEnabled(config is not None and self.ctx.allowed("sync.send"))
        self._show_history()
        self.outbox.reload()

    def _fill(self, headers: tuple[str, ...], rows: list[list[str]]) -> None:
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def _history_after_pass(self) -> None:
        if self.ctx.available and self.commune_box.isVisibleTo(self):
            self._show_history()

    def _show_history(self) -> None:
        from app.core.sync.writer import history

        rows = [
            [
                str(e.seq),
                e.file_name,
                f"{e.size / 1024:.0f} KB",
                local_time(dt.datetime.fromisoformat(e.created_at)),
                format_number(sum(e.counts.values())),
                "đã được tỉnh nhận" if e.confirmed else "chưa",
            ]
            for e in history(self.ctx.db)
        ]
        self._fill(HISTORY_HEADERS, rows)

    def _show_communes(self) -> None:
        from app.core.sync.importer import consolidation

        statuses = consolidation(self.ctx.db)
        self.conflicts_button.setText(f"Xung đột ({sum(s.conflicts for s in statuses)})…")
        self.conflicts_button.setEnabled(any(s.conflicts for s in statuses))
        self.forks_button.setText(f"Gói rẽ nhánh ({sum(s.forks for s in statuses)})…")
        self.forks_button.setEnabled(any(s.forks for s in statuses))
        self._fill_years()
        rows = [
            [
                commune_label(s.commune_code),
                str(s.last_seq),
                s.last_created_at[:10],
                format_number(s.records),
                str(s.gaps),
                str(s.quarantined + s.forks),
                str(s.conflicts),
            ]
            for s in statuses
        ]
        if statuses:
            total = format_number(sum(s.records for s in statuses))
            rows.append([PROVINCE_ROW, "", "", total, "", "", ""])
        headers = (*COMMUNE_HEADERS, *(title for _k, title in RATE_COLUMNS))
        self._fill(headers, [r + ["…"] * len(RATE_COLUMNS) for r in rows])
        codes = [s.commune_code for s in statuses] + ([PROVINCE_ROW] if statuses else [])
        for r, code in enumerate(codes):
            self.table.item(r, 0).setData(CODE_ROLE, code)
        self._compute_rates()

    def _fill_years(self) -> None:
        """Every year the communes' records hold, newest first (the latest chosen)."""
        from app.core.sync import rates

        chosen = self.rates_year.currentData()
        years = sorted(set(rates.held_years(self.ctx.db)), reverse=True)
        self.rates_year.blockSignals(True)
        self.rates_year.clear()
        for year in years:
            self.rates_year.addItem(str(year), year)
        if chosen in years:
            self.rates_year.setCurrentIndex(years.index(chosen))
        self.rates_year.blockSignals(False)
        self.rates_year.setEnabled(bool(years))

    def _year_chosen(self) -> None:
        if self.ctx.available and self.upper_box.isVisibleTo(self):
            self._compute_rates()

    def _compute_rates(self) -> None:
        """Rates against targets read every record held: computed off the UI thread."""
        from app.core.sync import rates

        db = self.ctx.db
        year = self.rates_year.currentData()
        mark = (*rates.data_mark(db), year)
        if self.rates_report is not None and mark == self.rates_mark:
            self._fill_rates(self.rates_report)  # nothing changed since: no new pass
            return
        if self.rates_task is not None and not self.rates_task.finished:
            return  # the running pass fills the table when done
        self.rates_mark = mark

        def job(progress: Any, _cancel: Any) -> Any:
            return rates.rates(db, year, progress=progress)

        def failed(exc: BaseException) -> None:
            self._fill_rates(None)
            if isinstance(exc, UserError):
                messages.error(self, exc.message)
            else:
                messages.unexpected(self, exc)

        self.rates_task = run_in_background(
            job, self._fill_rates, failed, parent=self, writes=False
        )

    def _fill_rates(self, report: Any) -> None:
        from app.core.sync.rates import percent

        self.rates_task, self.rates_report = None, report
        first = len(COMMUNE_HEADERS)
        for r in range(self.table.rowCount()):
            code_item = self.table.item(r, 0)
            if code_item is None:
                continue
            code = str(code_item.data(CODE_ROLE) or code_item.text())
            held = None
            if report is not None:
                held = report.province if code == PROVINCE_ROW else report.communes.get(code)
            for c, (key, _title) in enumerate(RATE_COLUMNS, start=first):
                text = "—"
                if held is not None and key == "members":
                    text = f"{percent(held.members_rate)} / {percent(held.members_target)}"
                elif held is not None:
                    m = held.models[key]
                    text = f"{percent(m.rate)} / {percent(m.target)}"
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.rates_label.setText(
            ""
            if report is None
            else f"Tỷ lệ công nhận năm {report.year} / chỉ tiêu ({report.profile_title}). "
            "Mỗi ô: tỷ lệ đạt / chỉ tiêu."
        )
        self.table.resizeColumnsToContents()

    # --- actions -------------------------------------------------------------------

    def load_config(self) -> None:
        from app.core.sync import package_content, state

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
            content = package_content.last_report(self.ctx.db)
            extra = (
                f"\n\n{content.summary()}"
                if content and content.version == config.version and content.summary()
                else ""
            )
            messages.inform(
                self,
                f"{words[how]} gói cấu hình của {config.province_name} "
                f"(phiên bản {config.version}).\nVân tay khóa của tỉnh: {config.fingerprint}"
                + extra,
            )
            if content and content.version == config.version:
                self.ctx.announce("criteria")  # new criteria sets / targets for other screens
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
            # The new bundle is in the outbox: the background sender wakes on this and
            # sends it within seconds when the province hub is reachable.
            self.ctx.announce("sync")
            self.reload()
            messages.inform(
                self,
                f"Đã xuất gói số {result.seq} ({sum(result.counts.values())} bản ghi) vào:\n"
                f"{result.file}\n\nGói cũng được giữ trong kho lưu của máy."
                + (
                    "\n\nDữ liệu đã được khôi phục từ bản sao lưu: đây là gói đầy đủ "
                    "(mọi bản ghi của xã)."
                    if result.after_restore
                    else ""
                ),
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

    def print_key_sheet(self) -> None:
        from app.core.printing.key_sheet import write_key_sheet

        path = messages.choose_save_file(
            self,
            "Lưu phiếu đăng ký khóa",
            Path.home() / file_name("Phiếu đăng ký khóa", ext="pdf"),
            "PDF (*.pdf)",
        )
        if path is None:
            return
        with messages.guarded(self):
            result = write_key_sheet(self.ctx.db, path)
            messages.inform(
                self,
                f"Đã lưu phiếu đăng ký khóa: {result.path}\n\nIn phiếu, chủ tịch Hội ký, "
                "đóng dấu rồi nộp cho tỉnh.",
            )

    def accept_key(self) -> None:
        from app.core.sync import importer, upper

        path = messages.choose_open_file(
            self, "Chọn phiếu đăng ký khóa của xã", Path.home(), KEY_FILES
        )
        if path is None:
            return
        db = self.ctx.db

        def job(_progress: Any, _cancel: Any) -> Any:
            return upper.accept_key(db, str(path)), importer.retry_quarantined(db)

        def done(result: Any) -> None:
            pinned, released = result
            applied = sum(1 for o in released if o.status == "applied")
            messages.inform(
                self,
                f"Đã chấp nhận khóa của xã mã {pinned.commune_code}.\n"
                f"Vân tay: {pinned.fingerprint}\n\n"
                f"{len(released)} gói đang chờ đã được xử lý ({applied} gói đã nhập).",
            )
            self.ctx.announce("sync")

        run_in_background(job, done, parent=self, progress_label="Đang chấp nhận khóa…")

    def open_conflicts(self) -> None:
        from app.ui.screens.sync_conflicts import ConflictsDialog

        with messages.guarded(self):
            dialog = ConflictsDialog(self.ctx.db, self)
            dialog.exec()
            if dialog.resolved_count:
                self.ctx.announce("sync")

    def open_forks(self) -> None:
        from app.ui.screens.sync_forks import ForksDialog

        with messages.guarded(self):
            dialog = ForksDialog(self.ctx.db, self)
            dialog.exec()
            if dialog.resolved_count:
                self.ctx.announce("sync")

    def new_package(self) -> None:
        from app.ui.dialogs.province_package import ProvincePackageDialog

        with messages.guarded(self):
            ProvincePackageDialog(self.ctx.db, self).exec()
            self.reload()

    def export_xlsx(self) -> None:
        from app.core.sync import rates

        path = messages.choose_save_file(
            self,
            "Lưu bảng tổng hợp",
            Path.home() / file_name("Tổng hợp các xã", ext="xlsx"),
            "Excel (*.xlsx)",
        )
        if path is None:
            return
        db = self.ctx.db

        report = self.rates_report

        def job(_progress: Any, _cancel: Any) -> Any:
            return rates.export_consolidation_xlsx(db, path, report)

        run_in_background(
            job,
            lambda out: messages.inform(self, f"Đã lưu bảng tổng hợp: {out}"),
            parent=self,
            progress_label="Đang xuất bảng tổng hợp…",
            writes=False,
        )
