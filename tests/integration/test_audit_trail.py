"""The audit trail is written centrally: every service's insert, update, delete and
restore is recorded with who, when and which field changed from what to what; bulk
work leaves one summary row; the signed-in role is checked on every flush."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from app.core.accounts import permissions, service
from app.core.audit import query
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.fund import dues
from app.core.registry import hamlets
from app.core.registry import households as hh
from app.core.registry.members import BranchInput, MemberInput, create_branch, create_member
from app.core.registry.people import PersonInput


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        service, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


def _rows(db: Database, entity: str) -> list[query.AuditView]:
    return query.entries(db, query.AuditFilter(entity=entity))


def test_a_service_edit_is_recorded_with_the_field_old_and_new(db: Database) -> None:
    db.actor = "cô Hoa"
    hamlet = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Thượng", "thon"))
    hamlets.update_hamlet(db, hamlet, hamlets.HamletInput("Thôn Thượng Hòa", "thon"))
    hamlets.delete_hamlet(db, hamlet)
    hamlets.restore_hamlet(db, hamlet)
    newest_first = _rows(db, "hamlet")
    assert [r.action for r in newest_first] == ["restore", "delete", "update", "insert"]
    assert {r.actor for r in newest_first} == {"cô Hoa"}
    update = newest_first[2]
    assert update.changes == {"name": ["Thôn Thượng", "Thôn Thượng Hòa"]}
    assert update.row_id == hamlet and update.row_uuid
    assert "Thôn Thượng → Thôn Thượng Hòa" in update.what
    assert newest_first[3].changes["name"] == [None, "Thôn Thượng"]
    assert abs(newest_first[0].at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(
        minutes=1
    )
    assert query.verify(db).ok


def test_a_refused_save_leaves_no_audit_row(db: Database) -> None:
    hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Hạ"))
    before = len(query.entries(db))
    with pytest.raises(ValidationError, match="Đã có"):
        hamlets.create_hamlet(db, hamlets.HamletInput("thon ha"))
    assert len(query.entries(db)) == before


def test_the_flush_refuses_a_write_the_role_may_not_make(
    db: Database, make_name: Callable[..., str]
) -> None:
    hamlet = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Trung"))
    hh.create_household(
        db,
        hh.HouseholdInput(hamlet_id=hamlet),
        [PersonInput(make_name("M"), "M", "1970", "Chủ hộ")],
    )
    branch = create_branch(db, BranchInput("Chi hội thôn Trung", hamlet_id=hamlet))
    member = create_member(db, MemberInput(branch_id=branch, full_name=make_name()))
    first = service.create_account(db, "thuky", "Mat-khau-2026", "secretary")
    service.act_as(db, first.account)
    service.create_account(db, "thuquy", "Mat-khau-2026", "treasurer")
    service.sign_in(db, "thuquy", "Mat-khau-2026")
    with pytest.raises(permissions.PermissionDenied, match="không được sửa các sổ"):
        hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Mới"))
    assert [n for _i, n in hamlets.hamlet_choices(db)] == ["Thôn Trung"]
    # Paying dues moves the member's "paid up to" year: a side effect the treasurer may.
    dues.pay_dues(db, [member], 2026, 20_000, dt.date(2026, 3, 1), collector="Chi hội")
    changed = _rows(db, "member")[0]
    assert changed.actor == "thuquy" and changed.changes == {"dues_paid_year": [None, 2026]}
    service.sign_in(db, "thuky", "Mat-khau-2026")
    with pytest.raises(permissions.PermissionDenied, match="ghi sổ quỹ"):
        dues.pay_dues(db, [member], 2027, 20_000, dt.date(2026, 3, 2), collector="Chi hội")


def test_a_spreadsheet_import_leaves_one_summary_row(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    from app.core.io.importer import import_file

    book = Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Năm sinh", "Giới tính", "Quan hệ với chủ hộ", "Thôn"])
    for i in range(30):
        sheet.append([f"Nguyễn Văn Khoa {i}", 1970 + i, "Nam", "Chủ hộ", "Thôn Đông"])
    path = tmp_path / "nhan-khau.xlsx"
    book.save(path)
    before = len(query.entries(db))
    import_file(db, path, "people")
    after = query.entries(db)
    assert len(after) == before + 1
    assert after[0].action == "bulk" and "thêm" in after[0].summary
    assert query.verify(db).ok
