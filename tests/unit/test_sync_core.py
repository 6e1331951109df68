"""The Qt-free building blocks of sync: strict JSON, keys, the container, the record spec."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from app.core.sync import canonical, keys
from app.core.sync.container import ContainerRefused, read_container, write_container
from app.core.sync.records import LOCAL_COLUMNS, PERSONAL_COLUMNS, entity_specs


def test_canonical_json_is_rfc8785() -> None:
    assert canonical.dumps({"b": 1, "a": "Thôn Đông"}) == '{"a":"Thôn Đông","b":1}'.encode()


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"a":2}',
        '{"a":NaN}',
        '{"a":Infinity}',
        '{"a":-Infinity}',
        '{"a":' + "9" * 30 + "}",
        '{"a":1.5}',
        "[" * 50_000 + "]" * 50_000,
        '{"a":[[[[[[[[1]]]]]]]]}',
        "{",
        b"\xff\xfe".decode("latin-1"),
    ],
)
def test_strict_reader_refuses_hostile_json(text: str) -> None:
    with pytest.raises(canonical.JsonRefused):
        canonical.loads(text)


def test_strict_reader_accepts_finite_floats_only_when_asked() -> None:
    assert canonical.loads('{"a":1.5}', floats=True) == {"a": 1.5}
    with pytest.raises(canonical.JsonRefused):
        canonical.loads('{"a":1e999}', floats=True)


def test_signing_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = keys.my_key(tmp_path)
    assert keys.my_key(tmp_path) == first
    assert len(first.key_id) == 16 and first.fingerprint.count("-") == 7
    path = tmp_path / keys.KEYS_DIR / keys.SIGNING_FILE
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    signature = keys.sign(tmp_path, b"thu")
    assert keys.verify(first.public_key, signature, b"thu")
    assert not keys.verify(first.public_key, signature, b"thu!")
    assert not keys.verify("00" * 32, signature, b"thu")
    assert not keys.verify("zz", signature, b"thu")


def test_fingerprints_compare_however_they_were_typed() -> None:
    fp = keys.fingerprint_of("11" * 32)
    assert keys.normalise_fingerprint(fp.lower().replace("-", " ")) == fp


def test_container_is_canonical() -> None:
    data = write_container([("manifest.json", b"{}"), ("manifest.sig", b"s")])
    assert read_container(data) == [("manifest.json", b"{}"), ("manifest.sig", b"s")]
    for bad in (data + b"x", b"x" + data, data[:-1], b"", b"PK\x03\x04"):
        with pytest.raises(ContainerRefused):
            read_container(bad)


def test_every_syncable_entity_travels_without_local_or_personal_columns() -> None:
    from app.core.models import SYNCABLE_MODELS

    specs = entity_specs()
    assert set(specs) == {m.__table__.name for m in SYNCABLE_MODELS}  # type: ignore[attr-defined]
    person = specs["person"].field_map()
    assert "id_number" in person and "household_id" in person
    assert person["household_id"].kind == "ref" and person["household_id"].ref_entity == "household"
    for spec in specs.values():
        assert not {f.name for f in spec.fields} & LOCAL_COLUMNS
    assert {"id_number", "phone"} == PERSONAL_COLUMNS
