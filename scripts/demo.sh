#!/usr/bin/env bash
# The README's run command (`make demo`): a real Odoo 18 with the addon at :8069 and a real
# Home Assistant with demo devices at :8123, on loopback, until Ctrl-C.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

odoo_available || die "The demo needs an Odoo 18 source tree: extract Odoo 18.0 to $DEFAULT_ODOO_PATH or export ODOO_PATH=/path/to/odoo (the folder with odoo-bin)."
"$REPO_ROOT/scripts/ha-env.sh" setup
"$REPO_ROOT/scripts/odoo-env.sh" setup
exec "$REPO_ROOT/scripts/odoo-env.sh" python "$REPO_ROOT/scripts/stack.py" demo
