# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Entra side of a Zscaler custom connector, brought to a desired state.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.

``ConnectorReconciler.present()`` walks the steps of Zscaler's guide:
application, service principal, admin consent, SharePoint certificate, Azure
Blob role assignments, Copilot registration and, last, the client secret (see
``SecretSteps.ensure_secret`` for why it comes last and how an interrupted run's
secret is found again). Each step reads first and writes only what differs,
through the run's ``ChangeRecorder`` (see ``state``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.application import ApplicationSteps
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.grants import GrantSteps
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.permissions import desired_permissions
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.power_platform import PowerPlatformSteps
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.role_assignments import RoleAssignmentSteps
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.secrets import SecretSteps
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.sharepoint_certificate import CertificateSteps
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.view import ConnectorView
from ansible_collections.mipconnect.zia.plugins.module_utils.changes import failing_with_partial_result


class ConnectorReconciler(ApplicationSteps, GrantSteps, CertificateSteps, RoleAssignmentSteps, PowerPlatformSteps,
                          SecretSteps, ConnectorView):
    """Reads the connector's current state and makes it match a ConnectorSpec."""

    @failing_with_partial_result
    def present(self):
        spec = self.spec
        perms = desired_permissions(spec.applications, spec.extra_permissions)
        if any(perm.id is None for perm in perms):
            self.resolve_permissions(perms)  # extra permissions have no published id
        self.app = self.find_application()
        self._refuse_to_print_a_new_secret()
        self._permission_names.update(((p.resource_app_id, p.id), p.label()) for p in perms)
        self.before = self.view()
        self.ensure_application(perms)
        self.ensure_service_principal()
        grants = self.ensure_consent(perms) if spec.grant_admin_consent else self.read_consent(perms)
        certificate = self.ensure_certificate() if spec.wants_certificate else None
        roles = self.ensure_role_assignments() if spec.wants_role_assignments else None
        power_platform = self.ensure_power_platform() if spec.wants_power_platform else None
        # The secret is the last write: a step failing after it would leave a
        # secret whose value no one received.
        secrets = self.ensure_secret()
        if self.app_restored is not None and not self.new_secret and self._our_secrets():
            self.pending_steps.append(
                "The application was restored from deleted items with the client secret(s) it had (%s); their "
                "values are not shown again. If you no longer hold the value, re-run with rotate: always to get "
                "a new secret." % ", ".join(str(c.get("keyId")) for c in self._our_secrets()))
        self.after = self.view()
        if grants is not None:
            self.after["admin_consent"] = sorted(grants["granted"])
            self.before["admin_consent"] = sorted(grants["granted_before"])
        return self._result(perms, grants, secrets, certificate, roles, power_platform)

    @failing_with_partial_result
    def absent(self):
        self.app = self.find_application()
        self.before = self.view()
        if self.app is None:
            deleted = self.deleted_application() if self.spec.permanently_delete else None
            if deleted is not None:
                self._purge(deleted)
            return {"changed": bool(self.changes), "changes": self.changes, "tenant_id": self.tenant_id,
                    "diff": {"before": self.before, "after": self.before}}
        sp = self.find_service_principal(self.app["appId"])
        if sp and self.spec.subscription_id:
            self._remove_role_assignments(sp["id"])
        if self.spec.power_platform_token:
            self._unregister_power_platform()
        self._delete_application()
        if self.spec.permanently_delete:
            self._purge(self.app)
        return {"changed": True, "changes": self.changes, "client_id": self.app["appId"],
                "tenant_id": self.tenant_id, "diff": {"before": self.before, "after": {"exists": False}}}
