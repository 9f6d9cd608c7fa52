"""Azure Resource Manager role assignments (api-version 2022-04-01) under /arm.

Scopes are the subscription of a tenant and anything below it
(resourceGroups/..., providers/...), written without a leading slash in the URL
as ARM does: /arm/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments/{name}.
"""

import re
import uuid

from werkzeug.routing import Map, Rule, Submount

from . import clouds
from .catalog import arm_role_definitions
from .directory import Directory
from .errors import ServiceError
from .state import iso_time, utc_now
from .tokens import InvalidToken, normalize_audience
from .web import bearer_token, empty_response, json_response, read_json, route

ALL_ARM_AUDIENCES = tuple({aud for cloud in clouds.CLOUDS for aud in clouds.audiences(cloud, "arm")})
API_VERSION = "2022-04-01"
ROLE_ASSIGNMENT_WRITERS = ("Owner", "User Access Administrator")
PRINCIPAL_TYPES = ("User", "Group", "ServicePrincipal", "ForeignGroup")
ASSIGNMENTS_PATH = "/providers/Microsoft.Authorization/roleAssignments"
ROLE_DEFINITION_ID = re.compile(r"/providers/Microsoft\.Authorization/roleDefinitions/([0-9a-fA-F-]{36})$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
PRINCIPAL_FILTER = re.compile(
    r"^\s*(?:principalId\s+eq\s+'([^']+)'|assignedTo\('([^']+)'\))\s*$", re.IGNORECASE
)


def role_definition_id(subscription_id, role_guid):
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"


def add_role_assignment(tenant, scope, role_guid, principal_id, principal_type, created_by, name=None):
    """Store a role assignment as ARM returns it; scope starts with /subscriptions/."""
    name = name or str(uuid.uuid4())
    now = iso_time(utc_now())
    assignment = {
        "properties": {
            "roleDefinitionId": role_definition_id(tenant.subscription_id, role_guid),
            "principalId": principal_id,
            "principalType": principal_type,
            "scope": scope,
            "condition": None,
            "conditionVersion": None,
            "createdOn": now,
            "updatedOn": now,
            "createdBy": created_by,
            "updatedBy": created_by,
            "delegatedManagedIdentityResourceId": None,
            "description": None,
        },
        "id": f"{scope}{ASSIGNMENTS_PATH}/{name}",
        "type": "Microsoft.Authorization/roleAssignments",
        "name": name,
    }
    tenant.role_assignments[assignment["id"].lower()] = assignment
    return assignment


def _covers(outer, inner):
    """True when a role assigned at scope `outer` applies at scope `inner`."""
    outer, inner = outer.lower().rstrip("/"), inner.lower().rstrip("/")
    return inner == outer or inner.startswith(outer + "/")


def _role_guid(assignment):
    return assignment["properties"]["roleDefinitionId"].rsplit("/", 1)[-1].lower()


class ArmService:
    name = "arm"
    prefix = "/arm"
    logs_query = True

    def __init__(self, store, signer):
        self.store = store
        self.signer = signer
        self.url_map = Map(
            [
                Submount(
                    self.prefix,
                    [
                        Rule(
                            f"/<path:scope>{ASSIGNMENTS_PATH}",
                            endpoint=self.list_assignments,
                            methods=["GET"],
                        ),
                        Rule(
                            f"/<path:scope>{ASSIGNMENTS_PATH}/<name>",
                            endpoint=self.get_assignment,
                            methods=["GET"],
                        ),
                        Rule(
                            f"/<path:scope>{ASSIGNMENTS_PATH}/<name>",
                            endpoint=self.put_assignment,
                            methods=["PUT"],
                        ),
                        Rule(
                            f"/<path:scope>{ASSIGNMENTS_PATH}/<name>",
                            endpoint=self.delete_assignment,
                            methods=["DELETE"],
                        ),
                    ],
                )
            ]
        )

    def handle(self, request):
        request_id = str(uuid.uuid4())
        try:
            endpoint, args = route(self.url_map, request)
            tenant, caller_id = self._authenticate(request)
            self._check_api_version(request)
            scope = self._scope(tenant, args.pop("scope"))
            response = endpoint(request, tenant, caller_id, scope, **args)
        except ServiceError as error:
            response = self._error(error)
        response.headers.update({"x-ms-request-id": request_id, "x-ms-correlation-request-id": request_id})
        return response

    def error_response(self, request, status, code, message):
        response = self._error(ServiceError(status, code, message))
        response.headers["x-ms-request-id"] = str(uuid.uuid4())
        return response

    def _error(self, error):
        return json_response(
            error.status, {"error": {"code": error.code, "message": error.message}}, error.headers
        )

    # --- request checks ------------------------------------------------------

    def _authenticate(self, request):
        token = bearer_token(request)
        if token is None:
            raise ServiceError(
                401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."
            )
        try:
            claims = self.signer.verify(token, ALL_ARM_AUDIENCES)
        except InvalidToken as error:
            raise ServiceError(
                401, "InvalidAuthenticationToken", f"The access token is invalid. {error}"
            ) from None
        tenant = self.store.tenant(claims["tid"])
        if tenant is None:
            raise ServiceError(
                401, "InvalidAuthenticationToken", "The access token is from an unknown tenant."
            )
        if normalize_audience(claims["aud"]) not in map(normalize_audience, clouds.audiences(tenant.cloud, "arm")):
            raise ServiceError(
                401, "InvalidAuthenticationToken", f"The access token has an invalid audience '{claims['aud']}'."
            )
        return tenant, claims["oid"]

    def _check_api_version(self, request):
        version = request.args.get("api-version")
        if not version:
            raise ServiceError(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        if version != API_VERSION:
            raise ServiceError(
                400,
                "InvalidApiVersionParameter",
                f"The api-version '{version}' is invalid. The supported versions are '{API_VERSION}'.",
            )

    def _scope(self, tenant, raw_scope):
        """The canonical scope, which must lie in a subscription of the caller's tenant."""
        scope = "/" + raw_scope.strip("/")
        parts = scope.split("/")
        if len(parts) < 3 or parts[1].lower() != "subscriptions":
            raise ServiceError(400, "InvalidScope", f"The scope '{scope}' is not valid for role assignments.")
        subscription_id = parts[2].lower()
        if subscription_id != tenant.subscription_id:
            owner = next(
                (t for t in self.store.tenants.values() if t.subscription_id == subscription_id), None
            )
            if owner is None:
                raise ServiceError(
                    404, "SubscriptionNotFound", f"The subscription '{parts[2]}' could not be found."
                )
            raise ServiceError(
                401,
                "InvalidAuthenticationTokenTenant",
                f"The access token is from the wrong issuer. It must match the tenant "
                f"'{owner.tenant_id}' associated with this subscription.",
            )
        return "/subscriptions/" + subscription_id + scope[len("/subscriptions/") + len(subscription_id) :]

    def _require_write(self, tenant, caller_id, scope, action):
        writers = {arm_role_definitions()[name] for name in ROLE_ASSIGNMENT_WRITERS}
        for assignment in tenant.role_assignments.values():
            properties = assignment["properties"]
            if (
                properties["principalId"] == caller_id
                and _role_guid(assignment) in writers
                and _covers(properties["scope"], scope)
            ):
                return
        raise ServiceError(
            403,
            "AuthorizationFailed",
            f"The client '{caller_id}' with object id '{caller_id}' does not have authorization to "
            f"perform action '{action}' over scope '{scope}' or the scope is invalid. If access was "
            "recently granted, please refresh your credentials.",
        )

    # --- handlers ------------------------------------------------------------

    def _find(self, tenant, scope, name):
        return tenant.role_assignments.get(f"{scope}{ASSIGNMENTS_PATH}/{name}".lower())

    def get_assignment(self, request, tenant, caller_id, scope, name):
        assignment = self._find(tenant, scope, name)
        if assignment is None:
            raise ServiceError(404, "RoleAssignmentNotFound", f"The role assignment '{name}' is not found.")
        return json_response(200, assignment)

    def list_assignments(self, request, tenant, caller_id, scope):
        assignments = [
            a
            for a in tenant.role_assignments.values()
            if _covers(a["properties"]["scope"], scope) or _covers(scope, a["properties"]["scope"])
        ]
        filter_text = request.args.get("$filter")
        if filter_text and filter_text.strip().lower() == "atscope()":
            assignments = [a for a in assignments if _covers(a["properties"]["scope"], scope)]
        elif filter_text:
            match = PRINCIPAL_FILTER.match(filter_text)
            if match is None:
                raise ServiceError(400, "UnsupportedQuery", f"The filter '{filter_text}' is not supported.")
            principal_id = (match[1] or match[2]).lower()
            assignments = [a for a in assignments if a["properties"]["principalId"] == principal_id]
        return json_response(200, {"value": assignments})

    def put_assignment(self, request, tenant, caller_id, scope, name):
        self._require_write(tenant, caller_id, scope, "Microsoft.Authorization/roleAssignments/write")
        if not GUID.match(name):
            raise ServiceError(
                400,
                "InvalidRoleAssignmentId",
                f"The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID.",
            )
        properties = read_json(request, invalid_code="InvalidRequestContent").get("properties") or {}
        role_guid = self._role_definition(properties.get("roleDefinitionId"))
        principal_id = (properties.get("principalId") or "").lower()
        principal_type = self._principal_type(tenant, principal_id, properties.get("principalType"))
        existing = self._find(tenant, scope, name)
        if existing is not None:
            if (_role_guid(existing), existing["properties"]["principalId"]) != (role_guid, principal_id):
                raise ServiceError(
                    409,
                    "RoleAssignmentUpdateNotPermitted",
                    "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
                )
            return json_response(200, existing)
        for other in tenant.role_assignments.values():
            same = (
                other["properties"]["scope"].lower(),
                _role_guid(other),
                other["properties"]["principalId"],
            )
            if same == (scope.lower(), role_guid, principal_id):
                raise ServiceError(409, "RoleAssignmentExists", "The role assignment already exists.")
        assignment = add_role_assignment(
            tenant, scope, role_guid, principal_id, principal_type, created_by=caller_id, name=name.lower()
        )
        return json_response(201, assignment)

    def delete_assignment(self, request, tenant, caller_id, scope, name):
        self._require_write(tenant, caller_id, scope, "Microsoft.Authorization/roleAssignments/delete")
        assignment = self._find(tenant, scope, name)
        if assignment is None:
            return empty_response(204)
        del tenant.role_assignments[assignment["id"].lower()]
        return json_response(200, assignment)

    def _role_definition(self, definition_id):
        match = ROLE_DEFINITION_ID.search(definition_id or "")
        if match is None:
            raise ServiceError(
                400, "InvalidRoleDefinitionId", f"The role definition ID '{definition_id}' is not valid."
            )
        guid = match[1].lower()
        if guid not in arm_role_definitions().values():
            raise ServiceError(
                400,
                "RoleDefinitionDoesNotExist",
                f"The specified role definition with ID '{guid}' does not exist.",
            )
        return guid

    def _principal_type(self, tenant, principal_id, declared_type):
        """The principal's type; a declared type lets ARM skip its directory look-up of a new principal."""
        if declared_type is not None and declared_type not in PRINCIPAL_TYPES:
            raise ServiceError(
                400, "InvalidPrincipalType", f"The principal type '{declared_type}' is not valid."
            )
        directory = Directory(self.store, tenant)
        principal = directory.find_principal(principal_id, replicated_only=declared_type is None)
        if principal is None:
            raise ServiceError(
                400,
                "PrincipalNotFound",
                f"Principal {principal_id.replace('-', '')} does not exist in the directory "
                f"{tenant.tenant_id}. Check that you have the correct principal ID. If you are "
                "creating this principal and then immediately assigning a role, this error might be "
                "related to a replication delay. In this case, set the role assignment principalType "
                "property to a value, such as ServicePrincipal, User, or Group. See "
                "https://aka.ms/docs-principaltype",
            )
        actual_type = "User" if principal["id"] in tenant.users else "ServicePrincipal"
        if declared_type is not None and declared_type != actual_type:
            raise ServiceError(
                400,
                "UnmatchedPrincipalType",
                f"The PrincipalId '{principal_id.replace('-', '')}' has type '{actual_type}', which is "
                f"different from specified PrincipalType '{declared_type}'.",
            )
        return actual_type
