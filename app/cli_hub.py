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

    data_dir = _data_dir(args)
    check_database_choice(data_dir, args.database)
    app = create_app(data_dir)
    sock = _listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(
        f"Máy chủ của tỉnh đang chạy tại http://{shown}:{port} "
        f"(trang tình hình: http://{shown}:{port}/). Nhấn Ctrl+C để dừng.",
        flush=True,
    )
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, timeout_graceful_shutdown=10
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C after its graceful shutdown
        pass
    finally:
        sock.close()
    print("Đã dừng máy chủ.", file=sys.stderr)
    return 0
