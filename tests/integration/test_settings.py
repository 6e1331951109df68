"""Settings that travel with the data: the commune, the signers, the backup options."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core import settings
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.registry import hamlets
from app.core.settings import CommuneInfo, Signer


def test_a_new_commune_has_sensible_defaults(db: Database) -> None:
    loaded = settings.load(db)
    assert loaded.commune is not None
    assert (loaded.commune.code, loaded.commune.name) == ("00004", "Phường Ba Đình")
    assert loaded.commune.province_name == "Thành phố Hà Nội"
    assert loaded.backup_keep == settings.DEFAULT_BACKUP_KEEP
    assert loaded.backup_dir is None
    assert [s.role for s in loaded.signers] == ["association_chair", "committee_chair"]


def test_commune_details_are_cleaned_and_kept(db: Database) -> None:
    info = settings.get_commune(db)
    assert info is not None
    settings.set_commune(
        db,
        replace(
            info,
            chairman_name="NGUYỄN\u00a0 VĂN AN",
            secretary_name="Lê  Thị Bình",
            address=" Số 1,  phố Đội Cấn ",
        ),
    )
    stored = settings.get_commune(db)
    assert stored is not None
    assert (stored.chairman_name, stored.secretary_name, stored.address) == (
        "Nguyễn Văn An",
        "Lê Thị Bình",
        "Số 1, phố Đội Cấn",
    )
    assert settings.default_signers(None)[0].name == ""
    assert settings.load(db).signers[0].name == "Nguyễn Văn An"  # the chair signs by default


def test_a_commune_without_code_or_name_is_refused(db: Database) -> None:
    with pytest.raises(ValidationError, match="Chưa chọn xã"):
        settings.set_commune(db, CommuneInfo(code="", name="", province_code="", province_name=""))
    info = settings.get_commune(db)
    assert info is not None and info.code == "00004"


def test_changing_the_commune_stamps_new_rows_with_the_new_code(db: Database) -> None:
    info = settings.get_commune(db)
    assert info is not None
    settings.set_commune(db, replace(info, code="00008", name="Phường Ngọc Hà"))
    assert db.commune_code == "00008"
    hamlets.create_hamlet(db, hamlets.HamletInput("Tổ dân phố 1"))
    with db.connect() as conn:
        codes = conn.exec_driver_sql("SELECT DISTINCT commune_code FROM hamlet").scalars().all()
    assert codes == ["00008"]


def test_signers_are_saved_with_clean_names(db: Database) -> None:
    settings.save_signers(
        db,
        [
            Signer("association_chair", " CHỦ TỊCH  HỘI KHUYẾN HỌC ", "TRẦN THỊ MAI"),
            Signer("committee_chair", "CHỦ TỊCH UBND PHƯỜNG", "Phạm\u00a0Văn Đức"),
        ],
    )
    assert settings.load(db).signers == [
        Signer("association_chair", "CHỦ TỊCH HỘI KHUYẾN HỌC", "Trần Thị Mai"),
        Signer("committee_chair", "CHỦ TỊCH UBND PHƯỜNG", "Phạm Văn Đức"),
    ]


def test_backup_options(db: Database, tmp_path: Path) -> None:
    settings.save_backup_options(db, 30, str(tmp_path / "o-usb"))
    loaded = settings.load(db)
    assert (loaded.backup_keep, loaded.backup_dir) == (30, str(tmp_path / "o-usb"))
    settings.save_backup_options(db, 5, None)
    assert settings.load(db).backup_dir is None


@pytest.mark.parametrize("keep", [0, -1, 366])
def test_the_number_of_backups_kept_must_be_reasonable(db: Database, keep: int) -> None:
    with pytest.raises(ValidationError) as err:
        settings.save_backup_options(db, keep, None)
    assert err.value.field == "backup_keep"
    assert settings.load(db).backup_keep == settings.DEFAULT_BACKUP_KEEP


def test_the_backup_folder_must_not_be_a_file(db: Database, tmp_path: Path) -> None:
    a_file = tmp_path / "ghi-chu.txt"
    a_file.write_text("không phải thư mục", encoding="utf-8")
    with pytest.raises(ValidationError, match="không phải là thư mục"):
        settings.save_backup_options(db, 10, str(a_file))
