"""The Windows installer keeps the program and the association's data apart.

The Inno Setup compiler only runs on Windows; these checks read the script so a careless
edit (a data folder inside the program folder, an uninstaller deleting data, admin rights)
fails on any machine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import paths

ROOT = Path(__file__).resolve().parents[2]
ISS = ROOT / "packaging" / "installer.iss"
ISL = ROOT / "packaging" / "installer-vi.isl"
SPEC = ROOT / "packaging" / "khuyenhoc.spec"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def _setup_directives() -> dict[str, str]:
    text = _text(ISS)
    section = text.split("[Setup]", 1)[1].split("\n[", 1)[0]
    out = {}
    for line in section.splitlines():
        line = line.strip()
        if line and not line.startswith((";", "#")) and "=" in line:
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def _defines() -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "([^"]*)"', _text(ISS), re.M))


@pytest.mark.parametrize("path", [ISS, ISL])
def test_installer_files_are_utf8_with_a_byte_order_mark(path: Path) -> None:
    """Inno Setup reads a script without a BOM as ANSI, which garbles Vietnamese."""
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_it_installs_per_user_without_administrator_rights() -> None:
    setup = _setup_directives()
    assert setup["PrivilegesRequired"] == "lowest"
    assert "PrivilegesRequiredOverridesAllowed" not in setup
    assert setup["DefaultDirName"].startswith("{autopf}\\")  # = {userpf} = LocalAppData\Programs


def test_it_has_a_fixed_app_id_so_upgrades_replace_the_installed_copy() -> None:
    app_id = _setup_directives()["AppId"]
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", app_id)


def test_the_data_folder_is_platformdirs_folder_and_not_the_program_folder() -> None:
    defines = _defines()
    assert defines["DataDirName"] == paths.default_data_dir().name == "SoKhuyenHoc"
    assert not _setup_directives()["DefaultDirName"].startswith("{localappdata}\\SoKhuyenHoc")


def test_install_and_uninstall_delete_only_inside_the_program_folder() -> None:
    text = _text(ISS)
    deletes = re.findall(r'^Type:\s*\w+;\s*Name:\s*"([^"]+)"', text, re.M)
    assert deletes, "expected [InstallDelete]/[UninstallDelete] entries"
    for name in deletes:
        assert name.startswith("{app}\\"), name
    data_dirs = re.findall(r"^Name:\s*\"\{localappdata\}[^\"]*\".*$", text, re.M)
    for line in data_dirs:
        assert "uninsneveruninstall" in line


def test_shortcuts_open_the_windowed_executable_the_spec_builds() -> None:
    defines = _defines()
    spec = SPEC.read_text(encoding="utf-8")
    assert f'GUI_EXE = "{defines["AppExeName"].removesuffix(".exe")}"' in spec
    assert f'CLI_EXE = "{defines["CliExeName"].removesuffix(".exe")}"' in spec
    assert f'APP_DIR_NAME = "{defines["AppDirName"]}"' in spec
    icons = _text(ISS).split("[Icons]", 1)[1].split("\n[", 1)[0]
    assert "{autoprograms}\\{#AppName}" in icons
    assert "{autodesktop}\\{#AppName}" in icons


def test_every_custom_message_the_script_uses_is_written_in_vietnamese() -> None:
    used = set(re.findall(r"\{cm:(\w+)", _text(ISS)))
    used |= set(re.findall(r"CustomMessage\('(\w+)'\)", _text(ISS)))
    custom = _text(ISL).split("[CustomMessages]", 1)[1]
    defined = set(re.findall(r"^(\w+)=", custom, re.M))
    assert used <= defined, used - defined
