"""Which parts of Qt the frozen build carries — one list, used by the spec and the Qt hooks.

The app is a Qt Widgets program: QtCore, QtGui, QtWidgets (plus QtSvg/QtPrintSupport if the
GUI imports them). PySide6 ships much more; everything else is excluded so the folder stays
small. Plugins are filtered in our own `hooks/hook-PySide6.QtGui.py` (before PyInstaller
scans them for their shared-library dependencies, so a dropped plugin does not drag in
GTK, Wayland or QtNetwork) and once more over the final file list in the spec.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePath

# Python modules of PySide6 the app must not use (the spec refuses to build if app/ imports one;
# remove a name here when a feature really needs it).
QT_EXCLUDED_MODULES = (
    "Qt3DAnimation",
    "Qt3DCore",
    "Qt3DExtras",
    "Qt3DInput",
    "Qt3DLogic",
    "Qt3DRender",
    "QtAxContainer",
    "QtBluetooth",
    "QtCharts",
    "QtConcurrent",
    "QtDataVisualization",
    "QtDBus",
    "QtDesigner",
    "QtGraphs",
    "QtGraphsWidgets",
    "QtHelp",
    "QtHttpServer",
    "QtLabsStyleKit",
    "QtLocation",
    "QtMultimedia",
    "QtMultimediaWidgets",
    "QtNetwork",
    "QtNetworkAuth",
    "QtNfc",
    "QtOpenGL",
    "QtOpenGLWidgets",
    "QtPdf",
    "QtPdfWidgets",
    "QtPositioning",
    "QtQml",
    "QtQmlFeatures",
    "QtQuick",
    "QtQuick3D",
    "QtQuickControls2",
    "QtQuickTest",
    "QtQuickWidgets",
    "QtRemoteObjects",
    "QtScxml",
    "QtSensors",
    "QtSerialBus",
    "QtSerialPort",
    "QtSpatialAudio",
    "QtSql",
    "QtStateMachine",
    "QtTest",
    "QtTextToSpeech",
    "QtUiTools",
    "QtWebChannel",
    "QtWebEngineCore",
    "QtWebEngineQuick",
    "QtWebEngineWidgets",
    "QtWebSockets",
    "QtWebView",
    "QtXml",
)

# Plugin folder → plugin names kept (file name without "lib" prefix and extension);
# None keeps the whole folder. Folders not listed are dropped.
KEEP_PLUGINS: dict[str, frozenset[str] | None] = {
    # offscreen: CI and the smoke test; minimal: diagnostics; xcb: Linux desktops (Wayland
    # sessions use it through XWayland); windows / cocoa: the real targets.
    "platforms": frozenset({"qoffscreen", "qminimal", "qxcb", "qwindows", "qcocoa"}),
    # PNG and BMP are built into QtGui; ICO for the window icon, JPEG/GIF for pictures,
    # SVG for icons (only collected when QtSvg is used).
    "imageformats": frozenset({"qico", "qjpeg", "qgif", "qsvg"}),
    "iconengines": frozenset({"qsvgicon"}),
    "styles": None,  # qmodernwindowsstyle on Windows, qmacstyle on macOS
    # Vietnamese typing on Linux goes through IBus (ibus-unikey / ibus-bamboo).
    "platforminputcontexts": frozenset(
        {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"}
    ),
    "xcbglintegrations": None,
    "printsupport": None,  # only collected when QtPrintSupport is used
    "accessiblebridge": None,  # screen readers
}

# Shipped by PySide6 for Windows but not needed by a Qt Widgets app: the 20 MB software OpenGL
# renderer (only loaded for OpenGL/Qt Quick content when no GPU driver is usable).
DROP_BINARIES: frozenset[str] = frozenset({"opengl32sw.dll"})

# Qt's own translations: only Vietnamese would be used (app/ui/vietnamese.py loads it from
# QLibraryInfo.TranslationsPath). PySide6 6.11 ships none, in Essentials or the full wheel,
# so Qt's texts come from that module's own table; a later Qt that ships one is kept.
KEEP_TRANSLATIONS: frozenset[str] = frozenset({"qtbase_vi.qm", "qt_vi.qm"})


def _plugin_name(filename: str) -> str:
    stem = filename.split(".", 1)[0]
    return stem[3:] if stem.startswith("lib") else stem


def keep_file(dest: str) -> bool:
    """False for a PySide6 plugin or translation file the build should leave out.

    `dest` is the file's path inside the bundle, e.g. `PySide6/Qt/plugins/platforms/libqxcb.so`
    (Linux/macOS wheels) or `PySide6/plugins/platforms/qwindows.dll` (Windows wheels).
    """
    parts = PurePath(dest.replace("\\", "/")).parts
    if not parts:
        return True
    if parts[-1].lower() in DROP_BINARIES:
        return False
    if parts[0] != "PySide6":
        return True
    if "plugins" in parts[:-1]:
        i = parts.index("plugins")
        if i + 2 >= len(parts):  # not inside a plugin folder
            return True
        kept = KEEP_PLUGINS.get(parts[i + 1], frozenset())
        return kept is None or _plugin_name(parts[-1]) in kept
    if "translations" in parts[:-1]:
        return parts[-1] in KEEP_TRANSLATIONS
    return True


def keep_hook_entries(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Filter a hook's `(source path, destination folder)` list."""
    return [
        (src, dest_dir)
        for src, dest_dir in entries
        if keep_file(str(PurePath(dest_dir) / PurePath(src).name))
    ]


_QT_IMPORT = re.compile(r"PySide6\.(Qt\w+)|from\s+PySide6\s+import\s+\(?([\w\s,]+)\)?")


def qt_modules_imported(source_dir: Path) -> dict[str, str]:
    """PySide6 modules named in the Python files under `source_dir` → first file naming each."""
    used: dict[str, str] = {}
    for file in sorted(source_dir.rglob("*.py")):
        for match in _QT_IMPORT.finditer(file.read_text(encoding="utf-8")):
            names = [match.group(1)] if match.group(1) else re.findall(r"Qt\w+", match.group(2))
            for name in names:
                used.setdefault(name, str(file.relative_to(source_dir.parent)))
    return used


def excluded_qt_imports(source_dir: Path) -> dict[str, str]:
    """The excluded Qt modules the app imports anyway (the build refuses to go on)."""
    return {
        module: file
        for module, file in qt_modules_imported(source_dir).items()
        if module in QT_EXCLUDED_MODULES
    }
