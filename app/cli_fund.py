"""CLI for the study-promotion fund, dues and awards.

Commands (``khuyenhoc …``):
``fund receipt|payment --amount N --date D --category C --name TÊN [--purpose …]``,
``fund cancel --id N --reason …``, ``fund close --period YYYY-MM``,
``fund overdraft --allow on|off``,
``fund balance [--year Y]``, ``fund list [--year Y] [--kind …]``, ``fund book --year Y``, ``fund voucher --id N``,
``fund report --year Y``, ``fund programme add|list|show|recipients|post``
(``recipients --programme P --person 3,4`` adds; without ``--person`` it lists who
fits, ``[--circumstance poor,near_poor] [--search TÊN]``),
``fund signature-list --programme P --out F.pdf``, ``fund honour-board --year Y
[--board donors|families] --out F.(pdf|xlsx)``, ``fund book --year Y [--month M]
[--out F.(pdf|xlsx)]``, ``dues pay --member 1,2 --year Y --amount N``,
``dues status --year Y``, ``award grant --kind … --programme … --year Y --person 3,4
--amount N``, ``award list --year Y``. All take ``--json``; amounts are integer đồng.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from app.cli import AddCommand, _emit, _open
from app.core.dates import parse_day
from app.core.text import format_number


def _date(text: str | None) -> dt.date:
    """The date typed, or today when none is given."""
    return parse_day(text) or dt.date.today()


def _amount(text: str | None) -> int:
    from app.core.errors import ValidationError
    from app.core.fund.words import parse_money

    if text is None:
        raise ValidationError("Cần số tiền (--amount), tính bằng đồng.")
    try:
        return parse_money(text)
    except ValueError as exc:
        raise ValidationError(f"Số tiền “{text}” không hợp lệ: ghi số nguyên đồng.") from exc


def _ids(text: str | None, what: str) -> list[int]:
    from app.core.errors import ValidationError

    try:
        ids = [int(part) for part in (text or "").replace(" ", "").split(",") if part]
    except ValueError as exc:
        raise ValidationError(f"{what}: các mã số cách nhau bằng dấu phẩy.") from exc
    if not ids:
        raise ValidationError(f"Cần {what}.")
    return ids


def _money(amount: int) -> str:
    from app.core.fund.words import format_money

    return format_money(amount)


def _fund_write(args: argparse.Namespace, ws: Any) -> dict[str, Any]:
    from app.core.fund import ledger

    if args.action in ("receipt", "payment"):
        default = "donation_person" if args.action == "receipt" else "other_payment"
        data = ledger.EntryInput(
            kind=args.action,
            entry_date=_date(args.date),
            amount=_amount(args.amount),
            category=args.category or default,
            party_name=args.name or "",
            purpose=args.purpose or "",
            method=args.method,
            number=args.number,
            person_id=args.person_id,
            member_id=args.member_id,
            household_id=args.household_id,
            unit_id=args.unit_id,
            clan_id=args.clan_id,
            note=args.note,
        )
        return ledger.get_entry(ws.db, ledger.add_entry(ws.db, data)).as_dict()
    if args.action in ("cancel", "reverse") and args.id is None:
        from app.core.errors import ValidationError

        raise ValidationError("Cần mã chứng từ (--id).")
    if args.action == "cancel":
        ledger.cancel_entry(ws.db, args.id, args.reason or "")
        return ledger.get_entry(ws.db, args.id).as_dict()
    if args.action == "reverse":
        new_id = ledger.reverse_entry(ws.db, args.id, _date(args.date), args.reason or "")
        return ledger.get_entry(ws.db, new_id).as_dict()
    if args.action == "overdraft":
        ledger.set_allow_overdraft(ws.db, args.allow == "on")
        return {"allow_overdraft": args.allow == "on"}
    return {"closed_through": ledger.close_period(ws.db, args.period or "")}


def _describe_entry(data: dict[str, Any]) -> str:
    mark = "  [ĐÃ HỦY]" if data.get("cancelled") else ""
    return (
        f"{data['voucher_no']}  {data['entry_date']}  {_money(data['amount']):>15}  "
        f"{data['party_name']} — {data['purpose']}{mark}"
    )


def cmd_fund(args: argparse.Namespace) -> int:
    from app.core.fund import ledger, report

    if args.kind in ("scholarship", "award") and args.action != "programme":
        from app.core.errors import ValidationError

        raise ValidationError("--kind ở đây phải là receipt hoặc payment.")
    if args.action in ("programme", "signature-list", "honour-board"):
        return _cmd_programmes(args)
    writing = args.action in ("receipt", "payment", "cancel", "reverse", "close", "overdraft")
    ws = _open(args, lock=writing)
    try:
        if writing:
            data = _fund_write(args, ws)
            if "closed_through" in data:
                human = f"Đã khóa sổ quỹ đến tháng {data['closed_through']}."
            elif "allow_overdraft" in data:
                allowed = data["allow_overdraft"]
                human = "Cho phép chi quá số dư." if allowed else "Không cho chi quá số dư."
            else:
                human = _describe_entry(data)
            _emit(args, data, human)
        elif args.action == "balance":
            b = ledger.balance(ws.db, args.year)
            _emit(
                args,
                b.as_dict(),
                f"Tồn đầu kỳ: {_money(b.opening)}\nThu: {_money(b.receipts)}\n"
                f"Chi: {_money(b.payments)}\nTồn cuối kỳ: {_money(b.closing)}",
            )
        elif args.action == "list":
            entries = [
                e.as_dict()
                for e in ledger.list_entries(
                    ws.db, args.year, kind=args.kind, category=args.category, search=args.search
                )
            ]
            human = "\n".join(_describe_entry(e) for e in entries) or "Chưa có chứng từ nào."
            _emit(args, {"entries": entries, "count": len(entries)}, human)
        elif args.action == "book":
            _emit_book(args, ws)
        elif args.action == "voucher":
            v = ledger.voucher(ws.db, args.id)
            data = {**v.__dict__, "entry_date": v.entry_date.isoformat()}
            if args.pdf:
                from pathlib import Path

                from app.core.fund.voucher_pdf import render_voucher

                data["pdf"] = str(render_voucher(ws.db, args.id, Path(args.pdf)))
            _emit(
                args,
                data,
                f"{v.title} số {v.voucher_no} ngày {v.entry_date:%d/%m/%Y}\n"
                f"Họ tên: {v.party_name}\nLý do: {v.purpose}\n"
                f"Số tiền: {v.amount_text}\nBằng chữ: {v.amount_words}."
                + (f"\nĐã in: {data['pdf']}" if args.pdf else ""),
            )
        else:
            r = report.fund_report(ws.db, args.year or dt.date.today().year)
            _emit(args, r.as_dict(), _describe_report(r))
    finally:
        ws.close()
    return 0


def _describe_report(r: Any) -> str:
    from app.core.fund import report
    from app.core.fund.report import category_label

    lines = [
        f"Quỹ khuyến học năm {r.year}",
        f"  Tồn đầu năm {_money(r.balance.opening)}; thu {_money(r.balance.receipts)}; "
        f"chi {_money(r.balance.payments)}; tồn cuối năm {_money(r.balance.closing)}",
    ]
    lines += [
        f"  Thu — {category_label(k)}: {_money(v)}" for k, v in r.receipts_by_category.items()
    ]
    lines += [
        f"  Chi — {category_label(k)}: {_money(v)}" for k, v in r.payments_by_category.items()
    ]
    lines.append(
        f"  Học bổng: {r.awards['scholarship']['count']} suất, "
        f"{_money(r.awards['scholarship']['amount'])}; khen thưởng: "
        f"{r.awards['award']['count']} suất, {_money(r.awards['award']['amount'])}"
    )
    lines.append(
        f"  Bình quân {_money(r.per_head)}/người ({format_number(r.population)} nhân khẩu), chỉ tiêu "
        f"{report.target_text(r.target_per_head)}"
        f"{f' ({report.verdict(r.meets_target)})' if r.target_per_head else ''}; "
        f"toàn quốc {_money(r.national_target[0])}–{_money(r.national_target[1])}/người"
    )
    lines.append(f"  Hội viên đã đóng hội phí: {r.dues_members_paid}/{r.members}")
    return "\n".join(lines)


# --- book, programmes, signature list, honour boards ------------------------------


def _emit_book(args: argparse.Namespace, ws: Any) -> None:
    """``fund book``: the twelve months (JSON ``months``, unchanged), or with ``--month``
    the entries of one month; ``--out`` prints the book as PDF or XLSX."""
    from pathlib import Path

    from app.core.fund import ledger, printouts

    year = args.year or dt.date.today().year
    if args.month is not None:
        book = printouts.book_period(ws.db, year, args.month)
        data: dict[str, Any] = book.as_dict()
        human = "\n".join(
            [f"Sổ quỹ {book.label}: tồn đầu kỳ {_money(book.opening)}"]
            + [
                f"  {ln.entry_date:%d/%m} {ln.receipt_no or ln.payment_no}  "
                f"{_money(ln.receipt or -ln.payment):>15}  tồn {_money(ln.running)}  {ln.purpose}"
                for ln in book.lines
            ]
            + [
                f"Thu {_money(book.receipts)}, chi {_money(book.payments)}, "
                f"tồn cuối kỳ {_money(book.closing)}"
            ]
        )
    else:
        months = [m.as_dict() for m in ledger.fund_book(ws.db, year)]
        data = {"year": year, "months": months}
        human = "\n".join(
            f"Tháng {m['month']:>2}/{year}: đầu kỳ {_money(m['opening'])}, thu "
            f"{_money(m['receipts'])}, chi {_money(m['payments'])}, cuối kỳ "
            f"{_money(m['closing'])}"
            for m in months
        )
    if args.out:
        printed = printouts.print_fund_book(ws.db, year, Path(args.out), args.month)
        data["out"] = str(printed.path)
        human += f"\n{printed.describe()}"
    _emit(args, data, human)


def _levels(text: str | None) -> dict[str, int]:
    """ "Giải nhất=1000000; Giải nhì=700.000" → {"Giải nhất": 1000000, "Giải nhì": 700000}."""
    from app.core.errors import ValidationError

    levels: dict[str, int] = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        label, sep, amount = part.partition("=")
        if not sep:
            raise ValidationError(f"Mức “{part.strip()}” phải có dạng Tên mức=số tiền.")
        levels[label.strip()] = _amount(amount.strip())
    return levels


def _describe_programme(p: dict[str, Any]) -> str:
    amount = (
        _money(p["amount_per_recipient"])
        if p["amount_per_recipient"]
        else ", ".join(f"{k}: {_money(v)}" for k, v in p["level_amounts"].items())
    )
    budget = f", ngân sách {_money(p['budget'])}" if p["budget"] else ""
    return (
        f"{p['id']:>3}. {p['name']} ({p['kind_label']}, năm học {p['school_year_label']}) — "
        f"{amount or 'chưa có mức'}{budget}; {p['recipients']} người, "
        f"{_money(p['total'])}, đã chi {_money(p['paid'])}"
    )


def _circumstances(text: str | None) -> tuple[str, ...]:
    """ "poor,near_poor" or "hộ nghèo; cận nghèo" → Circumstance values."""
    from app.core.errors import ValidationError
    from app.core.io.values import as_circumstance

    out: list[str] = []
    for part in (text or "").replace(";", ",").split(","):
        value = as_circumstance(part)
        if value is not None:
            out.append(value)
    if text is not None and not out:
        raise ValidationError("--circumstance cần ít nhất một hoàn cảnh (vd. poor,near_poor).")
    return tuple(out)


def _candidates(args: argparse.Namespace, ws: Any) -> tuple[dict[str, Any], str]:
    """``programme recipients`` without ``--person``: who could be chosen, by filter."""
    from app.core.fund import programmes

    programme = programmes.find_programme(ws.db, args.programme or "")
    filt = programmes.CandidateFilter(
        search=args.search, circumstances=_circumstances(args.circumstance)
    )
    found = [c.as_dict() for c in programmes.candidates(ws.db, programme.id, filt)]
    lines = [
        f"{c['person_id']:>6}  {c['full_name']}  {c['birth_year'] or ''}  {c['hamlet']}"
        + (f"  [{c['circumstance_label']}]" if c["circumstance_label"] else "")
        + ("  (đã có trong chương trình)" if c["on_this_programme"] else "")
        for c in found
    ]
    human = "\n".join(lines) + f"\nCó {len(found)} người phù hợp với “{programme.name}”."
    return {"programme_id": programme.id, "candidates": found, "count": len(found)}, human


def _programme_write(args: argparse.Namespace, ws: Any) -> tuple[dict[str, Any], str]:
    from app.core.errors import ValidationError
    from app.core.fund import programmes

    if args.sub == "add":
        if args.year is None or args.kind not in ("scholarship", "award"):
            raise ValidationError("Cần --year (năm học, vd. 2026) và --kind scholarship|award.")
        pid = programmes.create_programme(
            ws.db,
            programmes.ProgrammeInput(
                name=args.name or "",
                kind=args.kind,
                school_year=args.year,
                criteria=args.criteria or "",
                amount_per_recipient=_amount(args.amount) if args.amount else None,
                level_amounts=_levels(args.levels),
                budget=_amount(args.budget) if args.budget else None,
                note=args.note,
            ),
        )
        view = programmes.get_programme(ws.db, pid).as_dict()
        return view, "Đã tạo chương trình:\n" + _describe_programme(view)
    programme = programmes.find_programme(ws.db, args.programme or "")
    if args.sub == "recipients":
        people = [
            programmes.ProgrammeRecipient(
                person_id=pid,
                level=args.level,
                school_class=args.school_class or "",
                amount=_amount(args.amount) if args.amount else None,
                reason=args.reason or "",
            )
            for pid in _ids(args.person, "mã nhân khẩu (--person)")
        ]
        result = programmes.add_recipients(ws.db, programme.id, people)
        flagged = "".join(
            f"\nLưu ý: {d.name} đã có trong {', '.join(d.programmes)}." for d in result.duplicates
        )
        return result.as_dict(), (
            f"Đã thêm {result.added} người, {_money(result.total)} vào “{programme.name}”."
            + flagged
        )
    result = programmes.post_programme(ws.db, programme.id, _date(args.date))
    return result.__dict__, (
        f"Đã chi {result.recipients} suất “{programme.name}”: {_money(result.total)} "
        "(một phiếu chi)."
    )


def _cmd_programmes(args: argparse.Namespace) -> int:
    """``fund programme …``, ``fund signature-list``, ``fund honour-board``."""
    from pathlib import Path

    from app.core.errors import ValidationError
    from app.core.fund import printouts, programmes

    if args.action == "programme" and args.sub is None:
        raise ValidationError("Cần thao tác: programme add | list | show | recipients | post.")
    listing = args.sub == "recipients" and not args.person  # candidates, read only
    writing = args.action == "programme" and args.sub in ("add", "recipients", "post")
    writing = writing and not listing
    ws = _open(args, lock=writing)
    try:
        if writing:
            data, human = _programme_write(args, ws)
        elif args.action == "programme" and listing:
            data, human = _candidates(args, ws)
        elif args.action == "programme" and args.sub == "list":
            items = [p.as_dict() for p in programmes.list_programmes(ws.db, args.year)]
            data = {"programmes": items, "count": len(items)}
            human = "\n".join(_describe_programme(p) for p in items) or "Chưa có chương trình."
        elif args.action == "programme":
            view = programmes.find_programme(ws.db, args.programme or "")
            rows: list[dict[str, Any]] = [
                r.as_dict() for r in programmes.recipients(ws.db, view.id)
            ]
            data = {**view.as_dict(), "recipient_list": rows}
            human = "\n".join(
                [_describe_programme(view.as_dict())]
                + [
                    f"  {r['name']}  {r['school_class']}  {_money(r['amount'])}  "
                    f"{r['voucher'] or 'chưa chi'}"
                    + (f"  [cũng có trong: {', '.join(r['also_in'])}]" if r["also_in"] else "")
                    for r in rows
                ]
            )
        else:
            if not args.out:
                raise ValidationError("Cần tệp kết quả (--out TỆP.pdf hoặc .xlsx).")
            if args.action == "signature-list":
                view = programmes.find_programme(ws.db, args.programme or "")
                printed = printouts.print_signature_list(ws.db, view.id, Path(args.out))
            else:
                year = args.year or dt.date.today().year
                printed = printouts.print_honour_board(ws.db, year, Path(args.out), args.board)
            data = {
                "out": str(printed.path),
                "pages": printed.pages,
                "items": printed.items,
            }
            human = printed.describe()
        _emit(args, data, human)
    finally:
        ws.close()
    return 0


def _programme_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--month", type=int, default=None, help="book: tháng 1–12")
    p.add_argument("--out", default=None, metavar="TỆP", help="tệp in ra (.pdf hoặc .xlsx)")
    p.add_argument("--programme", default=None, help="mã hoặc tên chương trình")
    p.add_argument("--criteria", default=None, help="programme add: tiêu chí")
    p.add_argument(
        "--levels", default=None, help="programme add: mức theo giải/cấp, vd. 'Giải nhất=1000000'"
    )
    p.add_argument("--budget", default=None, help="programme add: ngân sách, đồng")
    p.add_argument(
        "--person",
        default=None,
        help="recipients: mã nhân khẩu, cách nhau dấu phẩy (không có: liệt kê người phù hợp)",
    )
    p.add_argument(
        "--circumstance",
        default=None,
        help="recipients (liệt kê): hoàn cảnh hộ, vd. poor,near_poor hoặc 'hộ nghèo'",
    )
    p.add_argument("--level", default=None, help="recipients: mức (vd. Giải nhất)")
    p.add_argument("--class", dest="school_class", default=None, help="recipients: lớp – trường")
    p.add_argument("--board", choices=("donors", "families"), default="donors")


def cmd_dues(args: argparse.Namespace) -> int:
    from app.core.fund import dues

    ws = _open(args, lock=args.action == "pay")
    try:
        if args.action == "pay":
            result = dues.pay_dues(
                ws.db,
                _ids(args.member, "mã hội viên (--member)"),
                args.year,
                _amount(args.amount),
                _date(args.date),
                collector=args.name or "",
            )
            _emit(
                args,
                result.__dict__,
                f"Đã thu hội phí năm {args.year} của {result.members} hội viên: "
                f"{_money(result.total)}.",
            )
        else:
            groups = dues.dues_status(ws.db, args.year, args.branch)
            data = {
                "year": args.year,
                "branches": [g.as_dict() for g in groups],
                "members": sum(g.members for g in groups),
                "paid": sum(g.paid for g in groups),
                "collected": sum(g.collected for g in groups),
            }
            human = "\n".join(
                f"{g.branch_name}: {g.paid}/{g.members} đã đóng, {_money(g.collected)}"
                for g in groups
            )
            _emit(args, data, human or "Chưa có hội viên nào.")
    finally:
        ws.close()
    return 0


def cmd_award(args: argparse.Namespace) -> int:
    from app.core.fund import awards

    ws = _open(args, lock=args.action == "grant")
    try:
        if args.action == "grant":
            if args.year is None or args.kind is None:
                from app.core.errors import ValidationError

                raise ValidationError("Cần --year và --kind (scholarship hoặc award).")
            amount = _amount(args.amount)
            recipients = [
                awards.Recipient(amount, person_id=p, reason=args.reason or "")
                for p in _ids(args.person, "mã nhân khẩu (--person)")
            ]
            result = awards.grant_awards(
                ws.db, args.kind, args.programme or "", args.year, recipients, _date(args.date)
            )
            flagged = (
                f" Lưu ý: {', '.join(result.duplicates)} đã nhận trong năm."
                if result.duplicates
                else ""
            )
            _emit(
                args,
                result.__dict__,
                f"Đã ghi {result.recipients} suất, tổng {_money(result.total)} (một phiếu chi)."
                + flagged,
            )
        else:
            items = [a.as_dict() for a in awards.list_awards(ws.db, args.year, args.kind)]
            human = "\n".join(
                f"{a['kind_label']}  {a['recipient_name']}  {_money(a['amount'])}  {a['programme']}"
                for a in items
            )
            _emit(args, {"awards": items, "count": len(items)}, human or "Chưa có ai.")
    finally:
        ws.close()
    return 0


def register(add: AddCommand) -> None:
    p = add("fund", cmd_fund, "quỹ khuyến học: phiếu thu, phiếu chi, số dư, khóa sổ, báo cáo")
    p.add_argument(
        "action",
        choices=(
            "receipt",
            "payment",
            "cancel",
            "reverse",
            "close",
            "overdraft",
            "balance",
            "list",
            "book",
            "voucher",
            "report",
            "programme",
            "signature-list",
            "honour-board",
        ),
    )
    p.add_argument(
        "sub",
        nargs="?",
        default=None,
        choices=("add", "list", "show", "recipients", "post"),
        help="programme: add | list | show | recipients | post",
    )
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--date", default=None, help="ngày chứng từ dd/mm/yyyy (mặc định: hôm nay)")
    p.add_argument("--amount", default=None, help="số tiền, đồng (vd. 500000 hoặc 500.000)")
    p.add_argument("--category", default=None, help="nội dung thu/chi (mã, vd. donation_clan)")
    p.add_argument(
        "--name", default=None, help="người nộp / người nhận; programme add: tên chương trình"
    )
    p.add_argument("--purpose", default=None, help="lý do thu/chi")
    p.add_argument("--method", choices=("cash", "bank"), default="cash")
    p.add_argument("--number", type=int, default=None, help="số phiếu (mặc định: số tiếp theo)")
    for key in ("person", "member", "household", "unit", "clan"):
        p.add_argument(f"--{key}-id", type=int, default=None)
    p.add_argument("--note", default=None)
    p.add_argument("--id", type=int, default=None, help="mã chứng từ")
    p.add_argument("--reason", default=None, help="lý do hủy / điều chỉnh")
    p.add_argument("--period", default=None, help="khóa sổ đến tháng NNNN-TT")
    p.add_argument(
        "--kind",
        choices=("receipt", "payment", "scholarship", "award"),
        default=None,
        help="receipt/payment; programme add: scholarship/award",
    )
    p.add_argument("--search", default=None)
    p.add_argument("--allow", choices=("on", "off"), default="off", help="overdraft: on/off")
    p.add_argument("--pdf", default=None, metavar="TỆP", help="voucher: in ra tệp PDF")
    _programme_arguments(p)

    p = add("dues", cmd_dues, "hội phí: thu theo hội viên, tình hình đóng theo chi hội")
    p.add_argument("action", choices=("pay", "status"))
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--member", default=None, help="mã hội viên, cách nhau bằng dấu phẩy")
    p.add_argument("--amount", default=None, help="hội phí mỗi người, đồng")
    p.add_argument("--date", default=None)
    p.add_argument("--name", default=None, help="người nộp (vd. chi hội trưởng)")
    p.add_argument("--branch", type=int, default=None)

    p = add("award", cmd_award, "học bổng, khen thưởng: ghi danh sách, xem danh sách")
    p.add_argument("action", choices=("grant", "list"))
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--kind", choices=("scholarship", "award"), default=None)
    p.add_argument("--programme", default=None, help="tên chương trình")
    p.add_argument("--person", default=None, help="mã nhân khẩu, cách nhau bằng dấu phẩy")
    p.add_argument("--amount", default=None, help="số tiền mỗi suất, đồng")
    p.add_argument("--date", default=None)
    p.add_argument("--reason", default=None)
