# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""connector.py, the public entry to the _connector package."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import _connector as package
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import connector as entry
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils import entry_packages


def test_every_public_name_is_the_package_s_own_object():
    entry_packages.assert_names_are_the_package_s_own(entry, package)


def test_the_package_table_names_each_of_its_files_once():
    entry_packages.assert_table_names_each_file_once(package)
