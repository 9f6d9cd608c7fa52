#!/usr/bin/env bash
# pytest over tests/emulator_tests and tests/integration (see pytest.ini).
# A directory with no test files yet is skipped; once it has some, every
# pytest failure counts, including exit 5 (no tests collected).
# Usage: run_pytest.sh [PYTEST ARGS]
set -euo pipefail
trap 'echo "$(basename "$0"): command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."

dirs=()
for d in tests/emulator_tests tests/integration; do
    if [ -n "$(find "$d" \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit 2>/dev/null)" ]; then
        dirs+=("$d")
    else
        echo "pytest: no test files in $d yet - skipped"
    fi
done
if [ ${#dirs[@]} -eq 0 ]; then
    echo "pytest: nothing to run yet"
    exit 0
fi

mkdir -p build/junit
exec python -m pytest --junitxml=build/junit/pytest.xml "$@" "${dirs[@]}"
