"""Who may do what: the one permission table both fronts (window and CLI) consult.

Five roles (:data:`ROLES`) and a handful of actions. The window disables what a
role may not do and the CLI refuses the command (:data:`CLI_COMMANDS`) before it
runs; underneath both, the flush hook (:func:`check_write`) refuses any write to a
table the signed-in role may not change, so a forgotten button cannot leak a write.

A database with no account yet has no signed-in role (``None``): everything is
allowed, as before accounts existed (see README, "Accounts and roles").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from app.core.errors import UserError

SECRETARY: Final = "secretary"
CHAIRMAN: Final = "chairman"
TREASURER: Final = "treasurer"
HAMLET_ENTRY: Final = "hamlet_entry"
VIEWER: Final = "viewer"

#: role key → Vietnamese label, in the order the window lists them.
ROLES: Final[dict[str, str]] = {
    SECRETARY: "Thư ký",
    CHAIRMAN: "Chủ tịch (duyệt)",
    TREASURER: "Thủ quỹ",
    HAMLET_ENTRY: "Chi hội/thôn nhập liệu",
    VIEWER: "Chỉ xem",
}

VIEW: Final = "view"
REGISTRY_EDIT: Final = "registry.edit"
IMPORT: Final = "registry.import"
CYCLE_EDIT: Final = "cycle.edit"
CYCLE_DECIDE: Final = "cycle.decide"
FUND_POST: Final = "fund.post"
ACTIVITY_EDIT: Final = "activity.edit"
PRINT: Final = "print"
EXPORT: Final = "export"
SYNC_SEND: Final = "sync.send"
UPPER: Final = "upper"
BACKUP: Final = "backup"
RESTORE: Final = "restore"
SETTINGS_EDIT: Final = "settings.edit"
ACCOUNTS_MANAGE: Final = "accounts.manage"
AUDIT_VIEW: Final = "audit.view"

#: action → Vietnamese words for "… is not allowed" messages.
ACTION_LABELS: Final[dict[str, str]] = {
    VIEW: "xem sổ",
    REGISTRY_EDIT: "sửa các sổ (hộ, nhân khẩu, hội viên…)",
    IMPORT: "nhập danh sách từ Excel",
    CYCLE_EDIT: "đăng ký, đánh giá, đề nghị trong chu kỳ năm",
    CYCLE_DECIDE: "ra quyết định công nhận, mở lại năm đã khóa",
    FUND_POST: "ghi sổ quỹ (thu, chi, hội phí, học bổng)",
    ACTIVITY_EDIT: "ghi hoạt động",
    PRINT: "in giấy tờ",
    EXPORT: "xuất Excel",
    SYNC_SEND: "gửi dữ liệu lên tỉnh, quản lý khóa",
    UPPER: "việc của cấp trên (nhận gói các xã)",
    BACKUP: "sao lưu",
    RESTORE: "khôi phục dữ liệu",
    SETTINGS_EDIT: "thay đổi cài đặt",
    ACCOUNTS_MANAGE: "quản lý tài khoản",
    AUDIT_VIEW: "xem nhật ký thay đổi",
}

_EVERYONE = frozenset({VIEW, PRINT, EXPORT})

#: The table. Only the treasurer posts fund entries; only the approver decides;
#: hamlet data entry edits the registries and nothing else; view-only writes nothing.
PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    SECRETARY: _EVERYONE
    | {
        REGISTRY_EDIT,
        IMPORT,
        CYCLE_EDIT,
        ACTIVITY_EDIT,
        SYNC_SEND,
        UPPER,
        BACKUP,
        RESTORE,
        SETTINGS_EDIT,
        ACCOUNTS_MANAGE,
        AUDIT_VIEW,
    },
    CHAIRMAN: _EVERYONE | {CYCLE_DECIDE, BACKUP, AUDIT_VIEW},
    TREASURER: _EVERYONE | {FUND_POST, BACKUP},
    HAMLET_ENTRY: _EVERYONE | {REGISTRY_EDIT},
    VIEWER: _EVERYONE,
}

#: table → the action that writes it (checked on every flush by the signed-in role).
REGISTRY_TABLES: Final = ("hamlet", "household", "person", "clan", "unit", "branch", "member")
TABLE_ACTIONS: Final[dict[str, str]] = {
    **dict.fromkeys(REGISTRY_TABLES, REGISTRY_EDIT),
    **dict.fromkeys(("criteria_set", "cycle_year", "registration", "assessment"), CYCLE_EDIT),
    **dict.fromkeys(("recognition_decision", "recognition"), CYCLE_DECIDE),
    **dict.fromkeys(("fund_entry", "fund_programme", "award", "dues_payment"), FUND_POST),
    **dict.fromkeys(("activity", "activity_participant"), ACTIVITY_EDIT),
}
#: (table, fields) another action may change as a side effect: paying dues moves the
#: member's "paid up to" year, and cancelling the receipt moves it back.
SIDE_EFFECTS: Final[dict[tuple[str, str], frozenset[str]]] = {
    ("member", FUND_POST): frozenset({"dues_paid_year"}),
}

#: CLI command ("command" or "command sub-action") → action it needs. A command not
#: listed here needs the secretary (a test keeps every command of the parser listed).
CLI_COMMANDS: Final[dict[str, str | None]] = {
    # None: the command reads no personal data, or checks identity itself.
    "gui": None,
    "init": None,
    "demo": None,
    "stats": None,
    "provinces": None,
    "communes": None,
    "hub": None,
    "accounts recover": None,
    "accounts passwd": None,
    "search": VIEW,
    "backup": BACKUP,
    "restore": RESTORE,
    "import-xlsx": IMPORT,
    "export-xlsx": EXPORT,
    "criteria list": VIEW,
    "criteria validate": VIEW,
    "criteria import": CYCLE_EDIT,
    "criteria choose": CYCLE_EDIT,
    "cycle register": CYCLE_EDIT,
    "cycle assess": CYCLE_EDIT,
    "cycle propose": CYCLE_EDIT,
    "cycle withdraw": CYCLE_EDIT,
    "cycle close": CYCLE_EDIT,
    "cycle proposals": VIEW,
    "cycle due": VIEW,
    "cycle figures": VIEW,
    "cycle list": VIEW,
    "cycle recognise": CYCLE_DECIDE,
    "cycle reopen": CYCLE_DECIDE,
    "report": VIEW,
    "targets profiles": VIEW,
    "targets choose": SETTINGS_EDIT,
    "targets own": SETTINGS_EDIT,
    "fund receipt": FUND_POST,
    "fund payment": FUND_POST,
    "fund cancel": FUND_POST,
    "fund reverse": FUND_POST,
    "fund close": FUND_POST,
    "fund overdraft": FUND_POST,
    "fund programme": FUND_POST,
    "fund balance": VIEW,
    "fund list": VIEW,
    "fund book": VIEW,
    "fund voucher": VIEW,
    "fund report": VIEW,
    "fund signature-list": PRINT,
    "fund honour-board": PRINT,
    "dues pay": FUND_POST,
    "dues status": VIEW,
    "award grant": FUND_POST,
    "award list": VIEW,
    "activity add": ACTIVITY_EDIT,
    "activity edit": ACTIVITY_EDIT,
    "activity delete": ACTIVITY_EDIT,
    "activity list": VIEW,
    "activity figures": VIEW,
    "print certificates": PRINT,
    "print decision": PRINT,
    "print list": PRINT,
    "print preview": PRINT,
    "print options": SETTINGS_EDIT,
    "verify-certificate": VIEW,
    "keys show": VIEW,
    "keys": SYNC_SEND,
    "config": SYNC_SEND,
    "bundle export": SYNC_SEND,
    "bundle verify": VIEW,
    "bundle import": UPPER,
    "bundle": SYNC_SEND,
    "province": UPPER,
    "receipt": SYNC_SEND,
    "sync outbox": VIEW,
    "sync": SYNC_SEND,
    "accounts list": ACCOUNTS_MANAGE,
    "accounts add": ACCOUNTS_MANAGE,
    "accounts disable": ACCOUNTS_MANAGE,
    "accounts enable": ACCOUNTS_MANAGE,
    "audit": AUDIT_VIEW,
    "privacy show": VIEW,
    "privacy agree": SETTINGS_EDIT,
}


class PermissionDenied(UserError):
    """The signed-in role may not do this; nothing was changed."""

    exit_code = 5


def role_label(role: str) -> str:
    return ROLES.get(role, role)


def allowed(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action``; no role (no account yet) may do everything."""
    if role is None:
        return True
    return action in PERMISSIONS.get(role, frozenset())


