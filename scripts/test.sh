#!/usr/bin/env bash
# The project's one test command (README: `make test`). Runs, in order: ruff on both
# halves, mypy --strict on the integration, the Home Assistant tests, then for each Odoo
# series (18.0 at ODOO_PATH, 19.0 at ODOO19_PATH) the addon tests and the end-to-end tests.
# Sets up every environment it needs by itself. A series whose tree is missing is reported
# SKIPPED, loudly, and never counted as passed.
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

# The Odoo steps of one series, run against the tree at `path` (named by `variable`). The
# end-to-end tests run Home Assistant `ha_release` (pinned: the release the unit tests use,
# also the oldest supported; newest: the newest on PyPI), so each release meets a real Odoo.
odoo_series_steps() {
    local series="$1" path="$2" variable="$3" default="$4" ha_release="$5"
    if [[ ! -f "$path/odoo-bin" ]]; then
        warn "SKIPPED: Odoo $series addon tests and end-to-end tests — no Odoo $series tree at $variable=$path. Enable them: extract Odoo $series to $default or export $variable=/path/to/odoo (the folder with odoo-bin)."
        skip "Odoo $series addon tests (no Odoo $series tree at $path)"
        skip "end-to-end tests on Odoo $series (no Odoo $series tree at $path)"
        return
    fi
    local found
    found="$(ODOO_PATH="$path" odoo_series)"
    if [[ "$found" != "$series" ]]; then
        warn "FAILED: $variable=$path holds Odoo ${found:-of unknown series}, not $series."
        results+=("FAIL     Odoo $series tree at $path is ${found:-unknown}")
        failures=$((failures + 1))
        return
    fi
    step "environment: Odoo $series + PostgreSQL + Chromium" \
        env ODOO_PATH="$path" "$REPO_ROOT/scripts/odoo-env.sh" setup
    step "pylint-odoo on the addon (OCA defaults, odoo_module/.pylintrc; Odoo $series)" \
        env ODOO_PATH="$path" "$REPO_ROOT/scripts/pylint-odoo.sh"
    step "contract between the two halves (services, signing vectors, limits; Odoo $series)" \
        env ODOO_PATH="$path" "$REPO_ROOT/scripts/odoo-env.sh" python -m pytest -p no:cacheprovider \
        -c "$REPO_ROOT/tests/contract/pytest.ini" "$REPO_ROOT/tests/contract"
    step "Odoo $series addon tests (odoo-bin --test-enable, real PostgreSQL, headless Chromium)" \
        env ODOO_PATH="$path" "$REPO_ROOT/scripts/odoo-test.sh"
    if [[ "$ha_release" != pinned ]]; then
        step "environment: Home Assistant ($ha_release release)" env HA_RELEASE="$ha_release" "$HA" setup
    fi
    step "end-to-end tests on Odoo $series, Home Assistant $ha_release (real hass + real Odoo on loopback)" \
        env ODOO_PATH="$path" HA_RELEASE="$ha_release" "$REPO_ROOT/scripts/odoo-env.sh" python -m pytest -p no:cacheprovider \
        -c "$REPO_ROOT/tests/e2e/pytest.ini" "$REPO_ROOT/tests/e2e"
}

odoo_series_steps 18.0 "$ODOO_PATH" ODOO_PATH "$DEFAULT_ODOO18_PATH" pinned
odoo_series_steps 19.0 "$ODOO19_PATH" ODOO19_PATH "$DEFAULT_ODOO19_PATH" newest

echo
echo "==================== summary ===================="
printf '%s\n' "${results[@]}"
echo "================================================="
echo "steps: $(( ${#results[@]} - failures - skips )) passed, $failures failed, $skips skipped"
((failures == 0))
