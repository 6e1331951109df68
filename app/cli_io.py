"""`import-xlsx` and `export-xlsx`: spreadsheets in and out from the command line.

``import-xlsx FILE --kind … --json`` prints ``{"added", "updated", "duplicates",
"rejected": [{"sheet", "row", "reason"}], "warnings": [{"sheet", "row", "column",
"value", "reason"}]}`` and exits 0 whenever the file could be
read (rejected rows are not a failure); a file that cannot be read is a Vietnamese
error with a non-zero exit code and nothing written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.cli import AddCommand, _emit, _open, _open_for_reading

IMPORT_KINDS = ("households", "people", "members", "clans", "units", "hamlets")
EXPORT_KINDS = ("hamlets", "households", "people", "clans", "units", "branches", "members")


def register(add: AddCommand) -> None:
    p = add("import-xlsx", cmd_import_xlsx, "nhập danh sách từ tệp Excel (.xlsx)")
    p.add_argument("file", metavar="TỆP")
    p.add_argument("--kind", required=True, choices=IMPORT_KINDS, help="loại danh sách")
    p.add_argument(
        "--mapping",
        default=None,
        metavar="TỆP_JSON",
        help='ghép cột tự chọn: {"tên trang": ["full_name", "", "birth", …]}',
    )
    p.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không ghi gì")
    p.add_argument(
        "--sheet-hamlet",
        action="append",
        default=[],
        metavar="TRANG=THÔN",
        help="thôn của các dòng trong một trang không ghi thôn (khi tiêu đề không ghi rõ); "
        "lặp lại cho nhiều trang, “TRANG=” để không xếp vào thôn nào",
    )
    p.add_argument(
        "--stop-on-reject",
        action="store_true",
        help="không nhập gì nếu có dòng bị từ chối (mặc định: nhập các dòng hợp lệ)",
    )
    p = add("export-xlsx", cmd_export_xlsx, "xuất một danh sách ra tệp Excel (.xlsx)")
    p.add_argument("--kind", required=True, choices=EXPORT_KINDS, help="loại danh sách")
    p.add_argument("--out", required=True, metavar="TỆP")
    p.add_argument("--hamlet", default=None, metavar="TÊN_THÔN", help="chỉ một thôn")


def _read_mapping(path: str | None, kind: str) -> dict[str, list[str | None]] | None:
    """The ``--mapping`` file: {sheet name: [field or "" per column]}, every field known.

    An unknown field (a typo such as "fullname") was accepted and its column dropped
    without a word.
    """
    from app.core.errors import UserError, reason_of
    from app.core.io.headers import ALIASES, FIELD_LABELS, IGNORE

    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"Không đọc được tệp ghép cột “{path}”: {reason_of(exc)}.") from exc
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise UserError('Tệp ghép cột phải có dạng {"tên trang": ["full_name", "", …]}.')
    known = [key for key in FIELD_LABELS if key in ALIASES.get(kind, {})]
    for sheet, fields in data.items():
        for column, value in enumerate(fields, start=1):
            if value in (None, IGNORE):
                continue
            if not isinstance(value, str) or value not in known:
                choices = ", ".join(f"{key} ({FIELD_LABELS[key]})" for key in known)
                raise UserError(
                    f"Tệp ghép cột, trang “{sheet}”, cột {column}: không có trường “{value}” "
                    f"cho loại danh sách này. Các trường dùng được: {choices}; "
                    'để "" cho cột không nhập.'
                )
    return {str(k): [x or None for x in v] for k, v in data.items()}


def _sheet_hamlets(values: list[str]) -> dict[str, str | None] | None:
    from app.core.errors import UserError

    if not values:
        return None
    out: dict[str, str | None] = {}
    for value in values:
        sheet, sep, hamlet = value.partition("=")
        if not sep or not sheet.strip():
            raise UserError(f"“{value}” không đúng dạng --sheet-hamlet “tên trang=tên thôn”.")
        out[sheet.strip()] = hamlet.strip() or None
    return out


def cmd_import_xlsx(args: argparse.Namespace) -> int:
    from app.core.io.importer import apply_import, plan_import

    mapping = _read_mapping(args.mapping, args.kind)
    hamlets = _sheet_hamlets(args.sheet_hamlet)
    ws = _open_for_reading(args) if args.dry_run else _open(args, lock=True)
    try:
        plan = plan_import(ws.db, Path(args.file), args.kind, mapping, hamlets=hamlets)
        stopped = bool(args.stop_on_reject and plan.rejected)
        if not args.dry_run and not stopped:
            apply_import(ws.db, plan)
    finally:
        ws.close()
    data: dict[str, Any] = plan.as_dict()
    data["dry_run"] = bool(args.dry_run)
    data["applied"] = not args.dry_run and not stopped
    if stopped and not args.dry_run:
        _emit(args, data, plan.summary() + "\nCó dòng bị từ chối: không nhập gì.")
        return 1
    human = plan.summary() if args.dry_run else plan.summary().replace("Sẽ thêm", "Đã thêm")
    for r in plan.rejected[:50]:
        human += f"\n  {r.sheet}, dòng {r.row}: {r.reason}"
    if plan.warnings:
        human += "\nCảnh báo (dòng vẫn được nhập; giá trị gốc ghi vào Ghi chú):"
    for w in plan.warnings[:50]:
        human += f"\n  {w.sheet}, dòng {w.row}, cột “{w.column}” = “{w.value}”: {w.reason}"
    _emit(args, data, human)
    return 0


def cmd_export_xlsx(args: argparse.Namespace) -> int:
    from app.core import text as vntext
    from app.core.errors import UserError
    from app.core.io.export import export_list
    from app.core.registry.hamlets import hamlet_choices
    from app.core.registry.listing import LISTINGS, ListQuery

    ws = _open_for_reading(args)
    try:
        query = ListQuery()
        if args.hamlet:
            choices = {vntext.fold(label): value for value, label in hamlet_choices(ws.db)}
            wanted = vntext.fold(args.hamlet)
            hamlet_id = choices.get(wanted)
            if hamlet_id is None:
                hamlet_id = next((v for k, v in choices.items() if k.endswith(" " + wanted)), None)
            if hamlet_id is None:
                raise UserError(f"Không có thôn “{args.hamlet}”.")
            if "hamlet_id" not in {f.key for f in LISTINGS[args.kind].filters}:
                raise UserError(f"Danh sách “{args.kind}” không lọc được theo thôn.")
            query.filters["hamlet_id"] = hamlet_id
        result = export_list(ws.db, args.kind, Path(args.out), query)
    finally:
        ws.close()
    _emit(args, result.as_dict(), f"Đã xuất {result.rows} dòng ra {result.path}.")
    return 0
