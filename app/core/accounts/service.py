"""Keeping the accounts: create, sign in, change password, disable, recover.

Passwords and recovery codes are stored as argon2id hashes (argon2-cffi's
defaults). A recovery code is made when an account is created (and again each time
it is used), shown once to be printed or written down, and only its hash is kept:
with it a person who forgot the password sets a new one — no data is lost, nothing
is reset. Every account event goes into the audit trail (without any secret).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import text as vntext
from app.core.accounts import permissions
from app.core.accounts.permissions import PermissionDenied
from app.core.audit.log import record_summary
from app.core.errors import NotFoundError, UserError, ValidationError
from app.core.models import Account
from app.core.models.base import utcnow

if TYPE_CHECKING:
    from app.core.db import Database

MIN_PASSWORD = 8
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
# No 0/O, 1/I/L: the code is read off paper.
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECOVERY_GROUPS = 5
RECOVERY_GROUP_LEN = 4
FREE_TRIES = 5  # wrong passwords in a row before sign-in starts to wait
MAX_WAIT_MINUTES = 30
IDLE_LOCK_KEY = "accounts.idle_lock_minutes"
DEFAULT_IDLE_LOCK_MINUTES = 10


class SignInFailed(UserError):
    """Wrong name or password (said the same way, so names cannot be probed)."""

    exit_code = 5


@dataclass(frozen=True)
class AccountView:
    id: int
    username: str
    full_name: str
    role: str
    disabled: bool
    last_login_at: str | None
    failed_logins: int = 0  # wrong passwords since the last successful sign-in

    @property
    def role_label(self) -> str:
        return permissions.role_label(self.role)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "full_name": self.full_name,
            "role": self.role,
            "role_label": self.role_label,
            "disabled": self.disabled,
            "last_login_at": self.last_login_at,
            "failed_logins": self.failed_logins,
        }


@dataclass(frozen=True)
class NewAccount:
    """An account just created (or recovered): the recovery code is shown once."""

    account: AccountView
    recovery_code: str


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_secret(secret: str) -> str:
    return str(_hasher().hash(secret))


def check_secret(stored: str, secret: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    if not stored:
        return False
    try:
        return bool(_hasher().verify(stored, secret))
    except (VerificationError, InvalidHashError):
        return False


def new_recovery_code() -> str:
    groups = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LEN))
        for _ in range(RECOVERY_GROUPS)
    ]
    return "-".join(groups)


def _normal_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())


def clean_username(name: str) -> str:
    """Lower case, no diacritics or spaces: "Thư ký" → refused, "thuky" kept."""
    clean = vntext.normalise(name).strip().lower()
    if not USERNAME_RE.fullmatch(clean):
        raise ValidationError(
            "Tên đăng nhập gồm 2–40 chữ cái không dấu, chữ số, dấu chấm, gạch ngang "
            "(ví dụ: thuky, thuquy.lan).",
            "username",
        )
    return clean


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.", "password")
    if password.strip() != password:
        raise ValidationError("Mật khẩu không được bắt đầu hay kết thúc bằng dấu cách.", "password")


def _view(a: Account) -> AccountView:
    return AccountView(
        a.id,
        a.username,
        a.full_name,
        a.role,
        a.disabled,
        a.last_login_at.strftime("%d/%m/%Y %H:%M") if a.last_login_at else None,
        a.failed_logins,
    )


def has_accounts(db: Database) -> bool:
    with db.session() as s:
        return bool(s.scalar(select(func.count(Account.id))))


def list_accounts(db: Database) -> list[AccountView]:
    with db.session() as s:
        return [_view(a) for a in s.scalars(select(Account).order_by(Account.id))]


def _find(s: Session, username: str) -> Account:
    name = vntext.normalise(username).strip().lower()
    account = s.scalar(select(Account).where(Account.username == name))
    if account is None:
        raise NotFoundError(f"Không có tài khoản “{username}”.")
    return account


def _active_secretaries(s: Session, except_id: int | None = None) -> int:
    return int(
        s.scalar(
            select(func.count(Account.id)).where(
                Account.role == permissions.SECRETARY,
                Account.disabled.is_(False),
                Account.id != (except_id or 0),
            )
        )
        or 0
    )


def create_account(
    db: Database, username: str, password: str, role: str, full_name: str = ""
) -> NewAccount:
    """A new account; the first one must be the secretary (who manages the others)."""
    name = clean_username(username)
    check_password(password)
    if role not in permissions.ROLES:
        raise ValidationError(
            "Vai trò không hợp lệ (chọn: " + ", ".join(permissions.ROLES) + ").", "role"
        )
    code = new_recovery_code()
    with db.session() as s:
        first = not s.scalar(select(func.count(Account.id)))
        if first and role != permissions.SECRETARY:
            raise ValidationError(
                "Tài khoản đầu tiên phải là Thư ký (người quản lý các tài khoản khác).", "role"
            )
        if not first:
            permissions.require(db.role, permissions.ACCOUNTS_MANAGE)
        if s.scalar(select(Account.id).where(Account.username == name)) is not None:
            raise ValidationError(f"Đã có tài khoản “{name}”.", "username")
        account = Account(
            username=name,
            full_name=vntext.normalise_name(full_name),
            role=role,
            password_hash=hash_secret(password),
            recovery_hash=hash_secret(_normal_code(code)),
            disabled=False,
            failed_logins=0,
            created_at=utcnow(),
        )
        s.add(account)
        s.flush()
        actor = name if first else db.actor
        record_summary(
            s, actor, "account", f"Tạo tài khoản {name} ({permissions.role_label(role)})", "account"
        )
        return NewAccount(_view(account), code)


def authenticate(db: Database, username: str, password: str) -> AccountView:
    """The account if the name and password match and it is not disabled."""
    with db.session() as s:
        try:
            account = _find(s, username)
        except NotFoundError:
            check_secret(hash_secret("x" * MIN_PASSWORD), password)  # same time either way
            raise SignInFailed("Sai tên đăng nhập hoặc mật khẩu.") from None
        now = utcnow()
        if account.locked_until is not None and account.locked_until > now:
            minutes = max(1, -(-int((account.locked_until - now).total_seconds()) // 60))
            raise SignInFailed(
                f"Đã nhập sai mật khẩu nhiều lần: hãy thử lại sau {minutes} phút "
                "(hoặc dùng mã khôi phục, hoặc nhờ Thư ký đặt lại mật khẩu)."
            )
        if not check_secret(account.password_hash, password):
            account.failed_logins += 1
            ok = False
            over = account.failed_logins - FREE_TRIES
            if over >= 0:
                wait = min(MAX_WAIT_MINUTES, 2**over)
                account.locked_until = now + dt.timedelta(minutes=wait)
            record_summary(s, account.username, "account", "Đăng nhập sai mật khẩu", "account")
        else:
            ok = True
            if account.disabled:
                raise SignInFailed(
                    f"Tài khoản “{account.username}” đã bị khóa. Hãy nhờ Thư ký mở lại."
                )
            if account.failed_logins:
                note = f" (sau {account.failed_logins} lần sai mật khẩu)"
            else:
                note = ""
            account.failed_logins = 0
            account.locked_until = None
            account.last_login_at = now
            record_summary(s, account.username, "account", "Đăng nhập" + note, "account")
        view = _view(account)
    if not ok:
        raise SignInFailed("Sai tên đăng nhập hoặc mật khẩu.")
    return view


def sign_in(db: Database, username: str, password: str) -> AccountView:
    """Authenticate and make this database act as that account (audit + permissions)."""
    account = authenticate(db, username, password)
    act_as(db, account)
    return account


def act_as(db: Database, account: AccountView) -> None:
    db.actor = account.username
    db.role = account.role


def change_password(db: Database, username: str, new_password: str) -> None:
    """Set a password: one's own, or anyone's for the secretary."""
    check_password(new_password)
    with db.session() as s:
        account = _find(s, username)
        if db.role is not None and account.username != db.actor:
            permissions.require(db.role, permissions.ACCOUNTS_MANAGE)
        account.password_hash = hash_secret(new_password)
        account.failed_logins = 0
        account.locked_until = None
        record_summary(s, db.actor, "account", f"Đổi mật khẩu {account.username}", "account")


def set_disabled(db: Database, username: str, disabled: bool) -> None:
    """Disable (or enable again) an account; the last active secretary stays."""
    with db.session() as s:
        permissions.require(db.role, permissions.ACCOUNTS_MANAGE)
        account = _find(s, username)
        last = disabled and account.role == permissions.SECRETARY
        if last and _active_secretaries(s, except_id=account.id) == 0:
            raise ValidationError("Không khóa được Thư ký cuối cùng: cần một Thư ký khác trước.")
        account.disabled = disabled
        what = "Khóa" if disabled else "Mở lại"
        record_summary(s, db.actor, "account", f"{what} tài khoản {account.username}", "account")


def recover(db: Database, username: str, code: str, new_password: str) -> NewAccount:
    """A forgotten password: the printed recovery code sets a new one (and a new code).

    A wait imposed after wrong passwords ends; an account the secretary disabled stays
    disabled. The data is untouched. A wrong code changes nothing.
    """
    check_password(new_password)
    fresh = new_recovery_code()
    with db.session() as s:
        try:
            account = _find(s, username)
        except NotFoundError:
            raise SignInFailed("Sai tên đăng nhập hoặc mã khôi phục.") from None
        if not check_secret(account.recovery_hash, _normal_code(code)):
            raise SignInFailed("Sai tên đăng nhập hoặc mã khôi phục.")
        account.password_hash = hash_secret(new_password)
        account.recovery_hash = hash_secret(_normal_code(fresh))
        account.failed_logins = 0
        account.locked_until = None
        record_summary(
            s, account.username, "account", f"Khôi phục mật khẩu {account.username}", "account"
        )
        return NewAccount(_view(account), fresh)


def idle_lock_minutes(db: Database) -> int:
    from app.core import settings

    value = settings.get_value(db, IDLE_LOCK_KEY, DEFAULT_IDLE_LOCK_MINUTES)
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return DEFAULT_IDLE_LOCK_MINUTES


def set_idle_lock_minutes(db: Database, minutes: int) -> None:
    """0 turns the lock off; otherwise 1–240 minutes without a key or click."""
    from app.core import settings

    permissions.require(db.role, permissions.SETTINGS_EDIT)
    if not 0 <= minutes <= 240:
        raise ValidationError("Thời gian tự khóa phải từ 0 (không khóa) đến 240 phút.")
    settings.put_value(db, IDLE_LOCK_KEY, minutes)


__all__ = [
    "AccountView",
    "NewAccount",
    "PermissionDenied",
    "SignInFailed",
    "act_as",
    "authenticate",
    "change_password",
    "create_account",
    "has_accounts",
    "list_accounts",
    "recover",
    "set_disabled",
    "sign_in",
]
