"""Editing a copy of a criteria set: groups → criteria → items, result rule, declared total.

The editor works on the set's raw document (a deep copy, never the stored row):
each function here changes the draft in place and refuses a change that could
not be right at all (removing the last item of a criterion) with a Vietnamese
message. Everything else — points not adding up to the declared total, a step
that does not divide the maximum, bands out of order — is left to
:func:`app.core.assessment.criteria.parse_criteria_set`, which reports every
problem at once when the draft is checked or saved. Saving always creates the
next version of the set's code (:func:`app.core.assessment.sets.save_edited_copy`).

A position in the draft is a path of indices: ``(g,)`` a group, ``(g, c)`` a
criterion of it, ``(g, c, i)`` an item.
"""

from __future__ import annotations

import copy
from typing import Any

from app.core.assessment.criteria import (
    COMPUTATIONS,
    ITEM_KINDS,
    RESULT_KINDS,
    STATUS_BUILT,
    STATUS_TO_CHECK,
    CriteriaSetDoc,
    parse_criteria_set,
)
from app.core.assessment.sets import CriteriaSetInfo, save_edited_copy
from app.core.db import Database
from app.core.errors import ValidationError

Path = tuple[int, ...]
Raw = dict[str, Any]
EDIT_PROVENANCE = "Xã bổ sung/sửa trong phần mềm"
RESULT_LABELS = {"pass_mark": "Điểm đạt", "bands": "Xếp loại theo mức", "levels": "Theo mức độ"}


def start_draft(doc: CriteriaSetDoc) -> Raw:
    """A private copy of ``doc`` to edit; its declared total starts as today's sum."""
    raw = copy.deepcopy(doc.raw)
    raw.setdefault("total", doc.max)
    return raw


def groups(raw: Raw) -> list[Raw]:
    value = raw.setdefault("groups", [])
    assert isinstance(value, list)
    return value


def node(raw: Raw, path: Path) -> Raw:
    """The group, criterion or item at ``path``."""
    if not 1 <= len(path) <= 3:
        raise ValidationError("Vị trí trong bộ tiêu chí không hợp lệ.")
    try:
        found: Raw = groups(raw)[path[0]]
        if len(path) > 1:
            found = found["criteria"][path[1]]
        if len(path) > 2:
            found = found["items"][path[2]]
    except (IndexError, KeyError, TypeError) as exc:
        raise ValidationError("Không tìm thấy dòng này trong bộ tiêu chí.") from exc
    return found


def _item_codes(raw: Raw) -> set[str]:
    return {
        str(i.get("code"))
        for g in groups(raw)
        for c in g.get("criteria", [])
        for i in c.get("items", [])
    }


def _next_code(prefix: str, taken: set[str]) -> str:
    k = 1
    while f"{prefix}{k}" in taken:
        k += 1
    return f"{prefix}{k}"


def _new_item(raw: Raw, group_code: str, title: str, kind: str, max_points: float) -> Raw:
    if kind not in ("points", "yesno"):
        raise ValidationError("Mục mới chỉ có thể là “chấm điểm” hoặc “có/không”.")
    return {
        "code": _next_code(f"{group_code}.", _item_codes(raw)),
        "title": title.strip() or "Mục mới",
        "kind": kind,
        "max": max_points,
        "step": 1,
        "status": STATUS_TO_CHECK,
        "provenance": EDIT_PROVENANCE,
    }


def add_group(raw: Raw, title: str, item_max: float = 10) -> Path:
    """A new group at the end, with one criterion holding one new item (a set never
    holds an empty group); returns the new item's path."""
    code = _next_code("", {str(g.get("code")) for g in groups(raw)})
    name = title.strip() or "Nhóm mới"
    item = _new_item(raw, code, name, "points", item_max)
    groups(raw).append(
        {"code": code, "title": name, "criteria": [{"code": code, "title": name, "items": [item]}]}
    )
    return (len(groups(raw)) - 1, 0, 0)


def add_criterion(raw: Raw, group: int, title: str, item_max: float = 10) -> Path:
    """A new criterion at the end of ``group``, with one new item; returns the item's path."""
    g = node(raw, (group,))
    criteria = g.setdefault("criteria", [])
    code = _next_code(f"{g.get('code')}-", {str(c.get("code")) for c in criteria})
    name = title.strip() or "Tiêu chí mới"
    criteria.append(
        {
            "code": code,
            "title": name,
            "items": [_new_item(raw, str(g.get("code")), name, "points", item_max)],
        }
    )
    return (group, len(criteria) - 1, 0)


def add_item(
    raw: Raw, criterion: Path, title: str, kind: str = "points", max_points: float = 10
) -> Path:
    """A new item at the end of the criterion at ``criterion`` (a ``(g, c)`` path)."""
    if len(criterion) != 2:
        raise ValidationError("Chọn một tiêu chí (hoặc một mục của nó) để thêm mục.")
    g = node(raw, criterion[:1])
    c = node(raw, criterion)
    items = c.setdefault("items", [])
    items.append(_new_item(raw, str(g.get("code")), title, kind, max_points))
    return (*criterion, len(items) - 1)


