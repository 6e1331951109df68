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


def test_every_integer_reference_column_is_declared() -> None:
    """Local integer ids mean nothing at the province: a column named ``*_id`` either has
    a ForeignKey or is declared in records.INTEGER_REFERENCES / POLYMORPHIC_REFERENCES,
    and every learning model names the entity kind its ``entity_id`` refers to."""
    from app.core.assessment.entities import MODELS
    from app.core.sync.records import LEARNING_MODEL_ENTITIES, entity_specs

    assert set(MODELS) == set(LEARNING_MODEL_ENTITIES)
    specs = entity_specs()
    for spec in specs.values():
        for f in spec.fields:
            if f.name.endswith("_id"):
                assert f.kind in ("ref", "pref"), f"{spec.name}.{f.name}"
            if f.kind == "ref":
                assert f.ref_entity in specs
            if f.kind == "pref":
                assert f.discriminator in spec.field_map()
                assert all(t in specs for _m, t in f.targets if t)


def test_uuids_travel_as_22_characters_and_come_back_exactly() -> None:
    import uuid

    from app.core.sync.records import UUID22_RE, uuid22, uuid36

    for _ in range(200):
        text = str(uuid.uuid4())
        short = uuid22(text)
        assert len(short) == 22 and UUID22_RE.fullmatch(short) and uuid36(short) == text


def test_a_dpapi_sealed_key_is_refused_in_vietnamese_off_windows(tmp_path: Path) -> None:
    """On Windows key files are sealed with DPAPI (not testable here); elsewhere such a
    file cannot be opened and says why, and plain key files keep working."""
    from app.core.errors import StorageError

    first = keys.my_key(tmp_path)
    assert keys.my_key(tmp_path) == first  # plain PEM (not Windows) reads back
    if sys.platform == "win32":
        return
    path = tmp_path / keys.KEYS_DIR / keys.SIGNING_FILE
    path.write_bytes(keys.DPAPI_MAGIC + b"\x01\x02")
    with pytest.raises(StorageError, match="Windows"):
        keys.signing_key(tmp_path)


def _short() -> str:
    import uuid

    from app.core.sync.records import uuid22

    return uuid22(str(uuid.uuid4()))


def test_a_column_of_uuids_converts_in_one_pass_exactly_as_one_by_one() -> None:
    import uuid

    from app.core.sync.records import uuid22, uuid36, uuid36_all

    canonical_uuids = [str(uuid.uuid4()) for _ in range(2000)]
    canonical_uuids += [
        "00000000-0000-0000-0000-000000000000",
        "f" * 8 + "-ffff" * 3 + "-" + "f" * 12,
    ]
    shorts = [uuid22(u) for u in canonical_uuids]
    memo: dict[str, str] = {}
    assert uuid36_all(shorts, memo) == canonical_uuids == [uuid36(s) for s in shorts]
    again = uuid36_all([shorts[3], None, shorts[3]], memo)
    assert again == [canonical_uuids[3], None, canonical_uuids[3]]


def test_whole_column_checks_refuse_what_the_value_by_value_checks_refuse() -> None:
    """The one-pass checks of uuids, references, polymorphic references and dates give
    the index of the first bad value, as checking each value did."""
    from app.core.sync.records import Field, all_uuid22, check_column

    good = [_short() for _ in range(5)]
    assert all_uuid22(good) and all_uuid22([])
    assert not all_uuid22([*good, good[0][:21] + "B"])  # last character carries 2 bits only
    assert not all_uuid22([good[0] + "\n" + good[1]])  # two uuids in one text
    assert not all_uuid22([*good, None, 7])

    ref = Field("household_id", "ref", 22, True, "household")
    assert check_column(ref, [good[0], None, good[1]], None) == -1
    assert check_column(ref, [good[0], None, good[1][:-1] + "B"], None) == 2
    assert check_column(ref, [good[0], good[1] + "\n" + good[2]], None) == 1

    pref = Field(
        "entity_id",
        "pref",
        22,
        True,
        "",
        "model",
        (("commune_learning_community", ""), ("learning_family", "household")),
    )
    family, commune = "learning_family", "commune_learning_community"
    assert check_column(pref, [good[0], None, None], [family, commune, None]) == -1
    assert check_column(pref, [good[0], good[1]], [family, commune]) == 1  # the commune: no id
    assert check_column(pref, [good[0], good[1]], [family, None]) == 1  # an id without a kind
    assert check_column(pref, [good[0], None], [family, "learning_moon"]) == 1  # unknown kind
    assert check_column(pref, [good[0], "x" * 22], [family, family]) == 1

    day = Field("assessed_on", "date", 10)
    assert check_column(day, ["2025-05-01", None, "2025-05-01"], None) == -1
    assert check_column(day, ["2025-05-01", "2025-02-30", "2025-05-01"], None) == 1
    assert check_column(day, ["2025-05-01", 20250501], None) == 1
