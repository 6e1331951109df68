"""Criteria sets as versioned data: the document structure, its validation, the shipped files.

A criteria set is a JSON document (``resources/criteria/*.json``, described by
``resources/criteria/schema.json``)::

    {"code", "version", "model", "title", "source": {"number", "date", "issuer"},
     "valid_from", "valid_to", "recognition_years", "status", "variants": [...],
     "total" (optional: the declared total; the items' points must add up to it),
     "result": {"kind": "pass_mark" | "bands" | "levels", ...},
     "groups": [{"code", "title", "min", "criteria": [{"code", "title", "min",
                 "items": [{"code", "title", "kind", "max", "step", "min", "required",
                            "computation", "threshold", "level", "status",
                            "provenance", "note", "figures"}]}]}]}

Item kinds: ``points`` (0..max by step), ``yesno`` (max points when yes) and
``computed`` (a named share computed from the registries; full points when the
share reaches ``threshold``, else proportional by step when no threshold).
Validation collects every problem and reports them in Vietnamese at once.

Provenance is kept item by item: an item taken from a text names it in
``provenance``; an item the project (or the commune) built itself says
``"status": "tự xây dựng"`` with a ``note`` saying why, and cites no text. A new
document (a shipped file, a province's file, an edited copy) is refused when an
item does neither; rows already stored are read back without that rule so an
assessment made under an older version can always be shown.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.assessment import MODELS
from app.core.errors import ValidationError

ITEM_KINDS = {"points": "chấm điểm", "yesno": "có/không", "computed": "tính từ sổ"}
RESULT_KINDS = ("pass_mark", "bands", "levels")
STATUS_CONFIRMED = "đã xác nhận"
STATUS_TO_CHECK = "cần đối chiếu"
STATUS_PROVINCE = "theo hướng dẫn của tỉnh"
STATUS_BUILT = "tự xây dựng"
STATUSES = (STATUS_CONFIRMED, STATUS_TO_CHECK, STATUS_PROVINCE, STATUS_BUILT)
NOT_APPLICABLE = "không áp dụng"

# Figures a screen can show beside an item (``"figures"``): counted from the registries
# for the commune's own assessment, never scored by themselves.
FIGURE_NAMES: tuple[str, ...] = (
    "literacy_15_60",
    "literacy_15_35",
    "children_in_school_by_age",
    "centre_sessions",
    "week_activities",
    "learning_models",
)

# Named computations over the registries, by the model whose entities they describe.
COMPUTATIONS: dict[str, tuple[str, str]] = {
    "children_in_school": ("learning_family", "Tỷ lệ trẻ 6–17 tuổi trong hộ đang đi học"),
    "adults_literate": ("learning_family", "Tỷ lệ người 19–60 tuổi trong hộ biết chữ"),
    "clan_learning_families": ("learning_clan", "Tỷ lệ hộ trong họ đạt Gia đình học tập"),
    "clan_registered_families": ("learning_clan", "Tỷ lệ hộ trong họ đăng ký GĐHT"),
    "clan_children_in_school": ("learning_clan", "Tỷ lệ trẻ 6–17 tuổi trong họ đi học"),
    "hamlet_learning_families": ("learning_community", "Tỷ lệ hộ trong thôn đạt GĐHT"),
    "hamlet_learning_clans": ("learning_community", "Tỷ lệ dòng họ trong thôn đạt DHHT"),
    "hamlet_member_share": ("learning_community", "Hội viên trên dân số của thôn"),
    "hamlet_children_in_school": ("learning_community", "Tỷ lệ trẻ 6–17 tuổi trong thôn đi học"),
    "commune_learning_families": ("commune_learning_community", "Tỷ lệ hộ đạt GĐHT"),
    "commune_learning_clans": ("commune_learning_community", "Tỷ lệ dòng họ đạt DHHT"),
    "commune_learning_communities": ("commune_learning_community", "Tỷ lệ thôn đạt CĐHT"),
    "commune_learning_units": ("commune_learning_community", "Tỷ lệ đơn vị đạt ĐVHT"),
    "commune_member_share": ("commune_learning_community", "Hội viên trên dân số của xã"),
    "commune_children_in_school": ("commune_learning_community", "Tỷ lệ trẻ 6–17 tuổi đi học"),
    "unit_learning_citizens": (
        "learning_unit",
        "Tỷ lệ người làm việc tại đơn vị được công nhận Công dân học tập",
    ),
}


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    kind: str
    max: float
    step: float = 1.0
    min: float | None = None
    required: bool = False
    computation: str | None = None
    threshold: float | None = None
    level: int | None = None
    status: str = STATUS_CONFIRMED
    provenance: str = ""
    note: str = ""
    figures: tuple[str, ...] = ()
    # A computed item with nothing to measure: "not_applicable" (full points, e.g. a
    # household with no school-age child) or "missing" (no figures yet: a unit with
    # nobody linked to it must not pass on an empty count).
    when_empty: str = "not_applicable"

    @property
    def origin_text(self) -> str:
        """Where the item comes from, for screens and printouts."""
        if self.status == STATUS_BUILT:
            return f"Tự xây dựng: {self.note}" if self.note else "Tự xây dựng"
        parts = [p for p in (self.provenance, self.note) if p]
        return " — ".join(parts) if parts else "Chưa ghi nguồn"


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str
    items: tuple[Item, ...]
    min: float | None = None

    @property
    def max(self) -> float:
        return round(sum(i.max for i in self.items), 4)


@dataclass(frozen=True)
class Group:
    code: str
    title: str
    criteria: tuple[Criterion, ...]
    min: float | None = None

    @property
    def max(self) -> float:
        return round(sum(c.max for c in self.criteria), 4)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for c in self.criteria for i in c.items)


@dataclass(frozen=True)
class Band:
    label: str
    min: float


@dataclass(frozen=True)
class Level:
    level: int
    label: str


@dataclass(frozen=True)
class ResultRule:
    kind: str
    pass_mark: float | None = None
    bands: tuple[Band, ...] = ()
    levels: tuple[Level, ...] = ()
    pass_label: str = "Đạt"
    fail_label: str = "Không đạt"
    status: str = STATUS_CONFIRMED


@dataclass(frozen=True)
class Source:
    number: str
    date: str
    issuer: str
    note: str = ""


@dataclass(frozen=True)
class CriteriaSetDoc:
    """A validated criteria set; ``raw`` is the document it was read from."""

    code: str
    version: int
    model: str
    title: str
    source: Source
    valid_from: int
    valid_to: int | None
    recognition_years: int
    status: str
    result: ResultRule
    groups: tuple[Group, ...]
    variants: tuple[tuple[str, str], ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # Cached: the engine asks for these once per scored entity (tens of thousands).
    @functools.cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for g in self.groups for i in g.items)

    @functools.cached_property
    def item_codes(self) -> frozenset[str]:
        return frozenset(i.code for i in self.items)

    @functools.cached_property
    def max(self) -> float:
        return round(sum(g.max for g in self.groups), 4)

    @functools.cached_property
    def _by_code(self) -> dict[str, Item]:
        return {i.code: i for i in self.items}

    def item(self, code: str) -> Item:
        return self._by_code[code]

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    @property
    def needs_checking(self) -> bool:
        return self.status != STATUS_CONFIRMED or any(
            i.status != STATUS_CONFIRMED for i in self.items
        )

    def content_hash(self) -> str:
        return content_hash(self.raw)


def content_hash(raw: dict[str, Any]) -> str:
    text = json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- validation ---------------------------------------------------------------------


class _Checker:
    """Reads a raw document, collecting Vietnamese messages instead of stopping at one."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def text(self, obj: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(where, f"thiếu trường “{key}”.")
            return ""
        if not isinstance(value, str):
            self.fail(where, f"trường “{key}” phải là chữ.")
            return ""
        return value.strip()

    def number(
        self, obj: dict[str, Any], key: str, where: str, required: bool = False
    ) -> float | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(where, f"thiếu trường “{key}”.")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, f"trường “{key}” phải là số.")
            return None
        if value < 0:
            self.fail(where, f"trường “{key}” không được âm.")
            return None
        return float(value)

    def integer(
        self, obj: dict[str, Any], key: str, where: str, required: bool = False
    ) -> int | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(where, f"thiếu trường “{key}”.")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"trường “{key}” phải là số nguyên.")
            return None
        return value

    def status(self, obj: dict[str, Any], where: str) -> str:
        value = obj.get("status", STATUS_CONFIRMED)
        if value not in STATUSES:
            self.fail(where, f"trạng thái “{value}” không hợp lệ (dùng: {', '.join(STATUSES)}).")
            return STATUS_TO_CHECK
        return str(value)

    def items_list(self, obj: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        value = obj.get(key)
        if not isinstance(value, list) or not value:
            self.fail(where, f"cần ít nhất một phần tử trong “{key}”.")
            return []
        good = [v for v in value if isinstance(v, dict)]
        if len(good) != len(value):
            self.fail(where, f"mỗi phần tử của “{key}” phải là một đối tượng.")
        return good


def _is_multiple(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-6


def parse_criteria_set(raw: Any, *, strict: bool = True) -> CriteriaSetDoc:
    """Validate a raw document; raises ValidationError listing every problem.

    ``strict`` (every new document) also enforces item provenance; ``False`` is for
    rows already stored, which were accepted under the rules of their day.
    """
    if not isinstance(raw, dict):
        raise ValidationError("Bộ tiêu chí phải là một đối tượng JSON.")
    ck = _Checker()
    code = ck.text(raw, "code", "Bộ tiêu chí")
    where = f"Bộ tiêu chí “{code or '?'}”"
    version = ck.integer(raw, "version", where, required=True) or 1
    if version < 1:
        ck.fail(where, "phiên bản phải từ 1 trở lên.")
    model = ck.text(raw, "model", where)
    if model and model not in MODELS:
        ck.fail(where, f"mô hình “{model}” không có (dùng: {', '.join(MODELS)}).")
    title = ck.text(raw, "title", where)
    source_raw = raw.get("source")
    if not isinstance(source_raw, dict):
        ck.fail(where, "thiếu văn bản nguồn (“source”: số, ngày, cơ quan ban hành).")
        source_raw = {}
    source = Source(
        number=ck.text(source_raw, "number", where + ", nguồn"),
        date=ck.text(source_raw, "date", where + ", nguồn", required=False),
        issuer=ck.text(source_raw, "issuer", where + ", nguồn"),
        note=ck.text(source_raw, "note", where + ", nguồn", required=False),
    )
    valid_from = ck.integer(raw, "valid_from", where, required=True) or 0
    valid_to = ck.integer(raw, "valid_to", where)
    if valid_to is not None and valid_to < valid_from:
        ck.fail(where, f"năm hết hiệu lực {valid_to} trước năm bắt đầu {valid_from}.")
    recognition_years = ck.integer(raw, "recognition_years", where, required=True) or 1
    if recognition_years < 1:
        ck.fail(where, "thời hạn công nhận phải từ 1 năm trở lên.")
    status = ck.status(raw, where)
    variants = _parse_variants(ck, raw, where)
    groups = _parse_groups(ck, raw, where, model, strict)
    doc_max = round(sum(g.max for g in groups), 4)
    total = ck.number(raw, "total", where)
    if total is not None and abs(total - doc_max) > 1e-6:
        ck.fail(where, f"tổng điểm các mục là {doc_max:g}, khác tổng điểm của bộ ({total:g}).")
    result = _parse_result(ck, raw.get("result"), where, doc_max, groups)
    if ck.problems:
        raise ValidationError("Bộ tiêu chí không hợp lệ:\n- " + "\n- ".join(ck.problems))
    return CriteriaSetDoc(
        code=code,
        version=version,
        model=model,
        title=title,
        source=source,
        valid_from=valid_from,
        valid_to=valid_to,
        recognition_years=recognition_years,
        status=status,
        result=result,
        groups=groups,
        variants=variants,
        raw=raw,
    )


def _parse_variants(ck: _Checker, raw: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    value = raw.get("variants", [])
    if not isinstance(value, list):
        ck.fail(where, "“variants” phải là một danh sách.")
        return ()
    out = []
    for v in value:
        if not isinstance(v, dict) or not v.get("code") or not v.get("title"):
            ck.fail(where, "mỗi mẫu phiếu (“variants”) cần “code” và “title”.")
            continue
        out.append((str(v["code"]), str(v["title"])))
    return tuple(out)


def _parse_groups(
    ck: _Checker, raw: dict[str, Any], where: str, model: str, strict: bool
) -> tuple[Group, ...]:
    seen: set[str] = set()
    group_codes: set[str] = set()
    groups = []
    for g in ck.items_list(raw, "groups", where):
        g_code = ck.text(g, "code", where + ", nhóm")
        g_where = f"{where}, nhóm {g_code or '?'}"
        if g_code and g_code in group_codes:
            ck.fail(g_where, "mã nhóm bị trùng.")
        group_codes.add(g_code)
        criteria = []
        for c in ck.items_list(g, "criteria", g_where):
            c_code = ck.text(c, "code", g_where + ", tiêu chí")
            c_where = f"{where}, tiêu chí {c_code or '?'}"
            items = tuple(
                _parse_item(ck, i, c_where, model, seen, strict)
                for i in ck.items_list(c, "items", c_where)
            )
            crit = Criterion(
                code=c_code,
                title=ck.text(c, "title", c_where),
                items=items,
                min=ck.number(c, "min", c_where),
            )
            if crit.min is not None and crit.min > crit.max:
                ck.fail(c_where, f"điểm tối thiểu {crit.min:g} lớn hơn tổng điểm {crit.max:g}.")
            criteria.append(crit)
        group = Group(
            code=g_code,
            title=ck.text(g, "title", g_where),
            criteria=tuple(criteria),
            min=ck.number(g, "min", g_where),
        )
        if group.min is not None and group.min > group.max:
            ck.fail(g_where, f"điểm tối thiểu {group.min:g} lớn hơn tổng điểm {group.max:g}.")
        groups.append(group)
    return tuple(groups)


def _parse_item(
    ck: _Checker, i: dict[str, Any], where: str, model: str, seen: set[str], strict: bool
) -> Item:
    code = ck.text(i, "code", where + ", mục")
    i_where = f"{where}, mục {code or '?'}"
    if code in seen:
        ck.fail(i_where, "mã mục bị trùng.")
    seen.add(code)
    kind = ck.text(i, "kind", i_where)
    if kind and kind not in ITEM_KINDS:
        ck.fail(i_where, f"loại “{kind}” không có (dùng: {', '.join(ITEM_KINDS)}).")
    max_points = ck.number(i, "max", i_where, required=True) or 0.0
    step = ck.number(i, "step", i_where)
    step = step if step is not None else 1.0
    if step <= 0:
        ck.fail(i_where, "bước điểm phải lớn hơn 0.")
        step = 1.0
    elif kind != "yesno" and not _is_multiple(max_points, step):
        ck.fail(i_where, f"điểm tối đa {max_points:g} không chia hết cho bước {step:g}.")
    min_points = ck.number(i, "min", i_where)
    if min_points is not None and min_points > max_points:
        ck.fail(i_where, f"điểm tối thiểu {min_points:g} lớn hơn điểm tối đa {max_points:g}.")
    computation = i.get("computation")
    threshold = ck.number(i, "threshold", i_where)
    if kind == "computed":
        if computation not in COMPUTATIONS:
            ck.fail(i_where, f"phép tính “{computation}” không có.")
        elif model and COMPUTATIONS[str(computation)][0] != model:
            ck.fail(i_where, f"phép tính “{computation}” không dùng được cho mô hình này.")
        if threshold is not None and threshold > 1:
            ck.fail(i_where, "ngưỡng tỷ lệ phải trong khoảng 0–1.")
    level = ck.integer(i, "level", i_where)
    status = ck.status(i, i_where)
    provenance = ck.text(i, "provenance", i_where, required=False)
    note = ck.text(i, "note", i_where, required=False)
    if strict:
        _check_provenance(ck, i, i_where, status, provenance, note)
    when_empty = i.get("when_empty", "not_applicable")
    if when_empty not in ("not_applicable", "missing"):
        ck.fail(i_where, "“when_empty” chỉ nhận “not_applicable” hoặc “missing”.")
        when_empty = "not_applicable"
    figures = i.get("figures", [])
    if not isinstance(figures, list) or any(f not in FIGURE_NAMES for f in figures):
        ck.fail(i_where, f"“figures” chỉ dùng các số liệu: {', '.join(FIGURE_NAMES)}.")
        figures = []
    return Item(
        code=code,
        title=ck.text(i, "title", i_where),
        kind=kind,
        max=max_points,
        step=step,
        min=min_points,
        required=bool(i.get("required", False)),
        computation=str(computation) if computation else None,
        threshold=threshold,
        level=level,
        status=status,
        provenance=provenance,
        note=note,
        figures=tuple(str(f) for f in figures),
        when_empty=str(when_empty),
    )


def _check_provenance(
    ck: _Checker, i: dict[str, Any], where: str, status: str, provenance: str, note: str
) -> None:
    """An item cites its text, or says it was built here and why; never neither."""
    if status == STATUS_BUILT:
        if provenance:
            ck.fail(where, "mục “tự xây dựng” không ghi văn bản nguồn (bỏ “provenance”).")
        if not note:
            ck.fail(where, "mục “tự xây dựng” cần ghi chú lý do (“note”).")
    elif not provenance:
        if "status" not in i:
            ck.fail(where, "chưa ghi nguồn (“provenance”) cũng chưa ghi trạng thái (“status”).")
        elif status == STATUS_CONFIRMED:
            ck.fail(where, "mục “đã xác nhận” phải ghi văn bản nguồn (“provenance”).")


def _parse_result(
    ck: _Checker, raw: Any, where: str, doc_max: float, groups: tuple[Group, ...]
) -> ResultRule:
    r_where = where + ", cách xếp loại"
    if not isinstance(raw, dict):
        ck.fail(where, "thiếu cách xếp loại (“result”).")
        return ResultRule(kind="pass_mark")
    kind = ck.text(raw, "kind", r_where)
    if kind and kind not in RESULT_KINDS:
        ck.fail(r_where, f"loại “{kind}” không có (dùng: {', '.join(RESULT_KINDS)}).")
    pass_mark = ck.number(raw, "pass_mark", r_where, required=kind == "pass_mark")
    if pass_mark is not None and pass_mark > doc_max:
        ck.fail(r_where, f"điểm đạt {pass_mark:g} lớn hơn tổng điểm {doc_max:g}.")
    bands = []
    for b in raw.get("bands", []) if isinstance(raw.get("bands"), list) else []:
        if not isinstance(b, dict):
            continue
        band = Band(label=ck.text(b, "label", r_where), min=ck.number(b, "min", r_where) or 0.0)
        if band.min > doc_max:
            ck.fail(r_where, f"mức “{band.label}” từ {band.min:g} vượt tổng điểm {doc_max:g}.")
        bands.append(band)
    if kind == "bands":
        if not bands:
            ck.fail(r_where, "cần ít nhất một mức xếp loại (“bands”).")
        if any(a.min <= b.min for a, b in itertools.pairwise(bands)):
            ck.fail(r_where, "các mức xếp loại phải xếp từ cao xuống thấp.")
    levels = []
    for lv in raw.get("levels", []) if isinstance(raw.get("levels"), list) else []:
        if isinstance(lv, dict):
            levels.append(
                Level(
                    level=ck.integer(lv, "level", r_where, required=True) or 0,
                    label=ck.text(lv, "label", r_where),
                )
            )
    if kind == "levels":
        if not levels:
            ck.fail(r_where, "cần ít nhất một mức độ (“levels”).")
        known = {lv.level for lv in levels}
        for item in (i for g in groups for i in g.items):
            if item.level is not None and item.level not in known:
                ck.fail(r_where, f"mục {item.code} thuộc mức độ {item.level} không khai báo.")
    return ResultRule(
        kind=kind,
        pass_mark=pass_mark,
        bands=tuple(bands),
        levels=tuple(sorted(levels, key=lambda lv: lv.level)),
        pass_label=str(raw.get("pass_label") or "Đạt"),
        fail_label=str(raw.get("fail_label") or "Không đạt"),
        status=ck.status(raw, r_where),
    )


# --- files --------------------------------------------------------------------------


def criteria_dir() -> Path:
    from app import paths

    return paths.resources_dir() / "criteria"


def read_criteria_file(path: Path) -> CriteriaSetDoc:
    """Read and validate one file; a broken file gets a message naming it."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError(f"Không đọc được tệp “{path}”: {exc.strerror or exc}.") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(
            f"Tệp “{Path(path).name}” không phải JSON hợp lệ (dòng "
            f"{getattr(exc, 'lineno', '?')}): {exc}."
        ) from exc
    try:
        return parse_criteria_set(raw)
    except ValidationError as err:
        raise ValidationError(f"Tệp “{Path(path).name}”: {err.message}") from err


def _builtin_files() -> list[Path]:
    return [p for p in sorted(criteria_dir().glob("*.json")) if p.name != "schema.json"]


def builtin_sets() -> list[CriteriaSetDoc]:
    """The sets shipped with the app, in file-name order (the schema file is skipped)."""
    return [read_criteria_file(p) for p in _builtin_files()]


@functools.cache
def builtin_keys() -> frozenset[tuple[str, int]]:
    """(code, version) of every shipped set, read once per process without validating.

    Opening a workspace asks whether any shipped set is missing; this answers without
    parsing and validating every document (that happens only when one is missing).
    """
    keys: set[tuple[str, int]] = set()
    for path in _builtin_files():
        raw = json.loads(path.read_text(encoding="utf-8"))
        keys.add((str(raw["code"]), int(raw.get("version", 1))))
    return frozenset(keys)
