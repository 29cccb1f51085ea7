#!/usr/bin/env bash
# The README's run command (`make demo`): a real Odoo with the addon at :8069 and a real
# Home Assistant with demo devices at :8123, on loopback, until Ctrl-C.
# Odoo 18.0 by default; `ODOO_SERIES=19.0 make demo` runs the 19.0 tree (ODOO19_PATH).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ "${ODOO_SERIES:-18.0}" == 19* ]]; then
    ODOO_PATH="$ODOO19_PATH"
fi
odoo_available || die "The demo needs an Odoo source tree: extract Odoo 18.0 to $DEFAULT_ODOO18_PATH (or 19.0 to $DEFAULT_ODOO19_PATH and set ODOO_SERIES=19.0), or export ODOO_PATH=/path/to/odoo (the folder with odoo-bin)."
"$REPO_ROOT/scripts/ha-env.sh" setup
"$REPO_ROOT/scripts/odoo-env.sh" setup
exec "$REPO_ROOT/scripts/odoo-env.sh" python "$REPO_ROOT/scripts/stack.py" demo
