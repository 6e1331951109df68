"""The official list of provinces and communes after 1 July 2025."""

from __future__ import annotations

import pytest

from app.core import communes
from app.core.errors import UserError
from app.core.text import fold, sort_key_plain


def test_there_are_34_provinces_and_3321_communes() -> None:
    assert len(communes.provinces()) == 34
    assert communes.count() == (34, 3321)
    assert sum(len(communes.communes_of(p.code)) for p in communes.provinces()) == 3321


def test_province_codes_are_two_digits_and_unique() -> None:
    codes = [p.code for p in communes.provinces()]
    assert len(set(codes)) == 34
    assert all(len(c) == 2 and c.isdigit() for c in codes)


@pytest.mark.parametrize("code", ["4", "00004", " 4 ", "004"])
def test_find_commune_accepts_the_code_with_or_without_leading_zeros(code: str) -> None:
    entry = communes.find_commune(code)
    assert entry.code == "00004"
    assert entry.name == "Phường Ba Đình"
    assert entry.province_code == "01"
    assert entry.full_name == "Phường Ba Đình, Thành phố Hà Nội"


@pytest.mark.parametrize("code", ["99999", "abc", "", "-4"])
def test_an_unknown_code_is_refused_in_vietnamese(code: str) -> None:
    with pytest.raises(UserError) as err:
        communes.find_commune(code)
    assert "không có trong danh mục" in err.value.message


def test_search_finds_communes_without_diacritics() -> None:
    hits = communes.search_communes("ba dinh")
    assert "00004" in [c.code for c in hits]
    assert all("ba" in fold(c.full_name) and "dinh" in fold(c.full_name) for c in hits)


def test_search_matches_word_starts_and_can_be_limited_to_a_province() -> None:
    hits = communes.search_communes("phu", province_code="01", limit=500)
    assert hits
    assert all(c.province_code == "01" for c in hits)
    assert all(any(w.startswith("phu") for w in fold(c.full_name).split()) for c in hits)


def test_search_respects_the_limit() -> None:
    assert len(communes.search_communes("xa", limit=7)) == 7


def test_communes_of_a_province_are_in_vietnamese_order() -> None:
    items = communes.communes_of("01")
    assert [c.name for c in items] == sorted(
        (c.name for c in items), key=lambda name: sort_key_plain(name)
    )


def test_search_ranks_the_name_typed_before_other_matches() -> None:
    assert [c.name for c in communes.search_communes("vu thu")][:2] == ["Xã Vũ Thư", "Xã Thư Vũ"]
    names = [c.name for c in communes.search_communes("phu tan")]
    assert names[:3] == ["Phường Phú Tân", "Xã Phú Tân", "Xã Phú Tân"]
    assert names.index("Xã An Phú Tân") > 2


def test_a_former_province_in_the_search_finds_its_communes() -> None:
    found = communes.search_communes("vu thu thai binh")
    assert found[0].name == "Xã Vũ Thư" and found[0].province_name == "Hưng Yên"


def test_every_former_province_is_part_of_one_of_the_34() -> None:
    merged = communes.merged_provinces()
    assert len(merged) == 29  # 63 provinces before 1/7/2025, 34 after
    assert {m.province.name for m in merged} <= {p.name for p in communes.provinces()}
    thai_binh = next(m for m in merged if m.former == "Thái Bình")
    assert thai_binh.province.name == "Hưng Yên"
    assert communes.former_provinces(thai_binh.province.code) == ["Thái Bình"]
    assert communes.merged_hint("hai duong") == (
        "Tỉnh Hải Dương (cũ) nay thuộc thành phố Hải Phòng (từ 1/7/2025)."
    )
    assert communes.merged_hint("ha noi") == ""
