#!/usr/bin/env bash
# `make importer`: run galaxy-importer on the built collection tarball with
# the settings of galaxy-importer.cfg (a certified hub's: version 1.0.0 or
# later, a required tag, changelog, ansible-doc, ansible-lint). Fails when the
# import fails or when it reports any warning or error, which a reviewer of a
# certified collection would have to read past. Usage: run_importer.sh TARBALL
set -euo pipefail
trap 'echo "$(basename "$0"): command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
tarball=$(realpath "$1")
version=$(sed -n 's/^version: *//p' galaxy.yml)
work=build/importer
rm -rf "$work"
mkdir -p "$work/tmp"
log=$work/importer.log

# galaxy-importer writes importer_result.json into the current directory.
status=0
(
    cd "$work"
    GALAXY_IMPORTER_CONFIG=$(realpath ../../galaxy-importer.cfg) \
        GALAXY_IMPORTER_TMP_ROOT_DIR=$PWD/tmp \
        python -m galaxy_importer.main "$tarball"
) >"$log" 2>&1 || status=$?
cat "$log"

if [ "$status" -ne 0 ]; then
    echo "importer: galaxy-importer refused $(basename "$tarball") (exit $status)" >&2
    if grep -q "requires version to be 1.0.0 or greater" "$log"; then
        echo "importer: galaxy.yml says version $version; the certified hub's rule" \
            "(require_v1_or_greater in galaxy-importer.cfg) takes 1.0.0 or later" >&2
    fi
    exit 1
fi
if grep -E '^(WARNING|ERROR):' "$log" >/dev/null; then
    echo "importer: galaxy-importer accepted $(basename "$tarball") but reported the findings above:" >&2
    grep -E '^(WARNING|ERROR):' "$log" >&2
    exit 1
fi
echo "importer: galaxy-importer accepts $(basename "$tarball") with no warning (version $version)"
