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
    """Communes matching ``text`` (a former province's name counts as its successor's),
    best first (:func:`rank_communes`)."""
    pool = communes_of(province_code) if province_code else list(_all_communes().values())
    return rank_communes(pool, text, with_province=True)[:limit]


# How well a name matches the typed words, best first.
_EXACT, _LEADING, _PHRASE, _WHOLE_WORDS, _PREFIXES, _INSIDE = range(6)
_DIVISION_WORDS = frozenset({"xa", "phuong", "dac", "khu", "thi", "tran"})


def match_rank(query: list[str], words: list[str]) -> int | None:
    """0: the typed words are the name ("vu thu" → "Xã Vũ Thư"); 1: they begin it;
    2: they are a run of its words ("An Phú Tân" for "phu tan"); 3: each is a whole word
    of it ("thu vu"); 4: each starts a word ("vu th"); 5: each is inside the name;
    None: no match. ``query`` and ``words`` are folded."""
    if not query:
        return _INSIDE
    core = [w for w in words if w not in _DIVISION_WORDS] or words
    n = len(query)
    if core == query:
        return _EXACT
    if core[:n] == query:
        return _LEADING
    if any(core[i : i + n] == query for i in range(len(core) - n + 1)):
        return _PHRASE
    if all(q in words for q in query):
        return _WHOLE_WORDS
    if _words_match(query, words):
        return _PREFIXES
    joined = " ".join(words)
    return _INSIDE if all(q in joined for q in query) else None


def rank_communes(
    entries: list[CommuneEntry], text: str, *, with_province: bool = False
) -> list[CommuneEntry]:
    """The entries matching ``text``, whole-word matches first, then in Vietnamese order.

    ``with_province``: the province's name (and its former provinces' names) may be
    typed too ("vu thu thai binh" finds Xã Vũ Thư of Hưng Yên).
    """
    query = vntext.fold_query(text)
    ranked: list[tuple[int, str, CommuneEntry]] = []
    for entry in entries:
        words = vntext.fold(entry.name).split()
        rank = match_rank(query, words)
        if rank is None and with_province:
            rank = _rank_with_province(query, words, entry)
        if rank is not None:
            ranked.append((rank, vntext.sort_key_plain(entry.name), entry))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [entry for _rank, _key, entry in ranked]


def _rank_with_province(query: list[str], words: list[str], entry: CommuneEntry) -> int | None:
    """Rank on the name once the words naming the province (or a former one) are set aside."""
    best: int | None = None
    for place in (entry.province_name, *former_provinces(entry.province_code)):
        place_words = set(vntext.fold(_strip_prefix(place)).split())
        rest = [q for q in query if q not in place_words]
        if not rest or not place_words <= set(query):
            continue  # the province alone, or not named in full
        rank = match_rank(rest, words)
        if rank is not None:
            best = rank if best is None else min(best, rank)
    return best


def _words_match(query: list[str], words: list[str]) -> bool:
    """Every query word starts some word of the name ("phu tan" → "Phú Tân")."""
    return all(any(w.startswith(q) for w in words) for q in query)


# --- provinces merged on 1/7/2025 ------------------------------------------------------


@dataclass(frozen=True)
class MergedProvince:
    former: str  # "Thái Bình"
    province: ProvinceEntry  # Tỉnh Hưng Yên


@lru_cache(maxsize=1)
def merged_provinces() -> tuple[MergedProvince, ...]:
    """Every former province and the province it is part of since 1/7/2025
    (``resources/admin/provinces_merged_2025.json``)."""
    import json

    from app.paths import resources_dir

    raw = json.loads((resources_dir() / "admin" / "provinces_merged_2025.json").read_text("utf-8"))
    by_name = {vntext.fold(_strip_prefix(p.name)): p for p in provinces()}
    return tuple(
        MergedProvince(vntext.normalise(old), by_name[vntext.fold(new)])
        for old, new in raw["merged"].items()
    )


def former_provinces(province_code: str) -> list[str]:
    """The former provinces now part of this one ("Thái Bình" for Hưng Yên)."""
    return [m.former for m in merged_provinces() if m.province.code == province_code]


def merged_hint(text: str) -> str:
    """ "Tỉnh Thái Bình (cũ) nay thuộc Tỉnh Hưng Yên (từ 1/7/2025)." when ``text`` names a
    former province; "" otherwise."""
    query = vntext.fold_query(text)
    if not query:
        return ""
    found = [
        m
        for m in merged_provinces()
        if match_rank(query, vntext.fold(m.former).split())
        in (_EXACT, _LEADING, _PHRASE, _WHOLE_WORDS, _PREFIXES)
    ]
    if not found or len(found) > 3:
        return ""
    return " ".join(
        f"Tỉnh {m.former} (cũ) nay thuộc {_province_phrase(m.province.name)} (từ 1/7/2025)."
        for m in found
    )


def _province_phrase(name: str) -> str:
    """'Hưng Yên' → 'tỉnh Hưng Yên'; 'Thành phố Hải Phòng' → 'thành phố Hải Phòng'."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return prefix.lower() + name[len(prefix) :]
    return f"tỉnh {name}"


def count() -> tuple[int, int]:
    return len(provinces()), len(_all_communes())
