"""Opening spreadsheet files safely and reading their rows as plain values.

Everything that can go wrong with a file given by a person (too big, not a
spreadsheet, password-protected, corrupt, empty) becomes a Vietnamese
:class:`UserError` before anything is written.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import UserError
from app.core.text import format_number

MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_ROWS = 200_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Cell = Any  # str | int | float | bool | datetime | date | None


@dataclass
class SheetRows:
    name: str
    rows: list[tuple[Cell, ...]]


def check_file(path: Path) -> str:
    """Refuse, in Vietnamese, a file that cannot be a readable workbook; else its format
    ("xlsx", "xls" or "ods")."""
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp “{path}”.")
    size = path.stat().st_size
    if size == 0:
        raise UserError(f"Tệp “{path.name}” trống (0 byte).")
    if size > MAX_FILE_BYTES:
        raise UserError(
            f"Tệp “{path.name}” quá lớn ({size // (1024 * 1024)} MB; tối đa "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB). Hãy tách thành nhiều tệp nhỏ hơn."
        )
    with path.open("rb") as fh:
        head = fh.read(8)
        if head == _OLE_MAGIC:
            fh.seek(0)
            blob = fh.read(min(size, 4 * 1024 * 1024))
            if _ole_encrypted(blob):
                raise _protected(path)
            return "xls"
    if not zipfile.is_zipfile(path):
        raise UserError(f"Tệp “{path.name}” không phải là bảng tính (.xlsx, .xls, .ods).")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise _corrupt(path) from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names:
        return "ods"
    raise UserError(f"Tệp “{path.name}” không phải là bảng tính (.xlsx, .xls, .ods).")


# The BOF record opening a workbook's globals (BIFF8: Excel 97–2003; BIFF5: Excel 5/95),
# and the length of the record: a FILEPASS record (0x002F) right after it means the
# file is encrypted ([MS-XLS] 2.4.117: FILEPASS must follow the globals' BOF).
_GLOBALS_BOF = (
    (b"\x09\x08\x10\x00\x00\x06\x05\x00", 20),
    (b"\x09\x08\x08\x00\x00\x05\x05\x00", 12),
)
_FILEPASS = b"\x2f\x00"
_ENCRYPTED_STREAMS = tuple(
    name.encode("utf-16-le") for name in ("EncryptedPackage", "EncryptionInfo")
)


def _ole_encrypted(blob: bytes) -> bool:
    """Whether an OLE file is password-protected: an encrypted .xlsx (streams
    EncryptedPackage / EncryptionInfo) or an old .xls with a FILEPASS record."""
    if any(name in blob for name in _ENCRYPTED_STREAMS):
        return True
    for bof, length in _GLOBALS_BOF:
        at = blob.find(bof)
        while at != -1:
            if blob[at + length : at + length + 2] == _FILEPASS:
                return True
            at = blob.find(bof, at + 1)
    return False


def sheet_names(path: Path) -> list[str]:
    return [s.name for s in read_sheets(path)]


def read_sheets(path: Path, only: list[str] | None = None) -> list[SheetRows]:
    """Every (or the chosen) sheet's rows as value tuples, trailing blank rows dropped.

    python-calamine (Rust) reads the values; a workbook holding formula errors
    (#REF! …) is read with openpyxl instead, because calamine hands errors over as
    empty cells and a row with a broken formula must be refused, not half-read.
    """
    kind = check_file(path)
    if kind == "xlsx" and _has_error_cells(path):
        sheets = _read_openpyxl(path, only)
    else:
        sheets = _read_calamine(path, only)
    for sheet in sheets:
        while sheet.rows and all(_blank(v) for v in sheet.rows[-1]):
            sheet.rows.pop()
    if not any(s.rows for s in sheets):
        raise UserError(f"Bảng tính “{path.name}” không có dữ liệu (các trang đều trống).")
    return sheets


def _count(total: int) -> None:
    if total > MAX_ROWS:
        raise UserError(
            f"Bảng tính có hơn {format_number(MAX_ROWS)} dòng; hãy tách thành nhiều tệp."
        )


def _read_calamine(path: Path, only: list[str] | None) -> list[SheetRows]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        out = []
        total = 0
        for name in wb.sheet_names:
            if only is not None and name not in only:
                continue
            raw = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            total += len(raw)
            _count(total)
            rows = [tuple(row) for row in raw]  # "" is an empty cell: callers treat it so
            out.append(SheetRows(name, rows))
        return out
    except UserError:
        raise
    except Exception as exc:  # calamine raises its own error types on broken files
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise _protected(path) from exc
        raise _corrupt(path) from exc


def _has_error_cells(path: Path) -> bool:
    """Whether any worksheet of an .xlsx stores an error value (``t="e"``)."""
    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with zf.open(name) as fh:
                        tail = b""
                        while chunk := fh.read(1 << 20):
                            if b't="e"' in tail + chunk:
                                return True
                            tail = chunk[-8:]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise _corrupt(path) from exc
    return False


def _read_openpyxl(path: Path, only: list[str] | None) -> list[SheetRows]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise _corrupt(path) from exc
    out: list[SheetRows] = []
    total = 0
    try:
        for ws in wb.worksheets:
            if only is not None and ws.title not in only:
                continue
            rows: list[tuple[Cell, ...]] = []
            try:
                for row in ws.iter_rows(values_only=True):
                    rows.append(tuple(row))
                    total += 1
                    _count(total)
            except UserError:
                raise
            except Exception as exc:  # openpyxl raises many kinds on broken XML
                raise _corrupt(path) from exc
            out.append(SheetRows(ws.title, rows))
    finally:
        wb.close()
    return out


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _protected(path: Path) -> UserError:
    return UserError(
        f"Tệp “{path.name}” được đặt mật khẩu. Hãy mở bằng Excel, bỏ mật khẩu "
        "(Tệp → Thông tin → Bảo vệ sổ làm việc) rồi nhập lại."
    )


def _corrupt(path: Path) -> UserError:
    return UserError(
        f"Tệp “{path.name}” bị hỏng, không đọc được. Hãy mở bằng Excel, lưu lại rồi thử lại."
    )
