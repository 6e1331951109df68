"""The installed PySide6 must not lose references to None/True.

PySide6 6.12.0 returns ``None`` from every void method, and ``True`` from
``SignalInstance.emit``, without taking a reference. On Python 3.11, where those
singletons are not immortal, a session of a few thousand clicks frees ``None`` and
the interpreter aborts ("none_dealloc: deallocating None"). pyproject.toml excludes
that release; this test fails if such a build comes back.
"""

from __future__ import annotations

import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytestmark = pytest.mark.gui

PROBES = 64


def test_void_calls_and_emits_keep_singleton_references(qapp: object) -> None:
    from PySide6.QtCore import QObject, Signal

    class Probe(QObject):
        ping = Signal()

    probe = Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(PROBES):
        probe.setObjectName("probe")
        probe.ping.emit()
    assert none_before - sys.getrefcount(None) < PROBES
    assert true_before - sys.getrefcount(True) < PROBES
