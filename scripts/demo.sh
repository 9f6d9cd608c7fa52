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

# shellcheck source=scripts/emulator.sh
. scripts/emulator.sh
start_emulator demo "$info" "$log"
echo "demo: emulator running (pid $emulator_pid), connection details in $info"

demo=build/demo
rm -rf "$demo"
# Zscaler documents no API that writes MIP accounts: the demo lets the emulated ZIA answer the
# write contract the collection assumes (docs/assumptions.md), and the summary lists each
# write that went through it.
python scripts/emulator_tenants.py --info "$info" --out-dir "$demo" --names Contoso,Fabrikam --assumed-write-contract
# shellcheck source=/dev/null
. "$demo/env.sh"
export ANSIBLE_NOCOLOR=${ANSIBLE_NOCOLOR:-1} ANSIBLE_DISPLAY_SKIPPED_HOSTS=false ANSIBLE_LOCALHOST_WARNING=false

echo "demo: onboarding Contoso and Fabrikam (playbooks/demo.yml -> onboard_mip.yml)"
start=$SECONDS
ansible-playbook -i "$demo/inventory.yml" playbooks/demo.yml -e mipconnect_targets=mip_tenants \
    -e "mipconnect_summary_file=$PWD/$demo/summary.txt" -e "mip_onboarding_export_dir=$PWD/$demo/labels" "$@"
took=$((SECONDS - start))

echo
echo "== demo summary (onboarding took ${took}s) =="
cat "$demo/summary.txt"
first_csv=$(find "$demo/labels" -name '*.csv' | sort | head -n 1)
if [ -n "$first_csv" ]; then
    echo
    echo "== first lines of $first_csv =="
    head -n 4 "$first_csv"
fi
echo
echo "A second run against the same tenants changes nothing (tests/integration/test_roles.py checks it)."
