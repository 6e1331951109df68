"""The periodic report (báo cáo định kỳ) as data: heading, numbered sections, tables, signer.

One :class:`PeriodReport` is laid out by three renderers (PDF, DOCX, XLSX), so the
three files always say the same thing. A section is made by a *provider*
``(db, period) → ReportSection | None``: the built-in ones (members, learning models,
fund, scholarships and awards) come first, then whatever :data:`SECTION_PROVIDERS`
holds (e.g. activities: trainings, literacy classes, community learning centre).
Every rate is shown with its numerator and denominator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.core.assessment import CYCLE_MODELS
from app.core.db import Database
from app.core.fund.report import target_text
from app.core.fund.words import format_money
from app.core.models.fund import CATEGORY_LABELS, PAYMENT_CATEGORIES, RECEIPT_CATEGORIES
from app.core.printing.common import place_date
from app.core.printing.data import heading
from app.core.reports.figures import UNPLACED, MemberRow, PeriodFigures, period_figures
from app.core.reports.periods import Period, period_between, period_bounds
from app.core.text import format_number

__all__ = [
    "SECTION_PROVIDERS",
    "Cell",
    "Period",
    "PeriodReport",
    "ReportColumn",
    "ReportSection",
    "ReportTable",
    "build_report",
    "format_cell",
    "period_between",
    "period_bounds",
]

Cell = str | int | float | None
ROMAN_SECTIONS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
PER_HAMLET_MODELS = ("learning_family", "learning_clan", "learning_citizen")
SHORT_MODEL = {
    "learning_family": "GĐHT",
    "learning_clan": "DHHT",
    "learning_community": "CĐHT",
    "learning_unit": "ĐVHT",
    "learning_citizen": "CDHT",
}


@dataclass(frozen=True)
class ReportColumn:
    title: str
    kind: str = "text"  # text | int | money | rate
    weight: float = 1.0  # relative width on paper


@dataclass(frozen=True)
class ReportTable:
    title: str
    columns: tuple[ReportColumn, ...]
    rows: list[tuple[Cell, ...]]
    total: tuple[Cell, ...] | None = None  # the bold "Toàn xã" / "Cộng" line
    note: str = ""  # e.g. which denominator each rate uses


@dataclass(frozen=True)
class ReportSection:
    title: str  # without its number: the renderers number sections I, II, …
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    sheet: str = ""  # short name for its spreadsheet tab (≤ 31 characters)


SectionProvider = Callable[[Database, Period], "ReportSection | None"]
# Extra sections after the standard ones; other packages may append a provider here.
SECTION_PROVIDERS: list[SectionProvider] = []


def standard_providers() -> list[SectionProvider]:
    """The sections every report has after members, models, fund and awards."""
    from app.core.reports.activities import activities_section

    return [activities_section]


@dataclass(frozen=True)
class PeriodReport:
    period: Period
    issuer_1: str  # UBND XÃ KHOÁI CHÂU
    issuer_2: str  # HỘI KHUYẾN HỌC XÃ KHOÁI CHÂU
    number_line: str  # Số:      /BC-KH
    place_date: str
    title: str
    subtitle: str  # (Từ ngày … đến ngày …)
    sections: list[ReportSection]
    recipients: list[str]
    signer_lines: list[str]
    signer_name: str
    figures: PeriodFigures

    def numbered(self) -> list[tuple[str, ReportSection]]:
        return [(f"{ROMAN_SECTIONS[i]}.", s) for i, s in enumerate(self.sections)]


# --- formatting -------------------------------------------------------------------------


def format_rate(value: float | None) -> str:
    """0.725 → '72,5%'; no denominator → '—'."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%".replace(".", ",")


def format_cell(value: Cell, kind: str) -> str:
    """How a cell reads on paper (PDF and Word); spreadsheets keep the number."""
    if value is None:
        return "—" if kind == "rate" else ""
    if kind == "rate" and isinstance(value, int | float):
        return format_rate(float(value))
    if kind in ("int", "money") and isinstance(value, int):
        return format_number(value)
    return str(value)


def _ratio(numerator: int, denominator: int) -> str:
    """'45/120 = 37,5%' — the figure always carries what it was divided by."""
    rate = numerator / denominator if denominator else None
    return f"{format_number(numerator)}/{format_number(denominator)} = {format_rate(rate)}"


# --- sections ---------------------------------------------------------------------------


def _placed(rows: list[tuple[Cell, ...]]) -> list[tuple[Cell, ...]]:
    """Drop the "Chưa rõ thôn" row when it holds nothing."""
    return [r for r in rows if r[0] != UNPLACED or any(isinstance(v, int) and v for v in r[1:])]


