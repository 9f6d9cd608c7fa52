"""Microsoft Graph v1.0, the subset our modules call, under /graph/v1.0.

Order of checks, as Graph does it: route, bearer token, request schema
(OpenAPI), then the handler's permission and directory rules.
"""

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote, urlencode

import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from openapi_core.exceptions import OpenAPIError
from werkzeug.routing import Map, Rule, Submount

from . import clouds, labels
from .catalog import DATA_DIR
from .directory import Directory, not_found
from .errors import ServiceError
from .state import utc_now
from .tokens import InvalidToken, normalize_audience
from .web import bearer_token, empty_response, json_response, read_json, route

SCHEMA_FILE = DATA_DIR / "graph-v1.0-subset.openapi.yaml"

APPLICATION_READ_WRITE = "Application.ReadWrite.All"
APPLICATION_OWNED_BY = "Application.ReadWrite.OwnedBy"
APP_ROLE_ASSIGNMENT_WRITE = "AppRoleAssignment.ReadWrite.All"
PERMISSION_GRANT_WRITE = "DelegatedPermissionGrant.ReadWrite.All"
# Application and delegated permissions that unlock the v1.0 label list.
V1_LABEL_PERMISSIONS = ("SensitivityLabel.Read", "SensitivityLabels.Read.All")
V1_LABELS_PATH = "/security/dataSecurityAndGovernance/sensitivityLabels"
# Under /users/{id} the v1.0 list has no /security segment (Microsoft's List sensitivityLabels page).
V1_USER_LABELS_PATH = "/dataSecurityAndGovernance/sensitivityLabels"
ALL_GRAPH_AUDIENCES = tuple({aud for cloud in clouds.CLOUDS for aud in clouds.audiences(cloud, "graph")})

# One $filter clause: `prop eq 'value'`, `prop eq <guid>` (Edm.Guid properties such as
# principalId are compared unquoted) or `startswith(prop,'value')`; '' escapes a quote.
FILTER_CLAUSE = re.compile(
    r"\s*(?:(?P<prop>\w+)\s+eq\s+(?:'(?P<value>(?:[^']|'')*)'|(?P<guid>[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}))"
    r"|startswith\(\s*(?P<prefix_prop>\w+)\s*,\s*'(?P<prefix>(?:[^']|'')*)'\s*\))\s*",
    re.IGNORECASE,
)
FILTER_AND = re.compile(r"and\b", re.IGNORECASE)


def forbidden():
    return ServiceError(
        403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
    )


def missing_role(call, required):
    """The 403 Graph's non-directory workloads answer, naming what was needed and what was held."""
    return ServiceError(
        403,
        "Forbidden",
        f"Missing role permissions on the request. API requires one of '{', '.join(required)}'. "
        f"Roles on the request '{', '.join(sorted(call.permissions))}'.",
    )


def unauthorized(message):
    return ServiceError(401, "InvalidAuthenticationToken", message)


@cache
def _schema_document():
    return yaml.safe_load(SCHEMA_FILE.read_text())


class _ServedRequest(WerkzeugOpenAPIRequest):
    """A request as addressed to the served URL: clients may say 127.0.0.1 or localhost."""

    def __init__(self, request, base_url):
        super().__init__(request)
        self._base_url = base_url

    @property
    def host_url(self):
        return self._base_url + "/"


class RequestSchema:
    """Graph's OpenAPI description, served from base_url, used to refuse what Graph refuses.

    The description allows extra properties; Graph does not: a body property
    its type does not declare is a 400, at any depth (see UndeclaredProperties).
    """

    def __init__(self, base_url):
        document = dict(_schema_document(), servers=[{"url": f"{base_url}/graph/v1.0"}])
        self._base_url = base_url
        self._api = OpenAPI.from_dict(document)
        self._undeclared = UndeclaredProperties(_schema_document())

    def check(self, request):
        try:
            self._api.validate_request(_ServedRequest(request, self._base_url))
        except OpenAPIError as error:
            cause = error.__cause__
            reasons = [e.message for e in getattr(cause, "schema_errors", ())]
            detail = "; ".join(reasons) if reasons else str(cause or "")
            raise ServiceError(400, "BadRequest", f"{error}: {detail}".rstrip(": ")) from None
        if request.method in ("POST", "PATCH", "PUT"):
            self._undeclared.check(request.method, request.path[len("/graph/v1.0") :], read_json(request))


