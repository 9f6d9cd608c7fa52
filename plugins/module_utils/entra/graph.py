# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Microsoft Graph, Azure Resource Manager and Power Platform clients."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover - Python 2 controllers are not supported, but sanity imports it
    from urllib import quote

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.plugins.module_utils.http.service_client import PageGuard, ServiceClient

ARM_ROLE_API_VERSION = "2022-04-01"
POWER_PLATFORM_API_VERSION = "2020-10-01"

# Error codes and messages that mean "the object exists but this replica has
# not heard of it yet" right after creating an application or principal.
_LAG_CODES = ("NoBackingApplicationObject", "PrincipalNotFound", "Request_ResourceNotFound")
_LAG_MESSAGES = ("not a valid reference update", "does not reference a valid application object",
                 "does not exist in the directory")


# Graph error codes with the sentence that tells a person what to do.
GRAPH_ERROR_HINTS = {
    "Authorization_RequestDenied": (
        "The identity running the module lacks the Microsoft Graph permission this request needs. "
        "azure_app_connector needs the application permissions Application.ReadWrite.All (or "
        "Application.ReadWrite.OwnedBy, for applications it owns), AppRoleAssignment.ReadWrite.All and "
        "DelegatedPermissionGrant.ReadWrite.All with admin consent; a token issued before the consent keeps "
        "the old permissions until it expires (at most about an hour)."),
}


def is_replication_lag(err):
    """True when an error is one Entra documents for objects still replicating."""
    if not isinstance(err, ApiError):
        return False
    if err.code in _LAG_CODES:
        return True
    return err.status in (400, 404) and any(text in (err.detail or "").lower() for text in _LAG_MESSAGES)


def path_segment(value):
    """A value made safe as one URL path segment: '#', '?', '/' and '%' would otherwise end or split it
    (a guest's UPN is ``name_contoso.com#EXT#@tenant.onmicrosoft.com``). '@' is legal in a segment."""
    return quote(str(value), safe="@")


def odata_quote(value):
    """Quote a value for an OData $filter or key segment."""
    return "'%s'" % str(value).replace("'", "''")


class GraphClient(ServiceClient):
    service = "Microsoft Graph"

    def __init__(self, http, graph_url, token_source, version="v1.0", token_refused=None):
        super(GraphClient, self).__init__(http, "%s/%s" % (graph_url.rstrip("/"), version), token_source,
                                          token_refused=token_refused)
        self.graph_root = graph_url.rstrip("/") + "/"

    def call(self, method, path, params=None, json=None, headers=None, missing_ok=False):
        try:
            return super(GraphClient, self).call(method, path, params=params, json=json, headers=headers,
                                                 missing_ok=missing_ok)
        except ApiError as err:
            if err.hint is None:
                err.hint = GRAPH_ERROR_HINTS.get(err.code)
            raise

    def get(self, path, params=None, missing_ok=False):
        return self.call("GET", path, params=params, missing_ok=missing_ok)

    def list(self, path, params=None):
        """Yield every item of a collection, following @odata.nextLink to the end.

        Stops with an error when a page or a next link repeats (a server that
        ignores the skip token would otherwise be read forever) or after MAX_PAGES.
        """
        guard = PageGuard(self.service, path, "graph_url")
        page = self.call("GET", path, params=params)
        while True:
            items = page.get("value", [])
            next_link = page.get("@odata.nextLink")
            if not next_link:
                yield from items
                return
            guard.check(items, next_link=next_link)
            yield from items
            page = self.call("GET", self.same_service(next_link))

    def same_service(self, link):
        """A link Graph gave us, refused when it points elsewhere: our bearer token goes with it."""
        if not link.startswith(self.graph_root):
            raise ApiError(self.service, 0, message="a paging link points outside %s (%s); it was not followed, "
                                                    "so the token is not sent there" % (self.graph_root, link[:100]))
        return link

    def post(self, path, body, headers=None):
        return self.call("POST", path, json=body, headers=headers)

    def patch(self, path, body, headers=None):
        return self.call("PATCH", path, json=body, headers=headers)

    def delete(self, path, missing_ok=True):
        return self.call("DELETE", path, missing_ok=missing_ok)


class ArmClient(ServiceClient):
    service = "Azure Resource Manager"

    def get(self, path, missing_ok=False):
        return self.call("GET", path, params={"api-version": ARM_ROLE_API_VERSION}, missing_ok=missing_ok)

    def put(self, path, body):
        return self.call("PUT", path, params={"api-version": ARM_ROLE_API_VERSION}, json=body)

    def delete(self, path):
        return self.call("DELETE", path, params={"api-version": ARM_ROLE_API_VERSION}, missing_ok=True)


class PowerPlatformClient(ServiceClient):
    service = "Power Platform"
    _PATH = "/providers/Microsoft.BusinessAppPlatform/adminApplications/%s"

    def get_management_app(self, app_id):
        return self.call("GET", self._PATH % app_id, params={"api-version": POWER_PLATFORM_API_VERSION},
                         missing_ok=True)

    def register_management_app(self, app_id):
        return self.call("PUT", self._PATH % app_id, params={"api-version": POWER_PLATFORM_API_VERSION}, json={})

    def unregister_management_app(self, app_id):
        return self.call("DELETE", self._PATH % app_id, params={"api-version": POWER_PLATFORM_API_VERSION},
                         missing_ok=True)
