"""Shared pieces of every printed document: callbacks, cancellation, dates, atomic output."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm

from app.core.errors import StorageError, UserError, reason_of

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]

MM = float(mm)


class PrintCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("Đã hủy in; không có tệp nào được ghi.")


def no_progress(done: int, total: int) -> None:
    return None


def never() -> bool:
    return False


def date_parts(day: dt.date) -> dict[str, str]:
    return {"day": f"{day.day:02d}", "month": f"{day.month:02d}", "year_signed": str(day.year)}


def place_date(place: str, day: dt.date) -> str:
    """'Khoái Châu, ngày 05 tháng 11 năm 2025' (NĐ 30/2020: day and month < 10 get a 0)."""
    p = date_parts(day)
    return f"{place}, ngày {p['day']} tháng {p['month']} năm {p['year_signed']}"


def place_of(commune_name: str) -> str:
    """'Xã Khoái Châu' → 'Khoái Châu' (the place-and-date line names the place only)."""
    for prefix in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
        if commune_name.startswith(prefix):
            return commune_name[len(prefix) :]
    return commune_name


@contextlib.contextmanager
def atomic_output(out: Path) -> Iterator[Path]:
    """Write to ``out.partial`` and rename on success; nothing is left behind on failure."""
    tmp = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StorageError(f"Không ghi được tệp {out}: {reason_of(exc)}.") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@dataclass(frozen=True)
class PrintResult:
    path: Path
    pages: int
    items: int
    title: str  # Vietnamese, what was printed

    def describe(self) -> str:
        return f"Đã in {self.title}: {self.items} mục, {self.pages} trang → {self.path}"


def administrative_pdf(path: Path, title: str) -> Any:
    """A platypus document on A4 with an administrative text's margins (top and bottom
    20 mm, left 30 mm, right 15 mm: Nghị định 30/2020) and the bundled serif font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    from app.core.printing import fonts

    return SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=30 * MM,
        rightMargin=15 * MM,
        topMargin=20 * MM,
        bottomMargin=20 * MM,
        title=title,
        author="Sổ Khuyến Học",
        initialFontName=fonts.SERIF,
    )
