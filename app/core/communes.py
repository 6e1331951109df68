"""The official list of provinces and communes after 1/7/2025 (34 / 3,321), from the
`vietnam-provinces` package, with diacritic-free search for the first-run picker."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.core import text as vntext
from app.core.errors import UserError


@dataclass(frozen=True)
class ProvinceEntry:
    code: str
    name: str


@dataclass(frozen=True)
class CommuneEntry:
    code: str
    name: str
    division_type: str
    province_code: str
    province_name: str

    @property
    def full_name(self) -> str:
        return f"{self.name}, {self.province_name}"


def _code(value: object, width: int) -> str:
    return f"{int(value):0{width}d}"  # type: ignore[call-overload]


@lru_cache(maxsize=1)
def provinces() -> list[ProvinceEntry]:
    from vietnam_provinces import Province

    items = [ProvinceEntry(_code(p.code, 2), vntext.normalise(p.name)) for p in Province.iter_all()]
    return sorted(items, key=lambda p: vntext.sort_key_plain(_strip_prefix(p.name)))


def _strip_prefix(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@lru_cache(maxsize=1)
def _all_communes() -> dict[str, CommuneEntry]:
    from vietnam_provinces import Province, Ward

    names = {_code(p.code, 2): vntext.normalise(p.name) for p in Province.iter_all()}
    out: dict[str, CommuneEntry] = {}
    for w in Ward.iter_all():
        province_code = _code(w.province_code, 2)
        code = _code(w.code, 5)
        out[code] = CommuneEntry(
            code,
            vntext.normalise(w.name),
            str(w.division_type.value),
            province_code,
            names[province_code],
        )
    return out


def communes_of(province_code: str) -> list[CommuneEntry]:
    items = [c for c in _all_communes().values() if c.province_code == province_code]
    return sorted(items, key=lambda c: vntext.sort_key_plain(c.name))


def find_commune(code: str) -> CommuneEntry:
    """The commune with this official code ("00004" or "4"); a Vietnamese error otherwise."""
    key = code.strip()
    if key.isdigit():
        key = _code(key, 5)
    entry = _all_communes().get(key)
    if entry is None:
        raise UserError(
            f"Mã xã “{code}” không có trong danh mục đơn vị hành chính (sau 1/7/2025). "
            "Hãy kiểm tra lại mã xã."
        )
    return entry


def search_communes(
    text: str, province_code: str | None = None, limit: int = 50
) -> list[CommuneEntry]:
    words = vntext.fold_query(text)
    pool = communes_of(province_code) if province_code else list(_all_communes().values())
    hits = [
        c for c in pool if _words_match(words, vntext.fold(c.full_name).replace(",", " ").split())
    ]
    return hits[:limit]


def _words_match(query: list[str], words: list[str]) -> bool:
    """Every query word starts some word of the name ("phu tan" → "Phú Tân")."""
    return all(any(w.startswith(q) for w in words) for q in query)


def count() -> tuple[int, int]:
    return len(provinces()), len(_all_communes())
