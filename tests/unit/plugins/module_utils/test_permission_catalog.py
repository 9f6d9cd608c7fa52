# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The catalog must say what Zscaler's tables say, with Microsoft's ids."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import permission_catalog as catalog

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
# The guide's tables come in this order (its "API Permissions" list).
TABLE_ORDER = ["copilot", "azure_blob_storage", "exchange", "mip", "onedrive", "sharepoint", "teams"]
# How the guide names each resource API in its tables.
GUIDE_RESOURCE_NAMES = {
    "Microsoft Graph APIs": "microsoft_graph",
    "Microsoft Graph": "microsoft_graph",
    "Azure Storage": "azure_storage",
    "Windows Azure Service Management": "azure_service_management",
    "Microsoft Information Protection Sync Service": "mip_sync_service",
    "Microsoft Rights Management Services": "rights_management",
    "Office 365 Management APIs": "office365_management_apis",
    "SharePoint API": "sharepoint_online",
}


def guide_tables():
    """Parse the permission tables of the Zscaler guide into [(resource key, permission)] lists."""
    with open(os.path.join(FIXTURES, "zscaler_custom_connector_guide.txt")) as handle:
        lines = handle.read().splitlines()
    tables, current, resource = [], None, None
    for line in lines:
        if line.startswith("| Microsoft API"):
            current, resource = [], None
            tables.append(current)
            continue
        if current is None or not line.startswith("|") or line.startswith("| ---"):
            if current is not None and not line.startswith("|"):
                current = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3:
            resource, permission = GUIDE_RESOURCE_NAMES[cells[0]], cells[1]
        else:
            permission = cells[0]
        current.append((resource, permission))
    return tables


def test_guide_has_seven_tables():
    assert len(guide_tables()) == 7


@pytest.mark.parametrize("index, application", list(enumerate(TABLE_ORDER)))
def test_catalog_matches_the_guide_table(index, application):
    expected = guide_tables()[index]
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
