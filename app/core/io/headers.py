"""Finding the header row and suggesting which column holds which field.

Headers are compared folded (no diacritics, lower case, punctuation as spaces),
first exactly against known variants, then fuzzily (difflib). Two-row merged
headers ("Giới tính" over "Nam" | "Nữ") are read as one; a numbering row
("1 2 3 …") under the header is skipped.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass, field

from app.core import settings
from app.core import text as vntext
from app.core.db import Database
from app.core.io.workbook import Cell

HEADER_SCAN_ROWS = 15
IGNORE = ""  # mapping value of a column that is not imported

# Field key → Vietnamese label shown in the mapping table.
FIELD_LABELS: dict[str, str] = {
    "full_name": "Họ và tên",
    "gender": "Giới tính",
    "male_tick": "Nam (đánh dấu)",
    "female_tick": "Nữ (đánh dấu)",
    "birth": "Ngày/năm sinh",
    "relation": "Quan hệ với chủ hộ",
    "head_name": "Họ tên chủ hộ (của người này)",
    "household_code": "Số hộ",
    "hamlet": "Thôn / TDP",
    "address": "Địa chỉ",
    "id_number": "Số CCCD/CMND",
    "phone": "Điện thoại",
    "school_level": "Trình độ",
    "occupation": "Nghề nghiệp",
    "is_studying": "Đang đi học",
    "note": "Ghi chú",
    "name": "Tên",
    "hamlet_kind": "Loại thôn",
    "unit_kind": "Loại đơn vị",
    "leader": "Người đứng đầu / trưởng họ",
    "staff_count": "Số CB, NV",
    "branch": "Chi / nhánh",
    "card_number": "Số thẻ hội viên",
    "member_branch": "Chi hội",
    "role": "Chức vụ",
    "join_date": "Ngày vào Hội",
    "dues_paid_year": "Năm đã đóng hội phí",
    "members_text": "Các thành viên (trong một ô)",
    "circumstance": "Hoàn cảnh (hộ nghèo, cận nghèo…)",
    "uuid": "Mã định danh người (uuid)",
    "household_uuid": "Mã định danh hộ (uuid)",
}

_PERSON_ALIASES: dict[str, tuple[str, ...]] = {
    "full_name": (
        "ho va ten",
        "ho ten",
        "ho va ten nhan khau",
        "ho ten nhan khau",
        "ho va ten thanh vien",
        "ten",
    ),
    "gender": ("gioi tinh", "gt", "nam/nu", "nam nu", "phai"),
    "male_tick": ("nam",),
    "female_tick": ("nu",),
    "birth": (
        "ngay sinh",
        "nam sinh",
        "ns",
        "ngay thang nam sinh",
        "ngay thang sinh",
        "sinh ngay",
        "ngay/thang/nam sinh",
    ),
    "relation": ("quan he voi chu ho", "quan he", "qh voi chu ho", "quan he chu ho", "qh"),
    "household_code": ("so ho", "ma ho", "so ho khau", "so so ho khau", "ho so"),
    "hamlet": (
        "thon / tdp",
        "thon/tdp",
        "thon",
        "thon/to dan pho",
        "to dan pho",
        "ap",
        "xom",
        "thon/xom",
        "thon xom",
        "xom/thon",
        "thon/ap",
        "ap/thon",
        "thon/ban",
        "ban",
        "thon/khu pho",
        "khu pho",
        "tdp",
        "lang",
        "thon/lang",
    ),
    "address": ("dia chi", "noi o", "noi o hien nay", "cho o hien nay"),
    "id_number": (
        "so cccd",
        "cccd",
        "so cmnd",
        "cmnd",
        "cccd/cmnd",
        "so cccd/cmnd",
        "so dinh danh",
        "ma dinh danh",
        "so dinh danh ca nhan",
        "dinh danh ca nhan",
        "ma so dinh danh",
        "ma dinh danh ca nhan",
        "so ddcn",
        "so dinh danh/cccd",
        "cccd/so dinh danh",
        "cccd/dinh danh",
        "so cmnd/cccd",
        "cmnd/cccd",
        "so cmnd cccd",
        "so can cuoc",
        "can cuoc cong dan",
    ),
    "phone": ("dien thoai", "so dien thoai", "sdt", "dt", "so dt", "dtdd", "di dong"),
    "school_level": ("trinh do", "trinh do hoc van", "hoc van", "trinh do van hoa"),
    "occupation": ("nghe nghiep", "nghe", "cong viec"),
    "is_studying": ("dang di hoc", "dang hoc"),
    "note": ("ghi chu",),
    "uuid": ("uuid", "ma uuid", "uuid nguoi", "uuid nhan khau"),
    "household_uuid": ("uuid ho", "ma uuid ho", "uuid cua ho", "ho uuid"),
}
_IGNORED = (
    "stt",
    "tt",
    "t t",
    "s tt",
    "so tt",
    "so thu tu",
    "dong ho",
    "so nhan khau",
    "so nguoi",
    "nhan khau",
    "so khau",
)
_HEAD_NAMES = ("chu ho", "ho ten chu ho", "ten chu ho", "ho va ten chu ho")

ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "people": {**_PERSON_ALIASES, "head_name": _HEAD_NAMES},
    "households": {
        **_PERSON_ALIASES,
        "members_text": (
            "cac thanh vien",
            "thanh vien trong ho",
            "thanh vien",
            "nhan khau trong ho",
            "cac nhan khau",
            "nguoi trong ho",
            "ho ten cac thanh vien",
            "cac thanh vien trong ho",
        ),
        "full_name": (*_PERSON_ALIASES["full_name"], *_HEAD_NAMES),
        # Only beside a "Họ và tên" column (see find_header): a people list.
        "head_name": (),
        "circumstance": (
            "hoan canh",
            "hoan canh gia dinh",
            "hoan canh ho",
            "dien ho",
            "phan loai ho",
            "ho ngheo/can ngheo",
        ),
    },
    "hamlets": {
        "name": ("ten", "ten thon", "thon", "ten thon/tdp", "thon/to dan pho", "ten thon/to"),
        "hamlet_kind": ("loai",),
        "note": ("ghi chu",),
    },
}
ALIASES["units"] = {
    "name": ("ten don vi", "don vi", "ten", "ten co quan", "co quan, don vi", "ten truong"),
    "unit_kind": ("loai", "loai don vi", "loai hinh"),
    "hamlet": _PERSON_ALIASES["hamlet"] + ("dia ban",),
    "leader": ("nguoi dung dau", "thu truong", "thu truong don vi", "hieu truong", "giam doc"),
    "phone": _PERSON_ALIASES["phone"],
    "address": _PERSON_ALIASES["address"],
    "staff_count": ("so cb nv", "so can bo nhan vien", "so cb", "so nguoi", "so lao dong"),
    "note": ("ghi chu",),
}
ALIASES["clans"] = {
    "name": ("dong ho", "ten dong ho", "ho", "ten ho"),
    "branch": ("chi / nhanh", "chi/nhanh", "chi nhanh", "chi", "nhanh", "chi ho"),
    "leader": ("truong ho", "ho ten truong ho", "truong toc"),
    "hamlet": (*_PERSON_ALIASES["hamlet"], "thon nha tho ho", "nha tho ho"),
    "note": ("ghi chu",),
}
ALIASES["members"] = {
    "full_name": (*_PERSON_ALIASES["full_name"], "ten hoi vien", "ho ten hoi vien"),
    "card_number": ("so the", "so the hoi vien", "ma hoi vien", "ma the"),
    "birth": _PERSON_ALIASES["birth"],
    "gender": _PERSON_ALIASES["gender"],
    "male_tick": ("nam",),
    "female_tick": ("nu",),
    "member_branch": ("chi hoi", "ten chi hoi", "chi hoi/ban khuyen hoc", "thuoc chi hoi"),
    "role": ("chuc vu", "chuc vu trong hoi"),
    "join_date": ("ngay vao hoi", "ngay ket nap", "ngay gia nhap"),
    "dues_paid_year": ("hoi phi da dong", "nam dong hoi phi", "da dong hoi phi", "hoi phi"),
    "phone": _PERSON_ALIASES["phone"],
    "address": _PERSON_ALIASES["address"],
    "note": ("ghi chu",),
}
KINDS = tuple(ALIASES)
REQUIRED = {kind: "name" for kind in KINDS} | {
    "people": "full_name",
    "households": "full_name",
    "members": "full_name",
}


def fold_header(value: Cell) -> str:
    text = vntext.fold(str(value)) if value is not None else ""
    text = re.sub(r"\(\s*\d+\s*\)", " ", text)  # "Họ và tên (2)"
    text = re.sub(r"[^a-z0-9/ ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def match_field(label: str, kind: str) -> str | None:
    """The field a folded header label names (``IGNORE`` for "STT"), or None."""
    if not label:
        return None
    table = ALIASES[kind]
    if label in _IGNORED and not any(label in v for v in table.values()):
        return IGNORE
    for key, variants in table.items():
        if label in variants:
            return key
    every = {v: k for k, variants in table.items() for v in variants if len(v) > 3}
    close = difflib.get_close_matches(label, list(every), n=1, cutoff=0.82)
    return every[close[0]] if close else None


@dataclass
class Header:
    """Where the table starts in a sheet, and what each column is."""

    row: int  # 0-based index of the (last) header row
    data_start: int  # 0-based index of the first data row
    labels: list[str]  # original header text per column ("" for none)
    suggested: list[str | None]  # field key per column, IGNORE, or None (unknown)
    title_lines: list[str] = field(default_factory=list)

    def shape_key(self, kind: str) -> str:
        """Same columns in the same order → same key (for remembering the mapping)."""
        text = kind + "|" + "|".join(fold_header(label) for label in self.labels)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _is_text(value: Cell) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _labels_of(row: tuple[Cell, ...], width: int) -> list[str]:
    return [vntext.normalise(str(v)) if _is_text(v) else "" for v in (*row, *[None] * width)][
        :width
    ]


def _score(labels: list[str], kind: str) -> tuple[int, list[str | None]]:
    fields = [match_field(fold_header(label), kind) for label in labels]
    return sum(1 for f in fields if f), fields


def find_header(rows: list[tuple[Cell, ...]], kind: str) -> Header | None:
    """The best header among the first rows (single or two-row), or None."""
    width = max((len(r) for r in rows[: HEADER_SCAN_ROWS + 2]), default=0)
    best: Header | None = None
    best_score = 1
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        labels = _labels_of(row, width)
        score, fields = _score(labels, kind)
        candidate = Header(index, index + 1, labels, fields)
        if index + 1 < len(rows):
            two = _two_row(labels, _labels_of(rows[index + 1], width), rows[index + 1], kind)
            if two is not None and two[0] > score:
                score, fields, labels = two
                candidate = Header(index + 1, index + 2, labels, fields)
        if score > best_score and REQUIRED[kind] in fields:
            best, best_score = candidate, score
    if best is None:
        return None
    best.title_lines = [
        " ".join(vntext.normalise(str(v)) for v in row if _is_text(v)) for row in rows[: best.row]
    ]
    if best.data_start < len(rows) and _is_numbering(rows[best.data_start]):
        best.data_start += 1
    if kind == "households":
        best.suggested = _head_column(best.labels, best.suggested)
    return best


def _head_column(labels: list[str], fields: list[str | None]) -> list[str | None]:
    """A households sheet with both "Họ và tên" and "Chủ hộ" columns lists people: the
    "Chủ hộ" column names each person's head (an exported people list), not the person."""
    names = [i for i, f in enumerate(fields) if f == "full_name"]
    heads = [i for i in names if fold_header(labels[i]) in _HEAD_NAMES]
    if len(names) < 2 or not heads or len(heads) == len(names):
        return fields
    out = list(fields)
    for i in heads:
        out[i] = "head_name"
    return out


