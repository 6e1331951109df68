"""Accounts, roles and the audit trail from the command line.

A database without accounts keeps working as before (the operator named by
``--user`` goes into the audit trail); once accounts exist, every command that
reads or writes the book needs a name and password, and the role decides.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app import paths
from app.cli import build_parser, main
from app.core.accounts import permissions
from app.core.registry import hamlets
from app.core.workspace import init_commune

PASSWORDS = {
    "thuky": "Thuky-2026!",
    "chutich": "Chutich-2026!",
    "thuquy": "Thuquy-2026!",
    "thondong": "Thondong-2026!",
    "xem": "Chixem-2026!",
}
ROLE_OF = {
    "thuky": "secretary",
    "chutich": "chairman",
    "thuquy": "treasurer",
    "thondong": "hamlet_entry",
    "xem": "viewer",
}


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        lines = [line for line in self.out.splitlines() if line.strip()]
        assert len(lines) == 1, self.out
        return json.loads(lines[0])


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id still, with the smallest cost: the real cost (≈ 50 ms a hash, by design)
    would make each sign-in of these tests slow. test_passwords_are_argon2id_hashes
    checks the real parameters."""
    from argon2 import PasswordHasher

    from app.core.accounts import service

    monkeypatch.setattr(
        service, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "xa"
    ws = init_commune(data, "4", lock=False)
    try:
        hamlets.create_hamlet(ws.db, hamlets.HamletInput("Thôn Đông"))
    finally:
        ws.close()
    return data


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Run]:
    def _run(*argv: str, password: str | None = None, new_password: str | None = None) -> Run:
        for name, value in (
            ("KHUYENHOC_PASSWORD", password),
            ("KHUYENHOC_NEW_PASSWORD", new_password),
        ):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        code = main(["--data-dir", str(folder), *argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return Run(code, out, err)

    return _run


@pytest.fixture
def accounts(cli: Callable[..., Run]) -> Iterator[dict[str, str]]:
    """Every role has an account; the secretary made them. Returns recovery codes."""
    codes: dict[str, str] = {}
    first = cli(
        "accounts", "add", "thuky", "--role", "secretary", "--json",
        new_password=PASSWORDS["thuky"],
    )  # fmt: skip
    assert first.code == 0, first.err
    codes["thuky"] = first.json()["recovery_code"]
    for name, role in ROLE_OF.items():
        if name == "thuky":
            continue
        made = cli(
            "accounts", "add", name, "--role", role, "--user", "thuky", "--json",
            password=PASSWORDS["thuky"], new_password=PASSWORDS[name],
        )  # fmt: skip
        assert made.code == 0, made.err
        codes[name] = made.json()["recovery_code"]
    yield codes


def _as(cli: Callable[..., Run], user: str, *argv: str) -> Run:
    return cli(*argv, "--user", user, password=PASSWORDS[user])


def _fund_count(folder: Path) -> int:
    conn = sqlite3.connect(paths.database_path(folder))
    try:
        return int(conn.execute("SELECT count(*) FROM fund_entry").fetchone()[0])
    finally:
        conn.close()


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    """Every "command sub-action" (or bare command, when it has none) the parser accepts."""
    found: set[str] = set()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, child in sub.choices.items():
        subs: set[str] = set()
        for action in child._actions:
            nested = isinstance(action, argparse._SubParsersAction)
            positional = not action.option_strings and action.dest in ("action", "what")
            if (nested or positional) and action.choices:
                subs |= set(action.choices)
        found |= {f"{name} {s}" for s in subs} if subs else {name}
    return found


def test_every_command_of_the_parser_has_a_decided_permission() -> None:
    for command in sorted(_commands(build_parser())):
        name = command.partition(" ")[0]
        decided = command in permissions.CLI_COMMANDS or name in permissions.CLI_COMMANDS
        assert decided, f"{command!r} is not in permissions.CLI_COMMANDS"


def test_without_accounts_commands_run_as_before_and_the_operator_is_recorded(
    cli: Callable[..., Run],
) -> None:
    made = cli("fund", "receipt", "--amount", "200000", "--name", "Dòng họ Lê", "--user", "ông Tư")
    assert made.code == 0, made.err
    trail = cli("audit", "list", "--entity", "fund_entry", "--json").json()
    assert trail["count"] == 1
    assert trail["entries"][0]["actor"] == "ông Tư"
    assert trail["entries"][0]["changes"]["amount"] == [None, 200000]


def test_the_treasurer_posts_fund_entries_and_no_one_else(
    cli: Callable[..., Run], accounts: dict[str, str], folder: Path
) -> None:
    for user in ("thuky", "chutich", "thondong", "xem"):
        refused = _as(cli, user, "fund", "receipt", "--amount", "100000", "--name", "Bà Hạnh")
        assert refused.code == permissions.PermissionDenied.exit_code
        assert "không được ghi sổ quỹ" in refused.err
        assert "Không có gì bị thay đổi" in refused.err
    assert _fund_count(folder) == 0
    posted = _as(cli, "thuquy", "fund", "receipt", "--amount", "100000", "--name", "Bà Hạnh")
    assert posted.code == 0, posted.err
    assert _fund_count(folder) == 1


def test_only_the_approver_makes_decisions(
    cli: Callable[..., Run], accounts: dict[str, str]
) -> None:
    args = ("cycle", "recognise", "--year", "2025", "--number", "1/QĐ", "--date", "01/12/2025")
    refused = _as(cli, "thuky", *args)
    assert refused.code == permissions.PermissionDenied.exit_code
    assert "quyết định công nhận" in refused.err
    allowed = _as(cli, "chutich", *args)
    # Passed the permission check (there is nothing to recognise in this small commune).
    assert "không được" not in allowed.err


def test_view_only_and_hamlet_entry_cannot_write_outside_their_role(
    cli: Callable[..., Run], accounts: dict[str, str]
) -> None:
    viewer = _as(cli, "xem", "cycle", "register", "--year", "2025", "--all")
    assert viewer.code == permissions.PermissionDenied.exit_code
    assert "Chỉ xem" in viewer.err
    assert _as(cli, "xem", "search", "dong").code == 0  # reading is fine
    hamlet = _as(cli, "thondong", "activity", "add", "--kind", "training", "--topic", "Tập huấn")
    assert hamlet.code == permissions.PermissionDenied.exit_code
    backup = _as(cli, "xem", "backup")
    assert backup.code == permissions.PermissionDenied.exit_code
    adding = _as(cli, "thuquy", "accounts", "add", "khach", "--role", "viewer")
    assert adding.code == permissions.PermissionDenied.exit_code


def test_with_accounts_a_name_and_the_right_password_are_needed(
    cli: Callable[..., Run], accounts: dict[str, str]
) -> None:
    nameless = cli("search", "dong", password=PASSWORDS["thuky"])
    assert nameless.code != 0 and "--user" in nameless.err
    wrong = cli("search", "dong", "--user", "thuky", password="sai-mat-khau")
    assert wrong.code != 0 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.err
    unknown = cli("search", "dong", "--user", "ai-do", password="sai-mat-khau")
    assert unknown.err == wrong.err  # names cannot be probed
    listed = _as(cli, "thuky", "accounts", "list", "--json").json()["accounts"]
    assert listed[0]["failed_logins"] == 0  # the right password since resets the count
    trail = _as(cli, "thuky", "audit", "list", "--actor", "thuky", "--json").json()["entries"]
    summaries = [e["summary"] for e in trail]
    assert "Đăng nhập sai mật khẩu" in summaries
    assert any(s.startswith("Đăng nhập (sau 1 lần sai") for s in summaries)


def test_the_sole_account_needs_no_name_but_its_password(cli: Callable[..., Run]) -> None:
    assert (
        cli("accounts", "add", "thuky", "--role", "secretary", new_password="Mật-khẩu-1").code == 0
    )
    assert cli("search", "dong", password="Mật-khẩu-1").code == 0
    assert cli("search", "dong", password="khác").code != 0


def test_the_first_account_must_be_the_secretary(cli: Callable[..., Run]) -> None:
    made = cli("accounts", "add", "thuquy", "--role", "treasurer", new_password="Thuquy-2026!")
    assert made.code != 0 and "Thư ký" in made.err
    assert cli("accounts", "add", "ab", "--role", "secretary", new_password="ngan").code != 0


def test_the_recovery_code_sets_a_new_password_and_loses_nothing(
    cli: Callable[..., Run], accounts: dict[str, str]
) -> None:
    before = _as(cli, "thuky", "stats", "--json").json()
    bad = cli("accounts", "recover", "thuky", "--code", "AAAA-BBBB-CCCC-DDDD-EEEE",
              new_password="Moi-2026-mk")  # fmt: skip
    assert bad.code != 0 and "mã khôi phục" in bad.err
    assert _as(cli, "thuky", "search", "dong").code == 0  # the old password still works
    code = accounts["thuky"].lower().replace("-", " ")  # typed loosely from the paper
    done = cli("accounts", "recover", "thuky", "--code", code, "--json", new_password="Moi-2026-mk")
    assert done.code == 0, done.err
    assert done.json()["recovery_code"] != accounts["thuky"]
    assert cli("search", "dong", "--user", "thuky", password="Moi-2026-mk").code == 0
    assert cli("search", "dong", "--user", "thuky", password=PASSWORDS["thuky"]).code != 0
    again = cli("accounts", "recover", "thuky", "--code", accounts["thuky"],
                new_password="Khac-2026-mk")  # fmt: skip
    assert again.code != 0, "a used recovery code is spent"
    after = cli("stats", "--json").json()
    assert after == before


def test_disabled_accounts_cannot_sign_in_and_the_last_secretary_stays(
    cli: Callable[..., Run], accounts: dict[str, str]
) -> None:
    assert _as(cli, "thuky", "accounts", "disable", "xem").code == 0
    locked = _as(cli, "xem", "search", "dong")
    assert locked.code != 0 and "đã bị khóa" in locked.err
    last = _as(cli, "thuky", "accounts", "disable", "thuky")
    assert last.code != 0 and "Thư ký cuối cùng" in last.err
    listed = _as(cli, "thuky", "accounts", "list", "--json").json()
    assert {a["username"]: a["disabled"] for a in listed["accounts"]}["xem"] is True
    assert "password_hash" not in json.dumps(listed)


def test_one_changes_ones_own_password_the_secretary_anyone_s(
    cli: Callable[..., Run], accounts: dict[str, str]
) -> None:
    own = cli("accounts", "passwd", "thuquy", "--user", "thuquy",
              password=PASSWORDS["thuquy"], new_password="Quy-moi-2026")  # fmt: skip
    assert own.code == 0, own.err
    other = cli("accounts", "passwd", "chutich", "--user", "thuquy",
                password="Quy-moi-2026", new_password="Chiem-quyen-1")  # fmt: skip
    assert other.code == permissions.PermissionDenied.exit_code
    reset = cli("accounts", "passwd", "chutich", "--user", "thuky",
                password=PASSWORDS["thuky"], new_password="Chutich-moi-1")  # fmt: skip
    assert reset.code == 0, reset.err


def _tamper(folder: Path, sql: str) -> None:
    conn = sqlite3.connect(paths.database_path(folder))
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def _some_changes(cli: Callable[..., Run]) -> None:
    for amount in ("100000", "250000", "300000"):
        assert cli("fund", "receipt", "--amount", amount, "--name", "Ông Ba").code == 0


def test_audit_verify_passes_on_an_untouched_trail(cli: Callable[..., Run]) -> None:
    _some_changes(cli)
    report = cli("audit", "verify", "--json")
    assert report.code == 0
    assert report.json()["ok"] is True and report.json()["rows"] >= 4


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        (
            "UPDATE audit_log SET changes = replace(changes, '250000', '25000') "
            "WHERE changes LIKE '%250000%'",
            "sửa",
        ),
        ("UPDATE audit_log SET actor = 'người khác' WHERE id = 3", "sửa"),
        ("DELETE FROM audit_log WHERE id = 3", "xóa"),
        ("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)", "xóa"),
    ],
    ids=["edited-amount", "edited-actor", "deleted-middle", "deleted-newest"],
)
def test_an_audit_row_altered_by_hand_is_detected(
    cli: Callable[..., Run], folder: Path, sql: str, problem: str
) -> None:
    _some_changes(cli)
    _tamper(folder, sql)
    report = cli("audit", "verify", "--json")
    assert report.code == 6
    data = report.json()
    assert data["ok"] is False
    assert problem in data["problem"]
    human = cli("audit", "verify")
    assert "bị sửa hoặc xóa ngoài phần mềm" in human.out


