# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import connector
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.permissions import access_set, desired_permissions
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.entra._connector.fakes_connector import FakeGraph, reconciler

RESOURCE = "aaaaaaaa-0000-0000-0000-000000000000"
PRINCIPAL = "/servicePrincipals(appId='%s')" % RESOURCE


def extra(permission):
    return desired_permissions([], [{"resource": RESOURCE, "permission": permission, "type": catalog.ROLE}])


def test_extra_permission_ids_come_from_the_resource_principal_of_the_tenant():
    graph = FakeGraph({PRINCIPAL: {"id": "sp-1", "displayName": "Contoso API",
                                   "appRoles": [{"id": "role-1", "value": "Read.All"}]}})
    perms = extra("Read.All")
    resources = reconciler(graph).resolve_permissions(perms)
    assert perms[0].id == "role-1" and perms[0].label() == "Contoso API: Read.All (application)"
    assert resources[RESOURCE]["id"] == "sp-1"


@pytest.mark.parametrize("answer,words", [(None, "no service principal"), ({"id": "sp-1", "appRoles": []}, "no application")])
def test_an_unknown_extra_permission_is_refused_naming_the_option(answer, words):
    with pytest.raises(InputError) as caught:
        reconciler(FakeGraph({PRINCIPAL: answer})).resolve_permissions(extra("Read.All"))
    assert caught.value.option == "extra_permissions" and words in str(caught.value)


def test_required_access_keeps_unlisted_permissions_unless_purging():
    perms = extra("Read.All")
    perms[0].id = "role-1"
    other = {"resourceAppId": "other", "resourceAccess": [{"id": "x", "type": "Scope"}]}
    kept = reconciler()
    kept.app = {"requiredResourceAccess": [other]}
    purged = reconciler(purge_permissions=True)
    purged.app = {"requiredResourceAccess": [other]}
    assert access_set(kept._required_resource_access(perms)) == {("other", "x", "Scope"), (RESOURCE, "role-1", "Role")}
    assert access_set(purged._required_resource_access(perms)) == {(RESOURCE, "role-1", "Role")}


def test_union_of_applications_has_no_duplicates():
    perms = connector.desired_permissions(["onedrive", "sharepoint"], [])
    keys = [p.key for p in perms]
    assert len(keys) == len(set(keys))
    # SharePoint adds exactly its SharePoint API permission to OneDrive's set.
    onedrive = set(p.key for p in connector.desired_permissions(["onedrive"], []))
    assert set(keys) - onedrive == {("00000003-0000-0ff1-ce00-000000000000", "Sites.Read.All")}


def test_extra_permissions_by_key_or_guid():
    perms = connector.desired_permissions([], [
        {"resource": "microsoft_graph", "permission": "SensitivityLabels.Read.All", "type": "Role"},
        {"resource": "AAAAAAAA-0000-0000-0000-000000000000", "permission": "x", "type": "Scope"},
    ])
    assert [p.key for p in perms] == [("00000003-0000-0000-c000-000000000000", "SensitivityLabels.Read.All"),
                                      ("aaaaaaaa-0000-0000-0000-000000000000", "x")]
    assert perms[0].id is None  # resolved at run time from the resource principal
