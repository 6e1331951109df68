"""GUI tests drive the real widgets offscreen (pytest-qt).

Every modal question goes through :mod:`app.ui.widgets.messages`; the
``modals`` fixture answers them from a script and records what was said, so
no test can hang on a dialog box. The window's QSettings go to a temporary
folder, and each test gets its own copy of a small generated commune.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

COMMUNE_CODE = "00004"  # Phường Ba Đình, Thành phố Hà Nội

# (hamlet, [(full name, gender, birth, relation, is_studying), ...]) — the first is the head.
HOUSEHOLDS: list[tuple[str, list[tuple[str, str, str, str, bool]]]] = [
    (
        "Thôn Đông",
        [
            ("Nguyễn Văn An", "M", "1970", "Chủ hộ", False),
            ("Trần Thị Bình", "F", "12/03/1972", "Vợ", False),
            ("Nguyễn Văn Cường", "M", "2009", "Con", True),
        ],
    ),
    (
        "Thôn Đông",
        [
            ("Lê Thị Dung", "F", "1965", "Chủ hộ", False),
            ("Phạm Văn Đức", "M", "1990", "Con", False),
        ],
    ),
    ("Thôn Đông", [("Đặng Văn Hùng", "M", "1958", "Chủ hộ", False)]),
    (
        "Thôn Tây",
        [
            ("Hoàng Thị Hoa", "F", "1980", "Chủ hộ", False),
            ("Nguyễn Thị Lan", "F", "2012", "Con", True),
        ],
    ),
    (
        "Thôn Tây",
        [
            ("Nguyễn Văn Minh", "M", "1975", "Chủ hộ", False),
            ("Vũ Thị Ngọc", "F", "1978", "Vợ", False),
            ("Nguyễn Thị Oanh", "F", "2008", "Con", True),
        ],
    ),
    ("Thôn Tây", [("Bùi Văn Phúc", "M", "1962", "Chủ hộ", False)]),
    ("Tổ dân phố 1", [("Đỗ Thị Quỳnh", "F", "1985", "Chủ hộ", False)]),
    (
        "Tổ dân phố 1",
        [
            ("Ngô Văn Sơn", "M", "1955", "Chủ hộ", False),
            ("Nguyễn Thị Tâm", "F", "1957", "Vợ", False),
        ],
    ),
]
PEOPLE_COUNT = sum(len(people) for _h, people in HOUSEHOLDS)


def build_small_commune(data_dir: Path) -> None:
    """A commune with 3 hamlets, 8 households (16 people), a clan, a unit, a branch and
    three members — small enough to reason about in a test, built through services."""
    from app.core.registry.clans import ClanInput, create_clan
    from app.core.registry.hamlets import HamletInput, create_hamlet
    from app.core.registry.households import HouseholdInput, create_household
    from app.core.registry.members import BranchInput, MemberInput, create_branch, create_member
    from app.core.registry.people import PersonInput
    from app.core.registry.units import UnitInput, create_unit
    from app.core.workspace import init_commune

    ws = init_commune(data_dir, COMMUNE_CODE, chairman_name="Trịnh Văn Khánh", lock=False)
    db = ws.db
    try:
        hamlets = {
            name: create_hamlet(db, HamletInput(name, kind))
            for name, kind in (
                ("Thôn Đông", "thon"),
                ("Thôn Tây", "thon"),
                ("Tổ dân phố 1", "to_dan_pho"),
            )
        }
        clan = create_clan(db, ClanInput("Nguyễn", hamlet_id=hamlets["Thôn Đông"]))
        create_unit(db, UnitInput("Trường Tiểu học Đông Hòa", "school", hamlets["Thôn Đông"]))
        for i, (hamlet, people) in enumerate(HOUSEHOLDS, start=1):
            create_household(
                db,
                HouseholdInput(
                    hamlet_id=hamlets[hamlet],
                    clan_id=clan if people[0][0].startswith("Nguyễn") else None,
                    code=f"{i:03d}",
                ),
                [
                    PersonInput(name, gender, birth, relation, is_studying=studying)
                    for name, gender, birth, relation, studying in people
                ],
            )
        from app.core.registry.listing import PEOPLE, ListQuery

        rows = PEOPLE.rows(db, PEOPLE.ids(db, ListQuery()))
        person_of = {row[0]: person_id for person_id, row in rows.items()}
        branch = create_branch(db, BranchInput("Chi hội thôn Đông", "hamlet", hamlets["Thôn Đông"]))
        create_member(
            db, MemberInput(branch, person_id=person_of["Nguyễn Văn An"], card_number="001")
        )
        create_member(
            db, MemberInput(branch, person_id=person_of["Lê Thị Dung"], card_number="002")
        )
        create_member(
            db, MemberInput(branch, full_name="Phan Văn Tài", gender="M", card_number="003")
        )
    finally:
        ws.close()


@pytest.fixture(scope="session")
def template_commune(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("template-commune")
    build_small_commune(data_dir)
    return data_dir


@pytest.fixture()
def commune_dir(template_commune: Path, tmp_path: Path) -> Path:
    """A fresh copy of the small commune for one test."""
    from app import paths
    from app.core.backup import copy_database

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    copy_database(paths.database_path(template_commune), paths.database_path(data_dir))
    return data_dir


@pytest.fixture(autouse=True)
def _window_settings_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> None:
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.getbasetemp() / "qsettings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


@dataclass
class Modals:
    """Scripted answers to ``messages.ask`` and a record of every message shown."""

    answers: deque[bool] = field(default_factory=deque)
    files: deque[Path | None] = field(default_factory=deque)
    said: list[tuple[str, str]] = field(default_factory=list)

    def texts(self, kind: str | None = None) -> list[str]:
        return [text for k, text in self.said if kind is None or k == kind]


@pytest.fixture(autouse=True)
def modals(monkeypatch: pytest.MonkeyPatch) -> Modals:
    from app.ui.widgets import messages

    record = Modals()

    def ask(_parent: Any, text: str, *args: Any, **kwargs: Any) -> bool:
        record.said.append(("ask", text))
        if not record.answers:
            raise AssertionError(f"unexpected question: {text}")
        return record.answers.popleft()

    def say(kind: str) -> Any:
        def show(_parent: Any, text: str, *args: Any, **kwargs: Any) -> None:
            record.said.append((kind, text))

        return show

    def choose(_parent: Any, title: str, *args: Any) -> Path | None:
        record.said.append(("file", title))
        if not record.files:
            raise AssertionError(f"unexpected file dialog: {title}")
        return record.files.popleft()

    monkeypatch.setattr(messages, "ask", ask)
    monkeypatch.setattr(messages, "inform", say("inform"))
    monkeypatch.setattr(messages, "error", say("error"))
    for name in ("choose_save_file", "choose_open_file", "choose_directory"):
        monkeypatch.setattr(messages, name, choose)
    from app.ui import backup_ui

    # "Sao lưu…" first asks whether to encrypt: a plain backup unless a test says so.
    monkeypatch.setattr(backup_ui, "choose_backup_options", lambda _parent: (True, None))
    return record


@pytest.fixture()
def ctx(commune_dir: Path) -> Iterator[Any]:
    from app.core.workspace import open_workspace
    from app.ui.screens.base import AppContext

    context = AppContext(commune_dir, open_workspace(commune_dir).db)
    yield context
    context.detach()


@pytest.fixture()
def window(qtbot: Any, ctx: Any) -> Iterator[Any]:
    from app.ui.main_window import MainWindow

    win = MainWindow(ctx)
    win.backup_on_close = False
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    from app.ui import workers

    qtbot.waitUntil(lambda: not workers.busy(), timeout=10_000)
