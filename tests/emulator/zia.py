"""Zscaler Internet Access under /zia/api/v1: the documented SaaS-tenant reads, activation,
legacy sessions, and OUR write contract for MIP accounts (README: "ZIA").

Order of checks: route, caller (OneAPI token or JSESSIONID), write contract,
rate limit, maintenance, edit lock, then the handler. Errors are ZIA's
{"code", "message"}; every answer carries an x-request-id header.
"""

import time
import uuid
from dataclasses import dataclass

from werkzeug.routing import Map, Rule, Submount

from .entra import TokenError
from .errors import ServiceError
from .web import empty_response, json_response, read_json, route
from .zia_auth import caller, login, logout, session_cookie
from .zia_limits import describe_limit, kind_of, retry_after
from .zia_state import (
    CUSTOM,
    MIP,
    MIP_GRAPH_ROLE,
    VALIDATION_FAILED,
    VALIDATION_SUCCESS,
    ZSCALER_DEFINED,
    Validation,
    activate,
    settle,
    stage,
)

GRAPH_RESOURCE = "https://graph.microsoft.com"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# ZIA's code for a bare status, used for faults and routing errors.
ZIA_CODES = {
    400: "INVALID_INPUT_ARGUMENT",
    401: "AUTHENTICATION_FAILED",
    403: "NOT_AUTHORIZED",
    404: "RESOURCE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "EDIT_LOCK_NOT_AVAILABLE",
    429: "RATE_LIMIT_EXCEEDED",
}
SESSION_INFO = {
    "authType": "ADMIN_LOGIN",
    "obfuscateApiKey": False,
    "passwordExpiryTime": 0,
    "passwordExpiryDays": 0,
}


class ZiaError(ServiceError):
    """A ServiceError whose body carries fields beyond code and message (a 429's Retry-After)."""

    def __init__(self, status, code, message, headers=None, extra=None):
        super().__init__(status, code, message, headers)
        self.extra = extra or {}


def invalid(message):
    return ServiceError(400, "INVALID_INPUT_ARGUMENT", message)


def not_found(tenant_id):
    return ServiceError(404, "RESOURCE_NOT_FOUND", f"SaaS application tenant {tenant_id} does not exist.")


@dataclass
class ZiaCall:
    request: object
    org: object
    now: float
    # Who calls: "session:<id>" or "token:<token>", to know which session staged a change.
    credential: str = ""

    @property
    def base_url(self):
        return self.request.host_url.rstrip("/")


