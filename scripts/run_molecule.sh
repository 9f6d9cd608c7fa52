#!/usr/bin/env bash
# Molecule scenarios of the roles (extensions/molecule), on localhost against
# the emulator: no container engine. Usage: run_molecule.sh [MOLECULE ARGS]
set -euo pipefail
trap 'echo "$(basename "$0"): command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
export ANSIBLE_NOCOLOR=1 NO_COLOR=1 PY_COLORS=0
# prepare starts the emulator and cleanup stops it: forget "already prepared"
# from an earlier run so prepare always runs.
molecule reset --all >/dev/null
exec molecule test --all "$@"
