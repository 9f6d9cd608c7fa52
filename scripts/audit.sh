#!/usr/bin/env bash
# Audit the locked set (pip constraints file) for known vulnerabilities with
# pip-audit, which asks PyPI's vulnerability data (the JSON API of pypi.org).
#
#   audit.sh reachable               exit 0 when pypi.org answers, else 1
#   audit.sh run PIP_AUDIT LOCKFILE CACHE_DIR
#
# `run` needs no pip resolution (every line is pinned: --no-deps
# --disable-pip); responses are cached under CACHE_DIR. --strict: a package
# PyPI has no data for fails the audit instead of being skipped in silence.
# Exit status: 0 no known vulnerability, 1 findings (listed with their fixed
# versions) or a package that could not be audited, 3 the vulnerability data
# could not be reached (no audit was done: not a pass).
set -euo pipefail

# The per-release JSON pip-audit reads (a mirror may serve the index but not this).
AUDIT_PROBE_URL=${AUDIT_PROBE_URL:-https://pypi.org/pypi/pip-audit/2.10.1/json}

reachable() {
    AUDIT_PROBE_URL=$AUDIT_PROBE_URL python3 - <<'PY'
import os
import sys
import urllib.request
try:
    urllib.request.urlopen(os.environ["AUDIT_PROBE_URL"], timeout=10).close()
except Exception as exc:  # any failure means: not reachable from here
    print("audit: PyPI's vulnerability data (pypi.org/pypi/<name>/<version>/json) is not reachable (%s)"
          % type(exc).__name__, file=sys.stderr)
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
    "$pip_audit" --requirement "$lockfile" --no-deps --disable-pip --strict --progress-spinner off \
        --desc on --cache-dir "$cache" --vulnerability-service pypi
    ;;
*)
    echo "usage: $0 reachable | run PIP_AUDIT LOCKFILE CACHE_DIR" >&2
    exit 2
    ;;
esac