def _is_annotation(name):
    """OData instance annotations (@odata.type, property@odata.type, ...) are not properties."""
    return "@" in name


class UndeclaredProperties:
    """Refuses request bodies with properties the operation's schema does not declare.

    Directory writes answer as Entra does (Request_BadRequest, "Property '...' does not exist
    as a declared property or extension property."). Properties are those of every allOf part
    (a type and its base types); for anyOf (a complex value or null) the object branch counts.
    """

    def __init__(self, document):
        self._document = document
        self._operations = []
        for template, item in document["paths"].items():
            pattern = re.escape(template)
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
            for method, operation in item.items():
                if not isinstance(operation, dict):
                    continue  # x-ms-* extensions of the path item
                body = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
                if body:
                    self._operations.append((method.upper(), re.compile(f"^{pattern}$"), body["schema"]))

    def check(self, method, path, body):
        for wanted, pattern, schema in self._operations:
            if wanted == method and pattern.match(path):
                self._walk(body, schema)
                return

    def _resolve(self, schema):
        while "$ref" in schema:
            node = self._document
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def _object_parts(self, schema):
        """The object schemas a value must satisfy: the schema, its allOf parts, its object anyOf branch."""
        schema = self._resolve(schema)
        parts = [schema] if "properties" in schema else []
        for part in schema.get("allOf", ()):
            parts += self._object_parts(part)
        for branch in [*schema.get("anyOf", ()), *schema.get("oneOf", ())]:
            if "properties" in self._resolve(branch) or "allOf" in self._resolve(branch):
                parts += self._object_parts(branch)
        return parts

    def _item_schema(self, schema):
        schema = self._resolve(schema)
        if "items" in schema:
            return schema["items"]
        for branch in [*schema.get("anyOf", ()), *schema.get("oneOf", ())]:
            if "items" in self._resolve(branch):
                return self._resolve(branch)["items"]
        return None

    def _walk(self, value, schema):
        if isinstance(value, list):
            items = self._item_schema(schema)
            for item in value if items is not None else ():
                self._walk(item, items)
            return
        if not isinstance(value, dict):
            return
        parts = self._object_parts(schema)
        if not parts:
            return  # an open value (no declared properties): nothing to hold it to
        declared = {}
        for part in parts:
            declared.update(part["properties"])
        for name, item in value.items():
            if _is_annotation(name):
                continue
            if name not in declared:
                raise ServiceError(
                    400,
                    "Request_BadRequest",
                    f"Property '{name}' does not exist as a declared property or extension property.",
                )
            self._walk(item, declared[name])


def parse_filter(expression):
    """`$filter` as [(operator, property, value)]; only what our callers send is supported."""
    clauses, position = [], 0
    while True:
        match = FILTER_CLAUSE.match(expression, position)
        if match is None:
            raise ServiceError(
                400, "Request_UnsupportedQuery", f"Unsupported or invalid query filter clause: {expression}"
            )
        if match["guid"]:
            clauses.append(("eq", match["prop"], match["guid"]))
        elif match["prop"]:
            clauses.append(("eq", match["prop"], match["value"].replace("''", "'")))
        else:
            clauses.append(("startswith", match["prefix_prop"], match["prefix"].replace("''", "'")))
        position = match.end()
        if position == len(expression):
            return clauses
        conjunction = FILTER_AND.match(expression, position)
        if conjunction is None:
            raise ServiceError(
                400, "Request_UnsupportedQuery", f"Unsupported or invalid query filter clause: {expression}"
            )
        position = conjunction.end()


