# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Entra side of a Zscaler custom connector, brought to a desired state.

``ConnectorReconciler.present()`` walks the steps of Zscaler's guide:
application, service principal, admin consent, SharePoint certificate, Azure
Blob role assignments, Copilot registration and, last, the client secret (see
``ensure_secret`` for why it comes last and how an interrupted run's secret is
found again). Each step
reads first and writes only what differs. Every write goes through
``_change``, which records it and skips it in check mode, so check mode
predicts the same changes a real run makes and sends only reads.

A "view" of the connector (no secret values) is kept before and after, for
``--diff``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import uuid

from ansible_collections.mipconnect.zia.plugins.module_utils import certificate as certs
from ansible_collections.mipconnect.zia.plugins.module_utils import consent
from ansible_collections.mipconnect.zia.plugins.module_utils import lease
from ansible_collections.mipconnect.zia.plugins.module_utils import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils import portal_steps
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, InputError, MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.graph import is_replication_lag, odata_quote
from ansible_collections.mipconnect.zia.plugins.module_utils.transport import retry_while_replicating

CERTIFICATE_DISPLAY_NAME = "mipconnect.zia SharePoint connector"
# Tag on the application while a client secret is being added, followed by the
# time it was set (see ConnectorReconciler.ensure_secret).
SECRET_IN_FLIGHT_TAG = "mipconnect.zia:secret-in-flight:"
SECRET_START_LEAD_SECONDS = 60
# Namespace for deterministic role assignment names (uuid5), so re-runs PUT
# the same assignment instead of creating another.
ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("5f0f6a2e-1f5b-4a53-9a77-3c1d2b0a9e11")
SP_SELECT = "id,appId,displayName,appRoles,oauth2PermissionScopes"
# Entra's recycle bin: deleted applications and principals stay there 30 days.
DELETED_APPLICATIONS = "/directory/deletedItems/microsoft.graph.application"
DELETED_SERVICE_PRINCIPALS = "/directory/deletedItems/microsoft.graph.servicePrincipal"

COPILOT_POWERSHELL = (
    "Add-PowerAppsAccount -Endpoint {endpoint} -TenantID {tenant_id}; "
    "New-PowerAppManagementApp -ApplicationId {app_id}"
)


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


def role_assignment_name(scope, principal_id, role_definition_id):
    return str(uuid.uuid5(ROLE_ASSIGNMENT_NAMESPACE, "|".join((scope, principal_id, role_definition_id)).lower()))


def _parse_time(value):
    if not value:
        return None
    text = value.rstrip("Z").split(".")[0]
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def unique_name_taken(err):
    """Whether Graph refused a create because another object, live or deleted, holds the uniqueName."""
    return (isinstance(err, ApiError) and err.status in (400, 409)
            and (err.code == "Request_MultipleObjectsWithSameKeyValue" or "uniquename" in (err.detail or "").lower()))


def secret_in_flight_since(app):
    """The earliest time in the application's secret-in-flight markers, or None when it has none.

    A marker whose time cannot be read counts as present but later than any secret: it is
    cleared, and no secret is taken for undelivered on its account."""
    never = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)
    times = []
    for tag in (app or {}).get("tags") or []:
        if tag.startswith(SECRET_IN_FLIGHT_TAG):
            try:
                times.append(_parse_time(tag[len(SECRET_IN_FLIGHT_TAG):]) or never)
            except ValueError:
                times.append(never)
    return min(times) if times else None


