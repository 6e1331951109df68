""" "Xuất Excel…" of a registry screen: the list as shown, written off the UI thread."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from app.core import text as vntext
from app.core.registry.listing import LISTINGS, ListQuery
from app.ui.screens.base import AppContext
from app.ui.widgets import messages
from app.ui.workers import run_in_background


def default_name(key: str, today: dt.date | None = None) -> str:
    day = today or dt.date.today()
    return vntext.file_name("Danh sách", LISTINGS[key].title, f"{day:%d-%m-%Y}", ext="xlsx")


def export_list_to_excel(parent: QWidget, ctx: AppContext, key: str, query: ListQuery) -> None:
    start = Path.home() / default_name(key)
    path = messages.choose_save_file(parent, "Xuất ra tệp Excel", start, "Excel (*.xlsx)")
    if path is None:
        return
    db = ctx.db

    def job(progress: Any, _cancel: Any) -> Any:
        from app.core.io.export import export_list

        return export_list(db, key, path, query, progress)

    def done(result: Any) -> None:
        ctx.notice.emit(f"Đã xuất {result.rows} dòng ra {result.path}.", None)
        messages.inform(parent, f"Đã xuất {result.rows} dòng ra tệp:\n{result.path}")

    run_in_background(job, done, parent=parent, progress_label="Đang xuất ra Excel…", writes=False)
