#!/usr/bin/env bash
# ansible-test sanity on the installed collection (what ships): every default
# test for the venv's Python, no ignore files. Usage: run_sanity.sh DIR [ARGS]
set -euo pipefail
trap 'echo "$(basename "$0"): command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
dir=$1; shift
# shellcheck source=scripts/ansible_test_env.sh
. "$here/ansible_test_env.sh"

# The collection passes sanity with no ignore entries, and stays that way.
ignores=$(find "$dir/tests/sanity" -name 'ignore-*.txt' 2>/dev/null || true)
if [ -n "$ignores" ]; then
    echo "sanity: no sanity ignore files allowed; fix the code instead. Found:" >&2
    echo "$ignores" >&2
    exit 1
fi

# ansible-test bootstraps pip into each sanity venv with a script it would
# otherwise download from a host CI cannot reach: seed its cache first.
python "$here/seed_ansible_test.py"
check_ansible_test_sees_all_files

cd "$dir"
ansible-test sanity --local --python "$py" "$@"