def _members_section(f: PeriodFigures) -> ReportSection:
    t = f.members_total
    target = "" if f.member_target is None else f" (chỉ tiêu {format_rate(f.member_target)})"
    paragraphs = [
        f"Đến ngày {f.period.end:%d/%m/%Y}, toàn xã có {format_number(t.members)} hội viên; "
        f"tỷ lệ hội viên trên dân số (nhân khẩu trong sổ): {_ratio(t.members, t.population)}"
        f"{target}.",
        f"Trong kỳ kết nạp mới {format_number(t.joined)} hội viên; "
        f"{format_number(t.left)} hội viên ra khỏi Hội.",
    ]
    columns = (
        ReportColumn("Thôn, tổ dân phố", weight=3.2),
        ReportColumn("Dân số", "int"),
        ReportColumn("Hội viên", "int"),
        ReportColumn("Kết nạp mới", "int"),
        ReportColumn("Ra khỏi Hội", "int"),
        ReportColumn("Tỷ lệ HV/dân số", "rate", 1.2),
    )

    def row(r: MemberRow) -> tuple[Cell, ...]:
        return (r.name, r.population, r.members, r.joined, r.left, r.share)

    table = ReportTable(
        "Hội viên theo thôn, tổ dân phố",
        columns,
        _placed([row(r) for r in f.members]),
        row(t),
        "Tỷ lệ = số hội viên / dân số (nhân khẩu trong sổ hộ) của thôn.",
    )
    return ReportSection("Công tác phát triển hội viên", paragraphs, [table], "Hội viên")


def _models_section(f: PeriodFigures) -> ReportSection:
    rep = f.targets
    paragraphs = [
        f"Danh hiệu các mô hình học tập xét theo năm; số liệu năm {rep.year} "
        f"(bộ chỉ tiêu: {rep.profile.title}). Tỷ lệ = số được công nhận / mẫu số ghi ở từng dòng."
    ]
    if rep.no_target:
        paragraphs.append(rep.no_target)
    commune = ReportTable(
        f"Toàn xã, năm {rep.year}",
        (
            ReportColumn("Mô hình", weight=2.6),
            ReportColumn("Đăng ký", "int", 0.9),
            ReportColumn("Đánh giá", "int", 0.9),
            ReportColumn("Công nhận", "int", 0.9),
            ReportColumn("Mẫu số", "int", 0.9),
            ReportColumn("Mẫu số là", weight=2.2),
            ReportColumn("Tỷ lệ", "rate", 0.9),
            ReportColumn("Chỉ tiêu", "rate", 0.9),
        ),
        [
            (
                m.title,
                m.registered,
                m.assessed,
                m.recognised,
                m.denominator,
                m.denominator_label,
                m.rate,
                m.target,
            )
            for m in [
                *(rep.models[k] for k in CYCLE_MODELS),
                *([rep.citizen_staff] if rep.citizen_staff is not None else []),
            ]
        ],
    )
    columns = [ReportColumn("Thôn, tổ dân phố", weight=2.6)]
    for model in PER_HAMLET_MODELS:
        short = SHORT_MODEL[model]
        columns += [
            ReportColumn(f"{short} công nhận", "int", 0.9),
            ReportColumn(f"{short} mẫu số", "int", 0.9),
            ReportColumn(f"{short} tỷ lệ", "rate", 0.9),
        ]
    rows: list[tuple[Cell, ...]] = []
    for h in rep.hamlets:
        cells: list[Cell] = [h.name]
        for model in PER_HAMLET_MODELS:
            m = h.models[model]
            cells += [m.recognised, m.denominator, m.rate]
        rows.append(tuple(cells))
    total: list[Cell] = ["Toàn xã"]
    rest: list[Cell] = [UNPLACED]  # entities with no hamlet, so the rows add up to the total
    for model in PER_HAMLET_MODELS:
        m = rep.models[model]
        total += [m.recognised, m.denominator, m.rate]
        done = m.recognised - sum(h.models[model].recognised for h in rep.hamlets)
        of = m.denominator - sum(h.models[model].denominator for h in rep.hamlets)
        rest += [done, of, done / of if of > 0 else None]
    rows += _placed([tuple(rest)])
    note = "; ".join(
        f"{SHORT_MODEL[k]} = {rep.models[k].title}, mẫu số: {rep.models[k].denominator_label}"
        for k in PER_HAMLET_MODELS
    )
    per_hamlet = ReportTable(
        f"Theo thôn, tổ dân phố, năm {rep.year}", tuple(columns), rows, tuple(total), note + "."
    )
    return ReportSection(
        "Xây dựng các mô hình học tập", paragraphs, [commune, per_hamlet], "Mô hình học tập"
    )


