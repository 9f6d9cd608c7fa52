#!/usr/bin/env bash
# `make test`: prepare once, then run every suite even if an earlier one
# failed, print each suite's wall time and a summary, and exit non-zero if
# anything failed. Besides the suites on .venv's ansible-core: galaxy-importer
# on the tarball, and sanity, units and onboarding on the lowest and highest
# ansible-core of the version matrix (matrix-ends). Usage: run_suites.sh MAKE
set -uo pipefail
cd "$(dirname "$0")/.."
make_cmd=${1:-make}
suites=(sanity units lint pytest integration molecule importer matrix-ends)

names=()
times=()
states=()
failed=0
start_all=$SECONDS

step() {  # step LABEL MAKE-ARGS...
    local label=$1 t0=$SECONDS state=ok
    shift
    echo
    echo "== $label: start =="
    if ! "$make_cmd" --no-print-directory "$@"; then
        state=FAILED
        failed=1
    fi
    local dt=$((SECONDS - t0))
    echo "== $label: ${dt}s ($state) =="
    names+=("$label")
    times+=("$dt")
    states+=("$state")
    [ "$state" = ok ]
}

summary() {
    echo
    echo "== summary =="
    printf '%-14s %8s  %s\n' step seconds result
    local i
    for i in "${!names[@]}"; do
        printf '%-14s %8s  %s\n' "${names[$i]}" "${times[$i]}" "${states[$i]}"
    done
    printf '%-14s %8s\n' total $((SECONDS - start_all))
}

rm -rf build/junit
if step venv venv && step install install; then
    for suite in "${suites[@]}"; do
        # -o install: the collection was just built, don't rebuild per suite
        step "$suite" -o install "$suite" || true
    done
fi
summary
if [ -d build/junit ] && [ -x .venv/bin/python ]; then
    .venv/bin/python scripts/junit_summary.py build/junit
fi
if [ "$failed" -ne 0 ]; then
    echo "make test: FAILED"
    exit 1
fi
echo "make test: all suites passed"
