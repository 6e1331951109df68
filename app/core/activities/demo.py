"""Activities of the demo commune for the fund's demo years: trainings attended by the
officials (and some members), a literacy class, continuing-education classes and
monthly learning-centre sessions. Deterministic per seed, rows straight through the
driver like the rest of the demo (a few hundred rows).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select

from app.core.bulk import insert_syncable
from app.core.db import Database
from app.core.fund.demo_fund import YEARS
from app.core.models import Activity, ActivityParticipant, Member
from app.core.models.members import MemberRole

TRAININGS = (
    ("Nghiệp vụ công tác khuyến học cho cán bộ chi hội", 8),
    ("Đánh giá, công nhận các mô hình học tập", 6),
    ("Chuyển đổi số trong công tác Hội", 4),
)
CONTINUING = (
    "Kỹ thuật trồng lúa chất lượng cao",
    "Chăn nuôi an toàn sinh học",
    "Phòng chống đuối nước cho trẻ em",
    "Kỹ năng sử dụng điện thoại thông minh",
)
CENTRE = ("Câu lạc bộ đọc sách", "Tuyên truyền pháp luật", "Sinh hoạt chuyên đề sức khỏe")


def fill_demo_activities(db: Database, seed: int, commune_code: str = "") -> dict[str, int]:
    """Fill the activities of :data:`YEARS`; returns counts."""
    rng = random.Random(seed * 53 + 11)
    with db.connect() as conn:
        officials = list(
            conn.execute(
                select(Member.id).where(
                    Member.deleted.is_(False),
                    Member.leave_date.is_(None),
                    Member.role != MemberRole.MEMBER.value,
                )
            ).scalars()
        )
        plain = list(
            conn.execute(
                select(Member.id).where(
                    Member.deleted.is_(False), Member.role == MemberRole.MEMBER.value
                )
            ).scalars()
        )
        next_id = 1 + int(
            conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM activity").scalar_one()
        )
        activities: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []

        def add(kind: str, topic: str, start: dt.date, **kw: Any) -> int:
            nonlocal next_id
            activities.append(
                {
                    "id": next_id,
                    "kind": kind,
                    "topic": topic,
                    "start_date": start,
                    "end_date": kw.get("end"),
                    "hours": kw.get("hours"),
                    "participants_count": kw.get("count", 0),
                    "place": kw.get("place", "Hội trường UBND xã"),
                    "note": None,
                }
            )
            next_id += 1
            return next_id - 1

        for year in YEARS:
            for month, (topic, hours) in zip((3, 6, 10), TRAININGS, strict=True):
                aid = add("training", topic, dt.date(year, month, rng.randint(5, 25)), hours=hours)
                # most officials come to each training; a few members too
                who = [m for m in officials if rng.random() < 0.8]
                who += rng.sample(plain, min(len(plain), rng.randint(5, 15)))
                links += [{"activity_id": aid, "member_id": m, "person_id": None} for m in who]
            add(
                "literacy",
                f"Lớp xóa mù chữ năm {year}",
                dt.date(year, 2, 15),
                end=dt.date(year, 6, 30),
                hours=120,
                count=rng.randint(8, 20),
                place="Trung tâm học tập cộng đồng",
            )
            for topic in rng.sample(CONTINUING, 2):
                add(
                    "continuing",
                    topic,
                    dt.date(year, rng.randint(3, 11), rng.randint(1, 28)),
                    hours=rng.choice((4, 8, 12)),
                    count=rng.randint(25, 80),
                )
            for month in range(1, 13, 2):
                add(
                    "centre",
                    rng.choice(CENTRE),
                    dt.date(year, month, rng.randint(1, 28)),
                    hours=2,
                    count=rng.randint(20, 60),
                    place="Trung tâm học tập cộng đồng",
                )
        insert_syncable(conn, Activity.__tablename__, activities, rng, commune_code)
        insert_syncable(conn, ActivityParticipant.__tablename__, links, rng, commune_code)
    return {"activities": len(activities), "activity_participants": len(links)}
