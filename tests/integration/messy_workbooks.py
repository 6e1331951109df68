"""Generated workbooks typed the way commune and hamlet offices keep them.

Every name is generated from common Vietnamese name parts (none belongs to a real
person); some are written in NFD, some in capitals. Each generator returns what a
correct import must make of the file: the person rows that must be added, the rows
that must be rejected (with a word of the reason), and the cells that must be warned
about. Three sheets, three ways of writing a household register:

* "Thôn Đoài": a head row then its members (relation column), birth years under a
  two-row "Năm sinh | Nam | Nữ" header (years, real dates and Excel serial numbers),
  school levels written freely (mixed 12-year and old 10-year grades, "Lớp N",
  abbreviations, levels in "Ghi chú"), "Số định danh cá nhân" with lost zeros and
  "3.41E+11", formula errors, a refused head row with members under it.
* "Thôn Đông": one row per household, the members in one cell
  ("Vợ: Nguyễn Thị A (1980), Con: Nguyễn Văn B (2005)"), household circumstances.
* "TDP 3": household numbers, two heads of the same name in one hamlet, a household
  written twice (a planted duplicate), dates in text with a 31 February.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Đinh")
MALE_MIDDLE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Xuân")
GIVEN_MALE = ("An", "Bình", "Cường", "Dũng", "Hải", "Khoa", "Nam", "Phúc", "Sơn", "Tuấn", "Đạt")
GIVEN_FEMALE = ("Anh", "Hà", "Hương", "Lan", "Linh", "Mai", "Ngân", "Oanh", "Thảo", "Trang")
# School levels as they are really written, each readable (the level is found).
LEVELS = (
    "9/12", "12/12", "10/10", "4/10", "7/10", "5/12", "Lớp 6", "Lớp 11", "lop 3",
    "Trung cấp", "Đại học", "ĐH", "CĐ", "Cao đẳng nghề", "Tiến sĩ", "Thạc sĩ",
    "Mù chữ", "Biết đọc biết viết", "THCS", "THPT", "dai hoc", "Đ.H", "hết lớp 9",
    "12/12 + Trung cấp", "Tiểu học", "Mầm non", "cao dang", "TC",
)  # fmt: skip
JOBS = ("Làm ruộng", "Buôn bán", "Công nhân", "Giáo viên", "Học sinh", None)


@dataclass
class Expected:
    valid_rows: int = 0  # person rows (members in cells included) that must be added
    rejected: dict[tuple[str, int], str] = field(default_factory=dict)  # → a word of the reason
    warnings: set[tuple[str, int, str]] = field(default_factory=set)  # (sheet, row, column)
    duplicates: int = 0  # rows that repeat a person of the same file


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self, gender: str, family: str | None = None) -> str:
        family = family or self.rng.choice(FAMILY)
        if gender == "F":
            return f"{family} Thị {self.rng.choice(GIVEN_FEMALE)}"
        return f"{family} {self.rng.choice(MALE_MIDDLE)} {self.rng.choice(GIVEN_MALE)}"

    def messy(self, name: str) -> str:
        """As typed: sometimes in NFD, in capitals, with doubled spaces."""
        roll = self.rng.random()
        if roll < 0.15:
            return unicodedata.normalize("NFD", name)
        if roll < 0.25:
            return name.upper()
        if roll < 0.3:
            return "  " + name.replace(" ", "  ") + " "
        return name


def _id_number(rng: random.Random, serial: int) -> Any:
    digits = f"{rng.randint(1, 96):03d}{serial:09d}"
    return int(digits) if rng.random() < 0.3 else digits  # a number cell loses its zeros


def _household(rng: random.Random, names: _Names, size: int) -> list[tuple[str, str, int, str]]:
    """(name, gender, birth year, relation) of a household: head, spouse, children."""
    family = rng.choice(FAMILY)
    head_year = rng.randint(1945, 1990)
    out = [(names.person("M", family), "M", head_year, "Chủ hộ")]
    if size > 1:
        out.append((names.person("F"), "F", head_year + rng.randint(-3, 5), "Vợ"))
    used = {out[0][0]}
    for _ in range(size - 2):
        gender = rng.choice("MF")
        name = names.person(gender, family)
        while name in used:
            name = names.person(gender, family)
        used.add(name)
        out.append((name, gender, min(head_year + rng.randint(20, 35), 2024), "Con"))
    return out


def _doai(
    rng: random.Random, names: _Names, expected: Expected, households: int
) -> list[list[Any]]:
    """Head row then members; "Năm sinh" over "Nam" | "Nữ"; free school levels."""
    sheet = "Thôn Đoài"
    rows: list[list[Any]] = [
        ["UBND XÃ KHOÁI CHÂU"],
        ["HỘI KHUYẾN HỌC XÃ"],
        ["DANH SÁCH HỘ GIA ĐÌNH VÀ NHÂN KHẨU THÔN ĐOÀI NĂM 2026"],
        [],
        ["STT", "Họ và tên", "Năm sinh", None, "Quan hệ với chủ hộ", "Số định danh cá nhân",
         "Trình độ", "Nghề nghiệp", "Điện thoại", "Ghi chú"],
        [None, None, "Nam", "Nữ", None, None, None, None, None, None],
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    ]  # fmt: skip
    serial = 0
    refused_head_at = rng.randint(3, households - 3)
    for h in range(households):
        people = _household(rng, names, rng.randint(2, 6))
        head_row = len(rows) + 1
        for i, (name, gender, year, relation) in enumerate(people):
            number = len(rows) + 1
            serial += 1
            roll = rng.random()
            birth: Any = year
            if roll < 0.2:  # a real date
                birth = dt.datetime(year, rng.randint(1, 12), rng.randint(1, 28))
            elif roll < 0.3:  # an Excel serial number shown as a number
                birth = (
                    dt.date(year, rng.randint(1, 12), rng.randint(1, 28)) - dt.date(1899, 12, 30)
                ).days
            male, female = (birth, None) if gender == "M" else (None, birth)
            level: Any = rng.choice(LEVELS) if rng.random() < 0.7 else None
            note: Any = None
            if level is None and rng.random() < 0.3:
                note = rng.choice(("Lớp 7", "ĐH", "Đang học lớp 8", "CĐ; con liệt sĩ"))
            id_number = _id_number(rng, serial) if rng.random() < 0.6 else None
            phone: Any = f"09{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.3 else None
            written = names.messy(name)
            bad = rng.random()
            if h == refused_head_at and i == 0:
                written = None  # the head's name is missing: the household is refused
                expected.rejected[(sheet, number)] = "Họ tên"
            elif h == refused_head_at:
                expected.rejected[(sheet, number)] = f"dòng {head_row}"
            elif i > 0 and bad < 0.015:
                written = "#REF!"  # a broken formula in the name
                expected.rejected[(sheet, number)] = "#REF!"
            elif bad < 0.05:
                level = rng.choice(("Tiến sĩ vũ trụ", "???", "13/12"))
                expected.warnings.add((sheet, number, "Trình độ"))
            elif bad < 0.08:
                id_number = rng.choice(("3.41E+11", "3,41E+11", "0012345"))
                expected.warnings.add((sheet, number, "Số định danh cá nhân"))
            elif bad < 0.10:
                phone = rng.choice(("12", "#N/A", "0912 345"))
                expected.warnings.add((sheet, number, "Điện thoại"))
            if (sheet, number) not in expected.rejected:
                expected.valid_rows += 1
            rows.append(
                [i + 1, written, male, female, relation, id_number, level, rng.choice(JOBS),
                 phone, note]
            )  # fmt: skip
    rows.append([None, f"Cộng: {households} hộ"])
    rows.append([None, None, None, None, None, None, "Khoái Châu, ngày 5 tháng 1 năm 2026"])
    rows.append([None, "Người lập biểu", None, None, None, None, "TM. Ban chấp hành"])
    return rows


def _dong(
    rng: random.Random, names: _Names, expected: Expected, households: int
) -> list[list[Any]]:
    """One row per household, its members written in one cell."""
    sheet = "Thôn Đông"
    rows: list[list[Any]] = [
        ["DANH SÁCH CÁC HỘ THÔN ĐÔNG, XÃ KHOÁI CHÂU"],
        ["STT", "Họ tên chủ hộ", "Ngày sinh", "Giới tính", "Số CCCD", "Điện thoại", "Hoàn cảnh",
         "Trình độ", "Các thành viên"],
    ]  # fmt: skip
    for h in range(households):
        people = _household(rng, names, rng.randint(1, 5))
        number = len(rows) + 1
        name, _gender, year, _relation = people[0]
        parts = []
        for member, _g, member_year, relation in people[1:]:
            form = rng.randrange(4)
            if form == 0:
                parts.append(f"{relation}: {member} ({member_year})")
            elif form == 1:
                parts.append(f"{member} ({member_year}, {relation})")
            elif form == 2:
                parts.append(f"{member} - {relation} - {member_year}")
            else:
                parts.append(f"{relation}: {member}, sinh {member_year}")
        birth: Any = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"
        circumstance: Any = rng.choice((None, None, "Hộ nghèo", "cận nghèo", "GĐ chính sách"))
        if h % 9 == 4:
            birth = f"31/02/{year}"  # no such day: the year is kept, with a warning
            expected.warnings.add((sheet, number, "Ngày sinh"))
        if h % 11 == 6:
            circumstance = "Hộ khá giả"
            expected.warnings.add((sheet, number, "Hoàn cảnh"))
        if h == 7:
            birth = "không rõ"  # no year at all: the household is refused
            expected.rejected[(sheet, number)] = "không rõ"
        else:
            expected.valid_rows += len(people)
        rows.append(
            [h + 1, names.messy(name), birth, "Nam", None, None, circumstance,
             rng.choice(LEVELS), "; ".join(parts) if rng.random() < 0.5 else ", ".join(parts)]
        )  # fmt: skip
    return rows


def _tdp(rng: random.Random, names: _Names, expected: Expected) -> list[list[Any]]:
    """Household numbers; namesake heads in one hamlet; a household written twice."""
    rows: list[list[Any]] = [
        ["DANH SÁCH NHÂN KHẨU TỔ DÂN PHỐ 3 NĂM 2026"],
        ["Số hộ", "Họ và tên", "Ngày tháng năm sinh", "Giới tính", "Quan hệ với CH", "Trình độ"],
    ]
    blocks: list[list[list[Any]]] = []
    for h in range(12):
        people = _household(rng, names, rng.randint(2, 5))
        if h == 1:  # the same head's name as household 0, another man
            first = blocks[0][0]
            people[0] = (first[1], "M", int(str(first[2])[-4:]) + 7, "Chủ hộ")
        block = []
        for name, gender, year, relation in people:
            birth = f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{year}"
            block.append([f"H{h + 1:02d}", name, birth, "Nam" if gender == "M" else "Nữ",
                          relation, rng.choice(("9/12", "10/10", "Lớp 5", "ĐH", "CĐ"))])  # fmt: skip
        blocks.append(block)
    for block in blocks:
        rows.extend(block)
        expected.valid_rows += len(block)
    rows.extend([list(r) for r in blocks[3]])  # household H04 written again, further down
    expected.duplicates += len(blocks[3])
    return rows


def messy_households_book(path: Path, seed: int = 2026, households: int = 60) -> Expected:
    """The three sheets above in one workbook at ``path``; what the import must make of it."""
    rng = random.Random(seed)
    names = _Names(rng)
    expected = Expected()
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in (
        ("Thôn Đoài", _doai(rng, names, expected, households)),
        ("Thôn Đông", _dong(rng, names, expected, households // 2)),
        ("TDP 3", _tdp(rng, names, expected)),
    ):
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    ws = wb["Thôn Đoài"]
    ws.merge_cells("C5:D5")
    wb.save(path)
    return expected


# --- a member's own values (issue 19 point 4: nothing dropped) --------------------------------

# Genders as they are written, each with what must be stored ("M", "F").
GENDERS = {"Nam": "M", "Nữ": "F", "Trai": "M", "Gái": "F", "nam giới": "M", "Nữ giới": "F",
           "M": "M", "F": "F", "NAM": "M", "gái": "F"}  # fmt: skip
# "Đang đi học" cells as they are written: whether the person is studying.
STUDYING = {"x": True, "Có": True, "Đang học lớp 5": True, "1": True, "Không": False,
            "0": False, "nghỉ học": False, "-": False}  # fmt: skip
UNKNOWN_STUDYING = ("tạm nghỉ ốm", "?", "học nghề buổi tối")
UNKNOWN_GENDER = ("Khác", "?", "ông")
ADDRESSES = ("Xóm 1", "Xóm 2", "Ngõ 5, Xóm 3", "Đường làng số 7")


@dataclass
class MemberValues:
    """What a correct import must make of :func:`member_values_book`."""

    # Full name → (gender stored, studying stored, texts that must be in the note).
    people: dict[str, tuple[str | None, bool, list[str]]] = field(default_factory=dict)
    # Head → (address, circumstance) of the household.
    households: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    warnings: set[tuple[str, int, str]] = field(default_factory=set)  # (sheet, row, column)


def member_values_book(path: Path, seed: int = 19, households: int = 40) -> MemberValues:
    """A head row then its members, each row with an address, a circumstance, a gender
    and an "Đang đi học" cell; a few members with an address or a circumstance of their
    own (not the household's), unknown "Đang đi học" texts, genders written every way."""
    rng = random.Random(seed)
    names = _Names(rng)
    out = MemberValues()
    sheet = "Thôn Nam"
    rows: list[list[Any]] = [
        ["DANH SÁCH NHÂN KHẨU THÔN NAM"],
        ["STT", "Họ và tên", "Năm sinh", "Giới tính", "Quan hệ với chủ hộ", "Địa chỉ",
         "Hoàn cảnh", "Đang đi học"],
    ]  # fmt: skip
    used: set[str] = set()
    circumstances = {"Hộ nghèo": "poor", "cận nghèo": "near_poor", None: ""}
    for _h in range(households):
        people = _household(rng, names, rng.randint(2, 5))
        address = rng.choice(ADDRESSES)
        circumstance = rng.choice(list(circumstances))
        for i, (name, gender, year, relation) in enumerate(people):
            while name in used:
                name = names.person(gender)
            used.add(name)
            number = len(rows) + 1
            note: list[str] = []
            written_gender = rng.choice([g for g, v in GENDERS.items() if v == gender])
            stored_gender: str | None = gender
            if i > 0 and rng.random() < 0.1:
                written_gender = rng.choice(UNKNOWN_GENDER)
                stored_gender = None
                note.append(f"Giới tính: {written_gender}")
                out.warnings.add((sheet, number, "Giới tính"))
            studying_text: Any = rng.choice([*STUDYING, None, None])
            studying = bool(studying_text and STUDYING[studying_text])
            if rng.random() < 0.1:
                studying_text = rng.choice(UNKNOWN_STUDYING)
                studying = False
                note.append(f"Đang đi học: {studying_text}")
                out.warnings.add((sheet, number, "Đang đi học"))
            row_address: Any = address if i == 0 or rng.random() < 0.5 else None
            row_circumstance: Any = circumstance if i == 0 or rng.random() < 0.5 else None
            if i > 0 and rng.random() < 0.15:
                row_address = rng.choice([a for a in ADDRESSES if a != address])
                note.append(f"Địa chỉ: {row_address}")
                out.warnings.add((sheet, number, "Địa chỉ"))
            elif i > 0 and circumstance is not None and rng.random() < 0.15:
                row_circumstance = "GĐ chính sách"
                note.append(f"Hoàn cảnh: {row_circumstance}")
                out.warnings.add((sheet, number, "Hoàn cảnh"))
            out.people[name] = (stored_gender, studying, note)
            if i == 0:
                out.households[name] = (address, circumstances[circumstance])
            rows.append(
                [i + 1, names.messy(name), year, written_gender, relation, row_address,
                 row_circumstance, studying_text]
            )  # fmt: skip
    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet(sheet)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return out
