"""The demo commune ("xã mẫu"): a realistic, generated registry to try the app on.

``khuyenhoc demo`` and the window's "Mở xã mẫu" button call :func:`generate_demo`,
which creates a new database for a real commune of Hưng Yên and fills it with
about three people per household: hamlets, households and their people, clans,
units, branches and members. Everything is invented from
:mod:`app.core.demo_names`; nothing describes real people.

Rules the generator keeps:

* **Deterministic.** ``random.Random(seed)`` drives every choice, UUIDs
  included (never the global generator), and ages count from the fixed :data:`REFERENCE_DATE`, so a seed gives
  the same commune on every machine. Only ``created_at``/``updated_at`` carry the
  real clock, as they do for rows saved by the services.
* **As the services would store it.** Every row gets what the ORM services give
  it: UUID, commune code, timestamps, revision 1, a ``change_seq`` from the
  change counter, and the derived search/sort columns computed by the same
  :mod:`app.core.text` functions with the same fields.
  About one name in ten is produced in NFD (and one in a hundred in capitals) and
  passes through :func:`app.core.text.normalise_name`, as typed or pasted text
  would, so what is stored is always NFC.
* **All or nothing.** Rows are written with Core bulk inserts (explicit ids, so
  links need no round trips) in one transaction. Cancelling between batches
  rolls everything back, and :func:`generate_demo` then removes the database it
  had just created.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
import unicodedata
import uuid as uuidlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection

from app.core import demo_names as names
from app.core import settings
from app.core import text as vntext
from app.core.audit.log import connection_actor, record_summary
from app.core.communes import CommuneEntry, communes_of
from app.core.db import Database, reserve_change_seqs
from app.core.errors import UserError, ValidationError
from app.core.models import (
    Branch,
    BranchKind,
    Clan,
    Gender,
    Hamlet,
    HamletKind,
    Household,
    Member,
    MemberRole,
    Person,
    SchoolLevel,
    SyncMixin,
    Unit,
    UnitKind,
)
from app.core.models.base import utcnow
from app.core.models.households import HEAD_RELATION, Circumstance
from app.core.registry.clans import clan_sort_key
from app.core.text import format_number
from app.core.workspace import init_commune

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]
T = TypeVar("T")

# Ages, dues years and join dates are counted from this day, never from the clock.
REFERENCE_DATE = dt.date(2026, 1, 1)
LAST_DAY = REFERENCE_DATE - dt.timedelta(days=1)
DEMO_PROVINCE_CODE = "33"  # Hưng Yên
DEMO_COMMUNE_NAME = "Xã Khoái Châu"
MAX_HOUSEHOLDS = 200_000
COUNT_KEYS = ("hamlets", "households", "people", "members", "clans", "units", "branches")
PROGRESS_TOTAL = 1000
_PLAN_SHARE = 300  # progress units spent planning; the rest go to writing rows
_BATCH_ROWS = 2500
_PLAN_CHUNK = 500  # households planned between two progress reports

_M = Gender.MALE.value
_F = Gender.FEMALE.value
# Household sizes 1..7 (mean ≈ 3.0, as in the rural Red River Delta).
_SIZE_WEIGHTS = (15, 25, 25, 20, 9, 4, 2)
_HIGHER = frozenset({SchoolLevel.COLLEGE, SchoolLevel.UNIVERSITY, SchoolLevel.POSTGRADUATE})


class DemoCancelled(UserError):
    """The user cancelled; nothing of the demo commune was kept."""

    def __init__(self, message: str = "Đã hủy tạo xã mẫu.") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class DemoSummary:
    data_dir: Path
    commune_code: str
    commune_name: str
    province_name: str
    seed: int
    counts: dict[str, int]
    # Names produced in NFD before normalisation (proof that input is normalised).
    nfd_source_names: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "data_dir": str(self.data_dir),
            "commune_code": self.commune_code,
            "commune_name": self.commune_name,
            "province_name": self.province_name,
            "seed": self.seed,
            "counts": dict(self.counts),
            **self.counts,
        }


# --- public API ---------------------------------------------------------------------


def demo_commune() -> CommuneEntry:
    """The real commune the demo stands for: Xã Khoái Châu (Hưng Yên), looked up by name."""
    choices = [c for c in communes_of(DEMO_PROVINCE_CODE) if c.name.startswith("Xã ")]
    wanted = vntext.fold(DEMO_COMMUNE_NAME)
    for entry in choices:
        if vntext.fold(entry.name) == wanted:
            return entry
    if not choices:  # pragma: no cover - the bundled list always has communes
        raise UserError("Không tìm thấy xã nào trong danh mục để làm xã mẫu.")
    return choices[0]


def generate_demo(
    data_dir: Path,
    households: int = 10_000,
    seed: int = 2025,
    *,
    replace: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    lock: bool = True,
) -> DemoSummary:
    """Create the demo commune's database in ``data_dir`` and fill it.

    Refuses an existing database unless ``replace`` (which backs it up first and
    swaps the new database in only when complete). On cancel (:class:`DemoCancelled`)
    or any failure the new database is removed and the old one is as it was.
    """
    _check_households(households)
    entry = demo_commune()
    chairman, secretary = _officer_names(random.Random(seed))
    results: list[_Result] = []

    def fill(db: Database) -> None:
        results.append(_populate(db, households, seed, progress, cancel))

    # With ``replace`` the new commune is built beside the old database and swapped
    # in only when complete; on failure init_commune leaves nothing of it behind.
    workspace = init_commune(
        data_dir,
        entry.code,
        association_name=f"Hội Khuyến học {_lower_division(entry.name)}",
        chairman_name=chairman,
        secretary_name=secretary,
        is_demo=True,
        replace=replace,
        lock=lock,
        fill=fill,
    )
    workspace.close()
    [result] = results
    return DemoSummary(
        data_dir=data_dir,
        commune_code=entry.code,
        commune_name=vntext.normalise(entry.name),
        province_name=entry.province_name,
        seed=seed,
        counts=result.counts,
        nfd_source_names=result.nfd_source_names,
    )


def populate_demo(
    db: Database,
    households: int,
    seed: int,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> dict[str, int]:
    """Fill an empty commune database with generated data; returns the counts per entity.

    Everything is written in one transaction: a cancel (:class:`DemoCancelled`)
    or an error leaves the database as it was.
    """
    _check_households(households)
    return _populate(db, households, seed, progress, cancel).counts


# --- orchestration ------------------------------------------------------------------


@dataclass(frozen=True)
class _Result:
    counts: dict[str, int]
    nfd_source_names: int


def _populate(
    db: Database,
    households: int,
    seed: int,
    progress: ProgressFn | None,
    cancel: CancelFn | None,
) -> _Result:
    info = settings.get_commune(db)
    with db.connect() as conn:
        _check_empty(conn)
    planner = _Planner(random.Random(seed), info, progress, cancel)
    plan = planner.plan(households)
    _write(db, plan, planner.rng, info.code if info else "", progress, cancel)
    _demo_signers(db, seed, (info.chairman_name if info else "") or plan.chairman_name)
    if info is not None and (not info.chairman_name or not info.secretary_name):
        settings.set_commune(
            db,
            dataclasses.replace(
                info,
                chairman_name=info.chairman_name or plan.chairman_name,
                secretary_name=info.secretary_name or plan.secretary_name,
            ),
        )
    # Past years of the yearly cycle (registrations, assessments, recognitions) so the
    # dashboard has figures; a second transaction, after the registries exist.
    from app.core.assessment.demo_cycle import fill_demo_cycles

    fill_demo_cycles(db, seed)
    from app.core.fund.demo_fund import fill_demo_fund

    fill_demo_fund(db, seed, info.code if info else "")
    from app.core.activities.demo import fill_demo_activities

    fill_demo_activities(db, seed, info.code if info else "")
    return _Result(plan.counts(), planner.nfd_names)


def _check_households(households: int) -> None:
    if not 1 <= households <= MAX_HOUSEHOLDS:
        raise ValidationError(
            f"Số hộ của xã mẫu phải từ 1 đến {format_number(MAX_HOUSEHOLDS)}.", "households"
        )


_REGISTRY_TABLES: tuple[type[SyncMixin], ...] = (
    Hamlet,
    Household,
    Person,
    Clan,
    Unit,
    Branch,
    Member,
)


def _check_empty(conn: Connection) -> None:
    for model in _REGISTRY_TABLES:
        if conn.execute(select(func.count()).select_from(model)).scalar_one():
            raise ValidationError(
                "Sổ này đã có dữ liệu; xã mẫu chỉ được tạo trên một sổ trống.", "households"
            )


def _lower_division(name: str) -> str:
    """The commune name as written mid-sentence: "Xã Khoái Châu" → "xã Khoái Châu"."""
    clean = vntext.normalise(name)
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        if clean.startswith(prefix):
            return prefix.lower() + clean[len(prefix) :]
    return clean


def _place_of(name: str) -> str:
    """The place name alone: "Xã Khoái Châu" → "Khoái Châu"."""
    clean = vntext.normalise(name)
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        if clean.startswith(prefix):
            return clean[len(prefix) :]
    return clean


# --- the plan: plain objects, linked by the ids they will have ----------------------


@dataclass(slots=True)
class _Hamlet:
    id: int
    name: str
    kind: str
    sections: int  # "Xóm 1".."Xóm n" (or lanes) used in addresses


@dataclass(slots=True)
class _Unit:
    id: int
    name: str
    kind: str
    hamlet_id: int
    address: str
    head_name: str
    phone: str | None
    staff_count: int
    has_branch: bool


@dataclass(slots=True)
class _Branch:
    id: int
    name: str
    kind: str
    hamlet_id: int | None
    unit_id: int | None
    unit_name: str = ""


@dataclass(slots=True)
class _Person:
    id: int
    household_id: int | None
    full_name: str
    family: str
    gender: str
    age: int
    birth_year: int
    birth_date: dt.date | None
    relation: str
    id_number: str | None = None
    phone: str | None = None
    school_level: str | None = None
    occupation: str | None = None
    is_studying: bool = False


@dataclass(slots=True)
class _Household:
    id: int
    code: str
    hamlet: _Hamlet
    address: str
    phone: str | None
    people: list[_Person]
    clan_id: int | None = None

    @property
    def head(self) -> _Person:
        return self.people[0]


@dataclass(slots=True)
class _Clan:
    id: int
    name: str
    branch: str | None
    family: str
    hamlet_id: int
    middle: str | None = None
    head: _Person | None = None


@dataclass(slots=True)
class _Member:
    id: int
    person: _Person | None
    branch_id: int
    full_name: str
    gender: str
    birth_year: int
    phone: str | None
    address: str | None
    join_date: dt.date
    card_number: str = ""
    role: str = MemberRole.MEMBER.value
    dues_paid_year: int | None = None
    leave_date: dt.date | None = None
    leave_reason: str | None = None


@dataclass
class _Plan:
    hamlets: list[_Hamlet] = field(default_factory=list)
    units: list[_Unit] = field(default_factory=list)
    branches: list[_Branch] = field(default_factory=list)
    clans: list[_Clan] = field(default_factory=list)
    households: list[_Household] = field(default_factory=list)
    people: list[_Person] = field(default_factory=list)
    members: list[_Member] = field(default_factory=list)
    chairman_name: str = ""
    secretary_name: str = ""

    def counts(self) -> dict[str, int]:
        return {
            "hamlets": len(self.hamlets),
            "households": len(self.households),
            "people": len(self.people),
            "members": len(self.members),
            "clans": len(self.clans),
            "units": len(self.units),
            "branches": len(self.branches),
        }

    def total_rows(self) -> int:
        return sum(self.counts().values())


class _Weighted:
    """A weighted choice table, prepared once (``random.choices`` with cum weights)."""

    def __init__(self, items: Iterable[tuple[T, float]]) -> None:
        pairs = list(items)
        self.values: list[Any] = [v for v, _ in pairs]
        self.cum: list[float] = list(accumulate(w for _, w in pairs))

    def pick(self, rng: random.Random) -> Any:
        return rng.choices(self.values, cum_weights=self.cum)[0]


_FAMILIES = _Weighted(names.FAMILY_NAMES)
_MIDDLES = {
    (_M, False): _Weighted(names.MALE_MIDDLE_OLD),
    (_M, True): _Weighted(names.MALE_MIDDLE_YOUNG),
    (_F, False): _Weighted(names.FEMALE_MIDDLE_OLD),
    (_F, True): _Weighted(names.FEMALE_MIDDLE_YOUNG),
}
_GIVEN = {_M: names.MALE_GIVEN, _F: names.FEMALE_GIVEN}
_JOBS = {
    "male": _Weighted(names.JOBS_MALE),
    "female": _Weighted(names.JOBS_FEMALE),
    "old": _Weighted(names.JOBS_OLD),
    "teen": _Weighted(names.JOBS_TEEN),
}
_COHORTS = [
    (limit, _Weighted((SchoolLevel(level), w) for level, w in table))
    for limit, table in names.LEVELS_BY_COHORT
]
_SIZES = _Weighted((i + 1, w) for i, w in enumerate(_SIZE_WEIGHTS))


def _demo_signers(db: Database, seed: int, association_chair: str) -> None:
    """The two signers of the demo's documents: the association's chairman and the
    People's Committee's chairman (another person, so a wrong signer shows)."""
    if settings.get_value(db, settings.SIGNERS_KEY) is not None:
        return  # signers the secretary already entered stay
    committee_chair, _ = _officer_names(random.Random(seed * 31 + 7))
    if committee_chair == association_chair:
        committee_chair = _officer_names(random.Random(seed * 31 + 8))[0]
    settings.save_signers(
        db,
        [
            settings.Signer("association_chair", "Chủ tịch Hội Khuyến học", association_chair),
            settings.Signer("committee_chair", "Chủ tịch UBND xã", committee_chair),
        ],
    )


def _officer_names(rng: random.Random) -> tuple[str, str]:
    """The association's chairman and secretary (names only; the plan finds them a home)."""
    chairman = f"{_FAMILIES.pick(rng)} {_MIDDLES[(_M, False)].pick(rng)} {rng.choice(_GIVEN[_M])}"
    secretary = f"{_FAMILIES.pick(rng)} {_MIDDLES[(_F, False)].pick(rng)} {rng.choice(_GIVEN[_F])}"
    return vntext.normalise_name(chairman), vntext.normalise_name(secretary)


