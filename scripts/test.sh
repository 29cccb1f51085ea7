#!/usr/bin/env bash
# The project's one test command (README: `make test`). Runs, in order: ruff on both
# halves, mypy --strict on the integration, the Home Assistant tests, the Odoo addon
# tests and the end-to-end tests. Sets up every environment it needs by itself.
# Without an Odoo 18 tree the Odoo and end-to-end steps are reported SKIPPED, loudly.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

HA="$REPO_ROOT/scripts/ha-env.sh"
# Keep mypy's cache outside the checkout, so a fresh clone still type-checks in seconds.
export MYPY_CACHE_DIR="$STATE_DIR/mypy-cache"
results=()
failures=0
skips=0

step() {
    local name="$1"
    shift
    log "$name"
    local started=$SECONDS
    if "$@"; then
        results+=("PASS     $name ($((SECONDS - started)) s)")
    else
        results+=("FAIL     $name ($((SECONDS - started)) s)")
        failures=$((failures + 1))
    fi
}

skip() {
    results+=("SKIPPED  $1")
    skips=$((skips + 1))
}

step "environment: Home Assistant (Python >= 3.14.2)" "$HA" setup
step "ruff check (integration, addon, tests, tools)" "$HA" run ruff check .
step "ruff format --check" "$HA" run ruff format --check .
step "mypy --strict custom_components/odoo" "$HA" run mypy
step "Home Assistant tests (pytest-homeassistant-custom-component)" \
    "$HA" run python -m pytest -p no:cacheprovider --cov=custom_components/odoo --cov-report=term-missing:skip-covered tests/components

if odoo_available; then
    step "environment: Odoo 18 + PostgreSQL + Chromium" "$REPO_ROOT/scripts/odoo-env.sh" setup
    step "Odoo addon tests (odoo-bin --test-enable, real PostgreSQL, headless Chromium)" \
        "$REPO_ROOT/scripts/odoo-test.sh"
    step "end-to-end tests (real hass + real Odoo on loopback)" \
        "$REPO_ROOT/scripts/odoo-env.sh" python -m pytest -p no:cacheprovider -c "$REPO_ROOT/tests/e2e/pytest.ini" "$REPO_ROOT/tests/e2e"
else
    warn "SKIPPED: Odoo addon tests and end-to-end tests — no Odoo 18 tree at ODOO_PATH=$ODOO_PATH. Enable them: extract Odoo 18.0 to $DEFAULT_ODOO_PATH or export ODOO_PATH=/path/to/odoo (the folder with odoo-bin)."
    skip "Odoo addon tests (no Odoo 18 tree at $ODOO_PATH)"
    skip "end-to-end tests (no Odoo 18 tree at $ODOO_PATH)"
fi

echo
echo "==================== summary ===================="
printf '%s\n' "${results[@]}"
echo "================================================="
echo "steps: $(( ${#results[@]} - failures - skips )) passed, $failures failed, $skips skipped"
((failures == 0))
