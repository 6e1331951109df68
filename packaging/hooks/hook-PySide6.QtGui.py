"""Replaces PyInstaller's own hook for PySide6.QtGui: the same collection, minus the plugins
and translations the app does not need (see packaging/qt_selection.py). Filtering here,
rather than only in the spec, keeps PyInstaller from scanning the dropped plugins and
collecting their libraries (GTK for the gtk3 theme, Wayland, QtNetwork for TUIO, QtPdf)."""

from PyInstaller.utils.hooks.qt import add_qt6_dependencies
from qt_selection import keep_hook_entries  # packaging/ is on sys.path (see the spec)

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = keep_hook_entries(binaries)
datas = keep_hook_entries(datas)
