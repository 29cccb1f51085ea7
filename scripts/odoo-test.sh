#!/usr/bin/env bash
# Run the addon's tests on a real Odoo (18.0 or 19.0, the tree at ODOO_PATH) + PostgreSQL in a
# throw-away database.
#
# Odoo exits non-zero on a failing test, but only *logs* a test module that fails to
# import, and silently skips browser tests when Chromium is missing. So besides the exit
# code this fails on any ERROR/CRITICAL log line, on skipped tests and on zero tests run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEST_TAGS="${1:-/home_assistant}"
"$REPO_ROOT/scripts/odoo-env.sh" setup

db="ha_bridge_test_$(date +%s)_$$"
log_dir="$CACHE_DIR/logs"
mkdir -p "$log_dir"
log_file="$log_dir/$db.log"
http_port="$("$(odoo_venv)/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

cleanup() { su postgres -c "dropdb --if-exists $db" >/dev/null 2>&1 || true; }
trap cleanup EXIT

log "Odoo tests ($TEST_TAGS) in database $db, log: $log_file"
set +e
"$REPO_ROOT/scripts/odoo-env.sh" odoo -d "$db" -i home_assistant $(odoo_without_demo_args) \
    --test-enable --test-tags "$TEST_TAGS" --stop-after-init \
    --http-interface=127.0.0.1 --http-port="$http_port" --gevent-port=0 \
    --log-level=info --log-handler=werkzeug:WARNING 2>&1 | tee "$log_file" \
    | grep --line-buffered -E ' (ERROR|CRITICAL|WARNING) |FAIL:|Starting .*Test|tests when loading'
odoo_exit=${PIPESTATUS[0]}
set -e

summary="$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log_file" | tail -n1 || true)"
read -r failed errors total < <(sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests/\1 \2 \3/' <<<"${summary:-0 0 0}")
skipped="$(grep -cE 'odoo\.tests\.result: skipped|INFO .* skipped ' "$log_file" || true)"
bad_lines="$(grep -cE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log_file" || true)"

problems=()
((odoo_exit == 0)) || problems+=("odoo-bin exited with $odoo_exit")
((bad_lines == 0)) || problems+=("$bad_lines ERROR/CRITICAL log line(s)")
((skipped == 0)) || problems+=("$skipped skipped test(s) (browser tests need chromium + websocket-client)")
((total > 0)) || problems+=("no test ran")

passed=$((total - failed - errors))
echo "odoo: $passed passed, $((failed + errors)) failed, $skipped skipped"
if ((${#problems[@]})); then
    die "Odoo tests failed: $(IFS=';'; echo "${problems[*]}" | sed 's/;/; /g') (log: $log_file)"
fi
