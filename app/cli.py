"""`khuyenhoc`: the command line, a second front end over the same core as the window.

Every command takes ``--data-dir`` (or $KHUYENHOC_DATA_DIR); reporting commands
take ``--json`` and then print exactly one JSON object on stdout. Errors go to
stderr in Vietnamese with a non-zero exit code — never a traceback for a user
mistake. The JSON shapes are a contract: fields may be added, never renamed.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from app import __version__

Handler = Callable[[argparse.Namespace], int]
AddCommand = Callable[[str, Handler, str], argparse.ArgumentParser]

# Each capability keeps its commands in a module of its own with a
# ``register(add: AddCommand) -> None`` function; module-level imports there must
# stay light (import the core inside the handlers) so every command starts fast.
COMMAND_MODULES: tuple[str, ...] = (
    "app.cli_io",
    "app.cli_sync",
    "app.cli_cycle",
    "app.cli_fund",
    "app.cli_activity",
    "app.cli_print",
    "app.cli_hub",
    "app.cli_accounts",
)


def _emit(args: argparse.Namespace, data: dict[str, Any], human: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, default=str))
    else:
        print(human)


def _data_dir(args: argparse.Namespace) -> Path:
    from app import paths

    return paths.resolve_data_dir(getattr(args, "data_dir", None))


def _open(args: argparse.Namespace, lock: bool = False, action: str | None = "") -> Any:
    """The data folder's workspace, signed in as the command's operator (see _sign_in)."""
    from app.core.workspace import open_workspace

    ws = open_workspace(_data_dir(args), lock=lock)
    try:
        _sign_in(args, ws.db, action)
    except BaseException:
        ws.close()
        raise
    return ws


def command_action(args: argparse.Namespace) -> str | None:
    """The permission this command needs, from the core's one table."""
    from app.core.accounts.permissions import cli_action

    command = str(getattr(args, "command", "") or "gui")
    subs = [getattr(args, name, None) for name in ("action", "what", "kind", f"{command}_action")]
    return cli_action(command, [s if isinstance(s, str) else None for s in subs])


def read_secret(env: str, prompt: str, confirm: bool = False) -> str:
    """A password from $``env`` or, at a terminal, typed without echo (never an argument:
    a command line is visible to every user of the PC)."""
    import getpass

    from app.core.errors import UserError

    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UserError(
            f"Cần mật khẩu: đặt biến môi trường {env} hoặc chạy lệnh ở cửa sổ dòng lệnh."
        )
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Nhập lại: ") != first:
        raise UserError("Hai lần nhập mật khẩu không giống nhau.")
    return first


def _sign_in(args: argparse.Namespace, db: Any, action: str | None = "") -> None:
    """Act as the command's operator and refuse a command the role may not run.

    Without any account (a database from before accounts, or not set up yet) the
    command runs as before, recorded in the audit trail as ``--user`` /
    $KHUYENHOC_USER or the OS user. With accounts, ``--user`` (or the only active
    account) and its password ($KHUYENHOC_PASSWORD or typed) are required.
    """
    from app.core.accounts import permissions, service
    from app.core.errors import UserError

    user = getattr(args, "user", None) or os.environ.get("KHUYENHOC_USER", "")
    needed = command_action(args) if action == "" else action
    if not service.has_accounts(db):
        if user:
            db.actor = user
        return
    db.role = permissions.VIEWER  # until signed in: nothing written
    if needed is None:
        return
    if not user:
        active = [a for a in service.list_accounts(db) if not a.disabled]
        if len(active) != 1:
            raise UserError(
                "Dữ liệu này có tài khoản: cho biết tên đăng nhập bằng --user TÊN "
                "(hoặc biến KHUYENHOC_USER)."
            )
        user = active[0].username
    password = read_secret("KHUYENHOC_PASSWORD", f"Mật khẩu của {user}: ")
    account = service.sign_in(db, user, password)
    permissions.require(account.role, needed)


def _open_for_reading(args: argparse.Namespace, action: str | None = "") -> Any:
    """For commands that only read: a read-only data folder is fine for them.

    The operator signs in as for :func:`_open` (a folder with accounts still needs a
    name and a password to read personal data).
    """
    from app.core.workspace import open_workspace_for_reading

    ws = open_workspace_for_reading(_data_dir(args))
    try:
        _sign_in(args, ws.db, action)
    except BaseException:
        ws.close()
        raise
    return ws


# --- commands -----------------------------------------------------------------------