class ConnectorSpec:
    """The validated desired state, built by the module from its options."""

    def __init__(self, **kwargs):
        self.display_name = kwargs["display_name"]
        self.unique_name = kwargs.get("unique_name")
        self.app_id = kwargs.get("app_id")
        self.sign_in_audience = kwargs.get("sign_in_audience", "AzureADMultipleOrgs")
        self.redirect_uris = list(kwargs.get("redirect_uris") or [consent.DEFAULT_REDIRECT_URI])
        self.applications = list(kwargs.get("applications") or [])
        self.extra_permissions = kwargs.get("extra_permissions") or []
        self.purge_permissions = kwargs.get("purge_permissions", False)
        self.grant_admin_consent = kwargs.get("grant_admin_consent", True)
        self.consent_state = kwargs.get("consent_state", catalog.CONSENT_STATE_MIP)
        self.create_secret = kwargs.get("create_secret", True)
        self.secret_description = kwargs.get("secret_description", "Zscaler connector")
        self.secret_expires_in_days = kwargs.get("secret_expires_in_days", 730)
        self.rotate = kwargs.get("rotate", "never")
        self.rotate_before_days = kwargs.get("rotate_before_days", 30)
        self.remove_old_secrets_after = kwargs.get("remove_old_secrets_after")
        self.private_key_json_path = kwargs.get("private_key_json_path")
        self.certificate_validity_days = kwargs.get("certificate_validity_days", certs.DEFAULT_VALIDITY_DAYS)
        self.certificate_renew_before_days = kwargs.get("certificate_renew_before_days", 30)
        self.subscription_id = kwargs.get("subscription_id")
        self.power_platform_token = kwargs.get("power_platform_token")
        self.permanently_delete = kwargs.get("permanently_delete", False)
        self.lease_owner = kwargs.get("lease_owner")

    @property
    def wants_certificate(self):
        return "sharepoint" in self.applications

    @property
    def wants_role_assignments(self):
        return "azure_blob_storage" in self.applications

    @property
    def wants_power_platform(self):
        return "copilot" in self.applications


