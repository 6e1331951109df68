"""Upward sync from the command line: keys, province package, bundles, receipts.

``bundle import`` prints ``{"bundles": [{"file", "status", "reason", "counts"}, …]}``
and exits 0 whenever every bundle was handled (rejected ones too); only a command
that cannot run at all is an error.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli import AddCommand, Handler, _data_dir, _emit, _open


def _nested(parent: argparse.ArgumentParser, dest: str) -> Any:
    sub = parent.add_subparsers(dest=dest, metavar="VIỆC", required=True)

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--data-dir", metavar="PATH", default=argparse.SUPPRESS)
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
        p.set_defaults(handler=handler)
        return p

    return add


def register(add: AddCommand) -> None:
    keys = _nested(add("keys", cmd_keys_show, "khóa ký của máy này"), "keys_action")
    keys("show", cmd_keys_show, "xem mã máy, mã khóa và vân tay khóa")
    p = keys("registration", cmd_keys_registration, "ghi phiếu đăng ký khóa ra tệp")
    p.add_argument("--out", required=True, metavar="THƯ_MỤC")
    p = keys("sheet", cmd_keys_sheet, "in phiếu đăng ký khóa (PDF, có mã QR)")
    p.add_argument("--out", required=True, metavar="TỆP_PDF")

    prov = _nested(
        add("province", cmd_keys_show, "việc của cấp trên (tỉnh/huyện)"), "province_action"
    )
    p = prov("init", cmd_province_init, "tạo dữ liệu cấp trên, khóa và gói cấu hình")
    p.add_argument("--name", required=True, metavar="TÊN")
    p.add_argument("--out", required=True, metavar="THƯ_MỤC")
    p.add_argument("--escrow", default="", metavar="KHÓA_AGE", help="khóa dự phòng (age1…)")
    p.add_argument(
        "--hub-url", default="", metavar="ĐỊA_CHỈ", help="địa chỉ máy chủ của tỉnh (nếu có)"
    )
    p.add_argument(
        "--database",
        default="",
        metavar="URL",
        help="PostgreSQL thay cho SQLite (postgresql+psycopg://…)",
    )
    p = prov("accept-key", cmd_province_accept_key, "chấp nhận khóa của một xã")
    p.add_argument("source", metavar="TỆP_HOẶC_VÂN_TAY")
    p.add_argument(
        "--replaces",
        default="",
        metavar="MÃ_KHÓA_HOẶC_VÂN_TAY",
        help="khóa cũ của xã mà khóa này thay (máy mới sau khi khôi phục): thu hồi khóa cũ",
    )
    prov("registrations", cmd_province_registrations, "phiếu đăng ký khóa gửi qua mạng, chờ duyệt")
    p = prov(
        "revoke-certificate",
        cmd_province_revoke_certificate,
        "thu hồi giấy công nhận (đưa vào gói cấu hình tiếp theo)",
    )
    p.add_argument("payload", nargs="?", default="", metavar="NỘI_DUNG_HOẶC_ẢNH_QR")
    p.add_argument(
        "--key", default="", metavar="VÂN_TAY", help="thu hồi mọi giấy do khóa này ký (mất máy)"
    )
    prov("forks", cmd_province_forks, "các gói rẽ nhánh (hai lịch sử khác nhau) đang chờ")
    p = prov("resolve-fork", cmd_province_resolve_fork, "giải quyết một gói rẽ nhánh")
    p.add_argument("name", metavar="TÊN_TỆP_GÓI")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--discard",
        dest="choice",
        action="store_const",
        const="discard",
        help="bỏ gói rẽ nhánh (vẫn giữ tệp), giữ lịch sử đã nhập",
    )
    how.add_argument(
        "--follow",
        dest="choice",
        action="store_const",
        const="follow",
        help="nhập gói này và cho các gói sau nối tiếp nó",
    )
    p.add_argument("--by", default=None, metavar="TÊN", help="người quyết định")
    p = prov("retire-key", cmd_province_retire_key, "thu hồi khóa của một xã")
    p.add_argument("key_id", metavar="MÃ_KHÓA")
    p = prov("package", cmd_province_package, "ghi gói cấu hình phiên bản mới")
    p.add_argument(
        "--personal-fields",
        default=None,
        metavar="LOẠI,…",
        help="thông tin cá nhân tỉnh cần xã gửi (id_number, phone, address, birth_date, "
        "circumstance, occupation, school, notes); mặc định: không",
    )
    p.add_argument(
        "--version",
        type=int,
        default=None,
        metavar="N",
        help="phiên bản (mặc định: phiên bản gần nhất + 1)",
    )
    p.add_argument("--out", required=True, metavar="THƯ_MỤC")
    p.add_argument(
        "--escrow",
        default=None,
        metavar="KHÓA_AGE",
        help="khóa dự phòng (mặc định: như gói trước; '' để bỏ)",
    )
    p.add_argument(
        "--hub-url", default=None, metavar="ĐỊA_CHỈ", help="đổi địa chỉ máy chủ ('' để bỏ)"
    )
    p.add_argument(
        "--criteria", nargs="+", default=[], metavar="TỆP", help="bộ tiêu chí gửi kèm (JSON)"
    )
    p.add_argument("--targets", default=None, metavar="TỆP", help="bộ chỉ tiêu gửi kèm (JSON)")
    p = prov("conflicts", cmd_province_conflicts, "các xung đột dữ liệu đang chờ giải quyết")
    p.add_argument("--commune", default=None, metavar="MÃ_XÃ", help="chỉ xã này")
    p = prov("resolve", cmd_province_resolve, "giải quyết một xung đột")
    p.add_argument("conflict_id", type=int, metavar="SỐ_XUNG_ĐỘT")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--keep", dest="choice", action="store_const", const="keep", help="giữ bản đang có"
    )
    which.add_argument(
        "--incoming",
        dest="choice",
        action="store_const",
        const="incoming",
        help="dùng bản mới đến",
    )
    p.add_argument("--by", default=None, metavar="TÊN", help="người quyết định")
    p = prov("status", cmd_province_status, "tình hình nhận gói của từng xã")
    p.add_argument("--xlsx", default=None, metavar="TỆP", help="xuất bảng tổng hợp ra Excel")

    cfg = _nested(add("config", cmd_keys_show, "gói cấu hình của tỉnh (ở xã)"), "config_action")
    p = cfg("load", cmd_config_load, "nạp gói cấu hình của tỉnh")
    p.add_argument("package", metavar="TỆP")
    p.add_argument("--fingerprint", default=None, metavar="VÂN_TAY", help="vân tay tỉnh đã đọc/in")

    bun = _nested(add("bundle", cmd_keys_show, "gói dữ liệu gửi lên"), "bundle_action")
    p = bun("export", cmd_bundle_export, "xuất gói gửi lên")
    p.add_argument("--out", required=True, metavar="THƯ_MỤC")
    p.add_argument("--full", action="store_true", help="toàn bộ dữ liệu (không chỉ phần thay đổi)")
    p = bun("verify", cmd_bundle_verify, "kiểm tra một gói")
    p.add_argument("file", metavar="TỆP")
    p = bun("import", cmd_bundle_import, "nhập gói của các xã (cấp trên)")
    p.add_argument("sources", nargs="+", metavar="TỆP_HOẶC_THƯ_MỤC")
    p.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không ghi gì")
    bun("history", cmd_bundle_history, "các gói đã xuất")

    rec = _nested(add("receipt", cmd_keys_show, "biên nhận của cấp trên"), "receipt_action")
    p = rec("write", cmd_receipt_write, "ghi biên nhận cho một xã (cấp trên)")
    p.add_argument("--commune", required=True, metavar="MÃ_XÃ")
    p.add_argument("--out", required=True, metavar="THƯ_MỤC")
    p = rec("load", cmd_receipt_load, "nạp biên nhận của tỉnh (ở xã)")
    p.add_argument("file", metavar="TỆP")

    net = _nested(
        add("sync", cmd_sync_outbox, "gửi gói lên máy chủ của tỉnh qua mạng"), "sync_action"
    )
    net("push", cmd_sync_push, "gửi ngay các gói đang chờ (không chờ lượt thử lại)")
    net("outbox", cmd_sync_outbox, "hộp thư đi: các gói và trạng thái gửi")


def cmd_keys_show(args: argparse.Namespace) -> int:
    from app.core.sync import keys

    ws = _open(args)
    try:
        me = keys.my_key(ws.data_dir)
        data = {
            "installation_id": ws.db.installation_id(),
            "key_id": me.key_id,
            "fingerprint": me.fingerprint,
            "public_key": me.public_key,
            "commune_code": ws.db.commune_code,
        }
    finally:
        ws.close()
    _emit(args, data, f"Mã máy: {data['installation_id']}\nVân tay khóa: {me.fingerprint}")
    return 0


def cmd_keys_registration(args: argparse.Namespace) -> int:
    import json

    from app.core.sync import upper
    from app.core.sync.writer import write_durably

    ws = _open(args)
    try:
        reg = upper.registration(ws.db)
    finally:
        ws.close()
    path = Path(args.out) / f"KH_khoa_{reg['commune_code']}_{reg['key_id'][:8]}.json"
    write_durably(path, json.dumps(reg, ensure_ascii=False, indent=2).encode("utf-8"))
    _emit(args, {**reg, "file": str(path)}, f"Đã ghi phiếu đăng ký khóa: {path}")
    return 0


def cmd_keys_sheet(args: argparse.Namespace) -> int:
    from app.core.printing.key_sheet import write_key_sheet

    ws = _open(args)
    try:
        result = write_key_sheet(ws.db, Path(args.out))
    finally:
        ws.close()
    _emit(args, {"file": str(result.path), "pages": result.pages}, result.describe())
    return 0


def cmd_province_init(args: argparse.Namespace) -> int:
    from app.core.sync import upper

    result = upper.init_province(
        _data_dir(args),
        args.name,
        Path(args.out),
        escrow_recipient=args.escrow,
        hub_url=args.hub_url,
        database_url=args.database,
    )
    data = {
        "data_dir": str(result.data_dir),
        "package": str(result.package),
        "key_id": result.key_id,
        "fingerprint": result.fingerprint,
        "recipient": result.recipient,
    }
    _emit(
        args,
        data,
        f"Đã tạo dữ liệu cấp trên. Gói cấu hình: {result.package}\n"
        f"Vân tay khóa (đọc cho các xã đối chiếu): {result.fingerprint}",
    )
    return 0


def cmd_province_accept_key(args: argparse.Namespace) -> int:
    from app.core.sync import importer, upper

    ws = _open(args, lock=True)
    try:
        pinned = upper.accept_key(ws.db, args.source, replaces=getattr(args, "replaces", ""))
        released = importer.retry_quarantined(ws.db)
    finally:
        ws.close()
    data = {
        "key_id": pinned.key_id,
        "fingerprint": pinned.fingerprint,
        "commune_code": pinned.commune_code,
        "bundles": [o.as_dict() for o in released],
    }
    _emit(
        args,
        data,
        f"Đã chấp nhận khóa {pinned.fingerprint} của xã mã {pinned.commune_code}; "
        f"{len(released)} gói đang chờ đã được xử lý.",
    )
    return 0


def cmd_province_registrations(args: argparse.Namespace) -> int:
    from app.core.sync import registrations, state

    ws = _open(args)
    try:
        state.require_upper(ws.db)
        found = registrations.pending(ws.data_dir)
    finally:
        ws.close()
    human = "\n".join(
        f"Xã mã {r.commune_code}: vân tay {r.fingerprint}, gửi lúc "
        f"{r.received_at.astimezone():%d/%m/%Y %H:%M} (chấp nhận: khuyenhoc province "
        f"accept-key {r.fingerprint})"
        for r in found
    )
    _emit(
        args,
        {"registrations": [r.as_dict() for r in found]},
        human or "Không có phiếu đăng ký khóa nào chờ duyệt.",
    )
    return 0


def cmd_province_revoke_certificate(args: argparse.Namespace) -> int:
    from app.core.errors import UserError
    from app.core.printing.seal import revoke

    if not args.payload and not args.key:
        raise UserError("Hãy đưa nội dung (hoặc ảnh) mã QR của giấy, hoặc --key VÂN_TAY.")
    payloads = [args.payload] if args.payload else []
    path = Path(args.payload)
    if (
        args.payload
        and len(args.payload) < 400
        and path.suffix.lower() in (".png", ".jpg", ".jpeg")
    ):
        from app.core.printing.qrread import read_qr_payloads

        payloads = read_qr_payloads(path)
    ws = _open(args, lock=True)
    try:
        current: dict[str, list[str]] = {}
        for payload in payloads or [""]:
            current = revoke(ws.db, payload=payload, fingerprint=args.key)
    finally:
        ws.close()
    _emit(
        args,
        current,
        f"Danh sách thu hồi: {len(current['revoked_certificates'])} giấy, "
        f"{len(current['revoked_keys'])} khóa. Gói cấu hình tiếp theo (province package) "
        "sẽ mang danh sách này tới các xã.",
    )
    return 0


def cmd_province_forks(args: argparse.Namespace) -> int:
    from app.core.sync import importer

    ws = _open(args)
    try:
        found = importer.list_forks(ws.db)
    finally:
        ws.close()
    human = "\n".join(
        f"{f.name}: xã mã {f.commune_code}, gói số {f.seq} (đã nhập tới số {f.last_seq}), "
        f"khóa {f.fingerprint}, tạo lúc {f.created_at[:16]}"
        for f in found
    )
    _emit(args, {"forks": [f.as_dict() for f in found]}, human or "Không có gói rẽ nhánh nào.")
    return 0


def cmd_province_resolve_fork(args: argparse.Namespace) -> int:
    import getpass

    from app.core.sync import importer

    who = args.by if args.by is not None else getpass.getuser()
    ws = _open(args, lock=True)
    try:
        done = importer.resolve_fork(ws.db, args.name, args.choice, who)
    finally:
        ws.close()
    _emit(args, {**done.as_dict(), "choice": args.choice, "by": who}, done.reason)
    return 0


def cmd_province_retire_key(args: argparse.Namespace) -> int:
    from app.core.sync import upper

    ws = _open(args, lock=True)
    try:
        upper.retire_key(ws.db, args.key_id)
    finally:
        ws.close()
    _emit(args, {"key_id": args.key_id, "retired": True}, "Đã thu hồi khóa.")
    return 0


def cmd_province_package(args: argparse.Namespace) -> int:
    from app.core.sync import package_content, upper

    criteria, targets = package_content.read_content(
        [Path(f) for f in args.criteria], Path(args.targets) if args.targets else None
    )
    ws = _open(args, lock=True)
    try:
        path, version = upper.write_new_config_package(
            ws.db,
            Path(args.out),
            version=args.version,
            escrow_recipient=args.escrow,
            hub_url=args.hub_url,
            criteria_sets=criteria,
            targets=targets,
            personal_fields=[f for f in (args.personal_fields or "").split(",") if f.strip()],
        )
    finally:
        ws.close()
    codes, title = package_content.describe(criteria, targets)
    data = {
        "package": str(path),
        "version": version,
        "criteria_sets": codes,
        "targets": title,
    }
    _emit(args, data, f"Đã ghi gói cấu hình: {path}")
    return 0


def cmd_province_conflicts(args: argparse.Namespace) -> int:
    from app.core.sync import conflicts

    ws = _open(args)
    try:
        found = conflicts.list_conflicts(ws.db, args.commune)
    finally:
        ws.close()
    lines = []
    for c in found:
        lines.append(
            f"[{c.id}] Xã {c.commune_code} · {c.entity_label} · {c.title} — {c.kind_label} "
            f"(bản đang có: lần sửa {c.held_revision}, bản mới đến: lần sửa "
            f"{c.incoming_revision})"
        )
        lines += [
            f"    {ch.label}: {c.shown(ch.held)} → {c.shown(ch.incoming)}" for ch in c.changes()
        ]
    _emit(
        args,
        {"conflicts": [c.as_dict() for c in found]},
        "\n".join(lines) or "Không có xung đột nào.",
    )
    return 0


def cmd_province_resolve(args: argparse.Namespace) -> int:
    import getpass

    from app.core.sync import conflicts

    who = args.by if args.by is not None else getpass.getuser()
    ws = _open(args, lock=True)
    try:
        done = conflicts.resolve(ws.db, args.conflict_id, args.choice, who)
    finally:
        ws.close()
    _emit(
        args,
        done.as_dict(),
        f"Đã giải quyết xung đột {done.conflict_id}: {conflicts.CHOICE_LABELS[done.choice]} "
        f"(người quyết định: {done.resolved_by}). Bản kia được lưu trong {done.log}.",
    )
    return 0


def cmd_province_status(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from app.core.sync import importer, rates

    ws = _open(args)
    try:
        rows = importer.consolidation(ws.db)
        if args.xlsx:
            rates.export_consolidation_xlsx(ws.db, Path(args.xlsx))
    finally:
        ws.close()
    human = "\n".join(
        f"Xã {r.commune_code}: gói cuối số {r.last_seq}, {r.records} bản ghi, "
        f"thiếu/chờ {r.gaps}, cách ly {r.quarantined + r.forks}, xung đột {r.conflicts}"
        for r in rows
    )
    _emit(args, {"communes": [asdict(r) for r in rows]}, human or "Chưa nhận gói nào.")
    return 0


def cmd_config_load(args: argparse.Namespace) -> int:
    from app.core.sync import package_content, state

    ws = _open(args, lock=True)
    try:
        config, how = state.load_config_package(ws.db, Path(args.package), args.fingerprint)
        content = package_content.last_report(ws.db)
    finally:
        ws.close()
    if content is not None and content.version != config.version:
        content = None
    words = {
        "pinned": "Đã nạp lần đầu và ghi nhận khóa của tỉnh",
        "updated": "Đã cập nhật gói cấu hình",
        "same": "Gói cấu hình này đã được nạp",
    }
    data = {
        "province_name": config.province_name,
        "version": config.version,
        "fingerprint": config.fingerprint,
        "result": how,
        "content": content.as_dict() if content else None,
    }
    _emit(
        args,
        data,
        f"{words[how]}: {config.province_name}, phiên bản {config.version}.\n"
        f"Vân tay khóa của tỉnh: {config.fingerprint} — hãy đối chiếu với tỉnh."
        + (f"\n{content.summary()}" if content and content.summary() else ""),
    )
    return 0


AFTER_RESTORE_NOTE = (
    "\nDữ liệu đã được khôi phục từ bản sao lưu: đây là gói đầy đủ (mọi bản ghi của xã)."
)


def cmd_bundle_export(args: argparse.Namespace) -> int:
    from app.core.sync.writer import export_bundle

    ws = _open(args, lock=True)
    try:
        result = export_bundle(ws.db, Path(args.out), full=args.full)
    finally:
        ws.close()
    data = result.as_dict()
    total = sum(result.counts.values())
    note = AFTER_RESTORE_NOTE if result.after_restore else ""
    _emit(args, data, f"Đã xuất gói số {result.seq} ({total} bản ghi): {result.file}{note}")
    return 0


def cmd_bundle_verify(args: argparse.Namespace) -> int:
    from app.core.sync import verify

    ws = _open(args)
    try:
        report = verify.verify_file(ws.db, Path(args.file))
    finally:
        ws.close()
    _emit(args, report, report["reason"])
    return 0 if report["valid"] else 1


def cmd_bundle_import(args: argparse.Namespace) -> int:
    from app.core.sync.importer import import_paths

    ws = _open(args, lock=True)
    try:
        outcomes = import_paths(ws.db, [Path(s) for s in args.sources], dry_run=args.dry_run)
    finally:
        ws.close()
    data = {"bundles": [o.as_dict() for o in outcomes]}
    human = "\n".join(f"{o.file}: {o.status} — {o.reason}" for o in outcomes)
    _emit(args, data, human or "Không có gói nào.")
    return 0


def cmd_bundle_history(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from app.core.sync.writer import history

    ws = _open(args)
    try:
        rows = history(ws.db)
    finally:
        ws.close()
    human = "\n".join(
        f"Gói số {r.seq}: {r.file_name}, {r.size} byte, {r.created_at}"
        + (" — đã được tỉnh nhận" if r.confirmed else "")
        for r in rows
    )
    _emit(args, {"bundles": [asdict(r) for r in rows]}, human or "Chưa xuất gói nào.")
    return 0


def cmd_receipt_write(args: argparse.Namespace) -> int:
    from app.core.sync import upper

    ws = _open(args)
    try:
        path, count = upper.write_receipt(ws.db, args.commune, Path(args.out))
    finally:
        ws.close()
    _emit(args, {"file": str(path), "bundles": count}, f"Đã ghi biên nhận ({count} gói): {path}")
    return 0


def cmd_receipt_load(args: argparse.Namespace) -> int:
    from app.core.sync import upper

    ws = _open(args, lock=True)
    try:
        marked = upper.load_receipt(ws.db, Path(args.file))
    finally:
        ws.close()
    _emit(args, {"confirmed": marked}, f"Đã ghi nhận {marked} gói được tỉnh nhận.")
    return 0


def cmd_sync_push(args: argparse.Namespace) -> int:
    """One pass now; exits 0 whenever the pass ran (failures are in the JSON)."""
    from app.core.sync import outbox

    ws = _open(args, lock=True)
    try:
        report = outbox.send_pending(ws.db, force=True)
    finally:
        ws.close()
    _emit(args, report.as_dict(), outbox.describe(report))
    return 0


def cmd_sync_outbox(args: argparse.Namespace) -> int:
    from app.core.sync import outbox

    ws = _open(args)
    try:
        items = outbox.outbox_items(ws.db)
        url = outbox.hub_url(ws.db)
        contact = outbox.last_contact(ws.db)
    finally:
        ws.close()
    when = contact.isoformat(sep=" ") if contact else ""
    lines = [
        f"Máy chủ của tỉnh: {url or 'chưa có (gửi bằng USB)'}",
        f"Lần cuối liên lạc với tỉnh: {when or 'chưa lần nào'}",
        *(f"Gói số {i.seq}: {i.file_name} — {i.label}" for i in items),
    ]
    data = {"hub_url": url, "last_contact": when, "bundles": [i.as_dict() for i in items]}
    _emit(args, data, "\n".join(lines))
    return 0
