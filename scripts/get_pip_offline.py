"""Stand-in for ansible-test's pip bootstrap script (get-pip.py).

ansible-test creates a fresh virtual environment for each sanity test and
bootstraps pip into it by running ``get_pip_<version>.py`` from
``~/.ansible/test/cache``; when that file is missing it downloads it from a
host that our CI machines cannot reach. ``scripts/seed_ansible_test.py``
copies this file there instead.

It is run as ``python get_pip_X_Y.py pip==X.Y [--no-setuptools] [--no-wheel]
[pip options]`` with the interpreter of the new environment. It bootstraps
pip from the interpreter's bundled wheel (ensurepip) and then installs the
requested pip version from the configured package index, so the result is
the same as with the upstream script.
"""

import subprocess
import sys

MARKER = 'mipconnect-get-pip-offline'


def main():
    args = sys.argv[1:]
    no_setuptools = '--no-setuptools' in args
    no_wheel = '--no-wheel' in args
    args = [arg for arg in args if arg not in ('--no-setuptools', '--no-wheel')]

    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])

    frozen = subprocess.check_output([sys.executable, '-m', 'pip', 'freeze', '--all'], text=True)
    bundled = {line.split('==')[0].lower() for line in frozen.splitlines() if '==' in line}

    if no_setuptools and 'setuptools' in bundled:
        subprocess.check_call([sys.executable, '-m', 'pip', 'uninstall', '--yes', '--quiet', 'setuptools'])
    if no_wheel and 'wheel' in bundled:
        subprocess.check_call([sys.executable, '-m', 'pip', 'uninstall', '--yes', '--quiet', 'wheel'])

    if not no_setuptools:
        args.append('setuptools')
    if not no_wheel:
        args.append('wheel')

    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check'] + args)


if __name__ == '__main__':
    main()
