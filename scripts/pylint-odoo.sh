#!/usr/bin/env bash
# Lint the addon with pylint-odoo, OCA's linter, in the Odoo venv (pinned in
# requirements_odoo.txt): every pylint-odoo check, the settings in odoo_module/.pylintrc.
# Prints nothing and exits 0 when the addon is clean.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$REPO_ROOT/scripts/odoo-env.sh" setup
cd "$REPO_ROOT/odoo_module"
"$(odoo_venv)/bin/pylint" --rcfile=.pylintrc home_assistant
