# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the module returns: the connector's view for --diff, and the result of a run.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import certificate as certs
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import consent
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.zia import portal_steps
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.state import ConnectorState


class ConnectorView(ConnectorState):
    """The view (no secret values) and the result."""

    def view(self):
        app = self.app or {}
        secrets = [
            {"key_id": c.get("keyId"), "description": c.get("displayName"), "expires": c.get("endDateTime")}
            for c in app.get("passwordCredentials") or []
        ]
        return {
            "exists": bool(self.app),
            "display_name": app.get("displayName"),
            "sign_in_audience": app.get("signInAudience"),
            "redirect_uris": sorted((app.get("web") or {}).get("redirectUris") or []),
            "required_permissions": sorted(self._labels_of(app.get("requiredResourceAccess") or [])),
            "secrets": sorted(secrets, key=lambda s: s["expires"] or ""),
            "certificates": sorted(filter(None, (certs.thumbprint_of(k) for k in app.get("keyCredentials") or []))),
        }

    def _labels_of(self, required_resource_access):
        names = self._permission_names
        labels = []
        for entry in required_resource_access:
            for access in entry.get("resourceAccess") or []:
                labels.append(names.get((entry.get("resourceAppId"), access.get("id")),
                                        "%s: %s" % (entry.get("resourceAppId"), access.get("id"))))
        return labels

    def consent_url(self):
        return consent.admin_consent_url(self.endpoints.authority_host, self.app.get("appId") or "<client id>",
                                         self.spec.redirect_uris[0], self.spec.consent_state)

    def _result(self, perms, grants, secrets, certificate, roles, power_platform):
        result = {
            "changed": bool(self.changes),
            "changes": self.changes,
            "client_id": self.app.get("appId"),
            "tenant_id": self.tenant_id,
            "object_id": self.app.get("id"),
            "service_principal_id": self.sp.get("id"),
            "admin_consent_url": self.consent_url(),
            "permissions": self._permissions_report(perms, grants),
            "secrets": secrets,
            "pending_steps": self.pending_steps,
            "diff": {"before": self.before, "after": self.after},
        }
        if self.spec.consent_state == catalog.CONSENT_STATE_SAAS:
            result["portal_steps"] = portal_steps.saas_tenant_steps(
                self.spec.applications, self.tenant_id, self.app.get("appId") or "<client id>", self.consent_url(),
                "its value, which only the run that creates it returns",
                (certificate or {}).get("private_key_json_path"))
        if self.new_secret:
            result["client_secret"] = self.new_secret
        if certificate is not None:
            result["certificate"] = certificate
        if roles is not None:
            result["role_assignments"] = roles
        if power_platform is not None:
            result["power_platform"] = power_platform
        return result

    def _permissions_report(self, perms, grants):
        granted = set(grants["granted"]) if grants else set()
        report = {}
        for perm in perms:
            entry = report.setdefault(perm.resource_name, {"granted": [], "missing": []})
            entry["granted" if perm.label() in granted else "missing"].append(perm.value)
        for entry in report.values():
            entry["granted"].sort()
            entry["missing"].sort()
        return report
