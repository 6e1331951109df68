"""CLI for the association's activities (trainings, classes, learning-centre sessions).

Commands (``khuyenhoc …``):
``activity add --kind training|literacy|continuing|centre --topic … --date D
[--end D] [--hours N] [--count N] [--member 1,2] [--person 3,4] [--place …]``,
``activity list [--year Y] [--kind K]``, ``activity figures --from D --to D | --year Y``,
``activity edit --id N [the add options to change]``, ``activity delete --id N``.
All take ``--json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from app.cli import AddCommand, _emit, _open
from app.cli_fund import _date, _ids
from app.core.errors import ValidationError

if TYPE_CHECKING:
    from app.core.activities.service import ActivityInput


def _optional_ids(text: str | None, what: str) -> list[int]:
    return _ids(text, what) if text else []


def _describe(a: dict[str, Any]) -> str:
    end = f" → {a['end_date']}" if a["end_date"] else ""
    hours = f", {a['hours']} giờ" if a["hours"] else ""
    return (
        f"{a['id']:>3}. {a['start_date']}{end}  {a['kind_label']}: {a['topic']} "
        f"({a['participants']} người{hours})"
    )


def _edited(current: ActivityInput, args: argparse.Namespace) -> ActivityInput:
    """``activity edit``: the options given replace the stored values; the rest stay.
    ``--end ""`` clears the end date."""
    changes: dict[str, Any] = {}
    if args.kind:
        changes["kind"] = args.kind
    if args.topic is not None:
        changes["topic"] = args.topic
    if args.date:
        changes["start_date"] = _date(args.date)
    if args.end is not None:
        changes["end_date"] = _date(args.end) if args.end.strip() else None
    for name, value in (
        ("hours", args.hours),
        ("participants_count", args.count),
        ("place", args.place),
        ("note", args.note),
    ):
        if value is not None:
            changes[name] = value
    if args.member is not None:
        changes["member_ids"] = _optional_ids(args.member, "mã hội viên (--member)")
    if args.person is not None:
        changes["person_ids"] = _optional_ids(args.person, "mã nhân khẩu (--person)")
    return replace(current, **changes)


FIGURE_LABELS = {
    "trainings": "Số lớp tập huấn",
    "training_hours": "Số giờ tập huấn",
    "training_participants": "Lượt người dự tập huấn",
    "members_trained": "Hội viên được tập huấn",
    "officials_total": "Cán bộ Hội",
    "officials_trained": "Cán bộ được tập huấn",
    "officials_trained_percent": "Tỷ lệ cán bộ được tập huấn (%)",
    "literacy_classes": "Lớp xóa mù chữ",
    "literacy_learners": "Học viên xóa mù chữ",
    "continuing_classes": "Lớp chuyên đề",
    "continuing_learners": "Học viên lớp chuyên đề",
    "centre_sessions": "Buổi sinh hoạt TTHTCĐ",
    "centre_participants": "Lượt người dự TTHTCĐ",
}


def cmd_activity(args: argparse.Namespace) -> int:
    from app.core.activities import service
    from app.core.errors import ValidationError

    writing = args.action in ("add", "edit", "delete")
    ws = _open(args, lock=writing)
    try:
        if args.action == "add":
            if not args.kind:
                raise ValidationError("Cần --kind (training, literacy, continuing, centre).")
            new_id = service.add_activity(
                ws.db,
                service.ActivityInput(
                    kind=args.kind,
                    topic=args.topic or "",
                    start_date=_date(args.date),
                    end_date=_date(args.end) if args.end else None,
                    hours=args.hours,
                    participants_count=args.count or 0,
                    place=args.place or "",
                    note=args.note,
                    member_ids=_optional_ids(args.member, "mã hội viên (--member)"),
                    person_ids=_optional_ids(args.person, "mã nhân khẩu (--person)"),
                ),
            )
            item = next(a for a in service.list_activities(ws.db) if a.id == new_id).as_dict()
            _emit(args, item, "Đã ghi: " + _describe(item))
        elif args.action == "edit":
            if args.id is None:
                raise ValidationError("Cần mã hoạt động (--id).")
            data = _edited(service.activity_input(ws.db, args.id), args)
            service.update_activity(ws.db, args.id, data)
            item = next(a for a in service.list_activities(ws.db) if a.id == args.id).as_dict()
            _emit(args, item, "Đã sửa: " + _describe(item))
        elif args.action == "delete":
            if args.id is None:
                raise ValidationError("Cần mã hoạt động (--id).")
            service.delete_activity(ws.db, args.id)
            _emit(args, {"deleted": args.id}, f"Đã xóa hoạt động mã {args.id}.")
        elif args.action == "list":
            items = [a.as_dict() for a in service.list_activities(ws.db, args.year, args.kind)]
            human = "\n".join(_describe(a) for a in items) or "Chưa có hoạt động nào."
            _emit(args, {"activities": items, "count": len(items)}, human)
        else:
            start, end = _period(args)
            figures = service.activity_figures(ws.db, start, end)
            data = {"from": start.isoformat(), "to": end.isoformat(), **figures}
            human = "\n".join(f"{FIGURE_LABELS[k]}: {v}" for k, v in figures.items())
            _emit(args, data, human)
    finally:
        ws.close()
    return 0


def _period(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    """``--from``/``--to``, or the whole of ``--year`` (a year's report)."""
    if args.date_from or args.date_to:
        if not (args.date_from and args.date_to):
            raise ValidationError("Cần cả --from và --to (dd/mm/yyyy), hoặc chỉ --year.")
        return _date(args.date_from), _date(args.date_to)
    if args.year is None:
        raise ValidationError("Cần --year, hoặc --from và --to (dd/mm/yyyy).")
    if not 1900 <= args.year <= 2100:
        raise ValidationError(f"Năm {args.year} không hợp lệ.")
    return dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)


def register(add: AddCommand) -> None:
    p = add("activity", cmd_activity, "hoạt động: tập huấn, lớp xóa mù chữ, chuyên đề, TTHTCĐ")
    p.add_argument("action", choices=("add", "edit", "list", "figures", "delete"))
    p.add_argument("--kind", choices=("training", "literacy", "continuing", "centre"))
    p.add_argument("--topic", default=None, help="chủ đề / tên lớp")
    p.add_argument("--date", default=None, help="ngày (bắt đầu) dd/mm/yyyy")
    p.add_argument("--end", default=None, help="ngày kết thúc (lớp học)")
    p.add_argument("--hours", type=int, default=None, help="số giờ")
    p.add_argument("--count", type=int, default=None, help="số người (khi không ghi tên)")
    p.add_argument("--member", default=None, help="mã hội viên dự, cách nhau dấu phẩy")
    p.add_argument("--person", default=None, help="mã nhân khẩu học, cách nhau dấu phẩy")
    p.add_argument("--place", default=None)
    p.add_argument("--note", default=None)
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--id", type=int, default=None)
    p.add_argument("--from", dest="date_from", default=None, help="figures: từ ngày")
    p.add_argument("--to", dest="date_to", default=None, help="figures: đến ngày")
