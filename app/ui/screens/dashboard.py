"""The targets dashboard: per model registered / assessed / recognised against the target.

Charts are drawn with QPainter in :class:`BarChart`: Qt Charts is not part of
PySide6-Essentials (the app ships without the Addons wheel to stay small) and
matplotlib would add ~40 MB to the installer for a handful of bars. Every bar
has its number beside it, and the tables below carry the same figures with the
denominator spelled out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.assessment import targets
from app.core.assessment.cycle import working_year
from app.core.fund.report import fund_per_head, fund_row_text
from app.core.text import format_number
from app.ui.screens.base import AppContext, Screen
from app.ui.widgets import messages

REGISTERED = QColor("#9ecae1")
RECOGNISED = QColor("#2b8a3e")
TARGET = QColor("#c92a2a")
MODEL_COLUMNS = ("Mô hình", "Mẫu số", "Đăng ký", "Đã chấm", "Công nhận", "Tỷ lệ", "Chỉ tiêu", "")
TREND_YEARS = 6
HAMLET_COLUMNS = (
    "Thôn / TDP",
    "Số hộ",
    "Hộ đăng ký",
    "Hộ được công nhận",
    "Tỷ lệ GĐHT",
    "Hội viên / dân số",
)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")


@dataclass(frozen=True)
class Bar:
    label: str
    registered: float  # shares 0..1
    recognised: float
    target: float | None


class BarChart(QWidget):
    """Horizontal bars per model: registered (light), recognised (dark), target (red tick)."""

    ROW = 34  # at the default text size; rows follow the font and shrink to fit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.setMinimumHeight(self._min_row() * 2)

    def _min_row(self) -> int:
        return self.fontMetrics().height() + 4

    def _label_width(self) -> int:
        """As wide as the longest model's name, so "Cộng đồng học tập (cấp thôn)" is whole."""
        widest = max((self.fontMetrics().horizontalAdvance(b.label) for b in self.bars), default=0)
        return min(max(120, widest + 12), max(120, self.width() // 2))

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.setMinimumHeight(self._min_row() * max(1, len(bars)) + 12)
        self.update()

    def sizeHint(self) -> QSize:
        row = max(self.ROW, self.fontMetrics().height() + 16)
        return QSize(600, row * max(1, len(self.bars)) + 20)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        label_w = self._label_width()
        percent_w = self.fontMetrics().horizontalAdvance("100,0 %") + 12
        width = max(50.0, self.width() - label_w - percent_w - 10.0)
        n = max(1, len(self.bars))
        row = max(self._min_row(), min(self.ROW, (self.height() - 12) // n))
        for k, bar in enumerate(self.bars):
            y = 6 + k * row
            p.setPen(self.palette().text().color())
            p.drawText(
                QRectF(4, y, label_w - 8, row - 4),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                bar.label,
            )
            x0 = float(label_w)
            bar_h = max(6, row - 10)
            p.fillRect(QRectF(x0, y + 2, width * min(bar.registered, 1.0), bar_h), REGISTERED)
            p.fillRect(
                QRectF(x0, y + 2 + bar_h / 4, width * min(bar.recognised, 1.0), bar_h / 2),
                RECOGNISED,
            )
            if bar.target is not None:
                p.setPen(QPen(TARGET, 2))
                tx = x0 + width * bar.target
                p.drawLine(int(tx), y, int(tx), y + row - 4)
            p.setPen(self.palette().text().color())
            p.drawText(
                QRectF(x0 + width + 6, y, percent_w, row - 4),
                int(Qt.AlignmentFlag.AlignVCenter),
                pct(bar.recognised),
            )
        p.end()


def _table(columns: tuple[str, ...]) -> tuple[QTableView, QStandardItemModel]:
    model = QStandardItemModel(0, len(columns))
    model.setHorizontalHeaderLabels(list(columns))
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = view.horizontalHeader()
    # Every column as wide as its title and figures: "Tỷ lệ gia đình học tập" must be read
    # whole; the last column takes what is left.
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    return view, model


def _fit_rows(view: QTableView) -> None:
    """A short table (five models) exactly as tall as its rows: all of them, no scrolling."""
    rows = view.model().rowCount()
    height = view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth()
    height += sum(view.rowHeight(r) for r in range(rows))
    if view.horizontalScrollBar().isVisible() or view.horizontalHeader().length() > view.width():
        height += view.horizontalScrollBar().sizeHint().height()
    view.setFixedHeight(height)


class DashboardScreen(Screen):
    key = "dashboard"
    title = "Chỉ tiêu"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.report: targets.TargetReport | None = None
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(working_year(ctx.db) if ctx.available else dt.date.today().year)
        self.profile_box = QComboBox()
        self.members_label = QLabel()
        self.fund_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("Năm:"))
        top.addWidget(self.year)
        top.addWidget(QLabel("Bộ chỉ tiêu:"))
        top.addWidget(self.profile_box, 1)
        self.own_targets_button = QPushButton("Chỉ tiêu của xã…")
        top.addWidget(self.own_targets_button)
        self.chart = BarChart()
        legend = QLabel(
            "<span style='color:#6baed6'>■</span> đăng ký &nbsp; "
            "<span style='color:#2b8a3e'>■</span> được công nhận &nbsp; "
            "<span style='color:#c92a2a'>|</span> chỉ tiêu"
        )
        self.model_view, self.model_table = _table(MODEL_COLUMNS)
        self.hamlet_view, self.hamlet_table = _table(HAMLET_COLUMNS)
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        for label in (self.members_label, self.fund_label):
            label.setWordWrap(True)  # a long fund line folds instead of widening the window
        # Each table on a page of its own, whole: in one column of splitters at 1366×768
        # each showed only two or three rows.
        self.tabs = QTabWidget()
        upper = QWidget()
        up = QVBoxLayout(upper)
        up.addWidget(self.chart, 1)
        up.addWidget(legend)
        up.addWidget(self.model_view)
        self.tabs.addTab(upper, "Theo mô hình")
        self.tabs.addTab(self.hamlet_view, "Theo thôn / TDP")
        self.trend_view, self.trend_table = _table(("Năm",))
        self.tabs.addTab(self.trend_view, "Qua các năm")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.source_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.members_label)
        layout.addWidget(self.fund_label)
        self.year.valueChanged.connect(self.reload)
        self.profile_box.activated.connect(self.choose_profile)
        self.own_targets_button.clicked.connect(self.edit_own_targets)
        ctx.changed.connect(lambda _kind: self.mark_stale())

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.reload_if_stale()

    def _fill_profiles(self) -> None:
        chosen = targets.chosen_profile(self.ctx.db).code
        self.profile_box.clear()
        for p in targets.profiles(self.ctx.db):
            self.profile_box.addItem(p.title, p.code)
        self.profile_box.setCurrentIndex(max(0, self.profile_box.findData(chosen)))

    def choose_profile(self) -> None:
        with messages.guarded(self):
            targets.choose_profile(self.ctx.db, str(self.profile_box.currentData()))
            self.reload()

    def edit_own_targets(self) -> None:
        """The commune's own targets beside the province's; chosen once saved."""
        from app.ui.screens.cycle_targets import OwnTargetsDialog

        dialog = OwnTargetsDialog(self.ctx.db, self.year.value(), self)
        if dialog.exec() and dialog.saved is not None:
            self.profile_box.clear()  # refilled with the commune's profile chosen
            self.reload()

    def reload(self) -> None:
        with messages.guarded(self):
            # Every time: the chosen profile may have changed elsewhere (the province's
            # package, the command line, another screen).
            self._fill_profiles()
            self.report = targets.target_report(self.ctx.db, self.year.value())
            self._show(self.report)
            self._show_trend()

    def _show(self, rep: targets.TargetReport) -> None:
        source = f"Nguồn chỉ tiêu: {rep.profile.source}"
        self.source_label.setText(f"{source}\n{rep.no_target}" if rep.no_target else source)
        bars = []
        self.model_table.setRowCount(0)
        staff = [rep.citizen_staff] if rep.citizen_staff is not None else []
        for f in [*rep.models.values(), *staff]:
            reg_share = (f.registered / f.total) if f.total else 0.0
            bars.append(Bar(f.title, reg_share, f.rate or 0.0, f.target))
            met = f.met
            cells = [
                f.title,
                f"{format_number(f.denominator)} ({f.denominator_label})",
                format_number(f.registered),
                format_number(f.assessed),
                format_number(f.recognised),
                pct(f.rate),
                pct(f.target),
                "" if met is None else ("Đạt" if met else "Chưa đạt"),
            ]
            self.model_table.appendRow([QStandardItem(c) for c in cells])
        self.chart.set_bars(bars)
        _fit_rows(self.model_view)
        self.hamlet_table.setRowCount(0)
        for h in rep.hamlets:
            fam = h.models["learning_family"]
            cells = [
                h.name,
                format_number(fam.total),
                format_number(fam.registered),
                format_number(fam.recognised),
                pct(fam.rate),
                pct(h.members.rate),
            ]
            self.hamlet_table.appendRow([QStandardItem(c) for c in cells])
        m = rep.members
        self.members_label.setText(
            f"Hội viên: {format_number(m.members)} / dân số {format_number(m.population)} = "
            f"{pct(m.rate)} (chỉ tiêu {pct(m.target)})"
        )
        self.fund_label.setText(fund_row_text(fund_per_head(self.ctx.db, rep.year)))

    def _show_trend(self) -> None:
        """Recognition rate per model over the years that have data (newest last)."""
        years = targets.years_with_data(self.ctx.db)[-TREND_YEARS:]
        rates = targets.trend(self.ctx.db, years)
        titles = [f.title for f in self.report.models.values()] if self.report else []
        self.trend_table.clear()
        self.trend_table.setHorizontalHeaderLabels(["Năm", *[f"{t} (tỷ lệ CN)" for t in titles]])
        self.trend_table.setRowCount(0)
        for year in years:
            cells = [str(year), *[pct(rate) for rate in rates[year].values()]]
            self.trend_table.appendRow([QStandardItem(c) for c in cells])
