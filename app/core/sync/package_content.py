"""Criteria sets and targets carried by a province configuration package.

Province side: :func:`read_content` validates the files a person names before they
are signed into a package. Commune side: :func:`install_content` runs after a
package was loaded; it goes through the assessment package's public functions only:

- every criteria set becomes a *new* set row (``sets.import_set``); a set already
  held with the same code and version is left alone, and a different content under
  the same code and version is refused — assessments made with an existing set keep
  pointing at the exact version they were scored with, nothing is ever altered;
- the targets become the commune's custom profile (``targets.save_custom_profile``),
  but only while the commune has not typed targets of its own: a profile the
  commune typed is never replaced by the province's.

What happened is kept (setting :data:`CONTENT_KEY`) for the window and the CLI.

In the signed package body (canonical JSON: integers and strings only, shallow) each
criteria set travels as the JSON text of its file, ``criteria_sets: [text, …]``, and
the target profile as ``targets: {"profile": text}`` — sets and targets hold
fractions (0.7) and nest deeper than a signed document may.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.core import settings
from app.core.db import Database
from app.core.errors import UserError, ValidationError, reason_of

CONTENT_KEY = "sync_config_content"  # {"version": n, "report": ContentReport as dict}
INSTALLED_TARGETS_KEY = "sync_targets_installed"  # hash of the province's targets installed
OWN_TARGETS_KEY = "sync_targets_stored"  # hash of the custom profile that install made


@dataclass
class ContentReport:
    version: int = 0
    criteria: list[dict[str, Any]] = field(default_factory=list)  # code, version, status, note
    targets: str = "none"  # none | installed | kept_own | same | refused
    targets_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One Vietnamese paragraph for the person who loaded the package."""
        lines = []
        words = {
            "installed": "đã thêm",
            "present": "đã có sẵn",
            "refused": "không thêm được",
        }
        for c in self.criteria:
            line = f"Bộ tiêu chí {c['code']} phiên bản {c['version']}: {words[c['status']]}"
            lines.append(line + (f" — {c['note']}" if c.get("note") else ""))
        targets = {
            "installed": "Đã dùng bộ chỉ tiêu của tỉnh",
            "same": "Bộ chỉ tiêu của tỉnh không đổi",
            "kept_own": "Giữ bộ chỉ tiêu xã đã tự nhập (không thay bằng chỉ tiêu của tỉnh)",
            "refused": "Không dùng được bộ chỉ tiêu của tỉnh",
        }
        if self.targets in targets:
            text = targets[self.targets]
            lines.append(text + (f": {self.targets_note}" if self.targets_note else "") + ".")
        return "\n".join(lines)


# --- province side ------------------------------------------------------------------------


def _check_targets(raw: Any, name: str) -> dict[str, Any]:
    """A target profile as in ``resources/targets/*.json``: title and rates 0–1."""
    from app.core.assessment import CYCLE_MODELS

    allowed = (*CYCLE_MODELS, "members_share")
    problem = ""
    if not isinstance(raw, dict) or not isinstance(raw.get("targets"), dict):
        problem = "phải là một bộ chỉ tiêu có mục “targets”"
    elif not str(raw.get("title", "")).strip():
        problem = "thiếu tên bộ chỉ tiêu (“title”)"
    else:
        for key, value in raw["targets"].items():
            if key not in allowed:
                problem = f"chỉ tiêu “{key}” không có (dùng: {', '.join(allowed)})"
            elif isinstance(value, bool) or not isinstance(value, int | float):
                problem = f"chỉ tiêu “{key}” phải là tỷ lệ từ 0 đến 1"
            elif not 0 <= value <= 1:
                problem = f"chỉ tiêu “{key}” phải là tỷ lệ từ 0 đến 1 (ví dụ 0.7)"
    if problem:
        raise UserError(f"Tệp chỉ tiêu {name}: {problem}.")
    return dict(raw)


