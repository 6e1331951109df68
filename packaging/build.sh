#!/usr/bin/env bash
# Builds the frozen one-folder app for this machine into dist/SoKhuyenHoc/ and reports
# how long it took and how big the folder is. Used by `make package` and CI.
#   PYINSTALLER=path/to/pyinstaller  (default: .venv/bin/pyinstaller, else pyinstaller on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."

PYINSTALLER=${PYINSTALLER:-}
if [ -z "$PYINSTALLER" ]; then
  if [ -x .venv/bin/pyinstaller ]; then PYINSTALLER=.venv/bin/pyinstaller
  elif [ -x .venv/Scripts/pyinstaller.exe ]; then PYINSTALLER=.venv/Scripts/pyinstaller.exe
  else PYINSTALLER=pyinstaller
  fi
fi

# PyInstaller reads shared-library dependencies with objdump and strips with strip (binutils).
if [ "$(uname -s)" = Linux ]; then
  for tool in objdump strip; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "PyInstaller needs '$tool' (binutils): run 'bash packaging/system-deps.sh --package'" >&2
      exit 1
    fi
  done
fi

# The frozen build carries exactly the versions of the lock file (packaging/lock.py writes
# it): installed into the Python that runs PyInstaller before building.
LOCK=packaging/requirements-lock.txt
if [ -f "$LOCK" ] && [ "${KHUYENHOC_SKIP_LOCK:-0}" != 1 ]; then
  tool=$(command -v "$PYINSTALLER" || true)
  python=""
  for candidate in "$(dirname "${tool:-.}")/python" "$(dirname "${tool:-.}")/python.exe"; do
    if [ -x "$candidate" ]; then python=$candidate; break; fi
  done
  if [ -z "$python" ]; then
    echo "No Python beside $PYINSTALLER to install $LOCK into (KHUYENHOC_SKIP_LOCK=1 to build without it)" >&2
    exit 1
  fi
  "$python" -m pip install --quiet --disable-pip-version-check -r "$LOCK"
  echo "Installed the locked versions ($LOCK) into $python."
fi

start=$(date +%s)
"$PYINSTALLER" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/khuyenhoc.spec
seconds=$(( $(date +%s) - start ))

out=dist/SoKhuyenHoc
[ -d "$out" ] || { echo "build failed: $out missing" >&2; exit 1; }
size_mb=$(du -sm "$out" | cut -f1)
files=$(find "$out" -type f | wc -l)
echo "Built $out in ${seconds}s: ${size_mb} MB, ${files} files."
# Keep the folder lean (packaging/README.md explains what is excluded). The budget is the
# Windows users' (≤ 150 MB): Qt on Linux carries its own ICU (≈ 36 MB of libicu*), which
# Windows provides itself, so that part is reported but not counted against it.
icu_kb=$(find "$out" -type f -name 'libicu*' -printf '%k\n' | awk '{s += $1} END {print s + 0}')
budget_mb=$(( size_mb - icu_kb / 1024 ))
echo "Counted against the ${PACKAGE_SIZE_LIMIT_MB:-150} MB budget: ${budget_mb} MB (without $(( icu_kb / 1024 )) MB of Linux-only ICU)."
LIMIT_MB=${PACKAGE_SIZE_LIMIT_MB:-150}
if [ "$budget_mb" -gt "$LIMIT_MB" ]; then
  echo "The build is ${budget_mb} MB, over the ${LIMIT_MB} MB budget; largest files:" >&2
  find "$out" -type f -printf '%s %p\n' | sort -rn | awk 'NR <= 15' >&2
  exit 1
fi
