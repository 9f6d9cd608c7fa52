# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The application and its service principal: found, created, updated, restored, deleted.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.permissions import PermissionSteps, access_set
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.graph import is_replication_lag, odata_quote
from ansible_collections.mipconnect.zia.plugins.module_utils.http.transport import retry_while_replicating

# Entra's recycle bin: deleted applications and principals stay there 30 days.
DELETED_APPLICATIONS = "/directory/deletedItems/microsoft.graph.application"
DELETED_SERVICE_PRINCIPALS = "/directory/deletedItems/microsoft.graph.servicePrincipal"


def unique_name_taken(err):
    """Whether Graph refused a create because another object, live or deleted, holds the uniqueName."""
    return (isinstance(err, ApiError) and err.status in (400, 409)
            and (err.code == "Request_MultipleObjectsWithSameKeyValue" or "uniquename" in (err.detail or "").lower()))


class ApplicationSteps(PermissionSteps):
    """The application registration and its service principal."""

    def find_application(self):
        spec = self.spec
        if spec.app_id:
            app = self.graph.get("/applications(appId=%s)" % odata_quote(spec.app_id), missing_ok=True)
            if app is None and not spec.unique_name:
                raise InputError("app_id", "no application with appId %s exists in tenant %s. Check the id, or "
                                           "set unique_name to let the module create the connector."
                                 % (spec.app_id, self.tenant_id))
            if app is not None:
                return app
        return self.graph.get("/applications(uniqueName=%s)" % odata_quote(spec.unique_name), missing_ok=True)

    def find_service_principal(self, app_id):
        return self.graph.get("/servicePrincipals(appId=%s)" % odata_quote(app_id),
                              params={"$select": "id,appId,displayName"}, missing_ok=True)

    def ensure_application(self, perms):
        spec = self.spec
        required = self._required_resource_access(perms)
        if self.app is None or access_set(self.app.get("requiredResourceAccess")) != access_set(required):
            self.resolve_permissions(perms)  # about to write ids: take them from the tenant
            required = self._required_resource_access(perms)
        desired = {
            "displayName": spec.display_name,
            "signInAudience": spec.sign_in_audience,
            "web": {"redirectUris": spec.redirect_uris},
            "requiredResourceAccess": required,
        }
        if self.app is None and self.check_mode and self.deleted_application() is not None:
            self.restore_application()  # predicted: what a real run does when the upsert meets the name taken
        if self.app is None:
            body = dict(desired)
            by_name = "/applications(uniqueName=%s)" % odata_quote(spec.unique_name)
            # 204 with no body: the application was already there (the lookup missed it, e.g. a
            # replica that had not heard of it yet) and the upsert updated it.
            found = "update application '%s' (uniqueName %s) found by the upsert" % (
                spec.display_name, spec.unique_name)
            try:
                created = self._change(
                    "create application '%s' (uniqueName %s)" % (spec.display_name, spec.unique_name),
                    lambda: self.graph.patch(by_name, body, headers={"Prefer": "create-if-missing"}),
                    outcome=lambda answer: None if answer else found)
            except ApiError as err:
                if not unique_name_taken(err) or self.deleted_application() is None:
                    raise
                # The refused create was never recorded (_change records a write once it went through).
                self.restore_application()
                return self.ensure_application(perms)
            self.fresh = True
            if self.check_mode:
                self.app_created = True
                self.app = self._predicted_application(body)
            elif created:
                self.app_created = True
                self.app = created
            else:
                # Found by the upsert: read it; a 404 here is replication lag.
                self.app = retry_while_replicating(lambda: self.graph.get(by_name), is_replication_lag,
                                                   self.replication_timeout)
            return
        update = {}
        if self.app.get("displayName") != spec.display_name:
            update["displayName"] = spec.display_name
        if self.app.get("signInAudience") != spec.sign_in_audience:
            update["signInAudience"] = spec.sign_in_audience
        current_uris = (self.app.get("web") or {}).get("redirectUris") or []
        if sorted(current_uris) != sorted(spec.redirect_uris):
            update["web"] = {"redirectUris": spec.redirect_uris}
        if access_set(self.app.get("requiredResourceAccess")) != access_set(required):
            update["requiredResourceAccess"] = required
        if update:
            app_path = "/applications/%s" % self.app["id"]
            self._change("update application %s (%s)" % (self.app["appId"], ", ".join(sorted(update))),
                         lambda: self.graph.patch(app_path, update))
            self.app.update(copy.deepcopy(update))

    def deleted_application(self):
        """The application in deleted items that holds our unique_name, or None.

        Entra keeps a deleted application, with its uniqueName, for 30 days; an upsert of that
        name then cannot create a new one. Read only when that matters (see ensure_application)."""
        if not self.spec.unique_name:
            return None
        if not hasattr(self, "_deleted"):
            wanted = self.spec.unique_name.lower()
            self._deleted = next((item for item in self.graph.list(DELETED_APPLICATIONS)
                                  if (item.get("uniqueName") or "").lower() == wanted), None)
        return self._deleted

    def restore_application(self):
        """Bring back the deleted application that holds unique_name; the steps after it then bring it to
        the desired state like any existing one (its principal is restored or made in the next step)."""
        deleted = self.deleted_application()
        restored = self._change(
            "restore application %s (uniqueName %s, deleted %s) from deleted items"
            % (deleted.get("appId"), self.spec.unique_name, deleted.get("deletedDateTime")),
            lambda: self.graph.call("POST", "/directory/deletedItems/%s/restore" % deleted["id"]))
        self.fresh = True
        self.app_restored = deleted
        self.app = dict(restored or deleted, deletedDateTime=None)

    def _predicted_application(self, body):
        predicted = copy.deepcopy(body)
        predicted.update({"id": None, "appId": None, "passwordCredentials": [], "keyCredentials": []})
        return predicted

    def ensure_service_principal(self):
        app_id = self.app.get("appId")
        # An application made in this run has no principal yet: no need to ask.
        self.sp = self.find_service_principal(app_id) if app_id and not self.app_created else None
        if self.sp is None and self.app_restored is not None:
            self.sp = self._restore_service_principal(app_id)
        if self.sp is None:
            created = self._change("create service principal for the application",
                                   lambda: self.graph.post("/servicePrincipals", {"appId": app_id}))
            self.fresh = True
            self.sp_created = True
            self.sp = created or {"id": None, "appId": app_id}

    def _restore_service_principal(self, app_id):
        """A restored application's principal is not restored with it (Graph's restore page): restore it
        too when it is in deleted items. Its grants are gone; ensure_consent grants them again."""
        deleted = next((item for item in self.graph.list(DELETED_SERVICE_PRINCIPALS)
                        if (item.get("appId") or "").lower() == (app_id or "").lower()), None)
        if deleted is None:
            return None
        path = "/directory/deletedItems/%s/restore" % deleted["id"]
        restored = self._change("restore the application's service principal %s from deleted items" % deleted["id"],
                                lambda: self.graph.call("POST", path))
        self.sp_restored = True
        return restored or deleted

    def _purge(self, app):
        """Delete the application from deleted items for good: its unique_name is free at once, and it can no
        longer be restored. A deletion made a moment ago may take a while to show there (replication)."""
        path = "/directory/deletedItems/%s" % app["id"]
        self._change("permanently delete application %s from deleted items (its unique_name is free again)"
                     % app.get("appId"),
                     lambda: retry_while_replicating(lambda: self.graph.delete(path, missing_ok=False),
                                                     is_replication_lag, self.replication_timeout))

    def _delete_application(self):
        # Deleting the application removes its service principal and every
        # grant the principal holds; nothing else in the tenant is touched.
        self._change("delete application %s (%s) with its service principal and grants"
                     % (self.app["appId"], self.app.get("displayName")),
                     lambda: self.graph.delete("/applications/%s" % self.app["id"]))
