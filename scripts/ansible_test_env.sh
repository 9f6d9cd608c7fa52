# Sourced by run_sanity.sh and run_units.sh with $dir = the installed
# collection (build/collections/ansible_collections/mipconnect/zia).
#
# That copy lives inside this repository's work tree, where git ignores
# build/. ansible-test looks for a .git upwards from the collection and would
# then see no files at all ("All targets skipped"). ANSIBLE_TEST_CONTENT_ROOT
# pins the content root, so ansible-test takes the files as they are on disk,
# like an installed collection. The check below makes sure it really sees
# every file, so a change in ansible-test cannot turn into a silent pass.

export ANSIBLE_TEST_CONTENT_ROOT="$dir"
py=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')

check_ansible_test_sees_all_files() {
    local seen on_disk
    seen=$(cd "$dir" && ansible-test env --list-files | LC_ALL=C sort)
    on_disk=$(cd "$dir" && find . -type f -not -path './tests/output/*' -not -name '*.pyc' \
        | sed 's|^\./||' | LC_ALL=C sort)
    if [ "$seen" != "$on_disk" ] || [ -z "$seen" ]; then
        echo "ansible-test does not see the files of $dir as they are on disk:" >&2
        diff <(echo "$seen") <(echo "$on_disk") >&2 || true
        return 1
    fi
    echo "ansible-test sees all $(echo "$seen" | wc -l) files of the built collection"
}
