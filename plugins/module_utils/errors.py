# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Structured errors and the sentences a person can act on.

Every failure a module reports is one of these exceptions. They carry what a
person needs (service, status, code, message, request id, a hint) and never a
request body, header or token: messages are built only from the fields named
here, so a secret cannot slip into them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


class MipConnectError(Exception):
    """Base class: a failure with a message fit to show a person.

    ``partial_result`` is what the run had already done when it failed (a dict the
    module's result is made of, without secrets), so a person knows where it stopped."""

    partial_result = None

    def __init__(self, message, hint=None, partial_result=None):
        super(MipConnectError, self).__init__(message)
        self.message = message
        self.hint = hint
        self.partial_result = partial_result

    def with_partial_result(self, partial_result):
        """This error, carrying ``partial_result``; for an error raised below the code that knows it."""
        self.partial_result = partial_result
        return self

    def __str__(self):
        if self.hint:
            return "%s %s" % (self.message, self.hint)
        return self.message

    def as_dict(self):
        return {"message": self.message, "hint": self.hint}


class InputError(MipConnectError):
    """An option has a value we refuse before any remote call."""

    def __init__(self, option, message):
        super(InputError, self).__init__("Option '%s': %s" % (option, message))
        self.option = option

    def as_dict(self):
        return {"option": self.option, "message": self.message}


class TransportError(MipConnectError):
    """The service could not be reached or did not answer in time."""


class ApiError(MipConnectError):
    """A service answered with an error status."""

    def __init__(self, service, status, code=None, message=None, request_id=None, hint=None, retry_after=None):
        self.service = service
        self.status = status
        self.code = code
        self.detail = message or ""
        self.request_id = request_id
        self.retry_after = retry_after
        text = "%s answered HTTP %s" % (service, status)
        if code:
            text += " %s" % code
        if message:
            text += ": %s" % message.rstrip(".") + "."
        else:
            text += "."
        if request_id:
            text += " (request id %s)" % request_id
        super(ApiError, self).__init__(text, hint)

    def as_dict(self):
        return {
            "service": self.service,
            "status": self.status,
            "code": self.code,
            "message": self.detail,
            "request_id": self.request_id,
            "hint": self.hint,
        }


class TokenError(ApiError):
    """Microsoft Entra refused to issue a token (an AADSTS error)."""

    def __init__(self, aadsts, description, status=None, request_id=None, hint=None):
        self.aadsts = aadsts
        super(TokenError, self).__init__(
            "Microsoft Entra ID", status or 400, code="AADSTS%s" % aadsts if aadsts else None,
            message=description, request_id=request_id, hint=hint)

    def as_dict(self):
        data = super(TokenError, self).as_dict()
        data["aadsts"] = self.aadsts
        return data


# AADSTS codes we meet, with the sentence that tells a person what to do.
AADSTS_HINTS = {
    7000215: ("The client secret is wrong. Use the secret's Value (shown once when it was created), "
              "not its Secret ID, and check it belongs to this client id."),
    7000222: ("The client secret has expired. Create a new one (azure_app_connector with "
              "rotate: when_expiring or always) and update every place that uses it."),
    700016: ("The application (client id) is not known in this tenant. Check client_id and tenant_id; "
             "an application created moments ago may need a minute to replicate; a multi-tenant "
             "connector needs admin consent in the customer tenant first."),
    90002: "The tenant does not exist. Check tenant_id (a GUID from Entra ID > Overview > Tenant ID).",
    900023: "The tenant id is not valid. Check tenant_id.",
    65001: ("Admin consent is missing for this application. Grant it (grant_admin_consent: true) or "
            "open the admin consent URL as a Global or Privileged Role Administrator."),
    700027: ("The client certificate was not accepted: the signing key does not match a certificate "
             "uploaded to the application. Upload the certificate or use the matching private key."),
    700024: "The client assertion is outside its validity window: check the controller's clock.",
    50034: "The user account does not exist in this tenant.",
    53003: "Access was blocked by a Conditional Access policy for this client.",
}

_AADSTS_RE = re.compile(r"AADSTS(\d+)")


def aadsts_code(error_codes, description):
    """Return the AADSTS number from a token error response, if any."""
    if error_codes:
        try:
            return int(error_codes[0])
        except (TypeError, ValueError):
            pass
    match = _AADSTS_RE.search(description or "")
    return int(match.group(1)) if match else None


def token_error_from_response(payload, status=None):
    """Build a TokenError from an OAuth error payload (MSAL result or raw JSON)."""
    description = (payload.get("error_description") or payload.get("error") or "token request failed")
    # Keep the first line: later lines hold trace ids we report separately.
    first_line = description.splitlines()[0].strip()
    code = aadsts_code(payload.get("error_codes"), description)
    if code:
        first_line = re.sub(r"^AADSTS\d+:\s*", "", first_line)
    request_id = payload.get("correlation_id") or payload.get("trace_id")
    return TokenError(code, first_line, status=status, request_id=request_id, hint=AADSTS_HINTS.get(code))
