"""Tệp → Sao lưu… and Tệp → Khôi phục…: the core backup functions behind a file
picker, a confirmation and a progress dialog.

Restoring closes the database, copies the backup in (the core keeps the current
data as a backup first), reopens it and tells every screen to reload. If
anything fails, the current database is reopened as it was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from app.core import backup, settings
from app.core.errors import UserError
from app.ui import workers
from app.ui.screens.base import AppContext
from app.ui.widgets import messages

FILE_FILTER = "Bản sao lưu Sổ Khuyến Học (*.sqlite3);;Mọi tệp (*)"


def backup_folder(ctx: AppContext) -> Path:
    options = settings.load(ctx.db)
    return backup.backup_dir_for(ctx.data_dir, options.backup_dir)


def default_backup_name(now: dt.datetime | None = None) -> str:
    return f"{backup.MANUAL_PREFIX}{(now or dt.datetime.now()):%Y%m%d-%H%M}{backup.SUFFIX}"


def backup_now(parent: QWidget, ctx: AppContext) -> workers.Task | None:
    """Ask where to write the backup, then write it in the background."""
    with messages.guarded(parent):
        folder = backup_folder(ctx)
        dest = messages.choose_save_file(
            parent, "Sao lưu dữ liệu", folder / default_backup_name(), FILE_FILTER
        )
        if dest is None:
            return None
        if dest.suffix.lower() != backup.SUFFIX:
            dest = dest.with_name(dest.name + backup.SUFFIX)
        db_path = ctx.db.path

        def job(progress: workers.ProgressFn, _cancel: workers.CancelFn) -> Path:
            return backup.make_backup(db_path, dest, progress=progress)

        def done(made: Path) -> None:
            messages.inform(parent, f"Đã sao lưu dữ liệu vào:\n{made}", title="Sao lưu")

        return workers.run_in_background(
            job, done, parent=parent, progress_label="Đang sao lưu dữ liệu…"
        )
    return None


def confirm_text(info: backup.BackupInfo, current_code: str | None) -> str:
    lines = ["Khôi phục dữ liệu từ bản sao lưu này?", "", info.describe(), ""]
    if current_code and info.commune_code and info.commune_code != current_code:
        lines.append(
            f"Lưu ý: bản sao lưu này là của {info.commune_name or 'một xã khác'}, "
            "khác với xã đang dùng."
        )
    lines.append("Dữ liệu hiện tại sẽ được sao lưu trước khi thay.")
    return "\n".join(lines)


def restore_from_backup(parent: QWidget, ctx: AppContext) -> workers.Task | None:
    """Pick a backup, show what it holds, and replace the current data with it."""
    with messages.guarded(parent):
        source = messages.choose_open_file(
            parent, "Chọn bản sao lưu để khôi phục", backup_folder(ctx), FILE_FILTER
        )
        if source is None:
            return None
        info = backup.inspect_backup(source)
        current = settings.get_commune(ctx.db)
        question = confirm_text(info, current.code if current else None)
        if not messages.ask(parent, question, title="Khôi phục", yes="Khôi phục"):
            return None
        return _restore(parent, ctx, source)
    return None


def _reopen(ctx: AppContext) -> Any:
    from app.core.workspace import open_workspace

    return open_workspace(ctx.data_dir).db


def _restore(parent: QWidget, ctx: AppContext, source: Path) -> workers.Task:
    db_path = ctx.db.path
    ctx.detach()

    def job(
        progress: workers.ProgressFn, _cancel: workers.CancelFn
    ) -> tuple[Path | None, Any, str]:
        from app.core.sync.writer import restore_note

        safety = backup.restore_backup(db_path, source, progress)
        db = _reopen(ctx)  # an older backup is migrated here, off the UI thread
        return safety, db, restore_note(db)

    def done(result: tuple[Path | None, Any, str]) -> None:
        safety, db, sync_note = result
        ctx.attach(db)
        kept = f"\n\nDữ liệu trước khi khôi phục được giữ trong:\n{safety}" if safety else ""
        sync = f"\n\n{sync_note}" if sync_note else ""
        messages.inform(
            parent, f"Đã khôi phục dữ liệu từ {source.name}.{kept}{sync}", title="Khôi phục"
        )

    def failed(exc: BaseException) -> None:
        try:
            ctx.attach(_reopen(ctx))
        except UserError as again:
            messages.error(
                parent,
                f"Không mở lại được dữ liệu: {again.message}\nHãy đóng chương trình và mở lại.",
            )
            return
        if isinstance(exc, UserError):
            messages.error(
                parent, f"Không khôi phục được: {exc.message}\n\nDữ liệu hiện tại vẫn giữ nguyên."
            )
        else:
            messages.unexpected(parent, exc)

    return workers.run_in_background(
        job, done, failed, parent=parent, progress_label="Đang khôi phục dữ liệu…"
    )
