"""The built-in guide: its sections, searched without diacritics, and what it covers."""

from __future__ import annotations

import re
from pathlib import Path

from app.core import help as guide
from app.ui.help_browser import SCREEN_SECTIONS
from app.ui.main_window import NAVIGATION

SPEC = Path(__file__).resolve().parents[2] / "packaging" / "khuyenhoc.spec"


def test_every_topic_a_secretary_needs_has_a_section() -> None:
    titles = {s.key: s.title for s in guide.load_sections()}
    for key in (
        "bat-dau",
        "nhap-excel",
        "chu-ky-nam",
        "in-an",
        "quy",
        "gui-len-tinh",
        "sao-luu",
        "phim-tat",
    ):
        assert key in titles, key
    assert titles["sao-luu"] == "Sao lưu và khôi phục"
    assert next(iter(titles)) == "bat-dau"  # the contents start with the first steps


def test_every_screen_links_to_a_section_that_exists() -> None:
    keys = {s.key for s in guide.load_sections()}
    for screen, _title in NAVIGATION:
        assert SCREEN_SECTIONS[screen] in keys, screen


def test_links_and_pictures_inside_the_guide_resolve() -> None:
    keys = {s.key for s in guide.load_sections()}
    for section in guide.load_sections():
        for link in re.findall(r'href="([^"]+)"', section.html):
            assert link in keys or link.startswith("http"), (section.key, link)
        for image in re.findall(r'src="([^"]+)"', section.html):
            assert (guide.help_dir() / image).is_file(), (section.key, image)


def test_search_without_diacritics_title_matches_first() -> None:
    hits = guide.search("sao luu")
    assert hits[0].key == "sao-luu"
    assert {h.key for h in guide.search("KHOI PHUC")} >= {"sao-luu"}
    assert guide.search("không có chữ này zzz") == []
    assert len(guide.search("  ")) == len(guide.load_sections())


def test_match_spans_point_at_the_accented_letters() -> None:
    text = "Bấm Sao lưu rồi chọn ổ USB. Sao lưu xong thì rút USB."
    spans = guide.match_spans(text, "sao luu")
    assert [text[a:b] for a, b in spans][:2] == ["Sao", "lưu"]
    assert sum(text[a:b] == "lưu" for a, b in spans) == 2


def test_the_shortcuts_section_lists_the_keys_the_window_has() -> None:
    section = guide.section("phim-tat")
    assert section is not None
    for keys in ("Ctrl+1", "Ctrl+N", "Enter", "Delete", "Ctrl+S", "Tab", "F1", "Ctrl+K"):
        assert keys in section.plain, keys


def test_the_installer_bundles_the_guide() -> None:
    """packaging/khuyenhoc.spec ships the whole resources tree, the guide included."""
    spec = SPEC.read_text(encoding="utf-8")
    namespace: dict[str, object] = {"Path": Path}
    start = spec.index("def tree_datas")
    end = spec.index("\n\n\n", start)
    exec(spec[start:end], namespace)  # the spec's own collecting function
    tree_datas = namespace["tree_datas"]
    assert 'tree_datas(ROOT / "resources", "resources")' in spec
    bundled = tree_datas(SPEC.parents[1] / "resources", "resources")  # type: ignore[operator]
    destinations = {Path(dest) / Path(src).name for src, dest in bundled}
    for section in guide.load_sections():
        assert any(d.parent.name == "help" and section.key in d.name for d in destinations)
    assert Path("resources/help/11-phim-tat.html") in destinations
    assert Path("resources/help/img/chu-ky-nam.png") in destinations
