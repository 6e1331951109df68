"""The activities section of the periodic report: trainings, classes, learning-centre sessions.

Figures come from :func:`app.core.activities.service.activity_figures` (commune level:
activities are not kept per hamlet). A period with no activity at all gives no
section, rather than a table of zeros.
"""

from __future__ import annotations

from app.core.db import Database
from app.core.reports.period import Period, ReportColumn, ReportSection, ReportTable


def activities_section(db: Database, period: Period) -> ReportSection | None:
    from app.core.activities.service import activity_figures

    f = activity_figures(db, period.start, period.end)
    rows: list[tuple[str, int, str, int, str]] = [
        (
            "Tập huấn",
            int(f["trainings"]),
            "lớp",
            int(f["training_participants"]),
            "lượt người",
        ),
        (
            "Lớp xóa mù chữ",
            int(f["literacy_classes"]),
            "lớp",
            int(f["literacy_learners"]),
            "học viên",
        ),
        (
            "Lớp chuyên đề",
            int(f["continuing_classes"]),
            "lớp",
            int(f["continuing_learners"]),
            "học viên",
        ),
        (
            "Sinh hoạt Trung tâm học tập cộng đồng",
            int(f["centre_sessions"]),
            "buổi",
            int(f["centre_participants"]),
            "lượt người",
        ),
    ]
    if not any(count or people for _t, count, _u, people, _p in rows):
        return None
    officials, trained = int(f["officials_total"]), int(f["officials_trained"])
    share = f"{trained}/{officials} = {f['officials_trained_percent']:.1f}%".replace(".", ",")
    paragraphs = [
        f"Trong kỳ tổ chức {rows[0][1]} lớp tập huấn ({int(f['training_hours'])} giờ), "
        f"{int(f['members_trained'])} hội viên được tập huấn; cán bộ Hội được tập huấn: "
        f"{share if officials else 'chưa có cán bộ Hội trong sổ'}."
    ]
    table = ReportTable(
        "Hoạt động trong kỳ",
        (
            ReportColumn("Hoạt động", weight=3.0),
            ReportColumn("Số lớp, buổi", "int"),
            ReportColumn("Đơn vị", weight=0.8),
            ReportColumn("Người tham gia", "int", 1.2),
            ReportColumn("Đơn vị", weight=1.0),
        ),
        list(rows),
    )
    return ReportSection(
        "Hoạt động học tập, tập huấn, Trung tâm học tập cộng đồng",
        paragraphs,
        [table],
        "Hoạt động",
    )
