"""Layouts as data: ``resources/templates/<name>.json`` (positions in mm, sizes, texts).

A per-model file may ``extends`` another and override ``vars`` or elements by ``id``,
so a province's look is a JSON edit, not a code change. A ``templates`` folder inside
the data folder (same file names) takes precedence over the bundled one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import ValidationError
from app.paths import resources_dir


@dataclass(frozen=True)
class Element:
    id: str
    text: str
    x: float
    y: float
    align: str = "center"
    style: str = "regular"
    size: float = 13.0
    min_size: float | None = None
    max_width: float | None = None
    max_lines: int = 1
    line_gap: float = 1.2
    color: str = "#000000"
    underline: bool = False
    static: bool = False


@dataclass(frozen=True)
class CertificateTemplate:
    name: str
    vars: dict[str, str]
    elements: list[Element]
    border: dict[str, Any] = field(default_factory=dict)
    qr: dict[str, float] = field(default_factory=dict)
    seal: dict[str, float] = field(default_factory=dict)


def template_dirs(data_dir: Path | None) -> list[Path]:
    dirs = [resources_dir() / "templates"]
    if data_dir is not None:
        dirs.insert(0, data_dir / "templates")
    return dirs


def _read(name: str, data_dir: Path | None) -> dict[str, Any]:
    for folder in template_dirs(data_dir):
        path = folder / f"{name}.json"
        if path.exists():
            try:
                raw = json.loads(path.read_text("utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise ValidationError(f"Mẫu in {path.name} bị lỗi: {exc}.") from exc
            if not isinstance(raw, dict):
                raise ValidationError(f"Mẫu in {path.name} phải là một đối tượng JSON.")
            return raw
    raise ValidationError(f"Không có mẫu in “{name}”.")


def _merged(name: str, data_dir: Path | None, depth: int = 0) -> dict[str, Any]:
    raw = _read(name, data_dir)
    parent = raw.get("extends")
    if not parent or depth > 5:
        return raw
    base = _merged(str(parent), data_dir, depth + 1)
    out = {**base, **{k: v for k, v in raw.items() if k not in ("vars", "elements")}}
    out["vars"] = {**base.get("vars", {}), **raw.get("vars", {})}
    by_id = {e["id"]: e for e in base.get("elements", [])}
    for element in raw.get("elements", []):
        by_id[element["id"]] = {**by_id.get(element["id"], {}), **element}
    out["elements"] = list(by_id.values())
    return out


def load_certificate_template(model: str, data_dir: Path | None = None) -> CertificateTemplate:
    """The certificate layout of ``model`` (``certificate_<model>.json``, else the base)."""
    name = f"certificate_{model}"
    try:
        raw = _merged(name, data_dir)
    except ValidationError:
        raw = _merged("certificate", data_dir)
    try:
        elements = [
            Element(**{k: v for k, v in e.items() if not k.startswith("_")})
            for e in raw.get("elements", [])
        ]
    except TypeError as exc:
        raise ValidationError(f"Mẫu in {name}: phần tử không hợp lệ ({exc}).") from exc
    return CertificateTemplate(
        name=name,
        vars={str(k): str(v) for k, v in raw.get("vars", {}).items()},
        elements=elements,
        border=dict(raw.get("border", {})),
        qr={k: float(v) for k, v in raw.get("qr", {}).items()},
        seal={k: float(v) for k, v in raw.get("seal", {}).items()},
    )