class ZiaService:
    name = "zia"
    prefix = "/zia/api/v1"
    logs_query = True

    def __init__(self, store, cloud, entra):
        self.store = store
        self.cloud = cloud
        self.entra = entra
        self.url_map = Map([Submount(self.prefix, self._rules())], strict_slashes=False)
        self._writes = (self.create_account, self.update_account, self.delete_account)

    def _rules(self):
        tenant = "/casbTenant/<int:tenant_id>"
        return [
            Rule("/authenticatedSession", endpoint=self.session_login, methods=["POST"]),
            Rule("/authenticatedSession", endpoint=self.session_info, methods=["GET"]),
            Rule("/authenticatedSession", endpoint=self.session_logout, methods=["DELETE"]),
            Rule("/status", endpoint=self.config_status, methods=["GET"]),
            Rule("/status/activate", endpoint=self.activate, methods=["POST"]),
            Rule("/casbTenant/lite", endpoint=self.list_tenants, methods=["GET"]),
            Rule("/casbTenant/scanInfo", endpoint=self.scan_info, methods=["GET"]),
            Rule(
                "/casbTenant/validate/status/<int:tenant_id>",
                endpoint=self.validation_status,
                methods=["GET"],
            ),
            Rule(f"{tenant}/tags/policy", endpoint=self.tags, methods=["GET"]),
            Rule("/casbTenant", endpoint=self.create_account, methods=["POST"]),
            Rule(tenant, endpoint=self.update_account, methods=["PUT"]),
            Rule(tenant, endpoint=self.delete_account, methods=["DELETE"]),
        ]

    # --- the request pipeline ----------------------------------------------------

    def handle(self, request):
        try:
            response = self._dispatch(request)
        except ServiceError as error:
            response = self._error(error)
        response.headers["x-request-id"] = str(uuid.uuid4())
        return response

    def _dispatch(self, request):
        endpoint, args = self._route(request)
        _require_json_body(request)
        now = time.time()
        if endpoint == self.session_login:
            return endpoint(request, now)
        org, credential = caller(self.cloud, request, now)
        call = ZiaCall(request, org, now, credential)
        if endpoint in self._writes and not self.cloud.config.write_contract:
            raise not_found_endpoint(request)
        limit_headers = self._count(call, request)
        if request.method != "GET" and endpoint not in (self.session_info, self.session_logout):
            self._check_writable()
        settle(self.cloud, self.store, call.org, now)
        response = endpoint(call, **args)
        response.headers.update(limit_headers)
        return response

    def _route(self, request):
        try:
            return route(self.url_map, request)
        except ServiceError as error:
            if error.status == 404:
                raise not_found_endpoint(request) from None
            raise ServiceError(405, "METHOD_NOT_ALLOWED", error.message) from None

    def _count(self, call, request):
        """Apply the org's rate limit for this kind of request; sessions are not counted here."""
        if not self.cloud.config.rate_limits or request.path.endswith("/authenticatedSession"):
            return {}
        kind = kind_of(request.method, request.path)
        wait, broken, headers = self.cloud.limiter.take(call.org.org_id, kind)
        call.org.counted["429" if wait else kind] += 1
        call.org.last_counted = call.now
        if wait:
            retry_headers, extra = retry_after(self.cloud.config.retry_after_form, wait)
            raise ZiaError(
                429, "RATE_LIMIT_EXCEEDED", describe_limit(*broken), {**headers, **retry_headers}, extra
            )
        return headers

    def _check_writable(self):
        config = self.cloud.config
        if config.maintenance:
            raise ServiceError(403, "STATE_READONLY", "The ZIA Admin Portal is read-only during maintenance.")
        if config.edit_lock_writes > 0:
            config.edit_lock_writes -= 1
            raise ServiceError(
                409, "EDIT_LOCK_NOT_AVAILABLE", "Another admin holds the edit lock. Try again in a moment."
            )

    def _error(self, error):
        body = {"code": error.code, "message": error.message, **getattr(error, "extra", {})}
        return json_response(error.status, body, error.headers)

    def error_response(self, request, status, code, message):
        """A fault's answer in ZIA's shape: ZIA's own code for the status."""
        response = self._error(ServiceError(status, ZIA_CODES.get(status, "UNEXPECTED_ERROR"), message))
        response.headers["x-request-id"] = str(uuid.uuid4())
        return response

    # --- sessions and activation -------------------------------------------------

    def session_login(self, request, now):
        session_id = login(self.cloud, read_json(request, invalid_code="INVALID_INPUT_ARGUMENT"), now)
        return json_response(200, SESSION_INFO, {"Set-Cookie": session_cookie(session_id)})

    def session_info(self, call):
        return json_response(200, SESSION_INFO)

    def session_logout(self, call):
        logout(self.cloud, call.org, call.credential, call.now)
        return empty_response(204)

    def config_status(self, call):
        return json_response(200, {"status": call.org.config_status(call.now)})

    def activate(self, call):
        return json_response(200, {"status": activate(call.org, self.cloud.config, call.now)})

    # --- documented reads ----------------------------------------------------------

    def list_tenants(self, call):
        include_deleted = call.request.args.get("includeDeleted", "").lower() == "true"
        # activeOnly, appType, app and the other filters are accepted and ignored: clients filter.
        tenants = call.org.tenants.values() if include_deleted else call.org.live_tenants()
        ordered = sorted(tenants, key=lambda t: t.tenant_id)
        return json_response(200, [lite_view(t, call.now) for t in self._page(call, ordered)])

    def scan_info(self, call):
        ordered = sorted(call.org.live_tenants(), key=lambda t: t.tenant_id)
        return json_response(200, [scan_view(t) for t in self._page(call, ordered)])

    def validation_status(self, call, tenant_id):
        return json_response(200, validation_view(self._tenant(call, tenant_id, include_deleted=True)))

    def tags(self, call, tenant_id):
        tenant = self._tenant(call, tenant_id)
        ordered = sorted(tenant.tags.values(), key=lambda tag: (tag["deleted"], tag["priority"]))
        return json_response(200, [dict(tag, tenantId=tenant.tenant_id) for tag in self._page(call, ordered)])

    def _tenant(self, call, tenant_id, include_deleted=False):
        tenant = call.org.tenants.get(tenant_id)
        if tenant is None or (tenant.deleted and not include_deleted):
            raise not_found(tenant_id)
        return tenant

    def _page(self, call, items):
        """ZIA paging: 1-based `page`, `pageSize` up to 1000 (larger asks are cut to 1000)."""
        page = _int_arg(call.request, "page", 1)
        size = min(_int_arg(call.request, "pageSize", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        if page < 1 or size < 1:
            raise invalid("page and pageSize must be positive.")
        return items[(page - 1) * size : page * size]

    # --- OUR write contract ----------------------------------------------------------

    def create_account(self, call):
        fields = account_fields(read_json(call.request, invalid_code="INVALID_INPUT_ARGUMENT"), None)
        if fields["connectorType"] == ZSCALER_DEFINED:
            raise invalid(
                "A Zscaler-defined connector needs a Microsoft sign-in: add this MIP account in the "
                "ZIA Admin Portal (Policies > Data Protection > Common Resources > MIP Labels)."
            )
        if "clientId" not in fields:
            raise invalid("tenantAuthorizationInfo with clientId and clientSecret is required for CUSTOM.")
        self._refuse_duplicate(call.org, fields["tenantName"])
        tenant = self.cloud.new_tenant(call.org, fields["tenantName"], MIP, fields["enterpriseTenantId"])
        tenant.app_tenant_ref["name"] = fields["clientId"]
        self._apply(call, tenant, fields, revalidate=True)
        return json_response(200, lite_view(tenant, call.now))

    def update_account(self, call, tenant_id):
        tenant = self._tenant(call, tenant_id)
        if not tenant.is_mip:
            raise invalid(f"SaaS application tenant {tenant_id} is not an MIP account.")
        body = read_json(call.request, invalid_code="INVALID_INPUT_ARGUMENT")
        if body.get("tenantId") not in (None, tenant_id):
            raise invalid("tenantId in the body must match the path.")
        fields = account_fields(body, tenant)
        self._refuse_duplicate(call.org, fields["tenantName"], tenant)
        _check_connector_change(tenant, fields)
        revalidate = fields["connectorType"] == CUSTOM and (
            fields.get("reAuth") or _sign_in_changed(tenant, fields)
        )
        self._apply(call, tenant, fields, revalidate=revalidate)
        return json_response(200, lite_view(tenant, call.now))

    def delete_account(self, call, tenant_id):
        tenant = self._tenant(call, tenant_id)
        tenant.deleted = True
        tenant.retrieval_due = None
        tenant.modified_time = int(call.now)
        stage(call.org, call.credential)
        return empty_response(204)

    def _refuse_duplicate(self, org, name, this=None):
        for other in org.live_tenants():
            if other is not this and other.name.lower() == name.lower():
                raise ServiceError(
                    409, "DUPLICATE_ITEM", f"A SaaS application tenant named '{name}' already exists."
                )

    def _apply(self, call, tenant, fields, revalidate):
        """Stage the change (the org's configuration becomes PENDING) and validate when asked."""
        tenant.name = fields["tenantName"]
        tenant.enterprise_tenant_id = fields["enterpriseTenantId"]
        tenant.connector_type = fields["connectorType"]
        if "clientId" in fields:
            tenant.client_id, tenant.client_secret = fields["clientId"], fields["clientSecret"]
            tenant.app_tenant_ref["name"] = fields["clientId"]
        tenant.label_retrieval = fields.get("labelRetrieval", tenant.label_retrieval)
        tenant.inactive = fields.get("tenantInactive", tenant.inactive)
        tenant.modified_time = int(call.now)
        if revalidate:
            tenant.validation = validate_connector(self.entra, tenant, call.base_url, call.now)
        stage(call.org, call.credential)


def _require_json_body(request):
    """ZIA documents 415 Unsupported Media Type for a POST or PUT without
    Content-Type: application/json, also when the body is empty (POST /status/activate)."""
    if request.method in ("POST", "PUT") and request.mimetype != "application/json":
        raise ServiceError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "Unsupported Media Type: send the request with Content-Type: application/json.",
        )


def _check_connector_change(tenant, fields):
    """What only a Microsoft sign-in in the Admin Portal can do is refused."""
    if fields["connectorType"] == ZSCALER_DEFINED:
        if tenant.connector_type == CUSTOM:
            raise invalid("A CUSTOM connector cannot become Zscaler-defined: that needs a Microsoft sign-in.")
        if fields.get("reAuth") or "clientId" in fields:
            raise invalid(
                "A Zscaler-defined connector is re-authorized by a Microsoft sign-in in the Admin Portal."
            )
        if fields["enterpriseTenantId"] != tenant.enterprise_tenant_id:
            raise invalid("A Zscaler-defined connector moves to another tenant only by a Microsoft sign-in.")
    elif tenant.connector_type != CUSTOM and "clientId" not in fields:
        raise invalid("tenantAuthorizationInfo with clientId and clientSecret is required for CUSTOM.")


def _sign_in_changed(tenant, fields):
    """Whether ZIA would sign in as someone else now: other credentials, tenant or connector."""
    credentials = (fields.get("clientId", tenant.client_id), fields.get("clientSecret", tenant.client_secret))
    return (
        credentials != (tenant.client_id, tenant.client_secret)
        or fields["enterpriseTenantId"] != tenant.enterprise_tenant_id
        or fields["connectorType"] != tenant.connector_type
    )


def not_found_endpoint(request):
    return ServiceError(404, "RESOURCE_NOT_FOUND", f"No API resource at {request.method} {request.path}.")


def _int_arg(request, name, default):
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid(f"{name} must be an integer.") from None


# --- request bodies ------------------------------------------------------------------


def account_fields(body, existing):
    """The contract's fields, checked; on update, absent optional fields keep their stored value."""
    fields = {
        "tenantName": _name(body.get("tenantName")),
        "enterpriseTenantId": _guid(body.get("enterpriseTenantId"), "enterpriseTenantId"),
        "connectorType": body.get("connectorType") or (existing.connector_type if existing else CUSTOM),
    }
    if body.get("saasApplication") != MIP:
        raise invalid("saasApplication must be MIP.")
    if fields["connectorType"] not in (CUSTOM, ZSCALER_DEFINED):
        raise invalid("connectorType must be CUSTOM or ZSCALER_DEFINED.")
    for flag in ("labelRetrieval", "tenantInactive", "reAuth"):
        if flag in body:
            if not isinstance(body[flag], bool):
                raise invalid(f"{flag} must be true or false.")
            fields[flag] = body[flag]
    info = body.get("tenantAuthorizationInfo")
    if info is not None:
        if not isinstance(info, dict):
            raise invalid("tenantAuthorizationInfo must be an object.")
        fields["clientId"] = _guid(info.get("clientId"), "tenantAuthorizationInfo.clientId")
        secret = info.get("clientSecret")
        if not isinstance(secret, str) or not secret:
            raise invalid("tenantAuthorizationInfo.clientSecret is required.")
        fields["clientSecret"] = secret
    return fields


def _name(value):
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise invalid("tenantName must be a non-empty string of at most 255 characters.")
    return value.strip()


def _guid(value, name):
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise invalid(f"{name} must be a GUID.") from None


# --- validation against the emulated Entra ---------------------------------------------


def validate_connector(entra, tenant, base_url, now):
    """What ZIA does on save: sign in as the connector app and check it may read the labels."""
    try:
        token, roles = entra.app_token_for_secret(
            tenant.enterprise_tenant_id, tenant.client_id, tenant.client_secret, GRAPH_RESOURCE, base_url
        )
    except TokenError as error:
        prefix = f"AADSTS{error.aadsts}: " if error.aadsts else ""
        return Validation(
            ok=False, time=int(now), error_code=error.aadsts or 0, message=prefix + error.message
        )
    if MIP_GRAPH_ROLE not in roles:
        return Validation(
            ok=False,
            time=int(now),
            error_code=403,
            message=f"The application '{tenant.client_id}' has no admin consent for the Microsoft Graph "
            f"application permission {MIP_GRAPH_ROLE} in tenant '{tenant.enterprise_tenant_id}'.",
        )
    return Validation(ok=True, time=int(now), access_token=token)


# --- read models --------------------------------------------------------------------------


def lite_view(tenant, now):
    """A /casbTenant/lite entry, keys in the order of the recorded sample, then our contract's."""
    view = {
        "tenantId": tenant.tenant_id,
        "enterpriseTenantId": tenant.enterprise_tenant_id,
        "zscalerAppTenantId": dict(tenant.app_tenant_ref),
        "encryptedTenantIdentityInfo": tenant.identity_info,
        "tenantName": tenant.name,
        "saasApplication": tenant.saas_application,
        "status": tenant.statuses(now),
        "modifiedTime": tenant.modified_time,
        "lastTenantValidationTime": tenant.validation.time if tenant.validation else 0,
        "tenantDeleted": tenant.deleted,
        "tenantWebhookEnabled": False,
    }
    if tenant.tags_scan:
        view["tagsScanInfo"] = dict(tenant.tags_scan)
    view["reAuth"] = bool(tenant.is_mip and not (tenant.validation and tenant.validation.ok))
    view["featuresSupported"] = list(tenant.features)
    if tenant.is_mip:
        view.update(
            connectorType=tenant.connector_type,
            labelRetrieval=tenant.label_retrieval,
            tenantInactive=tenant.inactive,
        )
    return view


def validation_view(tenant):
    """CasbTenantValidationResponse, credentials included as ZIA answers them: callers must scrub."""
    validation = tenant.validation or Validation(ok=False, time=0)
    return {
        "tenantId": tenant.tenant_id,
        "tenantName": tenant.name,
        "status": [VALIDATION_SUCCESS if validation.ok else VALIDATION_FAILED],
        "lastTenantValidationTime": validation.time,
        "lastValidationMsg": {"errorCode": validation.error_code, "errorMsg": validation.message},
        "tenantDeleted": tenant.deleted,
        "tenantAuthorizationInfo": {
            "type": tenant.connector_type or tenant.saas_application,
            "clientId": tenant.client_id,
            "clientSecret": tenant.client_secret,
            "tenantId": tenant.enterprise_tenant_id,
            "accessToken": validation.access_token,
        },
    }


def scan_view(tenant):
    view = {
        "tenantId": tenant.tenant_id,
        "tenantName": tenant.name,
        "saasApplication": tenant.saas_application,
        "scanAction": 0,
        "scanInfo": {"cur_scan_start_time": 0, "prev_scan_end_time": 0, "scan_reset_num": 0},
    }
    if tenant.tags_scan:
        view["tagsScanInfo"] = dict(tenant.tags_scan)
    return view
