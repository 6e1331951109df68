"""The recovery code sheet: one A4 page to print when an account is created.

The code is shown once and never stored (only its argon2 hash is), so the paper is
what lets the person set a new password later without losing any data. The PDF is
written where the person chooses; the sheet says to delete the file after printing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core.db import Database
from app.core.printing import fonts
from app.core.printing.common import MM, PrintResult
from app.core.printing.key_sheet import MARGIN, PAGE, _centred, _details, _text, association_sheet

TITLE = "Mã khôi phục tài khoản"


def write_recovery_sheet(
    db: Database,
    out: Path,
    username: str,
    role_label: str,
    code: str,
    *,
    full_name: str = "",
    day: dt.date | None = None,
) -> PrintResult:
    """Write the sheet for ``username``'s recovery ``code`` to ``out``."""
    day = day or dt.date.today()
    with association_sheet(db, out, TITLE, day) as (c, y):
        w = PAGE[0]
        y -= 30 * MM
        _centred(c, y, "MÃ KHÔI PHỤC TÀI KHOẢN SỔ KHUYẾN HỌC", fonts.SERIF_BOLD, 17)
        y -= 14 * MM
        y = _details(
            c,
            y,
            [
                ("Tên đăng nhập:", username),
                ("Họ và tên:", full_name or "—"),
                ("Vai trò:", role_label),
                ("Ngày cấp mã:", f"{day:%d/%m/%Y}"),
            ],
        )
        y -= 10 * MM
        _centred(c, y, code, fonts.SERIF_BOLD, 28)
        y -= 16 * MM
        for text in (
            "Khi quên mật khẩu: ở màn hình đăng nhập chọn “Quên mật khẩu…”, nhập tên đăng "
            "nhập và mã trên, rồi đặt mật khẩu mới. Dữ liệu không bị mất gì. Mỗi mã chỉ "
            "dùng được một lần; phần mềm sẽ cấp mã mới.",
            "Cất tờ giấy này nơi an toàn, không để cùng máy tính. Phần mềm không lưu mã "
            "này và không hiện lại. Hãy xóa tệp PDF sau khi đã in.",
        ):
            for line in fonts.wrap(text, fonts.SERIF, 12, w - 2 * MARGIN):
                _text(c, MARGIN, y, line, fonts.SERIF, 12)
                y -= 6 * MM
            y -= 3 * MM
    return PrintResult(out, 1, 1, TITLE.lower())
