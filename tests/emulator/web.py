"""Small helpers for JSON requests and responses shared by every service."""

import json

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Response

from .errors import ServiceError


def json_response(status, body, headers=None):
    return Response(json.dumps(body), status=status, headers=headers or {}, content_type="application/json")


def empty_response(status, headers=None):
    return Response(b"", status=status, headers=headers or {})


def read_json(request, invalid_code="BadRequest"):
    """The request body as a JSON object; an empty body reads as {}."""
    raw = request.get_data(as_text=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ServiceError(
            400,
            invalid_code,
            "Unable to read JSON request payload. Please ensure Content-Type header is set "
            "and payload is of valid JSON format.",
        ) from None
    if not isinstance(body, dict):
        raise ServiceError(400, invalid_code, "The request body must be a JSON object.")
    return body


def bearer_token(request):
    """The token of an 'Authorization: Bearer ...' header, or None."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def route(url_map, request):
    """(endpoint, arguments) of the rule matching request; unknown paths and methods as ServiceError."""
    try:
        return url_map.bind_to_environ(request.environ).match()
    except MethodNotAllowed:
        raise ServiceError(
            405, "MethodNotAllowed", f"The method '{request.method}' is not allowed here."
        ) from None
    except NotFound:
        raise ServiceError(404, "NotFound", f"No resource matches the path '{request.path}'.") from None
