"""Recording activities and the figures the periodic report needs.

Participants are linked from the registries — members for a training, people for a
class — or just counted (``participants_count``) when the names are not kept. When
both are given the links win: they are the evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.core import text as vntext
from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.models import Activity, ActivityParticipant, Member, Person
from app.core.models.activities import ACTIVITY_KIND_LABELS, ActivityKind
from app.core.models.members import MemberRole
from app.core.registry.common import soft_delete

MAX_HOURS = 2000
MAX_COUNT = 100_000


@dataclass(frozen=True)
class ActivityInput:
    kind: str
    topic: str
    start_date: dt.date
    end_date: dt.date | None = None
    hours: int | None = None
    participants_count: int = 0
    place: str = ""
    note: str | None = None
    member_ids: Sequence[int] = ()
    person_ids: Sequence[int] = ()


@dataclass(frozen=True)
class ActivityView:
    id: int
    kind: str
    kind_label: str
    topic: str
    start_date: dt.date
    end_date: dt.date | None
    hours: int | None
    participants: int
    linked: int
    place: str
    note: str | None

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["start_date"] = self.start_date.isoformat()
        data["end_date"] = self.end_date.isoformat() if self.end_date else None
        return data


def _check(data: ActivityInput) -> tuple[ActivityKind, str]:
    try:
        kind = ActivityKind(data.kind)
    except ValueError as exc:
        known = ", ".join(f"{k.value} ({v})" for k, v in ACTIVITY_KIND_LABELS.items())
        raise ValidationError(f"Loại hoạt động phải là một trong: {known}.", "kind") from exc
    topic = vntext.normalise(data.topic or "")
    if not topic:
        raise ValidationError("Cần ghi chủ đề / tên lớp.", "topic")
    if not isinstance(data.start_date, dt.date):
        raise ValidationError("Cần ngày bắt đầu.", "start_date")
    if data.end_date is not None and data.end_date < data.start_date:
        raise ValidationError("Ngày kết thúc trước ngày bắt đầu.", "end_date")
    if data.hours is not None and not 0 < data.hours <= MAX_HOURS:
        raise ValidationError(f"Số giờ phải từ 1 đến {MAX_HOURS}.", "hours")
    if not 0 <= data.participants_count <= MAX_COUNT:
        raise ValidationError("Số người tham gia không hợp lệ.", "participants_count")
    return kind, topic


def _links(s: Session, data: ActivityInput) -> list[ActivityParticipant]:
    links: list[ActivityParticipant] = []
    for member_id in dict.fromkeys(data.member_ids):
        member = s.get(Member, member_id)
        if member is None or member.deleted:
            raise ValidationError(f"Không tìm thấy hội viên mã {member_id}.", "member_ids")
        links.append(ActivityParticipant(member_id=member_id))
    for person_id in dict.fromkeys(data.person_ids):
        person = s.get(Person, person_id)
        if person is None or person.deleted:
            raise ValidationError(f"Không tìm thấy nhân khẩu mã {person_id}.", "person_ids")
        links.append(ActivityParticipant(person_id=person_id))
    return links


def add_activity(db: Database, data: ActivityInput) -> int:
    """Record an activity with its participants, in one transaction; returns its id."""
    kind, topic = _check(data)
    with db.session() as s:
        links = _links(s, data)
        obj = Activity(
            kind=kind.value,
            topic=topic,
            start_date=data.start_date,
            end_date=data.end_date,
            hours=data.hours,
            participants_count=data.participants_count,
            place=vntext.normalise(data.place or ""),
            note=vntext.normalise_optional(data.note),
        )
        s.add(obj)
        s.flush()
        for link in links:
            link.activity_id = obj.id
        s.add_all(links)
        return obj.id


def _activity(s: Session, activity_id: int) -> Activity:
    obj = s.get(Activity, activity_id)
    if obj is None or obj.deleted:
        raise NotFoundError(f"Không tìm thấy hoạt động mã {activity_id}.")
    return obj


def _live_links(s: Session, activity_id: int) -> list[ActivityParticipant]:
    return list(
        s.scalars(
            select(ActivityParticipant).where(
                ActivityParticipant.activity_id == activity_id,
                ActivityParticipant.deleted.is_(False),
            )
        )
    )


def activity_input(db: Database, activity_id: int) -> ActivityInput:
    """An activity as the input that records it, participants included: what an edit
    form starts from and hands back to :func:`update_activity`."""
    with db.session() as s:
        obj = _activity(s, activity_id)
        links = _live_links(s, activity_id)
        return ActivityInput(
            kind=obj.kind,
            topic=obj.topic,
            start_date=obj.start_date,
            end_date=obj.end_date,
            hours=obj.hours,
            participants_count=obj.participants_count,
            place=obj.place,
            note=obj.note,
            member_ids=tuple(ln.member_id for ln in links if ln.member_id is not None),
            person_ids=tuple(ln.person_id for ln in links if ln.person_id is not None),
        )


def update_activity(db: Database, activity_id: int, data: ActivityInput) -> None:
    """Change an activity with the same checks as :func:`add_activity`, in one
    transaction. Participant links are kept, added or soft-deleted one by one (never
    rewritten), so an edit travels upward as the few rows it changed."""
    kind, topic = _check(data)
    with db.session() as s:
        obj = _activity(s, activity_id)
        wanted = _links(s, data)
        obj.kind, obj.topic = kind.value, topic
        obj.start_date, obj.end_date = data.start_date, data.end_date
        obj.hours, obj.participants_count = data.hours, data.participants_count
        obj.place = vntext.normalise(data.place or "")
        obj.note = vntext.normalise_optional(data.note)
        current = {(ln.member_id, ln.person_id): ln for ln in _live_links(s, activity_id)}
        keys = {(ln.member_id, ln.person_id) for ln in wanted}
        for key, link in current.items():
            if key not in keys:
                soft_delete(link)
        for link in wanted:
            if (link.member_id, link.person_id) not in current:
                link.activity_id = activity_id
                s.add(link)


def delete_activity(db: Database, activity_id: int) -> None:
    """Soft-delete an activity and its participant links (the deletion travels upward)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with db.session() as s:
        obj = s.get(Activity, activity_id)
        if obj is None or obj.deleted:
            raise NotFoundError(f"Không tìm thấy hoạt động mã {activity_id}.")
        obj.deleted, obj.deleted_at = True, now
        for link in s.scalars(
            select(ActivityParticipant).where(
                ActivityParticipant.activity_id == activity_id,
                ActivityParticipant.deleted.is_(False),
            )
        ):
            link.deleted, link.deleted_at = True, now


