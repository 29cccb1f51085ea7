#!/usr/bin/env bash
# `make bench`: scripts/bench.py once per Odoo series whose tree is present (18.0 at ODOO_PATH,
# 19.0 at ODOO19_PATH), one after the other on the same machine, then both side by side.
# Extra arguments go to bench.py (e.g. --ingest-events 5000); after it, per series, history at
# scale (scripts/bench_ingest_scale.py; BENCH_PURGE_ROWS sets the purge's size, 0 skips it) and history
# reads at scale (scripts/bench_history.py; BENCH_HISTORY_ROWS sets the rows built). Then the Home Assistant side
# alone: the outbox draining a 200 000-event backlog (scripts/bench_drain.py).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$REPO_ROOT/scripts/ha-env.sh" setup
results=()
scale_results=()
history_results=()
for tree in "$ODOO_PATH" "$ODOO19_PATH"; do
    if [[ ! -f "$tree/odoo-bin" ]]; then
        warn "SKIPPED: benchmarks on the Odoo tree at $tree (not found)"
        continue
    fi
    series="$(ODOO_PATH="$tree" odoo_series)"
    out="$STATE_DIR/bench-$series.json"
    log "benchmarks on Odoo $series ($tree)"
    ODOO_PATH="$tree" "$REPO_ROOT/scripts/odoo-env.sh" python "$REPO_ROOT/scripts/bench.py" --results "$out" "$@"
    results+=("$out")
    log "history at scale on Odoo $series: ingest in a site's shape, the floor, a ${BENCH_PURGE_ROWS:-10000000}-row purge"
    scale="$STATE_DIR/bench-scale-$series.json"
    ODOO_PATH="$tree" "$REPO_ROOT/scripts/odoo-env.sh" python "$REPO_ROOT/scripts/bench_ingest_scale.py" \
        --purge-rows "${BENCH_PURGE_ROWS:-10000000}" --results "$scale"
    scale_results+=("$scale")
    log "history reads at scale on Odoo $series: ${BENCH_HISTORY_ROWS:-20000000} rows, sparklines, 24 h to 365 d charts, rollups' write cost"
    reads="$STATE_DIR/bench-history-$series.json"
    ODOO_PATH="$tree" "$REPO_ROOT/scripts/odoo-env.sh" python "$REPO_ROOT/scripts/bench_history.py" \
        --history-rows "${BENCH_HISTORY_ROWS:-20000000}" --results "$reads"
    history_results+=("$reads")
done
((${#results[@]})) || die "no Odoo tree found: nothing was measured"
echo
log "side by side"
python3 "$REPO_ROOT/scripts/bench_side_by_side.py" "${results[@]}"
python3 "$REPO_ROOT/scripts/bench_side_by_side.py" "${scale_results[@]}"
python3 "$REPO_ROOT/scripts/bench_side_by_side.py" "${history_results[@]}"
echo
log "Home Assistant: draining a backlog (${BENCH_DRAIN_EVENTS:-200000} events)"
"$REPO_ROOT/scripts/ha-env.sh" run python "$REPO_ROOT/scripts/bench_drain.py" "${BENCH_DRAIN_EVENTS:-200000}"
