"""CLI for accounts and the audit trail.

``accounts list|add|passwd|disable|enable|recover`` and ``audit list|verify|export``.
Passwords are never arguments: $KHUYENHOC_NEW_PASSWORD (the new one) and
$KHUYENHOC_PASSWORD (the operator's), or typed at a terminal. The first account
(the secretary) needs no sign-in; after that, ``accounts add`` needs the secretary.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli import AddCommand, _emit, _open, read_secret
from app.core.dates import parse_day


def _new_password() -> str:
    return read_secret("KHUYENHOC_NEW_PASSWORD", "Mật khẩu mới: ", confirm=True)


def _code_notice(username: str, code: str) -> str:
    return (
        f"Mã khôi phục của {username}: {code}\n"
        "Hãy in hoặc chép mã này ra giấy và cất giữ cẩn thận: mã chỉ hiện MỘT lần. "
        "Khi quên mật khẩu, dùng: khuyenhoc accounts recover "
        f"{username} --code MÃ (dữ liệu không mất gì)."
    )


def cmd_accounts(args: argparse.Namespace) -> int:
    from app.core.accounts import service
    from app.core.errors import ValidationError

    ws = _open(args, lock=args.action != "list")
    try:
        db = ws.db
        if args.action == "list":
            found = service.list_accounts(db)
            data: dict[str, Any] = {"count": len(found), "accounts": [a.as_dict() for a in found]}
            lines = [
                f"{a.username:20} {a.role_label:24} {a.full_name}"
                + (" (đã khóa)" if a.disabled else "")
                for a in found
            ]
            _emit(args, data, "\n".join(lines) or "Chưa có tài khoản nào.")
            return 0
        if not args.username:
            raise ValidationError("Cần tên đăng nhập.")
        if args.action == "add":
            made = service.create_account(
                db, args.username, _new_password(), args.role, args.full_name or ""
            )
            data = {**made.account.as_dict(), "recovery_code": made.recovery_code}
            _emit(
                args,
                data,
                f"Đã tạo tài khoản {made.account.username} ({made.account.role_label}).\n"
                + _code_notice(made.account.username, made.recovery_code),
            )
        elif args.action == "passwd":
            from app.cli import _sign_in

            # One's own password after signing in with the old one, or anyone's by the
            # secretary (the service checks which).
            _sign_in(args, db, "view")
            service.change_password(db, args.username, _new_password())
            _emit(args, {"username": args.username, "changed": True}, "Đã đổi mật khẩu.")
        elif args.action in ("disable", "enable"):
            service.set_disabled(db, args.username, args.action == "disable")
            state = "khóa" if args.action == "disable" else "mở lại"
            _emit(
                args,
                {"username": args.username, "disabled": args.action == "disable"},
                f"Đã {state} tài khoản {args.username}.",
            )
        else:  # recover
            if not args.code:
                raise ValidationError("Cần mã khôi phục (--code) in ra khi tạo tài khoản.")
            made = service.recover(db, args.username, args.code, _new_password())
            data = {**made.account.as_dict(), "recovery_code": made.recovery_code}
            _emit(
                args,
                data,
                "Đã đặt mật khẩu mới. Mã khôi phục cũ không dùng được nữa.\n"
                + _code_notice(made.account.username, made.recovery_code),
            )
    finally:
        ws.close()
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from app.core.audit import query

    ws = _open(args)
    try:
        db = ws.db
        if args.action == "verify":
            report = query.verify(db)
            _emit(args, report.as_dict(), report.message())
            return 0 if report.ok else 6
        flt = query.AuditFilter(
            actor=args.actor,
            entity=args.entity,
            date_from=parse_day(args.date_from),
            date_to=parse_day(args.date_to),
            limit=args.limit,
        )
        rows = query.entries(db, flt)
        if args.action == "export":
            from app.core.errors import ValidationError

            if not args.out:
                raise ValidationError("Cần tệp đích (--out TỆP.xlsx).")
            out = Path(args.out).expanduser()
            count = query.export_xlsx(db, rows, out)
            _emit(args, {"file": str(out), "rows": count}, f"Đã xuất {count} dòng vào {out}.")
            return 0
        data = {"count": len(rows), "entries": [r.as_dict() for r in rows]}
        lines = [
            f"{r.at:%d/%m/%Y %H:%M} {r.actor:16} {r.action:8} {r.entity:14} {r.row_id or ''} "
            f"{r.what}"
            for r in rows
        ]
        _emit(args, data, "\n".join(lines) or "Nhật ký trống.")
    finally:
        ws.close()
    return 0


def cmd_privacy(args: argparse.Namespace) -> int:
    """What personal data goes upward; the commune's agreement (app/core/sync/policy.py)."""
    from app.core.sync import policy

    ws = _open(args, lock=args.action == "agree")
    try:
        if args.action == "agree":
            from app.core.accounts import permissions

            permissions.require(ws.db.role, permissions.SETTINGS_EDIT)
            chosen = [] if args.none else (args.categories or "").split(",")
            policy.set_agreed(ws.db, chosen)
        states = policy.describe(ws.db)
    finally:
        ws.close()
    data = {"categories": [c.as_dict() for c in states], "sent": [c.key for c in states if c.sent]}
    lines = [
        f"{'GỬI ' if c.sent else 'ở xã'}  {c.label}"
        + ("  (tỉnh cần)" if c.requested else "")
        + ("  (xã đồng ý)" if c.agreed else "")
        for c in states
    ]
    _emit(args, data, "\n".join(lines))
    return 0


def register(add: AddCommand) -> None:
    from app.core.accounts.permissions import ROLES

    p = add("accounts", cmd_accounts, "tài khoản: xem, thêm, đổi mật khẩu, khóa, khôi phục")
    p.add_argument("action", choices=("list", "add", "passwd", "disable", "enable", "recover"))
    p.add_argument("username", nargs="?", default=None, metavar="TÊN_ĐĂNG_NHẬP")
    p.add_argument("--role", choices=tuple(ROLES), default="viewer", help="add: vai trò")
    p.add_argument("--full-name", default=None, metavar="HỌ TÊN")
    p.add_argument("--code", default=None, metavar="MÃ", help="recover: mã khôi phục đã in")

    p = add("audit", cmd_audit, "nhật ký thay đổi: xem, kiểm tra tính toàn vẹn, xuất Excel")
    p.add_argument("action", choices=("list", "verify", "export"))
    p.add_argument("--actor", default=None, metavar="TÊN", help="chỉ của người này")
    p.add_argument("--entity", default=None, metavar="SỔ", help="chỉ sổ này (vd. person)")
    p.add_argument("--from", dest="date_from", default=None, metavar="NGÀY")
    p.add_argument("--to", dest="date_to", default=None, metavar="NGÀY")
    p.add_argument("--limit", type=int, default=5_000, metavar="N")
    p.add_argument("--out", default=None, metavar="TỆP", help="export: tệp .xlsx")

    p = add("privacy", cmd_privacy, "thông tin cá nhân gửi lên tỉnh: xem, đồng ý gửi")
    p.add_argument("action", choices=("show", "agree"))
    p.add_argument(
        "--categories", default=None, metavar="LOẠI,…", help="agree: các loại xã đồng ý gửi"
    )
    p.add_argument("--none", action="store_true", help="agree: không gửi gì thuộc cá nhân")
