"""Entry point of the frozen build (both executables run this file).

`khuyenhoc` / `SoKhuyenHoc.exe` with no arguments opens the window; with a command
(`khuyenhoc stats --json`) it behaves exactly like the `khuyenhoc` console script.
"""

from __future__ import annotations

import os
import sys


def _ensure_streams() -> None:
    """A windowed (no console) Windows build starts with sys.stdout/stderr set to None.

    Anything that writes to them (a warning, a library's log line, `sys.stderr.isatty()`)
    would then crash the window, so point them at the null device instead.
    """
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def main() -> int:
    _ensure_streams()
    from app.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
