#!/usr/bin/env bash
# Audit the locked set (pip constraints file) for known vulnerabilities with
# pip-audit, which asks PyPI's vulnerability data (the JSON API of pypi.org).
#
#   audit.sh reachable               exit 0 when pypi.org answers, else 1
#   audit.sh run PIP_AUDIT LOCKFILE CACHE_DIR
#
# `run` needs no pip resolution (every line is pinned: --no-deps
# --disable-pip); responses are cached under CACHE_DIR. Exit status: 0 no
# known vulnerability, 1 findings (listed with their fixed versions), 3 the
# vulnerability data could not be reached (no audit was done: not a pass).
set -euo pipefail

reachable() {
    python3 - <<'PY'
import sys
import urllib.request
try:
    urllib.request.urlopen("https://pypi.org/pypi/pip-audit/json", timeout=10).close()
except Exception as exc:  # any failure means: not reachable from here
    print("audit: pypi.org is not reachable (%s)" % type(exc).__name__, file=sys.stderr)
    sys.exit(1)
PY
}

case "${1:-}" in
reachable)
    reachable
    ;;
run)
    pip_audit=$2 lockfile=$3 cache=$4
    if ! reachable; then
        echo "audit: no audit done: PyPI's vulnerability data is needed" >&2
        exit 3
    fi
    echo "audit: $(grep -c '==' "$lockfile") pinned packages of $lockfile"
    "$pip_audit" --requirement "$lockfile" --no-deps --disable-pip --progress-spinner off \
        --desc on --cache-dir "$cache" --vulnerability-service pypi
    ;;
*)
    echo "usage: $0 reachable | run PIP_AUDIT LOCKFILE CACHE_DIR" >&2
    exit 2
    ;;
esac
