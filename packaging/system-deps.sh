#!/usr/bin/env bash
# Installs the system libraries Qt 6 needs on Debian/Ubuntu (xcb platform plugin,
# fonts, EGL/GL) when they are missing. Runs apt-get only as root or with sudo;
# otherwise prints the exact command to run. `--package` adds what the frozen build needs.
set -euo pipefail
PKGS=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
      libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
      libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libglib2.0-0
      fonts-dejavu-core)
# `--package` (make package): also binutils, whose objdump and strip PyInstaller uses on Linux.
if [ "${1:-}" = "--package" ]; then
  PKGS+=(binutils)
fi
command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Qt needs these system packages; please run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
fi
