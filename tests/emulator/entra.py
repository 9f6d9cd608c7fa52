"""Microsoft Entra ID: OIDC discovery, signing keys and the client-credentials token endpoint.

Authority: {url}/entra/{tenant}, where tenant is a tenant id, its domain, or
organizations/common (discovery only: tokens need a real tenant).
"""

import base64
import hashlib
import uuid

import jwt
from werkzeug.routing import Map, Rule, Submount

from .directory import Directory, certificate_der
from .errors import ServiceError
from .state import parse_iso_time, utc_now
from .tokens import b64url, issuer_for
from .web import json_response, route

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MULTI_TENANT_AUTHORITIES = ("organizations", "common")
RESERVED_SCOPES = ("openid", "profile", "offline_access")


class TokenError(ServiceError):
    """An OAuth error answered with Entra's AADSTS code and wording."""

    def __init__(self, status, error, aadsts, description):
        super().__init__(status, error, description)
        self.aadsts = aadsts


def tenant_not_found(name):
    return TokenError(
        400,
        "invalid_request",
        90002,
        f"Tenant '{name}' not found. Check to make sure you have the correct tenant ID and are "
        "signing into the correct cloud. Check with your subscription administrator, this may "
        "happen if there are no active subscriptions for the tenant.",
    )


def bad_assertion(reason):
    return TokenError(
        401, "invalid_client", 700027, f"Client assertion failed signature validation. (Reason - {reason})"
    )


