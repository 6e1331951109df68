# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""A commune key is pinned to the commune that registered it.

A bundle signed with commune A's key but labelled commune B waited in quarantine;
once a person accepted A's fingerprint (read from the held bundles), the key could
be pinned to B and the bundle applied as commune B.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.errors import UserError
from app.core.sync import keys, upper
from app.core.sync.importer import held_bundles, retry_quarantined
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
    province,
)


def _registration_file(commune: Commune, tmp_path: Path) -> Path:
    path = tmp_path / "phieu-dang-ky.json"
    path.write_text(json.dumps(upper.registration(commune.db)), "utf-8")
    return path


def test_bundle_labelled_another_commune_is_rejected_once_the_fingerprint_is_accepted(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    real = make_commune(pin=False)
    keys.my_key(real.data_dir)  # the laptop's key, made at first use
    impostor = make_commune(code="00004", name="xa-khac", keys_from=real)
    # The impostor's bundle arrives first and sorts first among the held bundles.
    assert province.import_(impostor.export().file)[0].status == "quarantined"
    assert province.import_(real.export().file)[0].status == "quarantined"
    fingerprint = keys.my_key(real.data_dir).fingerprint
    with pytest.raises(UserError) as err:
        upper.accept_key(province.db, fingerprint)
    assert "00004" in err.value.message and "12205" in err.value.message
    assert "phiếu đăng ký" in err.value.message
    assert upper.pinned_keys(province.db) == []
    # The registration sheet says which commune the key is; then the held bundles are sorted.
    pinned = upper.accept_key(province.db, str(_registration_file(real, province.data_dir)))
    assert pinned.commune_code == "12205"
    outcomes = {o.commune_code: o for o in retry_quarantined(province.db)}
    assert outcomes["12205"].status == "applied"
    assert outcomes["00004"].status == "rejected"
    assert "khóa đã đăng ký cho xã mã 12205" in outcomes["00004"].reason
    assert province.records("hamlet") and all(
        data["commune_code"] == "12205" for _r, _d, data in province.records("hamlet").values()
    )


def test_a_pinned_key_cannot_be_accepted_again_for_another_commune(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    real = make_commune()  # pinned from its registration sheet
    impostor = make_commune(code="00004", name="xa-khac", keys_from=real)
    result = impostor.export()
    [outcome] = province.import_(result.file)
    assert outcome.status == "quarantined"
    fingerprint = keys.my_key(real.data_dir).fingerprint
    for source in (str(result.file), fingerprint):
        with pytest.raises(UserError) as err:
            upper.accept_key(province.db, source)
        assert "đã được đăng ký cho xã mã 12205" in err.value.message
    [pinned] = upper.pinned_keys(province.db)
    assert pinned.commune_code == "12205"
    [again] = retry_quarantined(province.db)
    assert again.status == "rejected" and "xã mã 00004" in again.reason
    assert [h.commune_code for h in held_bundles(province.db)] == ["00004"]  # kept to inspect
    assert all(
        data["commune_code"] != "00004" for _r, _d, data in province.records("hamlet").values()
    )
