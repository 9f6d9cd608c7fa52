#!/usr/bin/env bash
# `make docs`: the collection's docs site, as Ansible's own collection docs
# are made: `antsibull-docs sphinx-init` writes a Sphinx project for
# mipconnect.zia as installed (ANSIBLE_COLLECTIONS_PATH, from `make install`)
# into build/docs; then the steps of its build.sh (which needs rsync, not on
# every machine): antsibull-docs renders every module, role and doc fragment
# to RST, Sphinx renders HTML (build/docs/build/html/index.html). Any error of
# antsibull-docs or warning of Sphinx fails the build (offline: see below).
set -euo pipefail
trap 'echo "$(basename "$0"): command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
dest=build/docs
rm -rf "$dest"
mkdir -p "$dest"
chmod 0700 "$dest"  # sphinx-init writes only into a directory no one else can write to
antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$dest" mipconnect.zia
cd "$dest"
antsibull-docs --config-file antsibull-docs.cfg collection --use-current --fail-on-error \
    --dest-dir rst mipconnect.zia
# Links into Ansible's own docs resolve through intersphinx inventories that
# Sphinx downloads from docs.ansible.com and docs.python.org. Where those
# cannot be reached, such links stay plain text: that alone does not fail the
# build, but it is said, and any other warning fails it.
sphinx-build -M html rst build -c . --keep-going -w sphinx-warnings.txt || true
offline='failed to reach any of the inventories|intersphinx inventory|undefined label|^ *(https?://|[a-zA-Z]+Error)'
if grep -Eq 'failed to reach any of the inventories' sphinx-warnings.txt; then
    echo "docs: the intersphinx inventories could not be downloaded (no network?);" \
        "$(grep -c 'undefined label' sphinx-warnings.txt) links into Ansible's docs left unresolved"
    others=$(grep -Ev "$offline" sphinx-warnings.txt | grep -v '^$' || true)
else
    others=$(cat sphinx-warnings.txt)
fi
if [ -n "$others" ]; then
    echo "docs: Sphinx warnings:" >&2
    echo "$others" >&2
    exit 1
fi
[ -f build/html/index.html ]
cd - >/dev/null
echo "docs: $dest/build/html/index.html"
