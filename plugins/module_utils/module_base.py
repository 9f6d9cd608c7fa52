# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module shares: argument specs, input checks, clients, error reporting.

A module declares its own options, builds a ``MipConnectModule`` and hands
``run`` a function that returns the result dict. Errors raised anywhere below
become one ``fail_json`` with a sentence and a structured ``error``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.mipconnect.zia.plugins.module_utils import entra_auth, transport, zia, zia_auth
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError, MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.graph import ArmClient, GraphClient


def env_fallback(*names):
    """The first of these environment variables that is set and not empty.

    Ansible's own env_fallback takes an empty variable as a value. AWX sets every
    variable a credential type injects and renders a field left empty as "", so
    ``AZURE_CLOUD=""`` would fail the choices check instead of meaning the default.
    Every option of this collection that reads the environment reads it here.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


# Options of the HTTP layer; documented in doc_fragments/connection.py.
CONNECTION_ARGUMENT_SPEC = dict(
    ca_bundle=dict(type="path", fallback=(env_fallback, ["MIPCONNECT_CA_BUNDLE"])),
    validate_certs=dict(type="bool", default=True),
    timeout=dict(type="int", default=30),
    max_retries=dict(type="int", default=5),
    max_retry_wait=dict(type="int", default=transport.DEFAULT_MAX_RETRY_WAIT),
    replication_timeout=dict(type="int", default=180),
    token_cache=dict(type="bool", default=True, no_log=False),
)

# Where Microsoft's services are; documented in doc_fragments/entra_endpoints.py.
ENTRA_ENDPOINTS_ARGUMENT_SPEC = dict(
    cloud=dict(type="str", default="public", choices=sorted(entra_auth.CLOUDS),
               fallback=(env_fallback, ["AZURE_CLOUD"])),
    authority_url=dict(type="str", fallback=(env_fallback, ["AZURE_AUTHORITY_HOST"])),
    graph_url=dict(type="str", fallback=(env_fallback, ["MIPCONNECT_GRAPH_URL"])),
    arm_url=dict(type="str", fallback=(env_fallback, ["MIPCONNECT_ARM_URL"])),
    power_platform_url=dict(type="str", fallback=(env_fallback, ["MIPCONNECT_POWER_PLATFORM_URL"])),
)

# The Entra identity a module acts as; documented in doc_fragments/entra_auth.py.
ENTRA_AUTH_ARGUMENT_SPEC = dict(
    # AZURE_TENANT and AZURE_SECRET: what AWX's built-in Azure Resource Manager credential sets.
    tenant_id=dict(type="str", fallback=(env_fallback, ["AZURE_TENANT_ID", "AZURE_TENANT"])),
    auth_client_id=dict(type="str", fallback=(env_fallback, ["AZURE_CLIENT_ID"])),
    auth_client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["AZURE_CLIENT_SECRET", "AZURE_SECRET"])),
    # no_log: key text pasted here by mistake must not reach the output either.
    auth_certificate_path=dict(type="path", no_log=True, fallback=(env_fallback, ["AZURE_CLIENT_CERTIFICATE_PATH"])),
    auth_certificate_password=dict(type="str", no_log=True,
                                   fallback=(env_fallback, ["AZURE_CLIENT_CERTIFICATE_PASSWORD"])),
)

# The ZIA identity; documented in doc_fragments/zia_auth.py. Option names carry
# a zscaler_/zia_ prefix so they never clash with a connector's client_id.
ZIA_AUTH_ARGUMENT_SPEC = dict(
    zscaler_client_id=dict(type="str", fallback=(env_fallback, ["ZSCALER_CLIENT_ID"])),
    zscaler_client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["ZSCALER_CLIENT_SECRET"])),
    # The key text itself or the path of its file: no_log, since it is often the key.
    zscaler_private_key=dict(type="str", no_log=True, fallback=(env_fallback, ["ZSCALER_PRIVATE_KEY"])),
    zscaler_vanity_domain=dict(type="str", fallback=(env_fallback, ["ZSCALER_VANITY_DOMAIN"])),
    zscaler_cloud=dict(type="str", fallback=(env_fallback, ["ZSCALER_CLOUD"])),
    zscaler_token_url=dict(type="str", no_log=False, fallback=(env_fallback, ["MIPCONNECT_ZSCALER_TOKEN_URL"])),
    zia_username=dict(type="str", fallback=(env_fallback, ["ZIA_USERNAME"])),
    zia_password=dict(type="str", no_log=True, fallback=(env_fallback, ["ZIA_PASSWORD"])),
    zia_api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["ZIA_API_KEY"])),
    zia_cloud=dict(type="str", fallback=(env_fallback, ["ZIA_CLOUD"])),
    zia_api_url=dict(type="str", fallback=(env_fallback, ["MIPCONNECT_ZIA_API_URL"])),
)

UNVERIFIED_TLS_WARNING = (
    "validate_certs is false: TLS certificates are not checked, so anyone on the network path can read the "
    "credentials and secrets this task sends. Use it only in a lab; to trust a TLS-inspecting proxy, give its "
    "CA as ca_bundle instead.")

_GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def is_guid(value):
    return isinstance(value, str) and bool(_GUID_RE.match(value.strip()))


def require_guid(option, value):
    """Refuse anything but a GUID; return it lower-cased."""
    if value is None:
        return None
    if not is_guid(value):
        raise InputError(option, "'%s' is not a GUID. Copy the value from the Azure portal's Overview page "
                                 "(form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)." % _shorten(value))
    return value.strip().lower()


def require_text(option, value, max_length):
    """Refuse empty text, control characters and over-long values."""
    if value is None:
        return None
    if not value.strip():
        raise InputError(option, "must not be empty.")
    if _CONTROL_RE.search(value):
        raise InputError(option, "must not contain control characters (newlines, tabs, NUL).")
    if len(value) > max_length:
        raise InputError(option, "is %d characters long; the limit is %d." % (len(value), max_length))
    return value


def require_https_url(option, value, allow_localhost_http=False):
    if value is None:
        return None
    if value.startswith("https://") and len(value) > len("https://"):
        return value
    if allow_localhost_http and re.match(r"^http://(localhost|127\.0\.0\.1)(:\d+)?(/|$)", value):
        return value
    raise InputError(option, "'%s' must be an https:// URL." % _shorten(value))


def require_range(option, value, low, high):
    if value is not None and not low <= value <= high:
        raise InputError(option, "is %s; it must be between %s and %s." % (value, low, high))
    return value


def _shorten(value, limit=60):
    text = _CONTROL_RE.sub("?", str(value))
    return text if len(text) <= limit else text[:limit] + "..."


class MipConnectModule:
    """An AnsibleModule with our shared options, clients and error handling."""

    def __init__(self, argument_spec, shared_specs=(ENTRA_AUTH_ARGUMENT_SPEC, ENTRA_ENDPOINTS_ARGUMENT_SPEC), **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        for shared in shared_specs:
            spec.update(shared)
        spec.update(argument_spec)
        kwargs.setdefault("supports_check_mode", True)
        self.ansible = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        self._http = None
        self._zia = None
        self._check_libraries()

    def _check_libraries(self):
        if not transport.HAS_REQUESTS:
            self.ansible.fail_json(msg=missing_required_lib("requests"), exception=str(transport.REQUESTS_IMPORT_ERROR))
        if not entra_auth.HAS_MSAL:
            self.ansible.fail_json(msg=missing_required_lib("msal"), exception=str(entra_auth.MSAL_IMPORT_ERROR))

    # Clients ---------------------------------------------------------------

    def http(self):
        if self._http is None:
            p = self.params
            require_range("timeout", p["timeout"], 1, 600)
            require_range("max_retries", p["max_retries"], 0, 20)
            require_range("max_retry_wait", p["max_retry_wait"], 0, 3600)
            require_range("replication_timeout", p["replication_timeout"], 0, 3600)
            if p["ca_bundle"] and not os.access(p["ca_bundle"], os.R_OK):
                raise InputError("ca_bundle", "%s does not exist or cannot be read; give a PEM file of CA "
                                              "certificates." % p["ca_bundle"])
            settings = transport.HttpSettings(
                timeout=p["timeout"], ca_bundle=p["ca_bundle"], validate_certs=p["validate_certs"],
                max_retries=p["max_retries"], max_retry_wait=p["max_retry_wait"],
                replication_timeout=p["replication_timeout"])
            if not p["validate_certs"]:
                self.ansible.warn(UNVERIFIED_TLS_WARNING)
            self._http = transport.HttpClient(settings)
        return self._http

    def entra_endpoints(self):
        p = self.params
        return entra_auth.EntraEndpoints(
            cloud=p["cloud"],
            authority_url=require_https_url("authority_url", p["authority_url"]),
            graph_url=require_https_url("graph_url", p["graph_url"]),
            arm_url=require_https_url("arm_url", p["arm_url"]),
            power_platform_url=require_https_url("power_platform_url", p["power_platform_url"]),
        )

    def entra_token_provider(self, endpoints):
        """The token provider for the identity given by the auth options."""
        p = self.params
        for option, variable in (("tenant_id", "AZURE_TENANT_ID or AZURE_TENANT"), ("auth_client_id", "AZURE_CLIENT_ID")):
            if not p[option]:
                raise InputError(option, "is required to sign in to Microsoft Entra ID (or set %s)." % variable)
        tenant_id = require_guid("tenant_id", p["tenant_id"])
        client_id = require_guid("auth_client_id", p["auth_client_id"])
        # Checked here rather than with mutually_exclusive, which would also see an
        # auth_client_secret given as "" in the task.
        if p["auth_client_secret"] and p["auth_certificate_path"]:
            raise InputError("auth_client_secret", "give either auth_client_secret or auth_certificate_path, not both.")
        if not p["auth_client_secret"] and not p["auth_certificate_path"]:
            raise InputError("auth_client_secret", "no credential for %s: set auth_client_secret (or AZURE_CLIENT_SECRET "
                                                   "or AZURE_SECRET) or auth_certificate_path (or "
                                                   "AZURE_CLIENT_CERTIFICATE_PATH)."
                             % client_id)
        certificate = None
        if p["auth_certificate_path"]:
            certificate = entra_auth.load_certificate_credential(p["auth_certificate_path"],
                                                                 p["auth_certificate_password"])
        return entra_auth.EntraTokenProvider(self.http(), endpoints, tenant_id, client_id,
                                             client_secret=p["auth_client_secret"] or None, certificate=certificate,
                                             shared_cache=p["token_cache"])

    def graph_client(self, endpoints, tokens):
        return GraphClient(self.http(), endpoints.graph_url, lambda: tokens.token(endpoints.graph_resource),
                           token_refused=lambda: tokens.invalidate(endpoints.graph_resource))

    def arm_client(self, endpoints, tokens):
        return ArmClient(self.http(), endpoints.arm_url, lambda: tokens.token(endpoints.arm_resource),
                         token_refused=lambda: tokens.invalidate(endpoints.arm_resource))

    def zia_client(self):
        p = self.params
        require_https_url("zia_api_url", p["zia_api_url"])
        require_https_url("zscaler_token_url", p["zscaler_token_url"])
        auth = zia_auth.build_zia_auth(self.http(), p)
        # One limiter per ZIA organisation for every task process on this controller.
        self._zia = zia.ZiaClient(self.http(), auth, limiter=zia.shared_limiter(auth))
        return self._zia

    # Running -------------------------------------------------------------

    def run(self, work, session_end_path=None):
        """Call ``work()`` and exit with its result, or fail with a sentence.

        An error's ``partial_result`` (what was already changed before the failure,
        so a person knows where the run stopped) becomes part of the failed result.

        ZIA activates what a legacy session saved when the session ends, which the
        result must say: ``session_end_path`` names the dict of the result that gets
        ``activated_by_session_end`` (``()`` the result itself, ``("activation",)`` its
        activation); a warning says it in any case.
        """
        try:
            self._run(work, session_end_path)
        finally:
            self._close()  # does nothing when _run closed already

    def _run(self, work, session_end_path):
        try:
            result = work()
        except MipConnectError as err:
            partial = dict(err.partial_result or {})
            self._report_session_end(partial, self._close(), session_end_path, failed=True)
            self.ansible.fail_json(msg=str(err), error=err.as_dict(), **partial)
        except Exception as err:  # pylint: disable=broad-except
            # An unexpected bug: keep the traceback (it holds no request data)
            # but say plainly that it is ours.
            self._close()
            self.ansible.fail_json(msg="Unexpected error in mipconnect.zia: %s: %s" % (type(err).__name__, err),
                                   exception=traceback.format_exc())
        # Closed before the result is made: the logout itself can activate what the run saved.
        self._report_session_end(result, self._close(), session_end_path)
        if not self.ansible._diff:
            result.pop("diff", None)  # only asked-for diffs reach the output
        for warning in result.pop("warnings", []):
            self.ansible.warn(warning)
        self.ansible.exit_json(**result)

    def _report_session_end(self, result, ended, path, failed=False):
        if ended:
            how = {zia.LOGOUT: "by its logout", zia.SESSION_EXPIRED: "by an idle timeout during the run"}
            self.ansible.warn(
                "ZIA activated the changes this run saved when its legacy API session ended (%s): changes "
                "saved under legacy sign-in (zia_username) cannot wait for a later activation. Sign in with "
                "OneAPI (zscaler_client_id) to activate the changes of many runs at once."
                % " and ".join(how.get(reason, reason) for reason in sorted(set(ended))))
        if path is None or (failed and not ended):
            return
        target = result
        for key in path:
            target = target.setdefault(key, {})
            if not isinstance(target, dict):
                return
        target["activated_by_session_end"] = bool(ended)

    def _close(self):
        """Log out of ZIA (legacy sessions count against a limit) and close connections.

        Returns how ZIA activated this run's saved changes by ending its legacy session."""
        ended = []
        if self._zia is not None:
            try:
                ended = self._zia.close()
            except MipConnectError:
                # The session expires by itself, which activates the same; the module's own result matters more.
                ended = list(self._zia.session_end_activations)
            self._zia = None
        if self._http is not None:
            self._http.close()
            self._http = None
        return ended
