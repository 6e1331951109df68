"""Registry lists for tables and exports: ordered ids first, rows on demand.

A screen asks :meth:`Listing.ids` for the ordered ids matching the search box,
filters and sort (SQLite does the work), then :meth:`Listing.rows` for the few
rows actually visible. That keeps a 30 000-row table fast and light: no list
ever loads every row into widgets. The CLI and the spreadsheet export use the
same listings, so "what the table shows" has one definition.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from typing import cast as typed

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from app.core import text as vntext
from app.core.db import Database
from app.core.models import Branch, Clan, Hamlet, Household, LocalState, Member, Person, Unit
from app.core.models.hamlets import HAMLET_KIND_LABELS
from app.core.models.households import CIRCUMSTANCE_LABELS, SCHOOL_LEVEL_LABELS
from app.core.models.members import MEMBER_ROLE_LABELS
from app.core.models.units import UNIT_KIND_LABELS

Formatter = Callable[[Any], str]
T = TypeVar("T")
# A column or SQL expression (mapped attributes and Core elements alike).
Expr = Any


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "Có" if value else ""
    if isinstance(value, int):
        return vntext.format_number(value) if value >= 10000 else str(value)
    return str(value)


def _year(value: Any) -> str:
    return "" if value is None else str(value)


def _gender(value: Any) -> str:
    return {"M": "Nam", "F": "Nữ"}.get(value or "", "")


def _labels(table: dict[Any, str]) -> Formatter:
    by_value = {getattr(k, "value", k): v for k, v in table.items()}
    return lambda value: by_value.get(value, value or "")


def _iso_date(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if len(text) == 10 and text[4] == "-":
        return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"
    return text


@dataclass(frozen=True)
class ListColumn:
    key: str
    title: str
    value: Expr
    sort: Expr | None = None
    fmt: Formatter = _plain
    width: int = 120
    align_right: bool = False


@dataclass(frozen=True)
class ListFilter:
    key: str
    title: str
    choices: Callable[[Database], list[tuple[Any, str]]]
    clause: Callable[[Any], ColumnElement[bool]]


@dataclass
class ListQuery:
    """What a table asks for: search box text, filter values, the deleted view, sort."""

    search: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False
    sort: str | None = None
    descending: bool = False


@dataclass(frozen=True)
class Listing:
    key: str
    title: str
    entity: Any
    columns: tuple[ListColumn, ...]
    from_clause: Callable[[], FromClause]
    search_expr: Callable[[], Expr]
    default_sort: Expr
    filters: tuple[ListFilter, ...] = ()

    @property
    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def column(self, key: str) -> ListColumn:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def _where(self, q: ListQuery) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [self.entity.deleted.is_(q.deleted)]
        blob = self.search_expr()
        for word in vntext.fold_query(q.search):
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append(blob.like(f"%{escaped}%", escape="\\"))
        for flt in self.filters:
            value = q.filters.get(flt.key)
            if value not in (None, ""):
                clauses.append(flt.clause(value))
        return clauses

    def _ordered(self, stmt: Select[Any], q: ListQuery) -> Select[Any]:
        order: list[Expr] = []
        if q.sort:
            col = self.column(q.sort)
            expr = col.sort if col.sort is not None else col.value
            order.append(expr.desc() if q.descending else expr.asc())
        order.append(self.default_sort)
        order.append(self.entity.id)
        return stmt.order_by(*order)

    def ids_statement(self, q: ListQuery) -> Select[Any]:
        stmt = select(self.entity.id).select_from(self.from_clause()).where(and_(*self._where(q)))
        return self._ordered(stmt, q)

    def ids(self, db: Database, q: ListQuery) -> list[int]:
        """Ordered ids matching ``q``.

        Search-as-you-type must answer within a keystroke over 30 000 people, and a
        ``LIKE '%…%'`` over the joined search text does not (≈60 ms). So SQLite
        filters and sorts without the search words (remembered until the data
        changes), and the words are matched in memory against each row's folded
        search text (loaded once per change of the data): the same test as the SQL
        ``LIKE`` in :meth:`ids_statement`, which exports and the CLI still use.
        """
        words = vntext.fold_query(q.search)
        list_key = ("ids", self.key, _filters_key(q.filters), q.deleted, q.sort, q.descending)
        with db.connect() as conn:
            mark = _data_mark(conn)
            unsearched = replace(q, search="")
            order: list[int] = _remember(
                db,
                list_key,
                mark,
                lambda: list(conn.execute(self.ids_statement(unsearched)).scalars()),
            )
            if not words:
                return list(order)
            pairs = self._pairs(db, q, conn, mark, order)
            # Typing only narrows: when every word of the previous query is inside the
            # matching word of this one, start from the previous matches.
            previous: tuple[list[str], list[tuple[int, str]]] = _remember(
                db, (*list_key, "last"), mark, lambda: ([], pairs)
            )
            before, matched = previous
            if (
                before
                and len(words) >= len(before)
                and all(old in new for old, new in zip(before, words, strict=False))
            ):
                pairs = matched
        for word in words:  # each word narrows the rows left by the one before
            pairs = [pair for pair in pairs if word in pair[1]]
        _memo[db][(*list_key, "last")] = (mark, (words, pairs))
        return [pair[0] for pair in pairs]

    def _pairs(
        self, db: Database, q: ListQuery, conn: Connection, mark: int, order: list[int]
    ) -> list[tuple[int, str]]:
        list_key = ("ids", self.key, _filters_key(q.filters), q.deleted, q.sort, q.descending)
        texts = self.search_texts(db, q.deleted, conn, mark)
        return _remember(db, (*list_key, "texts"), mark, lambda: [(i, texts[i]) for i in order])

    def text_pairs(self, db: Database, q: ListQuery) -> list[tuple[int, str]]:
        """(id, folded search text) of every row in list order, ignoring ``q.search``.

        Remembered until the data changes; callers must not modify it.
        """
        unsearched = replace(q, search="")
        order = self.ids(db, unsearched)
        with db.connect() as conn:
            return self._pairs(db, unsearched, conn, _data_mark(conn), order)

    def search_texts(
        self, db: Database, deleted: bool, conn: Connection | None = None, mark: int | None = None
    ) -> dict[int, str]:
        """Folded search text of every (live or deleted) row, by id; remembered per data change.

        Each text starts with the folded name (see ``text.search_blob``), which
        :func:`app.core.registry.search.search` uses to rank hits.
        """
        if conn is None:
            with db.connect() as own:
                return self.search_texts(db, deleted, own, _data_mark(own))
        assert mark is not None
        stmt = (
            select(self.entity.id, self.search_expr())
            .select_from(self.from_clause())
            .where(self.entity.deleted.is_(deleted))
        )
        return _remember(
            db,
            ("texts", self.key, deleted),
            mark,
            lambda: {row[0]: row[1] or "" for row in conn.execute(stmt)},
        )

    def search_names(self, db: Database) -> dict[int, str]:
        """Folded name of every live row (the first part of its search text), by id."""
        with db.connect() as conn:
            mark = _data_mark(conn)
            texts = self.search_texts(db, False, conn, mark)
            return _remember(
                db,
                ("names", self.key),
                mark,
                lambda: {i: t.split(" | ", 1)[0] for i, t in texts.items()},
            )

    def names_blob(self, db: Database) -> str:
        """Every live folded name, one per line: "is this text in anybody's name?" in one
        substring search (a phone number, say, is in nobody's)."""
        names = self.search_names(db)
        with db.connect() as conn:
            mark = _data_mark(conn)
        return _remember(db, ("names_blob", self.key), mark, lambda: "\n".join(names.values()))

    def ids_by_name(self, db: Database) -> dict[str, set[int]]:
        """Live row ids by folded name: who is called exactly "nguyen van an"."""
        names = self.search_names(db)
        with db.connect() as conn:
            mark = _data_mark(conn)

        def build() -> dict[str, set[int]]:
            index: dict[str, set[int]] = {}
            for row_id, name in names.items():
                index.setdefault(name, set()).add(row_id)
            return index

        return _remember(db, ("by_name", self.key), mark, build)

    def count(self, db: Database, q: ListQuery) -> int:
        stmt = select(func.count()).select_from(self.from_clause()).where(and_(*self._where(q)))
        with db.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def rows(self, db: Database, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        """Raw values of the given rows, keyed by id, in column order."""
        if not ids:
            return {}
        out: dict[int, tuple[Any, ...]] = {}
        with db.connect() as conn:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                stmt = (
                    select(self.entity.id, *[c.value for c in self.columns])
                    .select_from(self.from_clause())
                    .where(self.entity.id.in_(chunk))
                )
                for row in conn.execute(stmt):
                    out[row[0]] = tuple(row[1:])
        return out

    def display(self, row: tuple[Any, ...]) -> list[str]:
        return [col.fmt(value) for col, value in zip(self.columns, row, strict=True)]

    def fetch_all(self, db: Database, q: ListQuery) -> list[tuple[Any, ...]]:
        """Every matching row in list order (exports, CLI)."""
        stmt = self._ordered(
            select(*[c.value for c in self.columns])
            .select_from(self.from_clause())
            .where(and_(*self._where(q))),
            q,
        )
        with db.connect() as conn:
            return [tuple(r) for r in conn.execute(stmt)]


# --- memo of list queries, valid until the data changes -------------------------------

_MEMO_SIZE = 32
_memo: weakref.WeakKeyDictionary[Database, OrderedDict[tuple[Any, ...], tuple[int, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _data_mark(conn: Connection) -> int:
    """The local change counter: every insert, update or soft delete of a registry row
    advances it (``app.core.db``), so an equal mark means the lists are unchanged."""
    return int(
        conn.execute(select(LocalState.change_counter).where(LocalState.id == 1)).scalar_one()
    )


def _filters_key(filters: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, v) for k, v in filters.items() if v not in (None, "")))


def _remember(db: Database, key: tuple[Any, ...], mark: int, compute: Callable[[], T]) -> T:
    """``compute()``, or its remembered value if the data has not changed since."""
    entries = _memo.setdefault(db, OrderedDict())
    hit = entries.get(key)
    if hit is not None and hit[0] == mark:
        entries.move_to_end(key)
        return typed(T, hit[1])
    value = compute()
    entries[key] = (mark, value)
    entries.move_to_end(key)
    while len(entries) > _MEMO_SIZE:
        entries.popitem(last=False)
    return value


def remembered(db: Database, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, remembered until the registry data next changes.

    For other lists built from the registries (the yearly cycle's entities), so a
    screen reloading three lists reads the 20,000 citizens once. Callers must not
    modify the value.
    """
    with db.connect() as conn:
        mark = _data_mark(conn)
    return _remember(db, key, mark, compute)


# --- shared pieces ------------------------------------------------------------------


def _hamlet_choices(db: Database) -> list[tuple[Any, str]]:
    from app.core.registry.hamlets import hamlet_choices

    return [(hid, name) for hid, name in hamlet_choices(db)]


def _clan_choices(db: Database) -> list[tuple[Any, str]]:
    from app.core.registry.clans import clan_choices

    return list(clan_choices(db))


def _branch_choices(db: Database) -> list[tuple[Any, str]]:
    from app.core.registry.members import branch_choices

    return list(branch_choices(db))


def _static(pairs: dict[Any, str]) -> Callable[[Database], list[tuple[Any, str]]]:
    items = [(getattr(k, "value", k), v) for k, v in pairs.items()]
    return lambda _db: items


def _count_of(model: Any, fk: Any, owner_id: Any) -> ColumnElement[int]:
    return (
        select(func.count())
        .select_from(model)
        .where(fk == owner_id, model.deleted.is_(False))
        .correlate_except(model)
        .scalar_subquery()
    )


# --- the registries -----------------------------------------------------------------

HAMLETS = Listing(
    key="hamlets",
    title="Thôn / tổ dân phố",
    entity=Hamlet,
    columns=(
        ListColumn("name", "Tên", Hamlet.name, Hamlet.sort_key, width=200),
        ListColumn("kind", "Loại", Hamlet.kind, fmt=_labels(HAMLET_KIND_LABELS), width=110),
        ListColumn(
            "households",
            "Số hộ",
            _count_of(Household, Household.hamlet_id, Hamlet.id),
            align_right=True,
            width=80,
        ),
        ListColumn("note", "Ghi chú", Hamlet.note, width=240),
    ),
    from_clause=lambda: Hamlet.__table__,
    search_expr=lambda: Hamlet.name_folded,
    default_sort=Hamlet.sort_key,
    filters=(ListFilter("kind", "Loại", _static(HAMLET_KIND_LABELS), lambda v: Hamlet.kind == v),),
)

_HH_HAMLET = aliased(Hamlet, name="hh_hamlet")
_HH_CLAN = aliased(Clan, name="hh_clan")

HOUSEHOLDS = Listing(
    key="households",
    title="Hộ gia đình",
    entity=Household,
    columns=(
        ListColumn("head_name", "Chủ hộ", Household.head_name, Household.sort_key, width=190),
        ListColumn("code", "Số hộ", Household.code, width=70),
        ListColumn("hamlet", "Thôn / TDP", _HH_HAMLET.name, _HH_HAMLET.sort_key, width=130),
        ListColumn("address", "Địa chỉ", Household.address, width=200),
        ListColumn("phone", "Điện thoại", Household.phone, width=100),
        ListColumn("clan", "Dòng họ", _HH_CLAN.name, _HH_CLAN.sort_key, width=110),
        ListColumn(
            "people",
            "Nhân khẩu",
            _count_of(Person, Person.household_id, Household.id),
            align_right=True,
            width=75,
        ),
        # Blank for an ordinary household; the label otherwise (exported as such).
        ListColumn(
            "circumstance",
            "Hoàn cảnh",
            Household.circumstance,
            fmt=_labels({k: v for k, v in CIRCUMSTANCE_LABELS.items() if k}),
            width=120,
        ),
    ),
    from_clause=lambda: Household.__table__.outerjoin(
        _HH_HAMLET, _HH_HAMLET.id == Household.hamlet_id
    ).outerjoin(_HH_CLAN, _HH_CLAN.id == Household.clan_id),
    search_expr=lambda: Household.search_text,
    default_sort=Household.sort_key,
    filters=(
        ListFilter("hamlet_id", "Thôn", _hamlet_choices, lambda v: Household.hamlet_id == v),
        ListFilter("clan_id", "Dòng họ", _clan_choices, lambda v: Household.clan_id == v),
        ListFilter(
            "circumstance",
            "Hoàn cảnh",
            lambda _db: [(k.value, v) for k, v in CIRCUMSTANCE_LABELS.items() if k],
            lambda v: Household.circumstance == v,
        ),
    ),
)

_P_HOUSEHOLD = aliased(Household, name="p_household")
_P_HAMLET = aliased(Hamlet, name="p_hamlet")
_STUDYING = {True: "Đang đi học", False: "Không đi học"}

PEOPLE = Listing(
    key="people",
    title="Nhân khẩu",
    entity=Person,
    columns=(
        ListColumn("full_name", "Họ và tên", Person.full_name, Person.sort_key, width=190),
        ListColumn("gender", "Giới tính", Person.gender, fmt=_gender, width=65),
        ListColumn(
            "birth",
            "Ngày sinh",
            func.coalesce(
                func.strftime("%d/%m/%Y", Person.birth_date), cast(Person.birth_year, String)
            ),
            func.coalesce(Person.birth_year, 0) * 10000
            + func.coalesce(func.strftime("%m%d", Person.birth_date), 0),
            width=85,
        ),
        ListColumn("relation", "Quan hệ với chủ hộ", Person.relation, width=110),
        ListColumn("head_name", "Chủ hộ", _P_HOUSEHOLD.head_name, _P_HOUSEHOLD.sort_key, width=170),
        # The household's number tells apart two heads of the same name in one hamlet, so an
        # exported people list imports back into the right households.
        ListColumn("household_code", "Số hộ", _P_HOUSEHOLD.code, width=70),
        ListColumn("hamlet", "Thôn / TDP", _P_HAMLET.name, _P_HAMLET.sort_key, width=120),
        ListColumn("id_number", "Số CCCD", Person.id_number, width=110),
        ListColumn(
            "school_level",
            "Trình độ",
            Person.school_level,
            fmt=_labels(SCHOOL_LEVEL_LABELS),
            width=100,
        ),
        ListColumn("occupation", "Nghề nghiệp", Person.occupation, width=120),
        ListColumn("is_studying", "Đang đi học", Person.is_studying, width=80),
    ),
    from_clause=lambda: Person.__table__.outerjoin(
        _P_HOUSEHOLD, _P_HOUSEHOLD.id == Person.household_id
    ).outerjoin(_P_HAMLET, _P_HAMLET.id == _P_HOUSEHOLD.hamlet_id),
    search_expr=lambda: (
        Person.search_text + literal(" | ") + func.coalesce(_P_HOUSEHOLD.search_text, "")
    ),
    default_sort=Person.sort_key,
    filters=(
        ListFilter("hamlet_id", "Thôn", _hamlet_choices, lambda v: _P_HOUSEHOLD.hamlet_id == v),
        ListFilter(
            "gender", "Giới tính", _static({"M": "Nam", "F": "Nữ"}), lambda v: Person.gender == v
        ),
        ListFilter(
            "is_studying", "Học tập", _static(_STUDYING), lambda v: Person.is_studying.is_(bool(v))
        ),
        ListFilter(
            "school_level",
            "Trình độ",
            _static(SCHOOL_LEVEL_LABELS),
            lambda v: Person.school_level == v,
        ),
    ),
)

_C_HAMLET = aliased(Hamlet, name="c_hamlet")

CLANS = Listing(
    key="clans",
    title="Dòng họ",
    entity=Clan,
    columns=(
        ListColumn("name", "Dòng họ", Clan.name, Clan.sort_key, width=150),
        ListColumn("branch", "Chi / nhánh", Clan.branch, width=140),
        ListColumn("head_name", "Trưởng họ", Clan.head_name, width=170),
        ListColumn("hamlet", "Thôn (nhà thờ họ)", _C_HAMLET.name, _C_HAMLET.sort_key, width=140),
        ListColumn(
            "households",
            "Số hộ",
            _count_of(Household, Household.clan_id, Clan.id),
            align_right=True,
            width=70,
        ),
    ),
    from_clause=lambda: Clan.__table__.outerjoin(_C_HAMLET, _C_HAMLET.id == Clan.hamlet_id),
    search_expr=lambda: Clan.search_text,
    default_sort=Clan.sort_key,
    filters=(ListFilter("hamlet_id", "Thôn", _hamlet_choices, lambda v: Clan.hamlet_id == v),),
)

_U_HAMLET = aliased(Hamlet, name="u_hamlet")

UNITS = Listing(
    key="units",
    title="Đơn vị",
    entity=Unit,
    columns=(
        ListColumn("name", "Tên đơn vị", Unit.name, Unit.sort_key, width=240),
        ListColumn("kind", "Loại", Unit.kind, fmt=_labels(UNIT_KIND_LABELS), width=120),
        ListColumn("hamlet", "Thôn / TDP", _U_HAMLET.name, _U_HAMLET.sort_key, width=120),
        ListColumn("head_name", "Người đứng đầu", Unit.head_name, width=160),
        ListColumn("phone", "Điện thoại", Unit.phone, width=100),
        ListColumn("staff_count", "Số CB, NV", Unit.staff_count, align_right=True, width=75),
    ),
    from_clause=lambda: Unit.__table__.outerjoin(_U_HAMLET, _U_HAMLET.id == Unit.hamlet_id),
    search_expr=lambda: Unit.search_text,
    default_sort=Unit.sort_key,
    filters=(ListFilter("kind", "Loại", _static(UNIT_KIND_LABELS), lambda v: Unit.kind == v),),
)

_B_HAMLET = aliased(Hamlet, name="b_hamlet")
_B_UNIT = aliased(Unit, name="b_unit")
_BRANCH_KIND_LABELS = {"hamlet": "Thôn / TDP", "unit": "Đơn vị", "other": "Khác"}

BRANCHES = Listing(
    key="branches",
    title="Chi hội",
    entity=Branch,
    columns=(
        ListColumn("name", "Tên chi hội", Branch.name, Branch.sort_key, width=220),
        ListColumn("kind", "Loại", Branch.kind, fmt=_labels(_BRANCH_KIND_LABELS), width=90),
        ListColumn(
            "place", "Thôn / đơn vị", func.coalesce(_B_HAMLET.name, _B_UNIT.name), width=200
        ),
        ListColumn(
            "members",
            "Số hội viên",
            _count_of(Member, Member.branch_id, Branch.id),
            align_right=True,
            width=85,
        ),
    ),
    from_clause=lambda: Branch.__table__.outerjoin(
        _B_HAMLET, _B_HAMLET.id == Branch.hamlet_id
    ).outerjoin(_B_UNIT, _B_UNIT.id == Branch.unit_id),
    search_expr=lambda: func.vn_fold(Branch.name),
    default_sort=Branch.sort_key,
    filters=(ListFilter("kind", "Loại", _static(_BRANCH_KIND_LABELS), lambda v: Branch.kind == v),),
)

_M_BRANCH = aliased(Branch, name="m_branch")
_MEMBER_STATUS = {"active": "Đang sinh hoạt", "left": "Đã ra khỏi Hội"}


def _dues_clause(value: Any) -> ColumnElement[bool]:
    year = dt.date.today().year
    if value == "paid":
        return Member.dues_paid_year >= year
    return or_(Member.dues_paid_year.is_(None), Member.dues_paid_year < year)


MEMBERS = Listing(
    key="members",
    title="Hội viên",
    entity=Member,
    columns=(
        ListColumn("full_name", "Họ và tên", Member.full_name, Member.sort_key, width=190),
        ListColumn("card_number", "Số thẻ", Member.card_number, width=75),
        ListColumn("birth_year", "Năm sinh", Member.birth_year, fmt=_year, width=70),
        ListColumn("gender", "Giới tính", Member.gender, fmt=_gender, width=65),
        ListColumn("branch", "Chi hội", _M_BRANCH.name, _M_BRANCH.sort_key, width=150),
        ListColumn("role", "Chức vụ", Member.role, fmt=_labels(MEMBER_ROLE_LABELS), width=110),
        ListColumn("join_date", "Ngày vào Hội", Member.join_date, fmt=_iso_date, width=90),
        ListColumn("dues_paid_year", "Hội phí đã đóng", Member.dues_paid_year, fmt=_year, width=95),
        ListColumn(
            "status",
            "Trạng thái",
            case((Member.leave_date.is_(None), "Đang sinh hoạt"), else_="Đã ra khỏi Hội"),
            width=110,
        ),
        ListColumn("in_registry", "Trong sổ hộ", Member.person_id.is_not(None), width=80),
    ),
    from_clause=lambda: Member.__table__.outerjoin(_M_BRANCH, _M_BRANCH.id == Member.branch_id),
    search_expr=lambda: Member.search_text,
    default_sort=Member.sort_key,
    filters=(
        ListFilter("branch_id", "Chi hội", _branch_choices, lambda v: Member.branch_id == v),
        ListFilter(
            "status",
            "Trạng thái",
            _static(_MEMBER_STATUS),
            lambda v: (
                Member.leave_date.is_(None) if v == "active" else Member.leave_date.is_not(None)
            ),
        ),
        ListFilter(
            "dues",
            "Hội phí năm nay",
            _static({"paid": "Đã đóng", "unpaid": "Chưa đóng"}),
            _dues_clause,
        ),
        ListFilter("role", "Chức vụ", _static(MEMBER_ROLE_LABELS), lambda v: Member.role == v),
    ),
)

LISTINGS: dict[str, Listing] = {
    lst.key: lst for lst in (HAMLETS, HOUSEHOLDS, PEOPLE, CLANS, UNITS, BRANCHES, MEMBERS)
}

__all__ = [
    "BRANCHES",
    "CLANS",
    "HAMLETS",
    "HOUSEHOLDS",
    "LISTINGS",
    "MEMBERS",
    "PEOPLE",
    "UNITS",
    "ListColumn",
    "ListFilter",
    "ListQuery",
    "Listing",
    "remembered",
]
