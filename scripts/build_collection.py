"""Build mipconnect.zia the way it ships and install it under build/.

Usage: python scripts/build_collection.py [--collections-path build/collections] [--build-dir build]

1. Copy what git knows about (tracked files plus untracked files that are
   not ignored; `git ls-files -co --exclude-standard`) into build/stage, so
   stray local files (caches, scratch, build products) never leak in and
   deleted files never linger.
2. `ansible-galaxy collection build` that copy (galaxy.yml `build_ignore`
   decides what ships) into build/dist (<build-dir>/dist: `make matrix`
   builds each ansible-core series apart, leaving build/dist to `make install`).
3. Remove the previous install and `ansible-galaxy collection install` the
   tarball into <collections-path>/ansible_collections/mipconnect/zia.

ansible-test sanity and units, the integration tests and the demo all use
that installed copy.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP_DIRS = {'.git', '.venv', 'build', 'tests/output', '.ansible', '__pycache__', '.pytest_cache', '.hypothesis'}


def source_files():
    """Return the repository files that belong in a build, relative to ROOT."""
    if os.path.isdir(os.path.join(ROOT, '.git')):
        out = subprocess.check_output(
            ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT)
        names = sorted({name for name in out.decode('utf-8').split('\0') if name})
        # Tracked files deleted in the work tree are still listed: skip them.
        return [name for name in names if os.path.lexists(os.path.join(ROOT, name))]

    names = []  # not a git checkout (e.g. an exported tarball): walk the tree
    for top, dirs, files in os.walk(ROOT):
        rel_top = os.path.relpath(top, ROOT)
        dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(rel_top, d)) not in SKIP_DIRS and d not in SKIP_DIRS]
        names.extend(os.path.normpath(os.path.join(rel_top, f)) for f in files)
    return sorted(names)


def run(cmd, **kwargs):
    print('+ ' + ' '.join(cmd), flush=True)
    subprocess.check_call(cmd, **kwargs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--collections-path', default=os.path.join(ROOT, 'build', 'collections'))
    parser.add_argument('--build-dir', default=os.path.join(ROOT, 'build'),
                        help='where the stage copy and the tarball go (stage/, dist/)')
    args = parser.parse_args()

    build = os.path.abspath(args.build_dir)
    stage = os.path.join(build, 'stage', 'zia')
    dist = os.path.join(build, 'dist')
    collections = os.path.abspath(args.collections_path)
    installed = os.path.join(collections, 'ansible_collections', 'mipconnect', 'zia')
    bindir = os.path.dirname(sys.executable)
    galaxy = os.path.join(bindir, 'ansible-galaxy')
    if not os.path.exists(galaxy):
        galaxy = shutil.which('ansible-galaxy') or 'ansible-galaxy'

    for path in (stage, dist, installed):
        shutil.rmtree(path, ignore_errors=True)
    os.makedirs(stage)
    os.makedirs(dist)

    for name in source_files():
        src = os.path.join(ROOT, name)
        dst = os.path.join(stage, name)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)

    run([galaxy, 'collection', 'build', stage, '--output-path', dist, '--force'])
    tarballs = glob.glob(os.path.join(dist, 'mipconnect-zia-*.tar.gz'))
    if len(tarballs) != 1:
        sys.exit('expected one collection tarball in %s, found %r' % (dist, tarballs))

    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections)
    run([galaxy, 'collection', 'install', '--offline', '--force', '--no-deps',
         '-p', collections, tarballs[0]], env=env)
    print('installed mipconnect.zia at %s' % installed)


if __name__ == '__main__':
    main()