def _two_row(
    top: list[str], sub: list[str], raw: tuple[Cell, ...], kind: str
) -> tuple[int, list[str | None], list[str]] | None:
    """A header spread over two rows: every filled cell of the second row is a header."""
    if not any(sub) or any(v is not None and v != "" and not _is_text(v) for v in raw):
        return None
    merged: list[str] = []
    for upper, lower in zip(top, sub, strict=True):
        if lower and match_field(fold_header(lower), kind) is None:
            return None
        merged.append(lower or upper)
    score, fields = _score(merged, kind)
    return score, fields, merged


def _is_numbering(row: tuple[Cell, ...]) -> bool:
    values = [v for v in row if v is not None and not (isinstance(v, str) and not v.strip())]
    if len(values) < 2:
        return False
    numbers: list[int] = []
    for v in values:
        text = str(v).strip().strip("()")
        if isinstance(v, float) and v.is_integer():
            text = str(int(v))
        if isinstance(v, dt.date) or not text.isdigit():
            return False
        numbers.append(int(text))
    return numbers == sorted(numbers) and numbers[0] <= 2


# --- remembered mappings ---------------------------------------------------------------

_KEY_PREFIX = "import_mapping:"


def load_mapping(db: Database, shape_key: str) -> list[str | None] | None:
    value = settings.get_value(db, _KEY_PREFIX + shape_key)
    return [v if isinstance(v, str) else None for v in value] if isinstance(value, list) else None


def save_mapping(db: Database, shape_key: str, mapping: list[str | None]) -> None:
    settings.put_value(db, _KEY_PREFIX + shape_key, mapping)