def _text(raw: Any) -> str:
    return json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def read_content(
    criteria_files: list[Path], targets_file: Path | None
) -> tuple[list[str], dict[str, str]]:
    """(``criteria_sets``, ``targets``) of a package body from the files, all validated."""
    from app.core.assessment.criteria import read_criteria_file

    criteria: list[str] = []
    seen: set[tuple[str, int]] = set()
    for path in criteria_files:
        try:
            doc = read_criteria_file(path)
        except ValidationError as err:
            raise UserError(err.message) from None
        if (doc.code, doc.version) in seen:
            raise UserError(f"Bộ tiêu chí {doc.code} phiên bản {doc.version} được đưa hai lần.")
        seen.add((doc.code, doc.version))
        criteria.append(_text(doc.raw))
    profile: dict[str, str] = {}
    if targets_file is not None:
        try:
            raw = json.loads(targets_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UserError(f"Không đọc được tệp {targets_file}: {reason_of(exc)}.") from None
        except ValueError:
            raise UserError(f"Tệp {targets_file.name} không phải JSON hợp lệ.") from None
        profile = {"profile": _text(_check_targets(raw, targets_file.name))}
    return criteria, profile


def describe(criteria: list[str], targets: dict[str, str]) -> tuple[list[str], str]:
    """("code@version" of each set, title of the targets) of encoded package content."""
    codes = []
    for text in criteria:
        raw = json.loads(text)
        codes.append(f"{raw.get('code')}@{raw.get('version')}")
    title = str(json.loads(targets["profile"]).get("title", "")) if targets else ""
    return codes, title


# --- commune side -------------------------------------------------------------------------


def _hash(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _decode(text: Any) -> Any:
    """One embedded document (None when it is not valid JSON text)."""
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _install_set(db: Database, text: Any, folder: Path) -> dict[str, Any]:
    from app.core.assessment import sets

    raw = _decode(text)
    if not isinstance(raw, dict):
        note = "nội dung hỏng"
        return {"code": "?", "version": "?", "status": "refused", "note": note}
    code = str(raw.get("code", "?")) if isinstance(raw, dict) else "?"
    version = raw.get("version", "?") if isinstance(raw, dict) else "?"
    before = {(i.code, i.version) for i in sets.list_sets(db)}
    # sets.import_set reads a file: hand it the document through a private temporary one.
    fd, name = tempfile.mkstemp(prefix="bo-tieu-chi-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(raw, fh, ensure_ascii=False)
        info = sets.import_set(db, Path(name))
    except ValidationError as err:
        return {"code": code, "version": version, "status": "refused", "note": err.message}
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
    status = "present" if (info.code, info.version) in before else "installed"
    return {"code": info.code, "version": info.version, "status": status, "note": ""}


def _install_targets(db: Database, raw: dict[str, Any], report: ContentReport) -> None:
    from app.core.assessment import targets

    digest = _hash(raw)
    installed = settings.get_value(db, INSTALLED_TARGETS_KEY)
    own = settings.get_value(db, targets.CUSTOM_KEY)
    if installed == digest:
        report.targets = "same"
        return
    if own and _hash(own) != settings.get_value(db, OWN_TARGETS_KEY):
        report.targets = "kept_own"
        return
    try:
        _check_targets(raw, "của tỉnh")
        targets.save_custom_profile(
            db,
            str(raw["title"]),
            {k: float(v) for k, v in raw["targets"].items()},
            dict(raw.get("denominators") or {}) or None,
        )
    except (UserError, ValidationError) as err:
        report.targets, report.targets_note = "refused", err.message
        return
    report.targets = "installed"
    settings.put_value(db, INSTALLED_TARGETS_KEY, digest)
    settings.put_value(db, OWN_TARGETS_KEY, _hash(settings.get_value(db, targets.CUSTOM_KEY)))


def install_content(db: Database, version: int, body: dict[str, Any]) -> ContentReport:
    """Install the criteria sets and targets of package ``version`` (body as signed)."""
    report = ContentReport(version=version)
    criteria = body.get("criteria_sets") or []
    targets = body.get("targets") or {}
    if isinstance(criteria, list) and criteria:
        folder = db.data_dir / "sync"
        folder.mkdir(parents=True, exist_ok=True)
        report.criteria = [_install_set(db, text, folder) for text in criteria]
    if isinstance(targets, dict) and targets:
        profile = _decode(targets.get("profile"))
        if isinstance(profile, dict):
            _install_targets(db, profile, report)
        else:
            report.targets, report.targets_note = "refused", "nội dung hỏng"
    settings.put_value(db, CONTENT_KEY, report.as_dict())
    return report


def last_report(db: Database) -> ContentReport | None:
    """What the last package's content installation did (None before any)."""
    stored = settings.get_value(db, CONTENT_KEY)
    if not isinstance(stored, dict):
        return None
    return ContentReport(
        version=int(stored.get("version", 0)),
        criteria=list(stored.get("criteria", [])),
        targets=str(stored.get("targets", "none")),
        targets_note=str(stored.get("targets_note", "")),
    )
