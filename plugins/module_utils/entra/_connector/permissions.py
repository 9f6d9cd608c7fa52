# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""API permissions: the desired set, their ids in the tenant, and requiredResourceAccess.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.state import ConnectorState
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.graph import odata_quote

SP_SELECT = "id,appId,displayName,appRoles,oauth2PermissionScopes"


class Permission:
    """One API permission: (resource appId, value) plus its kind and id."""

    def __init__(self, resource_app_id, value, kind, permission_id=None, resource_name=None):
        self.resource_app_id = resource_app_id
        self.value = value
        self.kind = kind
        self.id = permission_id
        self.resource_name = resource_name or resource_app_id

    @property
    def key(self):
        return (self.resource_app_id, self.value)

    def label(self):
        kind = "application" if self.kind == catalog.ROLE else "delegated"
        return "%s: %s (%s)" % (self.resource_name, self.value, kind)


def desired_permissions(applications, extra_permissions):
    """The union of the catalog's permissions for ``applications`` and the extras, without duplicates."""
    wanted = {}
    for name in applications:
        for resource_key, value, _actions in catalog.APPLICATIONS[name]:
            resource = catalog.RESOURCES[resource_key]
            kind, expected_id = catalog.PERMISSION_IDS[(resource_key, value)]
            perm = Permission(resource["app_id"], value, kind, expected_id, resource["display_name"])
            wanted.setdefault(perm.key, perm)
    for extra in extra_permissions or []:
        resource = catalog.RESOURCES.get(extra["resource"])
        app_id = resource["app_id"] if resource else extra["resource"].lower()
        display = resource["display_name"] if resource else None
        perm = Permission(app_id, extra["permission"], extra["type"], resource_name=display)
        wanted.setdefault(perm.key, perm)
    return list(wanted.values())


def access_set(required_resource_access):
    return set(
        (entry.get("resourceAppId"), access.get("id"), access.get("type"))
        for entry in required_resource_access or []
        for access in entry.get("resourceAccess") or []
    )


class PermissionSteps(ConnectorState):
    """The permission ids of the tenant and the application's requiredResourceAccess."""

    def resolve_permissions(self, perms):
        """Fill in permission ids from each resource's service principal in this tenant.

        Done once, and only when something is about to be written or a grant
        looks missing: a no-op run trusts the ids Microsoft publishes (the
        catalog's), which the tenant's own grants then confirm.
        """
        if self.resources is not None:
            return self.resources
        resources = {}
        for perm in perms:
            if perm.resource_app_id not in resources:
                resources[perm.resource_app_id] = self.graph.get(
                    "/servicePrincipals(appId=%s)" % odata_quote(perm.resource_app_id),
                    params={"$select": SP_SELECT}, missing_ok=True)
            resource = resources[perm.resource_app_id]
            if resource is None:
                if perm.id is None:
                    raise InputError("extra_permissions", "no service principal with appId %s exists in the tenant."
                                     % perm.resource_app_id)
                continue  # the catalog's id stands; the grant step will create the resource principal
            if perm.resource_name == perm.resource_app_id:  # keep the catalog's stable name when known
                perm.resource_name = resource.get("displayName") or perm.resource_name
            listing = resource.get("appRoles" if perm.kind == catalog.ROLE else "oauth2PermissionScopes") or []
            found = [item["id"] for item in listing if item.get("value") == perm.value]
            if not found:
                raise InputError("extra_permissions" if perm.id is None else "applications",
                                 "%s has no %s permission named %s in this tenant."
                                 % (perm.resource_name, "application" if perm.kind == catalog.ROLE else "delegated",
                                    perm.value))
            perm.id = found[0]
        self.resources = resources
        self._permission_names.update(((p.resource_app_id, p.id), p.label()) for p in perms)
        return resources

    def _required_resource_access(self, perms):
        """requiredResourceAccess for the desired permissions, keeping others unless purging."""
        entries = {}
        if not self.spec.purge_permissions and self.app:
            for entry in self.app.get("requiredResourceAccess") or []:
                entries[entry["resourceAppId"]] = [dict(a) for a in entry.get("resourceAccess") or []]
        for perm in perms:
            accesses = entries.setdefault(perm.resource_app_id, [])
            if not any(a.get("id") == perm.id for a in accesses):
                accesses.append({"id": perm.id, "type": perm.kind})
        return [{"resourceAppId": app_id, "resourceAccess": sorted(accesses, key=lambda a: a["id"])}
                for app_id, accesses in sorted(entries.items())]
