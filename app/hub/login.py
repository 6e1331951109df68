"""The login in front of the hub's pages for people (``/``, ``/docs``, ``/openapi.json``).

HTTP Basic with one account whose password is stored as an argon2id hash
(argon2-cffi) in ``<data folder>/hub-login.txt`` (``user:hash``, readable by its owner
only), set by ``khuyenhoc hub set-password``. Without that file the pages are closed.
Behind the documented HTTPS reverse proxy the password never crosses the network in
clear (docs/hub.md). A verified ``Authorization`` value is remembered for a while
(argon2 is slow on purpose), and failed attempts are rate-limited per client address.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import UserError
from app.core.sync import keys

LOGIN_FILE = "hub-login.txt"
DEFAULT_USER = "tinh"
REMEMBER_S = 15 * 60
MIN_PASSWORD = 10


def login_path(data_dir: Path) -> Path:
    return data_dir / LOGIN_FILE


def set_password(data_dir: Path, password: str, user: str = DEFAULT_USER) -> Path:
    """Store the login (argon2id hash); replaces an earlier one."""
    from argon2 import PasswordHasher

    user = user.strip()
    if not user or ":" in user:
        raise UserError("Tên đăng nhập không được trống và không chứa dấu “:”.")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    digest = PasswordHasher().hash(password)
    path = login_path(data_dir)
    keys.write_secret(path, f"{user}:{digest}\n".encode())
    return path


@dataclass
class Login:
    data_dir: Path
    _remembered: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def configured(self) -> bool:
        return login_path(self.data_dir).is_file()

    def _stored(self) -> tuple[str, str, int] | None:
        path = login_path(self.data_dir)
        try:
            text = path.read_text("utf-8").strip()
            stamp = path.stat().st_mtime_ns
        except OSError:
            return None
        user, _, digest = text.partition(":")
        return (user, digest, stamp) if digest else None

    def check(self, authorization: str | None) -> bool:
        """True when the ``Authorization`` header carries the stored login (blocking)."""
        from argon2 import PasswordHasher
        from argon2.exceptions import Argon2Error, InvalidHashError

        stored = self._stored()
        if stored is None or not authorization:
            return False
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "basic":
            return False
        memo = hashlib.sha256(f"{stored[2]}|{token.strip()}".encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            if self._remembered.get(memo, 0.0) > now:
                return True
        try:
            user, _, password = (
                base64.b64decode(token.strip(), validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        if user != stored[0]:
            return False
        try:
            PasswordHasher().verify(stored[1], password)
        except (Argon2Error, InvalidHashError):
            return False
        with self._lock:
            self._remembered = {k: v for k, v in self._remembered.items() if v > now}
            self._remembered[memo] = now + REMEMBER_S
        return True
