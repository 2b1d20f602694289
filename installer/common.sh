# Shared by installer/run-app.sh and installer/test.sh: Debian packages and the project's virtual environment.
# Idempotent: packages already installed are not fetched again; an existing venv is reused and updated.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${S2F_VENV:-$ROOT/.venv}

# What the app needs at run time on a bare Debian 12: Python, PortAudio, and the libraries Qt's plugins load.
RUNTIME_PACKAGES="python3 python3-venv libportaudio2 libsndfile1 libasound2-plugins
libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0
libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-render0 libxcb-shape0
libxcb-util1 libxcb-xkb1 fonts-dejavu-core"

apt_install() {
  local missing=""
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
  done
  [[ -z $missing ]] && return 0
  echo "installing Debian packages:$missing" >&2
  local sudo=""
  [[ $(id -u) != 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >&2 && $sudo apt-get install -y -q --no-install-recommends $missing >&2
}

python_for_venv() {
  # Debian's python3 on a fresh machine; whatever python3 is first on PATH elsewhere (3.11 or newer).
  command -v python3
}

ensure_venv() {
  local extras=$1
  if [[ ! -x $VENV/bin/python ]]; then
    "$(python_for_venv)" -m venv "$VENV"
  fi
  local stamp="$VENV/.s2f-installed-$extras"
  if [[ ! -f $stamp || $ROOT/pyproject.toml -nt $stamp ]]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q -e "$ROOT[$extras]" >&2
    touch "$stamp"
  fi
}
