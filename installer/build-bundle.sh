#!/usr/bin/env bash
# Build a self-contained one-folder bundle of s2f-desktop with PyInstaller (dist/s2f-desktop/), for machines
# without Python. The bundle carries the models and resources; the target machine still needs the system
# libraries Qt and PortAudio load (Debian: libgl1 libegl1 libportaudio2 fonts-dejavu-core, and the xcb libraries
# listed in installer/common.sh). Run it on the OS you are building for (PyInstaller does not cross-compile).
set -euo pipefail
source "$(dirname "$0")/common.sh"
apt_install $RUNTIME_PACKAGES
ensure_venv gui
"$VENV/bin/python" -m pip install -q "pyinstaller>=6.10" >&2
cd "$ROOT"
"$VENV/bin/pyinstaller" --noconfirm --clean --name s2f-desktop --windowed \
  --add-data "models:models" --add-data "resources:resources" \
  --collect-data pyqtgraph --collect-binaries onnxruntime \
  --exclude-module torch --exclude-module matplotlib --exclude-module tkinter \
  s2f_desktop/ui/app.py
echo "bundle: $ROOT/dist/s2f-desktop/s2f-desktop"
