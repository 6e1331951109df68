"""`hub serve`: run the province hub (HTTP) on an upper-level data folder.

FastAPI and uvicorn are an optional extra ("hub"): the commune's desktop build does
not carry them, and then this command says so in Vietnamese (exit code 2).
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from app.cli import AddCommand, _data_dir
from app.cli_sync import _nested
from app.core.errors import UserError


def register(add: AddCommand) -> None:
    hub = _nested(add("hub", cmd_hub_serve, "máy chủ của tỉnh (nhận gói qua mạng)"), "hub_action")
    p = hub("serve", cmd_hub_serve, "chạy máy chủ nhận gói của các xã")
    p.add_argument("--host", default="127.0.0.1", metavar="ĐỊA_CHỈ", help="mặc định 127.0.0.1")
    p.add_argument("--port", type=int, default=8750, metavar="CỔNG", help="mặc định 8750")
    p.add_argument(
        "--database",
        default="",
        metavar="URL",
        help="PostgreSQL đã ghi nhận cho thư mục này (postgresql+psycopg://…)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=200,
        metavar="N",
        help="số kết nối mở cùng lúc tối đa (mặc định 200)",
    )
    p.add_argument(
        "--access-log",
        default="",
        metavar="TỆP",
        help="ghi nhật ký truy cập (mỗi yêu cầu một dòng) vào tệp này thay vì màn hình",
    )
    p = hub("set-password", cmd_hub_set_password, "đặt mật khẩu xem trang của máy chủ")
    p.add_argument("--user", default="tinh", metavar="TÊN", help="tên đăng nhập (mặc định tinh)")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="đọc mật khẩu từ đầu vào chuẩn (một dòng) thay vì hỏi",
    )


def check_database_choice(data_dir: Path, database: str) -> None:
    """The folder must already be an upper-level data folder; ``--database`` (if given)
    must be the PostgreSQL database it records. A hub is created with ``province init``."""
    from app.core.workspace import has_database, server_database_url

    recorded = server_database_url(data_dir)
    if not has_database(data_dir):
        how = f" --database {database}" if database else ""
        raise UserError(
            f"Thư mục {data_dir} chưa có dữ liệu cấp trên. Hãy tạo trước bằng: "
            f"khuyenhoc province init --data-dir {data_dir} --name … --out …{how}"
        )
    if not database:
        return
    if not recorded:
        raise UserError(
            f"Thư mục {data_dir} dùng cơ sở dữ liệu SQLite của máy này, không dùng PostgreSQL: "
            "bỏ --database. (Muốn dùng PostgreSQL thì tạo thư mục cấp trên mới bằng "
            "khuyenhoc province init --database URL.)"
        )
    if _same_database(recorded, database):
        return
    raise UserError(
        f"Thư mục {data_dir} đã ghi nhận một cơ sở dữ liệu PostgreSQL khác với --database. "
        "Hãy bỏ --database hoặc chọn đúng thư mục."
    )


def _same_database(recorded: str, given: str) -> bool:
    """Same server and database (the driver name and password may be spelt differently)."""
    from sqlalchemy.engine import URL, make_url
    from sqlalchemy.exc import ArgumentError

    def key(url: URL) -> tuple[object, ...]:
        return (url.get_backend_name(), url.username, url.host, url.port or 5432, url.database)

    try:
        wanted = make_url(given)
    except ArgumentError:
        raise UserError(f"Địa chỉ cơ sở dữ liệu không hợp lệ: {given}") from None
    return key(make_url(recorded)) == key(wanted)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UserError(
            f"Không mở được cổng {port} trên {host} ({exc.strerror}): "
            "cổng đang được dùng, hoặc địa chỉ không thuộc máy này."
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def cmd_hub_serve(args: argparse.Namespace) -> int:
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        raise UserError(
            "Bản cài đặt này không có máy chủ của tỉnh (thiếu FastAPI/uvicorn). Máy chủ chạy "
            "trên máy của tỉnh, cài bằng: pip install 'khuyenhoc[hub]'."
        ) from None
    from app.hub import create_app
    from app.hub.server import uvicorn_config

    data_dir = _data_dir(args)
    check_database_choice(data_dir, args.database)
    if args.max_connections < 1:
        raise UserError("--max-connections phải là số dương.")
    _more_file_handles(args.max_connections)
    _log_to(args.access_log)
    app = create_app(data_dir)
    sock = _listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(
        f"Máy chủ của tỉnh đang chạy tại http://{shown}:{port} "
        f"(trang tình hình: http://{shown}:{port}/). Nhấn Ctrl+C để dừng.",
        flush=True,
    )
    if not _loopback(host):
        print(
            "Lưu ý: các xã chỉ gửi tới địa chỉ https://. Hãy đặt máy chủ này sau proxy "
            "HTTPS của tỉnh (docs/hub.md), không mở thẳng cổng này ra mạng.",
            file=sys.stderr,
            flush=True,
        )
    server = uvicorn.Server(uvicorn_config(app, max_connections=args.max_connections))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C after its graceful shutdown
        pass
    finally:
        sock.close()
    print("Đã dừng máy chủ.", file=sys.stderr)
    return 0


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")


def _more_file_handles(connections: int) -> None:
    """Room for every allowed connection plus its upload file and the database."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows has no such limit to raise
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * connections + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))


def _log_to(path: str) -> None:
    """The access log (one line per request) and the hub's notes: a file or stderr."""
    import logging

    handler: logging.Handler = (
        logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler()
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    hub_log = logging.getLogger("khuyenhoc.hub")
    hub_log.setLevel(logging.INFO)
    hub_log.addHandler(handler)
    hub_log.propagate = False


def cmd_hub_set_password(args: argparse.Namespace) -> int:
    import getpass

    try:
        from app.hub.login import set_password
    except ImportError:
        raise UserError(
            "Bản cài đặt này không có máy chủ của tỉnh (thiếu argon2-cffi): "
            "pip install 'khuyenhoc[hub]'."
        ) from None
    data_dir = _data_dir(args)
    check_database_choice(data_dir, "")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Mật khẩu mới: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            raise UserError("Hai lần nhập mật khẩu không giống nhau.")
    path = set_password(data_dir, password, args.user)
    print(f"Đã đặt mật khẩu cho tài khoản {args.user.strip()} ({path}).")
    return 0