def cmd_gui(args: argparse.Namespace) -> int:
    from app.ui.app import run_gui

    return run_gui(
        _data_dir(args),
        demo_households=getattr(args, "demo_households", None),
        smoke_test=getattr(args, "smoke_test", False),
    )


def _check_replace_allowed(args: argparse.Namespace) -> None:
    """Replacing the data (restore, init/demo --replace) needs the right to restore."""
    from app.core.accounts import permissions
    from app.core.workspace import has_database

    if has_database(_data_dir(args)):
        _open(args, action=permissions.RESTORE).close()


def cmd_init(args: argparse.Namespace) -> int:
    from app.core.workspace import init_commune

    if args.replace:
        _check_replace_allowed(args)
    ws = init_commune(
        _data_dir(args),
        args.commune_code,
        association_name=args.association_name or "",
        chairman_name=args.chairman or "",
        secretary_name=args.secretary or "",
        replace=args.replace,
    )
    try:
        from app.core import settings

        info = settings.get_commune(ws.db)
        assert info is not None
        data = {
            "data_dir": str(ws.data_dir),
            "database": str(ws.db.path),
            "commune_code": info.code,
            "commune_name": info.name,
            "province_code": info.province_code,
            "province_name": info.province_name,
            "association_name": info.association_name,
        }
        _emit(args, data, f"Đã tạo dữ liệu cho {info.name}, {info.province_name} tại {ws.db.path}.")
    finally:
        ws.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from app.core.demo import generate_demo

    if args.replace:
        _check_replace_allowed(args)
    started = time.perf_counter()
    progress = None
    if not args.json and sys.stderr.isatty():

        def progress(done: int, total: int) -> None:
            print(f"\rĐang tạo xã mẫu… {done * 100 // max(total, 1)}%", end="", file=sys.stderr)

    summary = generate_demo(
        _data_dir(args),
        households=args.households,
        seed=args.seed,
        replace=args.replace,
        progress=progress,
    )
    if progress:
        print(file=sys.stderr)
    data = {**summary.as_dict(), "seconds": round(time.perf_counter() - started, 2)}
    _emit(
        args,
        data,
        f"Đã tạo xã mẫu {summary.commune_name}: {summary.counts['households']} hộ, "
        f"{summary.counts['people']} nhân khẩu, {summary.counts['members']} hội viên.",
    )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from app import paths
    from app.core.registry.stats import registry_stats_of_file

    db_path = paths.database_path(_data_dir(args))
    quick = registry_stats_of_file(db_path) if db_path.is_file() else None
    if quick is not None:
        stats, commune = quick
        code, name = commune.get("code"), commune.get("name")
    else:  # no database (a clear error), or an older schema to migrate first
        from app.core import settings
        from app.core.registry.stats import registry_stats

        ws = _open(args)
        try:
            stats = registry_stats(ws.db)
            info = settings.get_commune(ws.db)
        finally:
            ws.close()
        code, name = (info.code, info.name) if info else (None, None)
    data = stats.as_dict()
    data["commune_code"] = code
    data["commune_name"] = name
    human = "\n".join(
        [
            f"Xã: {name or '(chưa đặt)'}",
            f"Thôn/TDP: {stats.hamlets}",
            f"Hộ gia đình: {stats.households}",
            f"Nhân khẩu: {stats.people}",
            f"Hội viên: {stats.members} (đang sinh hoạt {stats.members_active}, "
            f"bằng {stats.members_share_of_population * 100:.1f}% dân số)",
            f"Chi hội: {stats.branches}",
            f"Dòng họ: {stats.clans}",
            f"Đơn vị: {stats.units}",
        ]
    )
    _emit(args, data, human)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from app.core.registry.search import search

    ws = _open_for_reading(args)
    try:
        hits = search(ws.db, args.text, limit=args.limit)
    finally:
        ws.close()
    data = {"query": args.text, "count": len(hits), "results": [h.as_dict() for h in hits]}
    lines = [
        f"[{'Người' if h.kind == 'person' else 'Hộ'} #{h.id}] {h.name}"
        + (f" ({h.birth})" if h.birth else "")
        + (f" — hộ {h.head_name}" if h.kind == "person" and h.head_name else "")
        + (f" — {h.hamlet}" if h.hamlet else "")
        for h in hits
    ]
    _emit(args, data, "\n".join(lines) if lines else "Không tìm thấy.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from app import paths
    from app.core import backup, settings

    ws = _open(args)
    try:
        opts = settings.load(ws.db)
    finally:
        ws.close()
    data_dir = _data_dir(args)
    dest = Path(args.to).expanduser() if args.to else None
    folder = Path(opts.backup_dir) if opts.backup_dir else None
    passphrase = None
    if args.encrypt:
        passphrase = read_secret(
            "KHUYENHOC_BACKUP_PASSPHRASE", "Mật khẩu cho bản sao lưu: ", confirm=True
        )
        backup.check_passphrase(passphrase)
    made = backup.make_backup(
        paths.database_path(data_dir), dest, backup_dir=folder, passphrase=passphrase
    )
    info = backup.inspect_backup(made, passphrase, work_dir=data_dir)
    data = {"file": str(made), "size_bytes": info.size_bytes, "counts": info.counts}
    _emit(args, data, f"Đã sao lưu vào {made}.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app import paths
    from app.core import backup
    from app.core.db import open_database
    from app.core.errors import UserError
    from app.core.sync.writer import restore_note
    from app.core.workspace import acquire_lock

    source = Path(args.path).expanduser()
    data_dir = _data_dir(args)
    _check_replace_allowed(args)
    passphrase = None
    if backup.is_encrypted(source):
        passphrase = read_secret(
            "KHUYENHOC_BACKUP_PASSPHRASE", f"Mật khẩu của bản sao lưu {source.name}: "
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    # An encrypted backup is decrypted once, into a private temporary file in the data
    # folder that is removed afterwards; a wrong passphrase stops here, nothing changed.
    with backup.opened_backup(source, passphrase, data_dir) as plain:
        info = backup.inspect_backup(plain)
        if not args.yes:
            shown = dataclasses.replace(info, path=source, size_bytes=source.stat().st_size)
            print("Bản sao lưu này chứa:\n" + shown.describe(), file=sys.stderr)
            if not sys.stdin.isatty():
                raise UserError(
                    "Thêm --yes để xác nhận khôi phục (dữ liệu hiện tại sẽ được sao lưu trước)."
                )
            answer = input("Thay dữ liệu hiện tại bằng bản này? (c/k) ").strip().lower()
            if answer not in ("c", "co", "có", "y", "yes"):
                print("Đã hủy, không thay đổi gì.", file=sys.stderr)
                return 1
        lock = acquire_lock(data_dir)
        try:
            db_path = paths.database_path(data_dir)
            safety = backup.restore_backup(db_path, plain)
            db = open_database(db_path)  # migrates an older backup (with its own backup first)
            try:
                sync_note = restore_note(db)
            finally:
                db.close()
        finally:
            lock.release()  # type: ignore[attr-defined]
    data = {
        "restored_from": str(source),
        "safety_backup": str(safety) if safety else None,
        "counts": info.counts,
        "sync_note": sync_note,
    }
    _emit(
        args,
        data,
        f"Đã khôi phục từ {source}."
        + (f" Dữ liệu trước đó được giữ trong {safety}." if safety else "")
        + (f"\n{sync_note}" if sync_note else ""),
    )
    return 0


def cmd_communes(args: argparse.Namespace) -> int:
    from app.core import communes

    if args.province:
        items = communes.communes_of(args.province.zfill(2))
    else:
        items = communes.search_communes(args.search or "", limit=args.limit)
    if args.search and args.province:
        items = communes.search_communes(args.search, args.province.zfill(2), limit=args.limit)
    data = {
        "count": len(items),
        "communes": [
            {
                "code": c.code,
                "name": c.name,
                "province_code": c.province_code,
                "province_name": c.province_name,
            }
            for c in items
        ],
    }
    _emit(args, data, "\n".join(f"{c.code}  {c.full_name}" for c in items))
    return 0


def cmd_provinces(args: argparse.Namespace) -> int:
    from app.core import communes

    items = communes.provinces()
    data = {"count": len(items), "provinces": [{"code": p.code, "name": p.name} for p in items]}
    _emit(args, data, "\n".join(f"{p.code}  {p.name}" for p in items))
    return 0


# --- parser -------------------------------------------------------------------------


_ARGPARSE_VI = (
    (re.compile(r"the following arguments are required: (.+)"), "thiếu tham số bắt buộc: {0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "tham số không hiểu được: {0}"),
    (
        re.compile(r"argument (\S+): invalid int value: '(.*)'"),
        "{0}: “{1}” không phải là số nguyên",
    ),
    (
        re.compile(r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)"),
        "{0}: không có lựa chọn {1} (chọn một trong: {2})",
    ),
    (re.compile(r"argument (\S+): expected one argument"), "{0}: cần một giá trị"),
    (
        re.compile(r"invalid choice: (.+?) \(choose from (.+)\)"),
        "không có lệnh {0} (các lệnh: {1})",
    ),
)


class VietnameseArgumentParser(argparse.ArgumentParser):
    """argparse with its usage errors said in Vietnamese (exit code 2, no traceback)."""

    def error(self, message: str) -> NoReturn:
        for pattern, template in _ARGPARSE_VI:
            match = pattern.search(message)
            if match:
                message = template.format(*match.groups())
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"Lỗi: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    common = VietnameseArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="thư mục dữ liệu (mặc định: biến KHUYENHOC_DATA_DIR, rồi thư mục dữ liệu người dùng)",
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="in một đối tượng JSON"
    )
    common.add_argument(
        "--user",
        metavar="TÊN",
        default=argparse.SUPPRESS,
        help="tên đăng nhập (hoặc biến KHUYENHOC_USER); mật khẩu: biến KHUYENHOC_PASSWORD "
        "hoặc gõ khi được hỏi",
    )

    parser = VietnameseArgumentParser(
        prog="khuyenhoc",
        description="Sổ Khuyến Học — sổ sách của Hội Khuyến học cấp xã.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"Sổ Khuyến Học {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="LỆNH", parser_class=VietnameseArgumentParser
    )

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    gui = add("gui", cmd_gui, "mở cửa sổ chương trình (mặc định)")
    gui.add_argument("--demo-households", type=int, default=None, help=argparse.SUPPRESS)
    gui.add_argument(
        "--smoke-test",
        action="store_true",
        help="mở cửa sổ, tải danh sách hộ rồi tự đóng (kiểm tra bản đóng gói)",
    )

    p = add("init", cmd_init, "tạo dữ liệu mới cho một xã")
    p.add_argument(
        "--commune-code", required=True, metavar="MÃ", help="mã xã theo danh mục (vd. 00004)"
    )
    p.add_argument("--association-name", default=None, metavar="TÊN")
    p.add_argument("--chairman", default=None, metavar="HỌ TÊN")
    p.add_argument("--secretary", default=None, metavar="HỌ TÊN")
    p.add_argument("--replace", action="store_true", help="thay dữ liệu đang có (sao lưu trước)")

    p = add("demo", cmd_demo, "tạo một xã mẫu với dữ liệu sinh ngẫu nhiên")
    p.add_argument("--households", type=int, default=10_000, metavar="N")
    p.add_argument("--seed", type=int, default=2025, metavar="S")
    p.add_argument("--replace", action="store_true", help="thay dữ liệu đang có (sao lưu trước)")

    add("stats", cmd_stats, "số liệu tổng hợp của sổ")

    p = add("search", cmd_search, "tìm người, hộ theo tên (không cần dấu), CCCD, điện thoại")
    p.add_argument("text", metavar="TỪ_KHÓA")
    p.add_argument("--limit", type=int, default=50, metavar="N")

    p = add("backup", cmd_backup, "sao lưu dữ liệu")
    p.add_argument("--to", default=None, metavar="PATH", help="tệp hoặc thư mục đích")
    p.add_argument(
        "--encrypt",
        action="store_true",
        help="mã hóa bằng mật khẩu (biến KHUYENHOC_BACKUP_PASSPHRASE hoặc gõ khi được hỏi)",
    )

    p = add("restore", cmd_restore, "khôi phục từ một bản sao lưu")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--yes", action="store_true", help="không hỏi lại")

    p = add("communes", cmd_communes, "tra mã xã trong danh mục đơn vị hành chính")
    p.add_argument("--province", default=None, metavar="MÃ_TỈNH")
    p.add_argument("--search", default=None, metavar="TÊN")
    p.add_argument("--limit", type=int, default=50, metavar="N")

    add("provinces", cmd_provinces, "danh sách 34 tỉnh, thành phố")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from app.core.errors import UserError

    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    for name, default in (("data_dir", None), ("json", False), ("user", None)):
        if not hasattr(args, name):
            setattr(args, name, default)
    handler: Handler = getattr(args, "handler", cmd_gui)
    try:
        return handler(args)
    except UserError as err:
        print(f"Lỗi: {err.message}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `khuyenhoc … | head`: the reader left; not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
