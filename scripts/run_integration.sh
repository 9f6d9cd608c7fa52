#!/usr/bin/env bash
# `make integration`: start the local HTTPS emulator, make one tenant and one
# ZIA org in it, write tests/integration/integration_config.yml into the
# installed collection DIR, run `ansible-test integration --local` there and
# always stop the emulator. Usage: run_integration.sh DIR [ANSIBLE-TEST ARGS]
set -euo pipefail
trap 'echo "$(basename "$0"): command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
dir=$1; shift
# shellcheck source=scripts/ansible_test_env.sh
. "$here/ansible_test_env.sh"

info=$repo/build/integration/emulator.json
log=$repo/build/integration/emulator.log
mkdir -p "$repo/build/integration"
rm -f "$info"
PYTHONPATH=$repo/tests python -m emulator --info-file "$info" >"$log" 2>&1 &
emulator_pid=$!

stop_emulator() {
    if kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
}
trap stop_emulator EXIT
trap 'exit 130' INT TERM

# Wait up to 30 s for the emulator to write its info file.
for _ in $(seq 1 150); do
    [ -s "$info" ] && break
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        echo "integration: the emulator exited early; its log ($log):" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.2
done
if [ ! -s "$info" ]; then
    echo "integration: the emulator did not write $info within 30 s; its log ($log):" >&2
    cat "$log" >&2
    exit 1
fi

python "$here/emulator_tenants.py" --info "$info" --out-dir "$repo/build/integration/tenant" \
    --names Integration --assumed-write-contract --integration-config "$dir/tests/integration/integration_config.yml"

cd "$dir"
ansible-test integration --local --python "$py" "$@"
