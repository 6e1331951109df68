"""Windows version information is generated from app.__version__ and names the association."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

import app


class _Node:
    """Stands in for PyInstaller's versioninfo classes: records the constructor arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs


def _evaluate(text: str) -> _Node:
    names = (
        "VSVersionInfo",
        "FixedFileInfo",
        "StringFileInfo",
        "StringTable",
        "StringStruct",
        "VarFileInfo",
        "VarStruct",
    )
    namespace = {name: type(name, (_Node,), {}) for name in names}
    result = eval(text, namespace)  # the same way PyInstaller reads the file
    assert isinstance(result, _Node)
    return result


@pytest.mark.parametrize(
    ("version", "numbers"),
    [
        ("0.1.0", (0, 1, 0, 0)),
        ("1.2.3", (1, 2, 3, 0)),
        ("2025.10.1.7", (2025, 10, 1, 7)),
        ("1.4.0rc2", (1, 4, 0, 0)),
        ("1.5.dev3", (1, 5, 0, 0)),
        ("3", (3, 0, 0, 0)),
    ],
)
def test_file_versions_are_four_numbers(
    version_info: ModuleType, version: str, numbers: tuple[int, ...]
) -> None:
    assert version_info.version_numbers(version) == numbers


def test_the_version_resource_carries_the_app_version_and_names(version_info: ModuleType) -> None:
    info = _evaluate(version_info.render(app.__version__, "SoKhuyenHoc.exe", "Sổ Khuyến Học"))
    fixed = info.kwargs["ffi"]
    numbers = version_info.version_numbers(app.__version__)
    assert fixed.kwargs["filevers"] == numbers
    assert fixed.kwargs["prodvers"] == numbers

    string_file_info, var_file_info = info.kwargs["kids"]
    (table,) = string_file_info.args[0]
    language, structs = table.args
    strings = {s.args[0]: s.args[1] for s in structs}
    assert language == "042A04B0"  # Vietnamese, Unicode
    assert strings["ProductName"] == "Sổ Khuyến Học"
    assert strings["CompanyName"] == "Hội Khuyến học"
    assert strings["FileDescription"] == "Sổ Khuyến Học"
    assert strings["ProductVersion"] == app.__version__
    assert strings["FileVersion"] == ".".join(map(str, numbers))
    assert strings["OriginalFilename"] == "SoKhuyenHoc.exe"
    assert var_file_info.args[0][0].args == ("Translation", [0x042A, 1200])


def test_the_version_file_is_written_as_utf8(version_info: ModuleType, tmp_path: Any) -> None:
    path = version_info.write(tmp_path / "v.txt", "1.0.0", "khuyenhoc.exe", "Sổ Khuyến Học")
    assert "Hội Khuyến học" in path.read_text(encoding="utf-8")
