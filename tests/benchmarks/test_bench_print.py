"""Printing speed on the 10,000-household demo: 1,000 certificates ≤ 3 s with flat memory,
a 10,000-row member list ≤ 5 s."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.core.printing import data
from app.core.printing.certificates import render_certificates
from app.core.printing.lists import print_member_list
from app.core.printing.options import load_options
from app.core.printing.seal import Signer
from app.core.printing.tables import Column, TableDocument, render_table
from app.core.printing.templates import load_certificate_template
from tests.benchmarks.conftest import report

pytestmark = pytest.mark.benchmark


def _items(db: object, n: int) -> list[object]:
    """n certificates from the demo's decisions (repeated if the demo recognised fewer)."""
    out: list[object] = []
    for decision in data.decisions(db, model="learning_family"):  # type: ignore[arg-type]
        out += data.certificate_items(db, decision, load_options(db))  # type: ignore[arg-type]
        if len(out) >= n:
            break
    while len(out) < n:
        out += out[: n - len(out)]
    return out[:n]


def _rss() -> int:
    """Resident memory now (Linux /proc; 0 elsewhere): cheap enough to sample per page."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return 0


def test_bench_1000_certificates(demo_db: object, tmp_path: Path) -> None:
    items = _items(demo_db, 1000)
    template = load_certificate_template("learning_family")
    signer = Signer(demo_db.data_dir)  # type: ignore[attr-defined]
    samples: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        samples.append((done, _rss()))

    render_certificates(tmp_path / "warm.pdf", items[:50], template, signer, total=50)
    start = time.perf_counter()
    pages = render_certificates(
        tmp_path / "gcn.pdf", items, template, signer, total=len(items), progress=progress
    )
    seconds = time.perf_counter() - start
    size = (tmp_path / "gcn.pdf").stat().st_size
    (first_done, first_rss), (last_done, last_rss) = samples[1], samples[-1]
    per_page = (last_rss - first_rss) / (last_done - first_done)
    report(
        "print_certificates_1000",
        seconds=seconds,
        pages=pages,
        rss_growth_mb=(last_rss - first_rss) / 1e6,
        per_page_kb=per_page / 1e3,
        file_mb=size / 1e6,
    )
    assert pages == 1000 == len(PdfReader(tmp_path / "gcn.pdf").pages)
    assert seconds <= 3.0
    # ReportLab keeps each finished page's compressed stream (~3 kB) until save; nothing
    # else may grow per page.
    assert per_page < 20_000


def test_bench_10000_row_member_list(demo_db: object, tmp_path: Path) -> None:
    from app.core.registry.listing import MEMBERS, ListQuery

    q = ListQuery()
    count = MEMBERS.count(demo_db, q)  # type: ignore[arg-type]
    start = time.perf_counter()
    result = print_member_list(demo_db, tmp_path / "hv.pdf", query=q)  # type: ignore[arg-type]
    real = time.perf_counter() - start

    rows = [
        [
            f"Nguyễn Văn Đức {i}",
            "1980",
            "Nam",
            "Chi hội Thôn Đông",
            "Hội viên",
            "01/01/2020",
            "2025",
        ]
        for i in range(10_000)
    ]
    doc = TableDocument(
        "UBND XÃ KHOÁI CHÂU",
        "HỘI KHUYẾN HỌC XÃ",
        "Danh sách hội viên",
        "",
        [
            Column(t, 8)
            for t in ("Họ và tên", "Năm sinh", "Giới", "Chi hội", "Chức vụ", "Vào Hội", "Hội phí")
        ],
        "Khoái Châu",
        __import__("datetime").date(2025, 11, 20),
    )
    start = time.perf_counter()
    pages = render_table(tmp_path / "10k.pdf", doc, rows, total=len(rows))
    synthetic = time.perf_counter() - start
    report(
        "print_member_list",
        demo_rows=count,
        demo_seconds=real,
        demo_pages=result.pages,
        rows_10k_seconds=synthetic,
        rows_10k_pages=pages,
    )
    assert result.items == count and result.pages == len(PdfReader(tmp_path / "hv.pdf").pages)
    assert pages == len(PdfReader(tmp_path / "10k.pdf").pages)
    assert synthetic <= 5.0 and (count < 10_000 or real <= 5.0)
