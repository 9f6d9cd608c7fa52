# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of a public entry (entra/connector.py, zia/mip_account.py) and its internal package: the
entry hands out the package's own objects, and the package's file table (README.md beside it;
ansible-core 2.16's sanity wants __init__.py empty) names every file the package has."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import os
import re


def assert_names_are_the_package_s_own(entry, package):
    assert entry.__all__ and len(set(entry.__all__)) == len(entry.__all__)
    modules = [importlib.import_module("%s.%s" % (package.__name__, name[:-3])) for name in python_files(package)]
    for name in entry.__all__:
        value = getattr(entry, name)
        assert [m for m in modules if getattr(m, name, None) is value], \
            "%s is not an object of the %s package" % (name, package.__name__)


def assert_table_names_each_file_once(package):
    with open(os.path.join(os.path.dirname(package.__file__), "README.md")) as readme:
        listed = re.findall(r"^\| `(\w+\.py)` \| \S", readme.read(), re.M)
    assert sorted(listed) == python_files(package)


def python_files(package):
    return sorted(name for name in os.listdir(os.path.dirname(package.__file__))
                  if name.endswith(".py") and name != "__init__.py")
