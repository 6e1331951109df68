"""Screenshots of every screen for ``docs/screens`` and the guide's pictures.

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python -m tests.screenshots

runs itself three times (100 % and 125 % display scaling, and "Rất lớn" text at
100 %; a scale factor is fixed when Qt starts, hence one process each) on a
generated demo commune, and saves each screen as a PNG of the window's size,
reduced to a 256-colour palette so the folder stays small. The window is
1366×728 logical pixels at 100 % (a 1366×768 screen less the taskbar) and
1093×582 at 125 % (the same screen in logical pixels).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screens"
GUIDE = ROOT / "resources" / "help" / "img"
VARIANTS = {  # name → (QT_SCALE_FACTOR, text size, window size in logical pixels)
    "100": ("1", "medium", (1366, 728)),
    "125": ("1.25", "medium", (1093, 582)),
    "rat-lon": ("1", "xlarge", (1366, 728)),
}
GUIDE_SHOTS = {"overview": "tong-quan", "people": "nhan-khau", "cycle": "chu-ky-nam"}


def _save(image: object, path: Path, width: int | None = None) -> None:
    from PIL import Image

    buffer = path.with_suffix(".raw.png")
    image.save(str(buffer))  # type: ignore[attr-defined]
    with Image.open(buffer) as picture:
        picture = picture.convert("RGB")
        if width is not None and picture.width > width:
            picture = picture.resize((width, round(picture.height * width / picture.width)))
        picture.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    buffer.unlink()


def shoot(variant: str, data_dir: Path) -> None:
    """In this process (its scale factor already set): every screen of the demo."""
    from PySide6.QtCore import QSettings

    from app.ui.app import create_application

    app = create_application()
    from app.core.workspace import open_workspace
    from app.ui.main_window import MainWindow
    from app.ui.preferences import apply_text_size
    from app.ui.screens.base import AppContext

    _scale, size_key, (width, height) = VARIANTS[variant]
    apply_text_size(size_key)
    ws = open_workspace(data_dir)
    ctx = AppContext(data_dir, ws.db)
    store = QSettings(str(data_dir / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ctx, store)
    window.backup_on_close = False
    window.set_text_size(size_key)
    window.resize(width, height)
    window.show()
    OUT.mkdir(parents=True, exist_ok=True)
    for key, _title in window.navigation:
        window.show_screen(key)
        for _ in range(20):
            app.processEvents()
        shot = window.grab().toImage()
        _save(shot, OUT / f"{key}-{variant}.png")
        if variant == "100" and key in GUIDE_SHOTS:
            GUIDE.mkdir(parents=True, exist_ok=True)
            _save(shot, GUIDE / f"{GUIDE_SHOTS[key]}.png", width=900)
        print(f"{variant}: {key}", flush=True)
    window.close()
    ctx.detach()
    del app


def main() -> int:
    if len(sys.argv) == 3:  # a child: python -m tests.screenshots VARIANT DATA_DIR
        shoot(sys.argv[1], Path(sys.argv[2]))
        return 0
    from app.core.demo import generate_demo

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "demo"
        generate_demo(data_dir, households=2000, seed=2025, lock=False)
        for variant, (scale, _size, _window) in VARIANTS.items():
            env = {**os.environ, "QT_SCALE_FACTOR": scale, "KHUYENHOC_DATA_DIR": str(data_dir)}
            subprocess.run(
                [sys.executable, "-m", "tests.screenshots", variant, str(data_dir)],
                env=env,
                cwd=ROOT,
                check=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
