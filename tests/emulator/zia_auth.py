"""Signing in to ZIA: the OneAPI token endpoint (its own service under /zslogin) and
the legacy API-key session, plus how /zia/api/v1 recognises a caller.

OneAPI (ZIdentity): POST /zslogin/oauth2/v1/token with client_credentials and
audience https://api.zscaler.com, authenticated by client_secret (form or HTTP
Basic) or a private-key JWT whose aud is that audience too, as Zscaler's SDKs sign it. Legacy: POST /authenticatedSession with the API
key obfuscated by the timestamp, answered with a JSESSIONID cookie that dies
after session_timeout idle seconds. A session that ends (logout or idle timeout)
activates the changes it saved.
"""

import base64
import binascii
import hmac
import secrets
import time

import jwt
from werkzeug.routing import Map, Rule, Submount

from .errors import ServiceError
from .web import bearer_token, json_response, route
from .zia_state import Session, end_credential, expire_idle_sessions, session_credential, token_credential

ONEAPI_AUDIENCE = "https://api.zscaler.com"
ONEAPI_TOKEN_LIFETIME = 3600
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# How far the legacy login's timestamp may be from the cloud's clock.
TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000
SESSION_COOKIE = "JSESSIONID"


class OAuthError(ServiceError):
    """An OAuth error of the token endpoint: {"error", "error_description"}."""


def _invalid_client(description):
    return OAuthError(401, "invalid_client", description)