class EntraService:
    name = "entra"
    prefix = "/entra"
    # Credentials travel in the form body; the request log keeps only the path.
    logs_query = False

    def __init__(self, store, signer):
        self.store = store
        self.signer = signer
        self.url_map = Map(
            [
                Submount(
                    self.prefix,
                    [
                        Rule(
                            "/<tenant>/v2.0/.well-known/openid-configuration",
                            endpoint=self.openid_configuration,
                            methods=["GET"],
                        ),
                        Rule("/<tenant>/discovery/v2.0/keys", endpoint=self.keys, methods=["GET"]),
                        Rule("/<tenant>/oauth2/v2.0/token", endpoint=self.token, methods=["POST"]),
                    ],
                )
            ]
        )

    def handle(self, request):
        try:
            endpoint, args = route(self.url_map, request)
            return endpoint(request, **args)
        except ServiceError as error:
            return self.render_error(request, error)

    def error_response(self, request, status, code, message):
        """A fault's answer in Entra's shape; 429 and 5xx read as temporarily_unavailable."""
        error = "temporarily_unavailable" if status == 429 or status >= 500 else "invalid_request"
        return self.render_error(request, TokenError(status, error, None, f"{code}: {message}"))

    def render_error(self, request, error):
        if not isinstance(error, TokenError):
            # Routing errors (unknown path, wrong method) still answer in Entra's shape.
            error = TokenError(error.status, "invalid_request", None, error.message)
        trace_id = str(uuid.uuid4())
        correlation_id = request.headers.get("client-request-id") or str(uuid.uuid4())
        timestamp = utc_now().strftime("%Y-%m-%d %H:%M:%SZ")
        prefix = f"AADSTS{error.aadsts}: " if error.aadsts else ""
        body = {
            "error": error.code,
            "error_description": f"{prefix}{error.message}\r\nTrace ID: {trace_id}\r\n"
            f"Correlation ID: {correlation_id}\r\nTimestamp: {timestamp}",
            "error_codes": [error.aadsts] if error.aadsts else [],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
        }
        if error.aadsts:
            body["error_uri"] = f"https://login.microsoftonline.com/error?code={error.aadsts}"
        return json_response(error.status, body, error.headers)

    # --- discovery -----------------------------------------------------------

    def _tenant(self, name):
        """The tenant an authority segment names, by id or domain."""
        tenant = self.store.tenant(name)
        if tenant is None:
            tenant = next((t for t in self.store.tenants.values() if t.domain == name.lower()), None)
        return tenant

    def openid_configuration(self, request, tenant):
        base = request.host_url.rstrip("/")
        if tenant.lower() in MULTI_TENANT_AUTHORITIES:
            issuer_tenant = "{tenantid}"
        else:
            known = self._tenant(tenant)
            if known is None:
                raise tenant_not_found(tenant)
            issuer_tenant = known.tenant_id
        authority = f"{base}/entra/{tenant}"
        return json_response(
            200,
            {
                "issuer": issuer_for(base, issuer_tenant),
                "authorization_endpoint": f"{authority}/oauth2/v2.0/authorize",
                "token_endpoint": f"{authority}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{authority}/oauth2/v2.0/devicecode",
                "end_session_endpoint": f"{authority}/oauth2/v2.0/logout",
                "jwks_uri": f"{authority}/discovery/v2.0/keys",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "request_uri_parameter_supported": False,
                "tenant_region_scope": None,
                "cloud_instance_name": "microsoftonline.com",
                "msgraph_host": "graph.microsoft.com",
            },
        )

    def keys(self, request, tenant):
        return json_response(200, self.signer.jwks())

    # --- token endpoint ------------------------------------------------------

    def token(self, request, tenant):
        known = self._tenant(tenant)
        if known is None:
            raise tenant_not_found(tenant)
        grant_type = request.form.get("grant_type", "")
        if grant_type != "client_credentials":
            raise TokenError(
                400,
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{grant_type}'.",
            )
        directory = Directory(self.store, known)
        app, client = self._client(directory, request.form.get("client_id"))
        authenticated_by = self._authenticate_client(request, directory, app, tenant)
        resource = self._requested_resource(request.form.get("scope", ""))
        token, _unused = self._issue(
            directory, app, client, authenticated_by, resource, request.host_url.rstrip("/")
        )
        body = {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599}
        return json_response(200, {**body, "access_token": token})

    def _issue(self, directory, app, client, authenticated_by, resource, base_url):
        """An app-only access token for resource and the roles it carries."""
        claims = {
            "aud": resource,
            "iss": issuer_for(base_url, directory.tenant.tenant_id),
            "tid": directory.tenant.tenant_id,
            "appid": app["appId"],
            "azp": app["appId"],
            "appidacr": authenticated_by,
            "oid": client["id"],
            "sub": client["id"],
            "idtyp": "app",
        }
        roles = directory.granted_role_values(client["id"], self._resource_principal(directory, resource))
        if roles:
            claims["roles"] = roles
        return self.signer.issue(claims), roles

    def app_token_for_secret(self, tenant_name, client_id, client_secret, resource, base_url):
        """(access token, roles) for a client secret, exactly as the token endpoint would decide.

        Other emulated services (ZIA validating a connector) sign in through this
        instead of over HTTPS: the caller already holds the store lock. Raises
        TokenError with the AADSTS code the endpoint would answer.
        """
        known = self._tenant(tenant_name)
        if known is None:
            raise tenant_not_found(tenant_name)
        directory = Directory(self.store, known)
        app, client = self._client(directory, client_id)
        if not client_secret:
            raise TokenError(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: "
                "'client_assertion' or 'client_secret'.",
            )
        self._check_secret(directory, app, client_secret)
        return self._issue(directory, app, client, "1", resource, base_url)

    def _client(self, directory, client_id):
        """The application and service principal signing in; both must be known to this tenant."""
        if not client_id:
            raise TokenError(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'client_id'.",
            )
        app = directory.find_application(app_id=client_id)
        client = directory.find_service_principal(app_id=client_id)
        if app is None or client is None:
            raise TokenError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{directory.tenant.tenant_id}'. This can happen if the application has not been "
                "installed by the administrator of the tenant or consented to by any user in the "
                "tenant. You may have sent your authentication request to the wrong tenant.",
            )
        return app, client

    def _resource_principal(self, directory, resource):
        principal = directory.find_resource(resource)
        if principal is None:
            raise TokenError(
                400,
                "invalid_resource",
                500011,
                f"The resource principal named {resource} was not found in the tenant named "
                f"{directory.tenant.tenant_id}. This can happen if the application has not been "
                "installed by the administrator of the tenant or consented to by any user in the "
                "tenant. You might have sent your authentication request to the wrong tenant.",
            )
        return principal

    def _requested_resource(self, scope):
        """The resource of the single '<resource>/.default' scope client credentials allow."""
        scopes = [s for s in scope.split() if s not in RESERVED_SCOPES]
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            scopes = []
        resource = scopes[0][: -len("/.default")].rstrip("/") if scopes else ""
        if not resource:
            raise TokenError(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {scope} is not valid. Client credential flows must "
                "have a scope value with /.default suffixed to the resource identifier "
                "(application ID URI).",
            )
        return resource

    def _authenticate_client(self, request, directory, app, tenant_segment):
        """Check the client secret or assertion; answers the appidacr claim ('1' secret, '2' certificate)."""
        form = request.form
        if form.get("client_secret"):
            self._check_secret(directory, app, form["client_secret"])
            return "1"
        if form.get("client_assertion_type") == CLIENT_ASSERTION_TYPE and form.get("client_assertion"):
            base = request.host_url.rstrip("/")
            audiences = {
                f"{base}/entra/{segment}/oauth2/v2.0/token"
                for segment in (tenant_segment, directory.tenant.tenant_id)
            }
            self._check_assertion(directory, app, form["client_assertion"], audiences)
            return "2"
        raise TokenError(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or "
            "'client_secret'.",
        )

    def _check_secret(self, directory, app, secret):
        verdict = directory.check_client_secret(app, secret)
        if verdict == "expired":
            raise TokenError(
                401,
                "invalid_client",
                7000222,
                f"The provided client secret keys for app '{app['appId']}' are expired. Visit the "
                "Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or "
                "consider using certificate credentials for added security: https://aka.ms/certCreds.",
            )
        if verdict == "invalid":
            raise TokenError(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the "
                "client secret value, not the client secret ID, for a secret added to app "
                f"'{app['appId']}'.",
            )

    def _check_assertion(self, directory, app, assertion, audiences):
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.InvalidTokenError:
            raise TokenError(401, "invalid_client", 50027, "JWT token is invalid or malformed.") from None
        credential, certificate = self._signing_certificate(directory, app, header)
        if parse_iso_time(credential["endDateTime"]) <= utc_now():
            raise bad_assertion(
                f"The key used is expired. Thumbprint of key used by client: "
                f"'{credential['customKeyIdentifier']}'"
            )
        try:
            claims = jwt.decode(
                assertion,
                certificate.public_key(),
                algorithms=["RS256", "PS256"],
                audience=sorted(audiences),
                issuer=app["appId"],
                options={"require": ["exp", "aud", "iss", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError(
                401, "invalid_client", 700024, "Client assertion is not within its valid time range."
            ) from None
        except jwt.InvalidTokenError as error:
            raise bad_assertion(str(error)) from None
        if claims["sub"].lower() != app["appId"]:
            raise bad_assertion("The 'sub' claim must be the client id.")

    def _signing_certificate(self, directory, app, header):
        """The app's registered certificate the assertion header points at (x5t, x5t#S256 or x5c)."""
        x5c = header.get("x5c") or []
        first_x5c = x5c[0] if isinstance(x5c, list) and x5c else x5c
        # Thumbprints are base64url; MSAL keeps the '=' padding, Entra accepts it either way.
        x5t = str(header.get("x5t", "")).rstrip("=")
        x5t_sha256 = str(header.get("x5t#S256", "")).rstrip("=")
        for credential, certificate in directory.certificates(app):
            der = certificate_der(certificate)
            if x5t and x5t == b64url(hashlib.sha1(der).digest()):
                return credential, certificate
            if x5t_sha256 and x5t_sha256 == b64url(hashlib.sha256(der).digest()):
                return credential, certificate
            if first_x5c and first_x5c == base64.b64encode(der).decode():
                return credential, certificate
        raise bad_assertion("The key was not found.")
