"""The study-promotion fund: the ledger (sổ quỹ), dues by branch, scholarships and awards.

A year's entries are a few hundred rows at most, so plain item models are enough.
Every write goes through :mod:`app.core.fund`; a refused write shows its Vietnamese
message and keeps the dialog open.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.accounts.permissions import FUND_POST
from app.core.db import Database
from app.core.fund import awards, dues, ledger, report
from app.core.fund.words import amount_in_words, format_money, parse_money
from app.core.models.fund import (
    AWARD_KIND_LABELS,
    ENTRY_KIND_LABELS,
    METHOD_LABELS,
    PAYMENT_CATEGORIES,
    RECEIPT_CATEGORIES,
    EntryKind,
)
from app.core.models.households import SCHOOL_LEVEL_LABELS
from app.core.registry.members import branch_choices
from app.core.text import file_name, format_number
from app.ui.dialogs.fund_close import ClosePeriodDialog, first_open_month, qdate
from app.ui.dialogs.fund_party import Party, pick_party
from app.ui.screens.base import AppContext, Screen
from app.ui.screens.fund_activities import ActivitiesTab
from app.ui.screens.fund_common import cell, make_table
from app.ui.screens.fund_programmes import ProgrammesTab, print_in_background
from app.ui.widgets import messages

LEDGER_COLUMNS = ("Số phiếu", "Ngày", "Người nộp / nhận", "Nội dung", "Thu", "Chi", "Ghi chú")
DUES_COLUMNS = ("Chi hội", "Hội viên", "Đã đóng", "Số tiền")
AWARD_COLUMNS = ("Loại", "Chương trình", "Người nhận", "Cấp học", "Số tiền", "Phiếu chi")
DEFAULT_DUES = 24_000
DUES_ROLE = Qt.ItemDataRole.UserRole + 1
CLOSED_COLOUR = QColor("#8a8a8a")
CLOSED_TIP = "Kỳ đã khóa sổ: không sửa, không hủy được; điều chỉnh bằng bút toán đảo."


def ask_reason(parent: QWidget | None, title: str, label: str) -> str | None:
    """A line of text from the user (None if cancelled); tests replace this."""
    return messages.ask_text(parent, title, label)


def ask_month(parent: QWidget | None, year: int) -> int | None:
    """0 for the whole year, 1–12 for a month, None if cancelled; tests replace this."""
    choices = [f"Cả năm {year}", *(f"Tháng {m:02d}/{year}" for m in range(1, 13))]
    text = messages.ask_choice(parent, "In sổ quỹ", "Kỳ:", choices)
    return choices.index(text) if text in choices else None


BOARD_TITLES = {"donors": "Nhà hảo tâm ủng hộ quỹ", "families": "Gia đình có thành tích"}


def ask_board(parent: QWidget | None) -> str | None:
    """ "donors" or "families", None if cancelled; tests replace this."""
    choices = {title: board for board, title in BOARD_TITLES.items()}
    text = messages.ask_choice(parent, "Bảng vinh danh", "Bảng:", list(choices))
    return choices.get(text or "")


class EntryDialog(QDialog):
    """Lập phiếu thu / phiếu chi: date, number (next free), who, what, amount and its words."""

    def __init__(self, db: Database, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.kind = db, kind
        self.entry_id: int | None = None
        receipt = kind == EntryKind.RECEIPT.value
        self.setWindowTitle(f"Lập {ENTRY_KIND_LABELS[EntryKind(kind)].lower()}")
        form = QFormLayout(self)
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setMaximumDate(QDate.currentDate())
        first_open = first_open_month(ledger.closed_through(db))
        if first_open <= dt.date.today():  # closed months cannot take new entries
            self.date.setMinimumDate(qdate(first_open))
        self.date.dateChanged.connect(self._suggest_number)
        self.number = QSpinBox()
        self.number.setRange(1, 999_999)
        self.category = QComboBox()
        for code, label in (RECEIPT_CATEGORIES if receipt else PAYMENT_CATEGORIES).items():
            self.category.addItem(label, code)
        self.party = QLineEdit()
        self.party.textChanged.connect(self._party_edited)
        self.link: Party | None = None
        self.pick_button = QPushButton("Chọn từ sổ…")
        self.pick_button.clicked.connect(self.pick_party)
        self.link_label = QLabel()
        self.link_label.setStyleSheet("color: #555;")
        party_row = QHBoxLayout()
        party_row.addWidget(self.party, 1)
        party_row.addWidget(self.pick_button)
        self.purpose = QLineEdit()
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("vd. 500.000")
        self.amount.textChanged.connect(self._show_words)
        self.words = QLabel()
        self.words.setObjectName("amount_words")
        self.words.setWordWrap(True)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Room for two lines from the start ("Một trăm hai mươi lăm triệu … đồng"): a
        # label that grows after the dialog is laid out was cut to its first line.
        self.words.setMinimumHeight(2 * self.words.fontMetrics().lineSpacing() + 4)
        self.words.setMinimumWidth(self.words.fontMetrics().averageCharWidth() * 40)
        self.method = QComboBox()
        for code, label in METHOD_LABELS.items():
            self.method.addItem(label, code.value)
        form.addRow("Ngày", self.date)
        form.addRow("Số phiếu", self.number)
        form.addRow("Nội dung", self.category)
        form.addRow("Người nộp" if receipt else "Người nhận", party_row)
        form.addRow("", self.link_label)
        form.addRow("Lý do", self.purpose)
        form.addRow("Số tiền (đồng)", self.amount)
        form.addRow("Bằng chữ", self.words)
        form.addRow("Hình thức", self.method)
        buttons = QDialogButtonBox()
        buttons.addButton("Ghi sổ", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._suggest_number()

    def _day(self) -> dt.date:
        return self.date.date().toPython()  # type: ignore[no-any-return]

    def _suggest_number(self) -> None:
        self.number.setValue(ledger.next_number(self.db, self.kind, self._day().year))

    def pick_party(self) -> None:
        """Fill the name from a registry record and remember the link."""
        party = pick_party(self.db, self, self.party.text().strip())
        if party is not None:
            self.set_party(party)

    def set_party(self, party: Party) -> None:
        self.party.setText(party.name)
        self.link = party
        self.link_label.setText(f"Liên kết với sổ: {party.label}")

    def _party_edited(self, text: str) -> None:
        """An emptied name drops the link (a retyped name keeps it: "Ông …" is still him)."""
        if not text.strip():
            self.link = None
            self.link_label.clear()

    def _show_words(self, text: str) -> None:
        try:
            self.words.setText(amount_in_words(parse_money(text)) if text.strip() else "")
        except ValueError:
            self.words.setText("Số tiền chưa đúng: chỉ ghi số nguyên đồng.")
        needed = self.words.heightForWidth(self.words.width())
        if needed > self.words.height():  # a third line: the dialog grows to show it
            self.words.setMinimumHeight(needed)
            self.resize(self.width(), self.sizeHint().height())

    def save(self) -> bool:
        """Record the entry; on a refusal show why and stay open."""
        with messages.guarded(self):
            try:
                amount = parse_money(self.amount.text())
            except ValueError:
                messages.error(self, "Số tiền phải là số nguyên đồng, vd. 500.000.")
                return False
            link = self.link.link() if self.link else {}
            data = ledger.EntryInput(
                kind=self.kind,
                entry_date=self._day(),
                amount=amount,
                category=str(self.category.currentData()),
                party_name=self.party.text(),
                purpose=self.purpose.text(),
                method=str(self.method.currentData()),
                number=self.number.value(),
                person_id=link.get("person_id"),
                member_id=link.get("member_id"),
                household_id=link.get("household_id"),
                unit_id=link.get("unit_id"),
                clan_id=link.get("clan_id"),
            )
            self.entry_id = ledger.add_entry(self.db, data)
            self.accept()
            return True
        return False


class GrantDialog(QDialog):
    """Ghi danh sách học bổng / khen thưởng: tick studying people, one payment for all."""

    def __init__(self, db: Database, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.year = db, year
        self.result_: awards.GrantResult | None = None
        self.setWindowTitle(f"Ghi danh sách học bổng, khen thưởng năm {year}")
        self.resize(640, 560)
        self.kind = QComboBox()
        for code, label in AWARD_KIND_LABELS.items():
            self.kind.addItem(label, code.value)
        self.programme = QLineEdit(f"Học bổng năm học {year}–{year + 1}")
        self.amount = QSpinBox()
        self.amount.setRange(10_000, 100_000_000)
        self.amount.setSingleStep(50_000)
        self.amount.setValue(500_000)
        self.amount.setSuffix(" đ")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Tìm tên (không cần dấu)…")
        self.search.textChanged.connect(lambda _t: self.load())
        self.view, self.model = make_table(("Họ và tên", "Năm sinh", "Cấp học", "Đã nhận năm nay"))
        self.total = QLabel()
        self._loading = False
        self.model.itemChanged.connect(lambda _i: self._loading or self._show_total())
        self.amount.valueChanged.connect(lambda _v: self._show_total())
        form = QFormLayout()
        form.addRow("Loại", self.kind)
        form.addRow("Chương trình", self.programme)
        form.addRow("Mỗi suất", self.amount)
        buttons = QDialogButtonBox()
        buttons.addButton("Ghi và lập phiếu chi", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.total)
        layout.addWidget(buttons)
        self.chosen: set[int] = set()
        self.load()

    def load(self) -> None:
        self._loading = True  # the view must see the rows; ticks are read after filling
        self.model.removeRows(0, self.model.rowCount())
        for c in awards.candidates(self.db, self.year, self.search.text().strip() or None):
            name = cell(c.full_name, data=c.person_id)
            name.setCheckable(True)
            checked = c.person_id in self.chosen
            name.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.model.appendRow(
                [
                    name,
                    cell(str(c.birth_year or "")),
                    cell(SCHOOL_LEVEL_LABELS.get(c.school_level or "", "")),
                    cell("Có" if c.awarded_this_year else ""),
                ]
            )
        self._loading = False
        self._show_total()

    def _show_total(self) -> None:
        for row in range(self.model.rowCount()):
            item = self.model.item(row, 0)
            person_id = int(item.data(Qt.ItemDataRole.UserRole))
            if item.checkState() == Qt.CheckState.Checked:
                self.chosen.add(person_id)
            else:
                self.chosen.discard(person_id)
        total = len(self.chosen) * self.amount.value()
        self.total.setText(f"{len(self.chosen)} suất, tổng {format_money(total)}")

    def save(self) -> bool:
        if not self.chosen:
            messages.inform(self, "Hãy đánh dấu người nhận.")
            return False
        recipients = [awards.Recipient(self.amount.value(), p) for p in sorted(self.chosen)]
        day = min(dt.date.today(), dt.date(self.year, 12, 31))
        with messages.guarded(self):
            self.result_ = awards.grant_awards(
                self.db,
                str(self.kind.currentData()),
                self.programme.text(),
                self.year,
                recipients,
                day,
            )
            if self.result_.duplicates:
                messages.inform(
                    self,
                    "Lưu ý: đã nhận trong năm trước đó: " + ", ".join(self.result_.duplicates),
                )
            self.accept()
            return True
        return False


class FundScreen(Screen):
    key = "fund"
    title = "Quỹ khuyến học"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.year = QSpinBox()
        self.year.setRange(1990, 2200)
        self.year.setValue(ledger.working_year(ctx.db) if ctx.available else dt.date.today().year)
        self.year.valueChanged.connect(lambda _v: self.reload())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Năm"))
        top.addWidget(self.year)
        top.addWidget(self.summary, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._ledger_tab(), "Sổ quỹ")
        self.tabs.addTab(self._dues_tab(), "Hội phí")
        self.tabs.addTab(self._awards_tab(), "Học bổng, khen thưởng")
        self.programmes_tab = ProgrammesTab(ctx, self.after_write)
        self.tabs.addTab(self.programmes_tab, "Chương trình")
        self.activities_tab = ActivitiesTab(ctx, self.after_write)
        self.tabs.addTab(self.activities_tab, "Hoạt động")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        ctx.changed.connect(lambda _kind: self.mark_stale())

    # --- building ---------------------------------------------------------------------

    def _ledger_tab(self) -> QWidget:
        tab = QWidget()
        self.kind_filter = QComboBox()
        self.kind_filter.addItem("Tất cả", None)
        self.kind_filter.addItem("Phiếu thu", EntryKind.RECEIPT.value)
        self.kind_filter.addItem("Phiếu chi", EntryKind.PAYMENT.value)
        self.kind_filter.currentIndexChanged.connect(lambda _i: self.load_ledger())
        self.search = QLineEdit()
        self.search.setPlaceholderText("Tìm người nộp/nhận, lý do…")
        self.search.textChanged.connect(lambda _t: self.load_ledger())
        self.show_cancelled = QCheckBox("Hiện phiếu đã hủy")
        self.show_cancelled.setChecked(True)
        self.show_cancelled.toggled.connect(lambda _c: self.load_ledger())
        filters = QHBoxLayout()
        for widget in (self.kind_filter, self.search, self.show_cancelled):
            filters.addWidget(widget)
        self.ledger_view, self.ledger_model = make_table(LEDGER_COLUMNS)
        self.balance_label = QLabel()
        buttons = QHBoxLayout()
        for text, slot in (
            ("Lập phiếu thu…", lambda: self.new_entry(EntryKind.RECEIPT.value)),
            ("Lập phiếu chi…", lambda: self.new_entry(EntryKind.PAYMENT.value)),
            ("Hủy phiếu…", self.cancel_selected),
            ("Khóa sổ…", self.close_period),
            ("In phiếu…", self.print_selected),
            ("In sổ quỹ…", self.print_book),
            ("Bảng vinh danh…", self.print_honour_board),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            if not text.startswith(("In ", "Bảng")):  # printing is open to every role
                self.ctx.gate(button, FUND_POST)
        buttons.addStretch(1)
        layout = QVBoxLayout(tab)
        layout.addLayout(filters)
        layout.addWidget(self.ledger_view, 1)
        layout.addWidget(self.balance_label)
        layout.addLayout(buttons)
        return tab

    def _dues_tab(self) -> QWidget:
        tab = QWidget()
        self.dues_amount = QSpinBox()
        self.dues_amount.setRange(1_000, 10_000_000)
        self.dues_amount.setSingleStep(1_000)
        self.dues_amount.setValue(DEFAULT_DUES)
        self.dues_amount.setSuffix(" đ")
        self.dues_view, self.dues_model = make_table(DUES_COLUMNS)
        self.dues_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.dues_label = QLabel()
        self.dues_label.setWordWrap(True)
        self.dues_branch = QComboBox()
        self.dues_branch.currentIndexChanged.connect(lambda _i: self.load_dues())
        mark = QPushButton("Đánh dấu đã đóng")
        mark.clicked.connect(self.mark_selected_paid)
        self.ctx.gate(mark, FUND_POST)
        row = QHBoxLayout()
        row.addWidget(QLabel("Chi hội"))
        row.addWidget(self.dues_branch)
        row.addWidget(QLabel("Hội phí mỗi người"))
        row.addWidget(self.dues_amount)
        row.addWidget(mark)
        row.addStretch(1)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.dues_view, 1)
        layout.addWidget(self.dues_label)
        layout.addLayout(row)
        return tab

    def _awards_tab(self) -> QWidget:
        tab = QWidget()
        self.awards_view, self.awards_model = make_table(AWARD_COLUMNS)
        self.awards_label = QLabel()
        self.awards_label.setWordWrap(True)
        grant = QPushButton("Ghi danh sách…")
        grant.clicked.connect(self.new_grant)
        self.ctx.gate(grant, FUND_POST)
        row = QHBoxLayout()
        row.addWidget(self.awards_label, 1)
        row.addWidget(grant)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.awards_view, 1)
        layout.addLayout(row)
        return tab

    def open_grant_dialog(self) -> GrantDialog:
        return GrantDialog(self.ctx.db, self.year.value(), self)

    def new_grant(self) -> None:
        dialog = self.open_grant_dialog()
        if dialog.exec() and dialog.result_ is not None:
            r = dialog.result_
            self.after_write(f"Đã ghi {r.recipients} suất, tổng {format_money(r.total)}.")

    # --- loading ----------------------------------------------------------------------

    def reload(self) -> None:
        with messages.guarded(self):
            self.load_ledger()
            self._fill_branches()
            self.load_dues()
            self.load_awards()
            self.programmes_tab.reload(self.year.value())
            self.activities_tab.reload(self.year.value())
            r = report.fund_report(self.ctx.db, self.year.value())
            self.summary.setText(
                f"Bình quân {format_money(r.per_head)}/người ({format_number(r.population)} nhân khẩu) — "
                f"chỉ tiêu {report.target_text(r.target_per_head)}"
                + (f": {report.verdict(r.meets_target)}" if r.target_per_head else "")
            )

    def load_ledger(self) -> None:
        db, year = self.ctx.db, self.year.value()
        entries = ledger.list_entries(
            db,
            year,
            kind=self.kind_filter.currentData(),
            search=self.search.text().strip() or None,
            include_cancelled=self.show_cancelled.isChecked(),
        )
        model = self.ledger_model
        model.removeRows(0, model.rowCount())
        through = ledger.closed_through(db)
        for e in entries:
            receipt = e.kind == EntryKind.RECEIPT.value
            money = format_money(e.amount)
            note = f"ĐÃ HỦY: {e.cancel_reason}" if e.cancelled else (e.note or "")
            row = [
                cell(e.voucher_no, data=e.id),
                cell(e.entry_date.strftime("%d/%m/%Y")),
                cell(e.party_name),
                cell(e.purpose),
                cell(money if receipt else "", True),
                cell("" if receipt else money, True),
                cell(note),
            ]
            if ledger.is_closed(e.entry_date, through):
                for item in row:
                    item.setForeground(CLOSED_COLOUR)
                    item.setToolTip(CLOSED_TIP)
            model.appendRow(row)
        b = ledger.balance(db, year)
        lock = f" · Đã khóa sổ đến hết tháng {ledger.month_label(through)}" if through else ""
        self.balance_label.setText(
            f"Tồn đầu năm {format_money(b.opening)} · Thu {format_money(b.receipts)} · "
            f"Chi {format_money(b.payments)} · Tồn cuối {format_money(b.closing)}{lock}"
        )

    def _fill_branches(self) -> None:
        """Branch choices; keeps the current one. Dues show one branch at a time (a
        commune of 10,000 members in one table would take seconds to draw)."""
        current = self.dues_branch.currentData()
        self.dues_branch.blockSignals(True)
        self.dues_branch.clear()
        for branch_id, label in branch_choices(self.ctx.db):
            self.dues_branch.addItem(label, branch_id)
        self.dues_branch.addItem("Tất cả chi hội", None)
        index = self.dues_branch.findData(current) if current is not None else 0
        self.dues_branch.setCurrentIndex(max(0, index))
        self.dues_branch.blockSignals(False)

    def load_dues(self) -> None:
        groups = dues.dues_status(self.ctx.db, self.year.value())
        branch = self.dues_branch.currentData()
        shown = [g for g in groups if branch is None or g.branch_id == branch]
        model = self.dues_model
        model.removeRows(0, model.rowCount())
        for g in shown:
            for p in g.people:
                model.appendRow(
                    [
                        cell(g.branch_name, data=p.member_id),
                        cell(p.full_name),
                        cell("Đã đóng" if p.paid else "Chưa đóng"),
                        cell(format_money(p.amount) if p.paid else "", True),
                    ]
                )
        paid, members = sum(g.paid for g in groups), sum(g.members for g in groups)
        collected = sum(g.collected for g in groups)
        parts = [
            f"{g.branch_name}: {g.paid}/{g.members} ({format_money(g.collected)})" for g in shown
        ][:3]
        parts.append(f"Toàn xã: {paid}/{members} đã đóng, {format_money(collected)}")
        self.dues_label.setText(" · ".join(parts) if members else "Chưa có hội viên.")

    def load_awards(self) -> None:
        items = awards.list_awards(self.ctx.db, self.year.value())
        model = self.awards_model
        model.removeRows(0, model.rowCount())
        for a in items:
            model.appendRow(
                [
                    cell(a.kind_label, data=a.id),
                    cell(a.programme),
                    cell(a.recipient_name),
                    cell(SCHOOL_LEVEL_LABELS.get(a.school_level or "", "")),
                    cell(format_money(a.amount), True),
                    cell(a.payment_voucher or ""),
                ]
            )
        total = sum(a.amount for a in items)
        self.awards_label.setText(f"{len(items)} suất, tổng {format_money(total)}")

    # --- actions ----------------------------------------------------------------------

    def open_entry_dialog(self, kind: str) -> EntryDialog:
        """The dialog (tests fill and save it without exec)."""
        return EntryDialog(self.ctx.db, kind, self)

    def new_entry(self, kind: str) -> None:
        dialog = self.open_entry_dialog(kind)
        if dialog.exec() and dialog.entry_id is not None:
            self.after_write(ledger.get_entry(self.ctx.db, dialog.entry_id).voucher_no)

    def after_write(self, message: str) -> None:
        self.ctx.announce("fund", message)
        self.reload()

    def _selected_ids(self, view: QTableView, model: QStandardItemModel) -> list[int]:
        rows = sorted({index.row() for index in view.selectionModel().selectedRows()})
        return [int(model.item(row, 0).data(Qt.ItemDataRole.UserRole)) for row in rows]

    def cancel_selected(self) -> None:
        ids = self._selected_ids(self.ledger_view, self.ledger_model)
        if len(ids) != 1:
            messages.inform(self, "Hãy chọn một phiếu để hủy.")
            return
        entry = ledger.get_entry(self.ctx.db, ids[0])
        through = ledger.closed_through(self.ctx.db)
        if ledger.is_closed(entry.entry_date, through) and through:
            self.offer_reversal(entry, through)
            return
        reason = ask_reason(self, "Hủy phiếu", f"Lý do hủy {entry.voucher_no}:")
        if reason is None:
            return
        with messages.guarded(self):
            ledger.cancel_entry(self.ctx.db, entry.id, reason)
            self.after_write(f"Đã hủy {entry.voucher_no} (phiếu vẫn giữ trong sổ).")

    def offer_reversal(self, entry: ledger.EntryView, through: str) -> bool:
        """An entry of a closed month cannot be cancelled or edited: say so, and offer a
        reversing entry (opposite kind, same amount) dated today instead."""
        if entry.cancelled:
            messages.inform(self, f"{entry.voucher_no} đã hủy trước đó.")
            return False
        reverse = "phiếu chi" if entry.kind == EntryKind.RECEIPT.value else "phiếu thu"
        question = (
            f"Sổ quỹ đã khóa đến hết tháng {ledger.month_label(through)}: phiếu "
            f"{entry.voucher_no} ngày {entry.entry_date.strftime('%d/%m/%Y')} không hủy, "
            f"không sửa được.\n\nLập bút toán đảo: một {reverse} "
            f"{format_money(entry.amount)} ngày hôm nay để điều chỉnh?"
        )
        if not messages.ask(self, question, yes="Lập bút toán đảo", no="Không"):
            return False
        reason = ask_reason(self, "Lập bút toán đảo", f"Lý do điều chỉnh {entry.voucher_no}:")
        if reason is None:
            return False
        with messages.guarded(self):
            new_id = ledger.reverse_entry(self.ctx.db, entry.id, dt.date.today(), reason)
            made = ledger.get_entry(self.ctx.db, new_id).voucher_no
            self.after_write(f"Đã lập {made} điều chỉnh {entry.voucher_no}.")
            return True
        return False

    def open_close_dialog(self) -> ClosePeriodDialog:
        """The dialog (tests drive it without exec)."""
        return ClosePeriodDialog(self.ctx.db, self)

    def close_period(self) -> None:
        dialog = self.open_close_dialog()
        if dialog.exec() and dialog.closed:
            label = ledger.month_label(dialog.closed)
            self.after_write(f"Đã khóa sổ quỹ đến hết tháng {label}.")

    def print_selected(self) -> None:
        ids = self._selected_ids(self.ledger_view, self.ledger_model)
        if len(ids) != 1:
            messages.inform(self, "Hãy chọn một phiếu để in.")
            return
        entry = ledger.get_entry(self.ctx.db, ids[0])
        start = self.ctx.data_dir / file_name(entry.voucher_no, ext="pdf")
        out = messages.choose_save_file(self, "Lưu phiếu (PDF)", start, "Tệp PDF (*.pdf)")
        if out is None:
            return
        with messages.guarded(self):
            from app.core.fund.voucher_pdf import render_voucher

            render_voucher(self.ctx.db, entry.id, out)
            self.ctx.notice.emit(f"Đã lưu {entry.voucher_no} vào {out}", None)

    def print_book(self) -> bool:
        """The fund book (sổ quỹ) of the year, or of one month when one is chosen."""
        month = ask_month(self, self.year.value())
        if month is None:
            return False
        from app.core.fund.printouts import print_fund_book

        db, year = self.ctx.db, self.year.value()
        name = file_name("Sổ quỹ", year, f"tháng {month:02d}" if month else "", ext="pdf")
        return print_in_background(
            self,
            self.ctx,
            "Sổ quỹ",
            name,
            lambda out, progress, cancel: print_fund_book(
                db, year, out, month or None, progress=progress, cancel=cancel
            ),
        )

    def print_honour_board(self) -> bool:
        """Donors of the year, or families with achievements (the user picks)."""
        board = ask_board(self)
        if board is None:
            return False
        from app.core.fund.printouts import print_honour_board

        db, year = self.ctx.db, self.year.value()
        return print_in_background(
            self,
            self.ctx,
            "Bảng vinh danh",
            file_name("Bảng vinh danh", BOARD_TITLES[board], year, ext="pdf"),
            lambda out, progress, cancel: print_honour_board(
                db, year, out, board, progress=progress, cancel=cancel
            ),
        )

    def mark_selected_paid(self) -> None:
        rows = sorted({i.row() for i in self.dues_view.selectionModel().selectedRows()})
        unpaid = [
            int(self.dues_model.item(r, 0).data(Qt.ItemDataRole.UserRole))
            for r in rows
            if self.dues_model.item(r, 2).text() == "Chưa đóng"
        ]
        if not unpaid:
            messages.inform(self, "Hãy chọn các hội viên chưa đóng hội phí.")
            return
        year, amount = self.year.value(), self.dues_amount.value()
        question = (
            f"Ghi {len(unpaid)} hội viên đã đóng hội phí năm {year}, mỗi người "
            f"{format_money(amount)} (tổng {format_money(amount * len(unpaid))})?"
        )
        if not messages.ask(self, question):
            return
        with messages.guarded(self):
            day = min(dt.date.today(), dt.date(year, 12, 31))
            result = dues.pay_dues(self.ctx.db, unpaid, year, amount, day)
            self.after_write(
                f"Đã thu hội phí của {result.members} hội viên: {format_money(result.total)}."
            )
