# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Microsoft Entra ID authentication: app-only tokens through MSAL.

One ``EntraTokenProvider`` per (tenant, client): it holds MSAL's in-memory
cache, so a module run asks Entra once per resource. ``build_entra_auth``
chooses the credential (client secret or certificate) from the task's
options, as ``zia_auth.build_zia_auth`` does for ZIA.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

try:
    import msal
    HAS_MSAL = True
    MSAL_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module base class
    HAS_MSAL = False
    MSAL_IMPORT_ERROR = exc

from ansible_collections.mipconnect.zia.plugins.module_utils.checks import require_guid, require_https_url
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import (
    InputError,
    token_error_from_response,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.token_cache import TokenCache
from ansible_collections.mipconnect.zia.plugins.module_utils.http.transport import MsalHttpClient

# Endpoints, token audiences and Graph label APIs per national cloud. Hosts
# from Microsoft's national cloud pages (Graph deployments, Azure Government,
# Power Platform US Government); label APIs from the availability tables of
# the beta informationProtection and v1.0 dataSecurityAndGovernance pages.
# GCC (moderate) tenants sign in to the public cloud: they use "public".
CLOUDS = {
    "public": {
        "authority_host": "https://login.microsoftonline.com",
        "graph_url": "https://graph.microsoft.com",
        "graph_resource": "https://graph.microsoft.com",
        "arm_url": "https://management.azure.com",
        "arm_resource": "https://management.azure.com/",
        "power_platform_url": "https://api.bap.microsoft.com",
        # Add-PowerAppsAccount -Endpoint for this cloud.
        "powerapps_endpoint": "prod",
        "label_apis": ("beta", "v1.0"),
    },
    # US Government L4 (GCC High).
    "usgov": {
        "authority_host": "https://login.microsoftonline.us",
        "graph_url": "https://graph.microsoft.us",
        "graph_resource": "https://graph.microsoft.us",
        "arm_url": "https://management.usgovcloudapi.net",
        "arm_resource": "https://management.usgovcloudapi.net/",
        "power_platform_url": "https://high.api.bap.microsoft.us",
        "powerapps_endpoint": "usgovhigh",
        "label_apis": ("v1.0",),
    },
    # US Government L5 (DoD).
    "usgov_dod": {
        "authority_host": "https://login.microsoftonline.us",
        "graph_url": "https://dod-graph.microsoft.us",
        "graph_resource": "https://dod-graph.microsoft.us",
        "arm_url": "https://management.usgovcloudapi.net",
        "arm_resource": "https://management.usgovcloudapi.net/",
        "power_platform_url": "https://api.bap.appsplatform.us",
        "powerapps_endpoint": "dod",
        "label_apis": ("v1.0",),
    },
    # Operated by 21Vianet.
    "china": {
        "authority_host": "https://login.chinacloudapi.cn",
        "graph_url": "https://microsoftgraph.chinacloudapi.cn",
        "graph_resource": "https://microsoftgraph.chinacloudapi.cn",
        "arm_url": "https://management.chinacloudapi.cn",
        "arm_resource": "https://management.chinacloudapi.cn/",
        "power_platform_url": "https://api.bap.partner.microsoftonline.cn",
        "powerapps_endpoint": "china",
        "label_apis": (),
    },
}

# How each cloud is named in messages.
CLOUD_NAMES = {
    "public": "the global cloud",
    "usgov": "US Government L4 (GCC High)",
    "usgov_dod": "US Government L5 (DoD)",
    "china": "the China cloud (21Vianet)",
}


class EntraEndpoints:
    """Where to send requests: the cloud's URLs, each overridable (proxies, emulators)."""

    def __init__(self, cloud="public", authority_url=None, graph_url=None, arm_url=None, power_platform_url=None):
        known = CLOUDS[cloud]
        self.cloud = cloud
        self.authority_host = (authority_url or known["authority_host"]).rstrip("/")
        self.graph_url = (graph_url or known["graph_url"]).rstrip("/")
        self.arm_url = (arm_url or known["arm_url"]).rstrip("/")
        self.power_platform_url = (power_platform_url or known["power_platform_url"]).rstrip("/")
        self.powerapps_endpoint = known["powerapps_endpoint"]
        # The Graph label APIs this cloud has, whatever URL Graph is reached at.
        self.label_apis = known["label_apis"]
        self.cloud_name = CLOUD_NAMES[cloud]
        # Token audiences stay those of the cloud even when URLs are overridden.
        self.graph_resource = known["graph_resource"]
        self.arm_resource = known["arm_resource"]

    def authority(self, tenant_id):
        return "%s/%s" % (self.authority_host, tenant_id)


def build_entra_endpoints(params):
    """The endpoints of the cloud the options name, with the URLs they override."""
    return EntraEndpoints(
        cloud=params.get("cloud") or "public",
        authority_url=require_https_url("authority_url", params.get("authority_url")),
        graph_url=require_https_url("graph_url", params.get("graph_url")),
        arm_url=require_https_url("arm_url", params.get("arm_url")),
        power_platform_url=require_https_url("power_platform_url", params.get("power_platform_url")),
    )


def build_entra_auth(http, endpoints, params):
    """The token provider for the identity the auth options give: by client secret or by
    certificate, never both. Every problem is an InputError, raised before any request."""
    for option, variable in (("tenant_id", "AZURE_TENANT_ID or AZURE_TENANT"), ("auth_client_id", "AZURE_CLIENT_ID")):
        if not params.get(option):
            raise InputError(option, "is required to sign in to Microsoft Entra ID (or set %s)." % variable)
    tenant_id = require_guid("tenant_id", params["tenant_id"])
    client_id = require_guid("auth_client_id", params["auth_client_id"])
    secret = params.get("auth_client_secret")
    certificate_path = params.get("auth_certificate_path")
    # Checked here rather than with mutually_exclusive, which would also see an
    # auth_client_secret given as "" in the task.
    if secret and certificate_path:
        raise InputError("auth_client_secret", "give either auth_client_secret or auth_certificate_path, not both.")
    if not secret and not certificate_path:
        raise InputError("auth_client_secret", "no credential for %s: set auth_client_secret (or AZURE_CLIENT_SECRET "
                                               "or AZURE_SECRET) or auth_certificate_path (or "
                                               "AZURE_CLIENT_CERTIFICATE_PATH)." % client_id)
    certificate = None
    if certificate_path:
        certificate = load_certificate_credential(certificate_path, params.get("auth_certificate_password"))
    return EntraTokenProvider(http, endpoints, tenant_id, client_id, client_secret=secret or None,
                              certificate=certificate, shared_cache=params.get("token_cache", True))


def load_certificate_credential(path, password=None):
    """Read a PEM (key + certificate) or PFX file into MSAL's client_credential form."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    # No message repeats the value: a key pasted here by mistake must not reach the output.
    option = "auth_certificate_path"
    if "-----BEGIN" in path or "\n" in path:
        raise InputError(option, "holds PEM text, not a path. Write the key and certificate to a file readable "
                                 "only by you and give its path.")
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except (IOError, OSError, ValueError) as exc:
        raise InputError(option, "cannot read the file given (%s). Give a readable PEM or PFX file."
                         % (getattr(exc, "strerror", None) or type(exc).__name__))
    secret = password.encode("utf-8") if password else None
    try:
        if b"-----BEGIN" in blob:
            key = serialization.load_pem_private_key(blob, password=secret)
            cert = x509.load_pem_x509_certificate(blob)
        else:
            key, cert, _chain = pkcs12.load_key_and_certificates(blob, secret)
    except (ValueError, TypeError):
        raise InputError(option, "the file given is not a PEM file holding a private key and certificate, nor a "
                                 "PFX file that opens with auth_certificate_password.")
    if key is None or cert is None:
        raise InputError(option, "the file given must hold both the private key and its certificate.")
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    return {
        "private_key": key_pem,
        "thumbprint": cert.fingerprint(hashes.SHA1()).hex().upper(),  # nosec - the x5t header is SHA-1 by spec
        "public_certificate": cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    }


class EntraTokenProvider:
    """App-only tokens for one client in one tenant, cached for the module run."""

    def __init__(self, http, endpoints, tenant_id, client_id, client_secret=None, certificate=None,
                 shared_cache=False):
        self._http = http
        self.endpoints = endpoints
        self.tenant_id = tenant_id
        self.client_id = client_id
        self._credential = client_secret if client_secret else certificate
        self._app = None
        self._cache = None
        if shared_cache:
            material = client_secret if client_secret else certificate["private_key"]
            self._cache = TokenCache(endpoints.authority_host, tenant_id, client_id, material.encode("utf-8"))

    def _msal_app(self):
        if self._app is None:
            self._app = msal.ConfidentialClientApplication(
                self.client_id,
                client_credential=self._credential,
                authority=self.endpoints.authority(self.tenant_id),
                http_client=MsalHttpClient(self._http),
                # Instance discovery asks login.microsoftonline.com about the
                # authority host; it is pointless for known clouds and breaks overrides.
                instance_discovery=False,
            )
        return self._app

    def token(self, resource):
        """An access token for ``resource`` (e.g. https://graph.microsoft.com)."""
        scope = resource.rstrip("/") + "/.default"
        cached = self._cache.get(scope) if self._cache else None
        if cached:
            return cached
        try:
            result = self._msal_app().acquire_token_for_client(scopes=[scope])
        except ValueError:
            # MSAL raises ValueError, without Entra's answer, when it cannot
            # read the tenant's OIDC metadata: fetch it to say why.
            raise self._discovery_error()
        if "access_token" not in result:
            raise token_error_from_response(result)
        if self._cache:
            self._cache.put(scope, result["access_token"], result.get("expires_in", 0))
        return result["access_token"]

    def invalidate(self, resource):
        """Forget the token for ``resource``, which a service refused (401: revoked,
        or the app's permissions changed): the next ``token(resource)`` asks Entra
        again instead of reusing it from the shared cache or MSAL's own cache."""
        scope = resource.rstrip("/") + "/.default"
        if self._cache:
            self._cache.drop(scope)
        if self._app is not None:
            cache = self._app.token_cache
            for item in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN, target=[scope])):
                cache.remove_at(item)

    def _discovery_error(self):
        url = "%s/v2.0/.well-known/openid-configuration" % self.endpoints.authority(self.tenant_id)
        response = self._http.request("GET", url, service="Microsoft Entra ID")
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.status_code >= 400 and isinstance(payload, dict) and payload.get("error"):
            return token_error_from_response(payload, status=response.status_code)
        return token_error_from_response(
            {"error_description": "the OpenID configuration at %s could not be used (HTTP %s)."
                                  % (url, response.status_code)}, status=response.status_code)


def token_claims(access_token):
    """Decode a JWT's claims without verifying it: we only read what Entra granted us."""
    try:
        payload = access_token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        return json.loads(base64.urlsafe_b64decode(payload.encode("ascii")).decode("utf-8"))
    except (IndexError, ValueError, UnicodeDecodeError):
        return {}