def _guess_gender(full_name: str) -> str | None:
    words = full_name.split(" ")
    middles = words[1:-1]
    if "Thị" in middles:
        return _F
    if "Văn" in middles:
        return _M
    given = words[-1] if words else ""
    male, female = given in names.MALE_GIVEN, given in names.FEMALE_GIVEN
    if male != female:
        return _M if male else _F
    return None


class _Planner:
    """Draws the whole commune in memory, in a fixed order, from one seeded RNG."""

    def __init__(
        self,
        rng: random.Random,
        info: settings.CommuneInfo | None,
        progress: ProgressFn | None,
        cancel: CancelFn | None,
    ) -> None:
        self.rng = rng
        self.commune_name = vntext.normalise(info.name) if info else "Xã mẫu"
        self.place = _place_of(self.commune_name)
        self.province_code = info.province_code if info else DEMO_PROVINCE_CODE
        self.province_name = info.province_name if info else ""
        self.officers = (info.chairman_name, info.secretary_name) if info else ("", "")
        self.progress = progress
        self.cancel = cancel
        self.nfd_names = 0
        self._id_numbers: set[str] = set()
        self._phones: set[str] = set()
        self._used_places: set[str] = set()
        self._neighbours: list[CommuneEntry] | None = None
        self._officer_ids: set[int] = set()
        self._cccd_home = f"{int(self.province_code or 0):03d}"
        self._cccd_others = [c for c in names.CCCD_OTHER_PLACES if c != self._cccd_home]

    # --- whole plan ---

    def plan(self, households: int) -> _Plan:
        plan = _Plan()
        plan.hamlets = self.hamlets(households)
        plan.units = self.units(households, plan.hamlets)
        plan.branches = self.branches(plan.hamlets, plan.units)
        self.households(plan, households)
        plan.chairman_name, plan.secretary_name = self.officers_or_new()
        officers = self.place_officers(plan)
        self._officer_ids = {p.id for p in officers.values() if isinstance(p, _Person)}
        plan.clans = self.clans(plan.households)
        plan.members = self.members(plan, officers)
        return plan

    def _tick(self, done: int, total: int) -> None:
        if self.cancel is not None and self.cancel():
            raise DemoCancelled()
        if self.progress is not None:
            self.progress(done * _PLAN_SHARE // max(total, 1), PROGRESS_TOTAL)

    # --- small draws ---

    def new_name(self, family: str, gender: str, birth_year: int) -> str:
        """A full name as someone might type it (NFD now and then), then normalised."""
        rng = self.rng
        middle = _MIDDLES[(gender, birth_year >= 1990)].pick(rng)
        given = rng.choice(_GIVEN[gender])
        if given == middle:
            given = rng.choice(_GIVEN[gender])
        return self.as_typed(f"{family} {middle} {given}")

    def as_typed(self, name: str) -> str:
        roll = self.rng.random()
        source = name
        if roll < 0.10:
            source = unicodedata.normalize("NFD", name)
            if source != name:
                self.nfd_names += 1
        elif roll < 0.11:
            source = name.upper()
        return vntext.normalise_name(source)

    def phone(self) -> str:
        rng = self.rng
        while True:
            number = rng.choice(names.PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def id_number(self, gender: str, birth_year: int) -> str:
        """A CCCD: place code, gender/century digit, two-digit year, six digits."""
        rng = self.rng
        place = self._cccd_home
        if self._cccd_others and rng.random() < 0.12:
            place = rng.choice(self._cccd_others)
        century = 0 if birth_year < 2000 else 2
        digit = century + (1 if gender == _F else 0)
        head = f"{place}{digit}{birth_year % 100:02d}"
        while True:
            number = f"{head}{rng.randrange(1_000_000):06d}"
            if number not in self._id_numbers:
                self._id_numbers.add(number)
                return number

    def place_name(self) -> str:
        """A new two-word place name ("Trung Hòa"), distinct (folded) from earlier ones."""
        rng = self.rng
        while True:
            name = f"{rng.choice(names.PLACE_FIRST)} {rng.choice(names.PLACE_SECOND)}"
            first, second = name.split(" ")
            folded = vntext.fold(name)
            if vntext.fold(first) != vntext.fold(second) and folded not in self._used_places:
                self._used_places.add(folded)
                return name

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return end
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    # --- hamlets, units, branches ---

    def hamlets(self, households: int) -> list[_Hamlet]:
        rng = self.rng
        count = max(3, min(120, round(households / 110 * rng.uniform(0.9, 1.1))))
        streets = round(count * 0.1)
        xom = min(len(names.XOM_SINGLE), round(count * 0.08))
        thon = count - streets - xom
        singles = rng.sample(names.HAMLET_SINGLE, min(len(names.HAMLET_SINGLE), thon // 4))
        chosen: list[tuple[str, str]] = []
        for word in singles:
            if vntext.fold(word) not in self._used_places:
                self._used_places.add(vntext.fold(word))
                chosen.append((f"Thôn {word}", HamletKind.THON.value))
        while len(chosen) < thon:
            chosen.append((f"Thôn {self.place_name()}", HamletKind.THON.value))
        chosen += [(f"Xóm {w}", HamletKind.THON.value) for w in rng.sample(names.XOM_SINGLE, xom)]
        chosen += [(f"Tổ dân phố {i}", HamletKind.TO_DAN_PHO.value) for i in range(1, streets + 1)]
        return [
            _Hamlet(i, name, kind, rng.randint(2, 8)) for i, (name, kind) in enumerate(chosen, 1)
        ]

    def units(self, households: int, hamlets: list[_Hamlet]) -> list[_Unit]:
        """≈ one unit per 250 households (at least the core nine, at most 45)."""
        rng = self.rng
        p = self.place
        local = _lower_division(self.commune_name)  # "xã Khoái Châu", "phường Ba Đình"
        former = [p] + [self.place_name() for _ in range(4)]
        # (name, kind, staff range, has a branch)
        core = [
            (f"UBND {local}", UnitKind.AGENCY, (25, 40), True),
            (f"Trạm Y tế {local}", UnitKind.HEALTH, (7, 14), True),
            (f"Ban Chỉ huy quân sự {local}", UnitKind.ARMED_FORCES, (5, 12), True),
            (f"Công an {local}", UnitKind.ARMED_FORCES, (15, 30), False),
            (f"Trường Mầm non {p}", UnitKind.SCHOOL, (25, 50), True),
            (f"Trường Tiểu học {p}", UnitKind.SCHOOL, (28, 50), True),
            (f"Trường THCS {p}", UnitKind.SCHOOL, (30, 55), True),
            (f"Ủy ban MTTQ Việt Nam {local}", UnitKind.AGENCY, (6, 12), False),
            (f"Trung tâm Học tập cộng đồng {local}", UnitKind.OTHER, (3, 6), False),
        ]
        priority = [(f"Trường THPT {p}", UnitKind.SCHOOL, (55, 90), True)]
        for place in former[1:]:
            priority += [
                (f"Trường Mầm non {place}", UnitKind.SCHOOL, (20, 45), True),
                (f"Trường Tiểu học {place}", UnitKind.SCHOOL, (22, 45), True),
                (f"Trường THCS {place}", UnitKind.SCHOOL, (25, 45), True),
            ]
        pool = [
            (f"Bưu điện văn hóa {local}", UnitKind.AGENCY, (2, 4), False),
            (f"Hội Nông dân {local}", UnitKind.AGENCY, (3, 6), False),
            (f"Hội Liên hiệp Phụ nữ {local}", UnitKind.AGENCY, (3, 6), False),
            (f"Đoàn Thanh niên {local}", UnitKind.AGENCY, (3, 6), False),
            (f"Hội Cựu chiến binh {local}", UnitKind.AGENCY, (3, 6), False),
            (f"Phòng khám đa khoa khu vực {former[1]}", UnitKind.HEALTH, (15, 30), True),
            (f"Quỹ tín dụng nhân dân {p}", UnitKind.ENTERPRISE, (8, 15), False),
            (f"HTX dịch vụ điện năng {p}", UnitKind.COOPERATIVE, (6, 15), False),
            (f"HTX rau an toàn {former[2]}", UnitKind.COOPERATIVE, (8, 25), False),
        ]
        pool += [
            (f"HTX nông nghiệp {place}", UnitKind.COOPERATIVE, (6, 20), False) for place in former
        ]
        brands = rng.sample(names.BRANDS, min(len(names.BRANDS), len(names.ENTERPRISE_PATTERNS)))
        pool += [
            (pattern.format(b=brand), UnitKind.ENTERPRISE, (20, 450), True)
            for pattern, brand in zip(names.ENTERPRISE_PATTERNS, brands, strict=False)
        ]
        count = max(len(core), min(45, round(households / 250)))
        chosen = core + priority[: max(0, count - len(core))]
        chosen += rng.sample(pool, max(0, min(len(pool), count - len(chosen))))
        villages = [h for h in hamlets if h.kind == HamletKind.THON.value] or hamlets
        out: list[_Unit] = []
        for i, (name, kind, (low, high), branch) in enumerate(chosen, 1):
            hamlet = rng.choice(villages)
            gender = _M if rng.random() < 0.6 else _F
            if "Mầm non" in name or "Phụ nữ" in name:
                gender = _F
            by = REFERENCE_DATE.year - rng.randint(35, 58)
            staff = rng.randint(low, high)
            out.append(
                _Unit(
                    id=i,
                    name=name,
                    kind=kind.value,
                    hamlet_id=hamlet.id,
                    address=f"{hamlet.name}, {local}",
                    head_name=self.new_name(_FAMILIES.pick(rng), gender, by),
                    phone=self.phone() if rng.random() < 0.8 else None,
                    staff_count=staff,
                    # Enterprises with a hundred workers or more have a branch.
                    has_branch=branch and (kind != UnitKind.ENTERPRISE or staff >= 100),
                )
            )
        return out

    def branches(self, hamlets: list[_Hamlet], units: list[_Unit]) -> list[_Branch]:
        out = [
            _Branch(i, f"Chi hội {h.name}", BranchKind.HAMLET.value, h.id, None)
            for i, h in enumerate(hamlets, 1)
        ]
        for unit in units:
            if unit.has_branch:
                out.append(
                    _Branch(
                        len(out) + 1,
                        f"Chi hội {unit.name}",
                        BranchKind.UNIT.value,
                        None,
                        unit.id,
                        unit.name,
                    )
                )
        return out

    # --- households and people ---

    def households(self, plan: _Plan, count: int) -> None:
        rng = self.rng
        weights = [rng.uniform(0.5, 1.5) for _ in plan.hamlets]
        per_hamlet = Counter(rng.choices(range(len(plan.hamlets)), weights=weights, k=count))
        width = max(4, len(str(count)))
        next_person = 1
        number = 0
        for index, hamlet in enumerate(plan.hamlets):
            for _ in range(per_hamlet[index]):
                number += 1
                if number % _PLAN_CHUNK == 0:
                    self._tick(number, count)
                household = self.household(number, width, hamlet, next_person)
                next_person += len(household.people)
                plan.households.append(household)
                plan.people.extend(household.people)
        self._tick(count, count)

    def household(self, number: int, width: int, hamlet: _Hamlet, first_id: int) -> _Household:
        rng = self.rng
        if hamlet.kind == HamletKind.TO_DAN_PHO.value:
            address = f"Ngõ {rng.randint(1, hamlet.sections * 3)}, {hamlet.name}"
        elif hamlet.name.startswith("Xóm "):
            address = f"Đội {rng.randint(1, hamlet.sections)}, {hamlet.name}"
        else:
            address = f"Xóm {rng.randint(1, hamlet.sections)}, {hamlet.name}"
        people = [
            self.person(first_id + i, number, relation, gender, age, family)
            for i, (relation, gender, age, family) in enumerate(self.compose(_SIZES.pick(rng)))
        ]
        seen: set[str] = set()
        for person in people:  # no two people of a household share a full name
            while person.full_name in seen:
                person.full_name = self.new_name(person.family, person.gender, person.birth_year)
            seen.add(person.full_name)
        phone = self.phone() if rng.random() < 0.6 else None
        people[0].phone = phone
        for person in people[1:]:
            if 18 <= person.age <= 65 and rng.random() < 0.35:
                person.phone = self.phone()
        return _Household(number, f"H{number:0{width}d}", hamlet, address, phone, people)

    def compose(self, size: int) -> list[tuple[str, str, int, str]]:
        """Who lives in a household of ``size``: (relation, gender, age, family name).

        Children take their father's family name: the head's, or the husband's
        when a woman heads the household with her husband in it.
        """
        rng = self.rng
        family = _FAMILIES.pick(rng)
        if size == 1:
            if rng.random() < 0.55:  # mostly elderly widows living alone
                return [
                    (HEAD_RELATION, _F if rng.random() < 0.75 else _M, rng.randint(60, 92), family)
                ]
            return [(HEAD_RELATION, _M if rng.random() < 0.6 else _F, rng.randint(22, 59), family)]
        male_head = rng.random() < 0.85
        head_age = int(rng.triangular(23, 85, 42))
        out = [(HEAD_RELATION, _M if male_head else _F, head_age, family)]
        children_family = family
        mother_age = None if male_head else head_age
        if male_head and rng.random() < 0.93:
            mother_age = max(18, head_age - rng.randint(-2, 7))
            out.append(("Vợ", _F, mother_age, _FAMILIES.pick(rng)))
        elif not male_head and rng.random() < 0.2:
            children_family = _FAMILIES.pick(rng)
            out.append(("Chồng", _M, min(95, head_age + rng.randint(-2, 7)), children_family))
        mother = mother_age if mother_age is not None else head_age - 3
        remaining = size - len(out)
        if remaining <= 0:
            return out
        if head_age >= 55 and remaining >= 2 and rng.random() < 0.65:
            self.three_generations(out, remaining, mother, children_family)
            return out
        if head_age <= 50 and rng.random() < 0.18:
            if rng.random() < 0.7:
                out.append(("Mẹ", _F, min(98, head_age + rng.randint(22, 32)), _FAMILIES.pick(rng)))
            else:
                out.append(("Bố", _M, min(98, head_age + rng.randint(24, 34)), family))
            remaining -= 1
        if len(out) == 1 and head_age < 35 and rng.random() < 0.5:
            age = head_age
            for _ in range(remaining):
                age = max(0, age - rng.randint(1, 6))
                out.append(("Em", _M if rng.random() < 0.5 else _F, age, family))
            return out
        self.children(out, remaining, mother, children_family, "Con")
        return out

    def three_generations(
        self, out: list[tuple[str, str, int, str]], remaining: int, mother: int, family: str
    ) -> None:
        rng = self.rng
        child_age = max(20, mother - rng.randint(20, 30))
        if rng.random() < 0.85:  # a married son and his family
            partner_age = max(18, child_age - rng.randint(0, 5))
            out.append(("Con", _M, child_age, family))
            out.append(("Con dâu", _F, partner_age, _FAMILIES.pick(rng)))
            grand_family, grand_mother = family, partner_age
        else:  # a married daughter and her husband
            grand_family = _FAMILIES.pick(rng)
            out.append(("Con", _F, child_age, family))
            out.append(("Con rể", _M, child_age + rng.randint(0, 5), grand_family))
            grand_mother = child_age
        self.children(out, remaining - 2, grand_mother, grand_family, "Cháu")

    def children(
        self,
        out: list[tuple[str, str, int, str]],
        count: int,
        mother: int,
        family: str,
        relation: str,
    ) -> None:
        rng = self.rng
        eldest = mother - rng.randint(19, 32)
        if eldest < 0:
            eldest = rng.randint(0, max(0, mother - 18))
        age = eldest
        for _ in range(count):
            out.append((relation, _M if rng.random() < 0.51 else _F, age, family))
            age -= rng.randint(1, 5)
            if age < 0:  # a young mother: the others are spread between 0 and the eldest
                age = rng.randint(0, eldest)

    def person(
        self, person_id: int, household_id: int, relation: str, gender: str, age: int, family: str
    ) -> _Person:
        rng = self.rng
        birth_year = REFERENCE_DATE.year - 1 - age
        birth_date = None
        if rng.random() < 0.4:
            birth_date = dt.date(birth_year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        level, occupation, studying = self.schooling(gender, age, birth_year)
        return _Person(
            id=person_id,
            household_id=household_id,
            full_name=self.new_name(family, gender, birth_year),
            family=family,
            gender=gender,
            age=age,
            birth_year=birth_year,
            birth_date=birth_date,
            relation=relation,
            id_number=self.id_number(gender, birth_year)
            if age >= 18 and rng.random() < 0.5
            else None,
            school_level=level.value if level is not None else None,
            occupation=occupation,
            is_studying=studying,
        )

    def schooling(
        self, gender: str, age: int, birth_year: int
    ) -> tuple[SchoolLevel | None, str | None, bool]:
        """(school level, occupation, studying), consistent with the age."""
        rng = self.rng
        roll = rng.random()
        if age < 3:
            return None, None, False
        if age < 6:
            return (SchoolLevel.PRESCHOOL, None, True) if roll < 0.9 else (None, None, False)
        if age < 11:
            return SchoolLevel.PRIMARY, "Học sinh", True
        if age < 15:
            return SchoolLevel.LOWER_SECONDARY, "Học sinh", True
        if age < 18:
            if roll < 0.80:
                return SchoolLevel.UPPER_SECONDARY, "Học sinh", True
            if roll < 0.88:
                return SchoolLevel.VOCATIONAL, "Học nghề", True
            return SchoolLevel.LOWER_SECONDARY, _JOBS["teen"].pick(rng), False
        if age <= 22 and roll < 0.40:
            level = rng.choices(
                (SchoolLevel.UNIVERSITY, SchoolLevel.COLLEGE, SchoolLevel.VOCATIONAL),
                (50, 25, 25),
            )[0]
            return level, ("Học nghề" if level is SchoolLevel.VOCATIONAL else "Sinh viên"), True
        retired = age >= (60 if gender == _M else 55)
        jobs = _JOBS["old"] if retired else _JOBS["male" if gender == _M else "female"]
        job: str = jobs.pick(rng)
        if age < 22 and job in names.PROFESSIONAL_JOBS:
            job = "Công nhân"
        if job in names.PROFESSIONAL_JOBS:
            level = rng.choices(
                (SchoolLevel.UNIVERSITY, SchoolLevel.COLLEGE, SchoolLevel.POSTGRADUATE),
                (70, 25, 5),
            )[0]
            return level, job, False
        if rng.random() < 0.08:
            return None, job, False  # not known
        cohort = next(table for limit, table in _COHORTS if birth_year < limit)
        level = cohort.pick(rng)
        if age < 22 and level in _HIGHER:
            level = SchoolLevel.UPPER_SECONDARY
        return level, job, False

    # --- officers, clans, members ---

    def officers_or_new(self) -> tuple[str, str]:
        chairman, secretary = self.officers
        if chairman and secretary:
            return chairman, secretary
        new_chairman, new_secretary = _officer_names(self.rng)
        return chairman or new_chairman, secretary or new_secretary

    def place_officers(self, plan: _Plan) -> dict[str, _Person | str]:
        """Give the chairman and secretary a home: rename a fitting person of the registry
        (same family name and gender, a plausible age), or keep them as outsiders."""
        rng = self.rng
        out: dict[str, _Person | str] = {}
        taken: set[int] = set()
        wanted = (
            (MemberRole.CHAIR.value, plan.chairman_name, 58, 75),
            (MemberRole.SECRETARY.value, plan.secretary_name, 40, 65),
        )
        for role, name, low, high in wanted:
            family = name.split(" ")[0]
            gender = _guess_gender(name)
            fits = [
                p
                for p in plan.people
                if p.family == family
                and low <= p.age <= high
                and (gender is None or p.gender == gender)
                and p.id not in taken
            ]
            heads = [p for p in fits if p.relation == HEAD_RELATION]
            if not fits:
                out[role] = name
                continue
            person = rng.choice(heads or fits)
            taken.add(person.id)
            person.full_name = name
            person.school_level = SchoolLevel.UNIVERSITY.value
            person.occupation = "Hưu trí" if person.age >= 58 else "Giáo viên"
            out[role] = person
        return out

    def clans(self, households: list[_Household]) -> list[_Clan]:
        """≈ one clan per 66 households, shared out by family name, ≈ 60 % of households in one."""
        if not households:
            return []
        by_family: dict[str, list[_Household]] = defaultdict(list)
        for household in households:
            by_family[household.head.family].append(household)
        target = max(1, min(250, round(len(households) / 66)))
        floor_size = 8 if len(households) >= 2000 else 1
        eligible = sorted(
            ((f, hs) for f, hs in by_family.items() if len(hs) >= floor_size),
            key=lambda item: (-len(item[1]), vntext.sort_key_plain(item[0])),
        )
        quotas = _share_out(target, [len(hs) for _, hs in eligible])
        clans: list[_Clan] = []
        covered = sum(len(hs) for (_, hs), k in zip(eligible, quotas, strict=True) if k)
        join_share = min(0.95, 0.6 * len(households) / max(covered, 1))
        for (family, members), k in zip(eligible, quotas, strict=True):
            if k:
                clans += self.family_clans(family, members, k, len(clans) + 1, join_share)
        return clans

    def family_clans(
        self, family: str, households: list[_Household], k: int, first_id: int, share: float
    ) -> list[_Clan]:
        rng = self.rng
        k = min(k, len(households))
        # Lineages of one family name ("Họ Nguyễn", "Họ Nguyễn Đình" …), each with one
        # or several branches ("Chi 1", "Chi 2" …), the first lineages the largest.
        count = min(math.ceil(k / 4), len(names.LINEAGE_MIDDLES) + 1)
        middles: list[str | None] = [None, *rng.sample(names.LINEAGE_MIDDLES, count - 1)]
        picks = list(range(count)) + rng.choices(
            range(count), weights=[1 / (i + 1) for i in range(count)], k=k - count
        )
        per_lineage = Counter(picks)
        founders = rng.sample(households, k)
        clans: list[_Clan] = []
        for index, middle in enumerate(middles):
            size = per_lineage[index]
            for number in range(1, size + 1):
                founder = founders[len(clans)]
                clan = _Clan(
                    id=first_id + len(clans),
                    name=f"Họ {family} {middle}" if middle else f"Họ {family}",
                    branch=f"Chi {number}" if size > 1 else None,
                    family=family,
                    hamlet_id=founder.hamlet.id,
                    middle=middle,
                )
                founder.clan_id = clan.id
                clans.append(clan)
        by_hamlet: dict[int, list[_Clan]] = defaultdict(list)
        for clan in clans:
            by_hamlet[clan.hamlet_id].append(clan)
        for household in households:
            if household.clan_id is not None or rng.random() >= share:
                continue
            near = by_hamlet.get(household.hamlet.id)
            pick = rng.choice(near) if near and rng.random() < 0.75 else rng.choice(clans)
            household.clan_id = pick.id
        members: dict[int, list[_Household]] = defaultdict(list)
        for household in households:
            if household.clan_id is not None:
                members[household.clan_id].append(household)
        for clan in clans:
            clan.head = head = _clan_head(members[clan.id], family)
            given = head.full_name.split(" ")[-1] if head is not None else ""
            if head and clan.middle and given != clan.middle and head.id not in self._officer_ids:
                # The men of "Họ Nguyễn Đình" carry Đình as their middle name.
                head.full_name = f"{family} {clan.middle} {given}"
        return clans

    def members(self, plan: _Plan, officers: dict[str, _Person | str]) -> list[_Member]:
        """≈ one member per household: 95 % people of the registry, 5 % outsiders."""
        rng = self.rng
        target = max(1, round(len(plan.households) * rng.uniform(0.97, 1.03)))
        outsiders = round(target * 0.05)
        households = {h.id: h for h in plan.households}
        forced = [p for p in officers.values() if isinstance(p, _Person)]
        forced_ids = {p.id for p in forced}
        weights = {HEAD_RELATION: 3.0, "Vợ": 2.0, "Chồng": 2.0}
        adults = [p for p in plan.people if p.age >= 18 and p.id not in forced_ids]
        keyed = sorted(
            ((rng.random() ** (1.0 / weights.get(p.relation, 1.0)), p.id, p) for p in adults),
            reverse=True,
        )
        linked = forced + [p for _, _, p in keyed[: max(0, target - outsiders - len(forced))]]
        hamlet_branch = {b.hamlet_id: b for b in plan.branches if b.hamlet_id is not None}
        unit_branches = [b for b in plan.branches if b.unit_id is not None]
        members: list[_Member] = []
        for person in linked:
            assert person.household_id is not None
            household = households[person.household_id]
            branch = self.branch_for(person.occupation, unit_branches)
            branch = branch or hamlet_branch[household.hamlet.id]
            members.append(
                _Member(
                    id=0,
                    person=person,
                    branch_id=branch.id,
                    full_name=person.full_name,
                    gender=person.gender,
                    birth_year=person.birth_year,
                    phone=person.phone,
                    address=household.address,
                    join_date=self.join_date(person.birth_year),
                )
            )
        named_outsiders = [n for n in officers.values() if isinstance(n, str)]
        for index in range(max(outsiders, len(named_outsiders))):
            members.append(self.outsider(plan, unit_branches, named_outsiders, index))
        members.sort(key=lambda m: (m.join_date, m.full_name))
        for number, member in enumerate(members, 1):
            member.id = number
            member.card_number = f"HV{number:05d}"
        self.assign_roles(plan, members, officers)
        self.dues_and_leaving(members)
        return members

    def branch_for(self, occupation: str | None, unit_branches: list[_Branch]) -> _Branch | None:
        """Teachers join a school's branch, officials the People's Committee's, and so on."""
        rng = self.rng
        if not unit_branches or occupation is None:
            return None
        keys = {
            "Giáo viên": ("Trường",),
            "Cán bộ xã": ("UBND",),
            "Công chức": ("UBND",),
            "Y sĩ": ("Trạm Y tế", "Phòng khám"),
            "Y tá": ("Trạm Y tế", "Phòng khám"),
            "Bộ đội": ("Ban Chỉ huy",),
            "Công an": ("Ban Chỉ huy",),
            "Công nhân": ("Công ty", "Doanh nghiệp"),
        }.get(occupation)
        if keys is None or (occupation == "Công nhân" and rng.random() < 0.75):
            return None
        fitting = [b for b in unit_branches if b.unit_name.startswith(keys)]
        return rng.choice(fitting) if fitting else None

    def join_date(self, birth_year: int) -> dt.date:
        start = max(dt.date(2000, 1, 1), dt.date(birth_year + 18, 1, 1))
        return self.day_between(start, LAST_DAY)

    def outsider(
        self, plan: _Plan, unit_branches: list[_Branch], named: list[str], index: int
    ) -> _Member:
        rng = self.rng
        if index < len(named):
            full_name = named[index]
            gender = _guess_gender(full_name) or _M
            birth_year = REFERENCE_DATE.year - rng.randint(50, 68)
        else:
            gender = _M if rng.random() < 0.5 else _F
            birth_year = REFERENCE_DATE.year - rng.randint(26, 70)
            full_name = self.new_name(_FAMILIES.pick(rng), gender, birth_year)
        branches = unit_branches if unit_branches and rng.random() < 0.7 else plan.branches
        return _Member(
            id=0,
            person=None,
            branch_id=rng.choice(branches).id,
            full_name=full_name,
            gender=gender,
            birth_year=birth_year,
            phone=self.phone() if rng.random() < 0.7 else None,
            address=self.elsewhere(),
            join_date=self.join_date(birth_year),
        )

    def elsewhere(self) -> str:
        """An address in another commune of the province (outsiders live elsewhere)."""
        rng = self.rng
        if self._neighbours is None:
            self._neighbours = [
                c
                for c in communes_of(self.province_code)
                if vntext.fold(c.name) != vntext.fold(self.commune_name)
            ]
        others = self._neighbours
        village = f"Thôn {rng.choice(names.HAMLET_SINGLE)}"
        if not others:
            return village
        commune = rng.choice(others)
        return f"{village}, {_lower_division(commune.name)}, {commune.province_name}"

    def assign_roles(
        self, plan: _Plan, members: list[_Member], officers: dict[str, _Person | str]
    ) -> None:
        rng = self.rng
        busy: set[int] = set()
        for role, who in officers.items():
            holder = next(
                m
                for m in members
                if (m.person is who if isinstance(who, _Person) else m.full_name == who)
            )
            holder.role = role
            busy.add(holder.id)
        by_branch: dict[int, list[_Member]] = defaultdict(list)
        for member in members:
            if member.id not in busy:
                by_branch[member.branch_id].append(member)
        for branch in plan.branches:
            candidates = by_branch.get(branch.id, [])
            if not candidates:
                continue
            chosen = rng.sample(candidates, 2 if len(candidates) >= 40 else 1)
            chosen[0].role = MemberRole.BRANCH_CHAIR.value
            if len(chosen) > 1:
                chosen[1].role = MemberRole.BRANCH_VICE_CHAIR.value
            busy.update(m.id for m in chosen)
        rest = [m for m in members if m.id not in busy]
        board = rng.sample(rest, min(len(rest), 11))
        for index, member in enumerate(board):
            member.role = MemberRole.VICE_CHAIR.value if index < 2 else MemberRole.COMMITTEE.value

    def dues_and_leaving(self, members: list[_Member]) -> None:
        rng = self.rng
        year = REFERENCE_DATE.year
        for member in members:
            if member.role == MemberRole.MEMBER.value and rng.random() < 0.03:
                member.leave_date = self.day_between(
                    member.join_date + dt.timedelta(days=30), LAST_DAY
                )
                member.leave_reason = rng.choice(names.LEAVE_REASONS)
                if rng.random() < 0.5:
                    member.dues_paid_year = max(member.join_date.year, member.leave_date.year - 1)
            elif rng.random() < 0.70:
                member.dues_paid_year = year if rng.random() < 0.65 else year - 1


def _share_out(total: int, sizes: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``sizes`` (largest remainders), none above its size."""
    whole = sum(sizes)
    if not whole:
        return [0 for _ in sizes]
    exact = [total * s / whole for s in sizes]
    shares = [min(int(x), s) for x, s in zip(exact, sizes, strict=True)]
    order = sorted(range(len(sizes)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    for i in order:
        if sum(shares) >= total:
            break
        if shares[i] < sizes[i]:
            shares[i] += 1
    return shares


def _clan_head(households: list[_Household], family: str) -> _Person | None:
    """The eldest man of the family name among the clan's households (trưởng họ)."""
    candidates = [
        p
        for h in households
        for p in h.people
        if p.family == family and p.gender == _M and p.relation in (HEAD_RELATION, "Bố")
    ]
    if not candidates:
        candidates = [h.head for h in households]
    if not candidates:
        return None
    return min(candidates, key=lambda p: (p.birth_year, p.id))


# --- writing ------------------------------------------------------------------------


def _write(
    db: Database,
    plan: _Plan,
    rng: random.Random,
    commune_code: str,
    progress: ProgressFn | None,
    cancel: CancelFn | None,
) -> None:
    """Insert the plan in one transaction, in batches; cancel rolls it all back."""
    now = utcnow()
    total = plan.total_rows()
    tables: list[tuple[type[SyncMixin], Sequence[Any], Callable[[Any], dict[str, Any]]]] = [
        (Hamlet, plan.hamlets, _hamlet_row),
        (Unit, plan.units, _unit_row),
        (Branch, plan.branches, _branch_row),
        (Clan, plan.clans, _clan_row),
        (Household, plan.households, _household_row),
        (Person, plan.people, _person_row),
        (Member, plan.members, _member_row),
    ]
    with db.connect() as conn:
        _check_empty(conn)
        seq = reserve_change_seqs(conn, total)
        done = 0
        for model, items, to_row in tables:
            for batch in _chunks(items, _BATCH_ROWS):
                if cancel is not None and cancel():
                    raise DemoCancelled()
                rows = []
                for item in batch:
                    row = to_row(item)
                    row.update(
                        uuid=str(uuidlib.UUID(int=rng.getrandbits(128), version=4)),
                        commune_code=commune_code,
                        created_at=now,
                        updated_at=now,
                        revision=1,
                        deleted=False,
                        deleted_at=None,
                        change_seq=seq,
                    )
                    seq += 1
                    rows.append(row)
                conn.execute(insert(model), rows)
                done += len(rows)
                if progress is not None:
                    share = PROGRESS_TOTAL - _PLAN_SHARE
                    progress(_PLAN_SHARE + done * share // max(total, 1), PROGRESS_TOTAL)
        _link_heads(conn, plan)
        record_summary(
            conn,
            connection_actor(conn),
            "demo",
            "Tạo xã mẫu: "
            + ", ".join(f"{len(items)} {model.__name__}" for model, items, _f in tables),
        )
        if cancel is not None and cancel():
            raise DemoCancelled()


def _link_heads(conn: Connection, plan: _Plan) -> None:
    """Point households and clans to their heads, now that the people exist.

    (Inserting them with the link and deferring the foreign-key check is far
    slower: SQLite then scans the unindexed head columns for every person.)
    """
    households = [{"row_id": h.id, "head_id": h.head.id} for h in plan.households]
    clans = [{"row_id": c.id, "head_id": c.head.id} for c in plan.clans if c.head is not None]
    if households:
        conn.execute(
            update(Household)
            .where(Household.id == bindparam("row_id"))
            .values(head_person_id=bindparam("head_id")),
            households,
        )
    if clans:
        conn.execute(
            update(Clan)
            .where(Clan.id == bindparam("row_id"))
            .values(head_person_id=bindparam("head_id")),
            clans,
        )


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _hamlet_row(h: _Hamlet) -> dict[str, Any]:
    return {
        "id": h.id,
        "name": h.name,
        "kind": h.kind,
        "note": None,
        "name_folded": vntext.fold(h.name),
        "sort_key": vntext.sort_key_plain(h.name),
    }


def _unit_row(u: _Unit) -> dict[str, Any]:
    return {
        "id": u.id,
        "name": u.name,
        "kind": u.kind,
        "hamlet_id": u.hamlet_id,
        "address": u.address,
        "head_name": u.head_name,
        "phone": u.phone,
        "staff_count": u.staff_count,
        "note": None,
        "search_text": vntext.search_blob(u.name, u.head_name, u.phone, u.address),
        "sort_key": vntext.sort_key_plain(u.name),
    }


def _branch_row(b: _Branch) -> dict[str, Any]:
    return {
        "id": b.id,
        "name": b.name,
        "kind": b.kind,
        "hamlet_id": b.hamlet_id,
        "unit_id": b.unit_id,
        "note": None,
        "sort_key": vntext.sort_key_plain(b.name),
    }


def _clan_row(c: _Clan) -> dict[str, Any]:
    head_name = c.head.full_name if c.head else None
    return {
        "id": c.id,
        "name": c.name,
        "branch": c.branch,
        "head_person_id": None,  # set by _link_heads
        "head_name": head_name,
        "hamlet_id": c.hamlet_id,
        "note": None,
        "search_text": vntext.search_blob(c.name, c.branch, head_name),
        "sort_key": clan_sort_key(c.name, c.branch),
    }


# Shares of households by circumstance, as commune poverty lists show them.
_CIRCUMSTANCE_SHARES = (
    (Circumstance.POOR, 0.03),
    (Circumstance.NEAR_POOR, 0.05),
    (Circumstance.POLICY, 0.02),
    (Circumstance.DIFFICULT, 0.02),
)


def _circumstance(h: _Household) -> str:
    """A household's circumstances, drawn from its own code and head so that the main
    random stream (and so everything else a seed produces) stays as it was."""
    draw = random.Random(f"{h.code}|{h.head.full_name}").random()
    for circumstance, share in _CIRCUMSTANCE_SHARES:
        if draw < share:
            return circumstance.value
        draw -= share
    return Circumstance.NORMAL.value


def _household_row(h: _Household) -> dict[str, Any]:
    head = h.head
    return {
        "id": h.id,
        "code": h.code,
        "hamlet_id": h.hamlet.id,
        "clan_id": h.clan_id,
        "head_person_id": None,  # set by _link_heads
        "head_name": head.full_name,
        "address": h.address,
        "phone": h.phone,
        "note": None,
        "circumstance": _circumstance(h),
        "search_text": vntext.search_blob(head.full_name, h.address, h.phone, h.code),
        "sort_key": vntext.sort_key(head.full_name),
    }


def _person_row(p: _Person) -> dict[str, Any]:
    return {
        "id": p.id,
        "household_id": p.household_id,
        "full_name": p.full_name,
        "gender": p.gender,
        "birth_date": p.birth_date,
        "birth_year": p.birth_year,
        "relation": p.relation,
        "id_number": p.id_number,
        "phone": p.phone,
        "school_level": p.school_level,
        "occupation": p.occupation,
        "is_studying": p.is_studying,
        "note": None,
        "name_folded": vntext.fold(p.full_name),
        "search_text": vntext.search_blob(p.full_name, p.id_number, p.phone),
        "sort_key": vntext.sort_key(p.full_name),
    }


def _member_row(m: _Member) -> dict[str, Any]:
    return {
        "id": m.id,
        "person_id": m.person.id if m.person else None,
        "branch_id": m.branch_id,
        "full_name": m.full_name,
        "gender": m.gender,
        "birth_year": m.birth_year,
        "phone": m.phone,
        "address": m.address,
        "card_number": m.card_number,
        "join_date": m.join_date,
        "role": m.role,
        "dues_paid_year": m.dues_paid_year,
        "leave_date": m.leave_date,
        "leave_reason": m.leave_reason,
        "note": None,
        "search_text": vntext.search_blob(m.full_name, m.card_number, m.phone),
        "sort_key": vntext.sort_key(m.full_name),
    }
