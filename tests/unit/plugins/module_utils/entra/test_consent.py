# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import consent
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog

try:
    from urllib.parse import parse_qs, urlparse
except ImportError:  # pragma: no cover
    from urlparse import parse_qs, urlparse


@pytest.mark.parametrize("state", [catalog.CONSENT_STATE_MIP, catalog.CONSENT_STATE_SAAS])
def test_admin_consent_url_has_the_seed_parameters(state):
    url = consent.admin_consent_url("https://login.microsoftonline.com/", "11111111-2222-3333-4444-555555555555",
                                    "https://console.zscaler.com", state)
    parsed = urlparse(url)
    assert parsed.scheme == "https" and parsed.netloc == "login.microsoftonline.com"
    assert parsed.path == "/common/adminconsent"
    query = parse_qs(parsed.query)
    assert query == {"client_id": ["11111111-2222-3333-4444-555555555555"], "state": [state],
                     "redirect_uri": ["https://console.zscaler.com"]}


def test_scopes_of_a_grant():
    assert consent.scopes_of({"scope": "user_impersonation  other"}) == {"user_impersonation", "other"}
    assert consent.scopes_of(None) == set()


class GrantGraph:
    """Lists from ``lists`` (path -> items) and records every write."""

    def __init__(self, lists=None):
        self.lists = lists or {}
        self.writes = []
        self.params = []

    def list(self, path, params=None):
        self.params.append(params)
        return iter(self.lists.get(path, []))

    def post(self, path, body):
        self.writes.append(("POST", path, body))
        return body

    def patch(self, path, body):
        self.writes.append(("PATCH", path, body))
        return body

    def delete(self, path):
        self.writes.append(("DELETE", path, None))


def test_delegated_scopes_go_in_one_grant_per_resource_posted_once_then_patched():
    graph = GrantGraph()
    consent.grant_scopes(graph, "client-sp", "res-sp", {"b", "a"})
    consent.grant_scopes(graph, "client-sp", "res-sp", {"a", "b", "c"}, existing={"id": "g1"})
    assert graph.writes == [
        ("POST", "/oauth2PermissionGrants", {"clientId": "client-sp", "consentType": "AllPrincipals",
                                             "resourceId": "res-sp", "scope": "a b"}),
        ("PATCH", "/oauth2PermissionGrants/g1", {"scope": "a b c"})]


def test_only_tenant_wide_grants_of_the_client_are_read():
    graph = GrantGraph({"/oauth2PermissionGrants": [
        {"id": "g1", "resourceId": "res-1", "consentType": "AllPrincipals"},
        {"id": "g2", "resourceId": "res-2", "consentType": "Principal"}]})
    assert consent.delegated_grants_of(graph, "it's") == {"res-1": {"id": "g1", "resourceId": "res-1",
                                                                    "consentType": "AllPrincipals"}}
    assert graph.params == [{"$filter": "clientId eq 'it''s'"}]


def test_app_roles_are_granted_and_revoked_on_the_resource_principal():
    graph = GrantGraph({"/servicePrincipals/client-sp/appRoleAssignments": [
        {"appRoleId": "r1", "resourceId": "res-sp", "id": "a1"}]})
    assert consent.app_role_assignments_of(graph, "client-sp") == {"r1": ("res-sp", "a1")}
    consent.grant_app_role(graph, "client-sp", "res-sp", "r2")
    consent.revoke_app_role(graph, "res-sp", "a1")
    assert graph.writes == [
        ("POST", "/servicePrincipals/res-sp/appRoleAssignedTo",
         {"principalId": "client-sp", "resourceId": "res-sp", "appRoleId": "r2"}),
        ("DELETE", "/servicePrincipals/res-sp/appRoleAssignedTo/a1", None)]