def remove(raw: Raw, path: Path) -> None:
    """Remove a group, criterion or item; the last of its kind cannot go (remove the parent)."""
    node(raw, path)
    if len(path) == 1:
        if len(groups(raw)) == 1:
            raise ValidationError("Bộ tiêu chí phải còn ít nhất một nhóm.")
        del groups(raw)[path[0]]
        return
    parent = node(raw, path[:-1])
    key = "criteria" if len(path) == 2 else "items"
    siblings = parent[key]
    if len(siblings) == 1:
        what = "nhóm" if key == "criteria" else "tiêu chí"
        raise ValidationError(
            f"Đây là {'tiêu chí' if key == 'criteria' else 'mục'} duy nhất của {what}; "
            f"hãy xóa cả {what}."
        )
    del siblings[path[-1]]


def move(raw: Raw, path: Path, step: int) -> Path:
    """Move a row up (``-1``) or down (``+1``) among its siblings; returns its new path."""
    node(raw, path)
    siblings = (
        groups(raw)
        if len(path) == 1
        else node(raw, path[:-1])["criteria" if len(path) == 2 else "items"]
    )
    k = path[-1]
    j = max(0, min(len(siblings) - 1, k + step))
    siblings.insert(j, siblings.pop(k))
    return (*path[:-1], j)


def set_field(raw: Raw, path: Path, key: str, value: Any) -> None:
    """Set one field of a row: ``title``, ``min`` (None clears it) and, for items, ``kind``,
    ``max``, ``step``, ``status``, ``provenance``. Numbers are checked when saved."""
    target = node(raw, path)
    allowed = {"title", "min"} | (
        {"kind", "max", "step", "status", "provenance", "required"} if len(path) == 3 else set()
    )
    if key not in allowed:
        raise ValidationError(f"Không sửa được trường “{key}” ở đây.")
    if key == "kind":
        _set_kind(target, str(value))
        return
    if value is None or value == "":
        if key in ("min", "provenance"):
            target.pop(key, None)
            return
        raise ValidationError(f"Trường “{key}” không được để trống.")
    if key == "status" and value == STATUS_BUILT:
        # A built item cites no text: what was its source becomes the note on why.
        cited = target.pop("provenance", "")
        target.setdefault("note", cited or EDIT_PROVENANCE)
    target[key] = value


def _set_kind(item: Raw, kind: str) -> None:
    if kind not in ITEM_KINDS:
        raise ValidationError(
            f"Loại mục “{kind}” không có (dùng: {', '.join(ITEM_KINDS.values())})."
        )
    if kind == "computed" and item.get("computation") not in COMPUTATIONS:
        raise ValidationError(
            "Mục “tính từ sổ” cần một phép tính có sẵn; chỉ đổi được giữa chấm điểm và có/không."
        )
    if kind == "points" and item.get("kind") == "yesno":
        item["step"] = 1  # a yes/no item's step meant nothing; scoring by points starts at 1
    item["kind"] = kind


def set_result(
    raw: Raw,
    kind: str,
    pass_mark: float | None = None,
    bands: list[tuple[str, float]] | None = None,
) -> None:
    """How the total becomes a result: a pass mark, or bands (label, from points) high to low.

    Levels (MOET's titles) keep the levels the set declares; only their kind can be kept.
    """
    if kind not in RESULT_KINDS:
        raise ValidationError(f"Cách xếp loại “{kind}” không có.")
    old = raw.setdefault("result", {})
    if kind == "levels" and old.get("kind") != "levels":
        raise ValidationError("Bộ này không khai báo các mức độ; chọn điểm đạt hoặc xếp loại.")
    new = {**old, "kind": kind}
    if kind == "pass_mark":
        new["pass_mark"] = pass_mark
        new.pop("bands", None)
    elif kind == "bands":
        new["bands"] = [{"label": label.strip(), "min": points} for label, points in bands or []]
        new.pop("pass_mark", None)
    if new != old:
        new["status"] = STATUS_TO_CHECK  # the commune's own rule, until checked upward
        raw["result"] = new


def set_title(raw: Raw, title: str) -> None:
    """The set's own title (e.g. “… (xã Hòa Bình sửa 2026)”)."""
    if not title.strip():
        raise ValidationError("Nhập tên bộ tiêu chí.", "title")
    raw["title"] = title.strip()


def set_total(raw: Raw, total: float | None) -> None:
    """The set's declared total (e.g. 100); None drops the check."""
    if total is None:
        raw.pop("total", None)
    else:
        raw["total"] = total


def check(raw: Raw) -> CriteriaSetDoc:
    """Validate the draft as it would be saved (every problem at once, in Vietnamese)."""
    return parse_criteria_set(copy.deepcopy(raw))


def save(db: Database, base_id: int, raw: Raw) -> CriteriaSetInfo:
    """Save the draft as the next version of the base set's code (the base never changes)."""
    check(raw)
    return save_edited_copy(db, base_id, copy.deepcopy(raw))
