# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure Blob Storage: the connector's role assignments at the subscription.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.state import ConnectorState
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError

# Namespace for deterministic role assignment names (uuid5), so re-runs PUT
# the same assignment instead of creating another.
ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("5f0f6a2e-1f5b-4a53-9a77-3c1d2b0a9e11")


def role_assignment_name(scope, principal_id, role_definition_id):
    return str(uuid.uuid5(ROLE_ASSIGNMENT_NAMESPACE, "|".join((scope, principal_id, role_definition_id)).lower()))


class RoleAssignmentSteps(ConnectorState):
    """The storage roles of the connector's service principal."""

    def ensure_role_assignments(self):
        spec = self.spec
        scope = "/subscriptions/%s" % spec.subscription_id
        principal_id = self.sp.get("id")
        results = []
        for role_name, role_id in sorted(catalog.BLOB_STORAGE_ROLE_DEFINITIONS.items()):
            definition = "%s/providers/Microsoft.Authorization/roleDefinitions/%s" % (scope, role_id)
            name = role_assignment_name(scope, principal_id or "new", role_id)
            path = "%s/providers/Microsoft.Authorization/roleAssignments/%s" % (scope, name)
            existing = self.arm.get(path, missing_ok=True) if principal_id else None
            if existing is None:
                body = {"properties": {"roleDefinitionId": definition, "principalId": principal_id,
                                       "principalType": "ServicePrincipal"}}
                self._assign_role(role_name, scope, path, body)
            results.append({"role": role_name, "scope": scope, "name": name})
        return results

    def _assign_role(self, role_name, scope, path, body):
        try:
            self._change("assign role '%s' at %s" % (role_name, scope), lambda: self.arm.put(path, body))
        except ApiError as err:
            # The same (scope, role, principal) under another name: made by hand
            # or by another tool. It is what we want, so leave it.
            if err.code != "RoleAssignmentExists":
                raise

    def _remove_role_assignments(self, principal_id):
        scope = "/subscriptions/%s" % self.spec.subscription_id
        for role_name, role_id in sorted(catalog.BLOB_STORAGE_ROLE_DEFINITIONS.items()):
            path = "%s/providers/Microsoft.Authorization/roleAssignments/%s" % (
                scope, role_assignment_name(scope, principal_id, role_id))
            if self.arm.get(path, missing_ok=True) is not None:
                self._change("remove role assignment '%s' at %s" % (role_name, scope),
                             lambda p=path: self.arm.delete(p))
