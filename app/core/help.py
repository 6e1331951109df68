"""The built-in guide (Hướng dẫn sử dụng): sections of HTML under ``resources/help``.

Each section is one file ``NN-key.html`` (``NN`` orders the table of contents, ``key``
is what a screen's F1 opens, e.g. ``chu-ky-nam``); its first ``<h1>`` is its title.
Searching is the registries' search: every word, without diacritics ("sao luu"
finds "Sao lưu"), so a secretary can type as on a phone. No Qt here: the window
shows the HTML, the CLI and tests read the same sections.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app import paths
from app.core import text as vntext

_FILE = re.compile(r"^(\d+)-([a-z0-9-]+)\.html$")
_TITLE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class HelpSection:
    key: str
    title: str
    html: str
    plain: str  # the visible text, for searching

    @property
    def folded(self) -> str:
        return vntext.fold(self.plain)


def help_dir() -> Path:
    return paths.resources_dir() / "help"


def _plain(markup: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()


@lru_cache(maxsize=2)
def load_sections(folder: Path | None = None) -> tuple[HelpSection, ...]:
    """Every section in table-of-contents order (read once)."""
    folder = folder or help_dir()
    found: list[tuple[int, HelpSection]] = []
    for path in sorted(folder.glob("*.html")):
        match = _FILE.match(path.name)
        if match is None:
            continue
        markup = path.read_text(encoding="utf-8")
        title = _TITLE.search(markup)
        name = _plain(title.group(1)) if title else match.group(2)
        found.append(
            (int(match.group(1)), HelpSection(match.group(2), name, markup, _plain(markup)))
        )
    return tuple(section for _n, section in sorted(found, key=lambda pair: pair[0]))


def section(key: str, folder: Path | None = None) -> HelpSection | None:
    return next((s for s in load_sections(folder) if s.key == key), None)


def search(query: str, folder: Path | None = None) -> list[HelpSection]:
    """Sections holding every word of ``query`` (folded), title matches first."""
    words = vntext.fold_query(query)
    sections = load_sections(folder)
    if not words:
        return list(sections)
    hits = [s for s in sections if all(w in s.folded for w in words)]
    return sorted(hits, key=lambda s: not all(w in vntext.fold(s.title) for w in words))


def match_spans(plain: str, query: str) -> list[tuple[int, int]]:
    """(start, end) of each word of ``query`` in ``plain``, matched without diacritics.

    Folding is done letter by letter, so a position in the folded text is the same
    position in ``plain`` (a Vietnamese letter folds to one letter) and the window
    can highlight the very characters.
    """
    folded = "".join((vntext.fold(ch) or ch)[:1] if not ch.isspace() else " " for ch in plain)
    spans: list[tuple[int, int]] = []
    for word in vntext.fold_query(query):
        start = folded.find(word)
        while start >= 0:
            spans.append((start, start + len(word)))
            start = folded.find(word, start + len(word))
    return sorted(spans)
