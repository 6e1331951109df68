# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""Hostile bundles: every failure ends rejected or quarantined with a Vietnamese reason,
in bounded time, with the province database byte-for-byte untouched."""

from __future__ import annotations

import json
import random
import time
import zlib
from collections.abc import Callable

import pytest

from app.core.sync import bundle, canonical, keys
from app.core.sync.container import write_container
from app.core.sync.importer import import_bytes
from app.core.sync.records import uuid22
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    commune,
    forge,
    make_commune,
    province,
)

VIETNAMESE = set("ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ")


def _run(province: Province, data: bytes) -> tuple[str, str]:
    identity = keys.age_identity(province.data_dir)
    [outcome] = import_bytes(province.db, data, "thu.khb", identity)[:1]
    return outcome.status, outcome.reason


def _assert_refused(province: Province, data: bytes, *allowed: str) -> str:
    status, reason = _run(province, data)
    assert status in (allowed or ("rejected",)), (status, reason)
    assert set(reason.lower()) & VIETNAMESE, reason
    return reason


@pytest.fixture
def small(commune: Commune) -> bytes:
    return commune.export().file.read_bytes()


def test_every_single_byte_flip_is_rejected(province: Province, small: bytes) -> None:
    digest = province.digest()
    started = time.perf_counter()
    for offset in range(len(small)):
        mutated = bytearray(small)
        mutated[offset] ^= 0xFF
        _assert_refused(province, bytes(mutated))
    assert province.digest() == digest
    assert time.perf_counter() - started < 60
    assert _run(province, small)[0] == "applied"  # the original is fine


def test_random_multi_byte_damage_in_payload_is_rejected(province: Province, small: bytes) -> None:
    rng = random.Random(7)
    b = bundle.parse(small)
    start = small.index(next(iter(b.parts.values())))
    digest = province.digest()
    for _ in range(300):
        mutated = bytearray(small)
        for _i in range(rng.randint(1, 8)):
            mutated[rng.randrange(start, len(small))] = rng.randrange(256)
        if bytes(mutated) != small:
            _assert_refused(province, bytes(mutated))
    assert province.digest() == digest


def test_truncation_and_appended_junk_are_rejected(province: Province, small: bytes) -> None:
    digest = province.digest()
    for length in range(0, len(small), 7):
        _assert_refused(province, small[:length])
    _assert_refused(province, small + b"\x00")
    _assert_refused(province, small + b"PK\x05\x06" + b"\x00" * 18)
    _assert_refused(province, b"junk" + small)
    assert province.digest() == digest


def _entries(data: bytes) -> list[tuple[str, bytes]]:
    from app.core.sync.container import read_container

    return read_container(data)


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda e: [*e, ("../../etc/passwd", b"x")], id="zip-slip"),
        pytest.param(lambda e: [*e, ("/tmp/abs.json", b"x")], id="absolute"),
        pytest.param(lambda e: [*e, ("CON.json", b"x")], id="windows-device"),
        pytest.param(lambda e: [*e, e[-1]], id="duplicate"),
        pytest.param(lambda e: [*e, (e[-1][0].upper(), e[-1][1])], id="look-alike"),
        pytest.param(lambda e: [e[1], e[0], *e[2:]], id="reordered"),
        pytest.param(lambda e: [*e[:2], *reversed(e[2:])], id="parts-reordered"),
        pytest.param(lambda e: [(n.replace("hamlet", "hamIet"), d) for n, d in e], id="renamed"),
        pytest.param(lambda e: e[:-1], id="missing-part"),
    ],
)
@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_container_tricks_are_rejected(
    province: Province,
    small: bytes,
    mutate: Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]],
) -> None:
    digest = province.digest()
    _assert_refused(province, write_container(mutate(_entries(small))))
    assert province.digest() == digest


def test_deflated_zip_entries_and_a_zip_bomb_are_rejected(province: Province, small: bytes) -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in _entries(small):
            zf.writestr(name, data)
        zf.writestr("bomb.bin", b"\x00" * 50_000_000)
    started = time.perf_counter()
    _assert_refused(province, buf.getvalue())
    assert time.perf_counter() - started < 5


def test_a_payload_bomb_inside_a_validly_signed_bundle_is_rejected(
    province: Province, commune: Commune
) -> None:
    bomb = b"\n" * 100_000_000  # inflates to 100 MB, declared as 1 KB
    import pyrage
    from pyrage import x25519

    from app.core.sync import state

    config = state.province_config(commune.db)
    assert config is not None
    recipients = [x25519.Recipient.from_str(r) for r in config.recipients]
    cipher = pyrage.encrypt(zlib.compress(bomb, 9), recipients)
    key = keys.signing_key(commune.data_dir)
    public = keys.public_hex(key)
    manifest = json.loads(bundle.parse(forge(commune, {"hamlet": b""})).manifest_bytes)
    (
        manifest.pop("format"),
        manifest.pop("format_version"),
        manifest.pop("counts"),
        manifest.pop("parts"),
    )
    manifest.update(key_id=keys.key_id_of(public), public_key=public)
    data, _ = bundle.build(manifest, [("hamlet", 1, 1024, cipher)], key.sign)
    started = time.perf_counter()
    reason = _assert_refused(province, data)
    assert "kích thước" in reason
    assert time.perf_counter() - started < 5


def test_a_two_gigabyte_declared_size_is_rejected(province: Province, commune: Commune) -> None:
    data = forge(commune, {"hamlet": b""}, raw_sizes={"hamlet": 2 * 1024**3})
    assert "kích thước" in _assert_refused(province, data)


UID = uuid22("0b7c3c4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e")


def _hamlet(**extra: object) -> dict[str, object]:
    return {
        "uuid": UID,
        "revision": 1,
        "deleted": False,
        "name": "Thôn Lạ",
        "kind": "thon",
        **extra,
    }


def _part(*records: dict[str, object]) -> bytes:
    return bundle.part_from_records(list(records))


def _raw(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


HEAD = '["uuid","revision","deleted"]'
# Each case: (entity, raw part text). The part layout is in app/core/sync/FORMAT.md.
BAD_PARTS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "duplicate-keys": ("hamlet", lambda: _raw(HEAD, f'["{UID}"]', '[{"a":1,"a":2}]', "[false]")),
    "duplicate-header-field": (
        "hamlet",
        lambda: _raw(
            '["uuid","revision","deleted","name","name"]',
            f'["{UID}"]',
            "[1]",
            "[false]",
            '["a"]',
            '["b"]',
        ),
    ),
    "nan": ("hamlet", lambda: _raw(HEAD, f'["{UID}"]', "[NaN]", "[false]")),
    "infinity": ("hamlet", lambda: _raw(HEAD, f'["{UID}"]', "[Infinity]", "[false]")),
    "huge-int": ("hamlet", lambda: _raw(HEAD, f'["{UID}"]', "[" + "9" * 5000 + "]", "[false]")),
    "big-int": ("hamlet", lambda: _raw(HEAD, f'["{UID}"]', "[" + "9" * 30 + "]", "[false]")),
    "deep": ("hamlet", lambda: _raw(HEAD, f'["{UID}"]', "[" * 100_000 + "]" * 100_000, "[false]")),
    "deep-header": ("hamlet", lambda: _raw("[" * 100_000 + "]" * 100_000)),
    "nested-value": ("hamlet", lambda: _part(_hamlet(note={"a": [1]}))),
    "list-value": ("hamlet", lambda: _part(_hamlet(name=["x"]))),
    "float-revision": ("hamlet", lambda: _part(_hamlet(revision=1.5))),
    "zero-revision": ("hamlet", lambda: _part(_hamlet(revision=0))),
    "bool-as-int": ("unit", lambda: _part(_hamlet(staff_count=True))),
    "unknown-field": ("hamlet", lambda: _part(_hamlet(password="x"))),
    "commune-field": ("hamlet", lambda: _part(_hamlet(commune_code="99999"))),
    "personal-field-while-omitted": ("unit", lambda: _part(_hamlet(phone="0912345678"))),
    "bad-uuid": ("hamlet", lambda: _part(_hamlet(uuid="../../x"))),
    "long-uuid": ("hamlet", lambda: _part(_hamlet(uuid="0b7c3c4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"))),
    "non-canonical-uuid": ("hamlet", lambda: _part(_hamlet(uuid=UID[:21] + "B"))),
    "duplicate-uuid": ("hamlet", lambda: _part(_hamlet(), _hamlet(name="Thôn Khác"))),
    "too-long": ("hamlet", lambda: _part(_hamlet(name="x" * 5000))),
    "bad-date": ("hamlet", lambda: _part(_hamlet(deleted_at="hôm qua"))),
    "tombstone-with-fields": ("hamlet", lambda: _part(_hamlet(deleted=True))),
    "column-too-short": ("hamlet", lambda: _raw(HEAD, f'["{UID}"]', "[1,2]", "[false]")),
    "missing-column": ("hamlet", lambda: _raw(HEAD, f'["{UID}"]', "[1]")),
    "header-not-core": (
        "hamlet",
        lambda: _raw('["revision","uuid","deleted"]', "[1]", f'["{UID}"]', "[false]"),
    ),
    "not-utf8": ("hamlet", lambda: b"\xff\xfe\n"),
    "not-array": ("hamlet", lambda: _raw('{"uuid":1}')),
    "no-final-newline": ("hamlet", lambda: _part(_hamlet())[:-1]),
    "dangling-reference": (
        "clan",
        lambda: _part(
            {
                "uuid": UID,
                "revision": 1,
                "deleted": False,
                "name": "Dòng họ",
                "hamlet_id": uuid22("0b7c3c4e-1f2a-4b3c-8d4e-5f6a7b8c9d99"),
            }
        ),
    ),
    "unknown-learning-model": (
        "registration",
        lambda: _part(
            {
                "uuid": UID,
                "revision": 1,
                "deleted": False,
                "year": 2025,
                "model": "learning_planet",
                "entity_id": UID,
            }
        ),
    ),
    "commune-model-with-entity": (
        "registration",
        lambda: _part(
            {
                "uuid": UID,
                "revision": 1,
                "deleted": False,
                "year": 2025,
                "model": "commune_learning_community",
                "entity_id": UID,
            }
        ),
    ),
    "entity-as-local-integer": (
        "registration",
        lambda: _part(
            {
                "uuid": UID,
                "revision": 1,
                "deleted": False,
                "year": 2025,
                "model": "learning_family",
                "entity_id": 7,
            }
        ),
    ),
    "polymorphic-without-model": (
        "registration",
        lambda: _part(
            {"uuid": UID, "revision": 1, "deleted": False, "year": 2025, "entity_id": UID}
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PARTS))
def test_json_edge_cases_in_records_are_rejected(
    province: Province, commune: Commune, case: str
) -> None:
    entity, make = BAD_PARTS[case]
    raw = make()
    count = 2 if case == "duplicate-uuid" else 1  # as declared in the manifest
    data = forge(commune, {entity: raw}, records={entity: count})
    digest = province.digest()
    started = time.perf_counter()
    _assert_refused(province, data)
    assert time.perf_counter() - started < 5
    assert province.digest() == digest


def test_a_well_formed_forged_record_is_accepted(province: Province, commune: Commune) -> None:
    assert (
        _run(province, forge(commune, {"hamlet": _part(_hamlet())}, records={"hamlet": 1}))[0]
        == "applied"
    )


def test_manifest_must_be_canonical_and_integer_only(province: Province, commune: Commune) -> None:
    good = forge(commune, {"hamlet": b""})
    entries = _entries(good)
    manifest = json.loads(entries[0][1])
    key = keys.signing_key(commune.data_dir)
    for text in (
        json.dumps(manifest, indent=1).encode(),  # not canonical
        canonical.dumps({**manifest, "seq": 1.5}),  # a float
        entries[0][1].replace(b'{"commune_code"', b'{"seq":1,"commune_code"', 1),  # duplicate key
        canonical.dumps({**manifest, "extra": "x"}),
        canonical.dumps({**manifest, "format_version": 99}),
    ):
        data = write_container(
            [(entries[0][0], text), (entries[1][0], key.sign(text)), *entries[2:]]
        )
        _assert_refused(province, data)


def test_an_unreadable_file_in_a_folder_is_rejected_and_others_still_import(
    province: Province, commune: Commune
) -> None:
    result = commune.export()
    (commune.usb / "KH_12205_000009_deadbeef.khb").write_bytes(b"not a bundle")
    outcomes = province.import_(commune.usb)
    assert sorted(o.status for o in outcomes) == ["applied", "rejected"]
    assert result.file.exists()
