# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The catalog must say what Zscaler's tables say, with Microsoft's ids."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")


def guide_tables():
    """{application: [(resource key, permission)]} as Zscaler's connector guide lists them."""
    with open(os.path.join(FIXTURES, "zscaler_connector_permissions.json")) as handle:
        applications = json.load(handle)["applications"]
    return dict((name, [tuple(pair) for pair in pairs]) for name, pairs in applications.items())


def test_guide_covers_every_application_of_the_catalog():
    assert sorted(guide_tables()) == sorted(catalog.APPLICATIONS)


@pytest.mark.parametrize("application", sorted(catalog.APPLICATIONS))
def test_catalog_matches_the_guide_table(application):
    expected = guide_tables()[application]
    actual = [(resource, value) for resource, value, _actions in catalog.APPLICATIONS[application]]
    assert actual == expected


def test_every_permission_has_microsofts_id():
    with open(os.path.join(FIXTURES, "microsoft_permission_ids.json")) as handle:
        reference = json.load(handle)["resources"]
    for (resource_key, value), (kind, permission_id) in catalog.PERMISSION_IDS.items():
        ref = reference[resource_key]
        assert catalog.RESOURCES[resource_key]["app_id"] == ref["appId"]
        table = ref["appRoles"] if kind == catalog.ROLE else ref["oauth2PermissionScopes"]
        assert table[value] == permission_id, (resource_key, value)


def test_every_catalog_entry_has_an_id_and_actions():
    for application, entries in catalog.APPLICATIONS.items():
        assert entries, application
        for resource_key, value, actions in entries:
            assert (resource_key, value) in catalog.PERMISSION_IDS
            assert actions


def test_same_value_on_two_resources_has_two_ids():
    graph = catalog.PERMISSION_IDS[("microsoft_graph", "Sites.Read.All")]
    sharepoint = catalog.PERMISSION_IDS[("sharepoint_online", "Sites.Read.All")]
    assert graph[1] != sharepoint[1]


def test_azure_blob_permissions_are_delegated():
    kinds = set(catalog.PERMISSION_IDS[(r, v)][0] for r, v, _a in catalog.APPLICATIONS["azure_blob_storage"])
    assert kinds == {catalog.SCOPE}


def test_ids_are_guids():
    guid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    for _kind, permission_id in catalog.PERMISSION_IDS.values():
        assert guid.match(permission_id)
    for role_id in catalog.BLOB_STORAGE_ROLE_DEFINITIONS.values():
        assert guid.match(role_id)


def test_catalog_names_are_the_module_choices():
    assert catalog.APPLICATION_NAMES == sorted(["azure_blob_storage", "copilot", "exchange", "mip", "onedrive",
                                                "sharepoint", "teams"])
