"""Printing choices remembered in the ``setting`` table (key ``printing``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from app.core import settings
from app.core.db import Database
from app.core.errors import ValidationError

PRINTING_KEY = "printing"
ISSUERS = ("committee", "association")


@dataclass(frozen=True)
class PrintOptions:
    # Kept for the CLI's JSON: the body last set for every title with ``print options
    # --issuer``. Who recognises a title is a per-model setting (assessment.issuers).
    issuer: str = "committee"
    preprinted: bool = False  # print only the variable text on bought certificate blanks
    offset_x_mm: float = 0.0  # preprinted paper: move everything right (+) / left (−)
    offset_y_mm: float = 0.0  # preprinted paper: move everything down (+) / up (−)
    templates: dict[str, str] = field(default_factory=dict)  # model → template file name


def load_options(db: Database) -> PrintOptions:
    raw = settings.get_value(db, PRINTING_KEY, {})
    known = set(PrintOptions.__dataclass_fields__)
    return PrintOptions(**{k: v for k, v in raw.items() if k in known})


def save_options(db: Database, options: PrintOptions) -> None:
    if options.issuer not in ISSUERS:
        raise ValidationError("Đơn vị cấp giấy phải là UBND xã hoặc Hội Khuyến học.", "issuer")
    for value in (options.offset_x_mm, options.offset_y_mm):
        if not -50 <= value <= 50:
            raise ValidationError("Độ lệch khi in trên phôi phải trong khoảng ±50 mm.", "offset")
    settings.put_value(db, PRINTING_KEY, asdict(options))
