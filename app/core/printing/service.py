"""Entry points the CLI and the GUI call: database in, finished file out."""

from __future__ import annotations

from pathlib import Path

from app.core.db import Database
from app.core.printing import data
from app.core.printing.certificates import render_certificates
from app.core.printing.common import CancelFn, PrintResult, ProgressFn, never, no_progress
from app.core.printing.options import load_options
from app.core.printing.seal import Signer
from app.core.printing.templates import load_certificate_template

__all__ = ["PrintResult", "print_certificates"]


def print_certificates(
    db: Database,
    year: int,
    model: str,
    out: Path,
    *,
    decision_number: str | None = None,
    entity_ids: list[int] | None = None,
    preprinted: bool | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> PrintResult:
    """Every certificate of a recognition decision (or some of them) into one PDF."""
    decision = data.find_decision(db, year, model, decision_number)
    options = load_options(db)
    items = data.certificate_items(db, decision, options, entity_ids)
    template = load_certificate_template(options.templates.get(model, model), db.data_dir)
    use_preprinted = options.preprinted if preprinted is None else preprinted
    pages = render_certificates(
        out,
        items,
        template,
        Signer(db.data_dir),
        total=len(items),
        preprinted=use_preprinted,
        offset_mm=(options.offset_x_mm, options.offset_y_mm),
        progress=progress,
        cancel=cancel,
    )
    return PrintResult(out, pages, len(items), f"giấy công nhận (QĐ số {decision.number})")
