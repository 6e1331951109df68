"""The commune's own title: Cộng đồng học tập cấp xã (TT 25/2023), five criteria, two levels.

The screen shows what the registries can count (literacy of 15–60 and 15–35 year
olds, children at school by age, the learning centre's sessions, the Lifelong-
Learning Week's activities, the learning models' rates) and puts those figures in
the evidence note of the items they support; each item is then ticked with its
evidence typed. The level follows every tick; "Lưu" records it through the core.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.assessment import commune_figures as cf
from app.core.assessment.cycle import working_year
from app.core.assessment.scoring import Value, score
from app.core.errors import ValidationError
from app.ui.screens.base import AppContext, Screen
from app.ui.widgets import messages

PASS_STYLE = "color: #2b8a3e; font-weight: bold;"
FAIL_STYLE = "color: #b00020; font-weight: bold;"


class CommuneCommunityScreen(Screen):
    key = "commune"
    title = "Xã học tập (TT 25)"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.current: cf.CommuneAssessment | None = None
        self.figures: cf.CommuneFigures | None = None
        self.checks: dict[str, QCheckBox] = {}
        self.notes: dict[str, QLineEdit] = {}
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(working_year(ctx.db) if ctx.available else dt.date.today().year)
        self.year.setAccessibleName("Năm đánh giá")
        self.refill_button = QPushButton("Điền lại số liệu từ sổ")
        self.refill_button.setToolTip(
            "Ghi lại số liệu tính từ sổ vào minh chứng của các chỉ số có số liệu."
        )
        self.save_button = QPushButton("&Lưu")
        top = QHBoxLayout()
        top.addWidget(QLabel("Năm:"))
        top.addWidget(self.year)
        top.addStretch(1)
        top.addWidget(self.refill_button)
        top.addWidget(self.save_button)
        self.set_label = QLabel()
        self.set_label.setWordWrap(True)
        self.figures_label = QLabel()
        self.figures_label.setWordWrap(True)
        figures_box = QGroupBox("Số liệu tính từ sổ")
        QVBoxLayout(figures_box).addWidget(self.figures_label)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        self.result_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.set_label)
        layout.addWidget(figures_box)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.result_label)
        self.year.valueChanged.connect(lambda _y: self.reload())
        self.refill_button.clicked.connect(self.refill)
        self.save_button.clicked.connect(self.save)
        ctx.changed.connect(lambda _kind: self.mark_stale())

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.reload_if_stale()

    def reload(self) -> None:
        with messages.guarded(self):
            year = self.year.value()
            self.current = cf.commune_assessment(self.ctx.db, year)
            self.figures = cf.commune_figures(self.ctx.db, year)
            self._show()

    def _show(self) -> None:
        assert self.current is not None and self.figures is not None
        doc, figures = self.current.doc, self.figures
        state = " — đã có quyết định công nhận" if self.current.recognised else ""
        self.set_label.setText(
            f"<b>{doc.title}</b> (phiên bản {doc.version}){state}<br>"
            f"{doc.source.number}, {doc.source.issuer}: {doc.source.note}"
        )
        names = ("literacy_15_60", "literacy_15_35", "children_in_school_by_age")
        names += ("centre_sessions", "week_activities", "learning_models")
        self.figures_label.setText("\n".join(line for n in names for line in figures.lines(n)))
        while self.body_layout.count():
            old = self.body_layout.takeAt(0).widget()
            if old is not None:
                old.deleteLater()
        self.checks.clear()
        self.notes.clear()
        evidence = self.current.evidence_with_figures(figures)
        for group in doc.groups:
            box = QGroupBox(f"{group.code}. {group.title}")
            grid = QGridLayout(box)
            for r, item in enumerate(group.items):
                grid.addWidget(QLabel(item.code), r, 0)
                title = QLabel(f"{item.title} <i>(mức độ {item.level or 1})</i>")
                title.setWordWrap(True)
                title.setToolTip(item.origin_text)
                grid.addWidget(title, r, 1)
                check = QCheckBox("đạt")
                check.setAccessibleName(f"{item.code} {item.title}")
                check.setChecked(_is_yes(self.current.values.get(item.code)))
                check.toggled.connect(self.update_result)
                self.checks[item.code] = check
                grid.addWidget(check, r, 2)
                note = QLineEdit(evidence.get(item.code, ""))
                note.setPlaceholderText("minh chứng")
                note.setAccessibleName(f"Minh chứng {item.code}")
                self.notes[item.code] = note
                grid.addWidget(note, r, 3)
            grid.setColumnStretch(1, 3)
            grid.setColumnStretch(3, 3)
            self.body_layout.addWidget(box)
        self.body_layout.addStretch(1)
        editable = not self.current.recognised
        for widget in (*self.checks.values(), *self.notes.values(), self.save_button):
            widget.setEnabled(editable)
        self.refill_button.setEnabled(editable)
        self.update_result()

    def values(self) -> dict[str, Value]:
        return {code: box.isChecked() for code, box in self.checks.items()}

    def evidence(self) -> dict[str, str]:
        return {c: n.text().strip() for c, n in self.notes.items() if n.text().strip()}

    def update_result(self) -> None:
        if self.current is None:
            return
        try:
            result = score(self.current.doc, self.values())
        except ValidationError as err:
            self.result_label.setText(err.message)
            return
        met = sum(1 for s in result.items.values() if s.met)
        self.result_label.setText(f"Kết quả: {result.label} — {met}/{len(result.items)} chỉ số đạt")
        self.result_label.setStyleSheet(PASS_STYLE if result.passed else FAIL_STYLE)

    def refill(self) -> None:
        """Put the registries' current figures back in the notes of the items that use them."""
        if self.current is None or self.figures is None:
            return
        for item in self.current.doc.items:
            if item.figures and item.code in self.notes:
                self.notes[item.code].setText(self.figures.evidence(item.figures))

    def save(self) -> None:
        with messages.guarded(self):
            out = cf.record_commune_assessment(
                self.ctx.db, self.year.value(), self.values(), self.evidence()
            )
            self.ctx.announce(
                "cycle", f"Đã lưu đánh giá Cộng đồng học tập cấp xã: {out.result.label}."
            )
            self.reload()


def _is_yes(value: Value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("có", "co", "x", "1", "yes", "true", "đạt")
    return bool(value)
