# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where every client is built: the HTTP layer, Graph, ARM, Power Platform and ZIA.

A module run has one ``Clients``, made from the task's options; the domain
code gets the clients it needs from it and never builds one itself. So every
Graph and ARM client drops a refused token and asks Entra again (the 401 hook
of ``ServiceClient``), every ZIA client paces itself with the organisation's
shared limiter, and every one of them shares one HttpClient.

The credentials are chosen by one selector per service: ``build_entra_auth``
and ``build_zia_auth``. Pure Python: no ansible-core needed here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.mipconnect.zia.plugins.module_utils.http import transport
from ansible_collections.mipconnect.zia.plugins.module_utils.checks import require_https_url, require_range
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.entra_auth import build_entra_auth, build_entra_endpoints
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError, MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.graph import ArmClient, GraphClient, PowerPlatformClient
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia import ZiaClient
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_auth import build_zia_auth
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_rate_limits import shared_limiter

UNVERIFIED_TLS_WARNING = (
    "validate_certs is false: TLS certificates are not checked, so anyone on the network path can read the "
    "credentials and secrets this task sends. Use it only in a lab; to trust a TLS-inspecting proxy, give its "
    "CA as ca_bundle instead.")


def http_client(params, warn):
    """The HttpClient the connection options describe; ``warn(text)`` hears that TLS is unchecked."""
    require_range("timeout", params["timeout"], 1, 600)
    require_range("max_retries", params["max_retries"], 0, 20)
    require_range("max_retry_wait", params["max_retry_wait"], 0, 3600)
    require_range("replication_timeout", params["replication_timeout"], 0, 3600)
    if params["ca_bundle"] and not os.access(params["ca_bundle"], os.R_OK):
        raise InputError("ca_bundle", "%s does not exist or cannot be read; give a PEM file of CA "
                                      "certificates." % params["ca_bundle"])
    settings = transport.HttpSettings(
        timeout=params["timeout"], ca_bundle=params["ca_bundle"], validate_certs=params["validate_certs"],
        max_retries=params["max_retries"], max_retry_wait=params["max_retry_wait"],
        replication_timeout=params["replication_timeout"])
    if not params["validate_certs"]:
        warn(UNVERIFIED_TLS_WARNING)
    return transport.HttpClient(settings)


def graph_client(http, endpoints, tokens, version="v1.0"):
    """A Graph client whose refused token (401) is dropped and asked for again."""
    resource = endpoints.graph_resource
    return GraphClient(http, endpoints.graph_url, lambda: tokens.token(resource), version=version,
                       token_refused=lambda: tokens.invalidate(resource))


def arm_client(http, endpoints, tokens):
    """An Azure Resource Manager client whose refused token (401) is dropped and asked for again."""
    resource = endpoints.arm_resource
    return ArmClient(http, endpoints.arm_url, lambda: tokens.token(resource),
                     token_refused=lambda: tokens.invalidate(resource))


class Clients:
    """The clients of one module run, each built once, on first use, from the task's options."""

    def __init__(self, params, warn=None):
        self.params = params
        self._warn = warn or (lambda text: None)
        self._http = None
        self._endpoints = None
        self._entra = None
        self._zia = None

    def http(self):
        if self._http is None:
            self._http = http_client(self.params, self._warn)
        return self._http

    def entra_endpoints(self):
        if self._endpoints is None:
            self._endpoints = build_entra_endpoints(self.params)
        return self._endpoints

    def entra_tokens(self):
        """The token provider of the identity the module acts as in Entra."""
        if self._entra is None:
            self._entra = build_entra_auth(self.http(), self.entra_endpoints(), self.params)
        return self._entra

    def graph(self, version="v1.0"):
        return graph_client(self.http(), self.entra_endpoints(), self.entra_tokens(), version)

    def graph_token(self):
        """The Graph access token of the identity the module acts as (its roles say what it may read)."""
        return self.entra_tokens().token(self.entra_endpoints().graph_resource)

    def arm(self):
        return arm_client(self.http(), self.entra_endpoints(), self.entra_tokens())

    def power_platform(self, token):
        """Power Platform's admin API, with a token the task gives: no app-only token reaches it."""
        return PowerPlatformClient(self.http(), self.entra_endpoints().power_platform_url, lambda: token)

    def zia(self):
        """The ZIA client, signed in as the ZIA auth options say; one per run, closed by ``close``."""
        if self._zia is None:
            require_https_url("zia_api_url", self.params.get("zia_api_url"))
            require_https_url("zscaler_token_url", self.params.get("zscaler_token_url"))
            auth = build_zia_auth(self.http(), self.params)
            # One limiter per ZIA organisation for every task process on this controller.
            self._zia = ZiaClient(self.http(), auth, limiter=shared_limiter(auth))
        return self._zia

    def close(self):
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