def _matches(obj, clauses):
    for operator, prop, value in clauses:
        if prop not in obj:
            raise ServiceError(400, "BadRequest", f"Could not find a property named '{prop}' on this type.")
        actual = str(obj[prop] if obj[prop] is not None else "").lower()
        if operator == "eq" and actual != value.lower():
            return False
        if operator == "startswith" and not actual.startswith(value.lower()):
            return False
    return True


def _encode_skiptoken(offset):
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_skiptoken(token):
    try:
        kind, _sep, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "offset" and offset.isdigit():
            return int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ServiceError(400, "Request_BadRequest", "The $skiptoken is invalid or expired.")


def _request_ids(request):
    """Graph's ids for one request: its own request-id, and the client's id echoed back."""
    request_id = str(uuid.uuid4())
    return {
        "request-id": request_id,
        "client-request-id": request.headers.get("client-request-id", request_id),
    }


@dataclass
class GraphCall:
    request: object
    directory: Directory
    caller_id: str
    permissions: set
    base_url: str

    @property
    def body(self):
        return read_json(self.request)

    def has(self, permission):
        return permission in self.permissions

    def require(self, permission):
        if not self.has(permission):
            raise forbidden()

    def require_any(self, permissions):
        if not any(self.has(p) for p in permissions):
            raise missing_role(self, permissions)

    def wants_create(self):
        return "create-if-missing" in self.request.headers.get("Prefer", "").lower()


