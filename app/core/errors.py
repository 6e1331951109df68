"""Errors a person can act on. Their message is Vietnamese and shown as is."""

from __future__ import annotations


class UserError(Exception):
    """A mistake or condition the user can fix; `str(err)` is the Vietnamese message."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(UserError):
    """Input that breaks a rule of the registry; nothing was saved."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(UserError):
    pass


class DatabaseError(UserError):
    """The database file cannot be used (corrupt, newer version, locked, read-only)."""

    exit_code = 3


class StorageError(UserError):
    """Writing to disk failed (disk full, read-only folder); nothing was changed."""

    exit_code = 4


_ERRNO_REASONS = {
    "ENOENT": "không tìm thấy tệp hoặc thư mục",
    "EACCES": "không có quyền",
    "EPERM": "không có quyền",
    "EROFS": "ổ đĩa chỉ cho phép đọc",
    "ENOSPC": "ổ đĩa đã đầy",
    "EISDIR": "đây là một thư mục, không phải tệp",
    "ENOTDIR": "một phần của đường dẫn không phải thư mục",
    "EEXIST": "tệp đã có",
    "EBUSY": "tệp đang được dùng",
    "EIO": "lỗi đọc/ghi của ổ đĩa",
    "ENAMETOOLONG": "tên tệp quá dài",
}


def reason_of(exc: BaseException) -> str:
    """Why ``exc`` happened, in Vietnamese and without Python's class names.

    Messages showed "BadZipFile", "UnicodeDecodeError" or an English OS text; the
    person reading them needs the cause in words (the details stay in the log).
    """
    import errno
    import json
    import sqlite3
    import zipfile

    if isinstance(exc, UserError):
        return exc.message
    if isinstance(exc, UnicodeError):
        return "không phải văn bản mã UTF-8"
    if isinstance(exc, json.JSONDecodeError):
        return f"sai cú pháp JSON ở dòng {exc.lineno}, cột {exc.colno}"
    if isinstance(exc, zipfile.BadZipFile | zipfile.LargeZipFile | EOFError):
        return "tệp nén bị hỏng hoặc bị cắt cụt"
    if isinstance(exc, sqlite3.Error):
        return "tệp cơ sở dữ liệu bị hỏng hoặc không đọc được"
    if isinstance(exc, RecursionError):
        return "dữ liệu lồng nhau quá sâu"
    if isinstance(exc, OSError):
        name = errno.errorcode.get(exc.errno or 0, "")
        return _ERRNO_REASONS.get(name, "lỗi đọc/ghi tệp")
    if isinstance(exc, ValueError):
        return "giá trị không hợp lệ"
    return "dữ liệu không hợp lệ"
