#!/usr/bin/env bash
# The Odoo environment of one series (18.0 or 19.0): a venv with the tree's requirements,
# PostgreSQL, Chromium. ODOO_PATH picks the tree; each series gets its own venv (pins differ).
#
#   scripts/odoo-env.sh setup          build or refresh it (idempotent, cached)
#   scripts/odoo-env.sh python ARGS    run the venv's python
#   scripts/odoo-env.sh odoo ARGS      run odoo-bin with the project's addons path and DB settings
#
# The Odoo source tree is not vendored: point ODOO_PATH at a folder holding odoo-bin, or
# extract Odoo 18.0 into /opt/odoo-18 and 19.0 into /opt/odoo-19 (see README). PostgreSQL is started when it is not
# running and a superuser role "odoo"/"odoo" is created for throw-away databases.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERIES="$(odoo_series)"
VENV="$(odoo_venv)"
EXTRA_REQUIREMENTS="$REPO_ROOT/requirements_odoo.txt"
DB_HOST=127.0.0.1
DB_PORT="${PGPORT:-5432}"
DB_USER=odoo
DB_PASSWORD=odoo

odoo_python() {
    # Odoo 18 supports Python 3.10-3.12, 19 also 3.13; take the newest of those on the machine.
    local candidate
    for candidate in python3.13 python3.12 python3.11 python3.10 python3; do
        [[ "$SERIES" == "18.0" && "$candidate" == python3.13 ]] && continue
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    die "Odoo $SERIES needs Python 3.10-3.12 (19.0: 3.13); none found"
}

stamp() { cat "$ODOO_PATH/requirements.txt" "$EXTRA_REQUIREMENTS" | sha256sum | cut -d' ' -f1; }

setup_venv() {
    local stamp_file="$VENV/.requirements.sha256"
    if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$(stamp)" ]]; then
        return 0
    fi
    apt_ensure libpq-dev libldap2-dev libsasl2-dev build-essential
    log "installing Odoo's requirements into $VENV (about a minute)"
    [[ -x "$VENV/bin/python" ]] || "$(odoo_python)" -m venv "$VENV"
    # cbor2 5.4.2's sdist needs pkg_resources at build time; 5.6.2 is API-compatible.
    sed -E 's/^cbor2==5\.4\.2/cbor2==5.6.2/' "$ODOO_PATH/requirements.txt" >"$VENV/odoo-requirements.txt"
    "$VENV/bin/pip" install -q --upgrade pip wheel 2> >(grep -v "is ignored: it is neither" >&2)
    "$VENV/bin/pip" install -q -r "$VENV/odoo-requirements.txt" -r "$EXTRA_REQUIREMENTS" \
        2> >(grep -v "is ignored: it is neither" >&2)
    stamp >"$stamp_file"
}

setup_postgresql() {
    apt_ensure postgresql
    if ! pg_isready -q -h "$DB_HOST" -p "$DB_PORT"; then
        log "starting PostgreSQL"
        service postgresql start >/dev/null 9>&-  # see locked() in lib.sh
        local attempt
        for attempt in $(seq 1 30); do
            pg_isready -q -h "$DB_HOST" -p "$DB_PORT" && break
            sleep 1
        done
        pg_isready -q -h "$DB_HOST" -p "$DB_PORT" || die "PostgreSQL did not start"
    fi
    if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'\"" | grep -q 1; then
        su postgres -c "psql -q -c \"CREATE ROLE $DB_USER LOGIN SUPERUSER PASSWORD '$DB_PASSWORD'\""
    fi
    allow_socket_login
}

allow_socket_login() {
    # Odoo's own packages connect over the unix socket with peer authentication (no db_host,
    # no password), which saves a TCP handshake and a SCRAM exchange on every connection
    # Odoo opens per request; the ingest benchmark measures both. Odoo runs as this user
    # here, not as "odoo": let it log in as the odoo role over the socket.
    [[ -z "${PGPORT:-}" ]] || return 0  # a private cluster of a fault test: TCP only
    local hba ident
    hba="$(su postgres -c "psql -tAc 'SHOW hba_file'")"
    ident="$(su postgres -c "psql -tAc 'SHOW ident_file'")"
    grep -q 'map=ha-odoo-bridge' "$hba" && return 0
    echo "ha-odoo-bridge $(id -un) $DB_USER" >>"$ident"
    # pg_hba.conf is first match: before the catch-all "local all all peer".
    sed -i "0,/^local/s//local   all   $DB_USER   peer map=ha-odoo-bridge\n&/" "$hba"
    su postgres -c "psql -qtAc 'SELECT pg_reload_conf()'" >/dev/null
}

setup_browser() {
    # Odoo's browser tests (tours) drive Debian's chromium; without it they are skipped.
    apt_ensure chromium
}

setup() {
    odoo_available || die "no Odoo tree at ODOO_PATH=$ODOO_PATH (see README: Odoo tests)"
    setup_venv
    setup_postgresql
    setup_browser
}

odoo() {
    # A subcommand (shell, i18n…) must come before the options.
    local subcommand=()
    if [[ $# -gt 0 && "$1" != -* ]]; then
        subcommand=("$1")
        shift
    fi
    "$VENV/bin/python" "$ODOO_PATH/odoo-bin" "${subcommand[@]}" \
        --addons-path="$ODOO_PATH/addons,$ODOO_PATH/odoo/addons,$REPO_ROOT/odoo_module" \
        --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" --db_password="$DB_PASSWORD" \
        "$@"
}

case "${1:-}" in
    setup) locked setup ;;
    # The series tells scripts/stack.py which command-line flags this Odoo takes.
    python) shift; locked setup; ODOO_SERIES="$SERIES" exec "$VENV/bin/python" "$@" ;;
    odoo) shift; locked setup; odoo "$@" ;;
    *) die "usage: $0 setup | python ARGS | odoo ARGS" ;;
esac
