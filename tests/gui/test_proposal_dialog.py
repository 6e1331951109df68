""" "Thôn đề nghị…" shows what it counts, and one can act on it with the keyboard.

The table once stayed empty while its summary said "62 đạt · 62 được đề nghị": the
rows were added to the model with its signals blocked, so the view never heard of
them. These tests look at the view (its rows on screen), not only at the model.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.core.assessment import cycle as svc
from app.core.assessment import proposals
from app.ui.screens.cycle_proposal import ProposalDialog

pytestmark = pytest.mark.gui
YEAR = 2025
MODEL = "learning_family"


def _on_screen(dialog: ProposalDialog) -> int:
    """Rows the view itself lays out (0 when it never heard of the model's rows)."""
    view = dialog.table
    return sum(
        1
        for r in range(view.verticalHeader().count())
        if view.visualRect(dialog.table_model.index(r, 1)).height() > 0
    )


def _assess_all(ctx: Any, hamlet: int) -> list[int]:
    rows = svc.cycle_rows(ctx.db, YEAR, MODEL, hamlet)
    ids = [r.entity_id for r in rows]
    svc.register(ctx.db, YEAR, MODEL, ids)
    doc = svc.assessment_sheet(ctx.db, YEAR, MODEL, hamlet).doc
    full = {
        i.code: (True if i.kind == "yesno" else i.max) for i in doc.items if i.kind != "computed"
    }
    for eid in ids:
        svc.record_assessment(ctx.db, svc.AssessmentInput(YEAR, MODEL, eid, full))
    return ids


def test_the_proposal_table_shows_every_row_it_counts_and_space_ticks_one(
    qtbot: Any, ctx: Any, modals: Any
) -> None:
    from app.core.registry.hamlets import hamlet_choices

    hamlets = {int(v): str(label) for v, label in hamlet_choices(ctx.db)}
    east = next(h for h, name in hamlets.items() if name == "Thôn Đông")
    ids = _assess_all(ctx, east)
    passed = [r for r in svc.cycle_rows(ctx.db, YEAR, MODEL, east) if r.passed]
    assert len(passed) == len(ids) == 3

    dialog = ProposalDialog(ctx.db, YEAR, MODEL, hamlets, None)  # opened from "Cả xã"
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.hamlet_id == east, "the hamlet with entries waiting is opened"
    assert dialog.hamlet_box.currentText() == "Thôn Đông — 3 chờ đề nghị"
    assert dialog.summary.text().startswith("3 đạt · 0 được đề nghị")
    assert _on_screen(dialog) == 3, "every counted row is on screen"

    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.table_model.index(0, 0))
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert dialog.summary.text().startswith("3 đạt · 1 được đề nghị")
    dialog.all_button.click()
    dialog.proposed_by.setText("Nguyễn Văn Trưởng")
    assert dialog.save()
    assert modals.texts("inform")[-1] == "Thôn Đông: đề nghị thêm 3, rút 0."
    assert dialog.hamlet_box.currentText() == "Thôn Đông"
    assert {p.entity_id for p in proposals.proposals(ctx.db, YEAR, MODEL, east)} == set(ids)
    assert _on_screen(dialog) == 3


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.core.demo import generate_demo

    folder = tmp_path_factory.mktemp("proposal-demo")
    generate_demo(folder, households=300, seed=8, lock=False)
    return folder


def test_in_the_demo_each_hamlets_counted_rows_are_the_rows_shown(
    qtbot: Any, demo_dir: Path, tmp_path: Path
) -> None:
    from app.core.registry.hamlets import hamlet_choices
    from app.core.workspace import open_workspace

    target = tmp_path / "data"
    shutil.copytree(demo_dir, target, ignore=shutil.ignore_patterns("*.lock"))
    ws = open_workspace(target)
    try:
        hamlets = {int(v): str(label) for v, label in hamlet_choices(ws.db)}
        checked = 0
        for hamlet in list(hamlets)[:6]:
            dialog = ProposalDialog(ws.db, YEAR, MODEL, hamlets, hamlet)
            qtbot.addWidget(dialog)
            dialog.show()
            counted = int(dialog.summary.text().split(" đạt")[0])
            assert _on_screen(dialog) == counted == len(dialog.rows)
            checked += counted
            dialog.close()
        assert checked > 0
    finally:
        ws.close()
