"""The scoring engine: pure functions from a criteria set and item values to a result.

No database, no Qt. Values are ``{item_code: number | bool | None}``; computed
items take a :class:`Ratio` from the registries. A value given for a computed item
overrides what the registries say (QĐ 448 exempts a child who is ill, disabled or
unable to study): points, "có"/"không" or "không áp dụng"; the service that saves
it asks for the reason. Sums are rounded to 4 decimals
so steps such as 0.5 add up exactly whatever order items were entered in.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

from app.core.assessment.criteria import NOT_APPLICABLE, CriteriaSetDoc, Item
from app.core.errors import ValidationError

Value = float | int | bool | str | None


@dataclass(frozen=True)
class Ratio:
    """A share computed from the registries; a zero denominator means "không áp dụng"."""

    numerator: int
    denominator: int

    @property
    def applicable(self) -> bool:
        return self.denominator > 0

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def display(self) -> str:
        if not self.denominator:
            return NOT_APPLICABLE
        return f"{self.numerator}/{self.denominator} ({self.numerator / self.denominator:.0%})"


@dataclass(frozen=True)
class ItemScore:
    code: str
    points: float
    max: float
    missing: bool = False
    not_applicable: bool = False
    below_min: bool = False
    met: bool = False  # full marks / yes / threshold reached (used by level rules)
    shown: str = ""  # what the screen shows beside computed items
    overridden: bool = False  # a computed item whose figure was replaced by hand


@dataclass(frozen=True)
class ScoreResult:
    total: float
    max: float
    group_totals: dict[str, float]
    items: dict[str, ItemScore]
    failures: tuple[str, ...]  # Vietnamese reasons the minimums were not met
    passed: bool
    label: str  # "Đạt", "Tốt", "Mức độ 2 (Tốt)", "Không đạt" …
    band: str | None = None
    level: int | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(code for code, s in self.items.items() if s.missing)


def _round(value: float) -> float:
    return round(value + 0.0, 4)


def check_value(item: Item, value: Value) -> float | None:
    """The entered value as points (None when empty); ValidationError if out of range."""
    if value is None or value == "":
        return None
    if item.kind == "yesno":
        if isinstance(value, str):
            folded = value.strip().lower()
            if folded in _YES:
                return item.max
            if folded in _NO:
                return 0.0
            raise ValidationError(f"Mục {item.code}: nhập “có” hoặc “không”.", field=item.code)
        return item.max if bool(value) else 0.0
    try:
        points = float(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"Mục {item.code}: “{value}” không phải là số.", field=item.code
        ) from exc
    if not math.isfinite(points) or points < 0:
        raise ValidationError(f"Mục {item.code}: điểm không được âm.", field=item.code)
    if points > item.max + 1e-9:
        raise ValidationError(
            f"Mục {item.code}: điểm {points:g} vượt quá điểm tối đa {item.max:g}.", field=item.code
        )
    ratio = points / item.step
    if abs(ratio - round(ratio)) > 1e-6:
        raise ValidationError(
            f"Mục {item.code}: điểm phải theo bước {item.step:g} (ví dụ 0, {item.step:g}, …).",
            field=item.code,
        )
    return _round(round(ratio) * item.step)


NO_FIGURES = "chưa có số liệu"
_YES = ("có", "co", "x", "1", "yes", "true", "đạt")
_NO = ("không", "khong", "k", "0", "no", "false", "-")


def override_points(item: Item, value: Value) -> tuple[float, bool] | None:
    """A hand value for a computed item as (points, not applicable); None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return (item.max if value else 0.0), False
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded == NOT_APPLICABLE:
            return item.max, True
        if folded in _YES and not folded.isdigit():
            return item.max, False
        if folded in _NO and not folded.isdigit():
            return 0.0, False
    points = check_value(dataclasses.replace(item, kind="points"), value)
    return (points or 0.0), False


def _computed_points(item: Item, ratio: Ratio | None) -> ItemScore:
    if (ratio is None or not ratio.applicable) and item.when_empty == "missing":
        # Nothing counted yet (a unit nobody is linked to): not a free pass.
        return ItemScore(item.code, 0.0, item.max, missing=True, shown=NO_FIGURES)
    if ratio is None or not ratio.applicable:
        # Nothing to measure (no school-age child in the household …): the item
        # cannot be failed, so it is awarded in full and shown as not applicable.
        return ItemScore(
            item.code, item.max, item.max, not_applicable=True, met=True, shown=NOT_APPLICABLE
        )
    share = ratio.numerator / ratio.denominator
    if item.threshold is not None:
        met = share + 1e-9 >= item.threshold
        points = item.max if met else 0.0
    else:
        points = _round(math.floor(share * item.max / item.step + 1e-9) * item.step)
        met = points >= item.max
    return ItemScore(item.code, points, item.max, met=met, shown=ratio.display())


