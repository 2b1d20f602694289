#!/usr/bin/env bash
# Install what the tests need (Debian packages, .venv with the dev extra, a PulseAudio virtual microphone),
# then lint, type-check and run the whole test suite. Screenshots land in artifacts/tests/.
set -euo pipefail
source "$(dirname "$0")/common.sh"
apt_install $RUNTIME_PACKAGES pulseaudio pulseaudio-utils espeak-ng procps poppler-utils
ensure_venv dev
cd "$ROOT"
export PULSE_SERVER
PULSE_SERVER=$(installer/virtual-mic.sh start)
trap 'installer/virtual-mic.sh stop' EXIT
echo "== ruff" && "$VENV/bin/ruff" check s2f_desktop tests
echo "== mypy" && "$VENV/bin/mypy" s2f_desktop
echo "== pytest" && "$VENV/bin/python" -m pytest "$@"
