# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Admin consent: the tenant-wide grants of the connector's permissions.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import consent
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.state import ConnectorState
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError


class GrantSteps(ConnectorState):
    """Grants every desired permission tenant-wide, reads them, revokes unlisted ones when purging."""

    def ensure_consent(self, perms):
        """Grant every desired permission tenant-wide; revoke unlisted ones when purging."""
        scopes_wanted = any(perm.kind == catalog.SCOPE for perm in perms)
        held, delegated = self._held_grants(scopes_wanted or self.spec.purge_permissions)
        resources = self.resources or {}
        granted_before = self._granted_labels(perms, resources, held, delegated)
        missing = [p for p in perms if p.kind == catalog.ROLE and p.id not in held]
        if missing or scopes_wanted or self.spec.purge_permissions:
            resources = self.resolve_permissions(perms)
            missing = [p for p in perms if p.kind == catalog.ROLE and p.id not in held]
        for perm in missing:
            resource = resources.get(perm.resource_app_id) or self._create_resource_principal(perm, resources)
            self._grant_or_explain(
                "grant %s" % perm.label(),
                lambda r=resource.get("id"), p=perm: consent.grant_app_role(self.graph, self.sp["id"], r, p.id))
            held[perm.id] = (resource.get("id"), "new")
        wanted_scopes = {}
        for perm in perms:
            if perm.kind == catalog.SCOPE:
                resource = resources.get(perm.resource_app_id) or self._create_resource_principal(perm, resources)
                wanted_scopes.setdefault(resource.get("id"), set()).add(perm.value)
        for resource_id, scopes in sorted(wanted_scopes.items(), key=lambda item: str(item[0])):
            existing = delegated.get(resource_id)
            if scopes <= consent.scopes_of(existing):
                continue
            merged = scopes | consent.scopes_of(existing)
            self._grant_or_explain(
                "grant delegated %s on %s" % (" ".join(sorted(scopes)), self._resource_name(resources, resource_id)),
                lambda r=resource_id, m=merged, e=existing: consent.grant_scopes(self.graph, self.sp["id"], r, m, e))
            delegated[resource_id] = {"scope": " ".join(sorted(merged))}
        if self.spec.purge_permissions:
            self._revoke_unlisted(perms, held)
            self._narrow_delegated_grants(wanted_scopes, delegated, resources)
        return {"granted_before": granted_before,
                "granted": self._granted_labels(perms, resources, held, delegated)}

    def _held_grants(self, with_delegated):
        """The client's app role assignments and (when asked) tenant-wide delegated grants."""
        # A new principal holds no grants yet; nor, in check mode, one still in deleted items (Graph cannot
        # list its grants there; a real run restores it first and reads them).
        unreadable = self.sp_created or (self.check_mode and self.sp_restored)
        sp_id = None if unreadable else self.sp.get("id")
        if not sp_id:
            return {}, {}
        held = consent.app_role_assignments_of(self.graph, sp_id)
        return held, consent.delegated_grants_of(self.graph, sp_id) if with_delegated else {}

    def read_consent(self, perms):
        """With grant_admin_consent=false: the grants already there, read only, for the report."""
        if self.sp_created or (self.check_mode and self.sp_restored) or not self.sp.get("id"):
            return {"granted_before": [], "granted": []}
        scopes_wanted = any(perm.kind == catalog.SCOPE for perm in perms)
        held, delegated = self._held_grants(scopes_wanted)
        # Delegated grants name the resource by its principal's id: find those ids.
        resources = self.resolve_permissions(perms) if scopes_wanted else (self.resources or {})
        granted = self._granted_labels(perms, resources, held, delegated)
        return {"granted_before": granted, "granted": list(granted)}

    def _create_resource_principal(self, perm, resources):
        """Some tenants lack a first-party principal until first use: create it, as the portal does."""
        created = self._change(
            "create service principal for %s" % perm.resource_name,
            lambda: self.graph.post("/servicePrincipals", {"appId": perm.resource_app_id}))
        resources[perm.resource_app_id] = created or {"id": "(new %s)" % perm.resource_app_id}
        return resources[perm.resource_app_id]

    def _grant_or_explain(self, description, write):
        try:
            self._change(description, write)
        except ApiError as err:
            if err.status == 403:
                err.hint = ("The identity running the module may not grant admin consent (it needs "
                            "AppRoleAssignment.ReadWrite.All and DelegatedPermissionGrant.ReadWrite.All, or a Privileged "
                            "Role Administrator). Open this URL as an administrator instead, then re-run with "
                            "grant_admin_consent: false: %s" % self.consent_url())
            raise

    def _revoke_unlisted(self, perms, held):
        wanted = set(p.id for p in perms)
        for role_id, (resource_id, assignment_id) in sorted(held.items()):
            if role_id in wanted or assignment_id == "new":
                continue
            self._change("revoke app role %s on %s" % (role_id, resource_id),
                         lambda r=resource_id, a=assignment_id: consent.revoke_app_role(self.graph, r, a))

    def _narrow_delegated_grants(self, wanted_scopes, delegated, resources):
        """Take unlisted delegated scopes out of the client's tenant-wide grants; a grant left
        with none is deleted (Graph keeps one grant per client and resource)."""
        for resource_id, grant in sorted(delegated.items(), key=lambda item: str(item[0])):
            if not grant.get("id"):
                continue  # granted by this run, so only wanted scopes
            held = consent.scopes_of(grant)
            keep = held & wanted_scopes.get(resource_id, set())
            if keep == held:
                continue
            name = self._resource_name(resources, resource_id)
            dropped = " ".join(sorted(held - keep))
            if keep:
                self._change("revoke delegated %s on %s" % (dropped, name),
                             lambda g=grant["id"], k=keep: self.graph.patch("/oauth2PermissionGrants/%s" % g,
                                                                            {"scope": " ".join(sorted(k))}))
                delegated[resource_id] = dict(grant, scope=" ".join(sorted(keep)))
            else:
                self._change("revoke delegated %s on %s (remove the grant)" % (dropped, name),
                             lambda g=grant["id"]: self.graph.delete("/oauth2PermissionGrants/%s" % g))
                del delegated[resource_id]

    def _granted_labels(self, perms, resources, held, delegated):
        labels = []
        for perm in perms:
            if perm.kind == catalog.ROLE and perm.id in held:
                labels.append(perm.label())
            elif perm.kind == catalog.SCOPE:
                resource_id = (resources.get(perm.resource_app_id) or {}).get("id")
                if perm.value in consent.scopes_of(delegated.get(resource_id)):
                    labels.append(perm.label())
        return labels

    @staticmethod
    def _resource_name(resources, resource_id):
        for resource in resources.values():
            if resource and resource.get("id") == resource_id:
                return resource.get("displayName") or resource_id
        return resource_id
