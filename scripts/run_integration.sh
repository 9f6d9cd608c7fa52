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
# shellcheck source=scripts/emulator.sh
. "$here/emulator.sh"
cd "$repo"
start_emulator integration "$info" "$log"

python "$here/emulator_tenants.py" --info "$info" --out-dir "$repo/build/integration/tenant" \
    --names Integration --assumed-write-contract --integration-config "$dir/tests/integration/integration_config.yml"

cd "$dir"
ansible-test integration --local --python "$py" "$@"