class GraphService:
    name = "graph"
    prefix = "/graph/v1.0"
    logs_query = True

    def __init__(self, store, signer):
        self.store = store
        self.signer = signer
        self.schema = None
        self.url_map = Map([Submount(self.prefix, self._rules())], strict_slashes=False)

    def bind(self, base_url):
        """Load the request schema for the address the emulator serves on (once per start)."""
        self.schema = RequestSchema(base_url)

    # --- routing -------------------------------------------------------------

    def _rules(self):
        rules = [
            Rule("/applications", endpoint=self.list_applications, methods=["GET"]),
            Rule("/applications", endpoint=self.create_application, methods=["POST"]),
            Rule("/servicePrincipals", endpoint=self.list_service_principals, methods=["GET"]),
            Rule("/servicePrincipals", endpoint=self.create_service_principal, methods=["POST"]),
            Rule("/oauth2PermissionGrants", endpoint=self.list_grants, methods=["GET"]),
            Rule("/oauth2PermissionGrants", endpoint=self.create_grant, methods=["POST"]),
            Rule("/oauth2PermissionGrants/<grant_id>", endpoint=self.get_grant, methods=["GET"]),
            Rule("/oauth2PermissionGrants/<grant_id>", endpoint=self.update_grant, methods=["PATCH"]),
            Rule("/oauth2PermissionGrants/<grant_id>", endpoint=self.delete_grant, methods=["DELETE"]),
            Rule(
                "/servicePrincipals/<key>/oauth2PermissionGrants",
                endpoint=self.list_client_grants,
                methods=["GET"],
            ),
            Rule(V1_LABELS_PATH, endpoint=self.list_sensitivity_labels, methods=["GET"]),
            Rule(
                f"/users/<user>{V1_USER_LABELS_PATH}",
                endpoint=self.list_user_sensitivity_labels,
                methods=["GET"],
            ),
        ]
        deleted = "/directory/deletedItems"
        rules += [
            Rule(f"{deleted}/microsoft.graph.application", endpoint=self.list_deleted, methods=["GET"],
                 defaults={"kind": "application"}),
            Rule(f"{deleted}/microsoft.graph.servicePrincipal", endpoint=self.list_deleted, methods=["GET"],
                 defaults={"kind": "servicePrincipal"}),
            Rule(f"{deleted}/<item_id>", endpoint=self.get_deleted, methods=["GET"]),
            Rule(f"{deleted}/<item_id>", endpoint=self.purge_deleted, methods=["DELETE"]),
            Rule(f"{deleted}/<item_id>/restore", endpoint=self.restore_deleted, methods=["POST"]),
            Rule(f"{deleted}/<item_id>/microsoft.graph.restore", endpoint=self.restore_deleted, methods=["POST"]),
        ]
        for path, by in (
            ("/applications/<key>", "object_id"),
            ("/applications(appId='<key>')", "app_id"),
            ("/applications(uniqueName='<key>')", "unique_name"),
        ):
            rules += [
                Rule(path, endpoint=self.get_application, methods=["GET"], defaults={"by": by}),
                Rule(path, endpoint=self.update_application, methods=["PATCH"], defaults={"by": by}),
                Rule(path, endpoint=self.delete_application, methods=["DELETE"], defaults={"by": by}),
            ]
        actions = (
            ("addPassword", self.add_password),
            ("removePassword", self.remove_password),
            ("addKey", self.add_key),
            ("removeKey", self.remove_key),
        )
        for action, handler in actions:
            for name in (action, f"microsoft.graph.{action}"):
                rules.append(Rule(f"/applications/<key>/{name}", endpoint=handler, methods=["POST"]))
        for path, by in (
            ("/servicePrincipals/<key>", "object_id"),
            ("/servicePrincipals(appId='<key>')", "app_id"),
        ):
            rules += [
                Rule(path, endpoint=self.get_service_principal, methods=["GET"], defaults={"by": by}),
                Rule(path, endpoint=self.update_service_principal, methods=["PATCH"], defaults={"by": by}),
                Rule(path, endpoint=self.delete_service_principal, methods=["DELETE"], defaults={"by": by}),
            ]
        # The same assignments seen from the resource (appRoleAssignedTo) or the principal side.
        for segment, side in (("appRoleAssignedTo", "resourceId"), ("appRoleAssignments", "principalId")):
            collection = f"/servicePrincipals/<key>/{segment}"
            rules += [
                Rule(collection, endpoint=self.list_assignments, methods=["GET"], defaults={"side": side}),
                Rule(collection, endpoint=self.create_assignment, methods=["POST"], defaults={"side": side}),
                Rule(
                    f"{collection}/<assignment_id>",
                    endpoint=self.get_assignment,
                    methods=["GET"],
                    defaults={"side": side},
                ),
                Rule(
                    f"{collection}/<assignment_id>",
                    endpoint=self.delete_assignment,
                    methods=["DELETE"],
                    defaults={"side": side},
                ),
            ]
        return rules

    def handle(self, request):
        ids = _request_ids(request)
        try:
            endpoint, args = self._route(request)
            call = self._authenticate(request)
            if request.method in ("POST", "PATCH"):
                read_json(request)
            self._check_schema(request, endpoint)
            response = endpoint(call, **args)
        except ServiceError as error:
            response = self._error(error, ids)
        response.headers.update(ids)
        return response

    def _route(self, request):
        try:
            return route(self.url_map, request)
        except ServiceError as error:
            if error.status == 404:
                segment = request.path[len(self.prefix) :].strip("/").split("/")[0]
                raise ServiceError(
                    400, "BadRequest", f"Resource not found for the segment '{segment}'."
                ) from None
            raise

    def _check_schema(self, request, endpoint):
        # Per-user label lists and deleted items are outside the OpenAPI subset; everything else is checked.
        outside = (self.list_user_sensitivity_labels, self.list_deleted, self.get_deleted, self.purge_deleted,
                   self.restore_deleted)
        if endpoint not in outside:
            self.schema.check(request)

    def _authenticate(self, request):
        token = bearer_token(request)
        if token is None:
            raise unauthorized("Access token is empty.")
        try:
            claims = self.signer.verify(token, ALL_GRAPH_AUDIENCES)
        except InvalidToken as error:
            raise unauthorized(str(error)) from None
        tenant = self.store.tenant(claims["tid"])
        if tenant is None:
            raise unauthorized("Access token validation failure: the token's tenant does not exist.")
        if normalize_audience(claims["aud"]) not in map(normalize_audience, clouds.audiences(tenant.cloud, "graph")):
            raise unauthorized(f"Access token validation failure. Invalid audience '{claims['aud']}'.")
        permissions = set(claims.get("roles", [])) | set(claims.get("scp", "").split())
        return GraphCall(
            request=request,
            directory=Directory(self.store, tenant),
            caller_id=claims["oid"],
            permissions=permissions,
            base_url=request.host_url.rstrip("/"),
        )

    # --- responses -----------------------------------------------------------

    def _error(self, error, ids):
        body = {
            "error": {
                "code": error.code,
                "message": error.message,
                # Graph writes this date without a zone, unlike its other timestamps.
                "innerError": {"date": utc_now().strftime("%Y-%m-%dT%H:%M:%S"), **ids},
            }
        }
        return json_response(error.status, body, error.headers)

    def error_response(self, request, status, code, message):
        ids = _request_ids(request)
        response = self._error(ServiceError(status, code, message), ids)
        response.headers.update(ids)
        return response

    def _context(self, call, entity_set):
        return f"{call.base_url}{self.prefix}/$metadata#{entity_set}"

    def _select(self, call, obj):
        wanted = call.request.args.get("$select")
        if not wanted:
            return dict(obj)
        names = [name.strip() for name in wanted.split(",") if name.strip()]
        for name in names:
            if name not in obj:
                raise ServiceError(
                    400, "Request_BadRequest", f"Could not find a property named '{name}' on this type."
                )
        return {name: obj[name] for name in names}

    def _entity(self, call, obj, entity_set, status=200):
        return json_response(
            status,
            {"@odata.context": self._context(call, f"{entity_set}/$entity"), **self._select(call, obj)},
        )

    def _collection(self, call, items, entity_set):
        """One page of items after $filter, sized by $top or the configured page size."""
        args = call.request.args
        if args.get("$filter"):
            clauses = parse_filter(args["$filter"])
            items = [item for item in items if _matches(item, clauses)]
        page_size = int(args.get("$top") or self.store.config.page_size)
        offset = _decode_skiptoken(args["$skiptoken"]) if args.get("$skiptoken") else 0
        page = items[offset : offset + page_size]
        body = {
            "@odata.context": self._context(call, entity_set),
            "value": [self._select(call, i) for i in page],
        }
        if offset + page_size < len(items):
            query = dict(args.items(), **{"$skiptoken": _encode_skiptoken(offset + page_size)})
            body["@odata.nextLink"] = (
                f"{call.base_url}{call.request.path}?{urlencode(query, quote_via=quote, safe='$,()')}"
            )
        return json_response(200, body)

    # --- applications --------------------------------------------------------

    def _application(self, call, key, by):
        app = call.directory.find_application(**{by: key.replace("''", "'")})
        if app is None:
            raise not_found(key)
        return app

    def _require_application_write(self, call, app):
        if call.has(APPLICATION_READ_WRITE):
            return
        if call.has(APPLICATION_OWNED_BY) and call.directory.owns(call.caller_id, app):
            return
        raise forbidden()

    def _require_application_create(self, call):
        if not (call.has(APPLICATION_READ_WRITE) or call.has(APPLICATION_OWNED_BY)):
            raise forbidden()

    def list_applications(self, call):
        return self._collection(call, call.directory.applications(), "applications")

    def create_application(self, call):
        self._require_application_create(call)
        app = call.directory.create_application(call.body, owner_id=call.caller_id)
        return self._entity(call, app, "applications", status=201)

    def get_application(self, call, key, by):
        return self._entity(call, self._application(call, key, by), "applications")

    def update_application(self, call, key, by):
        name = key.replace("''", "'")
        app = call.directory.find_application(**{by: name})
        if app is None and by == "unique_name" and call.wants_create():
            return self._upsert_application(call, name)
        if app is None:
            raise not_found(key)
        self._require_application_write(call, app)
        call.directory.update_application(app, call.body)
        return empty_response(204)

    def _upsert_application(self, call, unique_name):
        """PATCH with Prefer: create-if-missing on a uniqueName nobody can see yet."""
        self._require_application_create(call)
        # Writes reach the primary copy: an object still replicating is updated, not duplicated.
        unreplicated = call.directory.find_application(unique_name=unique_name, replicated_only=False)
        if unreplicated is not None:
            self._require_application_write(call, unreplicated)
            call.directory.update_application(unreplicated, call.body)
            return empty_response(204)
        properties = dict(call.body, uniqueName=unique_name)
        app = call.directory.create_application(properties, owner_id=call.caller_id)
        return self._entity(call, app, "applications", status=201)

    def delete_application(self, call, key, by):
        app = self._application(call, key, by)
        self._require_application_write(call, app)
        call.directory.delete_application(app)
        return empty_response(204)

    def add_password(self, call, key):
        app = self._application(call, key, "object_id")
        self._require_application_write(call, app)
        requested = call.body.get("passwordCredential") or {}
        credential = call.directory.add_password(
            app, requested.get("displayName"), requested.get("endDateTime"), start_date_time=requested.get("startDateTime")
        )
        return json_response(
            200, {"@odata.context": self._context(call, "microsoft.graph.passwordCredential"), **credential}
        )

    def remove_password(self, call, key):
        app = self._application(call, key, "object_id")
        self._require_application_write(call, app)
        key_id = call.body.get("keyId")
        if not key_id:
            raise ServiceError(400, "Request_BadRequest", "The keyId parameter is required.")
        call.directory.remove_password(app, key_id)
        return empty_response(204)

    def add_key(self, call, key):
        app = self._application(call, key, "object_id")
        self._require_application_write(call, app)
        body = call.body
        if not body.get("keyCredential"):
            raise ServiceError(400, "Request_BadRequest", "The keyCredential parameter is required.")
        credential = call.directory.add_key(app, body["keyCredential"], body.get("proof"))
        return json_response(
            200, {"@odata.context": self._context(call, "microsoft.graph.keyCredential"), **credential}
        )

    def remove_key(self, call, key):
        app = self._application(call, key, "object_id")
        self._require_application_write(call, app)
        body = call.body
        if not body.get("keyId"):
            raise ServiceError(400, "Request_BadRequest", "The keyId parameter is required.")
        call.directory.remove_key(app, body["keyId"], body.get("proof"))
        return empty_response(204)

    # --- deleted items (directory recycle bin) --------------------------------

    def list_deleted(self, call, kind):
        self._require_application_create(call)
        items = (
            call.directory.tenant.deleted_applications
            if kind == "application"
            else call.directory.tenant.deleted_service_principals
        )
        return self._collection(call, list(items.values()), f"directory/deletedItems/microsoft.graph.{kind}")

    def _deleted(self, call, item_id):
        item = call.directory.deleted_item(item_id)
        if item is None:
            raise not_found(item_id)
        return item

    def _require_deleted_write(self, call, item):
        app_id = item["appId"]
        app = call.directory.tenant.deleted_applications.get(item["id"]) or call.directory.find_application(
            app_id=app_id, replicated_only=False
        )
        if call.has(APPLICATION_READ_WRITE):
            return
        if call.has(APPLICATION_OWNED_BY) and app is not None and call.directory.owns(call.caller_id, app):
            return
        raise forbidden()

    def get_deleted(self, call, item_id):
        return self._entity(call, self._deleted(call, item_id), "directory/deletedItems")

    def restore_deleted(self, call, item_id):
        item = self._deleted(call, item_id)
        self._require_deleted_write(call, item)
        restored = call.directory.restore(item)
        return self._entity(call, restored, "directoryObjects")

    def purge_deleted(self, call, item_id):
        item = self._deleted(call, item_id)
        self._require_deleted_write(call, item)
        call.directory.purge(item)
        return empty_response(204)

    # --- service principals --------------------------------------------------

    def _service_principal(self, call, key, by="object_id"):
        sp = call.directory.find_service_principal(**{by: key})
        if sp is None:
            raise not_found(key)
        return sp

    def _require_service_principal_write(self, call, app_id):
        """Write access to the service principal of app_id: all apps, or the caller's own."""
        if call.has(APPLICATION_READ_WRITE):
            return
        app = call.directory.find_application(app_id=app_id, replicated_only=False)
        if call.has(APPLICATION_OWNED_BY) and app is not None and call.directory.owns(call.caller_id, app):
            return
        raise forbidden()

    def list_service_principals(self, call):
        return self._collection(call, call.directory.service_principals(), "servicePrincipals")

    def create_service_principal(self, call):
        body = call.body
        self._require_service_principal_write(call, body.get("appId") or "")
        sp = call.directory.create_service_principal(body.get("appId"), body)
        return self._entity(call, sp, "servicePrincipals", status=201)

    def get_service_principal(self, call, key, by):
        return self._entity(call, self._service_principal(call, key, by), "servicePrincipals")

    def update_service_principal(self, call, key, by):
        sp = call.directory.find_service_principal(**{by: key})
        if sp is None and by == "app_id" and call.wants_create():
            self._require_service_principal_write(call, key)
            sp = call.directory.create_service_principal(key, call.body)
            return self._entity(call, sp, "servicePrincipals", status=201)
        if sp is None:
            raise not_found(key)
        self._require_service_principal_write(call, sp["appId"])
        call.directory.update_service_principal(sp, call.body)
        return empty_response(204)

    def delete_service_principal(self, call, key, by):
        sp = self._service_principal(call, key, by)
        self._require_service_principal_write(call, sp["appId"])
        call.directory.delete_service_principal(sp)
        return empty_response(204)

    # --- app role assignments ------------------------------------------------

    def list_assignments(self, call, key, side):
        sp = self._service_principal(call, key)
        if side == "resourceId":
            assignments = call.directory.app_role_assignments(resource_id=sp["id"])
        else:
            assignments = call.directory.app_role_assignments(principal_id=sp["id"])
        segment = "appRoleAssignedTo" if side == "resourceId" else "appRoleAssignments"
        return self._collection(call, assignments, f"servicePrincipals('{sp['id']}')/{segment}")

    def create_assignment(self, call, key, side):
        call.require(APP_ROLE_ASSIGNMENT_WRITE)
        sp = self._service_principal(call, key)
        body = call.body
        if (body.get(side) or sp["id"]).lower() != sp["id"]:
            raise ServiceError(
                400, "Request_BadRequest", f"The {side} in the body must be the service principal in the URL."
            )
        if side == "resourceId":
            resource, principal_id = sp, body.get("principalId")
        else:
            resource, principal_id = (
                call.directory.find_service_principal(object_id=body.get("resourceId") or ""),
                sp["id"],
            )
            if resource is None:
                raise ServiceError(400, "Request_BadRequest", "Not a valid reference update.")
        assignment = call.directory.assign_app_role(resource, principal_id, body.get("appRoleId"))
        return self._entity(call, assignment, "appRoleAssignments", status=201)

    def _assignment(self, call, key, side, assignment_id):
        sp = self._service_principal(call, key)
        assignment = call.directory.tenant.app_role_assignments.get(assignment_id)
        if assignment is None or assignment[side] != sp["id"]:
            raise not_found(assignment_id)
        return assignment

    def get_assignment(self, call, key, side, assignment_id):
        return self._entity(call, self._assignment(call, key, side, assignment_id), "appRoleAssignments")

    def delete_assignment(self, call, key, side, assignment_id):
        call.require(APP_ROLE_ASSIGNMENT_WRITE)
        assignment = self._assignment(call, key, side, assignment_id)
        del call.directory.tenant.app_role_assignments[assignment["id"]]
        return empty_response(204)

    # --- delegated permission grants -----------------------------------------

    def _grant(self, call, grant_id):
        grant = call.directory.tenant.permission_grants.get(grant_id)
        if grant is None:
            raise not_found(grant_id)
        return grant

    def list_grants(self, call):
        return self._collection(
            call, list(call.directory.tenant.permission_grants.values()), "oauth2PermissionGrants"
        )

    def list_client_grants(self, call, key):
        sp = self._service_principal(call, key)
        grants = [g for g in call.directory.tenant.permission_grants.values() if g["clientId"] == sp["id"]]
        return self._collection(call, grants, "oauth2PermissionGrants")

    def create_grant(self, call):
        call.require(PERMISSION_GRANT_WRITE)
        grant = call.directory.create_permission_grant(call.body)
        return self._entity(call, grant, "oauth2PermissionGrants", status=201)

    def get_grant(self, call, grant_id):
        return self._entity(call, self._grant(call, grant_id), "oauth2PermissionGrants")

    def update_grant(self, call, grant_id):
        call.require(PERMISSION_GRANT_WRITE)
        grant = self._grant(call, grant_id)
        changes = call.body
        for name, value in changes.items():
            if name != "scope" and not name.startswith("@odata") and value != grant.get(name):
                raise ServiceError(
                    400, "Request_BadRequest", f"Property '{name}' is read-only and cannot be set."
                )
        grant["scope"] = changes.get("scope", grant["scope"]) or ""
        return empty_response(204)

    def delete_grant(self, call, grant_id):
        call.require(PERMISSION_GRANT_WRITE)
        del call.directory.tenant.permission_grants[self._grant(call, grant_id)["id"]]
        return empty_response(204)

    # --- sensitivity labels --------------------------------------------------

    def _user(self, call, key):
        """A user of the tenant by object id or userPrincipalName, for the /users/{id}/... paths."""
        wanted = key.lower()
        for user in call.directory.tenant.users.values():
            if wanted in (user["id"], user["userPrincipalName"].lower()):
                return user
        raise not_found(key)

    def _v1_labels(self, call):
        """The v1.0 list; `sublabels` is a navigation property, inlined only with $expand=sublabels."""
        wanted = [name.strip() for name in call.request.args.get("$expand", "").split(",") if name.strip()]
        for name in wanted:
            if name != "sublabels":
                raise ServiceError(
                    400, "BadRequest", f"Could not find a property named '{name}' on type 'sensitivityLabel'."
                )
        return labels.v1_view(call.directory.tenant, expand_sublabels=bool(wanted))

    def require_label_api(self, call, version, segment):
        """A label API the tenant's cloud does not have is a segment its Graph does not know."""
        if not clouds.has_label_api(call.directory.tenant.cloud, version):
            raise ServiceError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")

    def list_sensitivity_labels(self, call):
        self.require_label_api(call, "v1.0", "dataSecurityAndGovernance")
        call.require_any(V1_LABEL_PERMISSIONS)
        return self._collection(
            call,
            self._v1_labels(call),
            "security/dataSecurityAndGovernance/sensitivityLabels",
        )

    def list_user_sensitivity_labels(self, call, user):
        self.require_label_api(call, "v1.0", "dataSecurityAndGovernance")
        call.require_any(V1_LABEL_PERMISSIONS)
        found = self._user(call, user)
        # Every label is published to every user here: no per-user label policies.
        return self._collection(
            call,
            self._v1_labels(call),
            f"users('{found['id']}')/dataSecurityAndGovernance/sensitivityLabels",
        )
