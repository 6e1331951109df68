"""The frozen build carries only the Qt the app uses — and everything it does use."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_app_imports_no_qt_module_the_build_leaves_out(qt_selection: ModuleType) -> None:
    assert qt_selection.excluded_qt_imports(ROOT / "app") == {}


def test_the_widgets_stack_is_never_excluded(qt_selection: ModuleType) -> None:
    for module in ("QtCore", "QtGui", "QtWidgets", "QtSvg", "QtPrintSupport"):
        assert module not in qt_selection.QT_EXCLUDED_MODULES


def test_an_excluded_module_imported_by_the_app_is_reported(
    qt_selection: ModuleType, tmp_path: Path
) -> None:
    app = tmp_path / "app"
    (app / "ui").mkdir(parents=True)
    (app / "ui" / "web.py").write_text(
        "from PySide6 import (\n    QtCore,\n    QtWebEngineWidgets,\n)\n", encoding="utf-8"
    )
    (app / "ui" / "ok.py").write_text("from PySide6.QtWidgets import QLabel\n", encoding="utf-8")
    assert qt_selection.excluded_qt_imports(app) == {"QtWebEngineWidgets": "app/ui/web.py"}


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqminimal.so",
        "PySide6/plugins/platforms/qwindows.dll",
        "PySide6/plugins/platforms/qoffscreen.dll",
        "PySide6\\plugins\\imageformats\\qico.dll",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/plugins/styles/qmodernwindowsstyle.dll",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt6Widgets.dll",
        "sqlalchemy/cyextension/collections.cpython-311-x86_64-linux-gnu.so",
        "migrations/versions/0001_initial.py",
    ],
)
def test_files_the_app_needs_are_kept(qt_selection: ModuleType, dest: str) -> None:
    assert qt_selection.keep_file(dest)


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/imageformats/libqpdf.so",
        "PySide6/Qt/plugins/imageformats/libqtiff.so",
        "PySide6/Qt/plugins/generic/libqtuiotouchplugin.so",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/plugins/sqldrivers/libqsqlite.so",
        "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
        "PySide6/plugins/platforms/qdirect2d.dll",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/translations/qt_fr.qm",
        "PySide6/opengl32sw.dll",
    ],
)
def test_qt_parts_the_app_does_not_use_are_dropped(qt_selection: ModuleType, dest: str) -> None:
    assert not qt_selection.keep_file(dest)


def test_hook_entries_are_filtered_by_their_destination(qt_selection: ModuleType) -> None:
    entries = [
        ("/site/PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms"),
        ("/site/PySide6/Qt/plugins/platforms/libqwayland.so", "PySide6/Qt/plugins/platforms"),
        ("/site/PySide6/Qt/translations/qtbase_ja.qm", "PySide6/Qt/translations"),
    ]
    assert qt_selection.keep_hook_entries(entries) == entries[:1]


def test_a_vietnamese_qt_translation_would_be_kept(qt_selection: ModuleType) -> None:
    assert qt_selection.keep_file("PySide6/Qt/translations/qtbase_vi.qm")
    assert not qt_selection.keep_file("PySide6/Qt/translations/qtbase_ja.qm")


def test_pyside6_ships_no_vietnamese_qt_translation_so_the_app_carries_its_own() -> None:
    """If this fails, a Qt update ships qtbase_vi.qm: app.ui.vietnamese loads it first."""
    from PySide6.QtCore import QLibraryInfo

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    assert not list(folder.glob("qtbase_vi*.qm")) and not list(folder.glob("qt_vi*.qm"))
