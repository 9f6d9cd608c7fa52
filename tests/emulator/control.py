"""The /_emulator control API: how tests set the scene and look behind it.

No authentication and no request log. The Emulator class calls these methods
directly; the HTTP routes are thin wrappers for other processes (make demo).
"""

import copy
import re
import uuid

from werkzeug.routing import Map, Rule, Submount

from . import clouds, labels
from .arm import add_role_assignment
from .catalog import (
    ADMIN_CLIENT_GRAPH_ROLES,
    GLOBAL_ADMINISTRATOR_ROLE,
    GRAPH_APP_ID,
    POWER_PLATFORM_ADMINISTRATOR_ROLE,
    arm_role_definitions,
    first_party_resources,
)
from .directory import Directory
from .errors import ServiceError
from .state import Tenant, new_id
from .tokens import issuer_for, normalize_audience
from .web import empty_response, json_response, read_json, route

# The Azure CLI's public client id: the app a person's delegated token was issued to.
AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
ADMIN_DELEGATED_GRAPH_SCOPES = " ".join(ADMIN_CLIENT_GRAPH_ROLES)


def _bad_request(message):
    return ServiceError(400, "BadRequest", message)


class ControlApi:
    prefix = "/_emulator"

    def __init__(self, store, signer, faults, request_log, zia):
        self.store = store
        self.signer = signer
        self.faults = faults
        self.request_log = request_log
        self.zia = zia
        self.url_map = Map(
            [
                Submount(
                    self.prefix,
                    [
                        Rule("/tenants", endpoint=self._http_create_tenant, methods=["POST"]),
                        Rule(
                            "/tenants/<tenant_id>/clients",
                            endpoint=self._http_create_client,
                            methods=["POST"],
                        ),
                        Rule(
                            "/tenants/<tenant_id>/user_token",
                            endpoint=self._http_user_token,
                            methods=["POST"],
                        ),
                        Rule(
                            "/tenants/<tenant_id>/applications/<app_id>/expire_secrets",
                            endpoint=self._http_expire_secrets,
                            methods=["POST"],
                        ),
                        Rule(
                            "/tenants/<tenant_id>/labels", endpoint=self._http_labels, methods=["GET", "POST"]
                        ),
                        Rule(
                            "/tenants/<tenant_id>/labels/add",
                            endpoint=self._http_add_labels,
                            methods=["POST"],
                        ),
                        Rule(
                            "/tenants/<tenant_id>/labels/<label_id>/rename",
                            endpoint=self._http_rename_label,
                            methods=["POST"],
                        ),
                        Rule(
                            "/tenants/<tenant_id>/labels/<label_id>",
                            endpoint=self._http_delete_label,
                            methods=["DELETE"],
                        ),
                        Rule("/requests", endpoint=self._http_requests, methods=["GET", "DELETE"]),
                        Rule("/faults", endpoint=self._http_faults, methods=["GET", "POST", "DELETE"]),
                        Rule("/config", endpoint=self._http_configure, methods=["POST"]),
                        Rule("/state", endpoint=self._http_state, methods=["GET"]),
                        Rule("/reset", endpoint=self._http_reset, methods=["POST"]),
                        *zia.rules(),
                    ],
                )
            ]
        )

    # --- operations ----------------------------------------------------------

    def _tenant(self, tenant_id):
        tenant = self.store.tenant(tenant_id)
        if tenant is None:
            raise ServiceError(404, "TenantNotFound", f"No emulated tenant '{tenant_id}'.")
        return tenant

    def create_tenant(self, tenant_id=None, cloud="public"):
        """A tenant of a national cloud with Microsoft's service principals, three users (an admin, a
        member, a guest) and an admin client."""
        with self.store.lock:
            tenant_id = str(uuid.UUID(tenant_id)) if tenant_id else new_id()
            clouds.check_cloud(cloud)
            if self.store.tenant(tenant_id) is not None:
                raise ServiceError(409, "TenantExists", f"The tenant '{tenant_id}' already exists.")
            tenant = Tenant(
                tenant_id=tenant_id,
                subscription_id=new_id(),
                domain=f"emu{tenant_id.replace('-', '')[:8]}.onmicrosoft.com",
                cloud=cloud,
            )
            self.store.add_tenant(tenant)
            directory = Directory(self.store, tenant)
            for resource in first_party_resources():
                directory.add_first_party_service_principal(resource)
            self._add_users(tenant)
            labels.add_default_labels(tenant)
            admin = self._add_client(directory, "Emulator admin client", ADMIN_CLIENT_GRAPH_ROLES, ["Owner"])
            return {
                "tenant_id": tenant_id,
                "subscription_id": tenant.subscription_id,
                "cloud": cloud,
                "admin_client_id": admin["client_id"],
                "admin_client_secret": admin["client_secret"],
            }

    def _add_users(self, tenant):
        """An administrator (Global and Power Platform admin, subscription Owner), a plain user and a guest
        (B2B), whose UPN has Entra's form for guests: mail with '@' as '_', then '#EXT#@' and the domain."""
        for name, upn, roles in (
            ("admin", f"admin@{tenant.domain}", [GLOBAL_ADMINISTRATOR_ROLE, POWER_PLATFORM_ADMINISTRATOR_ROLE]),
            ("user", f"user@{tenant.domain}", []),
            ("guest", f"guest_partner.example#EXT#@{tenant.domain}", []),
        ):
            user = {
                "id": new_id(),
                "displayName": f"Emulator {name}",
                "userPrincipalName": upn,
                "wids": roles,
            }
            tenant.users[user["id"]] = user
            if roles:
                owner = arm_role_definitions()["Owner"]
                add_role_assignment(
                    tenant, f"/subscriptions/{tenant.subscription_id}", owner, user["id"], "User", user["id"]
                )

    def create_client(self, tenant_id, graph_roles=(), subscription_roles=(), display_name=None):
        """Another caller: an application with a secret, given exactly these Graph and subscription roles."""
        with self.store.lock:
            directory = Directory(self.store, self._tenant(tenant_id))
            return self._add_client(
                directory, display_name or "Emulator client", graph_roles, subscription_roles
            )

    def _add_client(self, directory, display_name, graph_roles, subscription_roles):
        tenant = directory.tenant
        graph = directory.find_service_principal(app_id=GRAPH_APP_ID)
        role_ids = {role["value"]: role["id"] for role in graph["appRoles"]}
        definitions = arm_role_definitions()
        unknown = [r for r in graph_roles if r not in role_ids] + [
            r for r in subscription_roles if r not in definitions
        ]
        if unknown:
            raise _bad_request(f"Unknown roles: {', '.join(unknown)}")
        # Made by the control API, so already replicated: tests start from a settled tenant.
        app = directory.create_application({"displayName": display_name}, replicate=False)
        sp = directory.create_service_principal(app["appId"], replicate=False)
        secret = directory.add_password(app, "emulator", replicate=False)["secretText"]
        for role in graph_roles:
            directory.assign_app_role(graph, sp["id"], role_ids[role], replicate=False)
        for role in subscription_roles:
            scope = f"/subscriptions/{tenant.subscription_id}"
            add_role_assignment(tenant, scope, definitions[role], sp["id"], "ServicePrincipal", sp["id"])
        return {
            "client_id": app["appId"],
            "client_secret": secret,
            "object_id": app["id"],
            "service_principal_id": sp["id"],
        }

    def user_token(self, tenant_id, base_url, audience="https://service.powerapps.com/", admin=True):
        """A delegated access token of the tenant's admin (or plain) user for audience."""
        with self.store.lock:
            tenant = self._tenant(tenant_id)
            user = next(u for u in tenant.users.values() if bool(u["wids"]) == bool(admin))
        if normalize_audience(audience) == "https://graph.microsoft.com":
            scopes = ADMIN_DELEGATED_GRAPH_SCOPES if admin else "User.Read"
        else:
            scopes = "user_impersonation"
        return self.signer.issue(
            {
                "aud": audience,
                "iss": issuer_for(base_url, tenant.tenant_id),
                "tid": tenant.tenant_id,
                "oid": user["id"],
                "sub": user["id"],
                "upn": user["userPrincipalName"],
                "unique_name": user["userPrincipalName"],
                "name": user["displayName"],
                "scp": scopes,
                "wids": user["wids"],
                "appid": AZURE_CLI_APP_ID,
                "idtyp": "user",
            }
        )

    def expire_secrets(self, tenant_id, app_id):
        """Make every client secret of the application expired; answers how many there were."""
        with self.store.lock:
            directory = Directory(self.store, self._tenant(tenant_id))
            app = directory.find_application(app_id=app_id, replicated_only=False)
            if app is None:
                raise ServiceError(404, "ApplicationNotFound", f"No application with appId '{app_id}'.")
            return directory.expire_passwords(app)

    # Sensitivity labels: replacing, adding, renaming and deleting take effect at once.

    def seed_labels(self, tenant_id, count, sublabels_per_label=0, seed=1):
        with self.store.lock:
            return {"count": labels.generate(self._tenant(tenant_id), count, sublabels_per_label, seed)}

    def add_labels(self, tenant_id, entries):
        with self.store.lock:
            return labels.add(self._tenant(tenant_id), entries)

    def rename_label(self, tenant_id, label_id, name):
        with self.store.lock:
            return labels.rename(self._tenant(tenant_id), label_id, name)

    def delete_label(self, tenant_id, label_id):
        with self.store.lock:
            return {"deleted": labels.delete(self._tenant(tenant_id), label_id)}

    def labels(self, tenant_id):
        with self.store.lock:
            return labels.ordered(self._tenant(tenant_id))

    def configure(self, replication_delay=None, page_size=None):
        with self.store.lock:
            if replication_delay is not None:
                if float(replication_delay) < 0:
                    raise _bad_request("replication_delay must not be negative")
                self.store.config.replication_delay = float(replication_delay)
            if page_size is not None:
                if int(page_size) < 1:
                    raise _bad_request("page_size must be at least 1")
                self.store.config.page_size = int(page_size)
            return self._config()

    def _config(self):
        return {
            "replication_delay": self.store.config.replication_delay,
            "page_size": self.store.config.page_size,
        }

    def state(self, tenant_id=None):
        """A JSON dump of one tenant (never a secret or its hash), or an overview."""
        with self.store.lock:
            if tenant_id is None:
                return {
                    "config": self._config(),
                    "tenants": sorted(self.store.tenants),
                    "zia_orgs": sorted(self.zia.cloud.orgs),
                    "faults": self.faults.describe(),
                }
            tenant = self._tenant(tenant_id)
            # A copy: callers in this process must not reach into live state.
            return copy.deepcopy(
                {
                    "tenant_id": tenant.tenant_id,
                    "subscription_id": tenant.subscription_id,
                    "domain": tenant.domain,
                    "cloud": tenant.cloud,
                    "applications": list(tenant.applications.values()),
                    "deletedApplications": list(tenant.deleted_applications.values()),
                    "deletedServicePrincipals": list(tenant.deleted_service_principals.values()),
                    "servicePrincipals": list(tenant.service_principals.values()),
                    "appRoleAssignments": list(tenant.app_role_assignments.values()),
                    "oauth2PermissionGrants": list(tenant.permission_grants.values()),
                    "roleAssignments": list(tenant.role_assignments.values()),
                    "adminApplications": list(tenant.admin_applications.values()),
                    "users": list(tenant.users.values()),
                    "owners": {app_id: sorted(owners) for app_id, owners in tenant.owners.items()},
                    "replicating": sorted(i for i in tenant.replicated_at if not tenant.is_replicated(i)),
                }
            )

    def reset(self):
        self.store.reset()
        self.zia.reset()
        self.faults.clear()
        self.request_log.clear()

    # --- HTTP ----------------------------------------------------------------

    def handle(self, request):
        try:
            endpoint, args = route(self.url_map, request)
            return endpoint(request, **args)
        except ServiceError as error:
            return json_response(error.status, {"error": {"code": error.code, "message": error.message}})
        except (TypeError, ValueError, re.error) as error:
            return json_response(400, {"error": {"code": "BadRequest", "message": str(error)}})

    def _http_create_tenant(self, request):
        body = read_json(request)
        return json_response(201, self.create_tenant(body.get("tenant_id"), body.get("cloud", "public")))

    def _http_create_client(self, request, tenant_id):
        return json_response(201, self.create_client(tenant_id, **read_json(request)))

    def _http_user_token(self, request, tenant_id):
        token = self.user_token(tenant_id, request.host_url.rstrip("/"), **read_json(request))
        return json_response(200, {"access_token": token})

    def _http_expire_secrets(self, request, tenant_id, app_id):
        return json_response(200, {"expired": self.expire_secrets(tenant_id, app_id)})

    def _http_labels(self, request, tenant_id):
        if request.method == "GET":
            return json_response(200, {"labels": self.labels(tenant_id)})
        return json_response(200, self.seed_labels(tenant_id, **read_json(request)))

    def _http_add_labels(self, request, tenant_id):
        return json_response(201, {"labels": self.add_labels(tenant_id, read_json(request).get("labels"))})

    def _http_rename_label(self, request, tenant_id, label_id):
        return json_response(200, self.rename_label(tenant_id, label_id, read_json(request).get("name")))

    def _http_delete_label(self, request, tenant_id, label_id):
        return json_response(200, self.delete_label(tenant_id, label_id))

    def _http_requests(self, request):
        if request.method == "DELETE":
            self.request_log.clear()
            return empty_response(204)
        return json_response(200, {"requests": self.request_log.entries()})

    def _http_faults(self, request):
        if request.method == "DELETE":
            self.faults.clear()
            return empty_response(204)
        if request.method == "GET":
            return json_response(200, {"faults": self.faults.describe()})
        return json_response(201, {"fault": self.faults.add(**read_json(request)).describe()})

    def _http_configure(self, request):
        return json_response(200, self.configure(**read_json(request)))

    def _http_state(self, request):
        return json_response(200, self.state(request.args.get("tenant")))

    def _http_reset(self, request):
        self.reset()
        return empty_response(204)
