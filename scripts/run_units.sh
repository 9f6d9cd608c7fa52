#!/usr/bin/env bash
# ansible-test units on the installed collection. Usage: run_units.sh DIR [ARGS]
set -euo pipefail
trap 'echo "$(basename "$0"): command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
dir=$1; shift
# shellcheck source=scripts/ansible_test_env.sh
. "$here/ansible_test_env.sh"

if [ -z "$(find "$dir/tests/unit" -name 'test_*.py' -print -quit 2>/dev/null)" ]; then
    echo "units: no test_*.py under tests/unit yet - nothing to run"
    exit 0
fi
check_ansible_test_sees_all_files

# JUNIT_DIR: where the JUnit files go (`make matrix` keeps each series apart).
junit=${JUNIT_DIR:-$repo/build/junit}
collect_junit() {
    mkdir -p "$junit"
    for xml in "$dir"/tests/output/junit/*.xml; do
        if [ -e "$xml" ]; then cp "$xml" "$junit/units-$(basename "$xml")"; fi
    done
}
trap collect_junit EXIT

cd "$dir"
rm -rf tests/output/junit
ansible-test units --local --python "$py" "$@"
