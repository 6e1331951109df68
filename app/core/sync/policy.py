"""Which personal fields go upward: a per-field policy, defaulting to the minimum.

What the province computes from the records it receives (app/core/sync/rates.py,
the consolidation screen) needs: the records themselves (uuid, revision, deleted,
commune), their references, the learning ``model`` and ``year`` of registrations,
assessments and recognitions, ``birth_year`` of people (working-age citizens),
``join_date``/``leave_date`` of members, and names (the conflicts screen and the
recognition lists name whom a record is about). Everything in :data:`CATEGORIES`
below is needed by none of it, so it stays at the commune unless **both** the
province's configuration package asks for the category (``personal_fields`` in the
package body) **and** the commune agrees (setting :data:`AGREED_KEY`, in Settings).

Before this policy, ``sync_include_personal`` (true) sent ID numbers and phones;
it still counts as the commune's agreement to those two categories.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.errors import ValidationError

if TYPE_CHECKING:
    from app.core.db import Database

AGREED_KEY = "sync_personal_agreed"  # list of category keys the commune agreed to send
LEGACY_KEY = "sync_include_personal"  # before the policy: true sent ID numbers and phones

_NOTE_TABLES = (
    "hamlet",
    "household",
    "person",
    "clan",
    "unit",
    "branch",
    "member",
    "registration",
    "assessment",
    "recognition",
    "fund_entry",
    "fund_programme",
    "activity",
)

#: category → (Vietnamese label, {(table, field)}).
CATEGORIES: dict[str, tuple[str, frozenset[tuple[str, str]]]] = {
    "id_number": ("Số CCCD / định danh", frozenset({("person", "id_number")})),
    "phone": ("Số điện thoại", frozenset({("person", "phone"), ("household", "phone")})),
    "address": ("Địa chỉ nhà", frozenset({("household", "address")})),
    "birth_date": (
        "Ngày tháng năm sinh đầy đủ (năm sinh vẫn gửi)",
        frozenset({("person", "birth_date")}),
    ),
    "circumstance": (
        "Hoàn cảnh hộ (nghèo, cận nghèo…)",
        frozenset({("household", "circumstance")}),
    ),
    # person.unit_id (where one works) and school_grade/school_system come with the
    # migrations 0010/0009 of the main line; a field a table does not have is ignored.
    "occupation": (
        "Nghề nghiệp, nơi làm việc",
        frozenset({("person", "occupation"), ("person", "unit_id")}),
    ),
    "school": (
        "Học tập của trẻ em: cấp học, lớp, thành tích, điểm chấm",
        frozenset(
            {
                ("person", "school_level"),
                ("person", "school_grade"),
                ("person", "school_system"),
                ("award", "school_level"),
                ("award", "school_class"),
                ("award", "level"),
                ("award", "reason"),
                ("assessment", "item_values"),
            }
        ),
    ),
    "notes": (
        "Ghi chú và minh chứng ghi tay",
        frozenset({(t, "note") for t in _NOTE_TABLES} | {("assessment", "evidence")}),
    ),
}


@dataclass(frozen=True)
class CategoryState:
    key: str
    label: str
    fields: tuple[str, ...]  # "table.field"
    requested: bool  # the province's package asks for it
    agreed: bool  # the commune agreed
    sent: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "fields": list(self.fields),
            "requested": self.requested,
            "agreed": self.agreed,
            "sent": self.sent,
        }


def check_categories(keys: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    unknown = [k for k in chosen if k not in CATEGORIES]
    if unknown:
        raise ValidationError(
            f"Loại thông tin cá nhân không có: {', '.join(unknown)} (có: {', '.join(CATEGORIES)})."
        )
    return chosen


def requested(db: Database) -> set[str]:
    """Categories the province's configuration package asks for."""
    from app.core.sync import state

    config = state.province_config(db)
    raw = config.body.get("personal_fields", []) if config is not None else []
    return {k for k in raw if isinstance(k, str) and k in CATEGORIES}


def agreed(db: Database) -> set[str]:
    from app.core import settings

    chosen = set(settings.get_value(db, AGREED_KEY, []) or [])
    if settings.get_value(db, LEGACY_KEY, False):
        chosen |= {"id_number", "phone"}
    return {k for k in chosen if k in CATEGORIES}


def set_agreed(db: Database, keys: Iterable[str]) -> None:
    """The commune's agreement (replaces the previous one; [] sends nothing personal)."""
    from app.core import settings

    chosen = check_categories(keys)
    with db.session() as s:
        settings.write(s, AGREED_KEY, chosen)
        settings.write(s, LEGACY_KEY, False)


def sent_categories(db: Database) -> set[str]:
    return requested(db) & agreed(db)


def withheld_fields(categories_sent: set[str]) -> dict[str, frozenset[str]]:
    """table → fields that stay home, given the categories sent."""
    out: dict[str, set[str]] = {}
    for key, (_label, fields) in CATEGORIES.items():
        if key in categories_sent:
            continue
        for table, field in fields:
            out.setdefault(table, set()).add(field)
    return {t: frozenset(f) for t, f in out.items()}


def describe(db: Database) -> list[CategoryState]:
    asked, ok = requested(db), agreed(db)
    return [
        CategoryState(
            key,
            label,
            tuple(sorted(f"{t}.{f}" for t, f in fields)),
            key in asked,
            key in ok,
            key in asked and key in ok,
        )
        for key, (label, fields) in CATEGORIES.items()
    ]
