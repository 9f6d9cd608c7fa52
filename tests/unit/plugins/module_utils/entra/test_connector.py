# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""connector.py, the public entry to the _connector package: it hands out the package's own objects,
and the package's file table names every file the package has."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import os
import re

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import _connector as package
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import connector as entry

PACKAGE = "ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector."


def test_every_public_name_is_the_package_s_own_object():
    assert entry.__all__ and len(set(entry.__all__)) == len(entry.__all__)
    for name in entry.__all__:
        value = getattr(entry, name)
        homes = [module for module in package_modules() if getattr(module, name, None) is value]
        assert homes, "%s is not an object of the _connector package" % name


def test_the_package_table_names_each_of_its_files_once():
    # The table is in README.md beside the package: ansible-core 2.16's sanity wants __init__.py empty.
    with open(os.path.join(os.path.dirname(package.__file__), "README.md")) as readme:
        listed = re.findall(r"^\| `(\w+\.py)` \| \S", readme.read(), re.M)
    on_disk = [name for name in os.listdir(os.path.dirname(package.__file__))
               if name.endswith(".py") and name != "__init__.py"]
    assert sorted(listed) == sorted(on_disk)


def package_modules():
    directory = os.path.dirname(package.__file__)
    return [importlib.import_module(PACKAGE + name[:-3]) for name in sorted(os.listdir(directory))
            if name.endswith(".py") and name != "__init__.py"]
