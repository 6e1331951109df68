"""The fund ledger at 50,000 entries (far beyond a commune's decades): balance and list speed.

Targets: a year's balance ≤ 50 ms, all-time balance ≤ 100 ms, a year's list ≤ 300 ms,
the next voucher number ≤ 10 ms, one more entry (with its overdraft check) ≤ 100 ms.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import insert

from app.core.db import reserve_change_seqs
from app.core.fund import ledger
from app.core.models import FundEntry
from app.core.workspace import init_commune
from tests.benchmarks.conftest import report

pytestmark = pytest.mark.benchmark
ENTRIES = 50_000
YEARS = range(2016, 2026)


def _fill(db: object, count: int) -> None:
    rng = random.Random(9)
    rows = []
    numbers: dict[tuple[str, int], int] = {}
    days = sorted(
        dt.date(rng.choice(YEARS), rng.randint(1, 12), rng.randint(1, 28)) for _ in range(count)
    )
    for day in days:
        kind = "receipt" if rng.random() < 0.6 else "payment"
        key = (kind, day.year)
        numbers[key] = numbers.get(key, 0) + 1
        rows.append(
            {
                "uuid": str(uuid.uuid4()),
                "kind": kind,
                "year": day.year,
                "number": numbers[key],
                "entry_date": day,
                "amount": rng.randint(1, 200) * 10_000 if kind == "receipt" else 50_000,
                "category": "donation_person" if kind == "receipt" else "gift",
                "method": "cash",
                "party_name": f"Người nộp {len(rows)}",
                "purpose": "Ủng hộ quỹ",
                "cancelled": False,
                "commune_code": "00004",
            }
        )
    with db.connect() as conn:  # type: ignore[attr-defined]
        first = reserve_change_seqs(conn, len(rows))
        for offset, row in enumerate(rows):
            row["change_seq"] = first + offset
        conn.execute(insert(FundEntry), rows)


def _best(fn: object, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def test_a_large_ledger_stays_quick(tmp_path: Path) -> None:
    ws = init_commune(tmp_path / "xa", "4", lock=False)
    try:
        db = ws.db
        started = time.perf_counter()
        _fill(db, ENTRIES)
        fill_s = time.perf_counter() - started
        year_balance = _best(lambda: ledger.balance(db, 2020))
        all_balance = _best(lambda: ledger.balance(db))
        year_list = _best(lambda: ledger.list_entries(db, 2020))
        next_no = _best(lambda: ledger.next_number(db, "receipt", 2025))
        started = time.perf_counter()
        ledger.add_entry(
            db,
            ledger.EntryInput("payment", dt.date(2025, 12, 30), 10_000, "gift", "Lê Văn Tư"),
        )
        add_s = time.perf_counter() - started
        b = ledger.balance(db)
        assert b.closing == b.opening + b.receipts - b.payments
        report(
            "fund_ledger",
            entries=ENTRIES,
            fill_s=fill_s,
            year_balance_ms=year_balance * 1000,
            all_balance_ms=all_balance * 1000,
            year_list_ms=year_list * 1000,
            year_rows=len(ledger.list_entries(db, 2020)),
            next_number_ms=next_no * 1000,
            add_entry_ms=add_s * 1000,
        )
        assert year_balance < 0.05 and all_balance < 0.1
        assert year_list < 0.3 and next_no < 0.01 and add_s < 0.1
    finally:
        ws.close()
