"""CLI for printing: certificates, decisions, lists, print options, certificate check.

Commands (``khuyenhoc …``):
``print certificates --year Y --model M [--decision N] [--ids 1,2] [--preprinted] --out F.pdf``,
``print decision --year Y --model M [--decision N] --out F.pdf|F.docx``,
``print list members|registrations|results [--year Y --model M --hamlet H] --out F.pdf``
(these three take ``--pages 1-3,5`` to keep only those pages of a PDF),
``print preview F.pdf [--page N] [--dpi D] --out page.png`` (one page as an image),
``print options [--issuer committee|association [--model M]] [--preprinted on|off] [--offset-x MM]
[--offset-y MM]``, ``verify-certificate PAYLOAD_OR_IMAGE [--public-key HEX]``, and the
periodic report ``report period --from YYYY-MM-DD --to YYYY-MM-DD | --period 2026-Q3
--format pdf|docx|xlsx --out F`` (the ``report`` group itself is registered by cli_cycle).
Module-level imports stay light; the core is imported inside the handlers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli import AddCommand, _data_dir, _emit, _open
from app.cli_cycle import MODEL_CHOICES, _ids

LIST_KINDS = ("members", "registrations", "results")


def _progress(done: int, total: int) -> None:
    if total and sys.stderr.isatty():
        print(f"\r  {done}/{total}", end="", file=sys.stderr, flush=True)


def _result(args: argparse.Namespace, result: Any, selected: str | None = None) -> int:
    if sys.stderr.isatty():
        print(file=sys.stderr)
    data = {"path": str(result.path), "pages": result.pages, "items": result.items}
    if selected is not None:
        data["selected"] = selected  # the pages kept by --pages, e.g. "2, 4-5"
    _emit(args, data, result.describe())
    return 0


def _paged(args: argparse.Namespace, out: Path, produce: Any) -> tuple[Any, str | None]:
    """``produce(path)`` prints the whole document; with ``--pages`` only those pages reach ``out``.

    Returns the result (its ``pages`` counting what was written) and the pages kept.

    The renderers lay out whole documents (page numbers, running totals), so the full PDF
    is written to a temporary folder and the chosen pages are copied out of it.
    """
    if not args.pages:
        return produce(out), None
    import dataclasses
    import tempfile

    from app.core.errors import ValidationError
    from app.core.printing.pages import describe_pages, parse_page_range
    from app.core.printing.preview import extract_pages

    if out.suffix.lower() != ".pdf":
        raise ValidationError("--pages chỉ dùng khi in ra tệp PDF.", "pages")
    with tempfile.TemporaryDirectory(prefix="khuyenhoc-print-") as folder:
        whole = produce(Path(folder) / out.name)
        indices = parse_page_range(args.pages, whole.pages)
        written = extract_pages(whole.path, out, indices)
    return dataclasses.replace(whole, path=out, pages=written), describe_pages(indices)


def _need(args: argparse.Namespace, *names: str) -> None:
    from app.core.errors import ValidationError

    for name in names:
        if getattr(args, name, None) in (None, ""):
            raise ValidationError(f"Thiếu --{name.replace('_', '-')}.")


def cmd_print(args: argparse.Namespace) -> int:
    if args.what == "options":
        return _options(args)
    if args.what == "preview":
        return _preview(args)
    args.model = args.model or "learning_family"
    _need(args, "out")
    out = Path(args.out)
    ws = _open(args)
    try:
        if args.what == "certificates":
            from app.core.printing.service import print_certificates

            _need(args, "year")
            ids = _ids(args.ids) or None
            return _result(
                args,
                *_paged(
                    args,
                    out,
                    lambda path: print_certificates(
                        ws.db,
                        args.year,
                        args.model,
                        path,
                        decision_number=args.decision,
                        entity_ids=ids,
                        preprinted=True if args.preprinted else None,
                        progress=_progress,
                    ),
                ),
            )
        if args.what == "decision":
            from app.core.printing.decision import print_decision

            _need(args, "year")
            return _result(
                args,
                *_paged(
                    args,
                    out,
                    lambda path: print_decision(
                        ws.db,
                        args.year,
                        args.model,
                        path,
                        decision_number=args.decision,
                        fmt=args.format,
                        progress=_progress,
                    ),
                ),
            )
        from app.core.printing.lists import print_cycle_list, print_member_list

        kind = _list_kind(args)
        if kind == "members":
            return _result(
                args,
                *_paged(args, out, lambda path: print_member_list(ws.db, path, progress=_progress)),
            )
        _need(args, "year")
        return _result(
            args,
            *_paged(
                args,
                out,
                lambda path: print_cycle_list(
                    ws.db,
                    path,
                    args.year,
                    args.model,
                    kind,
                    hamlet_id=args.hamlet,
                    progress=_progress,
                ),
            ),
        )
    finally:
        ws.close()


def _list_kind(args: argparse.Namespace) -> str:
    from app.core.errors import ValidationError

    kind = args.list_kind or "members"
    if kind not in LIST_KINDS:
        raise ValidationError(f"Loại danh sách “{kind}” không có; chọn: {', '.join(LIST_KINDS)}.")
    return str(kind)


def _preview(args: argparse.Namespace) -> int:
    """``print preview F.pdf --page N --out page.png``: one page of a printed PDF as a PNG."""
    from app.core.errors import ValidationError
    from app.core.printing.preview import MAX_DPI, MIN_DPI, page_count, save_png

    _need(args, "list_kind")
    _need(args, "out")
    if not MIN_DPI <= args.dpi <= MAX_DPI:
        raise ValidationError(f"--dpi phải trong khoảng {MIN_DPI}–{MAX_DPI}.", "dpi")
    source = Path(args.list_kind)
    total = page_count(source)
    width, height = save_png(source, args.page - 1, Path(args.out), dpi=args.dpi)
    _emit(
        args,
        {
            "path": str(args.out),
            "source": str(source),
            "page": args.page,
            "pages": total,
            "width": width,
            "height": height,
            "dpi": args.dpi,
        },
        f"Trang {args.page}/{total} của {source.name} → {args.out} ({width}×{height} điểm ảnh)",
    )
    return 0


def _options(args: argparse.Namespace) -> int:
    from dataclasses import asdict, replace

    from app.core.printing.options import load_options, save_options

    ws = _open(args)
    try:
        opts = load_options(ws.db)
        changes: dict[str, Any] = {}
        if args.issuer:
            from app.core.assessment import CYCLE_MODELS, issuers

            for model in [args.model] if args.model else CYCLE_MODELS:
                issuers.save_issuer(ws.db, model, args.issuer)
            if not args.model:
                changes["issuer"] = args.issuer
        if args.preprinted_mode:
            changes["preprinted"] = args.preprinted_mode == "on"
        if args.offset_x is not None:
            changes["offset_x_mm"] = args.offset_x
        if args.offset_y is not None:
            changes["offset_y_mm"] = args.offset_y
        if changes:
            opts = replace(opts, **changes)
            save_options(ws.db, opts)
        from app.core.assessment import MODELS, issuers

        chosen = issuers.all_issuers(ws.db)
    finally:
        ws.close()
    bodies = "; ".join(
        f"{MODELS[m]}: {issuers.BODY_LABELS[b]}" for m, b in chosen.items() if m in MODELS
    )
    human = (
        f"Cơ quan công nhận — {bodies}. In trên phôi: {'có' if opts.preprinted else 'không'}; "
        f"độ lệch: ngang {opts.offset_x_mm:g} mm, dọc {opts.offset_y_mm:g} mm"
    )
    _emit(args, {**asdict(opts), "issuers": chosen}, human)
    return 0


def _key_ring(args: argparse.Namespace) -> Any:
    """The keys this folder trusts (its database's, or just its own key without one);
    ``--public-key`` keys are known but never trusted."""
    from app.core.printing.seal import key_ring, known_keys
    from app.core.workspace import has_database

    data_dir = _data_dir(args)
    extra = args.public_key or []
    if not has_database(data_dir):
        return known_keys(data_dir, extra)
    ws = _open(args)
    try:
        return key_ring(ws.db, extra)
    finally:
        ws.close()


def cmd_verify_certificate(args: argparse.Namespace) -> int:
    from app.core.printing.seal import verify_payload

    source = args.payload
    payloads = [source]
    path = Path(source)
    if len(source) < 400 and path.suffix.lower() in (".png", ".jpg", ".jpeg", ".bmp", ".gif"):
        from app.core.printing.qrread import read_qr_payloads

        payloads = read_qr_payloads(path)
    keys = _key_ring(args)
    worst = 0
    results = []
    for payload in payloads:
        v = verify_payload(payload, keys)
        results.append(
            {
                "genuine": v.genuine,
                "reason": v.reason,
                "key_id": v.key_id,
                "name": v.record.name if v.record else None,
                "year": v.record.year if v.record else None,
                "model": v.record.model if v.record else None,
                "decision": v.record.decision_number if v.record else None,
            }
        )
        worst = worst or (0 if v.genuine else 1)
        if not args.json:
            print(v.describe())
    if args.json:
        _emit(args, {"results": results}, "")
    return worst


def add_period_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``report period`` (added to cli_cycle's ``report`` parser)."""
    p.add_argument("--from", dest="date_from", default=None, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", default=None, metavar="YYYY-MM-DD")
    p.add_argument("--period", default=None, help="thay cho --from/--to: 2026-Q3, 2026-H1, 2026")
    p.add_argument("--format", dest="report_format", choices=("pdf", "docx", "xlsx"), default=None)
    p.add_argument("--out", default=None, help="tệp báo cáo")


def _period(args: argparse.Namespace) -> Any:
    from app.core.errors import ValidationError
    from app.core.reports.periods import parse_day, period_between, period_bounds

    if args.period:
        if args.date_from or args.date_to:
            raise ValidationError("Dùng --period hoặc --from/--to, không dùng cả hai.")
        return period_bounds(args.period)
    if not args.date_from or not args.date_to:
        raise ValidationError("Thiếu kỳ báo cáo: --from và --to, hoặc --period (vd. 2026-Q3).")
    return period_between(parse_day(args.date_from, "bắt đầu"), parse_day(args.date_to, "kết thúc"))


def cmd_report_period(args: argparse.Namespace) -> int:
    """``report period``: the periodic report as PDF, Word or Excel."""
    from app.core.reports.service import report_format, write_period_report

    period = _period(args)
    _need(args, "out")
    out = Path(args.out)
    fmt = report_format(out, args.report_format)
    ws = _open(args)
    try:
        result = write_period_report(ws.db, period, out, fmt=fmt, progress=_progress)
    finally:
        ws.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    data: dict[str, Any] = {
        "path": str(result.path),
        "format": fmt,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
    }
    if fmt == "pdf":
        data["pages"] = result.pages
    _emit(args, data, result.describe())
    return 0


def register(add: AddCommand) -> None:
    p = add("print", cmd_print, "in giấy công nhận, quyết định, danh sách (PDF/Word)")
    p.add_argument("what", choices=("certificates", "decision", "list", "options", "preview"))
    p.add_argument(
        "list_kind",
        nargs="?",
        default=None,
        metavar="LOẠI|TỆP",
        help="list: members|registrations|results (mặc định members); preview: tệp PDF",
    )
    p.add_argument("--year", type=int, default=None)
    p.add_argument(
        "--model",
        choices=MODEL_CHOICES,
        default=None,
        help="mô hình (mặc định learning_family); options --issuer: chỉ đặt cho mô hình này",
    )
    p.add_argument("--decision", default=None, help="số quyết định (mặc định: mới nhất)")
    p.add_argument("--ids", default=None, help="chỉ in các mã này (cách nhau bằng dấu phẩy)")
    p.add_argument("--hamlet", type=int, default=None, help="chỉ một thôn (mã thôn)")
    p.add_argument("--preprinted", action="store_true", help="in trên phôi in sẵn (chỉ chữ)")
    p.add_argument("--format", choices=("pdf", "docx"), default=None, help="quyết định: pdf|docx")
    p.add_argument("--out", default=None, help="tệp kết quả")
    p.add_argument("--pages", default=None, help="chỉ giữ các trang này của tệp PDF, vd. 1-3,5")
    p.add_argument("--page", type=int, default=1, help="preview: số trang (từ 1)")
    p.add_argument("--dpi", type=int, default=96, help="preview: độ phân giải ảnh (điểm/inch)")
    p.add_argument("--issuer", choices=("committee", "association"), default=None)
    p.add_argument("--preprinted-mode", choices=("on", "off"), default=None)
    p.add_argument("--offset-x", type=float, default=None, help="mm, dương = sang phải")
    p.add_argument("--offset-y", type=float, default=None, help="mm, dương = xuống dưới")

    p = add("verify-certificate", cmd_verify_certificate, "kiểm tra giấy công nhận thật/giả")
    p.add_argument("payload", metavar="NỘI_DUNG_HOẶC_ẢNH")
    p.add_argument(
        "--public-key",
        action="append",
        default=None,
        help="khóa công khai (hex) của máy cấp: chỉ để so chữ ký, không đủ để xác nhận là thật",
    )
