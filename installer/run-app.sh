#!/usr/bin/env bash
# Install what s2f-desktop needs (Debian packages, a virtual environment in .venv) and start it.
# Arguments go to the app: a recording to open, --listen, --kiosk, ...
set -euo pipefail
source "$(dirname "$0")/common.sh"
apt_install $RUNTIME_PACKAGES
ensure_venv gui
exec "$VENV/bin/s2f-desktop" "$@"