def _fund_section(f: PeriodFigures) -> ReportSection:
    fund = f.fund
    paragraphs = [
        f"Tồn quỹ đầu kỳ {format_money(fund.opening)}; thu trong kỳ {format_money(fund.receipts)}; "
        f"chi trong kỳ {format_money(fund.payments)}; tồn quỹ cuối kỳ {format_money(fund.closing)}.",
        f"Bình quân thu quỹ trong kỳ trên đầu người: {format_money(fund.receipts)} / "
        f"{format_number(fund.population)} người = {format_money(fund.per_head)}/người "
        f"(chỉ tiêu cả năm: {target_text(fund.target_per_head)}).",
    ]
    rows: list[tuple[Cell, ...]] = [("Tồn quỹ đầu kỳ", fund.opening)]
    rows.append(("Thu trong kỳ", fund.receipts))
    rows += [
        (f"   – {CATEGORY_LABELS.get(c, c)}", fund.receipts_by_category[c])
        for c in (
            *RECEIPT_CATEGORIES,
            *sorted(set(fund.receipts_by_category) - set(RECEIPT_CATEGORIES)),
        )
        if c in fund.receipts_by_category
    ]
    rows.append(("Chi trong kỳ", fund.payments))
    rows += [
        (f"   – {CATEGORY_LABELS.get(c, c)}", fund.payments_by_category[c])
        for c in (
            *PAYMENT_CATEGORIES,
            *sorted(set(fund.payments_by_category) - set(PAYMENT_CATEGORIES)),
        )
        if c in fund.payments_by_category
    ]
    ledger = ReportTable(
        "Thu, chi quỹ khuyến học trong kỳ (đồng)",
        (ReportColumn("Khoản mục", weight=3.5), ReportColumn("Số tiền (đ)", "money", 1.5)),
        rows,
        ("Tồn quỹ cuối kỳ", fund.closing),
    )
    tables = [ledger]
    if any(m.receipts for m in f.money if m.name != UNPLACED):
        tables.append(
            ReportTable(
                "Thu quỹ theo thôn, tổ dân phố (đồng)",
                (
                    ReportColumn("Thôn, tổ dân phố", weight=3.5),
                    ReportColumn("Thu trong kỳ (đ)", "money", 1.5),
                ),
                _placed([(m.name, m.receipts) for m in f.money]),
                ("Toàn xã", f.money_total.receipts),
                "Xếp theo hộ, người hoặc hội viên đóng góp; khoản không gắn với ai trong sổ "
                f"được tính vào dòng “{UNPLACED}”.",
            )
        )
    else:
        paragraphs.append(
            "Các khoản thu trong kỳ không gắn với hộ, người nào trong sổ nên "
            "không tách được theo thôn."
        )
    return ReportSection("Quỹ khuyến học", paragraphs, tables, "Quỹ khuyến học")


def _awards_section(f: PeriodFigures) -> ReportSection:
    t = f.money_total
    paragraphs = [
        f"Trong kỳ trao {format_number(t.scholarships)} suất học bổng, tổng số "
        f"{format_money(t.scholarship_amount)}, và khen thưởng {format_number(t.awards)} lượt, "
        f"tổng số {format_money(t.award_amount)} (theo ngày chi của phiếu chi)."
    ]
    table = ReportTable(
        "Học bổng, khen thưởng theo thôn, tổ dân phố",
        (
            ReportColumn("Thôn, tổ dân phố", weight=2.6),
            ReportColumn("Học bổng (suất)", "int"),
            ReportColumn("Học bổng (đ)", "money", 1.4),
            ReportColumn("Khen thưởng (lượt)", "int"),
            ReportColumn("Khen thưởng (đ)", "money", 1.4),
        ),
        _placed(
            [
                (m.name, m.scholarships, m.scholarship_amount, m.awards, m.award_amount)
                for m in f.money
            ]
        ),
        ("Toàn xã", t.scholarships, t.scholarship_amount, t.awards, t.award_amount),
    )
    return ReportSection("Học bổng, khen thưởng", paragraphs, [table], "Học bổng, khen thưởng")


# --- the report -------------------------------------------------------------------------


def report_title(period: Period) -> str:
    return (
        "BÁO CÁO KẾT QUẢ CÔNG TÁC KHUYẾN HỌC, KHUYẾN TÀI, XÂY DỰNG XÃ HỘI HỌC TẬP "
        + period.label().upper()
    )


def build_report(
    db: Database,
    period: Period,
    *,
    day: dt.date | None = None,
    providers: Sequence[SectionProvider] | None = None,
) -> PeriodReport:
    """Gather the period's figures and lay them out as an association report."""
    head = heading(db)
    figures = period_figures(db, period)
    sections = [
        _members_section(figures),
        _models_section(figures),
        _fund_section(figures),
        _awards_section(figures),
    ]
    chosen = [*standard_providers(), *SECTION_PROVIDERS] if providers is None else providers
    for provider in chosen:
        extra = provider(db, period)
        if extra is not None:
            sections.append(extra)
    signer = head.association_signer
    return PeriodReport(
        period=period,
        issuer_1=f"UBND {head.commune_name.upper()}",
        issuer_2=head.association_name.upper(),
        number_line="Số:       /BC-KH",
        place_date=place_date(head.place, day or dt.date.today()),
        title=report_title(period),
        subtitle=f"(Từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y})",
        sections=sections,
        recipients=[
            "Hội Khuyến học tỉnh;",
            f"Đảng ủy, UBND {head.commune_name[:1].lower()}{head.commune_name[1:]};",
            "Các chi hội khuyến học;",
            "Lưu: VP Hội.",
        ],
        signer_lines=["TM. BAN CHẤP HÀNH", signer.title.upper()],
        signer_name=signer.name,
        figures=figures,
    )