class ConnectorReconciler:
    """Reads the connector's current state and makes it match a ConnectorSpec."""

    def __init__(self, graph, arm, power_platform, endpoints, tenant_id, spec, check_mode,
                 replication_timeout=180, now=None, secret_output_allowed=True):
        self.graph = graph
        self.arm = arm
        self.power_platform = power_platform
        self.endpoints = endpoints
        self.tenant_id = tenant_id
        self.spec = spec
        self.check_mode = check_mode
        self.replication_timeout = replication_timeout
        self.secret_output_allowed = secret_output_allowed
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        self.changes = []
        self.pending_steps = []
        self.app = None
        self.sp = None
        self.fresh = False  # objects were created in this run: expect replication lag
        self.app_created = False
        self.app_restored = None  # the deleted application brought back by this run, as it was deleted
        self.sp_created = False
        self.sp_restored = False
        self.new_secret = None
        self.cert = None
        self.before = {}
        self.after = {}
        self._permission_names = {}  # (resource appId, permission id) -> label, for the diff
        self.resources = None  # resource appId -> its service principal, once resolved
        self._lease_checked = False  # before the first write
        self._secret_lease_checked = False  # before the first secret write, on a fresh read

    # Helpers -----------------------------------------------------------------

    def _change(self, description, write):
        """Record a change; carry it out unless in check mode. Returns write()'s result or None."""
        if self.check_mode:
            self.changes.append(description)
            return None
        self._check_lease()
        # Recorded once the write went through: a run whose writes all failed changed nothing.
        result = self._replicated(write)
        self.changes.append(description)
        return result

    def _check_lease(self):
        """Before the first write: no other run may hold the connector's lease (see the module's notes).
        An application not found yet (being created, or not replicated) is checked at its secret step."""
        if self._lease_checked or self.app is None:
            return
        self._lease_checked = True
        lease.check_held(self.app, self.spec.lease_owner, lease.now_utc())

    def _secret_change(self, description, write):
        """A write that adds or removes a client secret: the lease is checked on a fresh read first."""
        if not self.check_mode:
            self._check_secret_lease()
        return self._change(description, write)

    def _check_secret_lease(self):
        """Read the application's tags again and check the lease just before its secrets change: a run
        whose lease expired or was taken over stops here, before it removes a secret another run stored."""
        if self._secret_lease_checked or (self.app_created and self.spec.lease_owner is None):
            return
        self._secret_lease_checked = True
        app_path = "/applications/%s" % self.app["id"]
        fresh = retry_while_replicating(lambda: self.graph.get(app_path, params={"$select": "id,tags"}),
                                        is_replication_lag, self.replication_timeout)
        self.app["tags"] = list(fresh.get("tags") or [])
        self._lease_checked = True
        lease.check_held(self.app, self.spec.lease_owner, lease.now_utc())

    def _replicated(self, call):
        if not self.fresh:
            return call()
        return retry_while_replicating(call, is_replication_lag, self.replication_timeout)

    def _fail(self, err):
        """Attach what was already done, then raise."""
        err.partial_result = {"changed": bool(self.changes), "changes": list(self.changes)}
        raise err

    # Reading ---------------------------------------------------------------

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

    # The view shown in --diff -------------------------------------------------

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

    # The steps -----------------------------------------------------------

    def present(self):
        try:
            return self._present()
        except MipConnectError as err:
            self._fail(err)

    def _present(self):
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

    def ensure_application(self, perms):
        spec = self.spec
        required = self._required_resource_access(perms)
        if self.app is None or _access_set(self.app.get("requiredResourceAccess")) != _access_set(required):
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
            try:
                created = self._change(
                    "create application '%s' (uniqueName %s)" % (spec.display_name, spec.unique_name),
                    lambda: self.graph.patch(by_name, body, headers={"Prefer": "create-if-missing"}))
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
                # 204 with no body: the application was already there (the lookup
                # missed it, e.g. a replica that had not heard of it yet) and the
                # upsert updated it. Read it; a 404 here is replication lag.
                self.changes[-1] = "update application '%s' (uniqueName %s) found by the upsert" % (
                    spec.display_name, spec.unique_name)
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
        if _access_set(self.app.get("requiredResourceAccess")) != _access_set(required):
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

    def ensure_secret(self):
        """Add a client secret when the rotation policy asks; remove old ones only when told to.

        A secret's value exists only in the answer to addPassword. If that answer
        is lost (read timeout, the process killed), Entra keeps a secret nobody
        holds, which a re-run would count as ours and never replace. So, just
        before addPassword, the application gets a tag "secret-in-flight:<time>",
        removed once addPassword has answered. A run that finds the tag knows
        that our secrets started at or after its time were never delivered: it
        removes them and decides afresh whether a new secret is needed (with
        rotate=never and no other secret of ours: yes, and returns it).
        The tag is cleared after the removal of old secrets, the last write, so
        a failure there also leaves the new secret marked as undelivered.
        The secret is created with the marker's time as its startDateTime, so
        the comparison does not depend on our clock agreeing with Entra's.
        What is left: a kill between the clearing PATCH and the module's exit.
        """
        spec = self.spec
        if spec.lease_owner is not None and not self.check_mode:
            self._check_secret_lease()  # under a lease, decide on the tags as they are now
        self._remove_undelivered_secrets()
        ours = self._our_secrets()
        added = None
        if spec.create_secret and self._needs_new_secret(ours):
            end = self.now + datetime.timedelta(days=spec.secret_expires_in_days)
            body = {"passwordCredential": {"displayName": spec.secret_description, "endDateTime": _iso(end)}}
            created = None if self.check_mode else self._add_password(body)
            self.changes.append("add client secret '%s' expiring %s" % (spec.secret_description, _iso(end)))
            if created:
                added = created
                created = dict(created, secretText=None)
            else:
                created = {"keyId": None, "displayName": spec.secret_description, "endDateTime": _iso(end),
                           "startDateTime": _iso(self.now)}
            self.app.setdefault("passwordCredentials", []).append(created)
            ours.append(created)
        elif secret_in_flight_since(self.app) is not None:
            tags = self._tags_without_marker()
            self._change("clear the secret-in-flight tag of an interrupted run",
                         lambda: self.graph.patch("/applications/%s" % self.app["id"], {"tags": tags}))
            self.app["tags"] = tags
        try:
            if spec.remove_old_secrets_after is not None:
                self._remove_old_secrets(ours)
            if added is not None:
                tags = self._tags_without_marker()
                self._replicated(lambda: self.graph.patch("/applications/%s" % self.app["id"], {"tags": tags}))
                self.app["tags"] = tags
        except MipConnectError as err:
            if added is not None:
                # Returning the secret now would let the next run remove it as undelivered.
                lost = ("The new client secret %s was created but could not be marked as delivered, so it is not "
                        "returned; the next run removes it and adds another." % added.get("keyId"))
                err.hint = "%s %s" % (err.hint, lost) if err.hint else lost
            raise
        if added is not None:
            self.new_secret = added.get("secretText")
        return [
            {"key_id": c.get("keyId"), "description": c.get("displayName"), "hint": c.get("hint"),
             "start": c.get("startDateTime"), "expires": c.get("endDateTime")}
            for c in self.app.get("passwordCredentials") or []
        ]

    def _our_secrets(self):
        return [c for c in (self.app or {}).get("passwordCredentials") or []
                if c.get("displayName") == self.spec.secret_description]

    def _undelivered_secrets(self):
        """Our secrets added by a run that never received them (see ensure_secret)."""
        since = secret_in_flight_since(self.app)
        if since is None:
            return []
        undelivered = []
        for credential in self._our_secrets():
            start = _parse_time(credential.get("startDateTime"))
            if start is not None and start >= since:
                undelivered.append(credential)
        return undelivered

    def _remove_undelivered_secrets(self):
        for credential in self._undelivered_secrets():
            key_id = credential.get("keyId")
            self._secret_change("remove client secret %s added by an interrupted run (its value was never "
                                "delivered)" % key_id,
                                lambda k=key_id: self.graph.post("/applications/%s/removePassword" % self.app["id"],
                                                                 {"keyId": k}))
            self.app["passwordCredentials"] = [c for c in self.app["passwordCredentials"] if c is not credential]

    def _tags_without_marker(self):
        return [t for t in self.app.get("tags") or [] if not t.startswith(SECRET_IN_FLIGHT_TAG)]

    def _add_password(self, body):
        """Mark a secret in flight, then add it; returns addPassword's answer. ensure_secret clears the mark.

        The secret is asked to start at the marker's own time, a minute back: the two
        then compare equal whatever the skew between our clock and Entra's, and the
        secret works at once unless our clock runs more than a minute ahead."""
        self._check_secret_lease()
        app_path = "/applications/%s" % self.app["id"]
        since = _iso(self.now - datetime.timedelta(seconds=SECRET_START_LEAD_SECONDS))
        body = {"passwordCredential": dict(body["passwordCredential"], startDateTime=since)}
        marked = self._tags_without_marker() + [SECRET_IN_FLIGHT_TAG + since]
        self._replicated(lambda: self.graph.patch(app_path, {"tags": marked}))
        self.app["tags"] = marked
        return self._replicated(lambda: self.graph.post(app_path + "/addPassword", body))

    def _refuse_to_print_a_new_secret(self):
        """A new secret is returned in the result, which Ansible prints unless the task has no_log.
        Refuse before any write rather than let the secret reach a log."""
        if self.check_mode or self.secret_output_allowed or not self.spec.create_secret:
            return
        undelivered = self._undelivered_secrets()
        if self._needs_new_secret([c for c in self._our_secrets() if c not in undelivered]):
            raise InputError("no_log", "this run would create a client secret and return it; set 'no_log: true' on "
                                       "the task (register the result to use client_secret) so the secret does not "
                                       "reach the output. Nothing was changed.")

    def _needs_new_secret(self, ours):
        spec = self.spec
        if spec.rotate == "always":
            return True
        if spec.rotate == "never":
            return not ours
        threshold = self.now + datetime.timedelta(days=spec.rotate_before_days)
        return not any((_parse_time(c.get("endDateTime")) or self.now) > threshold for c in ours)

    def _remove_old_secrets(self, ours):
        """Remove our secrets other than the newest, once the newest has served long enough.

        With 0 days this happens in the same run that adds the new secret: use
        that only once the new secret is stored and validated elsewhere.
        """
        if len(ours) < 2:
            return
        newest = max(ours, key=lambda c: c.get("startDateTime") or "")
        served = self.now - (_parse_time(newest.get("startDateTime")) or self.now)
        if served < datetime.timedelta(days=self.spec.remove_old_secrets_after):
            return
        for old in [c for c in ours if c is not newest]:
            key_id = old.get("keyId")
            self._secret_change("remove client secret %s (expires %s)" % (key_id, old.get("endDateTime")),
                                lambda k=key_id: self.graph.post("/applications/%s/removePassword" % self.app["id"],
                                                                 {"keyId": k}))
            self.app["passwordCredentials"] = [c for c in self.app["passwordCredentials"] if c is not old]

    def ensure_certificate(self):
        """Keep a valid uploaded certificate; otherwise make one, store its JSON file, then upload it.

        A renewed certificate is uploaded beside the one it replaces: ZIA still signs in with
        the old private key until a person uploads the new JSON file, so the old certificate
        stays on the application until it expires, and the run says what is left to do."""
        spec = self.spec
        path = spec.private_key_json_path
        if not self.check_mode:
            # A run killed while writing the file left a 0600 temporary copy of a private key.
            certs.remove_stale_key_files(path)
        cert = certs.load_json_file(path)
        previous = None
        if cert is None or cert.expires_within(spec.certificate_renew_before_days, self.now):
            reason = "create" if cert is None else "renew expiring"
            previous = cert
            cert = certs.generate(spec.display_name, spec.certificate_validity_days, self.now)
            # The file is written before the upload: if the upload fails, the
            # next run uploads the stored certificate instead of losing the key.
            self._change("%s certificate %s and write %s" % (reason, cert.thumbprint, path),
                         lambda: certs.write_json_file(path, cert))
        uploaded = self.app.get("keyCredentials") or []
        thumbprints = [certs.thumbprint_of(k) for k in uploaded]
        expired = [k for k in uploaded if certs.thumbprint_of(k) != cert.thumbprint
                   and (_parse_time(k.get("endDateTime")) or self.now) <= self.now]
        if cert.thumbprint not in thumbprints or expired:
            foreign = [k for k in uploaded if k.get("displayName") != CERTIFICATE_DISPLAY_NAME]
            if foreign:
                raise InputError("private_key_json_path", "the application already has %d certificate(s) this module "
                                 "did not upload (%s). Remove them in the Azure portal, or point "
                                 "private_key_json_path at the JSON file of the uploaded certificate."
                                 % (len(foreign), ", ".join(str(certs.thumbprint_of(k)) for k in foreign)))
            keep = [previous] if previous is not None and previous.thumbprint in thumbprints else []
            new_keys = [c.key_credential(CERTIFICATE_DISPLAY_NAME) for c in [cert] + keep]
            if keep:
                note = " (keeping %s until it expires)" % keep[0].thumbprint
            elif expired:
                note = " (removing expired %s)" % ", ".join(str(certs.thumbprint_of(k)) for k in expired)
            else:
                note = ""
            self._change("upload certificate %s to the application%s" % (cert.thumbprint, note),
                         lambda: self.graph.patch("/applications/%s" % self.app["id"], {"keyCredentials": new_keys}))
            self.app["keyCredentials"] = [dict(k, key=None) for k in new_keys]
            if keep:
                self.pending_steps.append(
                    "SharePoint: upload the renewed private-key JSON file %s to the SharePoint tenant in the ZIA "
                    "Admin Portal (%s, edit the tenant). ZIA signs in with "
                    "the old certificate %s until then; it expires on %s and a run after that removes it."
                    % (path, portal_steps.SAAS_TENANTS_MENU, keep[0].thumbprint, _iso(keep[0].not_after)))
        self.cert = cert
        return {"thumbprint": cert.thumbprint, "expires": _iso(cert.not_after), "private_key_json_path": path}

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

    def ensure_power_platform(self):
        app_id = self.app.get("appId")
        if not self.spec.power_platform_token:
            # Zscaler's steps register the Zscaler SaaS Connector ID that ZIA shows after Authorize,
            # which this tool cannot read: the person copies it.
            self.pending_steps.append(
                "Copilot: after Authorize in the ZIA Admin Portal, %s. Then, as a Power Platform administrator, "
                "register it for admin management: in PowerShell `%s`, or PUT %s/providers/"
                "Microsoft.BusinessAppPlatform/adminApplications/%s?api-version=2020-10-01 with an admin's token."
                % (portal_steps.COPY_CONNECTOR_ID,
                   COPILOT_POWERSHELL.format(endpoint=self.endpoints.powerapps_endpoint, tenant_id=self.tenant_id,
                                             app_id=portal_steps.CONNECTOR_ID_VALUE),
                   self.endpoints.power_platform_url, portal_steps.CONNECTOR_ID_VALUE))
            return {"registered": None}
        if not (app_id and self.power_platform.get_management_app(app_id) is not None):
            self._change("register the application as a Power Platform management app",
                         lambda: self.power_platform.register_management_app(app_id))
        # Registered by the connector's client id: that ZIA's Zscaler SaaS Connector ID is that id
        # for a custom connector is assumed (docs/assumptions.md); the person can check it.
        self.pending_steps.append(
            "Copilot: client id %s is registered for Power Platform admin management. After Authorize in "
            "the ZIA Admin Portal, compare the Zscaler SaaS Connector ID that ZIA shows; if it differs, register "
            "that ID as a Power Platform administrator (New-PowerAppManagementApp -ApplicationId %s)."
            % (app_id or "<client id>", portal_steps.CONNECTOR_ID_VALUE))
        return {"registered": True}

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

    # Removal -----------------------------------------------------------------

    def absent(self):
        try:
            return self._absent()
        except MipConnectError as err:
            self._fail(err)

    def _absent(self):
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
        if self.spec.power_platform_token and self.power_platform.get_management_app(self.app["appId"]):
            self._change("unregister the Power Platform management app",
                         lambda: self.power_platform.unregister_management_app(self.app["appId"]))
        # Deleting the application removes its service principal and every
        # grant the principal holds; nothing else in the tenant is touched.
        self._change("delete application %s (%s) with its service principal and grants"
                     % (self.app["appId"], self.app.get("displayName")),
                     lambda: self.graph.delete("/applications/%s" % self.app["id"]))
        if self.spec.permanently_delete:
            self._purge(self.app)
        return {"changed": True, "changes": self.changes, "client_id": self.app["appId"],
                "tenant_id": self.tenant_id, "diff": {"before": self.before, "after": {"exists": False}}}

    def _purge(self, app):
        """Delete the application from deleted items for good: its unique_name is free at once, and it can no
        longer be restored. A deletion made a moment ago may take a while to show there (replication)."""
        path = "/directory/deletedItems/%s" % app["id"]
        self._change("permanently delete application %s from deleted items (its unique_name is free again)"
                     % app.get("appId"),
                     lambda: retry_while_replicating(lambda: self.graph.delete(path, missing_ok=False),
                                                     is_replication_lag, self.replication_timeout))

    def _remove_role_assignments(self, principal_id):
        scope = "/subscriptions/%s" % self.spec.subscription_id
        for role_name, role_id in sorted(catalog.BLOB_STORAGE_ROLE_DEFINITIONS.items()):
            path = "%s/providers/Microsoft.Authorization/roleAssignments/%s" % (
                scope, role_assignment_name(scope, principal_id, role_id))
            if self.arm.get(path, missing_ok=True) is not None:
                self._change("remove role assignment '%s' at %s" % (role_name, scope),
                             lambda p=path: self.arm.delete(p))


def _access_set(required_resource_access):
    return set(
        (entry.get("resourceAppId"), access.get("id"), access.get("type"))
        for entry in required_resource_access or []
        for access in entry.get("resourceAccess") or []
    )