class OneApiTokenService:
    # A service of its own in the request log, as Entra is beside Graph: ZIdentity is another host.
    name = "zidentity"
    prefix = "/zslogin"
    # Credentials travel in the body or headers; the log keeps only the path.
    logs_query = False

    def __init__(self, cloud):
        self.cloud = cloud
        self.url_map = Map(
            [Submount(self.prefix, [Rule("/oauth2/v1/token", endpoint=self.token, methods=["POST"])])]
        )

    def handle(self, request):
        try:
            endpoint, args = route(self.url_map, request)
            return endpoint(request, **args)
        except ServiceError as error:
            code = error.code if isinstance(error, OAuthError) else "invalid_request"
            return json_response(error.status, {"error": code, "error_description": error.message})

    def error_response(self, request, status, code, message):
        """A fault's answer in OAuth's shape, as for Entra: 429 and 5xx read as temporarily_unavailable."""
        error = "temporarily_unavailable" if status == 429 or status >= 500 else "invalid_request"
        return json_response(status, {"error": error, "error_description": f"{code}: {message}"})

    def token(self, request):
        form = request.form
        if form.get("grant_type") != "client_credentials":
            raise OAuthError(400, "unsupported_grant_type", "Only client_credentials is supported.")
        if form.get("audience") != ONEAPI_AUDIENCE:
            raise OAuthError(400, "invalid_request", f"The audience must be {ONEAPI_AUDIENCE}.")
        org = self._authenticate_client(request)
        token = secrets.token_urlsafe(48)
        self.cloud.tokens[token] = (org.org_id, time.time() + ONEAPI_TOKEN_LIFETIME)
        return json_response(
            200, {"access_token": token, "token_type": "Bearer", "expires_in": ONEAPI_TOKEN_LIFETIME}
        )

    def _authenticate_client(self, request):
        client_id, secret = _basic_credentials(request)
        client_id = client_id or request.form.get("client_id")
        secret = secret or request.form.get("client_secret")
        org = self.cloud.org_by_client_id(client_id) if client_id else None
        if org is None:
            raise _invalid_client(f"Client '{client_id}' is not known.")
        if secret:
            if not hmac.compare_digest(secret, org.oneapi_client_secret):
                raise _invalid_client("Invalid client secret.")
            return org
        if request.form.get("client_assertion_type") == CLIENT_ASSERTION_TYPE:
            self._check_assertion(org, request.form.get("client_assertion", ""))
            return org
        raise _invalid_client("Client authentication is missing: send client_secret or client_assertion.")

    @staticmethod
    def _check_assertion(org, assertion):
        """What both Zscaler SDKs send: RS256, iss = sub = the client id, aud = the API
        audience (not the token URL), exp; no iat, nbf or jti are required."""
        if org.oneapi_public_key is None:
            raise _invalid_client("This client has no public key registered.")
        try:
            claims = jwt.decode(
                assertion,
                org.oneapi_public_key,
                algorithms=["RS256", "PS256"],
                audience=ONEAPI_AUDIENCE,
                issuer=org.oneapi_client_id,
                options={"require": ["exp", "aud", "iss", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise _invalid_client(f"Client assertion is invalid: {error}") from None
        if claims["sub"] != org.oneapi_client_id:
            raise _invalid_client("Client assertion is invalid: 'sub' must be the client id.")


def _basic_credentials(request):
    scheme, _sep, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        client_id, _sep, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _invalid_client("The Basic authorization header is malformed.") from None
    return client_id, secret


# --- legacy API-key sessions -------------------------------------------------------


def obfuscate_api_key(api_key, timestamp_ms):
    """Zscaler's documented obfuscation: key characters picked by the timestamp's last six digits."""
    digits = str(timestamp_ms)[-6:]
    shifted = str(int(digits) >> 1).zfill(6)
    return "".join(api_key[int(c)] for c in digits) + "".join(api_key[int(c) + 2] for c in shifted)


def authentication_failed(message="Authentication failed: check the username, password and API key."):
    return ServiceError(401, "AUTHENTICATION_FAILED", message)


def session_not_valid():
    return ServiceError(401, "SESSION_NOT_VALID", "Session is not valid")


def login(cloud, body, now):
    """A new session id for a valid {apiKey, username, password, timestamp}."""
    org = cloud.org_by_username(body.get("username"))
    try:
        timestamp = int(body.get("timestamp"))
    except (TypeError, ValueError):
        raise authentication_failed("The timestamp must be epoch milliseconds.") from None
    if abs(now * 1000 - timestamp) > TIMESTAMP_TOLERANCE_MS:
        raise authentication_failed("The timestamp is too far from the current time.")
    if org is None or not hmac.compare_digest(str(body.get("password", "")), org.password):
        raise authentication_failed()
    expected = obfuscate_api_key(org.api_key, timestamp)
    if not hmac.compare_digest(str(body.get("apiKey", "")), expected):
        raise authentication_failed()
    session_id = secrets.token_hex(16).upper()
    cloud.sessions[session_id] = Session(org.org_id, now)
    return session_id


def session_cookie(session_id):
    return f"{SESSION_COOKIE}={session_id}; Path=/; Secure; HttpOnly"


def logout(cloud, org, credential, now):
    """DELETE /authenticatedSession: the session ends, and ZIA activates what it staged.

    For a OneAPI bearer token the token stays valid; what it staged is activated, as
    Zscaler's Python SDK expects when it ends a OneAPI client's ZIA session this way.
    """
    if credential.startswith("session:"):
        cloud.sessions.pop(credential.partition(":")[2], None)
    end_credential(cloud, org, credential, now)


def caller(cloud, request, now):
    """(org, credential) a /zia/api/v1 request acts for: a OneAPI bearer token, else a live
    session cookie. The credential names who staged a change, for activation at session end."""
    expire_idle_sessions(cloud, now)
    token = bearer_token(request)
    if token is not None:
        org_id, expires = cloud.tokens.get(token, (None, 0))
        if org_id is None or expires <= now:
            cloud.tokens.pop(token, None)
            raise authentication_failed("The access token is invalid or expired.")
        return cloud.orgs[org_id], token_credential(token)
    session_id = request.cookies.get(SESSION_COOKIE)
    session = cloud.sessions.get(session_id or "")
    if session is None:
        raise session_not_valid() if session_id else authentication_failed("Not signed in.")
    session.last_used = now
    return cloud.orgs[session.org_id], session_credential(session_id)
