#!/usr/bin/env bash
# The Home Assistant environment: Python >= 3.14.2 with the pinned test requirements.
#
#   scripts/ha-env.sh setup          build or refresh it (idempotent, cached)
#   scripts/ha-env.sh run CMD ...    run CMD from the repository root inside it
#
# HA_RELEASE picks the Home Assistant release:
#   pinned (default)  the one pytest-homeassistant-custom-component pins, with the test tools
#                     (requirements_test.txt + requirements_demo.txt)
#   newest            the newest release on PyPI, enough to run `hass` for the demo and the
#                     end-to-end tests (requirements_ha_newest.txt), in a venv of its own
#
# When the system python3 is new enough we use a plain venv. Otherwise (Debian 12
# ships 3.11) we build a Debian testing root with debootstrap and run commands in it
# through a private mount namespace: the bind mounts vanish with the command, so
# concurrent runs never fight over mounts and nothing is left mounted.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHROOT="$CACHE_DIR/forky"
case "${HA_RELEASE:-pinned}" in
    pinned)
        REQUIREMENTS=(requirements_test.txt requirements_demo.txt)
        VENV_NAME="ha-venv"
        ;;
    newest)
        REQUIREMENTS=(requirements_ha_newest.txt)
        VENV_NAME="ha-venv-newest"
        ;;
    *) die "HA_RELEASE must be pinned or newest, not ${HA_RELEASE}" ;;
esac
CHROOT_VENV="/opt/$VENV_NAME"

system_python_is_new_enough() {
    command -v python3 >/dev/null \
        && python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)'
}

if system_python_is_new_enough; then
    MODE="venv"
    VENV="$CACHE_DIR/$VENV_NAME"
else
    MODE="chroot"
    VENV="$CHROOT$CHROOT_VENV"
fi

requirements_stamp() { (cd "$REPO_ROOT" && cat "${REQUIREMENTS[@]}") | sha256sum | cut -d' ' -f1; }

# Run a command inside the chroot with /proc, /dev, /sys, /tmp, the state dir and the repository bound.
in_chroot() {
    local mounts="mount -t proc proc $CHROOT/proc"
    local path
    mkdir -p "$STATE_DIR"
    for path in /dev /sys /tmp "$STATE_DIR" "$REPO_ROOT"; do
        mkdir -p "$CHROOT$path"
        mounts+=" && mount --rbind $path $CHROOT$path"
    done
    cp -L /etc/resolv.conf /etc/hosts "$CHROOT/etc/"
    # The chroot starts from an empty environment; these few settings cross into it.
    local forwarded="" name
    for name in CI MYPY_CACHE_DIR PYTEST_ADDOPTS; do
        [[ -n "${!name:-}" ]] && forwarded+=" $name=$(printf '%q' "${!name}")"
    done
    unshare --mount --propagation private -- bash -c \
        "$mounts && exec chroot $CHROOT /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=${TERM:-dumb} \
         PATH=$CHROOT_VENV/bin:/usr/sbin:/usr/bin:/sbin:/bin \
         PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 \
        $forwarded /bin/bash -c \"cd '$REPO_ROOT' && exec \\\"\\\$@\\\"\" bash $(printf '%q ' "$@")"
}

build_chroot() {
    if [[ ! -x "$CHROOT/usr/bin/python3" ]]; then
        apt_ensure debootstrap ca-certificates
        local mirror
        mirror="$(debian_mirror)"
        log "building a Debian testing root with Python 3.14 in $CHROOT (about a minute)"
        rm -rf "$CHROOT.partial"
        mkdir -p "$CACHE_DIR"
        debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
            forky "$CHROOT.partial" "$mirror" /usr/share/debootstrap/scripts/sid >/dev/null
        mv "$CHROOT.partial" "$CHROOT"
    fi
    mkdir -p "$CHROOT/etc/ssl/certs"
    cp -L /etc/ssl/certs/ca-certificates.crt "$CHROOT/etc/ssl/certs/ca-certificates.crt"
}

setup() {
    local stamp_file="$VENV/.requirements.sha256" file
    local args=()
    for file in "${REQUIREMENTS[@]}"; do args+=(-r "$file"); done
    if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$(requirements_stamp)" ]]; then
        return 0
    fi
    if [[ "$MODE" == "chroot" ]]; then
        build_chroot
        log "installing ${REQUIREMENTS[*]} into the Python 3.14 venv $CHROOT_VENV (a minute or two)"
        [[ -x "$VENV/bin/python" ]] || in_chroot python3 -m venv "$CHROOT_VENV"
        in_chroot "$CHROOT_VENV/bin/pip" install -q "${args[@]}"
    else
        log "installing ${REQUIREMENTS[*]} into $VENV"
        [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
        (cd "$REPO_ROOT" && "$VENV/bin/pip" install -q "${args[@]}")
    fi
    requirements_stamp >"$stamp_file"
}

run() {
    if [[ "$MODE" == "chroot" ]]; then
        in_chroot "$@"
    else
        (cd "$REPO_ROOT" && PATH="$VENV/bin:$PATH" "$@")
    fi
}

case "${1:-}" in
    setup) locked setup ;;
    run) shift; locked setup; run "$@" ;;
    *) die "usage: $0 setup | run CMD ..." ;;
esac
