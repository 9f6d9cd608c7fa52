#!/usr/bin/env bash
# `make docs`: the collection's docs site, as Ansible's own collection docs
# are made: `antsibull-docs sphinx-init` writes a Sphinx project for
# mipconnect.zia as installed (ANSIBLE_COLLECTIONS_PATH, from `make install`)
# into build/docs; then the steps of its build.sh (which needs rsync, not on
# every machine): antsibull-docs renders every module, role and doc fragment
# to RST, Sphinx renders HTML (build/docs/build/html/index.html). Any error of
# antsibull-docs or warning of Sphinx fails the build.
set -euo pipefail
trap 'echo "$(basename "$0"): command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
dest=build/docs
rm -rf "$dest"
antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$dest" mipconnect.zia
cd "$dest"
antsibull-docs --config-file antsibull-docs.cfg collection --use-current --fail-on-error \
    --dest-dir rst mipconnect.zia
sphinx-build -M html rst build -c . -W --keep-going
cd - >/dev/null
echo "docs: $dest/build/html/index.html"
