"""Importing a spreadsheet: plan first (a dry run that writes nothing), then apply.

The plan reads every chosen sheet, finds its header, turns each row into cleaned
values (the same rules as the entry forms, memoised per distinct cell value:
:class:`~app.core.io.cleaning.CellMemo`) and matches it
against the registry: the same ID number, or the same folded name + birth year +
household. Each row ends up *added*, *updated*, a *duplicate* (already there,
nothing new) or *rejected* with its sheet, row number and a Vietnamese reason.

:func:`apply_import` then writes the whole plan in ONE transaction with Core bulk
statements, stamping ``change_seq`` from :func:`reserve_change_seqs` and the
derived columns (folded name, search text, sort key) exactly as the services do.
Cancelling, or any error, rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import count
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from app.core import text as vntext
from app.core.audit.log import record_summary
from app.core.bulk import sql_value
from app.core.db import Database, reserve_change_seqs
from app.core.errors import UserError, ValidationError
from app.core.gcpause import without_gc
from app.core.io import values as cells
from app.core.io.cleaning import CellMemo, Issue, PersonRow, keep_in_note, search_text
from app.core.io.entities import SPECS, EntityPlan, apply_entities, plan_entities
from app.core.io.headers import (
    FIELD_LABELS,
    IGNORE,
    KINDS,
    Header,
    find_header,
    load_mapping,
    save_mapping,
)
from app.core.io.workbook import Cell, SheetRows, read_sheets
from app.core.models import Hamlet, HamletKind, Household, LocalState, Member, Person
from app.core.models.base import utcnow
from app.core.models.hamlets import HAMLET_KIND_LABELS
from app.core.models.households import (
    CIRCUMSTANCE_LABELS,
    HEAD_RELATION,
    RELATIONS,
    Circumstance,
)

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]
BATCH = 2000
_HEAD = vntext.fold(HEAD_RELATION)
_PLACE = re.compile(r"\b(thôn|ấp|bản|tổ dân phố|khu phố|xóm|tdp|làng)\s+(.+)$", re.IGNORECASE)
_FOOTER = re.compile(
    r"^(cong\s*(:|\d|$)|tong cong|tong so|tong\s*:|nguoi lap|xac nhan|truong thon|to truong|"
    r"chu tich|thu ky|tm\b|t/m\b)|ngay\s*\S{0,4}\s*thang\s*\S{0,4}\s*nam"
)
_KIND_BY_LABEL = {vntext.fold(label): kind.value for kind, label in HAMLET_KIND_LABELS.items()}


class ImportCancelled(UserError):
    def __init__(self, message: str = "Đã hủy nhập. Dữ liệu giữ nguyên như trước.") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Rejected:
    sheet: str
    row: int  # 1-based, as Excel numbers it
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "reason": self.reason}


@dataclass(frozen=True)
class ImportWarning:
    """A value that could not be used: the row is imported without it, and the value as
    written is kept in the note (of the person, or of the household)."""

    sheet: str
    row: int  # 1-based, as Excel numbers it
    column: str  # the column's header as written in the sheet
    value: str  # the cell as written
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass
class SheetPreview:
    """One sheet as the wizard shows it: header found, suggested mapping, sample rows."""

    name: str
    header: Header | None
    mapping: list[str | None]
    remembered: bool
    sample: list[list[str]]
    hamlet: str | None
    # Whether the hamlet above can be used as it is: read from a clean title or sheet
    # name, or already in the registry. When not, the wizard asks and the import does
    # not create it (:func:`plan_import` takes the person's answer in ``hamlets``).
    hamlet_sure: bool = True
    hamlet_source: str = ""  # the title line or sheet name it was read from


@dataclass
class ImportPlan:
    kind: str
    path: Path
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    new_hamlets: list[str] = field(default_factory=list)
    mark: int = 0
    mappings: dict[str, tuple[str, list[str | None]]] = field(default_factory=dict)
    # Pending writes (ids of new rows are negative placeholders until applied).
    hamlet_rows: list[dict[str, Any]] = field(default_factory=list)
    hamlet_updates: list[dict[str, Any]] = field(default_factory=list)
    household_rows: list[dict[str, Any]] = field(default_factory=list)
    household_updates: list[dict[str, Any]] = field(default_factory=list)
    person_rows: list[dict[str, Any]] = field(default_factory=list)
    person_updates: list[dict[str, Any]] = field(default_factory=list)
    entities: EntityPlan | None = None  # units and clans: written through the services

    @property
    def changes(self) -> int:
        return self.added + self.updated

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "rejected": [r.as_dict() for r in self.rejected],
            "warnings": [w.as_dict() for w in self.warnings],
            ("new_branches" if self.kind == "members" else "new_hamlets"): list(self.new_hamlets),
        }

    def summary(self) -> str:
        text = (
            f"Sẽ thêm {self.added} dòng, cập nhật {self.updated}, bỏ qua {self.duplicates} "
            f"dòng đã có sẵn không đổi (hoặc ghi lặp trong tệp), từ chối {len(self.rejected)} dòng."
        )
        if self.warnings:
            text += (
                f" {len(self.warnings)} cảnh báo: những dòng đó vẫn được nhập, giá trị không "
                "dùng được ghi lại nguyên văn vào Ghi chú."
            )
        if self.new_hamlets:
            what = "Chi hội mới" if self.kind == "members" else "Thôn mới"
            text += f" {what}: {', '.join(self.new_hamlets)}."
        return text


# --- reading sheets -------------------------------------------------------------------


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UserError(f"Chưa hỗ trợ nhập loại “{kind}”. Các loại nhập được: {', '.join(KINDS)}.")


def preview_sheets(
    db: Database,
    path: Path,
    kind: str,
    sheets: list[str] | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> list[SheetPreview]:
    """Every sheet with its header and suggested (or remembered) mapping."""
    check_kind(kind)
    if progress is not None:
        progress(0, 2)
    read = read_sheets(path, sheets)
    if cancel is not None and cancel():
        raise ImportCancelled("Đã hủy đọc tệp.")
    if progress is not None:
        progress(1, 2)
    out = [_preview(db, sheet, kind) for sheet in read]
    if progress is not None:
        progress(2, 2)
    if not any(p.header for p in out):
        raise UserError(
            "Không tìm thấy dòng tiêu đề cột (ví dụ “Họ và tên”) trong 15 dòng đầu của "
            "các trang. Hãy kiểm tra tệp hoặc chọn đúng loại danh sách."
        )
    return out


def _preview(db: Database, sheet: SheetRows, kind: str) -> SheetPreview:
    header = find_header(sheet.rows, kind)
    if header is None:
        return SheetPreview(sheet.name, None, [], False, [], None)
    remembered = load_mapping(db, header.shape_key(kind))
    mapping = list(header.suggested)
    if remembered is not None and len(remembered) == len(mapping):
        mapping = remembered
    sample = [
        [cells.as_text(v) or "" for v in row]
        for row in sheet.rows[header.data_start : header.data_start + 5]
    ]
    hamlet, sure, source = sheet_hamlet(sheet.name, header.title_lines)
    if hamlet is not None and not sure:
        with db.connect() as conn:
            names = conn.execute(select(Hamlet.name).where(Hamlet.deleted.is_(False))).scalars()
            known = {key for name in names for key in _hamlet_keys(name)}
        sure = any(key in known for key in _hamlet_keys(hamlet))
    return SheetPreview(
        sheet.name,
        header,
        mapping,
        remembered is not None,
        sample,
        hamlet,
        sure,
        source,
    )


_CUT = re.compile(
    r"\s*(?:[-–—,;:(\[]|\b(?:xã|phường|thị trấn|huyện|quận|tỉnh|thành phố|năm học|"
    r"giai đoạn|ngày|tính đến|cập nhật|kèm theo)\b)",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    r"\bnăm\s+\d{2,4}\b|\btháng\s+\d{1,2}(?:\s*/\s*\d{2,4})?\b|"
    r"\b\d{1,2}\s*[/.\-]\s*\d{1,2}(?:\s*[/.\-]\s*\d{2,4})?\b|\b(?:19|20)\d\d\b|\bdanh sách\b",
    re.IGNORECASE,
)


def sheet_hamlet(sheet_name: str, title_lines: list[str]) -> tuple[str | None, bool, str]:
    """The hamlet a whole sheet is about, from a title row, else the sheet name:
    (name, sure, the line it was read from).

    "DANH SÁCH … THÔN ĐOÀI NĂM 2026" is "Thôn Đoài": years, "năm", dates, "danh sách",
    what follows a dash or comma ("- xã …") are not part of the name. A name left with
    more than three words or stray numbers is not *sure*: the wizard asks."""
    for line in [*title_lines, sheet_name]:
        text = vntext.normalise(line)
        match = _PLACE.search(text)
        if not match:
            continue
        word, rest = match.group(1), match.group(2)
        cut = _CUT.search(rest)
        if cut is not None:
            rest = rest[: cut.start()]
        cleaned = " ".join(_DATE_WORDS.sub(" ", rest).split())
        sure = True
        words = cleaned.split()
        if len(words) > 1 and vntext.fold(words[-1]) == "nam":  # "… Năm" with no year
            words, sure = words[:-1], False
        if not words:
            continue
        numbered = len(words) == 1 and words[0].isdigit()  # "Tổ dân phố 3", "Xóm 5"
        if len(words) > 3 or (not numbered and any(ch.isdigit() for ch in cleaned)):
            sure = False
        prefix = "Tổ dân phố" if vntext.fold(word) in ("to dan pho", "tdp") else word
        name = f"{prefix.capitalize()} {vntext.normalise_name(' '.join(words))}"
        return name, sure, text
    return None, True, ""


# --- planning ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    sheet: str
    number: int
    person: PersonRow
    hamlet: str | None
    code: str | None
    address: str | None
    phone: str | None
    head_name: str | None
    circumstance: str | None = None  # a Circumstance value; None when not given
    household_note: str | None = None  # household values kept as written (warnings)
    uuid: str | None = None
    household_uuid: str | None = None
    circumstance_text: str | None = None  # the circumstance cell as written


@dataclass
class _Group:
    rows: list[_Row] = field(default_factory=list)
    head: int | None = None  # index into rows
    head_name: str | None = None
    by_head: bool = False  # gathered by a "Chủ hộ" column (rows anywhere in the sheet)
    known: int | None = None  # the registry's household, when the rows' people say so


@without_gc
def plan_import(
    db: Database,
    path: Path,
    kind: str,
    mappings: dict[str, list[str | None]] | None = None,
    sheets: list[str] | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    hamlets: dict[str, str | None] | None = None,
) -> ImportPlan:
    """Read and match the file; write nothing. ``mappings`` overrides per sheet name;
    ``hamlets`` names the hamlet of a sheet (the person's answer in the wizard; "" or
    None for none), over the one read from its title."""
    check_kind(kind)
    plan = ImportPlan(kind, path)
    previews = []
    for sheet in read_sheets(path, sheets):
        previews.append((sheet, _preview(db, sheet, kind)))
    if not any(p.header for _s, p in previews):
        raise UserError(
            "Không tìm thấy dòng tiêu đề cột (ví dụ “Họ và tên”) trong 15 dòng đầu của "
            "các trang. Hãy kiểm tra tệp hoặc chọn đúng loại danh sách."
        )
    with db.connect() as conn:
        plan.mark = _mark(conn)
        registry = _Registry.load(conn)
    total = sum(len(s.rows) for s, _p in previews) or 1
    done = 0
    memo = CellMemo()
    groups: list[_Group] = []
    hamlet_rows: list[tuple[str, int, dict[str, Cell]]] = []
    entity_rows: list[tuple[str, int, dict[str, Cell], str | None]] = []
    for sheet, preview in previews:
        if preview.header is None:
            continue
        mapping = (mappings or {}).get(sheet.name) or preview.mapping
        plan.mappings[sheet.name] = (preview.header.shape_key(kind), list(mapping))
        people = kind in ("people", "households")
        rows = _field_rows(sheet, preview.header, mapping, plan, soft=people)
        hamlet = _chosen_hamlet(sheet.name, preview, hamlets, mapping, plan)
        if kind == "hamlets":
            hamlet_rows.extend(rows)
        elif kind in SPECS:
            entity_rows.extend((s, n, v, hamlet) for s, n, v in rows)
        else:
            labels: dict[str, str] = {}
            for col, key in enumerate(mapping):
                if key and key not in labels:
                    labels[key] = preview.header.labels[col] or FIELD_LABELS.get(key, key)
            groups.extend(
                _group_people(sheet.name, rows, mapping, kind, hamlet, plan, memo, labels)
            )
        done += len(sheet.rows)
        if progress is not None:
            progress(done // 2, total)
        if cancel is not None and cancel():
            raise ImportCancelled()
    if kind == "hamlets":
        _plan_hamlets(hamlet_rows, registry, plan)
    elif kind in SPECS:
        plan.entities, plan.added, plan.updated, plan.duplicates, plan.new_hamlets = plan_entities(
            db,
            kind,
            entity_rows,
            lambda sh, row, reason: plan.rejected.append(Rejected(sh, row, reason)),
        )
    else:
        registry.sheet_uuids = any("household_uuid" in m for _k, m in plan.mappings.values())
        _match_groups(groups, registry, plan, memo)
    if progress is not None:
        progress(total, total)
    plan.rejected.sort(key=lambda r: (r.sheet, r.row))
    plan.warnings.sort(key=lambda w: (w.sheet, w.row))
    return plan


def _chosen_hamlet(
    sheet: str,
    preview: SheetPreview,
    hamlets: dict[str, str | None] | None,
    mapping: Sequence[str | None],
    plan: ImportPlan,
) -> str | None:
    """The hamlet of a sheet's rows that name none: the person's answer, else the one
    read from the title when sure. An unsure one is never created silently: the rows
    keep no hamlet and a warning says which title was not clear."""
    if hamlets is not None and sheet in hamlets:
        return vntext.normalise(hamlets[sheet]) or None
    if preview.hamlet is None or preview.hamlet_sure:
        return preview.hamlet
    if "hamlet" not in mapping:
        header = preview.header
        lines = [vntext.normalise(t) for t in header.title_lines] if header is not None else []
        source = preview.hamlet_source
        at = lines.index(source) + 1 if source in lines else (header.row + 1 if header else 1)
        plan.warnings.append(
            ImportWarning(
                sheet,
                at,
                "Tiêu đề",
                preview.hamlet_source,
                f"Không chắc tên thôn là “{preview.hamlet}”: chưa xếp các hộ của trang này "
                "vào thôn nào. Hãy ghi tên thôn của trang khi nhập (ô “Thôn / tổ dân phố "
                "của trang này”, hoặc --sheet-hamlet “tên trang=tên thôn”).",
            )
        )
    return None


def _mark(conn: Connection) -> int:
    return int(conn.execute(select(LocalState.change_counter)).scalar_one())


def _is_footer(row: tuple[Cell, ...]) -> bool:
    """Whether a row is a subtotal or signature line ("Cộng: 25 hộ", "Người lập biểu")."""
    for value in row:
        if isinstance(value, str) and value.strip():
            return bool(_FOOTER.search(vntext.fold(value)))
    return False


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _field_rows(
    sheet: SheetRows,
    header: Header,
    mapping: Sequence[str | None],
    plan: ImportPlan,
    soft: bool = False,
) -> list[tuple[str, int, dict[str, Cell]]]:
    """(sheet, Excel row number, {field: cell}) per data row, up to the footer.

    A formula error (#REF!…) refuses the row; with ``soft`` (people) only in the name
    or the birth: elsewhere the cell is left out and listed under :data:`ERRORS`."""
    out = []
    used = [(i, f) for i, f in enumerate(mapping) if f and f != IGNORE]
    footers: dict[str, bool] = {}
    name = sheet.name
    is_error = cells.is_error
    for index in range(header.data_start, len(sheet.rows)):
        raw = sheet.rows[index]
        width = len(raw)
        values: dict[str, Cell] = {}
        bad = None
        for col, key in used:
            value = raw[col] if col < width else None
            if value.__class__ is str:
                if "#" in value and is_error(value):
                    if soft and key not in _KEY_FIELDS:
                        errors = values.setdefault(ERRORS, [])
                        errors.append((key, value.strip(), f"Ô có lỗi công thức ({value})."))
                        continue
                    bad = f"Ô cột “{header.labels[col] or col + 1}” có lỗi công thức ({value})."
                elif not value or value.isspace():
                    continue
            elif value is None:
                continue
            if key not in values:  # two columns for one field: the first filled one
                values[key] = value
        if not values and bad is None and all(_blank(v) for v in raw):
            continue
        first = next((v for v in raw if isinstance(v, str) and v and not v.isspace()), None)
        if first is not None:
            footer = footers.get(first)
            if footer is None:
                footer = footers[first] = _is_footer((first,))
            if footer:
                break
        if bad:
            plan.rejected.append(Rejected(name, index + 1, bad))
            continue
        if not values:
            continue
        out.append((name, index + 1, values))
    return out


ERRORS = "\x00errors"  # key of a row's formula-error cells: [(field, text, reason)]
_KEY_FIELDS = frozenset({"full_name", "birth"})

_RELATION_WORDS = sorted(
    ((vntext.fold(r), r) for r in RELATIONS if r != HEAD_RELATION), key=lambda p: -len(p[0])
)
# Folded relations as written → the registry's spelling ("CH", "chu ho" → "Chủ hộ").
_RELATIONS = {vntext.fold(r): r for r in RELATIONS} | {
    "ch": HEAD_RELATION,
    "chu ho khau": HEAD_RELATION,
    "chu": HEAD_RELATION,
    "vo chu ho": "Vợ",
    "chong chu ho": "Chồng",
    "con trai": "Con",
    "con gai": "Con",
    "con de": "Con",
    "cha": "Bố",
    "me de": "Mẹ",
    "bo de": "Bố",
    "chau noi": "Cháu",
    "chau ngoai": "Cháu",
}
_BIRTH_TOKEN = re.compile(r"\b(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4})\b")
_BIRTH_WORDS = re.compile(r"\b(?:sinh năm|năm sinh|sinh ngày|sinh|sn|ns)\b\.?", re.IGNORECASE)


def _relation(text: str | None) -> str | None:
    """A relation in the registry's spelling when it is a known one, else as written."""
    if text is None:
        return None
    folded = " ".join(re.sub(r"[^a-z ]+", " ", vntext.fold(text)).split())
    return _RELATIONS.get(folded, text)


def _split_members(text: str | None) -> list[str]:
    """The members written in one cell, one string each: "Trần Thị Bình (1972, Vợ);
    Nguyễn Văn Cường – 2001", "Vợ: Nguyễn Thị A (1980), Con: Nguyễn Văn B (2005)",
    "Con: Nguyễn Văn B (2005), Nguyễn Thị C (2008)" (the relation carries over)."""
    if not text:
        return []
    out: list[str] = []
    for line in re.split(r"[;\n\r]|\s\+\s", text):
        carried: str | None = None
        for piece in _top_level_commas(line):
            piece = vntext.normalise(piece)
            if not piece:
                continue
            prefixed = re.match(r"^\s*([^:]{1,15}):\s*(.+)$", piece)
            if prefixed and _relation_in(prefixed.group(1)) is not None:
                carried = prefixed.group(1).strip()
            elif out and not _looks_like_name(piece):
                out[-1] = f"{out[-1]}, {piece}"  # "Trần Thị Bình, 1972, Vợ"
                continue
            elif carried is not None and _relation_in(_after_name(piece)) is None:
                piece = f"{carried}: {piece}"
            out.append(piece)
    return out


def _top_level_commas(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _after_name(piece: str) -> str:
    """What follows the name in "Trần Thị Bình (1972, Vợ)": "(1972, Vợ)"."""
    parts = re.split(r"(?=[(\[\-–\d,])", piece, maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _looks_like_name(piece: str) -> bool:
    """At least two words before any bracket, dash or digit, each starting with a capital."""
    head = re.split(r"[(\[\-–\d:]", piece, maxsplit=1)[0]
    words = head.split()
    return len(words) >= 2 and all(w[0].isupper() for w in words)


def _member_values(part: str) -> dict[str, Cell]:
    """Name, birth and relation of one member as cells: "Trần Thị Bình (1972, Vợ)",
    "Trần Thị Bình - Vợ - 1972", "Vợ: Trần Thị Bình 1972", "Vợ - Trần Thị Bình - SN 1972"."""
    relation = None
    prefixed = re.match(r"^\s*([^:]{1,15}):\s*(.+)$", part)
    if prefixed:
        relation = _relation_in(prefixed.group(1))
        if relation is not None:
            part = prefixed.group(2)
    birth = _BIRTH_TOKEN.search(part)
    rest = _BIRTH_WORDS.sub(" ", _BIRTH_TOKEN.sub(" ", part))
    pieces = [p.strip() for p in re.split(r"\(|\)|,|\s[-–]\s", rest) if p and p.strip()]
    if len(pieces) > 1 and _relation_in(pieces[0]) is not None and not _looks_like_name(pieces[0]):
        relation = relation or _relation_in(pieces[0])
        pieces = pieces[1:]
    name = pieces[0] if pieces else ""
    if relation is None:
        relation = next((r for p in pieces[1:] if (r := _relation_in(p)) is not None), None)
    return {"full_name": name, "birth": birth.group(1) if birth else None, "relation": relation}


def _relation_in(text: str) -> str | None:
    folded = f" {re.sub(r'[^a-z ]+', ' ', vntext.fold(text))} "
    return next((r for f, r in _RELATION_WORDS if f" {f} " in folded), None)


_NO_PLACE = "\x00"
_HEADS = frozenset({_HEAD, "ch", "chu ho khau", "chu"})


def _is_head_text(text: str | None) -> bool:
    return (
        text is not None and " ".join(re.sub(r"[^a-z ]+", " ", vntext.fold(text)).split()) in _HEADS
    )


class _Sheet:
    """What the grouping of one sheet's rows writes down: rejections and warnings."""

    def __init__(self, name: str, plan: ImportPlan, labels: dict[str, str]) -> None:
        self.name = name
        self.plan = plan
        self.labels = labels

    def reject(self, number: int, reason: str) -> None:
        self.plan.rejected.append(Rejected(self.name, number, reason))

    def warn(self, number: int, key: str, value: str, reason: str) -> None:
        column = self.labels.get(key) or FIELD_LABELS.get(key, key)
        self.plan.warnings.append(ImportWarning(self.name, number, column, value, reason))


def _group_people(
    sheet: str,
    rows: list[tuple[str, int, dict[str, Cell]]],
    mapping: Sequence[str | None],
    kind: str,
    sheet_hamlet: str | None,
    plan: ImportPlan,
    memo: CellMemo,
    labels: dict[str, str] | None = None,
) -> list[_Group]:
    """Rows → households: by the head-name column, or a head row then its members.

    A head row that is refused refuses its whole household with it: each of its
    members is refused with a reason naming the head's row, and none is ever attached
    to the household above (the rule the wizard states to the person)."""
    has = set(mapping)
    text = memo.text
    out = _Sheet(sheet, plan, labels or {})
    by_head = "head_name" in has
    sequential = "relation" in has or "household_code" in has
    groups: list[_Group] = []
    keyed: dict[tuple[str, str, str], _Group] = {}
    refused_heads: dict[tuple[str, str, str], int] = {}
    current: _Group | None = None
    blocked: tuple[int, str | None] | None = None  # (row, household number) of a refused head
    places: dict[str | None, str | None] = {}
    issues: list[Issue] = []
    relations: dict[str, str | None] = {}
    alone: list[tuple[int, str | None]] = []  # people made their own household
    last: _Group | None = None  # the household of the row above (head-name column)
    coded = _female_coded(labels or {}, has)
    for _sheet, number, values in rows:
        if coded is not None:
            values = _gender_of_flag(values, coded)
        get = values.get
        hamlet = text(get("hamlet")) or sheet_hamlet
        place = places.get(hamlet, _NO_PLACE)
        if place is _NO_PLACE:
            place = places[hamlet] = memo.name(hamlet) or None
        code_cell = get("household_code")
        code = None if code_cell is None else text(code_cell)
        relation_text = None
        cell = get("relation")
        if cell is not None:
            written = text(cell)
            relation_text = relations.get(written or "", _NO_PLACE)  # type: ignore[arg-type]
            if relation_text is _NO_PLACE:
                relation_text = relations[written or ""] = _relation(written)
            if relation_text != written:
                values = {**values, "relation": relation_text}
        errors = values.get(ERRORS)
        try:
            person = memo.person(values, issues)
        except ValidationError as err:
            head_row = _is_head_text(relation_text) or (
                kind == "households"
                and not by_head
                and "relation" not in has
                and (code is None or current is None or code != current.rows[0].code)
            )
            reason = err.message
            if head_row and not by_head and (sequential or kind == "households"):
                current, blocked = None, (number, code)
                if sequential:
                    reason += " Đây là dòng chủ hộ: cả hộ (những dòng ngay dưới) chưa được nhập."
            elif head_row and by_head:
                head = text(get("head_name")) or text(get("full_name"))
                if head:
                    refused_heads[(vntext.fold(place), vntext.fold(head), code or "")] = number
            if get("members_text") is not None:
                reason += " Các thành viên ghi trong ô của dòng này cũng chưa được nhập."
            out.reject(number, reason)
            issues.clear()
            continue
        if errors:
            issues.extend(errors)
            person["note"] = keep_in_note(person["note"], [(f, raw) for f, raw, _r in errors])
        for issue_field, raw, reason in issues:
            out.warn(number, issue_field, raw, reason)
        issues.clear()
        circumstance = None
        household_notes: list[tuple[str, str]] = []
        cell = get("circumstance")
        if cell is not None:
            try:
                circumstance = cells.as_circumstance(cell)
            except ValidationError as err:
                raw = text(cell) or ""
                out.warn(number, "circumstance", raw, err.message)
                household_notes.append(("circumstance", raw))
        address, phone, head_name = (
            get("address"),
            get("phone") if kind == "households" else None,
            get("head_name"),
        )
        phone_text = None if phone is None else text(phone)
        row = _Row(
            sheet,
            number,
            person,
            place,
            code,
            None if address is None else text(address),
            phone_text,
            None if head_name is None else text(head_name),
            circumstance,
            None,
            None if (cell := get("uuid")) is None else _uuid(cell),
            None if (cell := get("household_uuid")) is None else _uuid(cell),
            None if circumstance is None else text(get("circumstance")),
        )
        relation = person["relation"]
        is_head = relation is not None and vntext.fold(relation) == _HEAD
        if by_head:
            head = row.head_name or (person["full_name"] if is_head else None)
            if head is None and relation and last is not None:
                last.rows.append(row)  # "Chủ hộ" filled on the head's row only: the one above
                continue
            if head is None:
                groups.append(_alone(row, alone))  # no household named: a person alone
                continue
            key = (vntext.fold(row.hamlet), vntext.fold(head), row.code or "")
            group = keyed.get(key)
            if group is None:
                group = keyed[key] = _Group(head_name=head, by_head=True)
                groups.append(group)
            if group.head is None and (is_head or vntext.fold(person["full_name"]) == key[1]):
                group.head = len(group.rows)
            group.rows.append(row)
            last = group
        elif sequential or kind == "households":
            same_code = current is not None and code is not None and code == current.rows[0].code
            if "relation" in has:
                starts = is_head or current is None or (code is not None and not same_code)
            else:
                starts = not same_code
            if blocked is not None and (
                (code is not None and code == blocked[1])
                or ("relation" in has and not is_head and code is None)
            ):
                out.reject(
                    number,
                    f"Dòng chủ hộ của hộ này (dòng {blocked[0]}) bị từ chối nên dòng này chưa "
                    "được nhập (không ghép vào hộ khác). Sửa dòng chủ hộ rồi nhập lại.",
                )
                continue
            if starts and not is_head and "relation" in has and relation:
                out.reject(number, "Dòng này không thuộc hộ nào (chưa có dòng chủ hộ).")
                continue
            if starts:
                blocked = None
                if kind == "households":  # the phone of a household row is the household's
                    row.person = {**person, "phone": None}
                    row.phone = _household_phone(out, number, phone_text, household_notes)
                current = _Group(head=0, head_name=person["full_name"])
                groups.append(current)
            assert current is not None
            if household_notes:
                row.household_note = keep_in_note(None, household_notes)
            current.rows.append(row)
            raw_members = values.get("members_text")
            for part in _split_members(str(raw_members) if raw_members is not None else None):
                member_issues: list[Issue] = []
                try:
                    member_person = memo.person(_member_values(part), member_issues)
                except ValidationError as err:
                    out.reject(number, f"Thành viên “{part}”: {err.message}")
                    continue
                for _key, raw, reason in member_issues:
                    out.warn(number, "members_text", part, f"{raw}: {reason}")
                member = replace(
                    row,
                    person=member_person,
                    phone=None,
                    circumstance=None,
                    household_note=None,
                    uuid=None,
                )
                current.rows.append(member)
            continue
        else:
            groups.append(_alone(row, alone))
        if household_notes:
            row.household_note = keep_in_note(None, household_notes)
    if alone:
        first_row, hamlet_name = alone[0]
        out.warn(
            first_row,
            "hamlet",
            hamlet_name or "",
            f"{len(alone)} người không ghi chủ hộ, quan hệ hay số hộ: mỗi người được ghi "
            "thành một hộ riêng trong thôn của mình (để giữ thôn). Nếu họ ở chung hộ, hãy "
            "thêm cột “Chủ hộ” hoặc “Quan hệ với chủ hộ” rồi nhập lại.",
        )
    for refused_key, head_at in refused_heads.items():
        group = keyed.get(refused_key)
        if group is None or group.head is not None:
            continue
        groups.remove(group)
        for row in group.rows:
            out.reject(
                row.number,
                f"Dòng chủ hộ của hộ này (dòng {head_at}) bị từ chối nên dòng này chưa được "
                "nhập (không ghép vào hộ khác). Sửa dòng chủ hộ rồi nhập lại.",
            )
    if "address" in has or "circumstance" in has or "hamlet" in has:
        for group in groups:
            _keep_own_values(group, out)
    return groups


def _female_coded(labels: dict[str, str], has: set[str | None]) -> str | None:
    """The field whose 1 / 0 says female / male, when a column says so: a gender column
    headed "Giới tính (Nữ)", or a lone "Nữ" column (no "Nam" beside it). A plain
    "Giới tính" column of 1 / 0 is not read: lists differ on which is which."""
    if "gender" in has:
        words = set(re.split(r"[^a-z]+", vntext.fold(labels.get("gender"))))
        return "gender" if "nu" in words and "nam" not in words else None
    if "female_tick" in has and "male_tick" not in has:
        return "female_tick"
    return None


# A mark under a female-coded column: Nữ; a 0: Nam.
_FLAG_GENDER = {"1": "Nữ", "x": "Nữ", "v": "Nữ", "\u2713": "Nữ", "\u2714": "Nữ", "0": "Nam"}


def _gender_of_flag(values: dict[str, Cell], key: str) -> dict[str, Cell]:
    """A row's 1 / 0 under a female-coded column (:func:`_female_coded`) as "Nữ" / "Nam"
    (a 1 under a lone "Nữ" column is a tick, read as such already)."""
    cell = values.get(key)
    if cell is None or isinstance(cell, bool) or (key != "gender" and "gender" in values):
        return values
    gender = _FLAG_GENDER.get(vntext.fold(cells.as_text(cell)))
    if gender is None or (key == "female_tick" and gender == "Nữ"):
        return values
    out = {k: v for k, v in values.items() if k != key}
    out["gender"] = gender
    return out


def _keep_own_values(group: _Group, out: _Sheet) -> None:
    """A household has one hamlet, one address and one circumstance: its head row's, else
    the first row giving one. A member row with another one keeps it in the member's
    note, with a warning; a person in no household keeps address and circumstance there
    (their hamlet is their own one-person household's, :func:`_alone`)."""
    rows = group.rows
    if not rows:
        return
    source: _Row | None = None
    address = circumstance = hamlet = None
    if group.head is not None or group.head_name is not None:
        source = rows[group.head or 0]
        if not source.address:
            source.address = next((r.address for r in rows if r.address), None)
        if source.hamlet is None:
            source.hamlet = next((r.hamlet for r in rows if r.hamlet), None)
        address, circumstance, hamlet = source.address, _circumstance_of(group), source.hamlet
    for row in rows:
        if row is source:
            continue
        kept: list[tuple[str, str]] = []
        if source is not None and row.hamlet and row.hamlet != hamlet:
            kept.append(("hamlet", row.hamlet))
            reason = _own_value_reason("Thôn", hamlet, group, "hamlet")
            out.warn(row.number, "hamlet", row.hamlet, reason)
        if row.address and vntext.fold(row.address) != vntext.fold(address):
            kept.append(("address", row.address))
            reason = _own_value_reason("Địa chỉ", address, group, "address")
            out.warn(row.number, "address", row.address, reason)
        if row.circumstance is not None and row.circumstance != circumstance:
            raw = row.circumstance_text or row.circumstance
            kept.append(("circumstance", raw))
            label = None if circumstance is None else _circumstance_label(circumstance)
            reason = _own_value_reason("Hoàn cảnh", label, group, "circumstance")
            out.warn(row.number, "circumstance", raw, reason)
        if kept:
            row.person = {**row.person, "note": keep_in_note(row.person["note"], kept)}


def _circumstance_label(value: str) -> str:
    return CIRCUMSTANCE_LABELS.get(Circumstance(value), value)


def _own_value_reason(what: str, household: str | None, group: _Group, key: str) -> str:
    """Why a member's address (circumstance) went to their note, naming the row whose
    value the household keeps."""
    if group.head is None and group.head_name is None:
        return (
            f"Người này không thuộc hộ nào nên không có hộ để ghi {what.lower()}: "
            "đã ghi vào Ghi chú của người này."
        )
    first = group.rows[group.head or 0]
    source = next((r for r in group.rows if getattr(r, key) is not None), first)
    if getattr(first, key) is not None:
        source = first
    return (
        f"Khác {what.lower()} của hộ (“{household}”, ghi ở dòng {source.number}): hộ giữ "
        f"{what.lower()} đó; giá trị ở dòng này đã ghi vào Ghi chú của người này."
    )


def _alone(row: _Row, alone: list[tuple[int, str | None]]) -> _Group:
    """A person named in no household: in a hamlet, their own household (so the hamlet
    is kept; listed in ``alone``); else a person outside any household."""
    if row.hamlet is None:
        return _Group([row])
    alone.append((row.number, row.hamlet))
    return _Group([row], head=0, head_name=row.person["full_name"])


def _household_phone(
    out: _Sheet, number: int, phone: str | None, notes: list[tuple[str, str]]
) -> str | None:
    from app.core.registry.people import clean_phone

    if phone is None:
        return None
    try:
        return clean_phone(phone)
    except ValidationError as err:
        out.warn(number, "phone", phone, err.message)
        notes.append(("phone", phone))
        return None


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _uuid(value: Cell) -> str | None:
    text = cells.as_text(value)
    if not text:
        return None
    text = text.strip().lower()
    return text if _UUID.match(text) else None


# --- matching against the registry ------------------------------------------------------


@dataclass
class _Registry:
    hamlets: dict[str, int]
    hamlet_rows: dict[int, dict[str, Any]]
    households: dict[tuple[int | None, str], list[int]]
    household_codes: dict[tuple[int | None, str], int]
    household_rows: dict[int, dict[str, Any]]
    by_id_number: dict[str, dict[str, Any]]
    by_name: dict[tuple[str, int | None, int | None], dict[str, Any]]
    next_ids: dict[str, int]
    by_household_name: dict[tuple[str, int | None], list[dict[str, Any]]] = field(
        default_factory=dict
    )
    by_person_id: dict[int, dict[str, Any]] = field(default_factory=dict)
    household_uuids: dict[str, int] = field(default_factory=dict)
    person_uuids: dict[str, dict[str, Any]] = field(default_factory=dict)
    sheet_uuids: bool = False  # whether a sheet has a household uuid column

    @classmethod
    def load(cls, conn: Connection) -> _Registry:
        hamlets: dict[str, int] = {}
        hamlet_rows: dict[int, dict[str, Any]] = {}
        for row in conn.execute(
            select(Hamlet.id, Hamlet.name, Hamlet.kind, Hamlet.note).where(
                Hamlet.deleted.is_(False)
            )
        ).mappings():
            hamlet_rows[row["id"]] = dict(row)
            for name in _hamlet_keys(row["name"]):
                hamlets.setdefault(name, row["id"])
        households: dict[tuple[int | None, str], list[int]] = {}
        household_uuids: dict[str, int] = {}
        codes: dict[tuple[int | None, str], int] = {}
        household_rows: dict[int, dict[str, Any]] = {}
        cols = (Household.id, Household.hamlet_id, Household.head_name, Household.code)
        more = (
            Household.address,
            Household.phone,
            Household.head_person_id,
            Household.circumstance,
            Household.note,
            Household.uuid,
        )
        for row in conn.execute(
            select(*cols, *more).where(Household.deleted.is_(False)).order_by(Household.id)
        ).mappings():
            item = dict(row)
            household_uuids[item.pop("uuid")] = row["id"]
            household_rows[row["id"]] = item
            key = (row["hamlet_id"], vntext.fold(row["head_name"]))
            households.setdefault(key, []).append(row["id"])
            if row["code"]:
                codes.setdefault((row["hamlet_id"], row["code"]), row["id"])
        by_id: dict[str, dict[str, Any]] = {}
        by_name: dict[tuple[str, int | None, int | None], dict[str, Any]] = {}
        by_household: dict[tuple[str, int | None], list[dict[str, Any]]] = {}
        by_pid: dict[int, dict[str, Any]] = {}
        person_uuids: dict[str, dict[str, Any]] = {}
        for row in conn.execute(
            select(Person.id, Person.uuid, *_PERSON_COLUMNS).where(Person.deleted.is_(False))
        ).mappings():
            item = dict(row)
            person_uuids[item.pop("uuid")] = item
            if item["id_number"]:
                by_id[item["id_number"]] = item
            by_name.setdefault(
                (item["name_folded"], item["birth_year"], item["household_id"]), item
            )
            by_household.setdefault((item["name_folded"], item["household_id"]), []).append(item)
            by_pid[item["id"]] = item
        next_ids = {}
        for name, model in (("hamlet", Hamlet), ("household", Household), ("person", Person)):
            next_ids[name] = int(conn.execute(select(func.max(model.id))).scalar() or 0) + 1
        return cls(
            hamlets,
            hamlet_rows,
            households,
            codes,
            household_rows,
            by_id,
            by_name,
            next_ids,
            by_household,
            by_pid,
            household_uuids,
            person_uuids,
        )

    def find(
        self, full_name: str, birth_year: int | None, household_id: int | None
    ) -> dict[str, Any] | None:
        """Same folded name and birth year in the same household; a missing year on
        either side matches a single namesake in that household."""
        folded = vntext.fold(full_name)
        found = self.by_name.get((folded, birth_year, household_id))
        if found is not None or household_id is None:
            return found
        namesakes = self.by_household_name.get((folded, household_id), [])
        if len(namesakes) == 1 and (birth_year is None or namesakes[0]["birth_year"] is None):
            return namesakes[0]
        return None

    def add_person(self, values: dict[str, Any]) -> None:
        """A person the plan adds, found by the rows after it (a row written twice)."""
        household_id = values["household_id"]
        self.by_name[(values["name_folded"], values["birth_year"], household_id)] = values
        key = (values["name_folded"], household_id)
        self.by_household_name.setdefault(key, []).append(values)
        if values["id_number"]:
            self.by_id_number[values["id_number"]] = values
        self.by_person_id[values["id"]] = values

    def add_household(self, values: dict[str, Any]) -> None:
        self.household_rows[values["id"]] = values
        key = (values["hamlet_id"], vntext.fold(values["head_name"]))
        self.households.setdefault(key, []).append(values["id"])
        if values["code"]:
            self.household_codes.setdefault((values["hamlet_id"], values["code"]), values["id"])

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value


_PERSON_FIELDS = (
    "household_id",
    "full_name",
    "gender",
    "birth_date",
    "birth_year",
    "relation",
    "id_number",
    "phone",
    "school_level",
    "school_grade",
    "school_system",
    "occupation",
    "is_studying",
    "note",
    "name_folded",
    "search_text",
    "sort_key",
)
_PERSON_COLUMNS = tuple(getattr(Person, name) for name in _PERSON_FIELDS)


def _hamlet_keys(name: str) -> list[str]:
    folded = vntext.fold(name)
    keys = [folded]
    for prefix in ("thon ", "ap ", "ban ", "to dan pho ", "khu pho ", "xom ", "to "):
        if folded.startswith(prefix):
            keys.append(folded[len(prefix) :])
    return keys


def _hamlet_id(name: str | None, registry: _Registry, plan: ImportPlan) -> int | None:
    if not name:
        return None
    for key in _hamlet_keys(name):
        if key in registry.hamlets:
            return registry.hamlets[key]
    new_id = registry.new_id("hamlet")
    kind = HamletKind.TO_DAN_PHO.value if vntext.fold(name).startswith("to") else "thon"
    plan.hamlet_rows.append(_hamlet_row(new_id, name, kind, None))
    plan.new_hamlets.append(name)
    registry.hamlets[vntext.fold(name)] = new_id
    return new_id


def _hamlet_row(row_id: int, name: str, kind: str, note: str | None) -> dict[str, Any]:
    return {
        "id": row_id,
        "name": name,
        "kind": kind,
        "note": note,
        "name_folded": vntext.fold(name),
        "sort_key": vntext.sort_key_plain(name),
    }


def _derive_person(values: dict[str, Any], memo: CellMemo | None = None) -> dict[str, Any]:
    """The derived columns (folded name, search text, sort key) as the services set them."""
    name = values["full_name"]
    if memo is None:
        folded, key = vntext.fold(name), vntext.sort_key(name)
    else:
        folded, key = memo.name_keys(name)
    values["name_folded"] = folded
    values["search_text"] = search_text(folded, values["id_number"], values["phone"])
    values["sort_key"] = key
    return values


def _merge(existing: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any] | None:
    """The existing row with every non-empty incoming value; None when nothing changes."""
    merged = dict(existing)
    changed = False
    for key, value in incoming.items():
        if value is None or value is False:
            continue
        if existing.get(key) != value:
            merged[key] = value
            changed = True
    if not changed:
        return None
    return _derive_person(merged)


def _match_groups(
    groups: list[_Group], registry: _Registry, plan: ImportPlan, memo: CellMemo
) -> None:
    """Each row: added, updated (the person, or the household on its head row) or a
    duplicate. Counting every change: a household whose phone changes while its head's
    row is the same is an *updated* row, never a silent write."""
    seen_ids: dict[str, tuple[int, str]] = {}
    seen_people: set[int] = set()
    claimed: set[int] = set()
    for group in [part for whole in groups for part in _split_by_known(whole, registry, plan)]:
        household_id, household_new, household_changed = _household_for(
            group, registry, plan, claimed
        )
        if household_id is not None:
            claimed.add(household_id)
        head_index = group.head if group.head is not None else 0
        for index, row in enumerate(group.rows):
            p = row.person
            id_number = p["id_number"]
            folded = memo.name_keys(p["full_name"])[0]
            if id_number and id_number in seen_ids and seen_ids[id_number][1] != folded:
                first_row = seen_ids[id_number][0]
                plan.warnings.append(
                    ImportWarning(
                        row.sheet,
                        row.number,
                        FIELD_LABELS["id_number"],
                        id_number,
                        f"Số CCCD {id_number} trùng với dòng {first_row} (người khác tên): "
                        "chưa ghi số này, đã ghi vào Ghi chú.",
                    )
                )
                p = {
                    **p,
                    "id_number": None,
                    "note": keep_in_note(p["note"], [("id_number", id_number)]),
                }
                id_number = None
            if id_number:
                seen_ids.setdefault(id_number, (row.number, folded))
            incoming = {"household_id": household_id, **p}
            if group.head == index and household_new and not p["relation"]:
                incoming["relation"] = HEAD_RELATION  # as create_household does
            existing = registry.person_uuids.get(row.uuid) if row.uuid else None
            if existing is None and id_number:
                existing = registry.by_id_number.get(id_number)
            if existing is None:
                if household_new:  # a household of this file: only a row written twice
                    existing = registry.by_name.get((folded, incoming["birth_year"], household_id))
                else:
                    existing = registry.find(p["full_name"], incoming["birth_year"], household_id)
                other_id = existing["id_number"] if existing is not None else None
                if other_id is not None and id_number and other_id != id_number:
                    existing = None  # a namesake of the same year, another ID: another person
            if existing is None:
                person_id = registry.new_id("person")
                values = _derive_person(incoming, memo)
                values["id"] = person_id
                plan.person_rows.append(values)
                registry.add_person(values)
                seen_people.add(person_id)
                plan.added += 1
                if group.head == index and household_new and household_id is not None:
                    registry.household_rows[household_id]["head_person_id"] = person_id
                continue
            person_id = existing["id"]
            if person_id in seen_people:
                plan.duplicates += 1  # the same person written twice in the file
                _warn_differences(row, existing, incoming, plan)
                continue
            seen_people.add(person_id)
            if household_id is None:
                incoming.pop("household_id")
            merged = _merge(existing, incoming)
            if group.head == index and household_new and household_id is not None:
                registry.household_rows[household_id]["head_person_id"] = person_id
            if merged is None:
                if index == head_index and household_changed:
                    plan.updated += 1
                else:
                    plan.duplicates += 1
            else:
                merged["id"] = person_id
                plan.person_updates.append(merged)
                existing.update(merged)
                plan.updated += 1


_COMPARED = {
    "gender": "Giới tính",
    "birth_year": "Năm sinh",
    "relation": "Quan hệ với chủ hộ",
    "id_number": "Số CCCD",
    "phone": "Điện thoại",
    "school_level": "Trình độ",
    "occupation": "Nghề nghiệp",
}


def _warn_differences(
    row: _Row, existing: dict[str, Any], incoming: dict[str, Any], plan: ImportPlan
) -> None:
    """A person written twice in one file with another value the second time: the first
    is kept, and the other value is listed rather than dropped in silence."""
    for key, label in _COMPARED.items():
        value = incoming.get(key)
        if value is None or existing.get(key) in (None, value):
            continue
        plan.warnings.append(
            ImportWarning(
                row.sheet,
                row.number,
                label,
                str(value),
                f"Người này đã có ở dòng trên với {label.lower()} “{existing.get(key)}”: "
                "giữ giá trị trên, chưa dùng giá trị của dòng này.",
            )
        )


def _household_for(
    group: _Group, registry: _Registry, plan: ImportPlan, claimed: set[int]
) -> tuple[int | None, bool, bool]:
    """The household a group belongs to: (id, is new, is changed); id None when none.

    Known households are found by, in order: the uuid (when the sheet carries it); the
    household number in the hamlet, when the head's name agrees; a person of the group
    known by ID number; the head's name in the hamlet. Heads of the same name in one
    hamlet are told apart by the head's birth year, the household number, the phone or
    address, and — when nothing else differs — one household per group, so two such
    households never merge into one."""
    if group.head_name is None and group.head is None:
        return None, False, False
    first = group.rows[group.head or 0] if group.rows else None
    if first is None:
        return None, False, False
    hamlet_id = _hamlet_id(first.hamlet, registry, plan)
    head_name = group.head_name or first.person["full_name"]
    found_id = group.known
    if found_id is None and registry.sheet_uuids:
        found_id = next(
            (
                registry.household_uuids[r.household_uuid]
                for r in group.rows
                if r.household_uuid and r.household_uuid in registry.household_uuids
            ),
            None,
        )
    if found_id is None and first.code:
        by_code = registry.household_codes.get((hamlet_id, first.code))
        if by_code is not None and (
            vntext.fold(registry.household_rows[by_code]["head_name"]) == vntext.fold(head_name)
        ):
            found_id = by_code
    if found_id is None:
        for row in group.rows:
            id_number = row.person["id_number"]
            if id_number and id_number in registry.by_id_number:
                found = registry.by_id_number[id_number].get("household_id")
                if found is not None and found in registry.household_rows:
                    found_id = found
                    break
    if found_id is None:
        found_id = _by_head(group, first, hamlet_id, head_name, registry, claimed)
    if found_id is not None:
        changed = _update_household(found_id, first, registry, plan, _circumstance_of(group))
        return found_id, False, changed
    new_id = registry.new_id("household")
    values = {
        "id": new_id,
        "code": first.code,
        "hamlet_id": hamlet_id,
        "clan_id": None,
        "head_person_id": None,
        "head_name": head_name,
        "address": first.address,
        "phone": _phone(first.phone),
        "note": first.household_note,
        "circumstance": _circumstance_of(group) or "",
    }
    _derive_household(values)
    plan.household_rows.append(values)
    registry.add_household(values)
    return new_id, True, False


def _split_by_known(group: _Group, registry: _Registry, plan: ImportPlan) -> list[_Group]:
    """A "Chủ hộ" column gathers the people of two heads of the same name in one hamlet
    (an exported people list with no household numbers): the people already in the
    registry say which household each row is; the group splits along them."""
    if not group.by_head or not group.rows or group.head_name is None:
        return [group]
    hamlet_id = _hamlet_id(group.rows[0].hamlet, registry, plan)
    candidates = registry.households.get((hamlet_id, vntext.fold(group.head_name)), [])
    if len(candidates) < 2:
        return [group]
    homes: list[int | None] = []
    for row in group.rows:
        p = row.person
        home = None
        known = registry.person_uuids.get(row.uuid) if row.uuid else None
        if known is None and p["id_number"]:
            known = registry.by_id_number.get(p["id_number"])
        if known is not None and known.get("household_id") in candidates:
            home = known["household_id"]
        elif p["birth_year"] is not None:
            hits = [h for h in candidates if registry.find(p["full_name"], p["birth_year"], h)]
            home = hits[0] if len(hits) == 1 else None
        homes.append(home)
    if len({h for h in homes if h is not None}) < 2:
        return [group]
    head_home = homes[group.head] if group.head is not None else None
    parts: dict[int | None, _Group] = {}
    for row, home in zip(group.rows, homes, strict=True):
        home = home if home is not None else head_home
        part = parts.get(home)
        if part is None:
            part = parts[home] = _Group(head_name=group.head_name, by_head=True, known=home)
        if part.head is None and _is_head_text(row.person["relation"]):
            part.head = len(part.rows)
        part.rows.append(row)
    return list(parts.values())


def _by_head(
    group: _Group,
    first: _Row,
    hamlet_id: int | None,
    head_name: str,
    registry: _Registry,
    claimed: set[int],
) -> int | None:
    """The known household of this head's name in the hamlet that fits the group best."""
    candidates = registry.households.get((hamlet_id, vntext.fold(head_name)), [])
    best, best_score = None, -1
    phone = _phone(first.phone)
    for household_id in candidates:
        current = registry.household_rows[household_id]
        if first.code and current.get("code") and current["code"] != first.code:
            continue
        if not _same_head(household_id, first, group, registry):
            continue
        score = 0
        year = first.person["birth_year"]
        if group.head is not None and year is not None:
            head = registry.find(first.person["full_name"], year, household_id)
            score += 4 if head is not None else 0
        if phone and current.get("phone") == phone:
            score += 2
        if first.address and current.get("address") == first.address:
            score += 2
        if household_id not in claimed:
            score += 1
        if score > best_score:
            best, best_score = household_id, score
    return best


def _circumstance_of(group: _Group) -> str | None:
    """The household's circumstances: from its head row, else the first row giving it."""
    rows = group.rows
    if group.head is not None and rows[group.head].circumstance is not None:
        return rows[group.head].circumstance
    return next((r.circumstance for r in rows if r.circumstance is not None), None)


def _same_head(household_id: int, first: _Row, group: _Group, registry: _Registry) -> bool:
    """Namesake heads are common: a known birth year, or ID number, on both sides must
    agree."""
    if group.head is None:
        return True
    head_id = registry.household_rows[household_id].get("head_person_id")
    head = registry.by_person_id.get(head_id) if head_id is not None else None
    if head is None:
        return True
    year, id_number = first.person["birth_year"], first.person["id_number"]
    if id_number and head["id_number"] and head["id_number"] != id_number:
        return False
    return year is None or head["birth_year"] in (None, year)


def _phone(value: str | None) -> str | None:
    from app.core.registry.people import clean_phone

    try:
        return clean_phone(value)
    except ValidationError:
        return None


def _derive_household(row: dict[str, Any]) -> None:
    row["search_text"] = vntext.search_blob(
        row["head_name"], row["address"], row["phone"], row["code"]
    )
    row["sort_key"] = vntext.sort_key(row["head_name"])


def _update_household(
    household_id: int,
    first: _Row,
    registry: _Registry,
    plan: ImportPlan,
    circumstance: str | None = None,
) -> bool:
    """Plan the household's changes from its head row; whether anything changes."""
    current = registry.household_rows[household_id]
    incoming = {
        "code": first.code,
        "address": first.address,
        "phone": _phone(first.phone),
        "circumstance": circumstance,
        "note": first.household_note,
    }
    changes = {k: v for k, v in incoming.items() if v is not None and current.get(k) != v}
    if not changes:
        return False
    current.update(changes)
    keys = ("id", "code", "address", "phone", "head_name", "circumstance", "note")
    row = {k: current.get(k) for k in keys}
    _derive_household(row)
    plan.household_updates.append(row)
    return True


def _plan_hamlets(
    rows: list[tuple[str, int, dict[str, Cell]]], registry: _Registry, plan: ImportPlan
) -> None:
    seen: set[str] = set()
    for sheet, number, values in rows:
        name = vntext.normalise_name(cells.as_text(values.get("name")))
        if not name:
            plan.rejected.append(Rejected(sheet, number, "Thiếu tên thôn/tổ dân phố."))
            continue
        kind_text = cells.as_text(values.get("hamlet_kind"))
        kind = _KIND_BY_LABEL.get(vntext.fold(kind_text)) if kind_text else None
        if kind_text and kind is None:
            plan.rejected.append(Rejected(sheet, number, f"Loại “{kind_text}” không rõ."))
            continue
        note = cells.as_text(values.get("note"))
        folded = vntext.fold(name)
        if folded in seen:
            plan.duplicates += 1
            continue
        seen.add(folded)
        found = registry.hamlets.get(folded)
        if found is None:
            new_id = registry.new_id("hamlet")
            plan.hamlet_rows.append(_hamlet_row(new_id, name, kind or "thon", note))
            plan.added += 1
            continue
        current = registry.hamlet_rows[found]
        changes = {
            k: v
            for k, v in (("kind", kind), ("note", note))
            if v is not None and current.get(k) != v
        }
        if not changes:
            plan.duplicates += 1
            continue
        plan.hamlet_updates.append({**current, **changes})
        plan.updated += 1


# --- applying --------------------------------------------------------------------------


@without_gc
def apply_import(
    db: Database,
    plan: ImportPlan,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    remember: bool = True,
) -> ImportPlan:
    """Write the plan in one transaction; all or nothing. Returns the plan."""
    if plan.entities is not None:
        with db.connect() as conn:
            if _mark(conn) != plan.mark:
                raise UserError(
                    "Dữ liệu đã thay đổi từ lúc xem trước. Hãy xem trước lại rồi mới nhập."
                )
        apply_entities(db, plan.kind, plan.entities, progress, cancel)
        if remember:
            for shape_key, mapping in plan.mappings.values():
                save_mapping(db, shape_key, mapping)
        return plan
    now = utcnow()
    total = (
        len(plan.hamlet_rows)
        + len(plan.hamlet_updates)
        + len(plan.household_rows)
        + len(plan.household_updates)
        + len(plan.person_rows)
        + len(plan.person_updates)
    )
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, max(total, 1))
        if cancel is not None and cancel():
            raise ImportCancelled()

    with db.connect() as conn:
        if _mark(conn) != plan.mark:
            raise UserError("Dữ liệu đã thay đổi từ lúc xem trước. Hãy xem trước lại rồi mới nhập.")
        seq = reserve_change_seqs(conn, total)
        # A new household names its head, who is inserted after it: the foreign key
        # is checked at COMMIT (this transaction only), so no second pass of UPDATEs.
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        stamp = (db.commune_code, sql_value(now), sql_value(now), 1, 0, None)
        for model, rows in (
            (Hamlet, plan.hamlet_rows),
            (Household, plan.household_rows),
            (Person, plan.person_rows),
        ):
            for batch in _chunks(rows, BATCH):
                insert_rows(conn, model.__tablename__, batch, stamp, seq)
                seq += len(batch)
                step(len(batch))
        seq = _updates(conn, Hamlet, plan.hamlet_updates, ("kind", "note"), seq, now, step)
        seq = _updates(
            conn,
            Household,
            plan.household_updates,
            ("code", "address", "phone", "circumstance", "note", "search_text", "sort_key"),
            seq,
            now,
            step,
        )
        _updates(conn, Person, plan.person_updates, _PERSON_FIELDS, seq, now, step)
        _propagate_heads(conn, plan)
        _propagate_members(conn, plan, now)
        record_summary(conn, db.actor, _IMPORT_ENTITY.get(plan.kind, plan.kind), _audit_text(plan))
    if remember:
        for shape_key, mapping in plan.mappings.values():
            save_mapping(db, shape_key, mapping)
    return plan


_IMPORT_ENTITY = {"households": "household", "people": "person", "hamlets": "hamlet"}


def _audit_text(plan: ImportPlan) -> str:
    """The one audit row of an import (a row per record would double its time)."""
    return (
        f"Nhập từ Excel ({plan.kind}): thêm {len(plan.hamlet_rows)} thôn, "
        f"{len(plan.household_rows)} hộ, {len(plan.person_rows)} nhân khẩu; cập nhật "
        f"{len(plan.hamlet_updates)} thôn, {len(plan.household_updates)} hộ, "
        f"{len(plan.person_updates)} nhân khẩu"
    )


STAMP_COLUMNS = ("commune_code", "created_at", "updated_at", "revision", "deleted", "deleted_at")


def insert_rows(
    conn: Connection,
    table: str,
    rows: Sequence[dict[str, Any]],
    stamp: tuple[Any, ...],
    first_seq: int,
) -> None:
    """One executemany straight to the driver: the rows are already plain and checked,
    and SQLAlchemy's per-row parameter processing would cost more than the INSERT.
    Each row gets the ``stamp`` values (:data:`STAMP_COLUMNS`), a fresh uuid and the
    next change number."""
    if not rows:
        return
    columns = list(rows[0])
    get = itemgetter(*columns)
    dates = [i for i, c in enumerate(columns) if c in _DATE_COLUMNS]
    order = [*columns, *STAMP_COLUMNS, "uuid", "change_seq"]
    sql = f"INSERT INTO {table} ({', '.join(order)}) VALUES ({', '.join('?' for _ in order)})"
    params = []
    for row, uuid, seq in zip(rows, new_uuids(len(rows)), count(first_seq), strict=False):
        values = get(row)
        for i in dates:
            if values[i] is not None:
                values = (*values[:i], values[i].isoformat(), *values[i + 1 :])
        params.append((*values, *stamp, uuid, seq))
    conn.exec_driver_sql(sql, params)


_DATE_COLUMNS = frozenset({"birth_date"})
_UUID_VARIANT = {f"{i:x}": f"{8 | (i & 3):x}" for i in range(16)}


def new_uuids(n: int) -> list[str]:
    """``n`` random (version 4) uuids as text, like ``str(uuid.uuid4())``, in one go."""
    raw = os.urandom(16 * n).hex()
    out = []
    for start in range(0, 32 * n, 32):
        h = raw[start : start + 32]
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_UUID_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return out


def _updates(
    conn: Connection,
    model: Any,
    rows: list[dict[str, Any]],
    fields: Sequence[str],
    seq: int,
    now: dt.datetime,
    step: Callable[[int], None],
) -> int:
    if not rows:
        return seq
    stmt = (
        update(model)
        .where(model.id == bindparam("row_id"))
        .values(
            {name: bindparam(f"v_{name}") for name in fields}
            | {
                "revision": model.revision + 1,
                "change_seq": bindparam("v_change_seq"),
                "updated_at": now,
            }
        )
        .execution_options(synchronize_session=False)
    )
    for batch in _chunks(rows, BATCH):
        payload = []
        for row in batch:
            item = {f"v_{name}": row.get(name) for name in fields}
            item["row_id"] = row["id"]
            item["v_change_seq"] = seq
            seq += 1
            payload.append(item)
        conn.execute(stmt, payload)
        step(len(batch))
    return seq


def _propagate_heads(conn: Connection, plan: ImportPlan) -> None:
    """A renamed head renames the household (kept for fast lists)."""
    renamed = {row["id"]: row["full_name"] for row in plan.person_updates}
    if not renamed:
        return
    for household_id, head_name, person_id, code, address, phone in conn.execute(
        select(
            Household.id,
            Household.head_name,
            Household.head_person_id,
            Household.code,
            Household.address,
            Household.phone,
        ).where(Household.head_person_id.in_(list(renamed)))
    ):
        name = renamed[person_id]
        if name == head_name:
            continue
        conn.execute(
            update(Household)
            .where(Household.id == household_id)
            .values(
                head_name=name,
                sort_key=vntext.sort_key(name),
                search_text=vntext.search_blob(name, address, phone, code),
            )
        )


_MEMBER_FIELDS = ("full_name", "birth_year", "gender", "sort_key", "search_text")


def _propagate_members(conn: Connection, plan: ImportPlan, now: dt.datetime) -> None:
    """A renamed (re-dated, re-gendered) person renames the member linked to them, as
    the services do (``households._propagate_name``): one query per 500 people, one
    executemany for the members that change."""
    people = {row["id"]: row for row in plan.person_updates}
    changes = []
    for chunk in _chunks(list(people), 500):
        for member_id, person_id, name, year, gender, card, phone in conn.execute(
            select(
                Member.id,
                Member.person_id,
                Member.full_name,
                Member.birth_year,
                Member.gender,
                Member.card_number,
                Member.phone,
            ).where(Member.person_id.in_(chunk))
        ):
            person = people[person_id]
            if (name, year, gender) == (
                person["full_name"],
                person["birth_year"],
                person["gender"],
            ):
                continue
            changes.append(
                {
                    "id": member_id,
                    "full_name": person["full_name"],
                    "birth_year": person["birth_year"],
                    "gender": person["gender"],
                    "sort_key": person["sort_key"],
                    "search_text": vntext.search_blob(person["full_name"], card, phone),
                }
            )
    if changes:
        seq = reserve_change_seqs(conn, len(changes))
        _updates(conn, Member, changes, _MEMBER_FIELDS, seq, now, lambda _count: None)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_file(
    db: Database,
    path: Path,
    kind: str,
    mappings: dict[str, list[str | None]] | None = None,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    hamlets: dict[str, str | None] | None = None,
) -> ImportPlan:
    """Plan, and unless ``dry_run`` apply, in one call (CLI, tests)."""
    plan = plan_import(db, path, kind, mappings, progress=progress, cancel=cancel, hamlets=hamlets)
    if not dry_run:
        apply_import(db, plan, progress=progress, cancel=cancel)
    return plan
