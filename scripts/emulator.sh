# Sourced by the scripts that run playbooks against the local HTTPS emulator
# (demo.sh, run_integration.sh, matrix.sh).
#
#   start_emulator LABEL INFO LOG   start `python -m emulator` (the python on
#                                   PATH) in the background, wait up to 30 s
#                                   for its info file, and stop it on EXIT
#   stop_emulator                   stop it now (also safe when not running)
# Run from the repository root: the emulator is imported from tests/.

emulator_pid=

stop_emulator() {
    if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
    emulator_pid=
}

start_emulator() {
    local label=$1 info=$2 log=$3
    mkdir -p "$(dirname "$info")" "$(dirname "$log")"
    rm -f "$info"
    PYTHONPATH=$PWD/tests python -m emulator --info-file "$info" >"$log" 2>&1 &
    emulator_pid=$!
    trap stop_emulator EXIT
    trap 'exit 130' INT TERM
    local _
    for _ in $(seq 1 150); do
        [ -s "$info" ] && return 0
        if ! kill -0 "$emulator_pid" 2>/dev/null; then
            echo "$label: the emulator exited early; its log ($log):" >&2
            cat "$log" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "$label: the emulator did not write $info within 30 s; its log ($log):" >&2
    cat "$log" >&2
    return 1
}
