# Shared settings and helpers for the project's scripts (sourced, not run).
# Caches live outside the checkout so a fresh clone reuses them and `git clean` never wipes them.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${HA_ODOO_CACHE:-/var/cache/ha-odoo-bridge}"
# Run-time state shared by the host and the HA chroot (demo HA config, logs).
STATE_DIR="$CACHE_DIR/state"
# The Odoo source trees, one per supported series, in their conventional folders unless a
# variable names them: ODOO_PATH (18.0, and whichever tree a script is asked to run) and
# ODOO19_PATH (19.0). `make test` runs every tree it finds; the other scripts run ODOO_PATH.
DEFAULT_ODOO18_PATH="/opt/odoo-18"
DEFAULT_ODOO19_PATH="/opt/odoo-19"
ODOO19_PATH="${ODOO19_PATH:-$DEFAULT_ODOO19_PATH}"
ODOO_PATH="${ODOO_PATH:-$DEFAULT_ODOO18_PATH}"
export ODOO_PATH ODOO19_PATH

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m!!! %s\033[0m\n' "$*" >&2; }
die() { printf '\033[1;31mxxx %s\033[0m\n' "$*" >&2; exit 1; }

# apt-get install only what is missing; `apt-get update` once per call site.
apt_ensure() {
    local missing=()
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    if ((${#missing[@]})); then
        log "installing Debian packages: ${missing[*]}"
        # 9>&-: a package's postinst may start a daemon (PostgreSQL does); it must not
        # inherit the setup lock's descriptor, or the lock is held for the daemon's life.
        DEBIAN_FRONTEND=noninteractive apt-get update -qq 9>&-
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 9>&-
    fi
}

# The Debian mirror this machine is configured with (never hard-coded in the repo).
debian_mirror() {
    local uri
    uri="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1 || true)"
    if [[ -z "$uri" ]]; then
        uri="$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -n1 || true)"
    fi
    [[ -n "$uri" ]] || die "no Debian mirror found in the apt configuration"
    echo "$uri"
}

odoo_available() { [[ -x "$ODOO_PATH/odoo-bin" || -f "$ODOO_PATH/odoo-bin" ]]; }

# The series ("18.0", "19.0") of the tree at ODOO_PATH, read from its release.py.
odoo_series() {
    sed -nE 's/^version_info = \(([0-9]+), ([0-9]+),.*/\1.\2/p' "$ODOO_PATH/odoo/release.py" 2>/dev/null
}

# Odoo 18 installs demo data unless told not to; 19 installs none unless asked (and
# refuses 18's `--without-demo=all` with a warning).
odoo_without_demo_args() { [[ "$(odoo_series)" == "18.0" ]] && echo "--without-demo=all" || true; }

# Each series has its own venv: their requirement pins differ.
odoo_venv() { echo "$CACHE_DIR/odoo-$(odoo_series)-venv"; }

# Run a setup function under an exclusive lock, so parallel runs never build a cache twice.
# The lock lives on descriptor 9: anything started from inside that outlives the setup (a
# daemon) must be started with `9>&-`, or every later `locked` call would wait for it. A
# cold build takes ~15 min, so a wait past 30 min is a stuck holder: name it and fail.
locked() {
    mkdir -p "$CACHE_DIR"
    local lock_file="$CACHE_DIR/.${1}-$(basename "$0").lock"
    (
        flock -w 1800 9 || die "$lock_file still locked after 30 min by: $(fuser "$lock_file" 2>&1 | tr -s ' ')"
        "$@"
    ) 9>"$lock_file"
}