def test_audit_list_filters_and_exports(
    cli: Callable[..., Run], folder: Path, tmp_path: Path
) -> None:
    _some_changes(cli)
    assert (
        cli(
            "activity",
            "add",
            "--kind",
            "training",
            "--topic",
            "Tin học",
            "--count",
            "12",
            "--user",
            "cô Lan",
        ).code
        == 0
    )
    by_lan = cli("audit", "list", "--actor", "cô Lan", "--json").json()
    assert by_lan["count"] >= 1
    assert {e["actor"] for e in by_lan["entries"]} == {"cô Lan"}
    funds = cli("audit", "list", "--entity", "fund_entry", "--json").json()
    assert funds["count"] == 3
    future = cli("audit", "list", "--from", "01/01/2100", "--json").json()
    assert future["count"] == 0
    out = tmp_path / "nhat-ky.xlsx"
    exported = cli("audit", "export", "--entity", "fund_entry", "--out", str(out), "--json")
    assert exported.code == 0 and exported.json()["rows"] == 3
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert "NHẬT KÝ THAY ĐỔI DỮ LIỆU" in texts
    assert any("250000" in t for t in texts)


def test_passwords_are_argon2id_hashes_with_the_library_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argon2 import PasswordHasher

    from app.core.accounts import service

    monkeypatch.undo()  # the real hasher, not the quick one
    ws = init_commune(tmp_path / "x", "4", lock=False)
    try:
        made = service.create_account(ws.db, "thuky", "Mat-khau-dai", "secretary")
    finally:
        ws.close()
    conn = sqlite3.connect(paths.database_path(tmp_path / "x"))
    stored, recovery = conn.execute("SELECT password_hash, recovery_hash FROM account").fetchone()
    conn.close()
    defaults = PasswordHasher()
    assert stored.startswith(f"$argon2id$v=19$m={defaults.memory_cost},t={defaults.time_cost}")
    assert "Mat-khau-dai" not in stored
    assert made.recovery_code.replace("-", "") not in recovery


def test_repeated_wrong_passwords_make_sign_in_wait(
    cli: Callable[..., Run], accounts: dict[str, str], folder: Path
) -> None:
    for _ in range(5):
        assert cli("search", "dong", "--user", "thuquy", password="doan-mo").code != 0
    waiting = _as(cli, "thuquy", "search", "dong")  # the right password, too soon
    assert waiting.code != 0 and "thử lại sau" in waiting.err and "mã khôi phục" in waiting.err
    assert _as(cli, "thuky", "search", "dong").code == 0  # other accounts are not affected
    conn = sqlite3.connect(paths.database_path(folder))
    conn.execute(
        "UPDATE account SET locked_until = '2000-01-01 00:00:00' WHERE username = 'thuquy'"
    )
    conn.commit()
    conn.close()
    assert _as(cli, "thuquy", "search", "dong").code == 0  # the wait is over
    listed = _as(cli, "thuky", "accounts", "list", "--json").json()["accounts"]
    assert {a["username"]: a["failed_logins"] for a in listed}["thuquy"] == 0
