# ruff: noqa: F811  (pytest fixtures imported from test_hub_fixtures)
"""The hub's decisions without HTTP (app.core.sync.hub): receiving, who may read what,
freshness, and the status page's rows and HTML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.core.sync import bundle, keys
from app.core.sync import hub as core
from app.core.workspace import Workspace, open_workspace
from app.hub.page import render_status_page
from tests.integration.test_hub_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    make_commune,
    make_province,
)

NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def province(tmp_path: Path) -> Iterator[tuple[Workspace, Path]]:
    data_dir, package = make_province(tmp_path)
    ws = open_workspace(data_dir)
    try:
        yield ws, package
    finally:
        ws.close()


@pytest.mark.parametrize(
    ("days", "text", "overdue"),
    [
        (0, "hôm nay", False),
        (1, "hôm qua", False),
        (3, "3 ngày trước", False),
        (30, "30 ngày trước", False),
        (31, "31 ngày trước", True),
    ],
)
def test_freshness_in_words(days: int, text: str, overdue: bool) -> None:
    assert core.freshness(NOW - dt.timedelta(days=days), NOW) == (text, overdue)


def test_a_commune_that_never_sent_is_overdue() -> None:
    assert core.freshness(None, NOW) == ("chưa gửi gói nào", True)


def test_receiving_is_the_usb_import_and_answers_with_the_receipt(
    province: tuple[Workspace, Path], make_commune: Callable[..., Commune]
) -> None:
    ws, package = province
    commune = make_commune(package, accept_on=ws.db)
    data = commune.export()
    signer = keys.my_key(commune.data_dir).public_key
    parsed = core.parse_upload(data, signer)
    answer = core.receive(ws.db, parsed, keys.age_identity(ws.data_dir))
    assert (answer.status, answer.seq, answer.commune_code) == ("applied", 1, "12205")
    assert answer.receipt is not None
    assert core.receipt_for(ws.db, signer, parsed.bundle_id) == answer.receipt.encode("utf-8")
    other = make_commune(package, code="12133", name="xa-khac", accept_on=ws.db)
    with pytest.raises(core.SignerMismatch):
        core.parse_upload(data, keys.my_key(other.data_dir).public_key)
    with pytest.raises(core.AccessDenied):
        core.receipt_for(ws.db, keys.my_key(other.data_dir).public_key, parsed.bundle_id)
    with pytest.raises(bundle.BundleRefused):
        core.parse_upload(data[:-10], signer)


def test_a_quarantined_sender_may_read_its_communes_status_but_no_other(
    province: tuple[Workspace, Path], make_commune: Callable[..., Commune]
) -> None:
    ws, package = province
    stranger = make_commune(package, code="12133", name="la")
    public = keys.my_key(stranger.data_dir).public_key
    assert not core.may_read_commune(ws.db, public, "12133")
    answer = core.receive(
        ws.db, core.parse_upload(stranger.export(), public), keys.age_identity(ws.data_dir)
    )
    assert answer.status == "quarantined" and answer.receipt is None
    assert core.may_read_commune(ws.db, public, "12133")
    assert not core.may_read_commune(ws.db, public, "12205")
    with pytest.raises(core.ReceiptNotReady):
        core.receipt_for(ws.db, public, answer.bundle_id)


def test_the_overview_and_page_show_each_commune_with_totals(
    province: tuple[Workspace, Path], make_commune: Callable[..., Commune]
) -> None:
    ws, package = province
    commune = make_commune(package, accept_on=ws.db)
    signer = keys.my_key(commune.data_dir).public_key
    core.receive(ws.db, core.parse_upload(commune.export(), signer), keys.age_identity(ws.data_dir))
    [row] = core.overview(ws.db)
    assert row.code == "12205" and row.name and row.last_seq == 1
    assert row.freshness == "hôm nay" and not row.overdue
    assert row.records["hamlet"] == 2
    later = core.overview(ws.db, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=45))[0]
    assert later.overdue and later.freshness == "45 ngày trước"
    html = render_status_page([later], "Tỉnh <Thử>", "AAAA-BBBB")
    assert 'class="overdue"' in html and "45 ngày trước" in html
    assert "Tỉnh &lt;Thử&gt;" in html and "<Thử>" not in html
    assert "Cộng (1 xã)" in html and "Thôn / Tổ dân phố" in html


def test_neither_the_core_nor_the_window_imports_the_web_stack() -> None:
    """The commune's desktop build carries no FastAPI/uvicorn: only the hub command may."""
    from tests.unit.test_architecture import APP, _imported_modules

    web = ("app.hub", "fastapi", "starlette", "uvicorn")
    offenders = {
        str(path.relative_to(APP)): sorted(
            m for m in _imported_modules(path) if any(m == w or m.startswith(w + ".") for w in web)
        )
        for folder in (APP / "core", APP / "ui")
        for path in folder.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
