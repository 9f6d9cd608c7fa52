# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module shares: argument specs, clients, error reporting.

A module declares its own options, builds a ``MipConnectModule`` and hands
``run`` a function that returns the result dict. Errors raised anywhere below
become one ``fail_json`` with a sentence and a structured ``error``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import entra_auth

from ansible_collections.mipconnect.zia.plugins.module_utils.http import transport

from ansible_collections.mipconnect.zia.plugins.module_utils.zia import zia
from ansible_collections.mipconnect.zia.plugins.module_utils.clients import Clients
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import MipConnectError


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
        self._check_libraries()
        # Every client the module's work needs comes from here.
        self.clients = Clients(self.params, warn=self.ansible.warn)

    def _check_libraries(self):
        if not transport.HAS_REQUESTS:
            self.ansible.fail_json(msg=missing_required_lib("requests"), exception=str(transport.REQUESTS_IMPORT_ERROR))
        if not entra_auth.HAS_MSAL:
            self.ansible.fail_json(msg=missing_required_lib("msal"), exception=str(entra_auth.MSAL_IMPORT_ERROR))

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
        """Log out of ZIA and close connections; returns how ZIA activated this run's saved changes
        by ending its legacy session (see Clients.close)."""
        return self.clients.close()
