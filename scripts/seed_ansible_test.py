"""Seed ansible-test's pip bootstrap cache so it never downloads get-pip.py.

Usage: python scripts/seed_ansible_test.py

Run with the interpreter that has ansible-core installed. It finds the pip
version the installed ansible-test bootstraps into its virtual environments
and writes scripts/get_pip_offline.py to
``~/.ansible/test/cache/get_pip_<version>.py``. A bootstrap script that is
already there and was not written by us (for example a real get-pip.py) is
left alone.
"""

import os
import re
import shutil
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, 'get_pip_offline.py')
MARKER = 'mipconnect-get-pip-offline'


def pip_version():
    """Return the pip version ansible-test bootstraps for this Python."""
    version = '%d.%d' % sys.version_info[:2]
    try:
        from ansible_test._internal.python_requirements import get_venv_packages
        return get_venv_packages(types.SimpleNamespace(version=version))['pip']
    except Exception:  # internal API changed: read the pin from the source
        import ansible_test
        path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
        with open(path, encoding='utf-8') as handle:
            match = re.search(r"pip='([0-9.]+)'", handle.read())
        if not match:
            sys.exit('cannot find the pip version ansible-test bootstraps in %s' % path)
        return match.group(1)


def main():
    version = pip_version()
    cache = os.path.expanduser('~/.ansible/test/cache')
    target = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))

    with open(SOURCE, encoding='utf-8') as handle:
        wanted = handle.read()
    if os.path.exists(target):
        with open(target, encoding='utf-8') as handle:
            current = handle.read()
        if current == wanted:
            print('ansible-test pip %s bootstrap script in place: %s' % (version, target))
            return
        if MARKER not in current:
            print('ansible-test pip %s bootstrap script already present: %s' % (version, target))
            return

    os.makedirs(cache, exist_ok=True)
    shutil.copyfile(SOURCE, target + '.tmp')
    os.replace(target + '.tmp', target)
    print('seeded ansible-test pip %s bootstrap script: %s' % (version, target))


if __name__ == '__main__':
    main()