def _overlaps(start: dt.date, end: dt.date) -> tuple[ColumnElement[bool], ...]:
    """Activities running at some time between ``start`` and ``end`` (inclusive)."""
    return (
        Activity.deleted.is_(False),
        Activity.start_date <= end,
        func.coalesce(Activity.end_date, Activity.start_date) >= start,
    )


def list_activities(
    db: Database, year: int | None = None, kind: str | None = None
) -> list[ActivityView]:
    """Activities (of a calendar year, of a kind), newest first."""
    stmt = select(Activity).where(Activity.deleted.is_(False))
    if year is not None:
        stmt = select(Activity).where(*_overlaps(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    if kind:
        stmt = stmt.where(Activity.kind == kind)
    with db.session() as s:
        items = list(s.scalars(stmt.order_by(Activity.start_date.desc(), Activity.id.desc())))
        linked = _linked_counts(s, [a.id for a in items])
    return [
        ActivityView(
            id=a.id,
            kind=a.kind,
            kind_label=ACTIVITY_KIND_LABELS.get(ActivityKind(a.kind), a.kind),
            topic=a.topic,
            start_date=a.start_date,
            end_date=a.end_date,
            hours=a.hours,
            participants=linked.get(a.id) or a.participants_count,
            linked=linked.get(a.id, 0),
            place=a.place,
            note=a.note,
        )
        for a in items
    ]


def _linked_counts(s: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = s.execute(
        select(ActivityParticipant.activity_id, func.count())
        .where(ActivityParticipant.activity_id.in_(ids), ActivityParticipant.deleted.is_(False))
        .group_by(ActivityParticipant.activity_id)
    ).all()
    return {int(a): int(n) for a, n in rows}


def _officials(s: Session, on: dt.date) -> set[int]:
    """Members holding an office (any role but plain member) and not gone by ``on``."""
    return set(
        s.scalars(
            select(Member.id).where(
                Member.deleted.is_(False),
                Member.role != MemberRole.MEMBER.value,
                (Member.leave_date.is_(None)) | (Member.leave_date > on),
            )
        )
    )


def activity_figures(db: Database, start: dt.date, end: dt.date) -> dict[str, int | float]:
    """The activity figures of a period (every activity running in [start, end]).

    Keys (all integers but the percentage):

    - ``trainings``, ``training_hours``, ``training_participants`` (head count of
      all trainings, one person counted once per training);
    - ``members_trained`` (distinct members), ``officials_total`` (members holding
      an office at ``end``), ``officials_trained`` (of those, trained at least once),
      ``officials_trained_percent`` (0–100, one decimal; the plans aim at 100);
    - ``literacy_classes`` / ``literacy_learners``, ``continuing_classes`` /
      ``continuing_learners`` (lớp chuyên đề), ``centre_sessions`` /
      ``centre_participants`` (TTHTCĐ).
    """
    if end < start:
        raise ValidationError("Ngày cuối kỳ trước ngày đầu kỳ.")
    with db.session() as s:
        items = list(s.scalars(select(Activity).where(*_overlaps(start, end))))
        linked = _linked_counts(s, [a.id for a in items])
        training_ids = [a.id for a in items if a.kind == ActivityKind.TRAINING.value]
        trained = set(
            s.scalars(
                select(ActivityParticipant.member_id).where(
                    ActivityParticipant.activity_id.in_(training_ids),
                    ActivityParticipant.deleted.is_(False),
                    ActivityParticipant.member_id.is_not(None),
                )
            )
        )
        officials = _officials(s, end)

    def of(kind: ActivityKind) -> list[Activity]:
        return [a for a in items if a.kind == kind.value]

    def heads(kind: ActivityKind) -> int:
        return sum(linked.get(a.id) or a.participants_count for a in of(kind))

    done = len(officials & trained)
    return {
        "trainings": len(of(ActivityKind.TRAINING)),
        "training_hours": sum(a.hours or 0 for a in of(ActivityKind.TRAINING)),
        "training_participants": heads(ActivityKind.TRAINING),
        "members_trained": len(trained),
        "officials_total": len(officials),
        "officials_trained": done,
        "officials_trained_percent": round(100 * done / len(officials), 1) if officials else 0.0,
        "literacy_classes": len(of(ActivityKind.LITERACY)),
        "literacy_learners": heads(ActivityKind.LITERACY),
        "continuing_classes": len(of(ActivityKind.CONTINUING)),
        "continuing_learners": heads(ActivityKind.CONTINUING),
        "centre_sessions": len(of(ActivityKind.CENTRE)),
        "centre_participants": heads(ActivityKind.CENTRE),
    }


@dataclass(frozen=True)
class MemberChoice:
    """An active member offered as a training participant."""

    member_id: int
    full_name: str
    role_label: str
    branch: str
    official: bool


def member_choices(
    db: Database, search: str | None = None, limit: int = 1000
) -> list[MemberChoice]:
    """Active members (officials first, then Vietnamese name order), filtered by name."""
    from app.core.models import Branch
    from app.core.models.members import MEMBER_ROLE_LABELS

    stmt = (
        select(Member.id, Member.full_name, Member.role, Branch.name)
        .outerjoin(Branch, Branch.id == Member.branch_id)
        .where(Member.deleted.is_(False), Member.leave_date.is_(None))
    )
    for word in vntext.fold_query(search):
        stmt = stmt.where(Member.search_text.like(f"%{word}%"))
    stmt = stmt.order_by((Member.role == MemberRole.MEMBER.value).asc(), Member.sort_key).limit(
        limit
    )
    with db.session() as s:
        rows = s.execute(stmt).all()
    return [
        MemberChoice(
            member_id=mid,
            full_name=name,
            role_label=MEMBER_ROLE_LABELS.get(MemberRole(role), role) if role else "",
            branch=branch or "",
            official=role != MemberRole.MEMBER.value,
        )
        for mid, name, role, branch in rows
    ]