def denial_message(role: str, action: str) -> str:
    return (
        f"Tài khoản “{role_label(role)}” không được {ACTION_LABELS.get(action, action)}. "
        "Không có gì bị thay đổi."
    )


def require(role: str | None, action: str) -> None:
    """Raise :class:`PermissionDenied` with a Vietnamese message unless allowed."""
    if not allowed(role, action):
        assert role is not None
        raise PermissionDenied(denial_message(role, action))


def cli_action(command: str, subs: Iterable[str | None]) -> str | None:
    """The action a CLI command needs: "command sub" first, then "command" alone.

    An unknown command needs :data:`ACCOUNTS_MANAGE` (the secretary): a command added
    later is closed until someone decides who may run it.
    """
    for sub in subs:
        if sub and f"{command} {sub}" in CLI_COMMANDS:
            return CLI_COMMANDS[f"{command} {sub}"]
    if command in CLI_COMMANDS:
        return CLI_COMMANDS[command]
    return ACCOUNTS_MANAGE


def check_write(role: str | None, table: str, changed: Iterable[str] | None) -> None:
    """Refuse a write to ``table`` the role may not make (``changed``: fields of an update)."""
    if role is None:
        return
    action = TABLE_ACTIONS.get(table)
    if action is None:
        return
    if allowed(role, action):
        return
    if changed is not None:
        fields = set(changed)
        for (side_table, side_action), side_fields in SIDE_EFFECTS.items():
            if side_table == table and allowed(role, side_action) and fields <= side_fields:
                return
    raise PermissionDenied(denial_message(role, action))
