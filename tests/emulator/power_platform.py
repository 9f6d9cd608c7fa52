"""Power Platform admin API (api.bap.microsoft.com): registering management applications.

Only a Power Platform administrator, signed in as a user, may register one:
an application's own token is refused.
"""

import uuid

from werkzeug.routing import Map, Rule, Submount

from .catalog import GLOBAL_ADMINISTRATOR_ROLE, POWER_APPS_APP_ID, POWER_PLATFORM_ADMINISTRATOR_ROLE
from .directory import Directory
from .errors import ServiceError
from .tokens import InvalidToken
from .web import bearer_token, empty_response, json_response, route

AUDIENCES = ("https://service.powerapps.com", POWER_APPS_APP_ID)
API_VERSION = "2020-10-01"
ADMIN_APPLICATIONS = "/providers/Microsoft.BusinessAppPlatform/adminApplications"
ADMIN_ROLES = (GLOBAL_ADMINISTRATOR_ROLE, POWER_PLATFORM_ADMINISTRATOR_ROLE)


class PowerPlatformService:
    name = "bap"
    prefix = "/bap"
    logs_query = True

    def __init__(self, store, signer):
        self.store = store
        self.signer = signer
        item = f"{ADMIN_APPLICATIONS}/<app_id>"
        self.url_map = Map(
            [
                Submount(
                    self.prefix,
                    [
                        Rule(ADMIN_APPLICATIONS, endpoint=self.list_registrations, methods=["GET"]),
                        Rule(item, endpoint=self.get_registration, methods=["GET"]),
                        Rule(item, endpoint=self.register, methods=["PUT"]),
                        Rule(item, endpoint=self.unregister, methods=["DELETE"]),
                    ],
                )
            ]
        )

    def handle(self, request):
        try:
            endpoint, args = route(self.url_map, request)
            tenant = self._authenticate_admin(request)
            self._check_api_version(request)
            response = endpoint(tenant, **args)
        except ServiceError as error:
            response = self._error(error)
        response.headers["x-ms-request-id"] = str(uuid.uuid4())
        return response

    def error_response(self, request, status, code, message):
        response = self._error(ServiceError(status, code, message))
        response.headers["x-ms-request-id"] = str(uuid.uuid4())
        return response

    def _error(self, error):
        return json_response(
            error.status, {"error": {"code": error.code, "message": error.message}}, error.headers
        )

    def _authenticate_admin(self, request):
        token = bearer_token(request)
        if token is None:
            raise ServiceError(401, "MissingAuthenticationToken", "The request is missing an access token.")
        try:
            claims = self.signer.verify(token, AUDIENCES)
        except InvalidToken as error:
            raise ServiceError(401, "InvalidAuthenticationToken", str(error)) from None
        tenant = self.store.tenant(claims["tid"])
        if tenant is None:
            raise ServiceError(
                401, "InvalidAuthenticationToken", "The access token is from an unknown tenant."
            )
        if claims.get("idtyp") == "app" or not claims.get("upn") or "scp" not in claims:
            raise ServiceError(
                403,
                "UserTokenRequired",
                "Registering management applications needs a delegated token of a signed-in Power "
                "Platform administrator; an application (app-only) token is not accepted.",
            )
        if not set(claims.get("wids", [])) & set(ADMIN_ROLES):
            raise ServiceError(
                403,
                "Forbidden",
                f"The user '{claims['upn']}' is not a Power Platform administrator or Global administrator.",
            )
        return tenant

    def _check_api_version(self, request):
        version = request.args.get("api-version")
        if version != API_VERSION:
            raise ServiceError(
                400,
                "InvalidApiVersion",
                f"The api-version '{version}' is not supported; use '{API_VERSION}'.",
            )

    def list_registrations(self, tenant):
        return json_response(200, {"value": list(tenant.admin_applications.values())})

    def get_registration(self, tenant, app_id):
        registration = tenant.admin_applications.get(app_id.lower())
        if registration is None:
            raise ServiceError(
                404, "NotFound", f"The application '{app_id}' is not registered as a management application."
            )
        return json_response(200, registration)

    def register(self, tenant, app_id):
        app_id = app_id.lower()
        if Directory(self.store, tenant).find_application(app_id=app_id, replicated_only=False) is None:
            raise ServiceError(
                400,
                "InvalidApplicationId",
                f"The application '{app_id}' does not exist in tenant '{tenant.tenant_id}'.",
            )
        registration = tenant.admin_applications.setdefault(app_id, {"applicationId": app_id})
        return json_response(200, registration)

    def unregister(self, tenant, app_id):
        if tenant.admin_applications.pop(app_id.lower(), None) is None:
            return empty_response(204)
        return empty_response(200)
