#!/usr/bin/env bash
# `make demo`: start the local HTTPS emulator, run playbooks/demo.yml against
# it, and always stop the emulator again. Run through make, which puts .venv
# on PATH and sets ANSIBLE_COLLECTIONS_PATH to the collection built in build/.
set -euo pipefail
trap 'echo "$(basename "$0"): command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."

info=build/emulator.json
log=build/emulator.log

if [ ! -d tests/emulator ]; then
    echo "demo: the emulator (tests/emulator) is not in this checkout yet" >&2
    exit 1
fi

mkdir -p build
rm -f "$info"
PYTHONPATH=tests python -m emulator --info-file "$info" >"$log" 2>&1 &
emulator_pid=$!

stop_emulator() {
    if kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
        echo "demo: emulator stopped"
    fi
}
trap stop_emulator EXIT
trap 'exit 130' INT TERM

# Wait up to 30 s for the emulator to write its info file.
for _ in $(seq 1 150); do
    [ -s "$info" ] && break
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        echo "demo: the emulator exited early; its log ($log):" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.2
done
if [ ! -s "$info" ]; then
    echo "demo: the emulator did not write $info within 30 s; its log ($log):" >&2
    cat "$log" >&2
    exit 1
fi
echo "demo: emulator running (pid $emulator_pid), connection details in $info"

if [ -f playbooks/demo.yml ]; then
    MIPCONNECT_EMULATOR_INFO="$PWD/$info" ansible-playbook playbooks/demo.yml "$@"
else
    echo "demo: playbooks/demo.yml does not exist yet - nothing to run"
fi