def _overridden(item: Item, value: Value, ratio: Ratio | None) -> ItemScore | None:
    hand = override_points(item, value)
    if hand is None:
        return None
    points, not_applicable = hand
    counted = ratio.display() if ratio is not None and ratio.applicable else NO_FIGURES
    shown = f"{NOT_APPLICABLE} (sửa tay)" if not_applicable else f"sửa tay; sổ: {counted}"
    return ItemScore(
        item.code,
        points,
        item.max,
        not_applicable=not_applicable,
        met=points >= item.max - 1e-9,
        shown=shown,
        overridden=True,
    )


def score_item(item: Item, value: Value, ratio: Ratio | None = None) -> ItemScore:
    if item.kind == "computed":
        scored = _overridden(item, value, ratio) or _computed_points(item, ratio)
    else:
        points = check_value(item, value)
        missing = points is None
        points = points or 0.0
        scored = ItemScore(
            item.code,
            points,
            item.max,
            missing=missing,
            met=points >= item.max - 1e-9 and not missing,
        )
    if item.min is not None and scored.points + 1e-9 < item.min:
        return dataclasses.replace(scored, below_min=True)
    if item.required and not scored.met:
        return dataclasses.replace(scored, below_min=True)
    return scored


def score(
    doc: CriteriaSetDoc,
    values: Mapping[str, Value],
    computed: Mapping[str, Ratio] | None = None,
) -> ScoreResult:
    """Score one entity: per item, per group, minimums, then the pass/band/level rule.

    ``computed`` maps a computation name (``children_in_school`` …) to its ratio.
    Unknown item codes in ``values`` are refused (a typo would silently score 0).
    """
    unknown = sorted(set(values) - doc.item_codes)
    if unknown:
        raise ValidationError(f"Bộ tiêu chí không có mục: {', '.join(unknown)}.")
    computed = computed or {}
    items: dict[str, ItemScore] = {}
    failures: list[str] = []
    group_totals: dict[str, float] = {}
    for group in doc.groups:
        group_total = 0.0
        for crit in group.criteria:
            crit_total = 0.0
            for item in crit.items:
                ratio = computed.get(item.computation) if item.computation else None
                s = score_item(item, values.get(item.code), ratio)
                items[item.code] = s
                crit_total += s.points
                if s.below_min:
                    limit = item.min if item.min is not None else item.max
                    failures.append(
                        f"Mục {item.code} đạt {s.points:g} điểm, dưới mức tối thiểu {limit:g}."
                    )
            crit_total = _round(crit_total)
            if crit.min is not None and crit_total + 1e-9 < crit.min:
                failures.append(
                    f"Tiêu chí {crit.code} đạt {crit_total:g} điểm, dưới mức tối thiểu {crit.min:g}."
                )
            group_total += crit_total
        group_totals[group.code] = _round(group_total)
        if group.min is not None and group_totals[group.code] + 1e-9 < group.min:
            failures.append(
                f"Nhóm {group.code} đạt {group_totals[group.code]:g} điểm, "
                f"dưới mức tối thiểu {group.min:g}."
            )
    total = _round(sum(group_totals.values()))
    return _apply_rule(doc, total, group_totals, items, failures)


def _apply_rule(
    doc: CriteriaSetDoc,
    total: float,
    group_totals: dict[str, float],
    items: dict[str, ItemScore],
    failures: list[str],
) -> ScoreResult:
    rule = doc.result
    band: str | None = None
    level: int | None = None
    if rule.kind == "bands":
        band = next((b.label for b in rule.bands if total + 1e-9 >= b.min), None)
        passed = band is not None and not failures
        label = band if passed and band else rule.fail_label
    elif rule.kind == "levels":
        for lv in rule.levels:
            needed = [s for code, s in items.items() if (doc.item(code).level or 1) <= lv.level]
            if all(s.met for s in needed):
                level = lv.level
                band = lv.label
        passed = level is not None and not failures
        label = band if passed and band else rule.fail_label
        if not passed:
            level = None
    else:
        mark = rule.pass_mark if rule.pass_mark is not None else doc.max
        passed = total + 1e-9 >= mark and not failures
        label = rule.pass_label if passed else rule.fail_label
    return ScoreResult(
        total=total,
        max=doc.max,
        group_totals=group_totals,
        items=items,
        failures=tuple(failures),
        passed=passed,
        label=label,
        band=band if passed else None,
        level=level,
    )
