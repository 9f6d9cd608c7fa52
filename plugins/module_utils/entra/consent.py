# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Admin consent: the browser URL, and the programmatic grant.

Application permissions are granted with one appRoleAssignment per app role
(``POST /servicePrincipals/{resource}/appRoleAssignedTo``). Delegated scopes
live in ONE oauth2PermissionGrant per (client, resource) whose ``scope`` is a
space-separated list: it is PATCHed, never POSTed twice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from urllib.parse import urlencode
except ImportError:  # pragma: no cover - Python 2 is not supported, keeps sanity's compile test quiet
    from urllib import urlencode

from ansible_collections.mipconnect.zia.plugins.module_utils.entra.graph import odata_quote
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.permission_catalog import CONSENT_STATE_MIP

DEFAULT_REDIRECT_URI = "https://console.zscaler.com"


def admin_consent_url(authority_host, client_id, redirect_uri=DEFAULT_REDIRECT_URI, state=CONSENT_STATE_MIP,
                      tenant="common"):
    """The URL a Global/Privileged Role Administrator opens to consent for the whole tenant."""
    query = urlencode([("client_id", client_id), ("state", state), ("redirect_uri", redirect_uri)])
    return "%s/%s/adminconsent?%s" % (authority_host.rstrip("/"), tenant, query)


def app_role_assignments_of(graph, service_principal_id):
    """{app role id: (resource SP id, assignment id)} held by a service principal.

    App role ids are GUIDs chosen by each resource, so they identify the
    permission without asking which resource principal defines them."""
    held = {}
    for item in graph.list("/servicePrincipals/%s/appRoleAssignments" % service_principal_id):
        held[item["appRoleId"]] = (item["resourceId"], item["id"])
    return held


def grant_app_role(graph, client_sp_id, resource_sp_id, app_role_id):
    return graph.post("/servicePrincipals/%s/appRoleAssignedTo" % resource_sp_id,
                      {"principalId": client_sp_id, "resourceId": resource_sp_id, "appRoleId": app_role_id})


def revoke_app_role(graph, resource_sp_id, assignment_id):
    graph.delete("/servicePrincipals/%s/appRoleAssignedTo/%s" % (resource_sp_id, assignment_id))


def delegated_grants_of(graph, client_sp_id):
    """{resource SP id: grant} for the tenant-wide (AllPrincipals) grants of a client."""
    grants = {}
    params = {"$filter": "clientId eq %s" % odata_quote(client_sp_id)}
    for grant in graph.list("/oauth2PermissionGrants", params=params):
        if grant.get("consentType") == "AllPrincipals":
            grants[grant["resourceId"]] = grant
    return grants


def grant_scopes(graph, client_sp_id, resource_sp_id, scopes, existing=None):
    """Make the client's tenant-wide grant on a resource hold ``scopes`` (plus what it had)."""
    if existing is None:
        return graph.post("/oauth2PermissionGrants", {
            "clientId": client_sp_id, "consentType": "AllPrincipals",
            "resourceId": resource_sp_id, "scope": " ".join(sorted(scopes))})
    return graph.patch("/oauth2PermissionGrants/%s" % existing["id"], {"scope": " ".join(sorted(scopes))})


def scopes_of(grant):
    return set((grant or {}).get("scope", "").split())
