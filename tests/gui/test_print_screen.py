"""The "In ấn" screen: print a member list in a worker, then offer to open the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.gui


def test_member_list_prints_and_can_be_opened(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui.screens import printing

    opened: list[Path] = []
    monkeypatch.setattr(printing, "open_path", opened.append)
    screen = window.show_screen("printing")
    assert screen.decision.count() == 0
    screen._print_certificates()
    assert "Chưa có quyết định công nhận" in modals.texts("inform")[-1]

    out = tmp_path / "hoi-vien.pdf"
    modals.files.append(out)
    screen.list_kind.setCurrentIndex(0)
    screen._print_list()
    qtbot.waitUntil(lambda: screen.open_file.isEnabled(), timeout=10_000)
    assert "1 trang" in screen.result.text() and "3 mục" in screen.result.text()
    assert len(PdfReader(out).pages) == 1
    screen.open_folder.click()
    assert opened == [tmp_path]


def test_preprinted_offsets_are_remembered(window: Any, ctx: Any) -> None:
    from app.core.printing.options import load_options

    screen = window.show_screen("printing")
    screen.preprinted.setChecked(True)
    screen.offset_x.setValue(2.5)
    screen.offset_y.setValue(-1.0)
    screen._save_options()
    opts = load_options(ctx.db)
    assert (opts.preprinted, opts.offset_x_mm, opts.offset_y_mm) == (True, 2.5, -1.0)


def test_the_body_shown_is_the_one_that_issued_the_chosen_decision(window: Any, ctx: Any) -> None:
    import datetime as dt

    from app.core.assessment import cycle as svc
    from app.core.assessment import issuers
    from app.core.assessment.entities import entities

    with ctx.db.connect() as conn:
        citizen = next(iter(entities(conn, "learning_citizen", 2025)))
    svc.register(ctx.db, 2025, "learning_citizen", [citizen])
    items = {i.code: (i.max if i.kind == "points" else True) for i in _typed(ctx, 2025)}
    svc.record_assessment(ctx.db, svc.AssessmentInput(2025, "learning_citizen", citizen, items))
    svc.recognise(
        ctx.db,
        svc.DecisionInput(2025, "learning_citizen", "4", dt.date(2025, 12, 1), "", ""),
        allow_unproposed=True,
    )
    issuers.save_issuer(ctx.db, "learning_citizen", issuers.COMMITTEE)  # for later decisions
    screen = window.show_screen("printing")
    screen.reload()
    assert not screen.issuer.isEnabled()
    assert screen.issuer.currentText() == "Hội Khuyến học xã", "the body that signed it"


def _typed(ctx: Any, year: int) -> list[Any]:
    from app.core.assessment import cycle as svc

    sheet = svc.assessment_sheet(ctx.db, year, "learning_citizen", None)
    return [i for i in sheet.doc.items if i.kind != "computed"]
