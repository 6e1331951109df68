"""Page ranges as a secretary types them: "1-3, 5", "4-", "-2" (1-based, like a print dialog)."""

from __future__ import annotations

import re

from app.core.errors import ValidationError

_PART = re.compile(r"^(\d*)\s*-\s*(\d*)$|^(\d+)$")
_SEPARATORS = re.compile(r"[,;]")
_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-"})


def parse_page_range(text: str, total: int) -> list[int]:
    """0-based, sorted, distinct page indices named by ``text`` in a document of ``total`` pages.

    Blank means every page. Parts are separated by commas or semicolons; a part is a page
    ("5"), a range ("1-3"), or an open range ("4-" to the end, "-2" from the start).
    Raises :class:`ValidationError` (Vietnamese) for anything else.
    """
    if total <= 0:
        raise ValidationError("Tệp không có trang nào để in.", "pages")
    text = text.translate(_DASHES).strip()
    if not text:
        return list(range(total))
    chosen: set[int] = set()
    for raw in _SEPARATORS.split(text):
        part = raw.strip()
        if not part:
            continue
        first, last = _bounds(part, total)
        chosen.update(range(first - 1, last))
    if not chosen:
        raise ValidationError("Chưa ghi trang nào: viết như 1-3, 5.", "pages")
    return sorted(chosen)


def _bounds(part: str, total: int) -> tuple[int, int]:
    """First and last page (1-based, inclusive) of one part, checked against ``total``."""
    match = _PART.match(part)
    if match is None or part == "-":
        raise ValidationError(f"Không hiểu “{part}”: ghi số trang như 1-3, 5.", "pages")
    if match.group(3):
        first = last = int(match.group(3))
    else:
        first = int(match.group(1)) if match.group(1) else 1
        last = int(match.group(2)) if match.group(2) else total
    for page in (first, last):
        if page < 1:
            raise ValidationError("Số trang bắt đầu từ 1.", "pages")
        if page > total:
            raise ValidationError(f"Trang {page} vượt quá số trang ({total}).", "pages")
    if first > last:
        raise ValidationError(
            f"Khoảng “{part}” bị ngược: trang đầu phải nhỏ hơn trang cuối.", "pages"
        )
    return first, last


def describe_pages(indices: list[int]) -> str:
    """The shortest way to write 0-based ``indices`` back as 1-based ranges: "1-3, 5"."""
    parts: list[str] = []
    run_start: int | None = None
    previous = -2
    for index in [*sorted(set(indices)), -1]:
        if run_start is not None and index != previous + 1:
            first, last = run_start + 1, previous + 1
            parts.append(str(first) if first == last else f"{first}-{last}")
            run_start = None
        if run_start is None:
            run_start = index
        previous = index
    return ", ".join(parts)
