#!/usr/bin/env bash
# Regenerate odoo_module/home_assistant/i18n/home_assistant.pot from a real Odoo 18 database
# with the addon installed (Odoo's own exporter: fields, views, selections, `_()` strings),
# then merge the new template into every translation (msgmerge keeps what is translated and
# marks changed strings fuzzy). Run it after adding or changing user-facing strings.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$REPO_ROOT/scripts/odoo-env.sh" setup
i18n_dir="$REPO_ROOT/odoo_module/home_assistant/i18n"
db="ha_bridge_i18n_$(date +%s)_$$"
cleanup() { su postgres -c "dropdb --if-exists $db" >/dev/null 2>&1 || true; }
trap cleanup EXIT

log "installing the addon in $db"
"$REPO_ROOT/scripts/odoo-env.sh" odoo -d "$db" -i home_assistant $(odoo_without_demo_args) \
    --stop-after-init --no-http --log-level=warn
log "exporting $i18n_dir/home_assistant.pot"
"$REPO_ROOT/scripts/odoo-env.sh" odoo -d "$db" --i18n-export="$i18n_dir/home_assistant.pot" \
    --modules=home_assistant --stop-after-init --no-http --log-level=warn
for po in "$i18n_dir"/*.po; do
    log "merging into $(basename "$po")"
    msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" "$i18n_dir/home_assistant.pot"
    msgfmt --check --output-file=/dev/null "$po"
done
