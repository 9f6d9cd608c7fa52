"""The one exception every service raises; each service renders it in its own error shape."""


class ServiceError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


# Default error codes for a bare status, used when a fault gives no body.
STATUS_CODES = {
    301: "MovedPermanently",
    302: "Found",
    303: "SeeOther",
    307: "TemporaryRedirect",
    308: "PermanentRedirect",
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


def code_for_status(status):
    return STATUS_CODES.get(status, "UnknownError")


def message_for_status(status):
    if status == 429:
        return "Too many requests. Retry after the number of seconds in the Retry-After header."
    if status >= 500:
        return "The service is temporarily unavailable. Please try again later."
    return "The request failed."
